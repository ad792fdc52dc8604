"""Counting and listing members on a project: as-of resolution, shares, pages, cancel."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest

from tests.segments.conftest import AS_OF
from workbench.project import Project
from workbench.segments import events_table
from workbench.segments.catalog import clear_cache, field_values, load_catalog
from workbench.segments.errors import SegmentError
from workbench.segments.evaluate import (
    count_segment,
    member_ids,
    resolve_as_of,
    run_query,
    segment_sql,
)
from workbench.segments.events_table import ensure_event_types, prepare_all_event_types
from workbench.segments.model import (
    AttributeCondition,
    EventCondition,
    Group,
    MetricCondition,
    NumberTest,
    Segment,
    SegmentCondition,
)
from workbench.segments.store import save_segment
from workbench.tasks import Cancelled, Task

GOLD = Segment(
    name="gold", root=Group(conditions=[AttributeCondition(field="loyalty_tier", value="Gold")])
)


def test_as_of_resolution_order(tiny_project: Project) -> None:
    latest = dt.datetime(2024, 7, 2, 15)  # the last event in the data, linked or not
    assert load_catalog(tiny_project).latest_event == latest
    assert resolve_as_of(tiny_project) == latest
    pinned = GOLD.model_copy(update={"as_of": dt.datetime(2024, 1, 1)})
    assert resolve_as_of(tiny_project, GOLD) == latest
    assert resolve_as_of(tiny_project, pinned) == dt.datetime(2024, 1, 1)
    assert resolve_as_of(tiny_project, pinned, AS_OF) == AS_OF
    aware = dt.datetime(2024, 6, 30, 14, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert resolve_as_of(tiny_project, None, aware) == AS_OF


def test_count_share_and_members(tiny_project: Project) -> None:
    count = count_segment(tiny_project, GOLD, AS_OF)
    assert (count.members, count.profiles) == (2, 6)
    assert count.share == pytest.approx(2 / 6)
    assert count.as_of == AS_OF
    assert count.seconds >= 0
    assert member_ids(tiny_project, GOLD, AS_OF) == ["P1", "P3"]
    everyone = Segment(name="all")
    assert member_ids(tiny_project, everyone, AS_OF, limit=2, offset=3) == ["P4", "P5"]
    assert member_ids(tiny_project, everyone, AS_OF, offset=5) == ["P6"]


def test_the_as_of_changes_what_counts(tiny_project: Project) -> None:
    july = Segment(
        name="july buyers",
        root=Group(
            conditions=[
                EventCondition(
                    event_type="purchase", measure="sum", test=NumberTest(op="at_least", value=500)
                )
            ]
        ),
    )
    assert count_segment(tiny_project, july, AS_OF).members == 0
    assert member_ids(tiny_project, july) == ["P3"]  # read at the latest event: July 2


def test_saved_segments_are_looked_up(segment_project: Project) -> None:
    save_segment(segment_project, GOLD)
    not_gold = Segment(
        name="not gold",
        root=Group(negate=True, conditions=[SegmentCondition(segment="gold")]),
    )
    assert member_ids(segment_project, not_gold, AS_OF) == ["P2", "P4", "P5", "P6"]


def test_metric_segments_use_the_cached_table(segment_project: Project) -> None:
    big = Segment(
        name="big spenders",
        root=Group(
            conditions=[
                MetricCondition(metric="lifetime_value", test=NumberTest(op="at_least", value=100))
            ]
        ),
    )
    compiled = segment_sql(segment_project, big, AS_OF)
    assert compiled.uses_metrics
    assert "segments.metrics" in compiled.sql
    assert member_ids(segment_project, big, AS_OF) == ["P1", "P3"]


def test_read_only_projects_compute_metrics_inline(segment_project: Project) -> None:
    path = segment_project.path
    segment_project.close()
    big = Segment(
        name="big",
        root=Group(conditions=[MetricCondition(metric="order_count", test=NumberTest(value=2))]),
    )
    with Project.open(path, read_only=True) as reader:
        assert member_ids(reader, big, AS_OF) == ["P1"]


def test_no_identity_run_yet(project: Project) -> None:
    with pytest.raises(SegmentError, match="resolve identities first"):
        count_segment(project, GOLD, AS_OF)


def test_cancel_before_the_query(tiny_project: Project) -> None:
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        count_segment(tiny_project, GOLD, AS_OF, task)


def test_cancel_interrupts_a_running_query(tiny_project: Project) -> None:
    task = Task()
    registered = threading.Event()
    add = task.add_interrupter

    def add_and_signal(interrupt: object) -> None:
        add(interrupt)  # type: ignore[arg-type]
        registered.set()

    task.add_interrupter = add_and_signal  # type: ignore[method-assign]

    def cancel_once_running() -> None:
        registered.wait(10)
        task.cancel()

    canceller = threading.Thread(target=cancel_once_running)
    canceller.start()
    try:
        with pytest.raises(Cancelled):
            run_query(
                tiny_project,
                "SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = ?",
                [3],
                task,
            )
    finally:
        canceller.join()
    assert not task._interrupters  # removed again


def test_field_values_for_pickers(tiny_project: Project) -> None:
    assert field_values(tiny_project, "profiles", "loyalty_tier") == [
        ("Gold", 2),
        ("Gold ", 1),
        ("Silver", 1),
        ("bronze", 1),
    ]
    assert field_values(tiny_project, "profiles", "loyalty_tier", prefix="g", limit=1) == [
        ("Gold", 2)
    ]
    assert field_values(tiny_project, "events", "category", event_type="purchase") == [
        ("Shoes", 4),
        ("Bags", 2),
    ]
    assert field_values(tiny_project, "events", "event_type")[0] == ("purchase", 6)
    with pytest.raises(SegmentError, match="profiles have no field 'nope'"):
        field_values(tiny_project, "profiles", "nope")


def test_without_an_events_view(segment_project: Project) -> None:
    """An event source changed since the run drops the view: attributes and metrics still
    work (nobody has events), behaviour conditions say what to do."""
    cur = segment_project.cursor()
    try:
        cur.execute("DROP TABLE main.events")
    finally:
        cur.close()
    assert member_ids(segment_project, GOLD, AS_OF) == ["P1", "P3"]
    no_orders = Segment(
        name="no orders",
        root=Group(
            conditions=[
                MetricCondition(metric="order_count", test=NumberTest(op="exactly", value=0))
            ]
        ),
    )
    assert count_segment(segment_project, no_orders, AS_OF).members == 6
    buyers = Segment(name="b", root=Group(conditions=[EventCondition(event_type="purchase")]))
    with pytest.raises(SegmentError, match="resolve identities again"):
        count_segment(segment_project, buyers, AS_OF)


# ----------------------------------------------------------------- what is kept between opens
def _shop(folder: Path) -> Project:
    """A small imported and resolved project (the members tests' shop), open for writing."""
    from tests.identity.builders import add_tables, run
    from tests.segments.test_members import CRM, MAILS, ORDERS, RULES, WEB

    project = Project.create(folder / "shop.wbproj")
    add_tables(project, folder, CRM, WEB, ORDERS, MAILS)
    run(project, RULES)
    return project


def _rows(project: Project, sql: str, params: list | None = None) -> list[tuple]:
    cur = project.cursor()
    try:
        return cur.execute(sql, params or []).fetchall()
    finally:
        cur.close()


BUYERS = Segment(name="buyers", root=Group(conditions=[EventCondition(event_type="purchase")]))
OPENERS = Segment(name="openers", root=Group(conditions=[EventCondition(event_type="email_open")]))


def test_the_catalog_is_stored_and_read_back_until_the_data_changes(tmp_path: Path) -> None:
    from tests.helpers import import_events, write_text
    from tests.identity.builders import Table, run
    from tests.segments.test_members import ORDERS, RULES

    project = _shop(tmp_path)
    try:
        clear_cache()
        catalog = load_catalog(project)
        assert catalog.event_types["purchase"] == 4
        stored = _rows(project, "SELECT signature FROM segments.catalog_cache")
        assert stored == [(catalog.signature,)]
        # A first load in a new session reads the stored copy (tampered here to prove it).
        body = _rows(project, "SELECT body FROM segments.catalog_cache")[0][0]
        _rows(
            project,
            "UPDATE segments.catalog_cache SET body = ?",
            [body.replace('["purchase", 4]', '["purchase", 999]')],
        )
        clear_cache()
        assert load_catalog(project).event_types["purchase"] == 999
        # A new identity run is a new signature: counted afresh.
        run(project, RULES)
        assert load_catalog(project).event_types["purchase"] == 4
        # So is a re-import of an event source (with one order more).
        _rows(project, "UPDATE segments.catalog_cache SET body = replace(body, '4]', '999]')")
        clear_cache()
        assert load_catalog(project).event_types["purchase"] == 999
        more = Table(
            "orders",
            ORDERS.columns,
            [*ORDERS.rows, ["C3", "o5", "2024-06-26 10:00:00", "10"]],
            ORDERS.roles,
            kind="events",
        )
        path = write_text(tmp_path / "orders.csv", more.text())
        import_events(
            project, path, roles=more.roles, name="orders", event_type="purchase", replace=True
        )
        assert "purchase" not in load_catalog(project).event_types  # no events until resolved
        run(project, RULES)
        assert load_catalog(project).event_types["purchase"] == 5
    finally:
        project.close()


def test_a_read_only_project_computes_without_writing(tmp_path: Path) -> None:
    project = _shop(tmp_path)
    path = project.path
    project.close()
    clear_cache()
    with Project.open(path, read_only=True) as reader:
        assert load_catalog(reader).event_types["purchase"] == 4
        assert count_segment(reader, BUYERS, AS_OF).members == 3
        assert count_segment(reader, OPENERS, AS_OF).members == 1
        tables = _rows(
            reader, "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'segments'"
        )
        assert tables == [(0,)]


def test_event_types_are_added_to_the_events_table_once_per_run(tmp_path: Path) -> None:
    from tests.identity.builders import run
    from tests.segments.test_members import RULES

    project = _shop(tmp_path)
    try:
        assert count_segment(project, BUYERS, AS_OF).members == 3
        catalog = load_catalog(project)
        kept = "SELECT signature, event_type, rows FROM segments.events_types ORDER BY 2"
        assert _rows(project, kept) == [(catalog.signature, "purchase", 4)]
        assert "segments.events" in segment_sql(project, BUYERS, AS_OF).sql
        assert count_segment(project, OPENERS, AS_OF).members == 1
        assert [r[1:] for r in _rows(project, kept)] == [("email_open", 1), ("purchase", 4)]
        assert _rows(project, "SELECT count(*) FROM segments.events") == [(5,)]
        # A new run starts the table afresh: only what is used again is added again.
        run(project, RULES)
        assert count_segment(project, BUYERS, AS_OF).members == 3
        fresh = load_catalog(project).signature
        assert fresh != catalog.signature
        assert _rows(project, kept) == [(fresh, "purchase", 4)]
        assert _rows(project, "SELECT count(*) FROM segments.events") == [(4,)]
    finally:
        project.close()


def test_cancel_while_adding_a_type_rolls_that_type_back(tmp_path: Path) -> None:
    project = _shop(tmp_path)
    try:
        catalog = load_catalog(project)
        ensure_event_types(project, catalog, ["email_open"])
        task = Task()
        add = task.add_interrupter

        def cancel_once_inside(interrupt: object) -> None:  # the transaction has begun
            add(interrupt)  # type: ignore[arg-type]
            task.cancel()

        task.add_interrupter = cancel_once_inside  # type: ignore[method-assign]
        with pytest.raises(Cancelled):
            ensure_event_types(project, catalog, ["purchase"], task)
        kept = _rows(project, "SELECT event_type FROM segments.events_types")
        assert kept == [("email_open",)]
        assert _rows(project, "SELECT count(*) FROM segments.events") == [(1,)]
        assert count_segment(project, BUYERS, AS_OF).members == 3  # added on the next use
    finally:
        project.close()


def test_counts_do_not_wait_for_types_another_job_is_adding(tmp_path: Path) -> None:
    project = _shop(tmp_path)
    try:
        with events_table._lock_for(project):  # as while another thread adds types
            count = count_segment(project, BUYERS, AS_OF)
            sql = segment_sql(project, BUYERS, AS_OF).sql
        assert count.members == 3
        assert "segments.events" not in sql  # read from main.events meanwhile
        assert "segments.events" in segment_sql(project, BUYERS, AS_OF).sql
    finally:
        project.close()


def test_every_type_can_be_prepared_ahead_with_progress(tmp_path: Path) -> None:
    project = _shop(tmp_path)
    try:
        seen: list[tuple[float, str]] = []
        events = prepare_all_event_types(project, Task(lambda f, m: seen.append((f, m))))
        catalog = load_catalog(project)
        assert events is not None
        assert set(events.codes) == set(catalog.event_types)
        assert [f for f, _ in seen] == sorted(f for f, _ in seen)
        assert seen[-1][0] == 1.0
        assert any("email_send events" in m for _, m in seen)
        assert prepare_all_event_types(project) == events  # nothing left to add
    finally:
        project.close()


def test_checking_a_definition_adds_no_types(tmp_path: Path) -> None:
    project = _shop(tmp_path)
    try:
        compiled = segment_sql(project, BUYERS, AS_OF, prepare=False)
        assert "segments.events" not in compiled.sql
        assert compiled.event_types == ("purchase",)  # what a count would add
        tables = "SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'events%'"
        assert _rows(project, tables + " AND schema_name = 'segments'") == [(0,)]
        assert run_query(project, f"SELECT count(*) FROM ({compiled.sql})", compiled.params) == [
            (3,)
        ]
    finally:
        project.close()
