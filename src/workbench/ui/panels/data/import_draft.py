"""An import being prepared: the file, what the user chose, and the engine's latest preview.

The draft holds only the user's choices (kind, name, role and type overrides); what the
columns *are* (inferred types, suggested roles, why) always comes from the engine's
``preview_file``, re-run after each change. The UI never decides a type itself.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from workbench.ingest import ImportOptions, Preview
from workbench.ingest.importer import source_name_for
from workbench.ingest.plan import ColumnPlan
from workbench.ingest.roles import PROFILES, roles_for
from workbench.ui.signals import emit

TYPE_CHOICES: tuple[tuple[str, str | None], ...] = (
    ("automatic", None),
    ("keep as text", "text"),
    ("integer", "integer"),
    ("decimal", "decimal"),
    ("boolean", "boolean"),
    ("date", "date"),
    ("timestamp", "timestamp"),
)
"""(label, user type) pairs offered for a column; None lets the engine infer."""


def type_label(user_type: str) -> str:
    return next((label for label, value in TYPE_CHOICES if value == user_type), user_type)


class ImportDraft(QObject):
    """The user's choices for one file, and the preview they produce."""

    sig_options_changed = Signal()
    """Kind, roles or types changed: the preview is out of date."""
    sig_preview_changed = Signal()
    """A new preview (or preview error) arrived."""

    def __init__(
        self,
        path: Path,
        kind: str = PROFILES,
        name: str | None = None,
        roles: dict[str, str] | None = None,
        event_type: str | None = None,
        replace: bool = False,
    ) -> None:
        super().__init__()
        self.path = Path(path)
        self.kind = kind
        self.name = name or source_name_for(self.path)
        self.event_type = event_type
        self.replace = replace
        self.roles: dict[str, str] = dict(roles or {})
        self.types: dict[str, str] = {}
        self.preview: Preview | None = None
        self.error = ""

    # -------------------------------------------------------------- options
    def options(self) -> ImportOptions:
        return ImportOptions(
            kind=self.kind,
            name=self.name.strip() or None,
            roles=dict(self.roles),
            types=dict(self.types),
            event_type=(self.event_type or "").strip() or None,
            replace=self.replace,
        )

    def set_role(self, column: str, role: str | None) -> None:
        """Override a column's role (None: back to the suggestion)."""
        if role is None:
            self.roles.pop(column, None)
        else:
            self.roles[column] = role
        emit(self.sig_options_changed)

    def set_type(self, column: str, user_type: str | None) -> None:
        """Override a column's type (None: let the engine infer it)."""
        if user_type is None:
            self.types.pop(column, None)
        else:
            self.types[column] = user_type
        emit(self.sig_options_changed)

    def set_kind(self, kind: str, roles: dict[str, str]) -> None:
        self.kind = kind
        self.roles = dict(roles)
        emit(self.sig_options_changed)

    def roles_valid_for(self, kind: str) -> dict[str, str]:
        """The role overrides that still make sense for ``kind``."""
        allowed = roles_for(kind)
        return {c: r for c, r in self.roles.items() if r in allowed}

    # -------------------------------------------------------------- preview
    def set_preview(self, preview: Preview) -> None:
        self.preview = preview
        self.error = ""
        emit(self.sig_preview_changed)

    def set_error(self, message: str) -> None:
        self.error = message
        emit(self.sig_preview_changed)

    def columns(self) -> list[ColumnPlan]:
        return list(self.preview.columns) if self.preview is not None else []

    def role_of(self, plan: ColumnPlan) -> str:
        return self.roles.get(plan.name, self.roles.get(plan.original_name, plan.role))

    def role_overridden(self, plan: ColumnPlan) -> bool:
        return plan.name in self.roles or plan.original_name in self.roles

    def user_type(self, plan: ColumnPlan) -> str | None:
        return self.types.get(plan.name, self.types.get(plan.original_name))

    def type_text(self, plan: ColumnPlan) -> str:
        chosen = self.user_type(plan)
        return type_label(chosen) if chosen is not None else plan.type.label
