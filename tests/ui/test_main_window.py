"""The main window: welcome screen, steps, status bar, menus, project errors, closing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.ui.conftest import write_customers
from workbench.project import Project
from workbench.project.sources import list_sources


def error_boxes(window):
    from PySide6.QtWidgets import QMessageBox

    return [b for b in window.findChildren(QMessageBox) if b.objectName() == "errorDialog"]


def test_without_a_project_the_welcome_screen_offers_the_ways_in(make_window) -> None:
    from workbench.ui.main_window import WELCOME

    window = make_window()
    assert window.pages.currentIndex() == WELCOME
    assert window.windowTitle() == "Personalization Workbench"
    tiles = [window.welcome.new_tile, window.welcome.open_tile, window.welcome.demo_tile]
    assert [t.accessibleName() for t in tiles] == [
        "New project…",
        "Open project…",
        "Open the demo project",
    ]
    assert window.welcome.recent_empty.isVisibleTo(window.welcome)
    assert not window.actions.import_files.isEnabled()
    assert window.show_step("data") is None


def test_an_open_project_shows_its_name_path_size_and_identity_run(make_window, ui_project) -> None:
    from workbench.ui.main_window import WORKSPACE

    window = make_window(ui_project)
    assert window.pages.currentIndex() == WORKSPACE
    assert window.windowTitle() == "ui — Personalization Workbench"
    assert str(ui_project.path) in window.status_project.text()
    assert "KB" in window.status_project.text() or "MB" in window.status_project.text()
    assert window.status_identity.text() == "Identity: no identity run yet"
    assert window.navigator.project_label.text() == "ui"


def test_the_status_bar_shows_the_current_identity_run(make_window, ui_project) -> None:
    from workbench.identity.pipeline import resolve

    report = resolve(ui_project)
    window = make_window(ui_project)
    text = window.status_identity.text()
    assert report.run_id in text
    assert f"{report.profiles:,} profiles" in text
    assert "from 25 records" in text


def test_every_step_is_present_and_unbuilt_ones_say_so(make_window, ui_project) -> None:
    from PySide6.QtWidgets import QLabel, QPushButton

    from workbench.ui.panels.registry import STEPS

    window = make_window(ui_project)
    assert [s.key for s in STEPS] == ["data", "identity", "segments", "decisions", "export"]
    assert list(window.navigator.buttons) == [s.key for s in STEPS]
    for number, spec in enumerate(STEPS, start=1):
        window.actions.steps[spec.key].trigger()
        assert window.current_step() == spec.key
        assert window.actions.steps[spec.key].shortcut().toString() == f"Ctrl+{number}"
        if spec.ready:
            continue
        panel = window.panels[spec.key]
        texts = [label.text() for label in panel.findChildren(QLabel)]
        assert "Not built yet" in texts
        assert any("This step will let you" in t for t in texts)
        assert panel.findChildren(QPushButton) == []  # nothing pretends to work
    window.navigator.buttons["data"].click()
    assert window.current_step() == "data"


def test_menus_carry_the_usual_commands_and_shortcuts(make_window) -> None:
    from PySide6.QtGui import QKeySequence

    window = make_window()
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&View", "&Help"]
    a = window.actions
    assert a.new.shortcut() == QKeySequence(QKeySequence.StandardKey.New)
    assert a.open.shortcut() == QKeySequence(QKeySequence.StandardKey.Open)
    assert a.close_project.shortcut() == QKeySequence(QKeySequence.StandardKey.Close)
    assert a.quit.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)
    assert not a.preferences.shortcut().isEmpty()
    help_items = [x.text() for x in window.menuBar().actions()[3].menu().actions()]
    assert "&About Workbench" in help_items
    about = window.show_about()
    assert "Personalization Workbench" in about.text()
    about.close()


def test_recent_projects_and_geometry_persist(qtbot, make_window, ui_project, tmp_path) -> None:
    from workbench.ui.settings import AppSettings

    window = make_window(ui_project)
    window.resize(711, 477)
    assert window.close()
    assert AppSettings().recent_projects() == [ui_project.path.resolve()]
    again = make_window()
    assert again.size().width() == 711
    assert again.welcome.recent_list.count() == 1
    item = again.welcome.recent_list.item(0)
    again.welcome._activated(item)
    assert again.session.project is not None
    assert again.session.project.path == ui_project.path
    assert again.open_path(ui_project.path)  # opening it again keeps it open
    assert error_boxes(again) == []


def test_a_locked_project_is_refused_with_a_clear_message(
    make_window, ui_project, tmp_path
) -> None:
    other = tmp_path / "other.wbproj"
    Project.create(other).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                "print('ready', flush=True); sys.stdin.read()"
            ),
            str(other),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        window = make_window(ui_project)
        assert not window.open_path(other)
        (box,) = error_boxes(window)
        assert "open in another program" in box.text()
        assert window.session.project is ui_project  # still usable, on what it had
        assert list_sources(ui_project)
    finally:
        holder.communicate("", timeout=10)


@pytest.mark.parametrize("damage", ["newer", "damaged", "not a project"])
def test_newer_damaged_or_foreign_files_are_refused(make_window, tmp_path, damage) -> None:
    path = tmp_path / "bad.wbproj"
    if damage == "newer":
        Project.create(path).close()
        with duckdb.connect(str(path)) as con:
            con.execute("UPDATE meta.project SET value = '99' WHERE key = 'format_version'")
        expected = "newer"
    elif damage == "damaged":
        Project.create(path).close()
        data = bytearray(path.read_bytes())
        data[4096:] = b"\xff" * (len(data) - 4096)
        path.write_bytes(bytes(data))
        expected = "damaged"
    else:
        path.write_text("name,email\nAnn,ann@example.com\n", encoding="utf-8")
        expected = "not a Workbench project"
    window = make_window()
    assert not window.open_path(path)
    (box,) = error_boxes(window)
    assert expected in box.text()
    assert window.session.project is None
    window.create_project(tmp_path / "fresh.wbproj")  # the app stays usable
    assert window.session.project is not None


def test_job_errors_show_a_readable_message_with_details_on_demand(qtbot, make_window) -> None:
    from workbench.project.errors import ProjectError

    window = make_window()

    def fail(_task):
        raise ProjectError("customers.csv, line 12: the file ends inside a quoted value")

    job = window.runner.start("Importing customers.csv", fail)
    with qtbot.waitSignal(job.sig_failed, timeout=5000):
        pass
    (box,) = error_boxes(window)
    assert box.text() == "customers.csv, line 12: the file ends inside a quoted value"
    assert box.windowTitle() == "Importing customers.csv"
    assert "Traceback" in box.detailedText()


def test_closing_during_a_job_asks_then_cancels_cleanly(
    qtbot, make_window, ui_project, tmp_path, confirmations
) -> None:
    window = make_window(ui_project)
    window.show()
    panel = window.data_panel
    csv = write_customers(tmp_path / "big.csv", 200_000)
    draft = panel.begin_import([csv])
    qtbot.waitUntil(lambda: draft.preview is not None, timeout=20000)
    job = panel.import_page.start_import()
    assert job is not None
    confirmations.answer = False
    assert not window.close()
    assert window.isVisible()
    assert confirmations.asked[-1][0] == "A job is running"
    assert not job.cancel_requested()
    confirmations.answer = True
    assert window.close()
    assert job.cancel_requested()
    assert not window.runner.pool.activeThreadCount()
    assert window.session.project is None
    with Project.open(ui_project.path) as reopened:
        assert [s.name for s in list_sources(reopened)] == ["crm"]


def test_close_project_returns_to_the_welcome_screen(make_window, ui_project) -> None:
    from workbench.ui.main_window import WELCOME

    window = make_window(ui_project)
    window.actions.close_project.trigger()
    assert window.pages.currentIndex() == WELCOME
    assert window.windowTitle() == "Personalization Workbench"
    assert window.welcome.recent_list.count() == 1
    with Project.open(ui_project.path):  # closed and unlocked
        pass


def test_dropping_a_project_file_opens_it(make_window, ui_project, tmp_path) -> None:
    from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    path = ui_project.path
    ui_project.close()
    window = make_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    window.dropEvent(
        QDropEvent(
            QPoint(5, 5),
            Qt.DropAction.CopyAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        )
    )
    assert window.session.project is not None
    assert window.session.project.path == path


@pytest.mark.slow
def test_the_demo_project_opens_from_the_welcome_screen(qtbot, make_window, tmp_path) -> None:
    window = make_window()
    job = window.open_demo(tmp_path / "demo" / "retail_demo.wbproj")
    assert job is not None
    with qtbot.waitSignal(job.sig_finished, timeout=120_000):
        pass
    assert window.session.project is not None
    assert window.windowTitle().startswith("Retail demo")
    assert len(window.data_panel.sources_page.sources) == 8


@pytest.mark.slow
@pytest.mark.parametrize("step", ["data", "identity"])
def test_the_app_renders_a_step_to_png_offscreen(ui_project, tmp_path, step) -> None:
    path = ui_project.path
    ui_project.close()
    out = tmp_path / f"{step}.png"
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench",
            "gui",
            str(path),
            "--step",
            step,
            "--screenshot",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 20_000
    from PySide6.QtGui import QImage

    assert QImage(str(out)).width() == 1360


@pytest.mark.slow
def test_a_panel_runs_on_its_own_and_renders(ui_project, tmp_path) -> None:
    path = ui_project.path
    ui_project.close()
    out = tmp_path / "panel.png"
    env = {
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-m", "workbench.ui.panels.data", str(path), "--screenshot", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 20_000
    assert Path(out).exists()


def test_closing_during_background_work_does_not_ask(
    qtbot, make_window, ui_project, confirmations
) -> None:
    from workbench.tasks import Cancelled, interrupting

    def slow_sort(task):  # stands in for a sort of a big table
        con = duckdb.connect()
        try:
            with interrupting(task, con.interrupt):
                task.progress(0.0, "Sorting")
                return con.execute("SELECT count(*) FROM range(100000000000)").fetchone()
        except duckdb.InterruptException as exc:
            raise Cancelled() from exc
        finally:
            con.close()

    window = make_window(ui_project)
    job = window.runner.start("Sorting crm", slow_sort, determinate=False, background=True)
    qtbot.waitUntil(lambda: job.message == "Sorting", timeout=5000)
    assert window.close()
    assert confirmations.asked == []
    assert job.state == "cancelled"
