"""Small editors bound to one path of the draft: field and method choices, thresholds, names,
switches and numbers. Each turns the user's change into an undoable edit and follows undo."""

from __future__ import annotations

from typing import Any, get_args

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QWidget,
)

from workbench.identity.ruleset import FIELDS, Method
from workbench.ui.panels.identity.rules_binding import RulesEditing
from workbench.ui.panels.identity.rules_draft import DELETE, Path

METHODS: tuple[str, ...] = get_args(Method)
METHOD_LABELS = {
    "exact": "exact",
    "normalized": "normalised",
    "jaro_winkler": "Jaro-Winkler ≥",
    "levenshtein": "edit distance ≤",
    "token_set": "shared words ≥",
    "date": "days apart ≤",
    "number": "difference ≤",
    "phonetic": "sounds alike",
}
THRESHOLD_HINTS = {
    "jaro_winkler": "similarity 0 to 1",
    "token_set": "share 0 to 1",
    "levenshtein": "edits",
    "date": "days",
    "number": "amount",
}
DEFAULT_THRESHOLDS: dict[str, float] = {
    "jaro_winkler": 0.9,
    "token_set": 0.8,
    "levenshtein": 1,
    "date": 0,
    "number": 0,
}
"""A starting threshold when a method that needs one is chosen."""
FIELD_WIDTH = 132
METHOD_WIDTH = 132
THRESHOLD_WIDTH = 64


def parse_number(text: str) -> Any:
    """A number when the text is one, None when empty, else the text (validation says why)."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return text


def format_number(value: Any) -> str:
    if value is None or value is DELETE:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def error_label() -> QLabel:
    label = QLabel("", objectName="error")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def field_combo(
    editing: RulesEditing, path: Path, what: str, fields: tuple[str, ...] = FIELDS
) -> QComboBox:
    combo = QComboBox()
    combo.setFixedWidth(FIELD_WIDTH)
    for field in fields:
        combo.addItem(field, field)
    combo.setToolTip(f"The field {what} uses")

    def show(value: Any) -> None:
        index = combo.findData(value)
        if index < 0 and isinstance(value, str):
            combo.addItem(value, value)  # a field the file names but the app does not know
            index = combo.count() - 1
        combo.setCurrentIndex(index)

    editing.bind(path, show)
    combo.activated.connect(
        lambda _i: editing.set(path, combo.currentData(), f"Use {combo.currentData()} {what}")
    )
    return combo


def number_edit(
    editing: RulesEditing, path: Path, what: str, placeholder: str = "", width: int = 0
) -> QLineEdit:
    """A number typed as text: what is not a number goes to validation as it is."""
    edit = QLineEdit(placeholderText=placeholder)
    edit.setFixedWidth(width or THRESHOLD_WIDTH)
    edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def show(value: Any) -> None:
        if parse_number(edit.text()) != value:
            edit.setText(format_number(value))

    editing.bind(path, show)
    edit.textEdited.connect(
        lambda text: editing.set(path, parse_number(text), f"Edit {what}", merge=True)
    )
    return edit


def threshold_edit(editing: RulesEditing, path: Path, method_path: Path) -> QLineEdit:
    """A comparison's threshold; its hint and whether it is needed follow the method."""
    edit = number_edit(editing, path, "threshold")

    def follow(method: Any) -> None:
        takes = method in THRESHOLD_HINTS
        edit.setEnabled(takes or editing.draft.get(path) is not None)
        edit.setPlaceholderText(THRESHOLD_HINTS.get(method, "—"))
        edit.setToolTip(
            f"Threshold: {THRESHOLD_HINTS[method]}" if takes else f"{method} takes no threshold"
        )

    editing.bind(method_path, follow)
    editing.bind(path, lambda _v: follow(editing.draft.get(method_path)))
    return edit


def method_combo(editing: RulesEditing, path: Path, threshold_path: Path) -> QComboBox:
    """The comparison method; choosing one that needs a threshold proposes one."""
    combo = QComboBox()
    combo.setFixedWidth(METHOD_WIDTH)
    for method in METHODS:
        combo.addItem(METHOD_LABELS[method], method)
    editing.bind(path, lambda value: combo.setCurrentIndex(max(combo.findData(value), 0)))

    def chosen(_index: int) -> None:
        method = combo.currentData()
        if method == editing.draft.get(path):
            return
        with editing.macro(f"Compare by {METHOD_LABELS[method]}"):
            editing.set(path, method, "Method")
            editing.set(threshold_path, DEFAULT_THRESHOLDS.get(method), "Threshold")

    combo.activated.connect(chosen)
    return combo


def text_edit(
    editing: RulesEditing, path: Path, what: str, placeholder: str = "", width: int = 0
) -> QLineEdit:
    edit = QLineEdit(placeholderText=placeholder)
    if width:
        edit.setFixedWidth(width)

    def show(value: Any) -> None:
        if edit.text() != (value or ""):
            edit.setText(value or "")
            edit.setCursorPosition(0)

    editing.bind(path, show)
    edit.textEdited.connect(lambda text: editing.set(path, text, f"Rename {what}", merge=True))
    return edit


def check_box(editing: RulesEditing, path: Path, label: str, what: str) -> QCheckBox:
    box = QCheckBox(label)
    editing.bind(path, lambda value: box.setChecked(bool(value)))
    box.clicked.connect(lambda checked: editing.set(path, checked, f"{what}: {checked}"))
    return box


def spin_box(
    editing: RulesEditing, path: Path, what: str, low: int, high: int, default: int
) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setGroupSeparatorShown(True)
    spin.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def show(value: Any) -> None:
        number = value if isinstance(value, int) else default
        if spin.value() != number:
            spin.blockSignals(True)
            spin.setValue(number)
            spin.blockSignals(False)

    editing.bind(path, show)
    spin.valueChanged.connect(lambda v: editing.set(path, v, f"Set {what} to {v}", merge=True))
    return spin


def optional_int_edit(editing: RulesEditing, path: Path, what: str, placeholder: str) -> QLineEdit:
    """A whole number, or empty for none."""
    edit = QLineEdit(placeholderText=placeholder)
    edit.setFixedWidth(110)
    edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def value_of(text: str) -> Any:
        number = parse_number(text.replace(" ", "").replace("_", ""))
        if isinstance(number, float) and number.is_integer():
            return int(number)
        return number

    def show(value: Any) -> None:
        if value_of(edit.text()) != value:
            edit.setText("" if value is None else str(value))

    editing.bind(path, show)
    edit.textEdited.connect(lambda text: editing.set(path, value_of(text), what, merge=True))
    return edit


def tool_button(text: str, tip: str) -> QPushButton:
    """A small square button (move up or down, remove) in a row."""
    button = QPushButton(text, objectName="rowTool")
    button.setToolTip(tip)
    button.setFixedSize(28, 28)
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    return button


def add_button(text: str) -> QPushButton:
    button = QPushButton(f"+  {text}", objectName="link")
    button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return button


def caption(text: str) -> QLabel:
    return QLabel(text, objectName="muted")


def spacer_widget(width: int) -> QWidget:
    w = QWidget()
    w.setFixedWidth(width)
    return w
