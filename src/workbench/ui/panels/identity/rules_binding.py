"""Between the draft and its widgets: edits become undo commands, values and problems come back.

Widgets register the path they show (to follow undo/redo) and the paths whose problems they
show; a problem goes to the registered path that is the longest prefix of its ``loc``, so a
threshold the engine refuses is reported on its comparison row, and a rule set with nothing
to match is reported at the top.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QLabel, QWidget

from workbench.ui.panels.identity.rules_commands import (
    InsertItem,
    MoveItem,
    RemoveItem,
    ReplaceAll,
    SetValue,
)
from workbench.ui.panels.identity.rules_draft import DELETE, Path, Problem, RulesDraft

Setter = Callable[[Any], None]


class ErrorTarget:
    """Where the problems of a path are shown: a label, and widgets to outline."""

    def __init__(self, label: QLabel, widgets: tuple[QWidget, ...]) -> None:
        self.label = label
        self.widgets = widgets

    def show(self, label_problems: list[Problem], own: list[Problem]) -> None:
        """Write the label's problems (several paths may share a label); outline the
        widgets when this path has a problem of its own."""
        text = "\n".join(dict.fromkeys(p.message for p in label_problems))
        self.label.setText(text)
        self.label.setVisible(bool(text))
        for widget in self.widgets:
            if bool(widget.property("invalid")) != bool(own):
                widget.setProperty("invalid", bool(own))
                widget.style().unpolish(widget)
                widget.style().polish(widget)


class RulesEditing(QObject):
    """The one way widgets change the draft (through the undo stack)."""

    def __init__(self, draft: RulesDraft, stack: QUndoStack, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.draft = draft
        self.stack = stack
        self._setters: dict[Path, list[Setter]] = {}
        self._targets: dict[Path, ErrorTarget] = {}
        draft.sig_value_changed.connect(self._value_changed)
        draft.sig_structure_changed.connect(self._value_changed)
        draft.sig_validated.connect(self.show_problems)

    # ------------------------------------------------------------------ edits
    def set(self, path: Path, value: Any, text: str, merge: bool = False) -> None:
        if self.draft.get(path, DELETE) == value:
            return
        self.stack.push(SetValue(self.draft, path, value, text, merge))

    def insert(self, path: Path, index: int, item: Any, text: str) -> None:
        self.stack.push(InsertItem(self.draft, path, index, item, text))

    def append(self, path: Path, item: Any, text: str) -> None:
        self.insert(path, len(self.draft.items(path)), item, text)

    def remove(self, path: Path, index: int, text: str) -> None:
        self.stack.push(RemoveItem(self.draft, path, index, text))

    def move(self, path: Path, index: int, to: int, text: str) -> None:
        if 0 <= to < len(self.draft.items(path)) and to != index:
            self.stack.push(MoveItem(self.draft, path, index, to, text))

    def replace(self, data: dict[str, Any], text: str) -> None:
        self.stack.push(ReplaceAll(self.draft, data, text))

    @contextlib.contextmanager
    def macro(self, text: str) -> Iterator[None]:
        """Several edits as one undo step."""
        self.stack.beginMacro(text)
        try:
            yield
        finally:
            self.stack.endMacro()

    # --------------------------------------------------------------- bindings
    def bind(self, path: Path, setter: Setter) -> None:
        """Show the value at ``path`` now and after every change of it."""
        self._setters.setdefault(path, []).append(setter)
        setter(self.draft.get(path))

    def errors_at(self, path: Path, label: QLabel, *widgets: QWidget) -> None:
        """Show the problems at ``path`` (and below it, unless a deeper path claims them)."""
        label.hide()
        self._targets[path] = ErrorTarget(label, widgets)

    def forget(self, prefix: Path) -> None:
        """Drop bindings under ``prefix`` (its widgets are about to be rebuilt)."""
        n = len(prefix)
        self._setters = {p: s for p, s in self._setters.items() if p[:n] != prefix}
        self._targets = {p: t for p, t in self._targets.items() if p[:n] != prefix or p == ()}

    def _value_changed(self, path: Path) -> None:
        for key, setters in list(self._setters.items()):
            if key[: len(path)] == path:
                value = self.draft.get(key)
                for setter in setters:
                    setter(value)

    def show_problems(self) -> None:
        own: dict[Path, list[Problem]] = {p: [] for p in self._targets}
        for problem in self.draft.problems:
            target = self.target_of(problem.loc)
            if target is not None:
                own[target].append(problem)
        by_label: dict[int, list[Problem]] = {}
        for path, target in self._targets.items():
            by_label.setdefault(id(target.label), []).extend(own[path])
        for path, target in self._targets.items():
            target.show(by_label[id(target.label)], own[path])

    def target_of(self, loc: Path) -> Path | None:
        """The registered path that shows a problem at ``loc``."""
        for n in range(len(loc), -1, -1):
            if loc[:n] in self._targets:
                return loc[:n]
        return None
