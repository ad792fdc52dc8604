"""A segment definition compiled to one DuckDB SELECT of member profile ids.

The query reads ``main.profiles p`` and tests each condition on ``p``:

- attributes are column predicates on ``p``;
- behaviour (counts, sums, averages, recency, sequences) is one aggregate subquery per
  condition over the events, with the event type, the property tests and the time window
  as plain column predicates. Over ``main.events`` (a view) the sources holding the type
  are named too, so DuckDB pushes the filters into the scan of each raw event table
  behind it; over the compact ``segments.events`` (see
  :mod:`workbench.segments.events_table`), used for a type it holds when only the time
  and value are tested, the subquery selects profile rows, tested against ``p.rowid``.
  A test that holds for 0 events ("at most 2", "never") is compiled as NOT IN the
  profiles for which it fails, so profiles without any events take part;
- metrics are read from the per-profile metrics relation (``workbench.segments.metrics``);
- another segment's condition tree is inlined; a bucket is an md5 of the profile id.

Every predicate is two-valued (never NULL), so NOT groups mean "does not hold". Fields and
event types are checked against the catalog before an identifier is quoted into the SQL;
values are ``?`` parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from workbench.ingest.sqltext import ident
from workbench.segments import timebounds
from workbench.segments.catalog import Catalog
from workbench.segments.errors import SegmentError
from workbench.segments.events_table import FIELDS as TABLE_FIELDS
from workbench.segments.events_table import EventsTable
from workbench.segments.metrics import DAY_METRICS, MetricsSource, metrics_query
from workbench.segments.model import (
    AttributeCondition,
    BucketCondition,
    Condition,
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
)
from workbench.segments.values import Predicate, kind_of, value_predicate

EVENTS = "main.events"
PROFILES = "main.profiles"
_NUMBER_SQL = {
    "at_least": ">=",
    "at_most": "<=",
    "exactly": "=",
    "more_than": ">",
    "less_than": "<",
}

Lookup = Callable[[str], Segment]
MetricsProvider = MetricsSource | Callable[[], MetricsSource]


@dataclass(frozen=True)
class CompiledSegment:
    """``sql`` selects one column, ``profile_id``, each member once; ``params`` fill its
    ``?`` in order. Usable as a subquery: ``... WHERE profile_id IN (<sql>)``.

    ``where`` is the predicate over ``main.profiles p`` that ``sql`` filters by (the same
    parameters): reading other columns or ``p.rowid`` of the members from that frame saves
    joining every member id back to the profiles. None when only ``sql`` is known."""

    sql: str
    params: list
    as_of: dt.datetime | None = None
    uses_metrics: bool = False
    where: str | None = None
    event_types: tuple[str, ...] = ()
    """Event types of the conditions that ``segments.events`` can answer (whether or not
    it was used): adding them to it lets a second compile read it."""


@dataclass(frozen=True)
class _Events:
    """Where a behaviour condition reads events: the relation, its profile key column, and
    the expression on ``p`` that key matches."""

    table: str
    key: str
    profile: str
    code: int | None = None
    """The event type's code in the compact table (None over main.events)."""


_VIEW = _Events(EVENTS, "profile_id", "p.profile_id")


def compile_segment(
    segment: Segment,
    catalog: Catalog,
    as_of: dt.datetime,
    lookup: Lookup | None = None,
    *,
    metrics: MetricsProvider | None = None,
    events: EventsTable | None = None,
) -> CompiledSegment:
    """Compile ``segment`` at ``as_of`` (naive UTC, or aware).

    ``lookup`` finds the saved segments that segment conditions refer to; ``metrics`` is
    where metric conditions read per-profile metrics (default: computed inline);
    ``events`` the compact events table and the types it holds (default: none, every
    condition reads ``main.events``)."""
    as_of = timebounds.to_utc_naive(as_of)
    compiler = _Compiler(catalog, as_of, lookup, metrics, events)
    predicate = compiler.segment(segment, "root", ())
    sql = f"SELECT p.profile_id FROM {PROFILES} p WHERE {predicate.sql}"
    return CompiledSegment(
        sql,
        predicate.params,
        as_of,
        compiler.used_metrics,
        where=predicate.sql,
        event_types=tuple(sorted(compiler.wanted)),
    )


def _join(parts: list[Predicate], op: str, empty: str) -> Predicate:
    if not parts:
        return Predicate(empty)
    if len(parts) == 1:
        return parts[0]
    params: list = []
    for part in parts:
        params.extend(part.params)
    return Predicate("(" + f" {op} ".join(p.sql for p in parts) + ")", params)


def _number_sql(expr: str, test: NumberTest) -> Predicate:
    if test.op == "between":
        return Predicate(f"{expr} BETWEEN ? AND ?", [test.value, test.high])
    return Predicate(f"{expr} {_NUMBER_SQL[test.op]} ?", [test.value])


def _bounds_sql(column: str, bounds: list[timebounds.Bound]) -> Predicate:
    return _join([Predicate(f"{column} {op} ?", [t]) for op, t in bounds], "AND", "true")


class _Compiler:
    def __init__(
        self,
        catalog: Catalog,
        as_of: dt.datetime,
        lookup: Lookup | None,
        metrics: MetricsProvider | None,
        events: EventsTable | None = None,
    ) -> None:
        self.catalog = catalog
        self.as_of = as_of
        self.lookup = lookup
        self._metrics = metrics
        self._metrics_source: MetricsSource | None = None
        self.used_metrics = False
        self.tz = "UTC"
        self.events = events
        self.wanted: set[str] = set()

    # -- structure ---------------------------------------------------------------------
    def segment(self, segment: Segment, where: str, stack: tuple[str, ...]) -> Predicate:
        outer_tz = self.tz
        self.tz = segment.timezone
        try:
            return self.group(segment.root, where, (*stack, segment.name))
        finally:
            self.tz = outer_tz

    def group(self, group: Group, where: str, stack: tuple[str, ...]) -> Predicate:
        parts = [
            self.condition(c, f"{where}.conditions[{i}]", stack)
            for i, c in enumerate(group.conditions)
        ]
        joined = _join(
            parts, "AND" if group.op == "and" else "OR", "true" if group.op == "and" else "false"
        )
        if group.negate:
            return Predicate(f"(NOT {joined.sql})", joined.params)
        return joined

    def condition(self, c: Condition, where: str, stack: tuple[str, ...]) -> Predicate:
        if isinstance(c, Group):
            return self.group(c, where, stack)
        if isinstance(c, AttributeCondition):
            return self.attribute(c, where)
        if isinstance(c, EventCondition):
            return self.event(c, where)
        if isinstance(c, RecencyCondition):
            return self.recency(c, where)
        if isinstance(c, SequenceCondition):
            return self.sequence(c, where)
        if isinstance(c, MetricCondition):
            return self.metric(c, where)
        if isinstance(c, SegmentCondition):
            return self.segment_ref(c, where, stack)
        if isinstance(c, BucketCondition):
            return self.bucket(c)
        raise SegmentError(f"{where}: unknown condition {type(c).__name__}")  # pragma: no cover

    # -- profiles ----------------------------------------------------------------------
    def attribute(self, c: AttributeCondition, where: str) -> Predicate:
        fields = self.catalog.profile_fields
        if c.field not in fields:
            raise SegmentError(
                f"{where}: profiles have no attribute '{c.field}' "
                f"(known: {', '.join(sorted(fields))})"
            )
        p = value_predicate(c, f"p.{ident(c.field)}", fields[c.field], self.as_of, self.tz, where)
        return Predicate(f"coalesce({p.sql}, false)", p.params)

    def bucket(self, c: BucketCondition) -> Predicate:
        return Predicate(
            "(CAST(('0x' || substr(md5(? || ':' || p.profile_id), 1, 8)) AS UBIGINT) % ?) "
            "BETWEEN ? AND ?",
            [c.salt, c.buckets, c.low, c.high],
        )

    def segment_ref(self, c: SegmentCondition, where: str, stack: tuple[str, ...]) -> Predicate:
        if c.segment in stack:
            loop = " -> ".join([*stack[stack.index(c.segment) :], c.segment])
            raise SegmentError(f"{where}: segment '{c.segment}' refers back to itself ({loop})")
        if self.lookup is None:
            raise SegmentError(f"{where}: segment '{c.segment}' cannot be looked up here")
        try:
            other = self.lookup(c.segment)
        except KeyError:
            raise SegmentError(f"{where}: there is no saved segment '{c.segment}'") from None
        try:
            return self.segment(other, "root", stack)
        except SegmentError as exc:
            raise SegmentError(f"{where} (segment '{c.segment}'): {exc}") from None

    def metric(self, c: MetricCondition, where: str) -> Predicate:
        source = self.metrics_source()
        if c.metric in DAY_METRICS:
            bounds = timebounds.days_since_bounds(c.test, self.as_of, self.tz)
            if bounds is None:
                return Predicate("false")
            column = f"m.{DAY_METRICS[c.metric]}"
            test = _join(
                [Predicate(f"{column} IS NOT NULL"), _bounds_sql(column, bounds)], "AND", "true"
            )
        else:
            test = _number_sql(f"m.{ident(c.metric)}", c.test)
        return Predicate(
            f"p.profile_id IN (SELECT m.profile_id FROM ({source.sql}) m WHERE {test.sql})",
            [*source.params, *test.params],
        )

    def metrics_source(self) -> MetricsSource:
        if self._metrics_source is None:
            provider = self._metrics
            if provider is None:
                self._metrics_source = metrics_query(self.catalog, self.as_of)
            elif isinstance(provider, MetricsSource):
                self._metrics_source = provider
            else:
                self._metrics_source = provider()
        self.used_metrics = True
        return self._metrics_source

    # -- events ------------------------------------------------------------------------
    def events_for(self, f: EventFilter, value_field: str | None = None) -> _Events:
        """The compact table when it holds the type and only its fields are tested (noting
        the type as wanted either way), else main.events."""
        tested = {t.field for t in f.where} | ({value_field} if value_field else set())
        if f.event_type is None or f.event_type not in self.catalog.event_types:
            return _VIEW
        if not tested <= set(TABLE_FIELDS):
            return _VIEW
        self.wanted.add(f.event_type)
        if self.events is None or not self.events.holds(f.event_type):
            return _VIEW
        return _Events(self.events.table, "pr", "p.rowid", self.events.codes[f.event_type])

    def event_filter(
        self, f: EventFilter, bounds: list[timebounds.Bound], where: str, ev: _Events = _VIEW
    ) -> Predicate:
        """WHERE of the events a filter and window hold (type, sources, ts, tests)."""
        if not self.catalog.event_fields:
            raise SegmentError(
                f"{where}: this project has no events to test (none imported, or an event "
                "source changed since the last identity run: resolve identities again)"
            )
        parts = [] if ev.code is not None else [Predicate("profile_id IS NOT NULL")]
        if f.event_type is not None:
            if f.event_type not in self.catalog.event_types:
                known = ", ".join(sorted(self.catalog.event_types)) or "none yet"
                raise SegmentError(
                    f"{where}: there are no '{f.event_type}' events (known event types: {known})"
                )
            sources = self.catalog.type_sources.get(f.event_type)
            if ev.code is not None:
                parts.append(Predicate("t = ?", [ev.code]))
            else:
                if sources:
                    parts.append(
                        Predicate(f"source IN ({', '.join('?' for _ in sources)})", list(sources))
                    )
                parts.append(Predicate("event_type = ?", [f.event_type]))
        parts.append(_bounds_sql("ts", bounds))
        fields = self.catalog.fields_of(f.event_type)
        for i, test in enumerate(f.where):
            parts.append(self.property_test(test, f.event_type, fields, f"{where}.where[{i}]"))
        return _join(parts, "AND", "true")

    def property_test(
        self, test: ValueTest, event_type: str | None, fields: dict[str, str], where: str
    ) -> Predicate:
        if test.field not in fields:
            what = f"{event_type} events have" if event_type else "events have"
            raise SegmentError(
                f"{where}: {what} no property '{test.field}' (known: {', '.join(sorted(fields))})"
            )
        return value_predicate(
            test, ident(test.field), fields[test.field], self.as_of, self.tz, where
        )

    def event(self, c: EventCondition, where: str) -> Predicate:
        bounds = timebounds.window_bounds(c.window, self.as_of, self.tz)
        ev = self.events_for(c, None if c.measure == "count" else c.value_field)
        filt = self.event_filter(c, bounds, where, ev)
        if c.measure == "count":
            agg = "count(*)"
        else:
            fields = self.catalog.fields_of(c.event_type)
            if c.value_field not in fields:
                what = f"{c.event_type} events have" if c.event_type else "events have"
                raise SegmentError(
                    f"{where}.value_field: {what} no field '{c.value_field}' "
                    f"(known: {', '.join(sorted(fields))})"
                )
            if kind_of(fields[c.value_field]) != "number":
                raise SegmentError(
                    f"{where}.value_field: {c.value_field} is not a number; "
                    f"a {c.measure} needs a number field such as value"
                )
            column = ident(c.value_field)
            agg = f"coalesce(sum({column}), 0)" if c.measure == "sum" else f"avg({column})"
        test = _number_sql(agg, c.test)
        select = f"SELECT {ev.key} FROM {ev.table} WHERE {filt.sql}"
        if c.measure != "average" and timebounds.number_holds(c.test, 0):
            # holds without events: members are everyone except those for whom it fails
            return Predicate(
                f"{ev.profile} NOT IN ({select} GROUP BY {ev.key} HAVING NOT ({test.sql}))",
                [*filt.params, *test.params],
            )
        if c.measure == "count" and _is_at_least_once(c.test):
            return Predicate(f"{ev.profile} IN ({select})", filt.params)
        return Predicate(
            f"{ev.profile} IN ({select} GROUP BY {ev.key} HAVING {test.sql})",
            [*filt.params, *test.params],
        )

    def recency(self, c: RecencyCondition, where: str) -> Predicate:
        bounds = timebounds.days_since_bounds(c.test, self.as_of, self.tz)
        base = [("<=", self.as_of)]
        ev = self.events_for(c)
        filt = self.event_filter(c, base, where, ev)
        if bounds is None:
            return Predicate("false")
        # The bound one event can satisfy (the last event is at or after t when some event
        # is; the first is before t when some event is) filters rows, so it is pushed into
        # the scans; the other bound is tested on the aggregate of the rows left, which
        # decides it the same way (e.g. the last event is before u when none left is).
        simple = ">=" if c.which == "last" else "<"
        rows = _join(
            [filt, _bounds_sql("ts", [b for b in bounds if b[0] == simple])], "AND", "true"
        )
        select = f"SELECT {ev.key} FROM {ev.table} WHERE {rows.sql}"
        rest = [b for b in bounds if b[0] != simple]
        if not rest:
            return Predicate(f"{ev.profile} IN ({select})", rows.params)
        agg = "max(ts)" if c.which == "last" else "min(ts)"
        having = _bounds_sql(agg, rest)
        return Predicate(
            f"{ev.profile} IN ({select} GROUP BY {ev.key} HAVING {having.sql})",
            [*rows.params, *having.params],
        )

    def sequence(self, c: SequenceCondition, where: str) -> Predicate:
        """Some ``first`` event in the window whose next ``then`` event (strictly later, up
        to as-of) is missing or later than ``within_hours`` (then_not), or within it."""
        bounds = timebounds.window_bounds(c.window, self.as_of, self.tz)
        ev_a, ev_b = self.events_for(c.first), self.events_for(c.then)
        if ev_a.code is None or ev_b.code is None:  # both sides join on the same key
            ev_a = ev_b = _VIEW
        first = self.event_filter(c.first, bounds, f"{where}.first", ev_a)
        then_bounds: list[timebounds.Bound] = [("<=", self.as_of)]
        low = timebounds.lower_bound(bounds)
        if low is not None:
            then_bounds.insert(0, (">", low[1]))  # then follows first, so it is later too
        then = self.event_filter(c.then, then_bounds, f"{where}.then", ev_b)
        span = round(c.within_hours * 3_600_000_000)
        test = (
            "(b.ts IS NULL OR b.ts > a.ts + to_microseconds(CAST(? AS BIGINT)))"
            if c.then_not
            else "b.ts <= a.ts + to_microseconds(CAST(? AS BIGINT))"
        )
        key = ev_a.key
        sql = (
            f"{ev_a.profile} IN (SELECT a.k FROM "
            f"(SELECT {key} AS k, ts FROM {ev_a.table} WHERE {first.sql}) a "
            f"ASOF LEFT JOIN (SELECT {key} AS k, ts FROM {ev_b.table} WHERE {then.sql}) b "
            f"ON a.k = b.k AND b.ts > a.ts WHERE {test})"
        )
        return Predicate(sql, [*first.params, *then.params, span])


def _is_at_least_once(test: NumberTest) -> bool:
    """A count test that holds exactly for counts >= 1."""
    if test.op == "at_least":
        return 0 < test.value <= 1
    if test.op == "more_than":
        return 0 <= test.value < 1
    return False
