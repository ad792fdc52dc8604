"""The Data step: preview with inferred types and suggested roles, undoable role and type
edits, import with progress and Cancel, rejects, re-import and remove."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import write_customers, write_orders_with_bad_rows
from workbench.project.sources import list_sources


@pytest.fixture
def window(make_window, ui_project):
    window = make_window(ui_project)
    window.show()
    return window


def open_preview(qtbot, window, path: Path):
    """Start importing ``path`` and wait for the engine's preview."""
    page = window.data_panel.import_page
    with qtbot.waitSignal(page.mapping_model.modelReset, timeout=20000):
        draft = window.data_panel.begin_import([path])
    qtbot.waitUntil(lambda: draft.preview is not None, timeout=20000)
    return draft, page


def wait_preview(qtbot, draft) -> None:
    with qtbot.waitSignal(draft.sig_preview_changed, timeout=20000):
        pass


def column_row(page, name: str) -> int:
    return [p.name for p in page.draft.columns()].index(name)


def test_the_data_step_lists_sources_with_kind_rows_rejects_and_time(window) -> None:
    page = window.data_panel.sources_page
    assert window.current_step() == "data"
    assert page.sources_model.row(0)[:4] == ["crm", "profiles", 25, 0]
    assert page.sources_model._headers[:8] == [
        "Source",
        "Kind",
        "Rows",
        "Rejected",
        "Format",
        "Imported",
        "Took",
        "File",
    ]
    assert page.metrics["profiles"].text() == "25"
    assert page.rows_browser.model.rowCount() == 25
    roles = {r[0]: r[2] for r in (page.columns_model.row(i) for i in range(5))}
    assert roles["email"] == "email"
    assert roles["customer_id"] == "customer_id"


def test_preview_shows_inferred_types_and_suggested_roles(qtbot, window, tmp_path) -> None:
    from PySide6.QtCore import Qt

    from workbench.ui.panels.data.import_models import ROLE, TYPE, WHY

    draft, page = open_preview(qtbot, window, write_orders_with_bad_rows(tmp_path / "orders.csv"))
    assert window.data_panel.pages.currentWidget() is page
    model = page.mapping_model
    row = column_row(page, "customer_id")
    assert model.data(model.index(row, ROLE)) == "customer_id"
    assert "column name" in model.data(model.index(row, WHY))
    assert model.data(model.index(column_row(page, "postcode"), TYPE)) == "text"  # leading zeros
    assert page.preview_model.rowCount() == 40
    header = page.preview_model.headerData(0, Qt.Orientation.Horizontal)
    assert header.startswith("order_id\n")
    assert draft.name == "orders"


def test_role_and_type_edits_undo_and_redo_with_the_standard_shortcuts(
    qtbot, window, tmp_path
) -> None:
    from PySide6.QtGui import QKeySequence

    from workbench.ui.panels.data.import_models import ROLE, TYPE

    draft, page = open_preview(qtbot, window, write_customers(tmp_path / "web.csv", 30))
    model = page.mapping_model
    signup = column_row(page, "signup")
    first = column_row(page, "first_name")
    assert model.data(model.index(signup, TYPE)).startswith("date")  # inferred
    with qtbot.waitSignal(draft.sig_preview_changed, timeout=20000):
        assert model.setData(model.index(signup, TYPE), "text")
    assert model.data(model.index(signup, TYPE)) == "keep as text"
    assert draft.options().types == {"signup": "text"}
    with qtbot.waitSignal(draft.sig_preview_changed, timeout=20000):
        assert model.setData(model.index(first, ROLE), "attribute")
    assert draft.options().roles == {"first_name": "attribute"}
    assert page.draft.columns()[first].role == "attribute"  # the engine's new plan

    actions = window.actions
    assert actions.undo.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert QKeySequence(QKeySequence.StandardKey.Redo) in actions.redo.shortcuts()
    assert actions.undo.isEnabled()
    assert "first_name" in actions.undo.text()
    actions.undo.trigger()
    assert draft.roles == {}
    actions.undo.trigger()
    assert draft.types == {}
    assert not actions.undo.isEnabled()
    actions.redo.trigger()
    assert draft.types == {"signup": "text"}
    wait_preview(qtbot, draft)
    assert model.data(model.index(signup, TYPE)) == "keep as text"


def test_changing_the_kind_is_undoable_and_keeps_valid_roles(qtbot, window, tmp_path) -> None:
    from workbench.ui.panels.data.import_models import ROLE

    draft, page = open_preview(qtbot, window, write_customers(tmp_path / "web.csv", 30))
    model = page.mapping_model
    model.setData(model.index(column_row(page, "first_name"), ROLE), "attribute")
    model.setData(model.index(column_row(page, "last_name"), ROLE), "customer_id")
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("events"))
    page.kind_combo.activated.emit(page.kind_combo.currentIndex())
    assert draft.kind == "events"
    assert draft.roles == {"last_name": "customer_id"}  # 'attribute' is not an event role
    assert page.event_type_edit.isVisibleTo(page)
    window.actions.undo.trigger()
    assert draft.kind == "profiles"
    assert draft.roles == {"first_name": "attribute", "last_name": "customer_id"}
    assert not page.event_type_edit.isVisibleTo(page)
    wait_preview(qtbot, draft)


def test_a_bad_mapping_is_explained_and_blocks_import(qtbot, window, tmp_path) -> None:
    from workbench.ui.panels.data.import_models import ROLE

    draft, page = open_preview(qtbot, window, write_customers(tmp_path / "web.csv", 30))
    model = page.mapping_model
    with qtbot.waitSignal(draft.sig_preview_changed, timeout=20000):
        model.setData(model.index(column_row(page, "first_name"), ROLE), "record_id")
        model.setData(model.index(column_row(page, "last_name"), ROLE), "record_id")
    assert "record_id" in draft.error
    assert page.banner_frame.isVisibleTo(page)
    assert not page.import_button.isEnabled()


def test_import_with_progress_then_the_source_and_its_rejects_are_shown(
    qtbot, window, ui_project, tmp_path
) -> None:
    from PySide6.QtCore import Qt

    from workbench.ui.panels.data.import_models import TYPE
    from workbench.ui.panels.data.sources_page import REJECTS_TAB

    draft, page = open_preview(qtbot, window, write_orders_with_bad_rows(tmp_path / "orders.csv"))
    model = page.mapping_model
    with qtbot.waitSignal(draft.sig_preview_changed, timeout=20000):
        model.setData(model.index(column_row(page, "amount"), TYPE), "decimal")
    assert page.import_button.isEnabled()
    progress: list[float] = []
    qtbot.mouseClick(page.import_button, Qt.MouseButton.LeftButton)
    job = page.import_job
    assert job is not None
    job.sig_progress.connect(lambda f, _m: progress.append(f))
    assert page.cancel_button.isVisible()
    with qtbot.waitSignal(window.runner.sig_idle, timeout=30000):
        pass
    assert progress
    assert progress[-1] == 1.0
    sources = {s.name: s for s in list_sources(ui_project)}
    assert (sources["orders"].rows, sources["orders"].rejects) == (38, 2)
    data = window.data_panel
    assert data.pages.currentWidget() is data.sources_page
    assert data.sources_page.selected_source().name == "orders"
    assert data.sources_page.tabs.currentIndex() == REJECTS_TAB
    rejects = data.sources_page.rejects_browser
    assert rejects.model.rowCount() == 2
    columns = [c.name for c in rejects.view().columns]
    reason = rejects.model.value(0, columns.index("reason"))
    assert "amount" in str(rejects.model.value(0, columns.index("column_name")))
    assert reason
    assert "Imported orders: 38 rows, 2 rejected" in window.statusBar().currentMessage()


def test_cancel_stops_the_import_and_leaves_the_project_as_before(
    qtbot, window, ui_project, tmp_path
) -> None:
    _draft, page = open_preview(qtbot, window, write_customers(tmp_path / "big.csv", 200_000))
    before = [(s.name, s.rows) for s in list_sources(ui_project)]
    job = page.start_import()
    assert job is not None
    with qtbot.waitSignal(job.sig_cancelled, timeout=60000):
        page.cancel_import()
    assert [(s.name, s.rows) for s in list_sources(ui_project)] == before
    assert "cancelled" in page.status.text()
    assert page.import_button.isEnabled()
    assert window.data_panel.pages.currentWidget() is page  # the mapping is still there
    page.close_draft()
    assert window.data_panel.pages.currentWidget() is window.data_panel.sources_page


def test_dropping_files_opens_their_import_one_after_another(qtbot, window, tmp_path) -> None:
    from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    first = write_customers(tmp_path / "a.csv", 5)
    second = write_customers(tmp_path / "b.csv", 5, start=100)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(first)), QUrl.fromLocalFile(str(second))])
    event = QDropEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    panel = window.data_panel
    panel.dropEvent(event)
    page = panel.import_page
    assert page.draft is not None
    assert page.draft.path == first
    qtbot.waitUntil(lambda: page.draft.preview is not None, timeout=20000)
    page.close_draft()
    assert page.draft is not None
    assert page.draft.path == second
    qtbot.waitUntil(lambda: page.draft.preview is not None, timeout=20000)
    page.close_draft()
    assert panel.pages.currentWidget() is panel.sources_page


def test_remove_asks_first_and_removes_only_when_confirmed(
    qtbot, window, ui_project, confirmations
) -> None:
    page = window.data_panel.sources_page
    source = page.selected_source()
    confirmations.answer = False
    assert window.data_panel.remove(source) is None
    assert confirmations.asked[-1][0] == "Remove source"
    assert "25 rows" in confirmations.asked[-1][1]
    assert [s.name for s in list_sources(ui_project)] == ["crm"]
    confirmations.answer = True
    job = window.data_panel.remove(source)
    with qtbot.waitSignal(job.sig_finished, timeout=10000):
        pass
    assert list_sources(ui_project) == []
    qtbot.waitUntil(lambda: page.body.currentWidget() is page.empty, timeout=5000)
    assert page.metrics["sources"].text() == "0"


def test_reimport_replaces_the_source_from_its_file(qtbot, window, ui_project, tmp_path) -> None:
    source = window.data_panel.sources_page.selected_source()
    write_customers(Path(source.file), 40)  # the file grew since the first import
    draft = window.data_panel.reimport(source)
    assert draft is not None
    assert draft.replace
    assert draft.name == "crm"
    page = window.data_panel.import_page
    assert page.name_edit.isReadOnly()
    assert page.heading.text().startswith("Re-import")
    qtbot.waitUntil(
        lambda: draft.preview is not None and page.import_button.isEnabled(), timeout=20000
    )
    job = page.start_import()
    with qtbot.waitSignal(job.sig_finished, timeout=30000) as blocker:
        pass
    assert blocker.args[0].replaced
    assert [(s.name, s.rows) for s in list_sources(ui_project)] == [("crm", 40)]


def test_reimport_of_a_missing_file_says_so(qtbot, window, monkeypatch) -> None:
    errors: list[str] = []
    window.ctx.show_error = lambda title, message, details="": errors.append(message)
    source = window.data_panel.sources_page.selected_source()
    Path(source.file).unlink()
    assert window.data_panel.reimport(source) is None
    assert "no longer there" in errors[0]


def test_the_data_panel_runs_on_its_own(qtbot, ui_project) -> None:
    from workbench.ui.panels.base import PanelContext
    from workbench.ui.panels.data.panel import DataPanel
    from workbench.ui.session import ProjectSession
    from workbench.ui.task_runner import TaskRunner

    runner = TaskRunner()
    session = ProjectSession()
    session.set_project(ui_project)
    panel = DataPanel(PanelContext(session, runner))
    qtbot.addWidget(panel)
    assert panel.sources_page.sources_model.rowCount() == 1
    assert panel.undo_stack().count() == 0
    session.close()
    assert panel.sources_page.sources_model.rowCount() == 0
    runner.cancel_all()
