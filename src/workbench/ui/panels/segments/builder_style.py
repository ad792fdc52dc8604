"""How the segment builder's own pieces look, in the theme's colours.

The app's stylesheet (``ui/theme.py``) styles common widgets; the builder adds a few of
its own (condition rows, groups, chips, the count card). Their colours are read from the
application palette, which the theme sets, so a theme switch only needs a re-apply.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette


def _rgba(color: QColor, alpha: float) -> str:
    return f"rgba({color.red()}, {color.green()}, {color.blue()}, {alpha})"


def builder_stylesheet(p: QPalette) -> str:
    role = QPalette.ColorRole
    surface = p.color(role.Base).name()
    window = p.color(role.Window).name()
    line = p.color(role.Mid).name()
    accent = p.color(role.Highlight).name()
    soft = p.color(role.Midlight).name()
    muted = p.color(role.PlaceholderText).name()
    raised = p.color(role.Light).name()
    ink = p.color(role.Text).name()
    danger_color = p.color(role.BrightText)
    danger = danger_color.name()
    warn = _rgba(danger_color, 0.12)
    group_bg = _rgba(p.color(role.Highlight), 0.04)
    return f"""
QFrame#conditionRow {{ background: {surface}; border: 1px solid {line}; border-radius: 8px; }}
QFrame#conditionRow[invalid="true"] {{ border-color: {danger}; }}
QFrame#group {{ background: {group_bg}; border: 1px solid {line};
    border-left: 3px solid {accent}; border-radius: 8px; }}
QFrame#rootGroup {{ background: transparent; }}
QLabel#chip {{ background: {soft}; color: {ink}; border-radius: 6px; padding: 0 8px;
    font-size: 11px; font-weight: 600; }}
QToolButton#pickValues {{ border: 1px solid {line}; border-radius: 6px; padding: 3px 8px;
    background: {surface}; }}
QToolButton#pickValues::menu-indicator {{ image: none; width: 0; }}
QPushButton[compact="true"] {{ padding: 6px 6px; }}
QLabel#words {{ color: {ink}; }}
QLabel#joiner {{ color: {muted}; font-size: 11px; font-weight: 700; letter-spacing: 1px; }}
QLabel#rowError {{ color: {danger}; font-size: 12px; }}
QLabel#groupLead {{ font-weight: 600; }}
QLabel#groupSentence {{ color: {muted}; }}
QLabel#emptyGroup {{ color: {muted}; padding: 10px 12px; border: 1px dashed {line};
    border-radius: 8px; }}
QPushButton#notToggle, QPushButton#segLeft, QPushButton#segRight {{ padding: 3px 12px;
    min-width: 28px; }}
QPushButton#notToggle {{ border-radius: 6px; }}
QPushButton#notToggle:checked {{ background: {warn}; border-color: {danger}; color: {danger};
    font-weight: 600; }}
QPushButton#segLeft {{ border-top-right-radius: 0; border-bottom-right-radius: 0; }}
QPushButton#segRight {{ border-top-left-radius: 0; border-bottom-left-radius: 0;
    border-left: none; }}
QPushButton#segLeft:checked, QPushButton#segRight:checked {{ background: {accent};
    color: {p.color(role.HighlightedText).name()}; border-color: {accent}; font-weight: 600; }}
QPushButton#addCondition {{ border: 1px dashed {line}; color: {accent}; background: transparent;
    padding: 5px 12px; font-weight: 600; }}
QPushButton#addCondition:hover {{ border-color: {accent}; background: {soft}; }}
QPushButton#addCondition::menu-indicator {{ width: 0; image: none; }}
QToolButton#rowAction, QToolButton#filterAction {{ border: none; color: {muted};
    padding: 2px 6px; border-radius: 4px; background: transparent; }}
QToolButton#rowAction:hover, QToolButton#filterAction:hover {{ background: {soft}; color: {ink}; }}
QToolButton#rowAction:disabled {{ color: {line}; }}
QToolButton#caseToggle {{ border: 1px solid {line}; border-radius: 5px; padding: 2px 6px;
    color: {muted}; background: {surface}; }}
QToolButton#caseToggle:checked {{ color: {ink}; border-color: {accent}; }}
QSpinBox#num, QDoubleSpinBox#num, QDateEdit#date,
QLineEdit#valueList, QLineEdit#salt {{ background: {raised}; border: 1px solid {line};
    border-radius: 6px; padding: 3px 8px; min-height: 20px; }}
QSpinBox#num::up-button, QSpinBox#num::down-button, QDoubleSpinBox#num::up-button,
QDoubleSpinBox#num::down-button {{ width: 0; border: none; }}
QSpinBox#num:hover, QDoubleSpinBox#num:hover,
QDateEdit#date:hover {{ border-color: {accent}; }}
QSpinBox#num:focus,
QDoubleSpinBox#num:focus, QDateEdit#date:focus, QLineEdit#valueList:focus,
QLineEdit#salt:focus {{ border-color: {accent}; background: {surface}; }}
QLineEdit#segmentName {{ font-size: 20px; font-weight: 600; border: 1px solid transparent;
    background: transparent; padding: 2px 4px; }}
QLineEdit#segmentName:hover {{ border-color: {line}; }}
QLineEdit#segmentName:focus {{ border-color: {accent}; background: {surface}; }}
QLineEdit#segmentName[invalid="true"] {{ border-color: {danger}; }}
QLineEdit#segmentDescription {{ border: 1px solid transparent; background: transparent;
    color: {muted}; padding: 2px 4px; }}
QLineEdit#segmentDescription:hover {{ border-color: {line}; }}
QLineEdit#segmentDescription:focus {{ border-color: {accent}; background: {surface};
    color: {ink}; }}
QLabel#unsavedBadge {{ background: {warn}; color: {danger}; border-radius: 10px;
    padding: 2px 10px; font-size: 12px; font-weight: 600; }}
QFrame#countCard {{ background: {surface}; border: 1px solid {line}; border-radius: 10px; }}
QLabel#countValue {{ font-size: 28px; font-weight: 700; }}
QFrame#countCard[stale="true"] QLabel#countValue {{ color: {muted}; }}
QLabel#shareText {{ font-weight: 600; }}
QLabel#countState {{ color: {muted}; font-style: italic; }}
QScrollArea#treeScroll {{ background: {window}; border: 1px solid {line}; border-radius: 10px; }}
QWidget#treeHolder {{ background: {window}; }}
QPlainTextEdit#jsonView {{ background: {surface}; border: 1px solid {line};
    border-radius: 10px; padding: 8px; }}
QTreeWidget#segmentList, QTreeWidget#templateList {{ border: none; outline: 0; }}
QLabel#templatePreview {{ background: {raised}; border: 1px solid {line}; border-radius: 8px;
    padding: 10px 12px; font-family: monospace; font-size: 12px; }}
QTreeWidget#segmentList::item, QTreeWidget#templateList::item {{ padding: 5px 4px; }}
QFrame#pageSwitch {{ background: {raised}; border: 1px solid {line}; border-radius: 8px; }}
QPushButton#pageTab {{ border: none; background: transparent; color: {muted};
    padding: 5px 16px; border-radius: 6px; font-weight: 600; }}
QPushButton#pageTab:hover {{ color: {ink}; }}
QPushButton#pageTab:checked {{ background: {surface}; color: {ink};
    border: 1px solid {line}; }}
"""
