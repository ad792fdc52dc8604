"""A plain-Python evaluation of segment definitions, the independent side of the SQL tests.

It is written from the documented semantics only (the docstrings of
``workbench.segments.model`` and docs/segments.md), never from the compiler, so that a
misreading in one shows up as a difference with the other. Rows are plain dicts as they
sit in ``main.profiles`` / ``main.events``: timestamps naive and read as UTC, NULL as
``None``. It is slow (a loop per profile and condition) and meant for small data.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import math
import re
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from workbench.segments.model import (
    AttributeCondition,
    BucketCondition,
    EventCondition,
    EventFilter,
    Group,
    MetricCondition,
    NumberTest,
    RecencyCondition,
    Segment,
    SegmentCondition,
    SequenceCondition,
    ValueTest,
    Window,
)

Row = dict[str, object]
Lookup = Callable[[str], Segment]


class EvaluationError(Exception):
    """A definition the reference cannot evaluate (a segment cycle, a value of the wrong type)."""


def evaluate(
    segment: Segment,
    profiles: list[Row],
    events: list[Row],
    as_of: dt.datetime,
    lookup: Lookup | None = None,
) -> set[str]:
    """The ids of the profiles in ``segment`` at ``as_of`` (naive UTC, or aware).

    ``segment.as_of`` is not read: the caller resolves the as-of, and a referenced segment
    is read at the as-of of the one referring to it (docs/segments.md)."""
    return _Evaluator(profiles, events, as_of, lookup).members(segment, ())


def utc_naive(moment: dt.datetime) -> dt.datetime:
    """An aware instant as the naive UTC form the data stores; naive ones are UTC already."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def local_date(moment: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The calendar day of a naive-UTC instant in ``zone``."""
    return moment.replace(tzinfo=dt.UTC).astimezone(zone).date()


def bucket_of(salt: str, profile_id: str, buckets: int) -> int:
    """First 8 hex digits of md5(salt + ':' + id), unsigned, modulo ``buckets``."""
    digest = hashlib.md5(f"{salt}:{profile_id}".encode()).hexdigest()
    return int(digest[:8], 16) % buckets


def calendar_days(since: dt.datetime, as_of: dt.datetime, zone: ZoneInfo) -> int:
    """Days since: the as-of date minus the local date of ``since`` (both in ``zone``)."""
    return (local_date(as_of, zone) - local_date(since, zone)).days


def day_start(day: dt.date, zone: ZoneInfo) -> dt.datetime:
    """The naive-UTC instant at which local ``day`` starts in ``zone``."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


# -- one value against a test --------------------------------------------------------------


def number_holds(test: NumberTest, x: float | None) -> bool:
    """A per-profile number against a NumberTest; NULL never holds."""
    if x is None:
        return False
    if test.op == "at_least":
        return x >= test.value
    if test.op == "at_most":
        return x <= test.value
    if test.op == "exactly":
        return x == test.value
    if test.op == "more_than":
        return x > test.value
    if test.op == "less_than":
        return x < test.value
    assert test.high is not None
    return test.value <= x <= test.high


_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")


def _coerce(operand: object, like: object, zone: ZoneInfo) -> object:
    """The test's operand in the type of the (non-NULL) field value it is compared with,
    as docs/segments.md converts values."""
    if isinstance(like, bool):
        if isinstance(operand, str):
            word = operand.strip().lower()
            if word not in _TRUE + _FALSE:
                raise EvaluationError(f"{operand!r} is not a boolean")
            return word in _TRUE
        return bool(operand)
    if isinstance(like, dt.datetime):
        if isinstance(operand, dt.datetime):
            return utc_naive(operand)
        if isinstance(operand, dt.date):  # a plain date: the start of that day in the zone
            return day_start(operand, zone)
        text = str(operand)
        try:
            return day_start(dt.date.fromisoformat(text), zone)
        except ValueError:
            return utc_naive(dt.datetime.fromisoformat(text))
    if isinstance(like, dt.date):
        if isinstance(operand, dt.date) and not isinstance(operand, dt.datetime):
            return operand
        return dt.date.fromisoformat(str(operand))
    if isinstance(like, int | float):
        return float(operand)  # type: ignore[arg-type]
    if isinstance(operand, bool):
        raise EvaluationError("true/false is not text")
    if isinstance(operand, float):
        return str(int(operand)) if operand.is_integer() else repr(operand)
    if isinstance(operand, dt.date):
        return operand.isoformat()
    return str(operand)


def value_holds(test: ValueTest, value: object, as_of: dt.datetime, zone: ZoneInfo) -> bool:
    """One field value against a ValueTest (attribute or event property)."""
    op = test.op
    if isinstance(value, list):
        return _list_holds(test, value, zone)
    if op == "is_empty":
        return value is None
    if value is None:
        return False  # NULL holds for is_empty only: not_equals and not_in included
    if op == "is_not_empty":
        return True
    if op in ("within_last_days", "more_than_days_ago"):
        day = local_date(value, zone) if isinstance(value, dt.datetime) else value
        today = local_date(as_of, zone)
        days = int(test.value)  # type: ignore[arg-type]
        if op == "within_last_days":
            return today - dt.timedelta(days=days) <= day <= today  # type: ignore[operator]
        return day < today - dt.timedelta(days=days)  # type: ignore[operator]

    fold = test.ignore_case and isinstance(value, str)

    def norm(x: object) -> object:
        x = _coerce(x, value, zone)
        return x.lower() if fold and isinstance(x, str) else x

    v = value.lower() if fold else value  # type: ignore[union-attr]
    if op in ("in", "not_in"):
        listed = {norm(x) for x in test.values or ()}
        return (v in listed) == (op == "in")
    operand = norm(test.value)
    if op == "equals":
        return v == operand
    if op == "not_equals":
        return v != operand
    if op == "contains":
        return str(operand) in str(v)
    if op == "starts_with":
        return str(v).startswith(str(operand))
    if op == "greater_than":
        return v > operand  # type: ignore[operator]
    if op == "at_least":
        return v >= operand  # type: ignore[operator]
    if op == "less_than":
        return v < operand  # type: ignore[operator]
    if op == "at_most":
        return v <= operand  # type: ignore[operator]
    if op == "between":
        return operand <= v <= norm(test.high)  # type: ignore[operator]
    raise AssertionError(f"unknown operator {op}")


def _list_holds(test: ValueTest, items: list[object], zone: ZoneInfo) -> bool:
    """A list field: empty when it has no elements; ``contains`` looks for an element."""
    if test.op == "is_empty":
        return not items
    if test.op == "is_not_empty":
        return bool(items)
    if test.op != "contains":
        raise EvaluationError(f"'{test.op}' does not apply to a list")
    present = [x for x in items if x is not None]
    if not present:
        return False
    wanted = _coerce(test.value, present[0], zone)
    if test.ignore_case and isinstance(wanted, str):
        return wanted.lower() in {str(x).lower() for x in present}
    return wanted in present


# -- the evaluator ---------------------------------------------------------------------------


class _Evaluator:
    def __init__(
        self,
        profiles: list[Row],
        events: list[Row],
        as_of: dt.datetime,
        lookup: Lookup | None,
    ) -> None:
        self.as_of = utc_naive(as_of)
        self.lookup = lookup
        self.ids = {str(p["profile_id"]) for p in profiles}
        # metric roles are read from every event type in the data, as a catalog lists them
        self.event_types = {str(e["event_type"]) for e in events if e["event_type"] is not None}
        self.profiles = {str(p["profile_id"]): p for p in profiles}
        # Events after as-of are never counted, by anything: drop them once here.
        self.events: dict[str, list[Row]] = {pid: [] for pid in self.ids}
        for e in events:
            pid = e.get("profile_id")
            if pid is None or pid not in self.events:
                continue  # unlinked events belong to no one
            if e["ts"] is None or e["ts"] > self.as_of:  # type: ignore[operator]
                continue
            self.events[str(pid)].append(e)
        for rows in self.events.values():
            rows.sort(key=lambda e: e["ts"])  # type: ignore[arg-type,return-value]
        self._metrics: dict[str, dict[str, dict[str, float | None]]] = {}

    # a whole segment, in its own time zone
    def members(self, segment: Segment, stack: tuple[str, ...]) -> set[str]:
        if segment.name in stack:
            raise EvaluationError(f"segment cycle: {' -> '.join((*stack, segment.name))}")
        scope = _Scope(self, ZoneInfo(segment.timezone), (*stack, segment.name))
        return scope.group(segment.root)

    def metrics(self, zone: ZoneInfo) -> dict[str, dict[str, float | None]]:
        """metric -> profile -> value; "days since" depends on the segment's zone."""
        if zone.key not in self._metrics:
            self._metrics[zone.key] = metric_values(self.events, self.event_types, self.as_of, zone)
        return self._metrics[zone.key]


class _Scope:
    """Evaluates the conditions of one segment (its time zone, its place in a reference chain)."""

    def __init__(self, ev: _Evaluator, zone: ZoneInfo, stack: tuple[str, ...]) -> None:
        self.ev = ev
        self.zone = zone
        self.stack = stack

    def condition(self, cond: object) -> set[str]:
        if isinstance(cond, Group):
            return self.group(cond)
        if isinstance(cond, AttributeCondition):
            return self.attribute(cond)
        if isinstance(cond, EventCondition):
            return self.event(cond)
        if isinstance(cond, RecencyCondition):
            return self.recency(cond)
        if isinstance(cond, SequenceCondition):
            return self.sequence(cond)
        if isinstance(cond, MetricCondition):
            return self.metric(cond)
        if isinstance(cond, SegmentCondition):
            return self.segment(cond)
        if isinstance(cond, BucketCondition):
            return self.bucket(cond)
        raise AssertionError(f"unknown condition {cond!r}")

    def group(self, group: Group) -> set[str]:
        parts = [self.condition(c) for c in group.conditions]
        if group.op == "and":
            result = set(self.ev.ids)
            for part in parts:
                result &= part
        else:
            result = set().union(*parts)
        # NOT is the complement among all profiles: a profile for which an inner test
        # was NULL (so did not hold) is in the negation.
        return self.ev.ids - result if group.negate else result

    def attribute(self, cond: AttributeCondition) -> set[str]:
        return {
            pid
            for pid, row in self.ev.profiles.items()
            if value_holds(cond, row.get(cond.field), self.ev.as_of, self.zone)
        }

    # events ------------------------------------------------------------------------------
    def matching(self, pid: str, flt: EventFilter) -> list[Row]:
        """The profile's events (up to as-of) of the filter's type passing its tests."""
        return [
            e
            for e in self.ev.events[pid]
            if (flt.event_type is None or e["event_type"] == flt.event_type)
            and all(value_holds(t, e.get(t.field), self.ev.as_of, self.zone) for t in flt.where)
        ]

    def in_window(self, event: Row, window: Window, first_ts: dt.datetime | None) -> bool:
        ts: dt.datetime = event["ts"]  # type: ignore[assignment]
        if window.kind == "all_time":
            return True
        if window.kind == "last_days":
            assert window.days is not None
            return self.ev.as_of - dt.timedelta(days=window.days) < ts
        if window.kind == "between":
            assert window.start is not None
            assert window.end is not None
            after_end = window.end + dt.timedelta(days=1)
            return day_start(window.start, self.zone) <= ts < day_start(after_end, self.zone)
        return first_ts is not None and ts >= first_ts  # since_first_event

    def windowed(self, pid: str, flt: EventFilter, window: Window) -> list[Row]:
        everything = self.ev.events[pid]
        first_ts = everything[0]["ts"] if everything else None  # first event of any type
        return [e for e in self.matching(pid, flt) if self.in_window(e, window, first_ts)]  # type: ignore[arg-type]

    def event(self, cond: EventCondition) -> set[str]:
        members = set()
        for pid in self.ev.ids:
            rows = self.windowed(pid, cond, cond.window)
            if cond.measure == "count":
                x: float | None = len(rows)
            else:
                values = [float(v) for e in rows if (v := e.get(cond.value_field)) is not None]  # type: ignore[arg-type]
                if cond.measure == "sum":
                    x = math.fsum(values)  # no events, or none with a value: 0
                else:
                    x = math.fsum(values) / len(values) if values else None
            if number_holds(cond.test, x):
                members.add(pid)
        return members

    def recency(self, cond: RecencyCondition) -> set[str]:
        members = set()
        for pid in self.ev.ids:
            rows = self.matching(pid, cond)
            if not rows:
                continue  # never done: NULL days, holds for nothing
            ts = rows[-1]["ts"] if cond.which == "last" else rows[0]["ts"]
            if number_holds(cond.test, calendar_days(ts, self.ev.as_of, self.zone)):  # type: ignore[arg-type]
                members.add(pid)
        return members

    def sequence(self, cond: SequenceCondition) -> set[str]:
        span = dt.timedelta(hours=cond.within_hours)
        members = set()
        for pid in self.ev.ids:
            firsts = self.windowed(pid, cond.first, cond.window)
            thens = [e["ts"] for e in self.matching(pid, cond.then)]
            for f in firsts:
                start: dt.datetime = f["ts"]  # type: ignore[assignment]
                followed = any(start < t <= start + span for t in thens)  # type: ignore[operator]
                if followed != cond.then_not:
                    members.add(pid)
                    break
        return members

    # everything else -----------------------------------------------------------------------
    def metric(self, cond: MetricCondition) -> set[str]:
        values = self.ev.metrics(self.zone)[cond.metric]
        return {pid for pid in self.ev.ids if number_holds(cond.test, values.get(pid))}

    def segment(self, cond: SegmentCondition) -> set[str]:
        if self.ev.lookup is None:
            raise EvaluationError(f"no lookup for segment '{cond.segment}'")
        return self.ev.members(self.ev.lookup(cond.segment), self.stack)

    def bucket(self, cond: BucketCondition) -> set[str]:
        return {
            pid
            for pid in self.ev.ids
            if cond.low <= bucket_of(cond.salt, pid, cond.buckets) <= cond.high
        }


def conditions_of(group: Group) -> Iterable[object]:
    """Every condition in a tree, groups included, depth first (for tests that count types)."""
    for cond in group.conditions:
        yield cond
        if isinstance(cond, Group):
            yield from conditions_of(cond)


# -- computed metrics ------------------------------------------------------------------------

_PURCHASE = {"purchase", "purchased", "purchases", "order", "orders", "transaction"}
_NOT_PURCHASE = ("cancel", "refund", "return", "abandon")
_SEND = {"send", "sent", "delivered", "delivery"}
_OPEN = {"open", "opened", "opens"}
_CLICK = {"click", "clicked", "clicks"}
_VISIT = {"session", "sessions", "visit", "visits", "pageview"}


def _words(event_type: str) -> set[str]:
    return {w for w in re.split(r"[^a-z0-9]+", event_type.lower()) if w}


def event_roles(event_types: Iterable[str]) -> dict[str, set[str]]:
    """Which event types play which part in the metrics, from their names (the table in
    docs/segments.md): purchase, send, open, click, visit."""
    types = set(event_types)
    roles: dict[str, set[str]] = {}
    roles["purchase"] = {
        t
        for t in types
        if _words(t) & _PURCHASE and not any(w.startswith(_NOT_PURCHASE) for w in _words(t))
    }
    for role, names in (("send", _SEND), ("open", _OPEN), ("click", _CLICK)):
        found = {t for t in types if _words(t) & names}
        mail = {t for t in found if _words(t) & {"email", "mail"}}
        roles[role] = mail or found  # e-mail ones only, when any names e-mail
    roles["visit"] = {
        t
        for t in types
        if _words(t) & _VISIT or {"page", "view"} <= _words(t) or {"screen", "view"} <= _words(t)
    }
    return roles


def quintiles(values: dict[str, object]) -> dict[str, int]:
    """Score 1..5 by rank among ``values`` (ties share the lowest rank, SQL rank()):
    ``min(5, 1 + floor(5 * (rank - 1) / (n - 1)))``, in exact integer arithmetic."""
    n = len(values)
    ordered = sorted(values.values())  # type: ignore[type-var]
    scores = {}
    for pid, v in values.items():
        rank = 1 + bisect.bisect_left(ordered, v)  # type: ignore[arg-type]
        scores[pid] = 1 if n == 1 else min(5, 1 + (5 * (rank - 1)) // (n - 1))
    return scores


def metric_values(
    events: dict[str, list[Row]], event_types: set[str], as_of: dt.datetime, zone: ZoneInfo
) -> dict[str, dict[str, float | None]]:
    """Every metric per profile (None: empty) over each profile's events up to as-of
    (``events`` holds only those, sorted by time); ``event_types``: all types in the data."""
    roles = event_roles(event_types)
    out: dict[str, dict[str, float | None]] = {}

    def of_role(rows: list[Row], role: str) -> list[Row]:
        return [e for e in rows if e["event_type"] in roles[role]]

    last_buy: dict[str, object] = {}
    orders: dict[str, object] = {}
    spend: dict[str, object] = {}
    for name in (
        "lifetime_value", "order_count", "average_order_value", "days_since_last_purchase",
        "days_since_first_purchase", "email_open_rate", "email_click_rate", "visits",
    ):  # fmt: skip
        out[name] = {}
    for pid, rows in events.items():
        buys = of_role(rows, "purchase")
        values = [float(v) for e in buys if (v := e.get("value")) is not None]  # type: ignore[arg-type]
        out["lifetime_value"][pid] = math.fsum(values)
        out["order_count"][pid] = len(buys)
        out["average_order_value"][pid] = math.fsum(values) / len(values) if values else None
        if buys:
            last, first = buys[-1]["ts"], buys[0]["ts"]
            out["days_since_last_purchase"][pid] = calendar_days(last, as_of, zone)  # type: ignore[arg-type]
            out["days_since_first_purchase"][pid] = calendar_days(first, as_of, zone)  # type: ignore[arg-type]
            last_buy[pid], orders[pid], spend[pid] = last, len(buys), math.fsum(values)
        else:
            out["days_since_last_purchase"][pid] = None
            out["days_since_first_purchase"][pid] = None
        sends = len(of_role(rows, "send"))
        opens, clicks = len(of_role(rows, "open")), len(of_role(rows, "click"))
        out["email_open_rate"][pid] = opens / sends if sends else None
        out["email_click_rate"][pid] = clicks / sends if sends else None
        out["visits"][pid] = len({e["ts"].date() for e in of_role(rows, "visit")})  # type: ignore[attr-defined]
    r, f, m = quintiles(last_buy), quintiles(orders), quintiles(spend)
    out["recency_score"] = {pid: r.get(pid, 0) for pid in events}
    out["frequency_score"] = {pid: f.get(pid, 0) for pid in events}
    out["monetary_score"] = {pid: m.get(pid, 0) for pid in events}
    out["rfm_score"] = {
        pid: (r[pid] * 100 + f[pid] * 10 + m[pid]) if pid in r else 0 for pid in events
    }
    return out  # type: ignore[return-value]
