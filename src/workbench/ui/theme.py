"""Light and dark themes: one calm palette each, following the system unless told otherwise.

Widgets that paint themselves read colours from the application ``QPalette`` (set here),
so a theme switch needs no bookkeeping in each widget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from workbench.ui.signals import emit

SYSTEM, LIGHT, DARK = "system", "light", "dark"
_CHECK = (Path(__file__).resolve().parents[1] / "resources" / "check.svg").as_posix()
"""The tick of a checked box (a stylesheet that styles the box must draw the tick too)."""
CHOICES = (SYSTEM, LIGHT, DARK)


@dataclass(frozen=True)
class Colors:
    name: str
    window: str
    surface: str
    sidebar: str
    raised: str
    ink: str
    muted: str
    line: str
    accent: str
    accent_ink: str
    accent_soft: str
    danger: str
    warn_soft: str
    alternate: str


LIGHT_COLORS = Colors(
    name=LIGHT,
    window="#f4f6f9",
    surface="#ffffff",
    sidebar="#eceff4",
    raised="#f8fafc",
    ink="#1f2937",
    muted="#6b7280",
    line="#e2e6ec",
    accent="#2f6fde",
    accent_ink="#ffffff",
    accent_soft="#dde8fb",
    danger="#c2410c",
    warn_soft="#fff4e5",
    alternate="#f9fafb",
)
DARK_COLORS = Colors(
    name=DARK,
    window="#14171d",
    surface="#1b1f27",
    sidebar="#101318",
    raised="#222733",
    ink="#e6e9ef",
    muted="#9aa3b2",
    line="#2c323e",
    accent="#5b8def",
    accent_ink="#0b1220",
    accent_soft="#24365a",
    danger="#f59e0b",
    warn_soft="#3a2f1c",
    alternate="#1f242d",
)


def system_scheme() -> Qt.ColorScheme:
    return QGuiApplication.styleHints().colorScheme()


def resolve(preference: str, scheme: Qt.ColorScheme | None = None) -> Colors:
    """The colours for a preference; ``system`` follows the platform's colour scheme."""
    if preference == DARK:
        return DARK_COLORS
    if preference == LIGHT:
        return LIGHT_COLORS
    scheme = system_scheme() if scheme is None else scheme
    return DARK_COLORS if scheme == Qt.ColorScheme.Dark else LIGHT_COLORS


def palette(c: Colors) -> QPalette:
    p = QPalette()
    roles = QPalette.ColorRole
    for role, value in (
        (roles.Window, c.window),
        (roles.WindowText, c.ink),
        (roles.Base, c.surface),
        (roles.AlternateBase, c.alternate),
        (roles.Text, c.ink),
        (roles.Button, c.surface),
        (roles.ButtonText, c.ink),
        (roles.Highlight, c.accent),
        (roles.HighlightedText, c.accent_ink),
        (roles.ToolTipBase, c.raised),
        (roles.ToolTipText, c.ink),
        (roles.PlaceholderText, c.muted),
        (roles.Mid, c.line),
        (roles.Midlight, c.accent_soft),
        (roles.Dark, c.sidebar),
        (roles.Light, c.raised),
        (roles.Link, c.accent),
        (roles.BrightText, c.danger),
    ):
        p.setColor(role, QColor(value))
    for role in (roles.Text, roles.WindowText, roles.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(c.muted))
    return p


def stylesheet(c: Colors) -> str:
    return f"""
QMainWindow, QDialog {{ background: {c.window}; }}
QWidget {{ color: {c.ink}; font-size: 13px; }}
QWidget#page, QStackedWidget#steps {{ background: {c.window}; }}
QFrame#card {{ background: {c.surface}; border: 1px solid {c.line}; border-radius: 10px; }}
QFrame#sidebar {{ background: {c.sidebar}; border-right: 1px solid {c.line}; }}
QFrame#dropZone {{ background: {c.surface}; border: 2px dashed {c.line}; border-radius: 12px; }}
QFrame#dropZone[active="true"] {{ border-color: {c.accent}; background: {c.accent_soft}; }}
QFrame#banner {{ background: {c.warn_soft}; border: 1px solid {c.line}; border-radius: 8px; }}
QLabel {{ background: transparent; }}
QLabel#title {{ font-size: 20px; font-weight: 600; }}
QLabel#hero {{ font-size: 26px; font-weight: 600; }}
QLabel#subtitle, QLabel#muted {{ color: {c.muted}; }}
QLabel#section {{ font-size: 14px; font-weight: 600; }}
QLabel#eyebrow {{ color: {c.muted}; font-size: 11px; font-weight: 600;
    letter-spacing: 1px; text-transform: uppercase; }}
QLabel#metricValue {{ font-size: 20px; font-weight: 600; }}
QLabel#metricLabel {{ color: {c.muted}; font-size: 12px; }}
QLabel#error {{ color: {c.danger}; }}
QLabel#badge {{ border: 1px solid {c.line}; border-radius: 10px; padding: 2px 10px;
    color: {c.muted}; font-size: 12px; background: {c.raised}; }}
QPushButton#tile, QPushButton#tilePrimary {{ text-align: left; padding: 0; border-radius: 10px;
    background: {c.surface}; border: 1px solid {c.line}; }}
QPushButton#tile:hover, QPushButton#tilePrimary:hover {{ border-color: {c.accent}; }}
QPushButton#tilePrimary {{ border: 1px solid {c.accent}; background: {c.accent_soft}; }}
QLabel#tileTitle {{ font-size: 14px; font-weight: 600; }}
QLabel#tileText {{ color: {c.muted}; }}
QListWidget#recent {{ border: none; background: transparent; }}
QListWidget#recent::item {{ border-radius: 6px; }}
QListWidget#recent::item:hover {{ background: {c.accent_soft}; }}
QLabel#brand {{ font-size: 15px; font-weight: 700; }}
QTableView, QListView, QTreeView {{ background: {c.surface}; border: 1px solid {c.line};
    border-radius: 8px; gridline-color: {c.line}; alternate-background-color: {c.alternate};
    selection-background-color: {c.accent_soft}; selection-color: {c.ink}; }}
QTableView::item {{ padding: 0 6px; }}
QHeaderView::section {{ background: {c.raised}; color: {c.muted}; border: none;
    border-bottom: 1px solid {c.line}; border-right: 1px solid {c.line};
    padding: 5px 8px; font-weight: 600; }}
QHeaderView::section:vertical {{ font-weight: normal; padding: 0 8px;
    border-right: 1px solid {c.line}; border-bottom: none; }}
QTableCornerButton::section {{ background: {c.raised}; border: none; }}
QPushButton, QToolButton#flat {{ border: 1px solid {c.line}; border-radius: 6px;
    padding: 6px 14px; background: {c.surface}; }}
QPushButton:hover, QToolButton#flat:hover {{ border-color: {c.accent}; }}
QPushButton:checked {{ background: {c.accent_soft}; border-color: {c.accent}; }}
QPushButton:disabled {{ color: {c.muted}; background: {c.raised}; }}
QPushButton#primary {{ background: {c.accent}; color: {c.accent_ink}; border-color: {c.accent};
    font-weight: 600; }}
QPushButton#primary:disabled {{ background: {c.line}; border-color: {c.line}; color: {c.muted}; }}
QPushButton#link {{ border: none; background: transparent; color: {c.accent};
    padding: 2px 0; text-align: left; }}
QPushButton#link:hover {{ text-decoration: underline; }}
QPushButton#danger {{ color: {c.danger}; }}
QLineEdit {{ background: {c.surface}; border: 1px solid {c.line};
    border-radius: 6px; padding: 5px 8px; min-height: 18px; }}
QLineEdit:focus {{ border-color: {c.accent}; }}
QComboBox {{ min-height: 22px; padding: 2px 8px; }}
QTabWidget::pane {{ border: none; }}
QTabBar {{ qproperty-drawBase: 0; }}
QTabBar::tab {{ background: transparent; color: {c.muted}; padding: 7px 14px;
    border: none; border-bottom: 2px solid transparent; font-weight: 600; }}
QTabBar::tab:selected {{ color: {c.ink}; border-bottom: 2px solid {c.accent}; }}
QTabBar::tab:hover {{ color: {c.ink}; }}
QProgressBar {{ background: {c.line}; border: none; border-radius: 4px; height: 8px;
    max-height: 8px; text-align: center; color: transparent; }}
QProgressBar::chunk {{ background: {c.accent}; border-radius: 4px; }}
QStatusBar {{ background: {c.surface}; border-top: 1px solid {c.line}; color: {c.muted}; }}
QStatusBar QLabel {{ color: {c.muted}; padding: 0 6px; }}
QStatusBar::item {{ border: none; }}
QMenuBar {{ background: {c.surface}; border-bottom: 1px solid {c.line}; }}
QMenuBar::item:selected {{ background: {c.accent_soft}; }}
QMenu {{ background: {c.surface}; border: 1px solid {c.line}; }}
QMenu::item {{ padding: 5px 24px 5px 20px; }}
QMenu::item:selected {{ background: {c.accent_soft}; }}
QMenu::separator {{ height: 1px; background: {c.line}; margin: 4px 8px; }}
QSplitter::handle {{ background: transparent; }}
QScrollBar:vertical {{ background: transparent; width: 12px; margin: 2px; }}
QScrollBar::handle:vertical {{ background: {c.line}; border-radius: 4px; min-height: 24px; }}
QScrollBar:horizontal {{ background: transparent; height: 12px; margin: 2px; }}
QScrollBar::handle:horizontal {{ background: {c.line}; border-radius: 4px; min-width: 24px; }}
QScrollBar::handle:hover {{ background: {c.muted}; }}
QScrollBar::add-line, QScrollBar::sub-line {{ width: 0; height: 0; }}
QScrollBar::add-page, QScrollBar::sub-page {{ background: transparent; }}
QToolTip {{ background: {c.raised}; color: {c.ink}; border: 1px solid {c.line}; padding: 4px; }}
QCheckBox::indicator {{ width: 14px; height: 14px; border: 1px solid {c.muted};
    border-radius: 3px; background: {c.surface}; }}
QCheckBox::indicator:hover {{ border-color: {c.accent}; }}
QCheckBox::indicator:checked {{ background: {c.accent}; border-color: {c.accent};
    image: url("{_CHECK}"); }}
QCheckBox::indicator:disabled {{ background: {c.raised}; border-color: {c.line}; }}
"""


class ThemeManager(QObject):
    """Applies the chosen theme and re-applies it when the system scheme changes."""

    sig_changed = Signal(str)
    """The applied theme changed; the argument is ``light`` or ``dark``."""

    def __init__(
        self,
        app: QGuiApplication,
        preference: str = SYSTEM,
        scheme: Callable[[], Qt.ColorScheme] = system_scheme,
    ) -> None:
        super().__init__(app)
        self._app = app
        self._scheme = scheme
        self.preference = preference if preference in CHOICES else SYSTEM
        self.colors = resolve(self.preference, scheme())
        app.styleHints().colorSchemeChanged.connect(self._system_changed)

    def apply(self, preference: str | None = None) -> Colors:
        if preference is not None:
            self.preference = preference if preference in CHOICES else SYSTEM
        self.colors = resolve(self.preference, self._scheme())
        self._app.setPalette(palette(self.colors))
        self._app.setStyleSheet(stylesheet(self.colors))  # type: ignore[attr-defined]
        emit(self.sig_changed, self.colors.name)
        return self.colors

    def _system_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self.preference == SYSTEM:
            self.apply()


STYLESHEET = stylesheet(LIGHT_COLORS)
"""The light stylesheet, for callers that only need a default look."""
