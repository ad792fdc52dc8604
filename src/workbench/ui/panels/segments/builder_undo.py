"""Undoable edits of the segment being built: each command swaps one whole draft for another.

Drafts are small plain dicts, so a command keeps both versions instead of knowing how to
invert each kind of edit. Successive edits of one input (typing a value, stepping a
number) merge into one command, so Undo takes back the whole value, not a keystroke.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from workbench.ui.panels.segments.builder import BuilderPage
    from workbench.ui.panels.segments.condition_draft import Draft

MERGE_ID = 6061


class DraftCommand(QUndoCommand):
    """Replace the builder's draft ``before`` with ``after``.

    ``shown``: the widgets already show ``after`` (the user just typed it), so the first
    redo only records it; later redos and undos redisplay the draft.
    """

    def __init__(
        self,
        page: BuilderPage,
        before: Draft,
        after: Draft,
        text: str,
        merge_key: str = "",
        shown: bool = False,
    ) -> None:
        super().__init__(text)
        self.page = page
        self.before = before
        self.after = after
        self.merge_key = merge_key
        self._shown = shown

    def id(self) -> int:
        return MERGE_ID if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802
        if not isinstance(other, DraftCommand) or not self.merge_key:
            return False
        if other.merge_key != self.merge_key:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.page.apply_draft(self.after, redisplay=not self._shown)
        self._shown = False

    def undo(self) -> None:
        self.page.apply_draft(self.before, redisplay=True)
