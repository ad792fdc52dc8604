"""``[field ▾] [operator ▾] [value]``: one test of a profile attribute or an event property.

The operators offered and the value editor follow the field's type: a date picker for
dates, a number box for numbers, a drop-down with the data's own values (and completion)
for text, true/false for flags, a comma-separated list for "is one of".
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit, QMenu, QToolButton, QWidget

from workbench.ui.panels.segments.condition_draft import field_kind
from workbench.ui.panels.segments.condition_widgets import (
    Choice,
    Line,
    as_date,
    calm,
    date_edit,
    int_spin,
    number_spin,
    picker,
    words,
)
from workbench.ui.signals import emit

if TYPE_CHECKING:
    from workbench.ui.panels.segments.condition_values import ValueKey, ValueSource

TEXT_OPS: tuple[Choice, ...] = (
    ("is", "equals"),
    ("is not", "not_equals"),
    ("is one of", "in"),
    ("is none of", "not_in"),
    ("contains", "contains"),
    ("starts with", "starts_with"),
    ("is empty", "is_empty"),
    ("is not empty", "is_not_empty"),
)
NUMBER_VALUE_OPS: tuple[Choice, ...] = (
    ("is", "equals"),
    ("is not", "not_equals"),
    ("is at least", "at_least"),
    ("is at most", "at_most"),
    ("is more than", "greater_than"),
    ("is less than", "less_than"),
    ("is between", "between"),
    ("is one of", "in"),
    ("is none of", "not_in"),
    ("is empty", "is_empty"),
    ("is not empty", "is_not_empty"),
)
DATE_OPS: tuple[Choice, ...] = (
    ("is on", "equals"),
    ("is after", "greater_than"),
    ("is on or after", "at_least"),
    ("is before", "less_than"),
    ("is on or before", "at_most"),
    ("is between", "between"),
    ("is within the last", "within_last_days"),
    ("is more than", "more_than_days_ago"),
    ("is empty", "is_empty"),
    ("is not empty", "is_not_empty"),
)
BOOL_OPS: tuple[Choice, ...] = (
    ("is", "equals"),
    ("is not", "not_equals"),
    ("is empty", "is_empty"),
    ("is not empty", "is_not_empty"),
)
OPS_BY_KIND = {
    "text": TEXT_OPS,
    "integer": NUMBER_VALUE_OPS,
    "number": NUMBER_VALUE_OPS,
    "date": DATE_OPS,
    "timestamp": DATE_OPS,
    "boolean": BOOL_OPS,
}
NO_VALUE = ("is_empty", "is_not_empty")
LIST_OPS = ("in", "not_in")
DAY_OPS = ("within_last_days", "more_than_days_ago")
CASE_OPS = ("equals", "not_equals", "in", "not_in", "contains", "starts_with")


def parse_scalar(text: str, kind: str) -> object:
    """Typed text as the field's type (left as text when it does not parse: the compiler
    then names the field and the type it wants)."""
    text = text.strip()
    try:
        if kind == "integer":
            return int(text.replace(",", ""))
        if kind == "number":
            return float(text.replace(",", ""))
    except ValueError:
        return text
    if kind in ("date", "timestamp"):
        return as_date(text) or text
    if kind == "boolean" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def _shown(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def reshaped(test: dict, op: str, kind: str, today: dt.date) -> dict:
    """``test`` under another operator, keeping what it can of the old value."""
    first = test.get("value")
    if first is None and test.get("values"):
        first = test["values"][0]
    new = dict(test, op=op, value=None, values=None, high=None)
    if op in NO_VALUE:
        return new
    if op in LIST_OPS:
        new["values"] = [first] if first is not None else []
        return new
    if op in DAY_OPS:
        new["value"] = first if isinstance(first, int) and not isinstance(first, bool) else 30
        return new
    if kind in ("date", "timestamp"):
        first = as_date(first) or today
    elif kind in ("integer", "number") and not isinstance(first, int | float):
        first = 0
    elif kind == "boolean" and not isinstance(first, bool):
        first = True
    new["value"] = first
    if op == "between":
        new["high"] = first
    return new


class ValueTestEditor(Line):
    """Edits one ValueTest dict; ``fields`` maps the names offered to their DuckDB types."""

    sig_changed = Signal(object, str, bool)
    """The new test dict, a merge key for undo, whether the editor's shape changed."""

    def __init__(
        self,
        test: dict,
        fields: dict[str, str],
        values: ValueSource,
        value_key: tuple[str, str],
        today: dt.date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.test = dict(test)
        self.fields = fields
        self.values = values
        self.table, self.event_type = value_key
        self.today = today
        self.text_box: QComboBox | None = None
        self.list_edit: QLineEdit | None = None
        values.sig_loaded.connect(self._values_loaded)
        self._build()

    @property
    def kind(self) -> str:
        return field_kind(self.fields.get(self.test.get("field", ""), "VARCHAR"))

    def _key(self) -> ValueKey:
        return (self.table, str(self.test.get("field", "")), self.event_type)

    def _build(self) -> None:
        self.clear()
        self.text_box = None
        self.list_edit = None
        t = self.test
        kind = self.kind
        names = sorted(self.fields)
        self.field = picker([(n, n) for n in names], t.get("field"), self._field)
        ops = OPS_BY_KIND.get(kind, TEXT_OPS)
        self.op = picker(ops, t.get("op"), self._op)
        self.add(self.field, self.op)
        op = t.get("op")
        if op in NO_VALUE:
            return
        if op in LIST_OPS:
            self.add(self._list_editor())
        elif op in DAY_OPS:
            days = t.get("value") if isinstance(t.get("value"), int) else 30
            self.add(int_spin(days, 0, 36_500, lambda v: self._set("value", v)))
            self.add(words("days" if op == "within_last_days" else "days ago"))
        else:
            self.add(self._single("value", t.get("value")))
            if op == "between":
                self.add(words("and"), self._single("high", t.get("high")))
        if kind == "text" and op in CASE_OPS:
            self.add(self._case_toggle())

    def _single(self, key: str, value: object) -> QWidget:
        kind = self.kind
        if kind in ("date", "timestamp"):
            return date_edit(as_date(value) or self.today, lambda d: self._set(key, d))
        if kind == "integer":
            number = value if isinstance(value, int | float) else 0
            return int_spin(number, -2_000_000_000, 2_000_000_000, lambda v: self._set(key, v))
        if kind == "number":
            number = value if isinstance(value, int | float) else 0
            return number_spin(number, lambda v: self._set(key, v))
        if kind == "boolean":
            return picker(
                [("true", True), ("false", False)],
                value if isinstance(value, bool) else True,
                lambda v: self._set(key, v),
            )
        box = QComboBox(objectName="valueText")
        box.setEditable(True)
        box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        box.setMinimumContentsLength(10)
        box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        box.lineEdit().setPlaceholderText("value")
        completer = QCompleter(box.model(), box)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        box.setCompleter(completer)
        self._fill(box, _shown(value))
        box.editTextChanged.connect(lambda text: self._set(key, self._typed(text)))
        calm(box)
        if key == "value":
            self.text_box = box
        return box

    def _typed(self, text: str) -> object:
        return parse_scalar(text, self.kind) if text.strip() else None

    def _fill(self, box: QComboBox, text: str) -> None:
        known = self.values.request(self._key()) or []
        box.blockSignals(True)
        box.clear()
        for value, count in known:
            if value is None:
                continue
            box.addItem(_shown(value))
            box.setItemData(
                box.count() - 1, f"{count:,} profiles or events", Qt.ItemDataRole.ToolTipRole
            )
        box.setEditText(text)
        box.blockSignals(False)

    def _list_editor(self) -> QWidget:
        holder = Line()
        edit = QLineEdit(objectName="valueList")
        edit.setPlaceholderText("values, separated by commas")
        edit.setText(", ".join(_shown(v) for v in self.test.get("values") or []))
        edit.setMinimumWidth(180)
        edit.textEdited.connect(self._list_typed)
        self.list_edit = edit
        pick = QToolButton(objectName="pickValues")
        pick.setText("Pick ▾")
        pick.setToolTip("Pick from the values in the data")
        pick.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(pick)
        menu.aboutToShow.connect(lambda: self._list_menu(menu))
        pick.setMenu(menu)
        holder.add(edit, pick)
        return holder

    def _list_menu(self, menu: QMenu) -> None:
        menu.clear()
        known = self.values.request(self._key())
        if known is None:
            menu.addAction("Reading values…").setEnabled(False)
            return
        chosen = [_shown(v) for v in self.test.get("values") or []]
        for value, count in known[:40]:
            if value is None:
                continue
            action = menu.addAction(f"{_shown(value)}    ({count:,})")
            action.setCheckable(True)
            action.setChecked(_shown(value) in chosen)
            action.toggled.connect(lambda on, v=value: self._toggle_value(v, on))
        if not known:
            menu.addAction("No values").setEnabled(False)

    def _toggle_value(self, value: object, on: bool) -> None:
        values = [v for v in self.test.get("values") or [] if _shown(v) != _shown(value)]
        if on:
            values.append(value)
        if self.list_edit is not None:
            self.list_edit.setText(", ".join(_shown(v) for v in values))
        self._set("values", values)

    def _list_typed(self, text: str) -> None:
        parts = [p for p in (x.strip() for x in text.split(",")) if p]
        self._set("values", [parse_scalar(p, self.kind) for p in parts])

    def _case_toggle(self) -> QToolButton:
        button = QToolButton(objectName="caseToggle")
        button.setText("Aa")
        button.setCheckable(True)
        button.setChecked(not self.test.get("ignore_case", False))
        button.setToolTip("Match case (click to ignore upper and lower case)")
        button.toggled.connect(lambda on: self._set("ignore_case", not on))
        return button

    def _values_loaded(self, key: object) -> None:
        if key == self._key() and self.text_box is not None:
            self._fill(self.text_box, self.text_box.currentText())

    # ------------------------------------------------------------------ edits
    def _field(self, name: object) -> None:
        if name == self.test.get("field"):
            return
        self.test = dict(self.test, field=name, value=None, values=None, high=None)
        kind = self.kind
        op = self.test.get("op", "equals")
        if op not in [v for _l, v in OPS_BY_KIND.get(kind, TEXT_OPS)]:
            op = "equals"
        self.test = reshaped(self.test, op, kind, self.today)
        if kind != "text":
            self.test["ignore_case"] = False
        self._build()
        emit(self.sig_changed, dict(self.test), "field", True)

    def _op(self, op: object) -> None:
        if op == self.test.get("op"):
            return
        self.test = reshaped(self.test, str(op), self.kind, self.today)
        if op not in CASE_OPS:
            self.test["ignore_case"] = False
        self._build()
        emit(self.sig_changed, dict(self.test), "op", True)

    def _set(self, key: str, value: object) -> None:
        self.test = dict(self.test, **{key: value})
        emit(self.sig_changed, dict(self.test), key, False)
