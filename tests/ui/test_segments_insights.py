"""The Segments panel's insight pages: overlap heat map and breakdown, comparison, members
with the unified profile, and membership export, on a small resolved sample project."""

from __future__ import annotations

import csv
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

SAMPLE_PEOPLE = 300
SAMPLE_SEED = 11
TIMEOUT = 30000


@pytest.fixture(scope="module")
def resolved_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated sample, imported and resolved once for this module (tests open copies)."""
    from workbench.sample import generate
    from workbench.sample.demo_project import build_project

    folder = tmp_path_factory.mktemp("segments_insights")
    manifest = generate(folder / "data", SAMPLE_PEOPLE, seed=SAMPLE_SEED)
    return build_project(folder / "s.wbproj", folder / "data", manifest, resolve_identities=True)


def _segments():
    from workbench.segments.model import (
        AttributeCondition,
        EventCondition,
        Group,
        NumberTest,
        Segment,
    )

    return [
        Segment(
            name="Buyers",
            description="Bought at least once",
            root=Group(conditions=[EventCondition(event_type="purchase")]),
        ),
        Segment(
            name="Openers",
            root=Group(conditions=[EventCondition(event_type="email_open")]),
        ),
        Segment(
            name="Loyal",
            root=Group(
                op="or",
                conditions=[
                    AttributeCondition(field="loyalty_tier", op="in", values=["Gold", "Silver"]),
                    EventCondition(event_type="purchase", test=NumberTest(value=3)),
                ],
            ),
        ),
        Segment(name="Everyone", description="Every profile"),
    ]


@pytest.fixture
def ctx(qtbot, resolved_sample: Path, tmp_path: Path, confirmations) -> Iterator:
    """A panel context on a fresh copy of the sample holding exactly the test segments."""
    from workbench.project import Project
    from workbench.segments.catalog import clear_cache
    from workbench.segments.store import delete_segment, list_segments, save_segment
    from workbench.ui.panels.base import PanelContext
    from workbench.ui.session import ProjectSession
    from workbench.ui.task_runner import TaskRunner

    path = tmp_path / "s.wbproj"
    shutil.copyfile(resolved_sample, path)
    clear_cache()
    project = Project.open(path)
    try:
        for info in list_segments(project):
            delete_segment(project, info.name)
        for segment in _segments():
            save_segment(project, segment)
    finally:
        project.close()
    session = ProjectSession()
    runner = TaskRunner()
    assert session.open(path)
    errors: list[tuple] = []
    context = PanelContext(
        session, runner, confirm=confirmations, show_error=lambda *a: errors.append(a)
    )
    context.errors = errors  # type: ignore[attr-defined]
    yield context
    runner.cancel_all()
    session.close(announce=False)


def _show(qtbot, page) -> None:
    qtbot.addWidget(page)
    page.resize(1300, 850)
    page.show()


def _idle(qtbot, page) -> None:
    qtbot.waitUntil(lambda: not page.jobs.busy() and not page._timer.isActive(), timeout=TIMEOUT)


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%"


def _busy_pool(ctx) -> threading.Event:
    """Occupy every worker of the runner until the returned event is set."""
    release = threading.Event()
    for _ in range(ctx.runner.pool.maxThreadCount()):
        ctx.runner.start("hold", lambda _task: release.wait(TIMEOUT / 1000), background=True)
    return release


# ---------------------------------------------------------------------- overlap
def test_overlap_page_shows_the_engine_counts_and_tooltips(qtbot, ctx) -> None:
    from PySide6.QtCore import Qt

    from workbench.segments.overlap import overlap_matrix
    from workbench.segments.store import load_segment
    from workbench.ui.panels.segments.overlap_page import OverlapPage

    page = OverlapPage(ctx)
    _show(qtbot, page)
    chosen = ["Buyers", "Loyal", "Openers"]
    page.choose(chosen)
    qtbot.waitUntil(
        lambda: page.result is not None and page.result.overlap.names == chosen, timeout=TIMEOUT
    )
    _idle(qtbot, page)
    project = ctx.session.project
    expected = overlap_matrix(project, [load_segment(project, n) for n in chosen])
    model = page.matrix_model
    assert model.rowCount() == model.columnCount() == 3
    assert [model.headerData(i, Qt.Orientation.Horizontal) for i in range(3)] == chosen
    page.count_button.click()
    shown = [[model.index(i, j).data() for j in range(3)] for i in range(3)]
    assert shown == [[f"{c:,}" for c in row] for row in expected.counts]
    page.percent_button.click()
    a, b = expected.sizes[0], expected.sizes[1]
    both = expected.counts[0][1]
    assert 0 < both < min(a, b), "the test segments should overlap partly"
    assert model.index(0, 1).data() == _pct(both, a)
    assert model.index(1, 0).data() == _pct(both, b)
    assert page.cell_tooltip(0, 1) == (
        f"Buyers ∩ Loyal: {both:,} ({_pct(both, a)} of Buyers, {_pct(both, b)} of Loyal)"
    )
    assert page.cell_tooltip(1, 1).startswith(f"Loyal: {b:,} members (")

    # three segments: every one of the seven regions, largest first, adding up to the union
    regions = page.regions_model
    assert regions.rowCount() == 7
    counts = [regions.row(i)[1] for i in range(7)]
    assert counts == sorted(counts, reverse=True)
    union = sum(expected.sizes) - both - expected.counts[0][2] - expected.counts[1][2]
    union += next(r.count for r in page.result.regions if len(r.segments) == 3)
    assert sum(counts) == union
    assert page.breakdown_stack.currentIndex() == 1
    assert len(page.upset.tips()) == sum(1 for c in counts if c > 0)


def test_overlap_page_explains_when_there_is_no_breakdown(qtbot, ctx) -> None:
    from workbench.ui.panels.segments.overlap_page import OverlapPage

    page = OverlapPage(ctx)
    _show(qtbot, page)
    page.choose(["Openers"])
    qtbot.waitUntil(
        lambda: page.result is not None and page.result.overlap.names == ["Openers"],
        timeout=TIMEOUT,
    )
    assert page.result.regions is None
    assert page.breakdown_stack.currentIndex() == 0
    assert "Choose 2 to 6 segments" in page.breakdown_note.text()
    page.choose([])
    qtbot.waitUntil(lambda: page.body.currentWidget() is page.empty, timeout=TIMEOUT)
    assert "Choose segments" in page.empty.text()


def test_overlap_runs_off_the_gui_thread_and_cancels(qtbot, ctx) -> None:
    from workbench.ui.panels.segments.overlap_page import OverlapPage

    page = OverlapPage(ctx)
    _show(qtbot, page)
    _idle(qtbot, page)
    shown = page.result
    assert shown is not None
    release = _busy_pool(ctx)  # the job waits for a worker: Cancel lands before it runs
    page.choose(["Buyers", "Openers"])
    qtbot.waitUntil(page.jobs.busy, timeout=TIMEOUT)
    job = page.jobs.job
    assert page.status.isVisible()
    assert page.status.cancel_button.isVisible()
    page.status.cancel_button.click()
    release.set()
    qtbot.waitUntil(lambda: job.done, timeout=TIMEOUT)
    assert job.state == "cancelled"
    assert page.status.message.text() == "Cancelled."
    assert page.result is shown  # the previous result stays on screen


def test_pages_follow_saved_segments(qtbot, ctx) -> None:
    from workbench.segments.model import Segment
    from workbench.segments.store import save_segment
    from workbench.ui.panels.segments.compare_page import ComparePage
    from workbench.ui.panels.segments.overlap_page import OverlapPage

    overlap, compare = OverlapPage(ctx), ComparePage(ctx)
    assert overlap.checklist.names() == ["Buyers", "Everyone", "Loyal", "Openers"]
    assert overlap.chosen() == ["Buyers", "Everyone", "Loyal", "Openers"]  # the first four
    save_segment(ctx.session.project, Segment(name="Newcomers"))
    ctx.session.segments_changed("Newcomers")
    assert "Newcomers" in overlap.checklist.names()
    assert compare.segment_combo.findData("Newcomers") >= 0


def test_checklist_toggles_on_click_and_selects_all(qtbot) -> None:
    from PySide6.QtCore import Qt

    from workbench.ui.panels.segments.insights_checklist import SegmentChecklist

    checklist = SegmentChecklist()
    qtbot.addWidget(checklist)
    checklist.resize(260, 300)
    checklist.show()
    checklist.set_segments([("A", ""), ("B", "the b's"), ("C", "")], ["B"])
    assert checklist.checked() == ["B"]
    assert checklist.count_label.text() == "1 of 3 chosen"
    view = checklist.list
    with qtbot.waitSignal(checklist.sig_changed):
        rect = view.visualItemRect(view.item(0))
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert checklist.checked() == ["A", "B"]
    checklist.all_button.click()
    assert checklist.checked() == ["A", "B", "C"]
    checklist.none_button.click()
    assert checklist.checked() == []
    checklist.set_segments([], [])
    assert checklist.count_label.text() == "None saved yet"
    assert not checklist.all_button.isVisibleTo(checklist)


# ---------------------------------------------------------------------- compare
def test_compare_page_shows_every_metric_for_each_segment_and_everyone(qtbot, ctx) -> None:
    from PySide6.QtCore import Qt

    from workbench.segments.compare import compare_segments
    from workbench.segments.store import load_segment
    from workbench.ui.panels.segments.compare_page import ComparePage

    page = ComparePage(ctx)
    _show(qtbot, page)
    page.set_choice("Buyers", ["Openers"], window_days=None)
    qtbot.waitUntil(
        lambda: (
            page.comparison is not None
            and page.comparison.columns == ["Buyers", "Openers", "Everyone"]
            and page.comparison.window_days is None
        ),
        timeout=TIMEOUT,
    )
    _idle(qtbot, page)
    project = ctx.session.project
    expected = compare_segments(project, [load_segment(project, n) for n in ("Buyers", "Openers")])
    model = page.model
    labels = [model.headerData(i, Qt.Orientation.Vertical) for i in range(model.rowCount())]
    assert labels == [
        "Profiles",
        "Conversion rate",
        "Revenue per profile",
        "Average order value",
        "Visits per profile",
        "E-mail open rate",
        "E-mail click rate",
    ]
    profiles = [model.index(0, j).data() for j in range(3)]
    assert profiles == [f"{int(v):,}" for v in expected.rows[0].values]
    buyers_conversion = expected.value("conversion_rate", "Buyers")
    assert buyers_conversion == pytest.approx(1.0)
    assert model.index(1, 0).data() == "100.0%"
    everyone_revenue = expected.value("revenue_per_profile", "Everyone")
    assert model.index(2, 2).data() == f"{everyone_revenue:,.2f}"
    assert "above everyone" in model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    # the chart: every figure but the profile count, one bar per segment
    assert len(page.chart.bar_tips()) == 2 * 6
    page.metric_combo.setCurrentIndex(page.metric_combo.findData("conversion_rate"))
    assert page.chart.bar_tips()[0] == "Conversion rate\nBuyers: 100.0%"

    page.window_combo.setCurrentIndex(page.window_combo.findData(30))
    qtbot.waitUntil(
        lambda: page.comparison is not None and page.comparison.window_days == 30,
        timeout=TIMEOUT,
    )
    windowed = compare_segments(
        project, [load_segment(project, n) for n in ("Buyers", "Openers")], window_days=30
    )
    assert page.comparison.rows == windowed.rows


# ---------------------------------------------------------------------- members
def test_members_page_pages_through_members_and_shows_a_profile(qtbot, ctx) -> None:
    from workbench.segments.evaluate import count_segment
    from workbench.segments.members import members_page, profile_detail
    from workbench.segments.store import load_segment
    from workbench.ui.browser.table_model import LOADING, PAGE_ROWS
    from workbench.ui.panels.segments.members_page import MembersPage

    page = MembersPage(ctx)
    _show(qtbot, page)
    page.show_segment("Everyone")
    qtbot.waitUntil(
        lambda: page.view is not None and page.view.segment.name == "Everyone", timeout=TIMEOUT
    )
    project = ctx.session.project
    everyone = load_segment(project, "Everyone")
    total = count_segment(project, everyone).members
    assert total > PAGE_ROWS, "the sample should need more than one page"
    assert page.model.rowCount() == total
    assert page.total_label.text() == f"{total:,} members"

    # a row of the second page is read on the worker thread, then shown
    row = PAGE_ROWS + 5
    index = page.model.index(row, 0)
    first = index.data()
    qtbot.waitUntil(lambda: page.model.index(row, 0).data() != LOADING, timeout=TIMEOUT)
    expected = members_page(project, everyone, offset=row, limit=1).rows[0][0]
    assert first in (LOADING, expected)
    assert page.model.index(row, 0).data() == expected

    # the first member is selected: its unified profile with records and events
    first_id = page.model.index(0, 0).data()
    qtbot.waitUntil(
        lambda: page.profile.detail is not None and page.profile.detail.profile_id == first_id,
        timeout=TIMEOUT,
    )
    # pick a member with several source records and events
    detail = None
    for r in range(min(total, 60)):
        pid = page.model.value(r, 0)
        candidate = profile_detail(project, pid)
        if len(candidate.records) >= 2 and candidate.events:
            detail = candidate
            page.grid.selectRow(r)
            break
    assert detail is not None, "the sample should have merged profiles with events"
    qtbot.waitUntil(
        lambda: (
            page.profile.detail is not None and page.profile.detail.profile_id == detail.profile_id
        ),
        timeout=TIMEOUT,
    )
    qtbot.waitUntil(lambda: not page.profile_jobs.busy(), timeout=TIMEOUT)
    view = page.profile
    tree = view.records_tree
    sources = [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())]
    assert sources == sorted({r.source for r in detail.records})
    record = detail.records[0]
    top = tree.topLevelItem(sources.index(record.source))
    shown = {
        top.child(0).child(k).text(0): top.child(0).child(k).text(1)
        for k in range(top.child(0).childCount())
    }
    for field in record.fields:
        if field.value is not None and isinstance(field.value, str):
            assert shown[field.name] == field.value
    assert view.events_model.rowCount() == len(detail.events)
    newest = detail.events[0]
    assert view.events_model.row(0)[:2] == [f"{newest.ts:%Y-%m-%d %H:%M}", newest.event_type]
    assert set(view.timeline.types) == {e.event_type for e in detail.events}
    assert view.timeline.counts == detail.event_counts

    # a header click sorts the members by that column (the engine's order)
    from PySide6.QtCore import QPoint, Qt

    column = page.view.names.index("last_name")
    header = page.grid.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    qtbot.waitUntil(lambda: page.view.sort == "last_name", timeout=TIMEOUT)
    names = page.view.names
    top = members_page(project, everyone, limit=3, columns=names, sort="last_name").rows
    assert [tuple(page.model.value(r, i) for i in range(len(names))) for r in range(3)] == top
    assert header.sortIndicatorSection() == column


def test_export_writes_a_csv_with_every_member(qtbot, ctx, tmp_path: Path) -> None:
    from workbench.segments.evaluate import count_segment
    from workbench.segments.store import load_segment
    from workbench.ui.panels.segments.members_page import MembersPage

    page = MembersPage(ctx)
    _show(qtbot, page)
    page.show_segment("Buyers")
    qtbot.waitUntil(
        lambda: page.view is not None and page.view.segment.name == "Buyers", timeout=TIMEOUT
    )
    out = tmp_path / "buyers.csv"
    with qtbot.waitSignal(page.sig_exported, timeout=TIMEOUT) as signal:
        page.export_to(out)
    members = count_segment(ctx.session.project, load_segment(ctx.session.project, "Buyers"))
    assert signal.args == [str(out), members.members]
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][0] == "profile_id"
    assert len(rows) - 1 == members.members
    message = page.export_status.message.text()
    assert f"{members.members:,} members" in message
    assert str(out) in message


def test_a_cancelled_export_leaves_no_file(qtbot, ctx, tmp_path: Path) -> None:
    from workbench.ui.panels.segments.members_page import MembersPage

    page = MembersPage(ctx)
    _show(qtbot, page)
    page.show_segment("Everyone")
    qtbot.waitUntil(lambda: page.view is not None, timeout=TIMEOUT)
    out = tmp_path / "everyone.csv"
    release = _busy_pool(ctx)
    job = page.export_to(out)
    assert job is not None
    assert not page.export_button.isEnabled()
    page.export_status.cancel_button.click()
    release.set()
    qtbot.waitUntil(lambda: job.done, timeout=TIMEOUT)
    assert job.state == "cancelled"
    assert not out.exists()
    assert list(tmp_path.glob("*everyone*")) == []
    assert "no file was written" in page.export_status.message.text()
    assert page.export_button.isEnabled()
