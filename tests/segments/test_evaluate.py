"""Counting and listing members on a project: as-of resolution, shares, pages, cancel."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from tests.segments.conftest import AS_OF
from workbench.project import Project
from workbench.segments.catalog import field_values, load_catalog
from workbench.segments.errors import SegmentError
from workbench.segments.evaluate import (
    count_segment,
    member_ids,
    resolve_as_of,
    run_query,
    segment_sql,
)
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
