"""Small inputs that condition rows are made of: word labels, compact pickers, number tests and
time windows, each reporting edits as plain dicts in the model's shape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from workbench.ui.flow_layout import FlowLayout
from workbench.ui.signals import emit

Choice = tuple[str, object]
"""A picker item: label shown, value stored."""


class _WheelGuard(QObject):
    """Scrolling the editor must not change a picker the pointer happens to pass over."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            event.type() == QEvent.Type.Wheel
            and isinstance(watched, QWidget)
            and not watched.hasFocus()
        ):
            event.ignore()
            return True
        return False


_GUARD = _WheelGuard()


def calm(widget: QWidget) -> QWidget:
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.installEventFilter(_GUARD)
    return widget


def words(text: str, name: str = "words") -> QLabel:
    """The sentence's fixed words between the pickers."""
    label = QLabel(text, objectName=name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


def picker(
    choices: Sequence[Choice], current: object, on_pick: Callable[[object], None], tip: str = ""
) -> QComboBox:
    """A compact drop-down that calls ``on_pick(value)`` when the user picks another item.

    A current value that is not among the choices is added, so nothing is lost on display.
    """
    box = QComboBox(objectName="pick")
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    for label, value in choices:
        box.addItem(label, value)
    index = next((i for i, (_l, v) in enumerate(choices) if v == current), -1)
    if index < 0 and current is not None:
        box.addItem(str(current), current)
        index = box.count() - 1
    box.setCurrentIndex(max(index, 0))
    if tip:
        box.setToolTip(tip)
    box.activated.connect(lambda i: on_pick(box.itemData(i)))
    calm(box)
    return box


def int_spin(value: float, low: int, high: int, on_change: Callable[[int], None]) -> QSpinBox:
    spin = QSpinBox(objectName="num")
    spin.setRange(low, high)
    spin.setValue(round(value))
    spin.setGroupSeparatorShown(True)
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    spin.setMinimumWidth(56)
    spin.setMaximumWidth(84)
    spin.valueChanged.connect(on_change)
    calm(spin)
    return spin


def number_spin(
    value: float, on_change: Callable[[float], None], decimals: int = 2
) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(objectName="num")
    spin.setRange(-1e12, 1e12)
    spin.setDecimals(decimals)
    spin.setValue(float(value))
    spin.setGroupSeparatorShown(True)
    spin.setAlignment(Qt.AlignmentFlag.AlignRight)
    spin.setMinimumWidth(72)
    spin.setMaximumWidth(128)
    spin.valueChanged.connect(on_change)
    calm(spin)
    return spin


def date_edit(value: dt.date | None, on_change: Callable[[dt.date], None]) -> QDateEdit:
    edit = QDateEdit(objectName="date")
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("d MMM yyyy")
    day = value or dt.date.today()
    edit.setDate(QDate(day.year, day.month, day.day))
    edit.dateChanged.connect(lambda d: on_change(dt.date(d.year(), d.month(), d.day())))
    calm(edit)
    return edit


def as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


class Line(QWidget):
    """A row of a sentence: widgets side by side, left-aligned, that can be emptied and refilled."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QHBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(6)

    def add(self, *widgets: QWidget) -> None:
        for widget in widgets:
            self.box.addWidget(widget)

    def clear(self) -> None:
        while self.box.count():
            item = self.box.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()


class FlowLine(QWidget):
    """A condition's main clause: pieces that wrap when the row is narrow."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = FlowLayout(self)

    def add(self, *widgets: QWidget) -> None:
        for widget in widgets:
            self.box.addWidget(widget)

    def clear(self) -> None:
        while self.box.count():
            item = self.box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()


# ------------------------------------------------------------------ number tests
NUMBER_OPS: tuple[Choice, ...] = (
    ("at least", "at_least"),
    ("at most", "at_most"),
    ("exactly", "exactly"),
    ("more than", "more_than"),
    ("less than", "less_than"),
    ("between", "between"),
)


class NumberTestEditor(Line):
    """``[at least ▾] [2]`` (``and [5]`` for between), with a unit word after it."""

    sig_changed = Signal(object, str, bool)
    """The new test dict, a merge key for undo, and whether the editor's shape changed."""

    def __init__(
        self, test: dict, unit: str = "", integer: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.test = dict(test)
        self.unit = unit
        self.integer = integer
        self._build()

    def _build(self) -> None:
        self.clear()
        t = self.test
        self.op = picker(NUMBER_OPS, t.get("op", "at_least"), self._op)
        self.add(self.op)
        self.low = self._spin(t.get("value", 1), "value")
        self.add(self.low)
        self.high: QSpinBox | QDoubleSpinBox | None = None
        if t.get("op") == "between":
            self.high = self._spin(t.get("high") or t.get("value", 1), "high")
            self.add(words("and"), self.high)
        if self.unit:
            self.add(words(self.unit))

    def _spin(self, value: object, key: str) -> QSpinBox | QDoubleSpinBox:
        number = float(value) if isinstance(value, int | float) else 0.0
        if self.integer:
            return int_spin(number, 0, 10_000_000, lambda v: self._set(key, v))
        return number_spin(number, lambda v: self._set(key, v))

    def _op(self, op: object) -> None:
        if op == self.test.get("op"):
            return
        t = dict(self.test, op=op)
        if op == "between":
            t["high"] = t.get("high") if t.get("high") is not None else t.get("value", 1)
        else:
            t["high"] = None
        self.test = t
        self._build()
        emit(self.sig_changed, dict(t), "op", True)

    def _set(self, key: str, value: float) -> None:
        self.test = dict(self.test, **{key: value})
        emit(self.sig_changed, dict(self.test), key, False)


# ------------------------------------------------------------------ windows
WINDOW_KINDS: tuple[Choice, ...] = (
    ("in the last", "last_days"),
    ("ever", "all_time"),
    ("between", "between"),
    ("since their first event", "since_first_event"),
)


class WindowEditor(Line):
    """``[in the last ▾] [30] days``, ``[between ▾] [1 May] and [31 May]`` or ``[ever ▾]``."""

    sig_changed = Signal(object, str, bool)
    """The new window dict, a merge key, whether the shape changed."""

    def __init__(self, window: dict, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = dict(window)
        self.today = today
        self._build()

    def _build(self) -> None:
        self.clear()
        w = self.spec
        self.kind = picker(WINDOW_KINDS, w.get("kind", "all_time"), self._kind)
        self.add(self.kind)
        if w.get("kind") == "last_days":
            self.days = int_spin(w.get("days") or 30, 0, 36_500, lambda v: self._set("days", v))
            self.add(self.days, words("days"))
        elif w.get("kind") == "between":
            self.start = date_edit(as_date(w.get("start")), lambda d: self._set("start", d))
            self.end = date_edit(as_date(w.get("end")), lambda d: self._set("end", d))
            self.add(self.start, words("and"), self.end)

    def _kind(self, kind: object) -> None:
        if kind == self.spec.get("kind"):
            return
        w: dict = {"kind": kind, "days": None, "start": None, "end": None}
        if kind == "last_days":
            w["days"] = 30
        elif kind == "between":
            w["start"] = self.today - dt.timedelta(days=30)
            w["end"] = self.today
        self.spec = w
        self._build()
        emit(self.sig_changed, dict(w), "kind", True)

    def _set(self, key: str, value: object) -> None:
        self.spec = dict(self.spec, **{key: value})
        emit(self.sig_changed, dict(self.spec), key, False)
