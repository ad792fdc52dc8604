"""Blocking rules with their candidate-pair counts, and the guardrails of clustering."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workbench.identity.blocking import BlockingCount
from workbench.identity.ruleset import CONFLICT_FIELDS, FIELDS
from workbench.ui.panels.identity.rules_binding import RulesEditing
from workbench.ui.panels.identity.rules_draft import Path
from workbench.ui.panels.identity.rules_section import RulesSection
from workbench.ui.panels.identity.rules_widgets import (
    add_button,
    caption,
    error_label,
    optional_int_edit,
    spin_box,
    text_edit,
    tool_button,
)

BLOCKING: Path = ("blocking",)
GUARDRAILS: Path = ("guardrails",)
DEFAULT_MAX_PAIRS = 50_000_000
CONFLICT_LABELS = {
    "dob": "Birth dates must agree",
    "first_name": "First names must agree",
}


def fields_button(editing: RulesEditing, path: Path) -> QPushButton:
    """The fields a blocking rule agrees on, picked from a menu of checkable fields."""
    button = QPushButton()
    button.setMinimumWidth(150)
    button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    button.setStyleSheet("text-align: left;")
    menu = QMenu(button)
    actions: dict[str, QAction] = {}
    for field in FIELDS:
        action = menu.addAction(field)
        action.setCheckable(True)
        actions[field] = action

    def show(value: Any) -> None:
        chosen = value if isinstance(value, list) else []
        button.setText(" + ".join(chosen) if chosen else "choose fields")
        button.setToolTip("Records agree on " + " and ".join(chosen) if chosen else "")
        for field, action in actions.items():
            action.setChecked(field in chosen)

    def toggled(field: str, on: bool) -> None:
        current = list(editing.draft.get(path) or [])
        new = [*current, field] if on and field not in current else current
        if not on:
            new = [f for f in current if f != field]
        editing.set(path, new, f"{'Block on' if on else 'Stop blocking on'} {field}")

    for field, action in actions.items():
        action.triggered.connect(lambda on, f=field: toggled(f, on))
    button.setMenu(menu)
    editing.bind(path, show)
    return button


class BlockingSection(RulesSection):
    """Which records are compared at all, and how many pairs each rule makes."""

    prefix = BLOCKING

    def __init__(self, editing: RulesEditing, parent: QWidget | None = None) -> None:
        self.add = add_button("Add blocking rule")
        super().__init__(
            editing,
            "Candidate pairs",
            "Records are compared only when they agree on a blocking rule.",
            [self.add],
            parent,
        )
        self.add.clicked.connect(self.add_rule)
        self.counts: list[BlockingCount] | None = None
        self._count_labels: list[QLabel] = []
        self.rebuild()

    def build(self, body: QVBoxLayout) -> None:
        rules = self.draft.items(BLOCKING)
        self._count_labels = []
        if not rules:
            body.addWidget(self.empty_note("Add a blocking rule: without one nothing is compared."))
            return
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        grid.addWidget(caption("Name"), 0, 0)
        grid.addWidget(caption("Agree on"), 0, 1)
        pairs = caption("Pairs")
        pairs.setAlignment(Qt.AlignmentFlag.AlignRight)
        grid.addWidget(pairs, 0, 2)
        for i, _rule in enumerate(rules):
            path = (*BLOCKING, i)
            name = text_edit(self.editing, (*path, "name"), "blocking rule", "name")
            fields = fields_button(self.editing, (*path, "fields"))
            count = QLabel("—", objectName="muted")
            count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            count.setMinimumWidth(92)
            self._count_labels.append(count)
            remove = tool_button("✕", "Remove this blocking rule")
            remove.clicked.connect(lambda _c=False, i=i: self._remove(i))
            row = 1 + 2 * i
            grid.addWidget(name, row, 0)
            grid.addWidget(fields, row, 1)
            grid.addWidget(count, row, 2)
            grid.addWidget(remove, row, 3)
            problem = error_label()
            grid.addWidget(problem, row + 1, 0, 1, 4)
            self.editing.errors_at(path, problem, name, fields)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        body.addLayout(grid)
        self._show_counts()

    def set_counts(self, counts: list[BlockingCount] | None) -> None:
        """Pairs per rule from the engine (None: unknown, e.g. after an edit)."""
        self.counts = counts
        self._show_counts()

    def _show_counts(self) -> None:
        limit = self.draft.get((*GUARDRAILS, "max_pairs")) or DEFAULT_MAX_PAIRS
        for i, label in enumerate(self._count_labels):
            count = self.counts[i] if self.counts is not None and i < len(self.counts) else None
            if count is None:
                label.setText("—")
                label.setObjectName("muted")
                label.setToolTip("Count candidate pairs to see how many this rule makes")
            else:
                over = isinstance(limit, int) and count.pairs > limit
                label.setText(f"{count.pairs:,}" + ("  over limit" if over else ""))
                label.setObjectName("error" if over else "")
                tip = f"{count.blocks:,} blocks"
                if count.skipped_values:
                    tip += (
                        f"; {count.skipped_values:,} values shared by too many records "
                        f"({count.skipped_records:,} records) left out"
                    )
                label.setToolTip(tip)
            label.style().unpolish(label)
            label.style().polish(label)

    def add_rule(self) -> None:
        n = len(self.draft.items(BLOCKING))
        item = {"name": f"blocking rule {n + 1}", "fields": ["email"]}
        self.editing.append(BLOCKING, item, "Add a blocking rule")

    def _remove(self, index: int) -> None:
        name = self.draft.get((*BLOCKING, index, "name"))
        self.editing.remove(BLOCKING, index, f"Remove blocking rule {name}")


class GuardrailsSection(RulesSection):
    """What keeps two people apart whatever the matches say, and the size limits."""

    prefix = GUARDRAILS

    def __init__(self, editing: RulesEditing, parent: QWidget | None = None) -> None:
        super().__init__(
            editing,
            "Guardrails",
            "Records that disagree on these never share a profile, even through a chain.",
            parent=parent,
        )
        self.rebuild()

    def build(self, body: QVBoxLayout) -> None:
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        conflicts = (*GUARDRAILS, "conflict_fields")
        row = 0
        for field in CONFLICT_FIELDS:
            box = QCheckBox(f"{CONFLICT_LABELS.get(field, field)} ({field})")
            self.editing.bind(conflicts, lambda v, b=box, f=field: b.setChecked(f in (v or [])))
            box.clicked.connect(lambda on, f=field: self._toggle_conflict(f, on))
            grid.addWidget(box, row, 0, 1, 3)
            row += 1
        problem = error_label()
        grid.addWidget(problem, row, 0, 1, 3)
        self.editing.errors_at(conflicts, problem)
        row += 1
        for key, label, widget in (
            (
                "max_profile_size",
                "Largest profile",
                optional_int_edit(
                    self.editing,
                    (*GUARDRAILS, "max_profile_size"),
                    "Set the largest profile",
                    "no limit",
                ),
            ),
            (
                "max_block_size",
                "Skip key values shared by more than",
                spin_box(
                    self.editing,
                    (*GUARDRAILS, "max_block_size"),
                    "block size",
                    2,
                    1_000_000,
                    100,
                ),
            ),
            (
                "max_pairs",
                "Pair limit per blocking rule",
                spin_box(
                    self.editing,
                    (*GUARDRAILS, "max_pairs"),
                    "pair limit",
                    1,
                    2_000_000_000,
                    DEFAULT_MAX_PAIRS,
                ),
            ),
        ):
            widget.setFixedWidth(116)
            grid.addWidget(QLabel(label), row, 0)
            grid.addWidget(widget, row, 1)
            problem = error_label()
            grid.addWidget(problem, row, 2)
            self.editing.errors_at((*GUARDRAILS, key), problem, widget)
            row += 1
        grid.setColumnStretch(2, 1)
        body.addLayout(grid)

    def _toggle_conflict(self, field: str, on: bool) -> None:
        path = (*GUARDRAILS, "conflict_fields")
        current = [f for f in self.draft.get(path) or [] if f != field]
        new = [f for f in CONFLICT_FIELDS if f in {*current, field}] if on else current
        verb = "Keep apart on" if on else "Stop keeping apart on"
        self.editing.set(path, new, f"{verb} {field}")
