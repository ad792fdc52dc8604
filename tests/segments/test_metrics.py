"""Per-profile metrics: event-type conventions, values on tiny data, the cached table."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.segments.conftest import AS_OF
from workbench.project import Project
from workbench.segments.catalog import load_catalog
from workbench.segments.compare import windowed_stats
from workbench.segments.events_table import ensure_event_types
from workbench.segments.metrics import (
    COLUMNS,
    KEEP,
    METRICS,
    MetricsSource,
    conventions,
    ensure_metrics,
    metrics_query,
)
from workbench.segments.model import Metric
from workbench.tasks import Cancelled, Task


def test_every_metric_of_the_model_is_described_and_stored() -> None:
    assert set(METRICS) == set(Metric.__args__)  # type: ignore[attr-defined]
    assert set(METRICS) <= set(COLUMNS)


def test_conventions_by_name() -> None:
    conv = conventions(
        [
            "purchase",
            "order_completed",
            "order_refunded",
            "email_send",
            "email_open",
            "email_click",
            "push_open",
            "web_click",
            "page_view",
            "app_session",
            "cart_add",
        ]
    )
    assert conv.purchase == ("order_completed", "purchase")
    assert conv.email_send == ("email_send",)
    assert conv.email_open == ("email_open",)  # e-mail ones win over push opens
    assert conv.email_click == ("email_click",)
    assert conv.visit == ("app_session", "page_view")
    bare = conventions(["send", "open", "click", "visit", "transaction"])
    assert (bare.email_send, bare.email_open, bare.email_click) == (
        ("send",),
        ("open",),
        ("click",),
    )
    assert bare.visit == ("visit",)
    assert bare.purchase == ("transaction",)


def _metrics(project: Project, as_of: dt.datetime = AS_OF) -> dict[str, dict[str, object]]:
    query = metrics_query(load_catalog(project), as_of)
    cur = project.cursor()
    try:
        result = cur.execute(query.sql, query.params)
        names = [d[0] for d in result.description]
        rows = result.fetchall()
    finally:
        cur.close()
    assert names == list(COLUMNS)
    return {r[0]: dict(zip(names, r, strict=True)) for r in rows}


def test_metric_values(tiny_project: Project) -> None:
    m = _metrics(tiny_project)
    assert set(m) == {"P1", "P2", "P3", "P4", "P5", "P6"}  # every profile, events or not
    p1, p2, p3, p4, p5 = m["P1"], m["P2"], m["P3"], m["P4"], m["P5"]
    assert (p1["lifetime_value"], p1["order_count"]) == (100.0, 3)
    assert p1["average_order_value"] == pytest.approx(100 / 3)
    assert (p1["first_purchase_at"], p1["last_purchase_at"]) == (
        dt.datetime(2024, 6, 10, 9),
        dt.datetime(2024, 6, 30, 10),
    )
    assert (p1["days_since_first_purchase"], p1["days_since_last_purchase"]) == (20, 0)
    assert (p3["lifetime_value"], p3["order_count"]) == (100.0, 1)  # the July order is later
    assert (p5["lifetime_value"], p5["order_count"], p5["average_order_value"]) == (0.0, 1, None)
    for nobody in (p2, p4):
        assert (nobody["lifetime_value"], nobody["order_count"]) == (0.0, 0)
        assert nobody["average_order_value"] is None
        assert nobody["days_since_last_purchase"] is None
        assert nobody["rfm_score"] == 0
    # buyers P3 (Jan), P1 (Jun 30 10:00), P5 (Jun 30 12:00): percent ranks 0, .5, 1
    assert [m[p]["recency_score"] for p in ("P3", "P1", "P5")] == [1, 3, 5]
    # orders 1, 1, 3: the tie shares the lower score
    assert [m[p]["frequency_score"] for p in ("P3", "P5", "P1")] == [1, 1, 5]
    # value 0 (P5), 100, 100
    assert [m[p]["monetary_score"] for p in ("P5", "P1", "P3")] == [1, 3, 3]
    assert p1["rfm_score"] == 353
    assert (p2["email_sends"], p2["email_opens"], p2["email_open_rate"]) == (2, 1, 0.5)
    assert p2["email_click_rate"] == 0.0
    assert p5["email_open_rate"] == 0.0
    assert m["P6"]["email_open_rate"] is None  # nothing sent (its open is after as-of)
    assert (p1["visits"], p2["visits"], p4["visits"]) == (1, 2, 0)


def _cached_keys(project: Project) -> list[tuple[str, dt.datetime]]:
    cur = project.cursor()
    try:
        return cur.execute(
            "SELECT run_id, as_of FROM segments.metrics_keys ORDER BY as_of"
        ).fetchall()
    finally:
        cur.close()


def test_the_table_is_computed_once_per_as_of_and_old_sets_go(segment_project: Project) -> None:
    catalog = load_catalog(segment_project)
    source = ensure_metrics(segment_project, catalog, AS_OF)
    again = ensure_metrics(segment_project, catalog, AS_OF)
    assert source == again
    assert _cached_keys(segment_project) == [(catalog.run_id, AS_OF)]
    cur = segment_project.cursor()
    try:
        rows = cur.execute(
            f"SELECT profile_id, lifetime_value FROM ({source.sql}) ORDER BY 1", source.params
        ).fetchall()
    finally:
        cur.close()
    assert rows[0] == ("P1", 100.0)
    assert len(rows) == 6
    for hours in range(1, KEEP + 2):
        ensure_metrics(segment_project, catalog, AS_OF + dt.timedelta(hours=hours))
    keys = _cached_keys(segment_project)
    assert len(keys) == KEEP
    assert (catalog.run_id, AS_OF) not in keys


def test_a_cancelled_computation_leaves_nothing(segment_project: Project) -> None:
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        ensure_metrics(segment_project, load_catalog(segment_project), AS_OF, task)
    cur = segment_project.cursor()
    try:
        tables = cur.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'segments' "
            "AND table_name LIKE 'metrics%'"
        ).fetchone()
    finally:
        cur.close()
    assert tables == (0,)


def _all_rows(project: Project, source: MetricsSource) -> list[tuple]:
    cur = project.cursor()
    try:
        return cur.execute(f"SELECT * FROM ({source.sql}) ORDER BY 1", source.params).fetchall()
    finally:
        cur.close()


@pytest.mark.parametrize("days", [0, 40, 400])
def test_metrics_from_the_events_table_equal_those_from_the_view(
    sample_project: Project, days: int
) -> None:
    catalog = load_catalog(sample_project)
    as_of = catalog.latest_event - dt.timedelta(days=days)
    view = metrics_query(catalog, as_of)
    types = conventions(catalog.event_types).all_types()
    events = ensure_event_types(sample_project, catalog, types)
    compact = metrics_query(catalog, as_of, events)
    assert "segments.events" in compact.sql
    assert "segments.events" not in view.sql
    # Sums of doubles may differ in the last bit with the order rows are added in.
    assert _all_rows(sample_project, compact) == [
        tuple(pytest.approx(v) if isinstance(v, float) else v for v in row)
        for row in _all_rows(sample_project, view)
    ]


def test_metrics_read_the_events_table_only_when_it_holds_their_types(
    segment_project: Project,
) -> None:
    """Adding the e-mail and visit types costs more than it saves a first computation."""
    catalog = load_catalog(segment_project)
    first = _all_rows(segment_project, ensure_metrics(segment_project, catalog, AS_OF))
    cur = segment_project.cursor()
    try:
        tables = cur.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'segments' "
            "AND table_name LIKE 'events%'"
        ).fetchall()
    finally:
        cur.close()
    assert tables == [(0,)]
    ensure_event_types(segment_project, catalog, conventions(catalog.event_types).all_types())
    later = AS_OF + dt.timedelta(milliseconds=500)  # nothing happens meanwhile
    assert _all_rows(segment_project, ensure_metrics(segment_project, catalog, later)) == first


def test_windowed_counts_from_the_events_table_equal_those_from_the_view(
    sample_project: Project,
) -> None:
    catalog = load_catalog(sample_project)
    types = conventions(catalog.event_types).all_types()
    events = ensure_event_types(sample_project, catalog, types)
    view = windowed_stats(catalog.event_types, catalog.latest_event, 60)
    compact = windowed_stats(catalog.event_types, catalog.latest_event, 60, events)
    assert "segments.events" in compact.sql
    by_id = f"SELECT p.profile_id, m.* EXCLUDE (profile_id) FROM ({compact.sql}) m "
    by_id += "JOIN main.profiles p ON p.rowid = m.profile_id"
    got = _all_rows(sample_project, MetricsSource(by_id, compact.params))
    expected = _all_rows(sample_project, view)
    assert len(expected) > 100
    assert got == [
        tuple(pytest.approx(v) if isinstance(v, float) else v for v in row) for row in expected
    ]
