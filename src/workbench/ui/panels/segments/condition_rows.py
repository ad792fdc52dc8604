"""One condition as a row that reads like a sentence, with move and remove at its right.

Every row edits a plain dict in the shape of its model class and announces each edit with
the new dict; the tree above turns that into an undoable change of the whole definition.
This module holds the row frame and the simple kinds (attribute, metric, segment, random
split); behaviour rows live in ``condition_event_rows``.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.panels.segments.condition_defaults import (
    METRIC_NAMES,
    UNIT_WORDS,
    metric_label,
    metric_unit,
)
from workbench.ui.panels.segments.condition_draft import KIND_LABELS, Path, profile_fields
from workbench.ui.panels.segments.condition_value_test import ValueTestEditor
from workbench.ui.panels.segments.condition_widgets import (
    FlowLine,
    NumberTestEditor,
    int_spin,
    picker,
    words,
)
from workbench.ui.signals import emit

if TYPE_CHECKING:
    from workbench.segments.catalog import Catalog
    from workbench.ui.panels.segments.condition_values import ValueSource


@dataclass
class EditorEnv:
    """What the pickers know about the data, shared by every row of the editor."""

    catalog: Catalog
    values: ValueSource
    today: dt.date
    """The as-of date: default for date pickers and new windows."""
    segments: list[str] = field(default_factory=list)
    """Other saved segments (for membership conditions)."""


def action_button(text: str, tip: str, name: str = "rowAction") -> QToolButton:
    button = QToolButton(objectName=name)
    button.setText(text)
    button.setToolTip(tip)
    button.setAutoRaise(True)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


class ConditionRow(QFrame):
    """The frame of a condition: its kind, its sentence, its actions, its error."""

    sig_edited = Signal(object, str)
    """The condition's new dict, and a key for merging successive edits ('' never merges)."""
    sig_remove = Signal()
    """The user removes this condition."""
    sig_move = Signal(int)
    """Move up (-1) or down (+1) within the group."""

    def __init__(self, cond: dict, env: EditorEnv, path: Path) -> None:
        super().__init__(objectName="conditionRow")
        self.cond = copy.deepcopy(cond)
        self.env = env
        self.path = path
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 8, 8)
        outer.setSpacing(6)
        top = QHBoxLayout()
        top.setSpacing(10)
        self.chip = QLabel(KIND_LABELS.get(cond.get("type", ""), ""), objectName="chip")
        self.chip.setFixedSize(118, 28)
        self.chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
        top.addWidget(self.chip, 0, Qt.AlignmentFlag.AlignTop)
        self.body = QVBoxLayout()
        self.body.setSpacing(6)
        top.addLayout(self.body, 1)
        self.up = action_button("↑", "Move up")
        self.down = action_button("↓", "Move down")
        self.remove = action_button("✕", "Remove this condition")
        self.up.clicked.connect(lambda: emit(self.sig_move, -1))
        self.down.clicked.connect(lambda: emit(self.sig_move, 1))
        self.remove.clicked.connect(lambda: emit(self.sig_remove))
        for button in (self.up, self.down, self.remove):
            top.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)
        self.error = QLabel(objectName="rowError")
        self.error.setWordWrap(True)
        self.error.setContentsMargins(128, 0, 0, 0)
        self.error.hide()
        outer.addWidget(self.error)
        self.lines: list[QWidget] = []
        self._build()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        for line in self.lines:
            line.hide()
            line.deleteLater()
        self.lines = []
        self.fill()

    def line(self) -> FlowLine:
        """A new line of the sentence (the first holds the main clause); it wraps."""
        line = FlowLine()
        self.body.addWidget(line)
        self.lines.append(line)
        return line

    def fill(self) -> None:
        raise NotImplementedError

    def set_condition(self, cond: dict) -> None:
        """Show ``cond`` (after undo or redo); rebuilds only when it differs."""
        if cond != self.cond:
            self.cond = copy.deepcopy(cond)
            self._build()

    def set_position(self, index: int, count: int) -> None:
        self.up.setEnabled(index > 0)
        self.down.setEnabled(index < count - 1)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
        self.setProperty("invalid", bool(message))
        self.style().unpolish(self)
        self.style().polish(self)

    # ------------------------------------------------------------------ edits
    def edit(self, key: str, value: object, merge: str = "", rebuild: bool = False) -> None:
        self.cond = dict(self.cond, **{key: copy.deepcopy(value)})
        if rebuild:
            self._build()
        emit(self.sig_edited, copy.deepcopy(self.cond), merge)


class AttributeRow(ConditionRow):
    """``[loyalty_tier ▾] [is ▾] [gold]``."""

    def fill(self) -> None:
        line = self.line()
        test = {k: v for k, v in self.cond.items() if k != "type"}
        self.editor = ValueTestEditor(
            test,
            profile_fields(self.env.catalog),
            self.env.values,
            ("profiles", ""),
            self.env.today,
        )
        self.editor.sig_changed.connect(self._test_changed)
        line.add(self.editor)

    def _test_changed(self, test: dict, key: str, reshape: bool) -> None:
        self.cond = {"type": "attribute", **test}
        emit(self.sig_edited, copy.deepcopy(self.cond), "" if reshape else f"test.{key}")


class MetricRow(ConditionRow):
    """``[Lifetime value ▾] [at least ▾] [100]``."""

    def fill(self) -> None:
        line = self.line()
        name = self.cond.get("metric", "lifetime_value")
        self.metric_pick = picker(
            [(metric_label(m), m) for m in METRIC_NAMES],
            name,
            lambda m: self.edit("metric", m, rebuild=True),
        )
        line.add(self.metric_pick, words("is"))
        unit = metric_unit(name)
        integer = unit in ("count", "days", "score")
        self.test_editor = NumberTestEditor(
            self.cond.get("test", {}), UNIT_WORDS.get(unit, ""), integer
        )
        self.test_editor.sig_changed.connect(
            lambda t, key, reshape: self.edit("test", t, "" if reshape else f"test.{key}")
        )
        line.add(self.test_editor)


class SegmentRow(ConditionRow):
    """``is a member of [High value ▾]``."""

    def fill(self) -> None:
        line = self.line()
        names = list(self.env.segments)
        current = self.cond.get("segment") or None
        self.segment = picker([(n, n) for n in names], current, lambda n: self.edit("segment", n))
        if not names and not current:
            self.segment.addItem("no other saved segment", "")
            self.segment.setEnabled(False)
        line.add(words("is a member of"), self.segment)


class BucketRow(ConditionRow):
    """``in buckets [0] to [49] of [100]  (50% of profiles)  salt [..]``."""

    def fill(self) -> None:
        line = self.line()
        c = self.cond
        self.low = int_spin(c.get("low", 0), 0, 999_999, lambda v: self.edit("low", v, "low"))
        self.high = int_spin(c.get("high", 49), 0, 999_999, self._high)
        self.buckets = int_spin(c.get("buckets", 100), 2, 1_000_000, self._buckets)
        self.share = words(self._share_text(), "muted")
        line.add(
            words("falls in buckets"), self.low, words("to"), self.high, words("of"), self.buckets
        )
        line.add(self.share)
        second = self.line()
        self.salt = QLineEdit(objectName="salt")
        self.salt.setPlaceholderText("any text; another salt gives an independent split")
        self.salt.setText(str(c.get("salt", "")))
        self.salt.setMinimumWidth(260)
        self.salt.textEdited.connect(lambda text: self.edit("salt", text, "salt"))
        second.add(words("split by the salt"), self.salt)

    def _share_text(self) -> str:
        c = self.cond
        buckets = max(int(c.get("buckets", 100)), 1)
        width = max(int(c.get("high", 0)) - int(c.get("low", 0)) + 1, 0)
        return f"≈ {width / buckets:.0%} of profiles"

    def _high(self, value: int) -> None:
        self.edit("high", value, "high")
        self.share.setText(self._share_text())

    def _buckets(self, value: int) -> None:
        self.edit("buckets", value, "buckets")
        self.share.setText(self._share_text())
