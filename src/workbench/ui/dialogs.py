"""Small dialogs the whole app shares: errors with details on demand, confirmations, About.

Errors and About open window-modal but non-blocking (``open()``), so a job finishing in
the background or a test never waits on them. A confirmation must block (the caller needs
the answer), so panels receive it as a callable they can be given in tests.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from workbench import __version__

Confirm = Callable[[str, str, str], bool]
"""``confirm(title, question, accept_label) -> bool``."""

ShowError = Callable[[str, str, str], object]
"""``show_error(title, message, details)``."""


def show_error(parent: QWidget | None, title: str, message: str, details: str = "") -> QMessageBox:
    """A readable message, with the technical details behind "Show Details…"."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok)
    if parent is not None:
        box.setParent(parent, box.windowFlags())
    box.setObjectName("errorDialog")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if details:
        box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()
    return box


def ask(parent: QWidget | None, title: str, question: str, accept: str = "OK") -> bool:
    """Ask before something that cannot be undone; the default button is the safe one."""
    box = QMessageBox(QMessageBox.Icon.Question, title, question, parent=parent)
    yes = box.addButton(accept, QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(keep)
    box.exec()
    return box.clickedButton() is yes


def show_about(parent: QWidget | None) -> QMessageBox:
    box = QMessageBox(parent)
    box.setWindowTitle("About Personalization Workbench")
    box.setIconPixmap(box.windowIcon().pixmap(48, 48))
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(
        f"<h3>Personalization Workbench {__version__}</h3>"
        "<p>Prototype identity resolution, segments and decision strategies offline, on a "
        "copy of real customer data. Everything stays on this computer.</p>"
    )
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
