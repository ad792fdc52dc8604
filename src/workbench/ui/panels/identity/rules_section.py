"""A card of the rules editor that rebuilds its rows when the items under its path change."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLayout, QVBoxLayout, QWidget

from workbench.ui.panels.identity.rules_binding import RulesEditing
from workbench.ui.panels.identity.rules_draft import Path
from workbench.ui.panels.identity.rules_widgets import error_label


def related(a: Path, b: Path) -> bool:
    """One path is under the other (or they are the same)."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def clear_layout(layout: QLayout) -> None:
    """Remove and delete every item of ``layout`` (rows are rebuilt from the draft)."""
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.deleteLater()
        elif item.layout() is not None:
            clear_layout(item.layout())
            item.layout().deleteLater()


def show_rows(layout: QLayout) -> None:
    """Show widgets just added to a visible section now, not on the next event loop turn
    (Qt's default), leaving the ones hidden on purpose (problem labels) hidden."""
    for i in range(layout.count()):
        item = layout.itemAt(i)
        widget = item.widget()
        if widget is not None:
            explicit = widget.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide)
            if not (explicit and widget.isHidden()):
                widget.show()
        elif item.layout() is not None:
            show_rows(item.layout())


class RulesSection(QFrame):
    """Title, hint, actions, a problem line for the whole section, and rows built by
    :meth:`build` (again after every structural change under :attr:`prefix`)."""

    prefix: Path = ()

    def __init__(
        self,
        editing: RulesEditing,
        title: str | QWidget,
        hint: str = "",
        actions: list[QWidget] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, objectName="card")
        self.editing = editing
        self.draft = editing.draft
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 14)
        outer.setSpacing(8)
        head = QHBoxLayout()
        head.setSpacing(8)
        head.addWidget(title if isinstance(title, QWidget) else QLabel(title, objectName="section"))
        if hint:
            self.hint = QLabel(hint, objectName="muted")
            self.hint.setWordWrap(True)
            head.addWidget(self.hint, 1)
        else:
            head.addStretch(1)
        for widget in actions or []:
            head.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(head)
        self.problem = error_label()
        outer.addWidget(self.problem)
        self.body = QVBoxLayout()
        self.body.setSpacing(6)
        outer.addLayout(self.body)
        outer.addStretch(1)
        self.draft.sig_structure_changed.connect(self._structure_changed)

    def _structure_changed(self, path: Path) -> None:
        if related(path, self.prefix):
            self.rebuild()

    def rebuild(self) -> None:
        self.editing.forget(self.prefix)
        self.editing.errors_at(self.prefix, self.problem)
        clear_layout(self.body)
        self.build(self.body)
        show_rows(self.body)
        self.editing.show_problems()

    def build(self, body: QVBoxLayout) -> None:
        raise NotImplementedError

    def empty_note(self, text: str) -> QLabel:
        label = QLabel(text, objectName="muted")
        label.setWordWrap(True)
        return label
