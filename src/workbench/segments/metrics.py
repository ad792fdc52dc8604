"""Per-profile metrics (lifetime value, RFM scores, e-mail rates, visits) and where they live.

Which event types are purchases, e-mail sends, opens and clicks, and visits is detected
from their names (see :func:`conventions`); every metric counts events up to the as-of
instant, over all time. The table of every profile's metrics is computed in one pass over
the events and kept in ``segments.metrics`` per (identity run, as-of), so the segments,
counts and comparisons that use metrics at the same as-of share it; only the latest few
are kept. The pass reads the compact events table (:mod:`workbench.segments.events_table`)
when it holds every type the metrics count. A read-only project computes them inline from
``main.events`` instead.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb

from workbench.project.store import Project, utcnow
from workbench.segments.catalog import Catalog
from workbench.segments.events_table import TABLE as EVENTS_TABLE
from workbench.segments.events_table import EventsTable, find_events_table
from workbench.tasks import Cancelled, Task

TABLE = "segments.metrics"
KEYS = "segments.metrics_keys"
KEEP = 4
"""How many (run, as-of) metric sets stay cached."""
VERSION = 2
"""Bump when a metric's definition changes: cached sets of another version are recomputed."""


@dataclass(frozen=True)
class MetricInfo:
    label: str
    description: str
    unit: str


METRICS: dict[str, MetricInfo] = {
    "lifetime_value": MetricInfo(
        "Lifetime value", "Sum of the value of every purchase up to as-of (0 without).", "money"
    ),
    "order_count": MetricInfo("Orders", "Number of purchases up to as-of.", "count"),
    "average_order_value": MetricInfo(
        "Average order value",
        "Average value of the profile's purchases (empty without purchases).",
        "money",
    ),
    "days_since_last_purchase": MetricInfo(
        "Days since last purchase",
        "Calendar days from the last purchase to as-of (empty without purchases).",
        "days",
    ),
    "days_since_first_purchase": MetricInfo(
        "Days since first purchase",
        "Calendar days from the first purchase to as-of (empty without purchases).",
        "days",
    ),
    "recency_score": MetricInfo(
        "Recency score",
        "Quintile 1..5 of the last purchase among buyers (5: most recent).",
        "score",
    ),
    "frequency_score": MetricInfo(
        "Frequency score", "Quintile 1..5 of the order count among buyers (5: most).", "score"
    ),
    "monetary_score": MetricInfo(
        "Monetary score", "Quintile 1..5 of lifetime value among buyers (5: most).", "score"
    ),
    "rfm_score": MetricInfo(
        "RFM score", "R*100 + F*10 + M, e.g. 555 for the best buyers; 0 without purchases.", "score"
    ),
    "email_open_rate": MetricInfo(
        "E-mail open rate", "E-mail opens per e-mail sent (empty when nothing was sent).", "rate"
    ),
    "email_click_rate": MetricInfo(
        "E-mail click rate", "E-mail clicks per e-mail sent (empty when nothing was sent).", "rate"
    ),
    "visits": MetricInfo(
        "Visits", "Calendar days (UTC) with at least one visit event (page view, session).", "count"
    ),
}

DAY_METRICS = {
    "days_since_last_purchase": "last_purchase_at",
    "days_since_first_purchase": "first_purchase_at",
}
"""Day metrics are compiled from these timestamps, in the segment's time zone."""

_COLUMNS = [
    ("profile_id", "VARCHAR"),
    ("lifetime_value", "DOUBLE"),
    ("order_count", "BIGINT"),
    ("average_order_value", "DOUBLE"),
    ("first_purchase_at", "TIMESTAMP"),
    ("last_purchase_at", "TIMESTAMP"),
    ("days_since_last_purchase", "BIGINT"),
    ("days_since_first_purchase", "BIGINT"),
    ("recency_score", "INTEGER"),
    ("frequency_score", "INTEGER"),
    ("monetary_score", "INTEGER"),
    ("rfm_score", "INTEGER"),
    ("email_sends", "BIGINT"),
    ("email_opens", "BIGINT"),
    ("email_clicks", "BIGINT"),
    ("email_open_rate", "DOUBLE"),
    ("email_click_rate", "DOUBLE"),
    ("visits", "BIGINT"),
]
COLUMNS = tuple(name for name, _ in _COLUMNS)
_KEY_COLUMNS = ["run_id", "as_of", "computed_at", "version"]

# -- event-type conventions ----------------------------------------------------------------

_WORDS = {
    "purchase": {"purchase", "purchased", "purchases", "order", "orders", "transaction"},
    "email_send": {"send", "sent", "delivered", "delivery"},
    "email_open": {"open", "opened", "opens"},
    "email_click": {"click", "clicked", "clicks"},
    "visit": {"session", "sessions", "visit", "visits", "pageview", "pageviews"},
}
_NOT_A_PURCHASE = {"cancel", "cancelled", "canceled", "refund", "refunded", "return", "abandon"}


@dataclass(frozen=True)
class Conventions:
    """Which event types of the data play which part in the metrics."""

    purchase: tuple[str, ...]
    email_send: tuple[str, ...]
    email_open: tuple[str, ...]
    email_click: tuple[str, ...]
    visit: tuple[str, ...]

    def all_types(self) -> tuple[str, ...]:
        return tuple(
            sorted(
                {
                    *self.purchase,
                    *self.email_send,
                    *self.email_open,
                    *self.email_click,
                    *self.visit,
                }
            )
        )


def _tokens(name: str) -> set[str]:
    return {t for t in re.split(r"[^a-z0-9]+", name.lower()) if t}


def conventions(event_types: Iterable[str]) -> Conventions:
    """Roles by name: purchase/order/transaction (not cancel/refund/return); e-mail sends
    (send, sent, delivered); opens; clicks (e-mail ones when any type names e-mail); visits
    (page views, sessions, app sessions, visits, screen views)."""
    types = sorted(set(event_types))
    found: dict[str, list[str]] = {k: [] for k in _WORDS}
    for t in types:
        words = _tokens(t)
        if words & _WORDS["purchase"] and not words & _NOT_A_PURCHASE:
            found["purchase"].append(t)
        for role in ("email_send", "email_open", "email_click"):
            if words & _WORDS[role]:
                found[role].append(t)
        if words & _WORDS["visit"] or {"page", "view"} <= words or {"screen", "view"} <= words:
            found["visit"].append(t)
    for role in ("email_send", "email_open", "email_click"):
        mail = [t for t in found[role] if _tokens(t) & {"email", "mail", "e"}]
        if mail:
            found[role] = mail
    return Conventions(**{k: tuple(v) for k, v in found.items()})


# -- the metrics query ---------------------------------------------------------------------


@dataclass(frozen=True)
class MetricsSource:
    """A relation with one row per profile and the metric columns, as SQL + parameters."""

    sql: str
    params: list


def _in_list(column: str, values: tuple, params: list) -> str:
    if not values:
        return "false"
    params.extend(values)
    return f"{column} IN ({', '.join('?' for _ in values)})"


@dataclass(frozen=True)
class _Relation:
    """The events the metrics read: main.events by type name and profile id, or the compact
    table by type code and profile row (``codes`` given)."""

    catalog: Catalog
    codes: dict[str, int] | None = None

    @property
    def table(self) -> str:
        return "main.events" if self.codes is None else EVENTS_TABLE

    @property
    def key(self) -> str:
        return "profile_id" if self.codes is None else "pr"

    @property
    def profile(self) -> str:
        """The column of ``main.profiles pr`` that ``key`` matches."""
        return "pr.profile_id" if self.codes is None else "pr.rowid"

    def is_type(self, types: tuple[str, ...], params: list) -> str:
        if self.codes is None:
            return _in_list("event_type", types, params)
        return _in_list("t", tuple(self.codes[t] for t in types), params)

    def where(self, types: tuple[str, ...], as_of: dt.datetime, params: list) -> str:
        """WHERE of the linked events of ``types`` up to as-of (sources narrowed when
        known)."""
        parts = ["ts <= ?"] if self.codes is not None else ["profile_id IS NOT NULL", "ts <= ?"]
        params.append(as_of)
        sources = sorted({s for t in types for s in self.catalog.type_sources.get(t, ())})
        if self.codes is None and sources and all(t in self.catalog.type_sources for t in types):
            parts.append(_in_list("source", tuple(sources), params))
        parts.append(self.is_type(types, params))
        return " AND ".join(parts)


def metrics_query(
    catalog: Catalog, as_of: dt.datetime, events: EventsTable | None = None
) -> MetricsSource:
    """SELECT of every profile's metrics at ``as_of`` (columns: COLUMNS).

    One aggregate pass over the purchase and e-mail events, and one over the visit
    events for the distinct days (a DISTINCT inside the big aggregate is much slower).
    Reads the compact events table when ``events`` holds every type the metrics use
    (about 3x faster than main.events at a million profiles)."""
    conv = conventions(catalog.event_types)
    params: list = []
    compact = events is not None and all(events.holds(t) for t in conv.all_types())
    rel = _Relation(catalog, events.codes if compact and events is not None else None)
    if not catalog.event_fields:  # no events view (yet): nobody has events
        a_sql = (
            "SELECT NULL::VARCHAR AS profile_id, 0 AS order_count, 0.0 AS lifetime_value, "
            "NULL::DOUBLE AS average_order_value, NULL::TIMESTAMP AS first_purchase_at, "
            "NULL::TIMESTAMP AS last_purchase_at, 0 AS email_sends, 0 AS email_opens, "
            "0 AS email_clicks WHERE false"
        )
        v_sql = "SELECT NULL::VARCHAR AS profile_id, 0 AS visits WHERE false"
    else:
        flags = ", ".join(
            f"{rel.is_type(getattr(conv, role), params)} AS is_{role}"
            for role in ("purchase", "email_send", "email_open", "email_click")
        )
        main_types = tuple(
            sorted({*conv.purchase, *conv.email_send, *conv.email_open, *conv.email_click})
        )
        where = rel.where(main_types, as_of, params)
        p = "is_purchase"
        key = rel.key
        a_sql = f"""SELECT {key} AS profile_id,
            count(*) FILTER (WHERE {p}) AS order_count,
            coalesce(sum(value) FILTER (WHERE {p}), 0) AS lifetime_value,
            avg(value) FILTER (WHERE {p}) AS average_order_value,
            min(ts) FILTER (WHERE {p}) AS first_purchase_at,
            max(ts) FILTER (WHERE {p}) AS last_purchase_at,
            count(*) FILTER (WHERE is_email_send) AS email_sends,
            count(*) FILTER (WHERE is_email_open) AS email_opens,
            count(*) FILTER (WHERE is_email_click) AS email_clicks
          FROM (SELECT {key}, ts, value, {flags} FROM {rel.table} WHERE {where})
          GROUP BY {key}"""
        visit_where = rel.where(conv.visit, as_of, params)
        v_sql = f"""SELECT {key} AS profile_id, count(*) AS visits FROM (
            SELECT DISTINCT {key}, CAST(ts AS DATE) FROM {rel.table} WHERE {visit_where})
          GROUP BY {key}"""
    params.extend([as_of, as_of])
    sql = f"""
    WITH a AS ({a_sql}),
    v AS ({v_sql}),
    b AS (SELECT profile_id,
            percent_rank() OVER (ORDER BY last_purchase_at) AS r,
            percent_rank() OVER (ORDER BY order_count) AS f,
            percent_rank() OVER (ORDER BY lifetime_value) AS m
          FROM a WHERE order_count > 0),
    q AS (SELECT profile_id, least(5, 1 + floor(5 * r)) AS rs, least(5, 1 + floor(5 * f)) AS fs,
                 least(5, 1 + floor(5 * m)) AS ms FROM b)
    SELECT pr.profile_id,
        coalesce(a.lifetime_value, 0)::DOUBLE AS lifetime_value,
        coalesce(a.order_count, 0)::BIGINT AS order_count,
        a.average_order_value::DOUBLE AS average_order_value,
        a.first_purchase_at, a.last_purchase_at,
        date_diff('day', CAST(a.last_purchase_at AS DATE), CAST(?::TIMESTAMP AS DATE))::BIGINT
            AS days_since_last_purchase,
        date_diff('day', CAST(a.first_purchase_at AS DATE), CAST(?::TIMESTAMP AS DATE))::BIGINT
            AS days_since_first_purchase,
        coalesce(q.rs, 0)::INTEGER AS recency_score,
        coalesce(q.fs, 0)::INTEGER AS frequency_score,
        coalesce(q.ms, 0)::INTEGER AS monetary_score,
        coalesce(q.rs * 100 + q.fs * 10 + q.ms, 0)::INTEGER AS rfm_score,
        coalesce(a.email_sends, 0)::BIGINT AS email_sends,
        coalesce(a.email_opens, 0)::BIGINT AS email_opens,
        coalesce(a.email_clicks, 0)::BIGINT AS email_clicks,
        CASE WHEN a.email_sends > 0 THEN a.email_opens / a.email_sends END::DOUBLE
            AS email_open_rate,
        CASE WHEN a.email_sends > 0 THEN a.email_clicks / a.email_sends END::DOUBLE
            AS email_click_rate,
        coalesce(v.visits, 0)::BIGINT AS visits
    FROM main.profiles pr LEFT JOIN a ON a.profile_id = {rel.profile}
    LEFT JOIN q ON q.profile_id = {rel.profile}
    LEFT JOIN v ON v.profile_id = {rel.profile}"""
    return MetricsSource(sql, params)


# -- the cached table ----------------------------------------------------------------------

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(project: Project) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(str(project.path), threading.Lock())


def ensure_metrics(
    project: Project, catalog: Catalog, as_of: dt.datetime, task: Task | None = None
) -> MetricsSource:
    """The metrics of the current run at ``as_of``: computed into ``segments.metrics`` on
    first use (one transaction; older sets beyond KEEP are dropped), then reused. Read
    from the compact events table when it holds every type they count (about 3x faster;
    they do not add types to it: that would cost more than it saves the first time). A
    read-only project gets the inline query."""
    if project.read_only:
        return metrics_query(catalog, as_of)
    source = MetricsSource(
        f"SELECT * EXCLUDE (run_id, as_of) FROM {TABLE} WHERE run_id = ? AND as_of = ?",
        [catalog.run_id, as_of],
    )
    with _lock_for(project):
        if _is_cached(project, catalog.run_id, as_of):
            return source
        query = metrics_query(catalog, as_of, find_events_table(project, catalog))
        try:
            _store(project, catalog, as_of, query, task)
        except duckdb.InterruptException:
            if task is not None and task.cancelled():
                raise Cancelled() from None
            raise
    return source


def _store(
    project: Project, catalog: Catalog, as_of: dt.datetime, query: MetricsSource, task: Task | None
) -> None:
    """Compute the metrics at ``as_of`` into the table; drop the sets beyond KEEP."""
    with project.transaction(task) as cur:
        _ensure_tables(cur)
        for table in (TABLE, KEYS):  # a set of an older version
            cur.execute(
                f"DELETE FROM {table} WHERE run_id = ? AND as_of = ?", [catalog.run_id, as_of]
            )
        cur.execute(
            f"INSERT INTO {TABLE} SELECT ?, ?, * FROM ({query.sql})",
            [catalog.run_id, as_of, *query.params],
        )
        cur.execute(
            f"INSERT INTO {KEYS} VALUES (?, ?, ?, ?)",
            [catalog.run_id, as_of, utcnow(), VERSION],
        )
        old = cur.execute(
            f"SELECT run_id, as_of FROM {KEYS} ORDER BY computed_at DESC OFFSET ?", [KEEP]
        ).fetchall()
        for run_id, when in old:
            cur.execute(f"DELETE FROM {TABLE} WHERE run_id = ? AND as_of = ?", [run_id, when])
            cur.execute(f"DELETE FROM {KEYS} WHERE run_id = ? AND as_of = ?", [run_id, when])


def _is_cached(project: Project, run_id: str, as_of: dt.datetime) -> bool:
    cur = project.cursor()
    try:
        try:
            row = cur.execute(
                f"SELECT count(*) FROM {KEYS} WHERE run_id = ? AND as_of = ? AND version = ?",
                [run_id, as_of, VERSION],
            ).fetchone()
        except duckdb.BinderException:  # keys of an older layout: recreated on write
            return False
        except duckdb.CatalogException:
            return False
        return bool(row and row[0])
    finally:
        cur.close()


def _table_columns(cur: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_catalog = "
        "current_database() AND table_schema = 'segments' AND table_name = ? "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def _ensure_tables(cur: duckdb.DuckDBPyConnection) -> None:
    """Create the tables; recreate them when the metric columns changed (a newer version)."""
    cur.execute("CREATE SCHEMA IF NOT EXISTS segments")
    have, keys = _table_columns(cur, "metrics"), _table_columns(cur, "metrics_keys")
    if (have and have != ["run_id", "as_of", *COLUMNS]) or (keys and keys != _KEY_COLUMNS):
        cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cur.execute(f"DROP TABLE IF EXISTS {KEYS}")
    columns = ", ".join(f"{n} {t}" for n, t in _COLUMNS)
    cur.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (run_id VARCHAR NOT NULL, as_of TIMESTAMP NOT NULL, "
        f"{columns})"
    )
    cur.execute(
        f"CREATE TABLE IF NOT EXISTS {KEYS} (run_id VARCHAR NOT NULL, as_of TIMESTAMP NOT NULL, "
        "computed_at TIMESTAMP NOT NULL, version INTEGER NOT NULL)"
    )
