"""The open project as UI state: panels subscribe to it instead of owning the project.

Opening, creating and closing go through here, so every panel hears about a change the
same way and an unusable file (locked, newer, damaged, not a project) is reported with
the engine's own message while the app keeps running on what it had.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from workbench.project import Project
from workbench.project.errors import WorkbenchError
from workbench.ui.settings import AppSettings
from workbench.ui.signals import emit


class ProjectSession(QObject):
    """Holds the one open project (or none) and announces changes to it."""

    sig_project_changed = Signal(object)
    """A project was opened (the Project) or closed (None)."""
    sig_about_to_close = Signal(object)
    """The project is about to close: drop views and anything reading from it."""
    sig_sources_changed = Signal(str)
    """Sources were imported or removed; the argument is a source to select ('' for none)."""
    sig_identity_changed = Signal(str)
    """An identity run finished and is now current (its run id): profiles and events changed."""
    sig_segments_changed = Signal(str)
    """A segment definition was saved, renamed or deleted (its name; '' for several)."""
    sig_error = Signal(str, str, str)
    """A project could not be opened or created: title, message, details."""

    def __init__(self, settings: AppSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings or AppSettings()
        self.project: Project | None = None

    @property
    def name(self) -> str:
        return self.project.name if self.project is not None else ""

    def open(self, path: str | Path) -> bool:
        """Open ``path``; on failure say why (the current project stays open)."""
        path = Path(path)
        if self.project is not None and self.project.path.resolve() == path.resolve():
            return True  # already open here
        try:
            project = Project.open(path)
        except WorkbenchError as exc:
            emit(self.sig_error, "Could not open the project", str(exc), "")
            return False
        self.set_project(project)
        return True

    def create(self, path: str | Path, name: str | None = None) -> bool:
        path = Path(path)
        if path.suffix != ".wbproj":
            path = path.with_name(path.name + ".wbproj")
        try:
            project = Project.create(path, name=name)
        except WorkbenchError as exc:
            emit(self.sig_error, "Could not create the project", str(exc), "")
            return False
        self.set_project(project)
        return True

    def set_project(self, project: Project | None) -> None:
        """Switch to ``project`` (closing the current one first)."""
        if self.project is project:
            return
        self.close(announce=project is None)
        self.project = project
        if project is not None:
            self.settings.add_recent(project.path)
            emit(self.sig_project_changed, project)

    def close(self, announce: bool = True) -> None:
        """Close the project (checkpointed, lock released)."""
        if self.project is None:
            return
        project = self.project
        emit(self.sig_about_to_close, project)
        self.project = None
        project.close()
        if announce:
            emit(self.sig_project_changed, None)

    def sources_changed(self, select: str = "") -> None:
        emit(self.sig_sources_changed, select)

    def identity_changed(self, run_id: str) -> None:
        emit(self.sig_identity_changed, run_id)

    def segments_changed(self, name: str = "") -> None:
        emit(self.sig_segments_changed, name)
