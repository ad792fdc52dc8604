"""The identity pages on small resolved projects: search and open a profile's graph, label
pairs with the keyboard, compare two runs that differ in a known way."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.identity.builders import add_tables, profile_of, query, run
from tests.identity.test_review import CRM, EMAIL_AND_PHONE, EMAIL_ONLY
from tests.identity.test_review_queue import RUN, _write_run
from workbench.project import Project
from workbench.ui.panels.base import PanelContext
from workbench.ui.panels.identity.compare_page import ComparePage
from workbench.ui.panels.identity.profiles_page import ProfilesPage
from workbench.ui.panels.identity.requests import GraphRequest
from workbench.ui.panels.identity.review_page import ReviewPage
from workbench.ui.session import ProjectSession
from workbench.ui.settings import AppSettings
from workbench.ui.task_runner import TaskRunner

WAIT_MS = 20000


@pytest.fixture
def ctx(qtbot) -> Iterator[PanelContext]:
    """A session and a task runner as the main window gives them (no project yet)."""
    context = PanelContext(ProjectSession(AppSettings()), TaskRunner())
    yield context
    # An outcome delivered while cancelling may start a follow-up job (the next pair's
    # comparison): cancel until nothing runs before the project closes.
    while context.runner.cancel_all() and context.runner.busy():
        pass
    context.session.close(announce=False)


def _idle(qtbot, ctx: PanelContext) -> None:
    """Every job delivered, and every worker returned (a worker that still holds the last
    reference to a finished job would free it off the GUI thread)."""
    qtbot.waitUntil(lambda: not ctx.runner.busy(), timeout=WAIT_MS)
    assert ctx.runner.pool.waitForDone(WAIT_MS)


@pytest.fixture
def crm(project: Project, data_dir: Path) -> Project:
    add_tables(project, data_dir, CRM)
    return project


# ---------------------------------------------------------------------- profiles
def test_search_finds_a_person_and_opens_the_graph(qtbot, ctx: PanelContext, crm: Project) -> None:
    report = run(crm, EMAIL_ONLY)
    ctx.session.set_project(crm)
    page = ProfilesPage(ctx)
    qtbot.addWidget(page)
    page.show()  # first shown: it loads
    _idle(qtbot, ctx)
    c_profile = profile_of(crm, report.run_id)[("crm", "c1")]

    page.search.setText("C@Example.com")  # typed: the search starts after a pause
    qtbot.waitUntil(lambda: page.matches_model.rowCount() == 1, timeout=WAIT_MS)
    assert page.lists.currentWidget() is page.matches_view
    assert page.matches_model.row(0)[0] == c_profile
    assert "1 profiles match" in page.status.text()

    with qtbot.waitSignal(page.sig_open_profile, timeout=WAIT_MS) as opened:
        qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert opened.args == [GraphRequest(c_profile, focus=("crm:c1", "crm:c2"))]

    page.search.clear()  # back to the suspicious profiles
    assert page.lists.currentWidget() is not page.matches_view


def test_a_search_that_finds_nothing_says_so(qtbot, ctx: PanelContext, crm: Project) -> None:
    run(crm, EMAIL_ONLY)
    ctx.session.set_project(crm)
    page = ProfilesPage(ctx)
    qtbot.addWidget(page)
    page.show()
    page.search.setText("nobody@nowhere.org")
    page.search_now()
    _idle(qtbot, ctx)
    assert page.lists.currentWidget() is page.empty
    assert "No profile matches “nobody@nowhere.org”" in page.empty.text()


def test_suspicious_profiles_list_and_open(qtbot, ctx: PanelContext, project: Project) -> None:
    _write_run(project)  # profile PB hangs on one weak match; PB and PC hold two customer ids
    ctx.session.set_project(project)
    page = ProfilesPage(ctx)
    qtbot.addWidget(page)
    page.show()  # first shown: it loads
    _idle(qtbot, ctx)
    rows = {s.profile_id: s.reasons for s in page.suspects_model.suspects}
    assert set(rows) == {"PB", "PC"}
    assert any("weak match" in r for r in rows["PB"])
    assert page.lists.currentWidget() is page.suspects_view
    row = [s.profile_id for s in page.suspects_model.suspects].index("PB")
    page.suspects_view.setCurrentIndex(page.suspects_model.index(row, 0))
    with qtbot.waitSignal(page.sig_open_profile) as opened:
        qtbot.keyClick(page.suspects_view, Qt.Key.Key_Return)
    assert opened.args == [GraphRequest("PB")]


def test_before_any_run_the_pages_say_what_to_do(qtbot, ctx: PanelContext, crm: Project) -> None:
    ctx.session.set_project(crm)
    profiles, review = ProfilesPage(ctx), ReviewPage(ctx)
    for page in (profiles, review):
        qtbot.addWidget(page)
        page.show()
    _idle(qtbot, ctx)
    assert "No identity run yet" in profiles.empty.text()
    assert "No identity run yet" in review.message.text()


# ------------------------------------------------------------------------ review
def _labels(project: Project) -> list[tuple]:
    return query(
        project, "SELECT a_record, b_record, label FROM meta.labels ORDER BY a_record, b_record"
    )


def test_review_labels_with_the_keyboard(qtbot, ctx: PanelContext, project: Project) -> None:
    _write_run(project)
    ctx.session.set_project(project)
    page = ReviewPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()
    _idle(qtbot, ctx)
    assert page.queue is not None
    assert page.queue.run_id == RUN
    assert len(page.queue.items) == 7
    assert page.pair_title.text() == "Pair 1 of 7"
    assert page.progress_label.text() == "0 of 7 labelled"
    assert page.model.sides == ("crm:r09", "crm:r10")  # the weak bridge comes first
    page.setFocus()

    with qtbot.waitSignal(page.sig_labels_changed, timeout=WAIT_MS):
        qtbot.keyClick(page, Qt.Key.Key_S)
        assert page.position == 1  # moved on at once; the label is stored meanwhile
    qtbot.keyClick(page, Qt.Key.Key_D)
    qtbot.keyClick(page, Qt.Key.Key_N)  # skip the third (0-1)
    qtbot.keyClick(page, Qt.Key.Key_U)
    qtbot.waitUntil(lambda: not page.busy(), timeout=WAIT_MS)
    _idle(qtbot, ctx)
    assert _labels(project) == [
        ("r02", "r03", "unsure"),
        ("r09", "r10", "same"),
        ("r12", "r13", "different"),
    ]
    assert page.position == 4
    assert page.progress_label.text() == "3 of 7 labelled"
    assert page.metrics["labels"].text() == "3"
    # 9-10 labelled same and together, 12-13 labelled different but together.
    assert page.metrics["precision"].text() == "50.0%"
    assert page.metrics["recall"].text() == "100.0%"

    qtbot.keyClick(page, Qt.Key.Key_Left)
    qtbot.keyClick(page, Qt.Key.Key_Backspace)
    _idle(qtbot, ctx)
    assert page.position == 2
    assert page.current_label.text() == ""  # skipped
    qtbot.keyClick(page, Qt.Key.Key_Left)
    assert page.position == 1
    assert page.current_label.text() == "Labelled: different people"
    with qtbot.waitSignal(page.sig_open_profile) as opened:
        page.buttons["graph"].click()
    assert opened.args == [GraphRequest("PC", RUN, None, ("crm:r12", "crm:r13"))]

    page.reload()  # a fresh queue leaves the labelled pairs out
    _idle(qtbot, ctx)
    assert len(page.queue.items) == 4
    assert page.progress_label.text() == "3 of 7 labelled"


def test_the_pair_is_shown_field_by_field(qtbot, ctx: PanelContext, project: Project) -> None:
    _write_run(project)
    ctx.session.set_project(project)
    page = ReviewPage(ctx)
    qtbot.addWidget(page)
    page.show()  # first shown: it loads
    _idle(qtbot, ctx)
    page.go(5)  # 4-5: different e-mails, the same first name
    _idle(qtbot, ctx)
    assert page.kind_badge.text() == "Just below the threshold"
    rows = {r.field: r for r in page.model.rows}
    assert rows["email"].differs
    assert not rows["first_name"].differs
    assert page.probability.text() == "match probability 0.500"
    assert page.verdict.text().startswith("In profiles PM and PN: compared, but below")


# ----------------------------------------------------------------------- compare
def test_compare_shows_the_merge_and_opens_it(qtbot, ctx: PanelContext, crm: Project) -> None:
    before = run(crm, EMAIL_ONLY)
    after = run(crm, EMAIL_AND_PHONE)  # c3 joins c1/c2 through the phone
    ctx.session.set_project(crm)
    page = ComparePage(ctx)
    qtbot.addWidget(page)
    page.show()  # first shown: it loads
    _idle(qtbot, ctx)
    assert (page.run_a.currentData(), page.run_b.currentData()) == (before.run_id, after.run_id)
    counts = {k: page.metrics[k].text() for k in ("kept", "merged", "split", "changed")}
    assert counts == {"kept": "3", "merged": "1", "split": "0", "changed": "0"}
    merged = profile_of(crm, after.run_id)[("crm", "c1")]
    assert page.merged_model.rowCount() == 1
    assert page.merged_model.row(0)[:2] == [merged, 3]
    assert page.split_box.currentIndex() == 1  # "no profile was split"
    cell = page.merged_view.visualRect(page.merged_model.index(0, 0)).center()
    qtbot.mouseClick(page.merged_view.viewport(), Qt.MouseButton.LeftButton, pos=cell)  # select
    with qtbot.waitSignal(page.sig_open_profile) as opened:
        qtbot.mouseDClick(page.merged_view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert opened.args == [GraphRequest(merged, run_id=after.run_id, compare_run=before.run_id)]

    page.swap()
    _idle(qtbot, ctx)
    assert page.metrics["split"].text() == "1"
    assert page.metrics["merged"].text() == "0"
    assert page.split_model.row(0)[0] == merged


def test_compare_needs_two_runs(qtbot, ctx: PanelContext, crm: Project) -> None:
    run(crm, EMAIL_ONLY)
    ctx.session.set_project(crm)
    page = ComparePage(ctx)
    qtbot.addWidget(page)
    page.show()  # first shown: it loads
    assert "needs two identity runs" in page.message.text()
    assert not page.run_a.isEnabled()


def test_a_hidden_page_loads_when_shown(qtbot, ctx: PanelContext, project: Project) -> None:
    _write_run(project)
    ctx.session.set_project(project)
    page = ReviewPage(ctx)
    qtbot.addWidget(page)
    assert page.reload() is None  # hidden: nothing is scanned yet
    assert not ctx.runner.busy()
    assert page.queue is None
    page.show()
    _idle(qtbot, ctx)
    assert page.queue is not None
    assert len(page.queue.items) == 7


def test_in_the_identity_panel_a_page_loads_when_first_shown(
    qtbot, ctx: PanelContext, project: Project
) -> None:
    from workbench.ui.panels.identity.panel import PROFILES, REVIEW, IdentityPanel

    _write_run(project)
    ctx.session.set_project(project)
    panel = IdentityPanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    review = panel.show_page(REVIEW)
    _idle(qtbot, ctx)
    assert isinstance(review, ReviewPage)
    assert review.pair_title.text() == "Pair 1 of 7"
    profiles = panel.show_page(PROFILES)
    _idle(qtbot, ctx)
    assert isinstance(profiles, ProfilesPage)
    assert {s.profile_id for s in profiles.suspects_model.suspects} == {"PB", "PC"}
