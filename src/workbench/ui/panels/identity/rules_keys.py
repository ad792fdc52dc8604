"""Identity keys (priority, unique) and the normalisers of each field the rule set uses."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from workbench.identity.normalize import DEFAULT_NORMALIZERS
from workbench.identity.ruleset import NORMALIZERS
from workbench.ingest.roles import LINK_KEYS
from workbench.ui.panels.identity.rules_binding import RulesEditing
from workbench.ui.panels.identity.rules_draft import DELETE, Path
from workbench.ui.panels.identity.rules_section import RulesSection
from workbench.ui.panels.identity.rules_widgets import (
    add_button,
    caption,
    check_box,
    error_label,
    field_combo,
    spin_box,
    tool_button,
)

KEYS: Path = ("keys",)
NORMALIZERS_PATH: Path = ("normalizers",)


class KeysSection(RulesSection):
    """Fields that identify a person on their own, most trusted first."""

    prefix = KEYS

    def __init__(self, editing: RulesEditing, parent: QWidget | None = None) -> None:
        self.add = add_button("Add key")
        super().__init__(
            editing,
            "Identity keys",
            "Fields that identify a person alone; 1 is the most trusted.",
            [self.add],
            parent,
        )
        self.add.clicked.connect(self.add_key)
        self.rebuild()

    def build(self, body: QVBoxLayout) -> None:
        keys = self.draft.items(KEYS)
        if not keys:
            body.addWidget(self.empty_note("No identity keys: add e-mail or a customer id."))
            return
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        grid.addWidget(caption("Field"), 0, 0)
        grid.addWidget(caption("Priority"), 0, 1)
        grid.addWidget(caption("Different values"), 0, 2)
        for i, _key in enumerate(keys):
            path = (*KEYS, i)
            field = field_combo(self.editing, (*path, "field"), "as an identity key")
            priority = spin_box(self.editing, (*path, "priority"), "priority", 1, 9, 1)
            priority.setFixedWidth(64)
            unique = check_box(self.editing, (*path, "unique"), "two people", "Unique key")
            unique.setToolTip(
                "Two different values mean two different people (a customer id): records "
                "with different values never share a profile"
            )
            remove = tool_button("✕", "Remove this key")
            remove.clicked.connect(lambda _c=False, i=i: self._remove(i))
            row = 1 + 2 * i
            grid.addWidget(field, row, 0)
            grid.addWidget(priority, row, 1)
            grid.addWidget(unique, row, 2)
            grid.addWidget(remove, row, 3)
            problem = error_label()
            grid.addWidget(problem, row + 1, 0, 1, 4)
            self.editing.errors_at(path, problem, field, priority)
        grid.setColumnStretch(2, 1)
        body.addLayout(grid)

    def add_key(self) -> None:
        used = {k.get("field") for k in self.draft.items(KEYS)}
        available = self.draft.available or set(LINK_KEYS)
        field = next(
            (f for f in LINK_KEYS if f not in used and f in available),
            next((f for f in LINK_KEYS if f not in used), LINK_KEYS[0]),
        )
        priority = max((int(k.get("priority") or 1) for k in self.draft.items(KEYS)), default=0)
        item = {"field": field, "priority": priority + 1, "unique": field == "customer_id"}
        self.editing.append(KEYS, item, f"Add identity key {field}")

    def _remove(self, index: int) -> None:
        field = self.draft.get((*KEYS, index, "field"))
        self.editing.remove(KEYS, index, f"Remove identity key {field}")


def normalizer_text(names: Any) -> str:
    return ", ".join(names) if isinstance(names, list) else ""


def parse_normalizers(text: str) -> Any:
    """A list of names, or DELETE for the engine's default (empty text)."""
    names = [n.strip() for n in text.replace(";", ",").split(",") if n.strip()]
    return names or DELETE


class NormalizersSection(RulesSection):
    """How each used field is cleaned before comparing; empty means the engine's default."""

    prefix = NORMALIZERS_PATH

    def __init__(self, editing: RulesEditing, parent: QWidget | None = None) -> None:
        super().__init__(
            editing,
            "Normalisers",
            "Applied in order before comparing. Leave empty for the default.",
            parent=parent,
        )
        self.setToolTip("Known normalisers: " + ", ".join(NORMALIZERS))
        self._fields: list[str] = []
        self.draft.sig_validated.connect(self._maybe_rebuild)
        self.rebuild()

    def _maybe_rebuild(self) -> None:
        """Rows follow the fields the rule set uses (a field choice changes them)."""
        if self.draft.fields_used() != self._fields:
            self.rebuild()

    def build(self, body: QVBoxLayout) -> None:
        self._fields = self.draft.fields_used()
        if not self._fields:
            body.addWidget(self.empty_note("The rule set uses no fields yet."))
            return
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        for i, field in enumerate(self._fields):
            path = (*NORMALIZERS_PATH, field)
            name = QLabel(field)
            name.setMinimumWidth(96)
            edit = QLineEdit(placeholderText=", ".join(DEFAULT_NORMALIZERS.get(field, [])))
            edit.setToolTip("Known normalisers: " + ", ".join(NORMALIZERS))
            self.editing.bind(path, lambda value, e=edit: _show(e, value))
            edit.textEdited.connect(
                lambda text, p=path, f=field: self.editing.set(
                    p, parse_normalizers(text), f"Normalise {f}", merge=True
                )
            )
            problem = error_label()
            row, column = 2 * (i // 2), 3 * (i % 2)  # two columns of fields
            grid.addWidget(name, row, column)
            grid.addWidget(edit, row, column + 1)
            grid.addWidget(problem, row + 1, column + 1)
            self.editing.errors_at(path, problem, edit)
        grid.setColumnMinimumWidth(2, 16)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(4, 1)
        body.addLayout(grid)


def _show(edit: QLineEdit, value: Any) -> None:
    if parse_normalizers(edit.text()) != (value if isinstance(value, list) else DELETE):
        edit.setText(normalizer_text(value))
