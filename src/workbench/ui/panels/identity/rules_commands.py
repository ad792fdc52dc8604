"""Undoable edits of the rule-set draft: set a value, add, remove or move an item, replace all.

Typing in one field makes one undo step: consecutive text edits of the same path merge.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtGui import QUndoCommand

from workbench.ui.panels.identity.rules_draft import DELETE, Path, RulesDraft

_MERGE_ID = 0x1D5


class SetValue(QUndoCommand):
    def __init__(
        self, draft: RulesDraft, path: Path, value: Any, text: str, merge: bool = False
    ) -> None:
        super().__init__(text)
        self.draft = draft
        self.path = path
        self.new = copy.deepcopy(value)
        self.old = copy.deepcopy(draft.get(path, DELETE))
        self.merge = merge

    def redo(self) -> None:
        self.draft.set(self.path, self.new)

    def undo(self) -> None:
        self.draft.set(self.path, self.old)

    def id(self) -> int:
        return _MERGE_ID if self.merge else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if not isinstance(other, SetValue) or not other.merge or other.path != self.path:
            return False
        self.new = other.new
        return True


class InsertItem(QUndoCommand):
    def __init__(self, draft: RulesDraft, path: Path, index: int, item: Any, text: str) -> None:
        super().__init__(text)
        self.draft = draft
        self.path = path
        self.index = index
        self.item = copy.deepcopy(item)

    def redo(self) -> None:
        self.draft.insert(self.path, self.index, self.item)

    def undo(self) -> None:
        self.draft.remove(self.path, self.index)


class RemoveItem(QUndoCommand):
    def __init__(self, draft: RulesDraft, path: Path, index: int, text: str) -> None:
        super().__init__(text)
        self.draft = draft
        self.path = path
        self.index = index
        self.item = copy.deepcopy(draft.items(path)[index])

    def redo(self) -> None:
        self.draft.remove(self.path, self.index)

    def undo(self) -> None:
        self.draft.insert(self.path, self.index, self.item)


class MoveItem(QUndoCommand):
    def __init__(self, draft: RulesDraft, path: Path, index: int, to: int, text: str) -> None:
        super().__init__(text)
        self.draft = draft
        self.path = path
        self.index = index
        self.to = to

    def redo(self) -> None:
        self.draft.move(self.path, self.index, self.to)

    def undo(self) -> None:
        self.draft.move(self.path, self.to, self.index)


class ReplaceAll(QUndoCommand):
    """Load another rule set into the editor (suggested, saved, a run's)."""

    def __init__(self, draft: RulesDraft, data: dict[str, Any], text: str) -> None:
        super().__init__(text)
        self.draft = draft
        self.new = copy.deepcopy(data)
        self.old = copy.deepcopy(draft.data)

    def redo(self) -> None:
        self.draft.replace(self.new)

    def undo(self) -> None:
        self.draft.replace(self.old)
