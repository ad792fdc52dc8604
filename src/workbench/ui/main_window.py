"""The main window: the welcome screen, or a project's workflow steps with their panels.

It owns the shared services (session, task runner, settings) and wires them to panels made
from the step registry; the panels do the work.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QUndoGroup
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from workbench.identity.runs import current_run_summary
from workbench.project import Project
from workbench.ui.dialogs import Confirm, ask, show_about, show_error
from workbench.ui.job_bar import JobBar
from workbench.ui.menus import build_menus
from workbench.ui.navigation import StepNavigator, app_icon
from workbench.ui.panels.base import PanelContext, StepPanel
from workbench.ui.panels.data.panel import DataPanel, local_files
from workbench.ui.panels.registry import KEYS, create_panel, step
from workbench.ui.preferences import PreferencesDialog
from workbench.ui.session import ProjectSession
from workbench.ui.settings import AppSettings
from workbench.ui.task_runner import Job, TaskRunner
from workbench.ui.theme import ThemeManager
from workbench.ui.welcome import WelcomePage

APP_TITLE = "Personalization Workbench"
WELCOME, WORKSPACE = 0, 1
NO_IDENTITY_RUN = "Identity: no identity run yet"


def human_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return f"{size} bytes"


class MainWindow(QMainWindow):
    """One window per app: the welcome screen or an open project's steps."""

    def __init__(
        self,
        project: Project | None = None,
        settings: AppSettings | None = None,
        themes: ThemeManager | None = None,
    ) -> None:
        super().__init__()
        self.setWindowIcon(app_icon())
        self.settings = settings or AppSettings()
        self.themes = themes
        self.runner = TaskRunner(self)
        self.session = ProjectSession(self.settings, self)
        self.confirm: Confirm | None = None
        """Ask a yes/no question; None asks with a dialog (tests set a function)."""
        self.ctx = PanelContext(
            self.session, self.runner, self.settings, self._confirm, self._show_error
        )
        self.undo_group = QUndoGroup(self)
        self.panels: dict[str, StepPanel] = {}
        self._build()
        self.actions = build_menus(self)
        self.session.sig_project_changed.connect(self._project_changed)
        self.session.sig_sources_changed.connect(lambda _s: self._update_status())
        self.session.sig_identity_changed.connect(lambda _r: self._update_status())
        self.session.sig_error.connect(self._show_error)
        self.runner.sig_failed.connect(lambda job, m, d: self._show_error(job.label, m, d))
        self.setAcceptDrops(True)
        geometry = self.settings.geometry("main")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1360, 860)
        self._project_changed(None)
        if project is not None:
            self.session.set_project(project)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        self.pages = QStackedWidget()
        self.welcome = WelcomePage()
        self.welcome.sig_new.connect(self.new_project_dialog)
        self.welcome.sig_open.connect(self.open_project_dialog)
        self.welcome.sig_demo.connect(self.open_demo)
        self.welcome.sig_open_path.connect(self.open_path)
        self.pages.addWidget(self.welcome)
        workspace = QWidget()
        row = QHBoxLayout(workspace)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        self.navigator = StepNavigator()
        self.navigator.sig_step_chosen.connect(self.show_step)
        row.addWidget(self.navigator)
        self.steps = QStackedWidget(objectName="steps")
        row.addWidget(self.steps, 1)
        self.pages.addWidget(workspace)
        self.setCentralWidget(self.pages)

        bar = self.statusBar()
        bar.setSizeGripEnabled(False)
        self.status_project = QLabel("")
        self.status_identity = QLabel(NO_IDENTITY_RUN)
        self.job_bar = JobBar(self.runner)
        bar.addWidget(self.status_project)
        bar.addWidget(self.status_identity)
        bar.addPermanentWidget(self.job_bar)

    # ------------------------------------------------------------------- steps
    def panel(self, key: str) -> StepPanel:
        """The panel of step ``key``, made on first use."""
        if key not in self.panels:
            panel = create_panel(step(key), self.ctx)
            self.panels[key] = panel
            self.steps.addWidget(panel)
            stack = panel.undo_stack()
            if stack is not None:
                self.undo_group.addStack(stack)
            if isinstance(panel, DataPanel):
                panel.sig_message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        return self.panels[key]

    @property
    def data_panel(self) -> DataPanel:
        panel = self.panel("data")
        assert isinstance(panel, DataPanel)
        return panel

    def show_step(self, key: str) -> StepPanel | None:
        if self.session.project is None or key not in KEYS:
            return None
        panel = self.panel(key)
        self.steps.setCurrentWidget(panel)
        self.navigator.set_current(key)
        self.undo_group.setActiveStack(panel.undo_stack())
        self.settings.set_last_step(key)
        return panel

    def current_step(self) -> str:
        return self.navigator.current()

    # ----------------------------------------------------------------- project
    def _project_changed(self, project: Project | None) -> None:
        self.pages.setCurrentIndex(WORKSPACE if project is not None else WELCOME)
        for action in self.actions.needs_project():
            action.setEnabled(project is not None)
        if project is None:
            self.setWindowTitle(APP_TITLE)
            self.welcome.set_recent(self.settings.recent_projects())
            self.undo_group.setActiveStack(None)
        else:
            self.setWindowTitle(f"{project.name} — {APP_TITLE}")
            self.navigator.set_project_name(project.name)
            self.data_panel  # noqa: B018 - the Data panel listens from the first project on
            last = self.settings.last_step()
            self.show_step(last if last in KEYS else "data")
        self._update_status()

    def _update_status(self) -> None:
        project = self.session.project
        if project is None:
            self.status_project.setText("No project open")
            self.status_identity.setVisible(False)
            return
        where = project.path.resolve()
        self.status_project.setText(f"{where}  ·  {human_size(project.file_size())}")
        self.status_project.setToolTip(str(where))
        run = current_run_summary(project)
        self.status_identity.setText(
            NO_IDENTITY_RUN
            if run is None
            else f"Identity: {run['run_id']} · {run['profiles']:,} profiles "
            f"from {run['records']:,} records"
        )
        self.status_identity.setVisible(True)

    def open_path(self, path: Path) -> bool:
        if not self._may_leave_project():
            return False
        return self.session.open(path)

    def create_project(self, path: Path) -> bool:
        if not self._may_leave_project():
            return False
        return self.session.create(path)

    def close_project(self) -> bool:
        if not self._may_leave_project():
            return False
        self.session.close()
        return True

    def open_demo(self, path: Path | None = None) -> Job | None:
        """Open the demo retail project, generating it first if needed (a job)."""
        if not self._may_leave_project():
            return None
        # The sample generator pulls in pandas: load it when asked, not at start-up.
        from workbench.sample.demo_project import ensure_demo_project  # noqa: PLC0415

        job = self.runner.start(
            "Preparing the demo project", lambda task: ensure_demo_project(path, task=task)
        )
        job.sig_finished.connect(self.session.open)
        return job

    def _may_leave_project(self) -> bool:
        """Ask before cancelling work the user would lose; True when nothing runs any more."""
        if not self.runner.busy():
            return True
        work = self.runner.foreground_jobs()
        if work and not self._confirm(
            "A job is running",
            f"'{work[-1].label}' is still running. Cancel it? The project stays as it was "
            "before the job.",
            "Cancel the job",
        ):
            return False
        return self.runner.cancel_all()

    # ---------------------------------------------------------------- dialogs
    def new_project_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "New project", str(Path.home() / "project.wbproj"), "Projects (*.wbproj)"
        )
        if path:
            self.create_project(Path(path))

    def open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", "Projects (*.wbproj)")
        if path:
            self.open_path(Path(path))

    def import_files_dialog(self) -> None:
        if self.session.project is not None:
            self.show_step("data")
            self.data_panel.pick_files()

    def show_preferences(self) -> PreferencesDialog:
        dialog = PreferencesDialog(self.settings, self.themes, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _r: self._sync_theme_actions())
        dialog.open()
        return dialog

    def set_theme(self, preference: str) -> None:
        self.settings.theme = preference
        if self.themes is not None:
            self.themes.apply(preference)
        self._sync_theme_actions()

    def _sync_theme_actions(self) -> None:
        for key, action in self.actions.themes.items():
            action.setChecked(key == self.settings.theme)

    def show_about(self) -> QMessageBox:
        return show_about(self)

    def show_shortcuts(self) -> QMessageBox:
        lines = [
            ("Ctrl+N / Ctrl+O", "new / open project"),
            ("Ctrl+I", "import files"),
            ("Ctrl+1 … Ctrl+5", "go to a step"),
            ("Ctrl+Z / Ctrl+Shift+Z", "undo / redo an edit"),
            ("Ctrl+W", "close the project"),
            ("Ctrl+,", "preferences"),
            ("Ctrl+Q", "quit"),
        ]
        box = QMessageBox(self)
        box.setWindowTitle("Keyboard shortcuts")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(
            "<table cellpadding=3>"
            + "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in lines)
            + "</table>"
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def _confirm(self, title: str, question: str, accept: str) -> bool:
        if self.confirm is not None:
            return self.confirm(title, question, accept)
        return ask(self, title, question, accept)

    def _show_error(self, title: str, message: str, details: str = "") -> None:
        show_error(self, title, message, details)

    # ------------------------------------------------------------------ drops
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if local_files(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        files = local_files(event)
        projects = [f for f in files if f.suffix == ".wbproj"]
        if projects:
            self.open_path(projects[0])
        elif files and self.session.project is not None:
            self.show_step("data")
            self.data_panel.begin_import(files)
        elif files:
            self._show_error(
                "No project open",
                "Create or open a project first, then drop data files on the window to import "
                "them.",
            )
        event.acceptProposedAction()

    # ------------------------------------------------------------------ close
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._may_leave_project():
            event.ignore()
            return
        self.settings.set_geometry("main", self.saveGeometry())
        self.session.close(announce=False)
        self.settings.sync()
        event.accept()
