"""The main window shows a project's sources and imports files through the task runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.conftest import write_customers
from workbench.ingest import ImportOptions, import_file
from workbench.project import Project
from workbench.project.sources import list_sources


@pytest.fixture
def project(tmp_path: Path):
    project = Project.create(tmp_path / "ui.wbproj")
    import_file(project, write_customers(tmp_path / "crm.csv", 25), ImportOptions(kind="profiles"))
    yield project
    project.close()


def test_window_lists_sources_roles_and_rows(qtbot, project) -> None:
    from workbench.ui.main_window import MainWindow

    window = MainWindow(project)
    qtbot.addWidget(window)
    assert window.windowTitle().startswith("ui")
    assert window.sources_model.rowCount() == 1
    assert window.sources_model.row(0)[:4] == ["crm", "profiles", 25, 0]
    roles = {r[0]: r[1] for r in (window.columns_model.row(i) for i in range(5))}
    assert roles["email"] == "email"
    assert roles["customer_id"] == "customer_id"
    assert window.rows_model.rowCount() == 25
    assert window.metric_widgets["profiles"].text() == "25"


def test_import_runs_off_the_gui_thread_and_refreshes(qtbot, project, tmp_path) -> None:
    from workbench.ui.main_window import MainWindow

    window = MainWindow(project)
    qtbot.addWidget(window)
    csv = write_customers(tmp_path / "web.csv", 500)
    job = window.start_import(csv, ImportOptions(kind="profiles", name="web"))
    assert job is not None
    with qtbot.waitSignal(window.runner.sig_ended, timeout=30000):
        pass
    assert {s.name for s in list_sources(project)} == {"crm", "web"}
    assert window.sources_model.rowCount() == 2
    assert window.progress.isHidden()


def test_failed_import_shows_the_engine_message(qtbot, project, tmp_path) -> None:
    from workbench.ui.main_window import MainWindow

    window = MainWindow(project)
    qtbot.addWidget(window)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    job = window.start_import(empty, ImportOptions(kind="profiles"))
    assert job is not None
    with qtbot.waitSignal(job.signals.sig_failed, timeout=30000) as blocker:
        pass
    assert "empty" in blocker.args[0]
    assert [s.name for s in list_sources(project)] == ["crm"]


def test_cancel_leaves_the_project_unchanged(qtbot, project, tmp_path) -> None:
    from workbench.ui.main_window import MainWindow

    window = MainWindow(project)
    qtbot.addWidget(window)
    csv = write_customers(tmp_path / "big.csv", 200_000)
    job = window.start_import(csv, ImportOptions(kind="profiles", name="big"))
    assert job is not None
    job.cancel()
    with qtbot.waitSignal(job.signals.sig_cancelled, timeout=60000):
        pass
    assert [s.name for s in list_sources(project)] == ["crm"]


def test_screenshot_renders(qtbot, project, tmp_path) -> None:
    from workbench.ui.main_window import MainWindow

    window = MainWindow(project)
    qtbot.addWidget(window)
    window.show()
    out = tmp_path / "shot.png"
    assert window.grab().save(str(out))
    assert out.stat().st_size > 10_000
