"""Seeded random profiles, events and segment definitions with the nasty parts in them.

Data: NULL attributes and empty lists, profiles with no events, events exactly on window
boundaries (``as_of - N days`` and one microsecond either side, local midnights of the
days between windows use, DST change days in Berlin, New York, Santiago (at midnight) and
Lord Howe (half an hour)), events after as-of, unlinked events and events without a type,
duplicate timestamps, text with quotes, unicode, LIKE wildcards and case differences,
numbers as text, negative and zero numbers, dates and timestamps. Sparse "probe" event
types sit only on boundaries, so a condition on them flips when a boundary is misread.

Segments: valid by construction, nested groups with negation, every condition type, values
drawn from the data (and given in the other forms the docs accept: numeric text, 'yes',
ISO text, aware date-times) so that conditions are neither always empty nor always full.

``write_project`` puts a data set into a project as ``main.profiles`` / ``main.events``.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import get_args
from zoneinfo import ZoneInfo

import pyarrow as pa

from workbench.project import Project
from workbench.segments.catalog import clear_cache
from workbench.segments.model import (
    AttributeCondition,
    BucketCondition,
    EventCondition,
    EventFilter,
    Group,
    Metric,
    MetricCondition,
    NumberTest,
    RecencyCondition,
    Segment,
    SegmentCondition,
    SequenceCondition,
    ValueTest,
    Window,
)

ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",  # half-hour DST
    "America/Santiago",  # DST changes at local midnight
)
WINDOW_DAYS = (1, 2, 7, 30, 90)
HOURS = (0.1, 0.5, 1, 1.5, 2, 24, 48, 72)

# Instants "now" is read as: DST change days, midnights, the end of a day.
AS_OF_BASES = (
    dt.datetime(2024, 3, 31, 10, 30),  # Berlin springs forward at 01:00 UTC
    dt.datetime(2024, 4, 2, 0, 0),  # UTC midnight, two days after
    dt.datetime(2024, 10, 27, 0, 30),  # Berlin falls back at 01:00 UTC
    dt.datetime(2024, 11, 3, 5, 59, 59),  # New York falls back at 06:00 UTC
    dt.datetime(2024, 11, 5, 23, 0),  # next day in Berlin, same day in New York
    dt.datetime(2024, 3, 10, 7, 0),  # New York springs forward exactly now
    dt.datetime(2024, 4, 7, 12, 0),  # Lord Howe falls back (half an hour)
    dt.datetime(2024, 6, 15, 22, 0),  # local midnight in Berlin (summer time)
)
DST_DAYS = (
    dt.date(2024, 3, 10),
    dt.date(2024, 3, 31),
    dt.date(2024, 4, 7),
    dt.date(2024, 10, 6),
    dt.date(2024, 10, 27),
    dt.date(2024, 11, 3),
    dt.date(2024, 9, 8),
    dt.date(2024, 4, 6),
)

PROFILE_FIELDS = {
    "profile_id": "VARCHAR",
    "records": "BIGINT",
    "sources": "BIGINT",
    "source_names": "VARCHAR[]",
    "email": "VARCHAR",
    "city": "VARCHAR",
    "postcode": "VARCHAR",
    "loyalty_tier": "VARCHAR",
    "score": "DOUBLE",
    "age": "BIGINT",
    "opt_in": "BOOLEAN",
    "signup_date": "DATE",
    "created_at": "TIMESTAMP",
}
EVENT_FIELDS = {
    "profile_id": "VARCHAR",
    "source": "VARCHAR",
    "event_type": "VARCHAR",
    "ts": "TIMESTAMP",
    "value": "DOUBLE",
    "channel": "VARCHAR",
    "category": "VARCHAR",
    "url": "VARCHAR",
    "session_seconds": "BIGINT",
}
EVENT_TYPES = (
    "page_view",
    "product_view",
    "cart_add",
    "purchase",
    "email_send",
    "email_open",
    "email_click",
    "app_session",
)
PROBE = "survey_answer"
"""A sparse event type placed only at boundary instants (window edges, local midnights of
the data set's window days), so a condition on it flips when a boundary is misread."""
PROBE_FIRST, PROBE_THEN = "trial_start", "trial_convert"
"""A sparse pair for sequences: each B event sits at an edge of a within-hours span."""
WINDOW_STARTS = (0, 1, 2, 5, 30)
"""Days before the as-of date a between window may start (besides DST days)."""
WINDOW_LENGTHS = (0, 1, 6)
"""Extra days a between window may span."""
RARE_EVENT_TYPES = ("order_refund", "sms_sent", "Web Session", "Purchase")
"""Types whose names test the metric roles: not a purchase, a send that is not e-mail,
a visit, and a purchase in other case."""

CITIES = (
    "Berlin",
    "berlin",
    "BERLIN",
    "München",
    "MÜNCHEN",
    "O'Fallon",
    'Say "hi"',
    "New York",
    "new york",
    "Zürich",
    "東京",
    "50% off",
    "a_b",
    "aXb",
    "back\\slash",
    "emoji 🎉",
    "Straße",
)
TIERS = ("gold", "Gold", "GOLD", "silver", "bronze", "platinum ")
DOMAINS = ("example.com", "Example.COM", "gmail.com", "mail.de")
SCORES = (-12.5, -1.0, -0.25, 0.0, 0.5, 1.0, 2.25, 10.0, 99.75, 1000.0)
CATEGORIES = ("shoes", "Shoes", "SHOES", "bags", "hats", "shoes & socks", "d'or", "ünï", "50%")
CHANNELS = ("web", "Web", "app", "email", "store")
URLS = ("/", "/demo", "/thank-you", "/shoes?id=1", "/ÜBER", "/a_b", "/50%")

TEXT_FIELDS = ("email", "city", "loyalty_tier")
NUMBER_FIELDS = ("score", "age", "records")
EVENT_TEXT = ("category", "channel", "url", "source")
EVENT_NUMBER = ("value", "session_seconds")


@dataclass
class Dataset:
    """Rows as ``main.profiles`` / ``main.events`` hold them, and the instant they are read at."""

    profiles: list[dict[str, object]]
    events: list[dict[str, object]]
    as_of: dt.datetime
    seed: int = 0
    pools: dict[str, list[object]] = field(default_factory=dict)
    zones: tuple[str, ...] = ZONES
    """The zones segments on this data use (its probes sit on their local midnights)."""
    window_starts: tuple[dt.date, ...] = ()
    """First days of between windows (probes sit on their and their ends' midnights)."""

    def describe(self) -> str:
        return (
            f"seed {self.seed}: {len(self.profiles)} profiles, {len(self.events)} events, "
            f"as_of {self.as_of.isoformat()}"
        )


# -- data -------------------------------------------------------------------------------------


def _maybe(rng: random.Random, value: object, null_share: float = 0.2) -> object:
    return None if rng.random() < null_share else value


def _local_midnight(day: dt.date, zone: str) -> dt.datetime:
    """00:00 of ``day`` in ``zone`` as naive UTC."""
    local = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(zone))
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def window_edges(as_of: dt.datetime) -> list[dt.datetime]:
    """as-of itself and ``as_of - N days`` for the last-days windows, each +-1 microsecond."""
    us = dt.timedelta(microseconds=1)
    out = [as_of, as_of - us, as_of + us]
    for n in WINDOW_DAYS:
        edge = as_of - dt.timedelta(days=n)
        out += [edge, edge + us, edge - us]
    return out


def day_edges(days: set[dt.date], zones: tuple[str, ...]) -> list[dt.datetime]:
    """Local midnights of ``days`` in ``zones`` (as naive UTC), and the microsecond before."""
    us = dt.timedelta(microseconds=1)
    out = []
    for zone in zones:
        for day in sorted(days):
            midnight = _local_midnight(day, zone)
            out += [midnight, midnight - us]
    return out


def boundary_instants(
    as_of: dt.datetime, zones: tuple[str, ...], starts: tuple[dt.date, ...]
) -> list[dt.datetime]:
    """Instants where off-by-one errors live, for this as-of: window edges and the local
    midnights that start and end the between windows segments on this data use."""
    days = {as_of.date() - dt.timedelta(days=k) for k in range(-1, 8)}
    days |= {d + dt.timedelta(days=k + 1) for d in starts for k in (-1, *WINDOW_LENGTHS)}
    return window_edges(as_of) + day_edges(days, zones)


def _random_ts(
    rng: random.Random, as_of: dt.datetime, boundaries: list[dt.datetime]
) -> dt.datetime:
    roll = rng.random()
    if roll < 0.35 and boundaries:
        return rng.choice(boundaries)
    if roll < 0.4:  # after as-of: never counted
        return as_of + dt.timedelta(seconds=rng.randint(1, 5 * 86400))
    seconds = rng.randint(0, (3 if roll < 0.7 else 110) * 86400)
    ts = as_of - dt.timedelta(seconds=seconds)
    if rng.random() < 0.3:
        ts += dt.timedelta(microseconds=rng.randint(0, 999_999))
    return ts


def _value_for(rng: random.Random, event_type: str) -> float | None:
    """Multiples of 0.25: sums and averages are exact in binary floating point."""
    if event_type == "purchase":
        return _maybe(rng, rng.choice([0.0, -20.0, rng.randint(1, 2000) / 4]), 0.1)  # type: ignore[return-value]
    if rng.random() < 0.15:
        return rng.randint(-40, 400) / 4
    return None


def _event(
    rng: random.Random, pid: str | None, event_type: str, ts: dt.datetime
) -> dict[str, object]:
    return {
        "profile_id": pid,
        "source": rng.choice(["web", "shop", "esp", "app"]),
        "event_type": event_type,
        "ts": ts,
        "value": _value_for(rng, event_type),
        "channel": _maybe(rng, rng.choice(CHANNELS)),
        "category": _maybe(rng, rng.choice(CATEGORIES), 0.3),
        "url": _maybe(rng, rng.choice(URLS), 0.3),
        "session_seconds": _maybe(rng, rng.choice([0, -3, 5, 60, 61, 3600, rng.randint(1, 999)])),
    }


def _profile_id(rng: random.Random, i: int) -> str:
    if i == 1:
        return "P'QUOTE\"ID"
    if i == 2:
        return "Pé-ünïcode"
    return "P" + "".join(rng.choice("0123456789ABCDEF") for _ in range(12))


def generate_data(seed: int, profiles: int | None = None) -> Dataset:
    """A seeded data set of 20..60 profiles (or ``profiles``) and their events."""
    rng = random.Random(seed)
    base = rng.choice(AS_OF_BASES)
    as_of = base if rng.random() < 0.6 else base + dt.timedelta(seconds=rng.randint(-86400, 86400))
    n = profiles if profiles is not None else rng.randint(20, 60)
    zones = ("UTC", *rng.sample(ZONES[1:], 2))
    starts = tuple(
        sorted(
            {as_of.date() - dt.timedelta(days=k) for k in rng.sample(WINDOW_STARTS, 3)}
            | {d for d in DST_DAYS if abs((d - as_of.date()).days) < 100}
        )
    )
    boundaries = boundary_instants(as_of, zones, starts)
    edges = window_edges(as_of)
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for i in range(n):
        pid = _profile_id(rng, i)
        while pid in seen:
            pid = _profile_id(rng, i + 1000)
        seen.add(pid)
        days_ago = rng.choice([0, 1, 7, 30, 31, 90, 91, -1, rng.randint(-10, 500)])
        created = _maybe(rng, rng.choice(boundaries))
        rows.append(
            {
                "profile_id": pid,
                "records": rng.randint(1, 4),
                "sources": rng.randint(1, 3),
                "source_names": rng.choice([["crm"], ["crm", "web"], ["web", "CRM"], [], None]),
                "email": _maybe(rng, f"user{i}@{rng.choice(DOMAINS)}"),
                "city": _maybe(rng, rng.choice(CITIES), 0.25),
                "postcode": _maybe(rng, rng.choice(["12", "012", "12.0", "2.5", "7", "0", "-3"])),
                "loyalty_tier": _maybe(rng, rng.choice(TIERS), 0.3),
                "score": _maybe(rng, rng.choice(SCORES)),
                "age": _maybe(rng, rng.randint(0, 90)),
                "opt_in": _maybe(rng, rng.random() < 0.5),
                "signup_date": _maybe(rng, as_of.date() - dt.timedelta(days=days_ago)),
                "created_at": created,
            }
        )
    events: list[dict[str, object]] = []
    ids = [str(r["profile_id"]) for r in rows]
    silent = set(rng.sample(ids, max(1, n // 5)))  # profiles with no events at all
    active = [pid for pid in ids if pid not in silent]
    for pid in active:
        for _ in range(rng.randint(0, 25)):
            kinds = EVENT_TYPES if rng.random() < 0.95 else RARE_EVENT_TYPES
            events.append(_event(rng, pid, rng.choice(kinds), _random_ts(rng, as_of, boundaries)))
        # probes: a few events of a sparse type, each on a boundary
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            ts = rng.choice(edges) if rng.random() < 0.4 else rng.choice(boundaries)
            events.append(_event(rng, pid, PROBE, ts))
        for _ in range(rng.choice([0, 1, 1, 2])):
            start = rng.choice(boundaries) if rng.random() < 0.5 else _random_ts(rng, as_of, [])
            span = dt.timedelta(hours=rng.choice(HOURS))
            us = dt.timedelta(microseconds=1)
            gap = rng.choice([dt.timedelta(0), span, span + us, span - us, span / 2])
            events.append(_event(rng, pid, PROBE_FIRST, start))
            if rng.random() < 0.85:
                events.append(_event(rng, pid, PROBE_THEN, start + gap))
        # pairs for sequences: an event, then another at an edge of a within-hours span
        for _ in range(rng.randint(0, 5)):
            first_type, then_type = rng.choice(
                [
                    ("cart_add", "purchase"),
                    ("product_view", "cart_add"),
                    ("page_view", "page_view"),
                    ("email_send", "email_open"),
                    ("email_open", "email_click"),
                ]
            )
            start = _random_ts(rng, as_of, boundaries)
            hours = rng.choice(HOURS)
            gap = rng.choice(
                [
                    dt.timedelta(0),
                    dt.timedelta(hours=hours),
                    dt.timedelta(hours=hours, microseconds=1),
                    dt.timedelta(hours=hours) - dt.timedelta(microseconds=1),
                    dt.timedelta(minutes=10),
                ]
            )
            first = _event(rng, pid, first_type, start)
            then = _event(rng, pid, then_type, start + gap)
            if first_type == "page_view":
                first["url"], then["url"] = "/demo", rng.choice(["/thank-you", "/demo", None])
            events += [first, then]
    # duplicates: the same event twice, and another type at the very same instant
    for e in rng.sample(events, min(len(events), 8)):
        events.append(dict(e))
        events.append({**e, "event_type": rng.choice(EVENT_TYPES)})
    # events without a type (an empty type column): only "any event type" counts them
    for pid in rng.sample(active, min(len(active), 2)):
        events.append(_event(rng, pid, None, _random_ts(rng, as_of, boundaries)))  # type: ignore[arg-type]
    # unlinked events, of every kind, inside every window
    for _ in range(rng.randint(3, 15)):
        events.append(
            _event(rng, None, rng.choice(EVENT_TYPES), _random_ts(rng, as_of, boundaries))
        )
    rng.shuffle(events)
    pools: dict[str, list[object]] = {}
    for name in PROFILE_FIELDS:
        pools[name] = [r[name] for r in rows if r[name] is not None]
    for name in EVENT_FIELDS:
        pools["event." + name] = [e[name] for e in events if e[name] is not None]
    return Dataset(
        profiles=rows,
        events=events,
        as_of=as_of,
        seed=seed,
        pools=pools,
        zones=zones,
        window_starts=starts,
    )


# -- into a project ------------------------------------------------------------------------------


_ARROW = {
    "VARCHAR": pa.string(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "DATE": pa.date32(),
    "TIMESTAMP": pa.timestamp("us"),
    "VARCHAR[]": pa.list_(pa.string()),
}


def write_project(project: Project, data: Dataset) -> str:
    """Make ``main.profiles`` / ``main.events`` tables holding ``data`` the current identity
    run of ``project``; returns the run id. The engine's fixture makes the tables and the
    run; the rows go in through Arrow (row-by-row inserts take seconds per data set)."""
    from tests.segments.conftest import fill_project

    run_id = fill_project(project, [], [], PROFILE_FIELDS, EVENT_FIELDS)
    with project.transaction() as cur:
        for table, columns, rows in (
            ("profiles", PROFILE_FIELDS, data.profiles),
            ("events", EVENT_FIELDS, data.events),
        ):
            schema = pa.schema([(name, _ARROW[kind]) for name, kind in columns.items()])
            cur.register("__segref_rows", pa.Table.from_pylist(rows, schema=schema))
            cur.execute(f"INSERT INTO main.{table} SELECT * FROM __segref_rows")
            cur.unregister("__segref_rows")
    clear_cache()
    return run_id


# -- segments ------------------------------------------------------------------------------------


class SegmentGenerator:
    """Random, valid segment definitions over a data set.

    ``saved`` holds segments a SegmentCondition may name (they must not name the new one);
    ``metrics`` turns metric conditions on (off until both sides implement them).
    """

    def __init__(
        self,
        rng: random.Random,
        data: Dataset,
        saved: list[str] | None = None,
        metrics: bool = True,
    ) -> None:
        self.rng = rng
        self.data = data
        self.saved = list(saved or [])
        self.metrics = metrics
        self.as_of_day = data.as_of.date()

    def segment(self, name: str, depth: int = 3) -> Segment:
        """A random tree; some pin an ``as_of`` of their own, which an explicit as-of (and
        the as-of of a segment referring to this one) overrides."""
        pinned = None
        if self.rng.random() < 0.2:
            pinned = self.data.as_of - dt.timedelta(days=self.rng.choice([3, 40]))
            if self.rng.random() < 0.5:
                pinned = pinned.replace(tzinfo=dt.UTC).astimezone(ZoneInfo("Asia/Kolkata"))
        return Segment(name=name, root=self.group(depth), timezone=self.zone(), as_of=pinned)

    def zone(self) -> str:
        """A zone of the data set's (its probes sit on their midnights)."""
        return self.rng.choice(self.data.zones)

    def group(self, depth: int) -> Group:
        rng = self.rng
        size = rng.choice([0, 1, 1, 2, 2, 3]) if depth > 0 else rng.choice([1, 2])
        return Group(
            op=rng.choice(["and", "or"]),
            negate=rng.random() < 0.3,
            conditions=[self.condition(depth - 1) for _ in range(size)],
        )

    def condition(self, depth: int) -> object:
        kinds = ["attribute"] * 4 + ["event"] * 4 + ["recency"] * 2 + ["sequence"] * 2
        kinds += ["bucket"]
        if self.metrics:
            kinds += ["metric"] * 2
        if self.saved:
            kinds += ["segment_ref"]
        if depth > 0:
            kinds += ["group"] * 2
        kind = self.rng.choice(kinds)
        return getattr(self, kind)(depth) if kind == "group" else getattr(self, kind)()

    # one value test -------------------------------------------------------------------------
    def _pick(self, pool_name: str, fallback: object) -> object:
        pool = self.data.pools.get(pool_name) or [fallback]
        return self.rng.choice(pool)

    def _text(self, pool_name: str, fallback: str) -> str:
        value = str(self._pick(pool_name, fallback))
        roll = self.rng.random()
        if roll < 0.2:
            return value.upper()
        if roll < 0.35:
            return value.lower()
        if roll < 0.5 and len(value) > 2:  # a piece, for contains / starts with
            start = self.rng.randint(0, len(value) - 2)
            return value[start : start + self.rng.randint(1, 3)]
        return value

    def value_test(self, name: str, kind: str, pool_name: str) -> ValueTest:
        """A test on one field; a third of them give their values in another form the
        docs accept (numeric text, 'yes', ISO text, aware date-times, numbers for text)."""
        test = self._value_test(name, kind, pool_name)
        if self.rng.random() < 0.35 and test.op not in ("within_last_days", "more_than_days_ago"):
            update: dict[str, object] = {}
            for key in ("value", "high"):
                if getattr(test, key) is not None:
                    update[key] = self._disguise(getattr(test, key), kind)
            if test.values is not None:
                update["values"] = [self._disguise(v, kind) for v in test.values]
            test = ValueTest(**{**test.model_dump(), **update})
        return test

    def _disguise(self, value: object, kind: str) -> object:
        rng = self.rng
        if kind == "number" and isinstance(value, int | float):
            return str(value)
        if kind == "boolean" and isinstance(value, bool):
            return rng.choice(["true", "yes", "1"] if value else ["false", "no", "0"])
        if kind == "date" and isinstance(value, dt.date):
            return value.isoformat()
        if kind == "timestamp" and isinstance(value, dt.datetime):
            aware = value.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(rng.choice(ZONES)))
            return rng.choice([value.isoformat(), aware, aware.isoformat()])
        if kind == "timestamp" and isinstance(value, dt.date):
            return value.isoformat()
        return value

    def _value_test(self, name: str, kind: str, pool_name: str) -> ValueTest:
        rng = self.rng
        if name == "postcode" and rng.random() < 0.7:  # numbers given for a text field
            op = rng.choice(["equals", "not_equals", "in", "not_in"])
            pick = lambda: rng.choice([12, 12.0, 2.5, 7, 0, -3])  # noqa: E731
            if op in ("in", "not_in"):
                return ValueTest(field=name, op=op, values=[pick(), pick()])  # type: ignore[arg-type]
            return ValueTest(field=name, op=op, value=pick())  # type: ignore[arg-type]
        if rng.random() < 0.1:
            return ValueTest(field=name, op=rng.choice(["is_empty", "is_not_empty"]))
        if kind == "text":
            op = rng.choice(["equals", "not_equals", "in", "not_in", "contains", "starts_with"])
            ignore = rng.random() < 0.5
            if op in ("in", "not_in"):
                values = [self._text(pool_name, "x") for _ in range(rng.randint(1, 3))]
                return ValueTest(field=name, op=op, values=values, ignore_case=ignore)  # type: ignore[arg-type]
            return ValueTest(
                field=name, op=op, value=self._text(pool_name, "x"), ignore_case=ignore
            )  # type: ignore[arg-type]
        if kind == "number":
            op = rng.choice(
                [
                    "equals",
                    "not_equals",
                    "in",
                    "not_in",
                    "between",
                    "greater_than",
                    "at_least",
                    "less_than",
                    "at_most",
                ]
            )
            pick = lambda: self._number(pool_name)  # noqa: E731
            if op in ("in", "not_in"):
                return ValueTest(
                    field=name, op=op, values=[pick() for _ in range(rng.randint(1, 3))]
                )  # type: ignore[arg-type]
            if op == "between":
                low, high = sorted([pick(), pick()])
                return ValueTest(field=name, op=op, value=low, high=high)
            return ValueTest(field=name, op=op, value=pick())  # type: ignore[arg-type]
        if kind == "boolean":
            return ValueTest(
                field=name, op=rng.choice(["equals", "not_equals"]), value=rng.random() < 0.5
            )
        # date / timestamp
        op = rng.choice(
            [
                "equals",
                "between",
                "greater_than",
                "at_least",
                "less_than",
                "at_most",
                "within_last_days",
                "more_than_days_ago",
                "within_last_days",
                "more_than_days_ago",
            ]
        )
        if op in ("within_last_days", "more_than_days_ago"):
            return ValueTest(field=name, op=op, value=rng.choice([0, 1, 7, 30, 90, 365]))  # type: ignore[arg-type]
        pick_day = lambda: self._moment(pool_name, kind)  # noqa: E731
        if op == "between":
            a, b = pick_day(), pick_day()
            if type(a) is not type(b):  # a date and a timestamp: both as timestamps
                a, b = (
                    x if isinstance(x, dt.datetime) else dt.datetime.combine(x, dt.time())
                    for x in (a, b)
                )
            low, high = sorted([a, b])  # type: ignore[type-var]
            return ValueTest(field=name, op=op, value=low, high=high)
        return ValueTest(field=name, op=op, value=pick_day())  # type: ignore[arg-type]

    def _number(self, pool_name: str) -> float | int:
        rng = self.rng
        if rng.random() < 0.6:
            value = self._pick(pool_name, 0)
            return value if isinstance(value, int | float) else 0  # type: ignore[return-value]
        return rng.choice([0, -1, 1, 2.5, 10, 50, rng.randint(-100, 1000) / 4])

    def _moment(self, pool_name: str, kind: str) -> dt.date | dt.datetime:
        value = self._pick(pool_name, self.data.as_of)
        if kind == "date":
            return value.date() if isinstance(value, dt.datetime) else value  # type: ignore[return-value]
        if self.rng.random() < 0.3:  # a date against a timestamp: midnight of that day
            return (value if isinstance(value, dt.datetime) else self.data.as_of).date()
        return value  # type: ignore[return-value]

    # conditions ---------------------------------------------------------------------------------
    def attribute(self) -> AttributeCondition:
        rng = self.rng
        if rng.random() < 0.06:
            op = rng.choice(["contains", "contains", "is_empty", "is_not_empty"])
            value = rng.choice(["crm", "web", "CRM", "cr"]) if op == "contains" else None
            fold = rng.random() < 0.3
            return AttributeCondition(field="source_names", op=op, value=value, ignore_case=fold)
        name, kind = rng.choice(
            [
                ("city", "text"),
                ("loyalty_tier", "text"),
                ("email", "text"),
                ("postcode", "text"),
                ("score", "number"),
                ("age", "number"),
                ("records", "number"),
                ("opt_in", "boolean"),
                ("signup_date", "date"),
                ("created_at", "timestamp"),
            ]
        )
        test = self.value_test(name, kind, name)
        return AttributeCondition(**test.model_dump())

    def event_filter(self, event_type: str | None = None) -> EventFilter:
        rng = self.rng
        if event_type is None and rng.random() < 0.85:
            event_type = PROBE if rng.random() < 0.35 else rng.choice(EVENT_TYPES)
        where = []
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
            name = rng.choice((*EVENT_TEXT, *EVENT_TEXT, *EVENT_NUMBER, *EVENT_NUMBER, "ts"))
            kind = "number" if name in EVENT_NUMBER else "timestamp" if name == "ts" else "text"
            where.append(self.value_test(name, kind, "event." + name))
        return EventFilter(event_type=event_type, where=where)

    def window(self) -> Window:
        rng = self.rng
        kind = rng.choice(
            ["all_time", "last_days", "last_days", "between", "between", "since_first_event"]
        )
        if kind == "last_days":
            return Window(kind=kind, days=rng.choice(WINDOW_DAYS))
        if kind == "between":
            roll = rng.random()
            if roll < 0.1:  # wholly after as-of: nothing counts
                start = self.as_of_day + dt.timedelta(days=rng.randint(1, 5))
                end = start + dt.timedelta(days=rng.randint(0, 3))
            elif roll < 0.2:  # long ones, reaching past as-of
                start = self.as_of_day - dt.timedelta(days=100)
                end = start + dt.timedelta(days=rng.choice([30, 200]))
            else:
                start = rng.choice(self.data.window_starts or (self.as_of_day,))
                end = start + dt.timedelta(days=rng.choice(WINDOW_LENGTHS))
            return Window(kind=kind, start=start, end=end)
        return Window(kind=kind)  # type: ignore[arg-type]

    def number_test(self, low: float, high: float, step: float = 1) -> NumberTest:
        rng = self.rng
        op = rng.choice(["at_least", "at_most", "exactly", "between", "more_than", "less_than"])
        pick = lambda: round(rng.uniform(low, high) / step) * step  # noqa: E731
        if op == "between":
            a, b = sorted([pick(), pick()])
            return NumberTest(op=op, value=a, high=b)
        return NumberTest(op=op, value=pick())  # type: ignore[arg-type]

    def event(self) -> EventCondition:
        rng = self.rng
        flt = self.event_filter()
        measure = rng.choice(["count", "count", "count", "sum", "average"])
        if measure == "count":
            test = self.number_test(0, 4)
            value_field = "value"
        else:
            value_field = rng.choice(["value", "value", "session_seconds"])
            test = self.number_test(-20, 300, 0.25)
        return EventCondition(
            event_type=flt.event_type,
            where=flt.where,
            measure=measure,
            test=test,  # type: ignore[arg-type]
            window=self.window(),
            value_field=value_field,
        )

    def probe(self) -> EventCondition | SequenceCondition:
        """A condition on the sparse boundary events: it flips when a window edge, a local
        midnight or the end of a within-hours span is misread."""
        rng = self.rng
        if rng.random() < 0.3:
            return SequenceCondition(
                first=EventFilter(event_type=PROBE_FIRST),
                then=EventFilter(event_type=PROBE_THEN),
                then_not=rng.random() < 0.5,
                within_hours=rng.choice(HOURS),
                window=self.window() if rng.random() < 0.3 else Window(),
            )
        kind = rng.choice(["last_days", "between", "between"])
        window = self.window()
        while window.kind != kind:
            window = self.window()
        op, value = rng.choice([("at_least", 1), ("exactly", 0), ("at_most", 1), ("exactly", 2)])
        return EventCondition(
            event_type=PROBE,
            test=NumberTest(op=op, value=value),
            window=window,  # type: ignore[arg-type]
        )

    def recency(self) -> RecencyCondition:
        rng = self.rng
        flt = self.event_filter()
        test = self.number_test(0, 100)
        typed = [e for e in self.data.events if e["event_type"] == flt.event_type]
        if typed and rng.random() < 0.6:  # days near those of an event: boundaries matter
            ts: dt.datetime = rng.choice(typed)["ts"]  # type: ignore[assignment]
            days = (self.as_of_day - ts.date()).days + rng.choice([-1, 0, 0, 1])
            test = NumberTest(op=rng.choice(["exactly", "at_least", "at_most"]), value=days)
        return RecencyCondition(
            event_type=flt.event_type,
            where=flt.where,
            which=rng.choice(["last", "first"]),
            test=test,
        )

    def sequence(self) -> SequenceCondition:
        rng = self.rng
        pairs = [
            ("cart_add", "purchase"),
            ("product_view", "cart_add"),
            ("page_view", "page_view"),
            ("email_send", "email_open"),
            ("email_open", "email_click"),
        ]
        first_type, then_type = (
            (PROBE_FIRST, PROBE_THEN) if rng.random() < 0.4 else rng.choice(pairs)
        )
        first = self.event_filter(first_type)
        then = self.event_filter(then_type)
        if first_type == "page_view" and rng.random() < 0.7:
            first = EventFilter(
                event_type="page_view", where=[ValueTest(field="url", value="/demo")]
            )
            then = EventFilter(
                event_type="page_view", where=[ValueTest(field="url", value="/thank-you")]
            )
        return SequenceCondition(
            first=first,
            then=then,
            then_not=rng.random() < 0.6,
            within_hours=rng.choice(HOURS),
            window=self.window(),
        )

    def metric(self, metric: str | None = None) -> MetricCondition:
        rng = self.rng
        metric = metric or rng.choice(get_args(Metric))
        ranges: dict[str, tuple[float, float, float]] = {
            "lifetime_value": (-20, 1500, 0.25),
            "order_count": (0, 5, 1),
            "average_order_value": (-20, 500, 0.25),
            "days_since_last_purchase": (0, 100, 1),
            "days_since_first_purchase": (0, 100, 1),
            "recency_score": (0, 5, 1),
            "frequency_score": (0, 5, 1),
            "monetary_score": (0, 5, 1),
            "rfm_score": (0, 555, 1),
            "email_open_rate": (0, 2, 0.25),
            "email_click_rate": (0, 2, 0.25),
            "visits": (0, 10, 1),
        }
        return MetricCondition(metric=metric, test=self.number_test(*ranges[metric]))  # type: ignore[arg-type]

    def segment_ref(self) -> SegmentCondition:
        return SegmentCondition(segment=self.rng.choice(self.saved))

    def bucket(self) -> BucketCondition:
        rng = self.rng
        buckets = rng.choice([2, 3, 10, 100, 1000])
        low = rng.randint(0, buckets - 1)
        high = rng.randint(low, buckets - 1)
        salt = rng.choice(["", "exp-1", "it's", "ünï", "a:b"])
        return BucketCondition(salt=salt, buckets=buckets, low=low, high=high)
