"""The identity graph page: load a profile's graph, click an edge to explain it, label the pair,
fit, drag a node, and compare two runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtTest import QTest

from tests.identity.builders import (
    add_tables,
    block,
    exact_rule,
    profile_of,
    profiles_table,
    query,
    rules,
    run,
)
from workbench.identity.layout import cached_positions
from workbench.project import Project
from workbench.ui.panels.base import PanelContext
from workbench.ui.panels.identity.graph_page import EMPTY, GRAPH, MESSAGE, GraphPage
from workbench.ui.panels.identity.graph_view import REMOVED_COLOUR, GraphView
from workbench.ui.panels.identity.requests import GraphRequest
from workbench.ui.session import ProjectSession
from workbench.ui.task_runner import TaskRunner

FILLER = [f"f{i},f{i // 2}@example.com,{5550000100 + i},Pat{i // 2},Fill" for i in range(30)]
CRM = profiles_table(
    "crm",
    "id,email,phone,first_name,last_name",
    "a1,a@example.com,5551110001,Ann,Lee",
    "a2,a@example.com,5552220002,Ann,Lee",
    "a3,b@example.com,5552220002,Anne,Lee",
    *FILLER,
)
WEB = profiles_table("web", "id,email,first_name", "w1,a@example.com,Ann")
MODEL = {
    "fields": [
        {"field": "email", "levels": [{"method": "exact"}]},
        {"field": "phone", "levels": [{"method": "exact"}]},
        {"field": "first_name", "levels": [{"method": "exact"}]},
    ]
}
EMAIL_AND_PHONE = rules(
    blocking=[block("email"), block("phone")],
    rules=[exact_rule("same email", "email"), exact_rule("same phone", "phone")],
    probabilistic=MODEL,
)
EMAIL_ONLY = rules(
    blocking=[block("email"), block("phone")],
    rules=[exact_rule("same email", "email")],
    probabilistic={**MODEL, "threshold": 0.999999},
)


@pytest.fixture
def resolved(tmp_path: Path) -> Iterator[tuple[Project, str, str]]:
    """Ann's records: one profile in run 1 (email and phone); a3 split off in run 2."""
    project = Project.create(tmp_path / "graph.wbproj")
    data = tmp_path / "data"
    data.mkdir()
    try:
        add_tables(project, data, CRM, WEB)
        first = run(project, EMAIL_AND_PHONE).run_id
        second = run(project, EMAIL_ONLY).run_id
        yield project, first, second
    finally:
        project.close()


@pytest.fixture
def page(qtbot, resolved: tuple[Project, str, str]) -> Iterator[GraphPage]:
    project = resolved[0]
    session = ProjectSession()
    runner = TaskRunner()
    errors: list[tuple[str, str, str]] = []
    session.set_project(project)
    widget = GraphPage(PanelContext(session, runner, show_error=lambda *e: errors.append(e)))
    widget.resize(1200, 820)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    runner.cancel_all()
    session.close(announce=False)
    assert errors == []


def _ann(project: Project, run_id: str) -> str:
    return profile_of(project, run_id)[("crm", "a1")]


def _open(qtbot, page: GraphPage, request: GraphRequest) -> None:
    with qtbot.waitSignal(page.ctx.runner.sig_idle, timeout=20000):
        page.show_request(request)
    assert page.states.currentIndex() == GRAPH
    qtbot.wait(50)  # let the view settle into its size before clicks aim at it


def _screen(view: GraphView, x: float, y: float) -> QPoint:
    """Where a point of the graph is on the canvas's viewport."""
    scene = view.box.mapViewToScene(QPointF(x, y))
    return view.canvas.mapFromScene(scene)


def _edge_index(view: GraphView, left: str, right: str) -> int:
    assert view.graph is not None
    where = view.graph.index()
    pair = {where[left], where[right]}
    return next(i for i, e in enumerate(view.graph.edges) if {e.a, e.b} == pair)


def _click_edge(qtbot, page: GraphPage, left: str, right: str) -> None:
    """Click the middle of the edge's line with the mouse and wait for the explanation."""
    view = page.view
    ends = view.positions[list(view._ends[_edge_index(view, left, right)])]
    mid = ends.mean(axis=0)
    with (
        qtbot.waitSignal(page.ctx.runner.sig_idle, timeout=20000),
        qtbot.waitSignal(view.sig_edge_clicked) as clicked,
    ):
        QTest.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, pos=_screen(view, *mid))
    assert set(clicked.args) == {left, right}


def _column(page: GraphPage, column: int) -> list[object]:
    model = page.fields_model
    return [model.row(r)[column] for r in range(model.rowCount())]


def test_empty_states(qtbot, page: GraphPage, tmp_path: Path) -> None:
    assert page.states.currentIndex() == EMPTY
    assert page.empty.heading.text() == "No profile chosen"
    fresh = Project.create(tmp_path / "fresh.wbproj")
    page.ctx.session.set_project(fresh)
    with qtbot.waitSignal(page.ctx.runner.sig_idle, timeout=20000):
        page.show_request(GraphRequest("P1"))
    assert page.states.currentIndex() == MESSAGE
    assert page.message.heading.text() == "No identity run yet"


def test_a_profile_graph_loads_and_an_edge_click_explains_it(
    qtbot, page: GraphPage, resolved: tuple[Project, str, str]
) -> None:
    project, first, _ = resolved
    _open(qtbot, page, GraphRequest(_ann(project, first), first))
    view = page.view
    assert [n.ref for n in view.graph.nodes] == ["crm:a1", "crm:a2", "crm:a3", "web:w1"]
    assert len(view.nodes.data) == 4
    assert "4 records from 2 sources" in page.subtitle.text()
    assert page.summary.text().startswith("<b>4</b> matches")
    legend = [e.text for e in view.legend()]
    assert legend[:2] == ["crm", "web"]
    assert "Rule: same email" in legend
    assert "Rule: same phone" in legend
    # The layout was computed off the GUI thread and kept in the project.
    assert set(cached_positions(project, view.graph)) == {n.ref for n in view.graph.nodes}

    _click_edge(qtbot, page, "crm:a2", "crm:a3")
    ex = page.explanation
    assert ex is not None
    assert (str(ex.left), str(ex.right)) == ("crm:a2", "crm:a3")
    assert _column(page, 0) == ["email", "phone", "first_name"]
    assert _column(page, 1) == ["a@example.com", "5552220002", "ann"]
    assert _column(page, 2) == ["b@example.com", "5552220002", "anne"]
    assert _column(page, 3) == ["different", "exact", "different"]
    assert page.fields_view.isVisible()
    assert "same phone" in page.scores.text()
    assert "matched directly" in page.verdict.text()
    assert view.selected_edge == _edge_index(view, "crm:a2", "crm:a3")


def test_labelling_a_pair_stores_it_and_marks_the_edge(
    qtbot, page: GraphPage, resolved: tuple[Project, str, str]
) -> None:
    project, first, _ = resolved
    _open(qtbot, page, GraphRequest(_ann(project, first), first))
    _click_edge(qtbot, page, "crm:a2", "crm:a3")
    page.activateWindow()
    with qtbot.waitSignal(page.sig_labels_changed, timeout=20000):
        QTest.keyClick(page.view.canvas, Qt.Key.Key_D)
    assert query(project, "SELECT a_record, b_record, label FROM meta.labels") == [
        ("a2", "a3", "different")
    ]
    assert page.view.pair_label("crm:a2", "crm:a3") == "different"
    assert page.label_buttons["different"].isChecked()
    assert not page.label_buttons["same"].isChecked()
    badges = page.view.markers.points()
    assert [b.data() for b in badges] == ["different"]
    middle = page.view.positions[[page.view.graph.index()[r] for r in ("crm:a2", "crm:a3")]].mean(
        axis=0
    )
    assert (badges[0].pos().x(), badges[0].pos().y()) == pytest.approx(tuple(middle))
    assert "Different people" in [e.text for e in page.view.legend()]
    # A button does the same; the label is replaced, not added.
    with qtbot.waitSignal(page.sig_labels_changed, timeout=20000):
        page.label_buttons["same"].click()
    assert query(project, "SELECT label FROM meta.labels") == [("same",)]
    assert [b.data() for b in page.view.markers.points()] == ["same"]
    # Labels are read back with the graph.
    page.reload()
    qtbot.waitUntil(lambda: page.states.currentIndex() == GRAPH and page.graph is not None)
    qtbot.waitUntil(lambda: not page.ctx.runner.busy(), timeout=20000)
    assert page.view.pair_label("crm:a2", "crm:a3") == "same"


def test_fit_shows_every_node(qtbot, page: GraphPage, resolved: tuple[Project, str, str]) -> None:
    project, first, _ = resolved
    _open(qtbot, page, GraphRequest(_ann(project, first), first))
    view = page.view

    def all_in_view() -> bool:
        (x0, x1), (y0, y1) = view.box.viewRange()
        xs, ys = view.positions[:, 0], view.positions[:, 1]
        return bool(((xs > x0) & (xs < x1) & (ys > y0) & (ys < y1)).all())

    assert all_in_view()
    view.box.scaleBy((0.1, 0.1), center=QPointF(*(view.positions[0] + 5)))
    assert not all_in_view()
    qtbot.mouseClick(view.fit_button, Qt.MouseButton.LeftButton)
    assert all_in_view()
    view.box.scaleBy((0.1, 0.1), center=QPointF(*(view.positions[0] + 5)))
    page.activateWindow()
    QTest.keyClick(view.canvas, Qt.Key.Key_F)  # the same from the keyboard
    assert all_in_view()


def test_hover_shows_the_record_and_a_drag_moves_the_node(
    qtbot, page: GraphPage, resolved: tuple[Project, str, str]
) -> None:
    project, first, _ = resolved
    _open(qtbot, page, GraphRequest(_ann(project, first), first))
    view = page.view
    index = view.graph.index()["crm:a3"]

    def hovered() -> bool:
        # Move onto the node each time: the view may still be settling into its size,
        # and pyqtgraph ignores moves less than 10 ms apart.
        QTest.mouseMove(view.canvas.viewport(), _screen(view, *view.positions[index]))
        QTest.qWait(20)
        return "b@example.com" in view.box.toolTip()

    qtbot.waitUntil(hovered)
    assert "crm:a3" in view.box.toolTip()
    start = _screen(view, *view.positions[index])

    target = start + QPoint(60, 40)
    viewport = view.canvas.viewport()
    with qtbot.waitSignal(view.sig_node_moved) as moved:
        QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
        for step in range(1, 6):
            QTest.qWait(20)  # pyqtgraph drops mouse moves closer than 10 ms apart
            QTest.mouseMove(viewport, start + (target - start) * step / 5)
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=target)
    ref, x, y = moved.args
    assert ref == "crm:a3"
    assert np.allclose(view.positions[index], (x, y))
    assert _screen(view, x, y) == target
    qtbot.waitUntil(lambda: not page.ctx.runner.busy(), timeout=20000)
    assert cached_positions(project, view.graph)["crm:a3"] == pytest.approx((x, y))


def test_compare_mode_marks_edges_that_went_and_explains_them_in_their_run(
    qtbot, page: GraphPage, resolved: tuple[Project, str, str]
) -> None:
    project, first, second = resolved
    _open(qtbot, page, GraphRequest(_ann(project, second), second, compare_run=first))
    view = page.view
    statuses = {
        frozenset((view.graph.nodes[e.a].ref, view.graph.nodes[e.b].ref)): e.status
        for e in view.graph.edges
    }
    assert statuses[frozenset(("crm:a2", "crm:a3"))] == "removed"
    gone = _edge_index(view, "crm:a2", "crm:a3")
    colour, _width, dashed = view._styles[gone]
    assert (colour, dashed) == (REMOVED_COLOUR, True)
    assert "Gone since the other run" in [e.text for e in view.legend()]
    assert f"compared with {first}" in page.subtitle.text()
    assert "<b>1</b> gone" in page.summary.text()
    _click_edge(qtbot, page, "crm:a2", "crm:a3")
    assert page.explanation is not None
    assert page.explanation.run_id == first  # the run that had the match
    assert "gone in this one" in page.pair.text()


def test_a_request_can_focus_a_pair(
    qtbot, page: GraphPage, resolved: tuple[Project, str, str]
) -> None:
    project, first, _ = resolved
    request = GraphRequest(_ann(project, first), first, focus=("crm:a3", "crm:a2"))
    _open(qtbot, page, request)
    qtbot.waitUntil(lambda: page.explanation is not None, timeout=20000)
    assert {str(page.explanation.left), str(page.explanation.right)} == {"crm:a2", "crm:a3"}
    assert page.view.selected_edge == _edge_index(page.view, "crm:a2", "crm:a3")
    assert page.view._focus == {page.graph.index()["crm:a2"], page.graph.index()["crm:a3"]}
