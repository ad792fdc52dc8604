"""Deterministic match rules: each a named AND of comparisons (field, method, threshold) that
can be added, removed, moved up or down and switched off."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from workbench.ui.panels.identity.rules_binding import RulesEditing
from workbench.ui.panels.identity.rules_draft import Path
from workbench.ui.panels.identity.rules_section import RulesSection
from workbench.ui.panels.identity.rules_widgets import (
    add_button,
    caption,
    check_box,
    error_label,
    field_combo,
    method_combo,
    text_edit,
    threshold_edit,
    tool_button,
)

RULES: Path = ("rules",)
NEW_COMPARISON = {"field": "email", "method": "normalized", "threshold": None}


class ComparisonRow(QWidget):
    """field · method · threshold · remove, with the row's problem beside it."""

    def __init__(self, editing: RulesEditing, path: Path, on_remove: Callable[[], None]) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.field = field_combo(editing, (*path, "field"), "in this comparison")
        self.method = method_combo(editing, (*path, "method"), (*path, "threshold"))
        self.threshold = threshold_edit(editing, (*path, "threshold"), (*path, "method"))
        self.remove = tool_button("✕", "Remove this comparison")
        self.remove.clicked.connect(lambda _checked=False: on_remove())
        self.problem = error_label()
        for widget in (self.field, self.method, self.threshold, self.remove):
            layout.addWidget(widget)
        layout.addSpacing(6)
        layout.addWidget(self.problem, 4)
        layout.addStretch(1)
        editing.errors_at(path, self.problem, self.threshold)
        editing.errors_at((*path, "field"), self.problem, self.field)


class RuleBox(QFrame):
    """One match rule: on/off, name, order, and its comparisons."""

    def __init__(self, section: MatchRulesSection, index: int) -> None:
        super().__init__(objectName="ruleBox")
        editing = section.editing
        path = (*RULES, index)
        self.path = path
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 10, 10)
        outer.setSpacing(6)
        head = QHBoxLayout()
        head.setSpacing(8)
        self.enabled = check_box(editing, (*path, "enabled"), "", "Rule switched on")
        self.enabled.setToolTip("Switch this rule on or off")
        self.name = text_edit(editing, (*path, "name"), "rule", "rule name")
        self.up = tool_button("↑", "Move up (rules earlier in the list explain a match first)")
        self.down = tool_button("↓", "Move down")
        self.remove = tool_button("✕", "Remove this rule")
        count = len(section.draft.items(RULES))
        self.up.setEnabled(index > 0)
        self.down.setEnabled(index < count - 1)
        self.up.clicked.connect(lambda: section.move(index, index - 1))
        self.down.clicked.connect(lambda: section.move(index, index + 1))
        self.remove.clicked.connect(lambda: section.remove(index))
        head.addWidget(self.enabled)
        head.addWidget(self.name, 1)
        for button in (self.up, self.down, self.remove):
            head.addWidget(button)
        outer.addLayout(head)
        self.problem = error_label()
        outer.addWidget(self.problem)
        editing.errors_at(path, self.problem, self.name)
        editing.errors_at((*path, "comparisons"), self.problem)

        self.body = QWidget()
        rows = QVBoxLayout(self.body)
        rows.setContentsMargins(28, 0, 0, 0)
        rows.setSpacing(6)
        self.rows: list[ComparisonRow] = []
        comparisons = section.draft.items((*path, "comparisons"))
        if comparisons:
            rows.addWidget(caption("All of these hold:"))
        for j, _c in enumerate(comparisons):
            row = ComparisonRow(
                editing,
                (*path, "comparisons", j),
                lambda j=j: section.remove_comparison(index, j),
            )
            self.rows.append(row)
            rows.addWidget(row)
        self.add = add_button("Add comparison")
        self.add.clicked.connect(lambda: section.add_comparison(index))
        rows.addWidget(self.add, 0, Qt.AlignmentFlag.AlignLeft)
        outer.addWidget(self.body)
        editing.bind((*path, "enabled"), lambda on: self._dim(on is not False))

    def _dim(self, on: bool) -> None:
        self.body.setEnabled(on)
        self.name.setEnabled(on)


class MatchRulesSection(RulesSection):
    """Rules checked in order; a pair matches when any enabled rule holds."""

    prefix = RULES

    def __init__(self, editing: RulesEditing, parent: QWidget | None = None) -> None:
        self.add = add_button("Add rule")
        super().__init__(
            editing,
            "Match rules",
            "Two records match when every comparison of an enabled rule holds.",
            [self.add],
            parent,
        )
        self.add.clicked.connect(self.add_rule)
        self.boxes: list[RuleBox] = []
        self.rebuild()

    def build(self, body: QVBoxLayout) -> None:
        self.boxes = []
        rules = self.draft.items(RULES)
        if not rules:
            body.addWidget(
                self.empty_note(
                    "No deterministic rules: the probabilistic model decides every match. "
                    "Add a rule to match on exact evidence, such as the same customer id."
                )
            )
            return
        for i, _rule in enumerate(rules):
            box = RuleBox(self, i)
            self.boxes.append(box)
            body.addWidget(box)

    def add_rule(self) -> None:
        n = len(self.draft.items(RULES))
        item = {"name": f"rule {n + 1}", "enabled": True, "comparisons": [dict(NEW_COMPARISON)]}
        self.editing.append(RULES, item, "Add a match rule")

    def remove(self, index: int) -> None:
        name = self.draft.get((*RULES, index, "name"))
        self.editing.remove(RULES, index, f"Remove rule {name}")

    def move(self, index: int, to: int) -> None:
        name = self.draft.get((*RULES, index, "name"))
        self.editing.move(RULES, index, to, f"Move rule {name} {'up' if to < index else 'down'}")

    def add_comparison(self, index: int) -> None:
        path = (*RULES, index, "comparisons")
        self.editing.append(path, dict(NEW_COMPARISON), "Add a comparison")

    def remove_comparison(self, index: int, j: int) -> None:
        self.editing.remove((*RULES, index, "comparisons"), j, "Remove a comparison")
