"""Undoable edits of an import draft (role, type, kind), for Edit > Undo / Redo."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from workbench.ui.panels.data.import_draft import ImportDraft, type_label


class SetRoleCommand(QUndoCommand):
    def __init__(self, draft: ImportDraft, column: str, role: str | None) -> None:
        super().__init__(f"Set role of {column} to {role or 'suggested'}")
        self.draft = draft
        self.column = column
        self.new = role
        self.old = draft.roles.get(column)

    def redo(self) -> None:
        self.draft.set_role(self.column, self.new)

    def undo(self) -> None:
        self.draft.set_role(self.column, self.old)


class SetTypeCommand(QUndoCommand):
    def __init__(self, draft: ImportDraft, column: str, user_type: str | None) -> None:
        label = type_label(user_type) if user_type else "automatic"
        super().__init__(f"Set type of {column} to {label}")
        self.draft = draft
        self.column = column
        self.new = user_type
        self.old = draft.types.get(column)

    def redo(self) -> None:
        self.draft.set_type(self.column, self.new)

    def undo(self) -> None:
        self.draft.set_type(self.column, self.old)


class SetKindCommand(QUndoCommand):
    """Profiles or events; role overrides that do not fit the new kind are dropped (and
    come back on undo)."""

    def __init__(self, draft: ImportDraft, kind: str) -> None:
        super().__init__(f"Import as {kind}")
        self.draft = draft
        self.new = kind
        self.old = draft.kind
        self.old_roles = dict(draft.roles)
        self.new_roles = draft.roles_valid_for(kind)

    def redo(self) -> None:
        self.draft.set_kind(self.new, self.new_roles)

    def undo(self) -> None:
        self.draft.set_kind(self.old, self.old_roles)
