"""Compare segments with each other and with everyone on engagement and revenue.

Per profile, one pass over the events gives orders, revenue, e-mail sends / opens /
clicks and visits, by the event-type conventions of :mod:`workbench.segments.metrics`
(the same roles and the same "visit" = a calendar day with a visit event). Over all time
that is the cached metrics table itself; over the last N days a query of the same shape.
Each segment's figures are then sums over its members' rows (numpy), so adding a segment
costs one membership query, not another pass over the events.

Figures per column (a segment, or everyone):

- profiles: members;
- conversion rate: the share of members with at least one purchase in the window;
- revenue per profile: purchase value in the window over members;
- average order value: purchase value over purchases (empty without purchases);
- visits per profile: visit days over members;
- e-mail open rate / click rate: opens (clicks) over sends, summed over the members
  (empty without sends) — a rate of the segment's mail, not an average of personal rates.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.project.store import Project
from workbench.segments.catalog import load_catalog
from workbench.segments.errors import SegmentError
from workbench.segments.events_table import TABLE as EVENTS_TABLE
from workbench.segments.events_table import EventsTable, find_events_table
from workbench.segments.members import membership, query_cursor
from workbench.segments.metrics import MetricsSource, conventions, ensure_metrics
from workbench.segments.model import Segment
from workbench.tasks import Task, null_task

EVERYONE = "Everyone"
_STATS = ("order_count", "lifetime_value", "email_sends", "email_opens", "email_clicks", "visits")


@dataclass(frozen=True)
class CompareMetric:
    key: str
    label: str
    unit: str
    """profiles, rate (0..1), money or count."""


COMPARE_METRICS = (
    CompareMetric("profiles", "Profiles", "profiles"),
    CompareMetric("conversion_rate", "Conversion rate", "rate"),
    CompareMetric("revenue_per_profile", "Revenue per profile", "money"),
    CompareMetric("average_order_value", "Average order value", "money"),
    CompareMetric("visits_per_profile", "Visits per profile", "count"),
    CompareMetric("email_open_rate", "E-mail open rate", "rate"),
    CompareMetric("email_click_rate", "E-mail click rate", "rate"),
)


@dataclass(frozen=True)
class ComparisonRow:
    metric: CompareMetric
    values: list[float | None]
    """One per column; None where the figure has no denominator."""


@dataclass(frozen=True)
class Comparison:
    """Rows are metrics; columns each segment, then everyone."""

    columns: list[str]
    rows: list[ComparisonRow]
    as_of: dt.datetime
    window_days: int | None
    seconds: float

    def value(self, metric: str, column: int | str) -> float | None:
        """A figure by metric key and column (index or name; names may repeat: first wins)."""
        index = column if isinstance(column, int) else self.columns.index(column)
        for row in self.rows:
            if row.metric.key == metric:
                return row.values[index]
        raise KeyError(metric)


def compare_segments(
    project: Project,
    segments: Sequence[Segment],
    as_of: dt.datetime | None = None,
    task: Task | None = None,
    window_days: int | None = None,
) -> Comparison:
    """Key figures of each segment and of everyone, over all time or the last N days."""
    if not segments:
        raise SegmentError("compare: choose at least one segment")
    if window_days is not None and window_days < 1:
        raise SegmentError(f"compare: the window must be at least 1 day, not {window_days}")
    task = task or null_task()
    started = time.perf_counter()
    found = membership(project, segments, as_of, task.sub(0.0, 0.6))
    task.progress(0.6, "Purchases, visits and e-mail per profile")
    catalog = load_catalog(project)
    key = "p.profile_id"
    if window_days is None:
        source = ensure_metrics(project, catalog, found.as_of, task.sub(0.6, 0.9))
    else:
        types = conventions(catalog.event_types).all_types()
        events = find_events_table(project, catalog)  # adding types costs more than it saves
        if events is not None and all(events.holds(t) for t in types):
            key = "p.rowid"  # read from the compact table, whose rows name profiles by row
        else:
            events = None
        source = windowed_stats(catalog.event_types, found.as_of, window_days, events)
    size = len(found.members[0])
    stats = {name: np.zeros(size, dtype=np.float64) for name in _STATS}
    with query_cursor(project, task) as cur:
        active = " OR ".join(f"m.{c} > 0" for c in _STATS)
        table = cur.execute(
            f"SELECT p.rowid AS r, {', '.join(f'm.{c}' for c in _STATS)} FROM ({source.sql}) m "
            f"JOIN main.profiles p ON {key} = m.profile_id WHERE {active}",
            source.params,
        ).fetchnumpy()
    rows = np.asarray(table["r"], dtype=np.int64)
    for name in _STATS:
        stats[name][rows] = np.nan_to_num(np.asarray(table[name], dtype=np.float64))
    columns = [*found.names, EVERYONE]
    figures = [_figures(stats, m, n) for m, n in zip(found.members, found.sizes, strict=True)]
    figures.append(_figures(stats, None, found.profiles))  # profiles without rows add 0
    task.progress(1.0, "Comparison ready")
    return Comparison(
        columns,
        [ComparisonRow(m, [f[m.key] for f in figures]) for m in COMPARE_METRICS],
        found.as_of,
        window_days,
        time.perf_counter() - started,
    )


def _figures(
    stats: dict[str, np.ndarray], members: np.ndarray | None, count: int
) -> dict[str, float | None]:
    def total(name: str) -> float:
        column = stats[name] if members is None else stats[name][members]
        return float(column.sum())

    orders = stats["order_count"] if members is None else stats["order_count"][members]
    buyers = int(np.count_nonzero(orders))
    revenue, purchases = total("lifetime_value"), total("order_count")
    sends = total("email_sends")
    return {
        "profiles": float(count),
        "conversion_rate": buyers / count if count else None,
        "revenue_per_profile": revenue / count if count else None,
        "average_order_value": revenue / purchases if purchases else None,
        "visits_per_profile": total("visits") / count if count else None,
        "email_open_rate": total("email_opens") / sends if sends else None,
        "email_click_rate": total("email_clicks") / sends if sends else None,
    }


def windowed_stats(
    event_types: Sequence[str] | dict[str, int],
    as_of: dt.datetime,
    days: int,
    events: EventsTable | None = None,
) -> MetricsSource:
    """Per profile with events in ``as_of - days < ts <= as_of``: the comparison's counts,
    with the metrics module's event-type roles and its definition of a visit. Read from the
    compact events table when ``events`` holds every type of those roles; its column
    ``profile_id`` is then the profile's row in main.profiles."""
    conv = conventions(event_types)
    compact = events is not None and all(events.holds(t) for t in conv.all_types())
    codes = events.codes if compact and events is not None else None
    params: list = []

    def among(types: tuple[str, ...]) -> str:
        if not types:
            return "false"
        if codes is None:
            params.extend(types)
            return f"event_type IN ({', '.join('?' for _ in types)})"
        params.extend(codes[t] for t in types)
        return f"t IN ({', '.join('?' for _ in types)})"

    parts = [
        f"count(*) FILTER (WHERE {among(conv.purchase)}) AS order_count",
        f"coalesce(sum(value) FILTER (WHERE {among(conv.purchase)}), 0) AS lifetime_value",
        f"count(*) FILTER (WHERE {among(conv.email_send)}) AS email_sends",
        f"count(*) FILTER (WHERE {among(conv.email_open)}) AS email_opens",
        f"count(*) FILTER (WHERE {among(conv.email_click)}) AS email_clicks",
        f"count(DISTINCT CAST(ts AS DATE)) FILTER (WHERE {among(conv.visit)}) AS visits",
    ]
    params.extend([as_of - dt.timedelta(days=days), as_of])  # parameters in written order
    if codes is None:
        where = f"profile_id IS NOT NULL AND ts > ? AND ts <= ? AND {among(conv.all_types())}"
        sql = f"SELECT profile_id, {', '.join(parts)} FROM main.events WHERE {where} GROUP BY 1"
    else:
        where = f"ts > ? AND ts <= ? AND {among(conv.all_types())}"
        sql = (
            f"SELECT pr AS profile_id, {', '.join(parts)} FROM {EVENTS_TABLE} "
            f"WHERE {where} GROUP BY 1"
        )
    return MetricsSource(sql, params)
