"""The probabilistic model: its match threshold and, per field, comparison levels strongest
first (exact, then looser), with term-frequency weighting of rare values."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ingest.roles import LINK_KEYS
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
    number_edit,
    threshold_edit,
    tool_button,
)

MODEL: Path = ("probabilistic",)
FIELDS_PATH: Path = (*MODEL, "fields")
THRESHOLD_PATH: Path = (*MODEL, "threshold")
DEFAULT_THRESHOLD = 0.95
LEVEL_METHOD_WIDTH = 124
TF_TIP = (
    "Term-frequency adjustment: agreeing on a rare value (a rare surname) counts more than "
    "agreeing on a common one"
)


@dataclass
class FieldRow:
    """The widgets of one field of the model (a row of the fields grid)."""

    field: QComboBox
    levels: list[tuple[QComboBox, QLineEdit]]
    add_level: QPushButton
    tf: QCheckBox
    remove: QPushButton
    problem: QLabel


def level_chip(
    section: ProbabilisticSection, index: int, k: int
) -> tuple[QWidget, QComboBox, QLineEdit]:
    """method · threshold · remove of one comparison level."""
    editing = section.editing
    level = (*FIELDS_PATH, index, "levels", k)
    chip = QWidget()
    layout = QHBoxLayout(chip)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    method = method_combo(editing, (*level, "method"), (*level, "threshold"))
    method.setFixedWidth(LEVEL_METHOD_WIDTH)
    threshold = threshold_edit(editing, (*level, "threshold"), (*level, "method"))
    threshold.setFixedWidth(52)
    remove = tool_button("✕", f"Remove level {k + 1}")
    remove.clicked.connect(lambda _c=False: section.remove_level(index, k))
    for widget in (method, threshold, remove):
        layout.addWidget(widget)
    return chip, method, threshold


class ProbabilisticSection(RulesSection):
    """On or off; when on, a threshold and the fields with their levels."""

    prefix = MODEL

    def __init__(self, editing: RulesEditing, parent: QWidget | None = None) -> None:
        self.switch = QCheckBox("Probabilistic model")
        self.switch.setObjectName("sectionSwitch")
        self.switch.setToolTip("Score every candidate pair field by field (Fellegi-Sunter)")
        self.add = add_button("Add field")
        super().__init__(
            editing,
            self.switch,
            "Weights agreement on each field, learned from your data on every run.",
            [self.add],
            parent,
        )
        self._stash: dict[str, Any] | None = None
        self.switch.clicked.connect(self.set_enabled)
        self.add.clicked.connect(self.add_field)
        editing.bind(MODEL, self._show_switch)
        self.rebuild()

    def _show_switch(self, model: Any) -> None:
        self.switch.setChecked(isinstance(model, dict))
        self.add.setEnabled(isinstance(model, dict))

    def rebuild(self) -> None:
        super().rebuild()
        self.editing.bind(MODEL, self._show_switch)

    def build(self, body: QVBoxLayout) -> None:
        model = self.draft.get(MODEL)
        if not isinstance(model, dict):
            body.addWidget(
                self.empty_note("Switched off: only the match rules decide which records match.")
            )
            return
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(QLabel("Match when the probability is at least"))
        self.threshold = number_edit(self.editing, THRESHOLD_PATH, "match threshold", "0 to 1")
        self.threshold.setToolTip("A pair matches when its match probability reaches this")
        top.addWidget(self.threshold)
        problem = error_label()
        top.addWidget(problem, 1)
        top.addStretch(1)
        self.editing.errors_at(THRESHOLD_PATH, problem, self.threshold)
        body.addLayout(top)
        fields = self.draft.items(FIELDS_PATH)
        self.rows = []
        if not fields:
            body.addWidget(self.empty_note("Add the fields the model compares."))
            return
        body.addSpacing(4)
        body.addLayout(self._fields_grid(fields))

    def _fields_grid(self, fields: list[Any]) -> QGridLayout:
        """Fields as rows; their levels in columns, strongest first."""
        editing = self.editing
        width = max(len(f.get("levels") or []) for f in fields)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        grid.addWidget(caption("Field"), 0, 0)
        for k in range(width):
            grid.addWidget(caption("Strongest level" if k == 0 else "then"), 0, 1 + k)
        tf_column = width + 2
        tf_head = caption("Rare values")
        tf_head.setToolTip(TF_TIP)
        grid.addWidget(tf_head, 0, tf_column)
        for i, f in enumerate(fields):
            path = (*FIELDS_PATH, i)
            r = 1 + 2 * i
            field = field_combo(editing, (*path, "field"), "in the model")
            grid.addWidget(field, r, 0)
            levels = []
            for k in range(len(f.get("levels") or [])):
                chip, method, threshold = level_chip(self, i, k)
                grid.addWidget(chip, r, 1 + k)
                levels.append((method, threshold))
            add_level = tool_button("+", "Add a looser level")
            add_level.clicked.connect(lambda _c=False, i=i: self.add_level(i))
            grid.addWidget(add_level, r, 1 + len(levels), Qt.AlignmentFlag.AlignLeft)
            tf = check_box(editing, (*path, "tf_adjust"), "weigh more", "Weighting")
            tf.setToolTip(TF_TIP)
            grid.addWidget(tf, r, tf_column)
            remove = tool_button("✕", "Remove this field from the model")
            remove.clicked.connect(lambda _c=False, i=i: self.remove_field(i))
            grid.addWidget(remove, r, tf_column + 1)
            problem = error_label()
            grid.addWidget(problem, r + 1, 1, 1, tf_column + 1)
            editing.errors_at(path, problem, field)
            editing.errors_at((*path, "levels"), problem)
            for k, (_method, threshold) in enumerate(levels):
                editing.errors_at((*path, "levels", k), problem, threshold)
            self.rows.append(FieldRow(field, levels, add_level, tf, remove, problem))
        grid.setColumnStretch(tf_column - 1, 1)
        return grid

    # ------------------------------------------------------------------ edits
    def set_enabled(self, on: bool) -> None:
        current = self.draft.get(MODEL)
        if on and not isinstance(current, dict):
            model = self._stash or self.default_model()
            self.editing.set(MODEL, model, "Switch the probabilistic model on")
        elif not on and isinstance(current, dict):
            self._stash = copy.deepcopy(current)
            self.editing.set(MODEL, None, "Switch the probabilistic model off")

    def default_model(self) -> dict[str, Any]:
        """Exact levels on the identity keys the project has (e-mail when unknown)."""
        available = self.draft.available or {"email"}
        keys = [f for f in LINK_KEYS if f in available] or ["email"]
        return {
            "threshold": DEFAULT_THRESHOLD,
            "fields": [{"field": f, "levels": [{"method": "exact"}]} for f in keys],
        }

    def add_field(self) -> None:
        used = {f.get("field") for f in self.draft.items(FIELDS_PATH)}
        available = sorted(self.draft.available or {"email"})
        field = next((f for f in available if f not in used), available[0])
        item = {"field": field, "levels": [{"method": "exact"}], "tf_adjust": False}
        self.editing.append(FIELDS_PATH, item, f"Add {field} to the model")

    def remove_field(self, index: int) -> None:
        field = self.draft.get((*FIELDS_PATH, index, "field"))
        self.editing.remove(FIELDS_PATH, index, f"Remove {field} from the model")

    def add_level(self, index: int) -> None:
        path = (*FIELDS_PATH, index, "levels")
        level = {"method": "jaro_winkler", "threshold": 0.9}
        self.editing.append(path, level, "Add a comparison level")

    def remove_level(self, index: int, k: int) -> None:
        self.editing.remove((*FIELDS_PATH, index, "levels"), k, "Remove a comparison level")
