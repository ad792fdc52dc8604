"""What every step panel gets (the context) and offers (the StepPanel interface)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QWidget

from workbench.ui.dialogs import Confirm, ShowError, ask, show_error
from workbench.ui.settings import AppSettings

if TYPE_CHECKING:
    from workbench.ui.session import ProjectSession
    from workbench.ui.task_runner import TaskRunner


@dataclass
class PanelContext:
    """The app's shared services, handed to each panel (no globals, easy to fake in tests)."""

    session: ProjectSession
    runner: TaskRunner
    settings: AppSettings = field(default_factory=AppSettings)
    confirm: Confirm | None = None
    """Ask a yes/no question; None asks with a dialog over the panel."""
    show_error: ShowError | None = None
    """Show an error; None shows a dialog over the panel."""


class StepPanel(QWidget):
    """A step of the workflow. Subclasses build themselves from the context."""

    key = ""
    title = ""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("page")

    def undo_stack(self) -> QUndoStack | None:
        """The stack of this panel's edits, for Edit > Undo/Redo (None: nothing to undo)."""
        return None

    def confirm(self, title: str, question: str, accept: str) -> bool:
        if self.ctx.confirm is not None:
            return self.ctx.confirm(title, question, accept)
        return ask(self, title, question, accept)

    def error(self, title: str, message: str, details: str = "") -> None:
        if self.ctx.show_error is not None:
            self.ctx.show_error(title, message, details)
        else:
            show_error(self, title, message, details)
