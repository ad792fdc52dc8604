"""The first screen: start a project, open one, reopen a recent one, or try the demo."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.navigation import Mark
from workbench.ui.panels.registry import STEPS
from workbench.ui.signals import emit


class ActionTile(QPushButton):
    """A large button with a title and a line of explanation."""

    def __init__(self, title: str, text: str, shortcut: str = "", primary: bool = False) -> None:
        super().__init__()
        self.setObjectName("tilePrimary" if primary else "tile")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.setSpacing(4)
        row = QHBoxLayout()
        head = QLabel(title, objectName="tileTitle")
        row.addWidget(head)
        row.addStretch(1)
        if shortcut:
            row.addWidget(QLabel(shortcut, objectName="muted"))
        layout.addLayout(row)
        body = QLabel(text, objectName="tileText")
        body.setWordWrap(True)
        layout.addWidget(body)
        for label in self.findChildren(QLabel):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setMinimumHeight(72)


class WelcomePage(QWidget):
    """Shown while no project is open."""

    sig_new = Signal()
    """Create a new project."""
    sig_open = Signal()
    """Pick a project file to open."""
    sig_demo = Signal()
    """Open (building on first use) the demo retail project."""
    sig_open_path = Signal(object)
    """Open this recent project (a Path)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        column = QVBoxLayout(self)
        column.setContentsMargins(48, 40, 48, 40)
        column.addStretch(1)
        outer = QHBoxLayout()
        column.addLayout(outer)
        column.addStretch(2)
        outer.addStretch(1)
        content = QWidget()
        content.setMaximumWidth(1040)
        grid = QGridLayout(content)
        grid.setHorizontalSpacing(40)
        grid.setVerticalSpacing(12)
        outer.addWidget(content, 10)
        outer.addStretch(1)

        left = QVBoxLayout()
        left.setSpacing(12)
        brand = QHBoxLayout()
        brand.setSpacing(14)
        brand.addWidget(Mark(44))
        brand.addWidget(QLabel("Personalization Workbench", objectName="hero"))
        brand.addStretch(1)
        left.addLayout(brand)
        tagline = QLabel(
            "Prototype identity resolution, segments and decision strategies on a copy of "
            "your customer data. Offline, on this computer.",
            objectName="subtitle",
        )
        tagline.setWordWrap(True)
        left.addWidget(tagline)
        left.addSpacing(14)
        self.new_tile = ActionTile(
            "New project…", "Start an empty project file (.wbproj) and import your data.", "Ctrl+N"
        )
        self.open_tile = ActionTile("Open project…", "Continue work in a project file.", "Ctrl+O")
        self.demo_tile = ActionTile(
            "Open the demo project",
            "A sample retail brand: 5,000 people in 8 sources, with real-world duplicates.",
            primary=True,
        )
        self.new_tile.clicked.connect(self.sig_new)
        self.open_tile.clicked.connect(self.sig_open)
        self.demo_tile.clicked.connect(self.sig_demo)
        for tile in (self.demo_tile, self.new_tile, self.open_tile):
            left.addWidget(tile)
        left.addSpacing(18)
        left.addWidget(QLabel("The workflow", objectName="eyebrow"))
        flow = QLabel("  →  ".join(s.title for s in STEPS), objectName="muted")
        left.addWidget(flow)
        left.addStretch(1)
        grid.addLayout(left, 0, 0)

        recent = QFrame(objectName="card")
        rl = QVBoxLayout(recent)
        rl.setContentsMargins(18, 16, 18, 16)
        rl.setSpacing(8)
        rl.addWidget(QLabel("Recent projects", objectName="section"))
        self.recent_list = QListWidget()
        self.recent_list.setObjectName("recent")
        self.recent_list.setFrameShape(QFrame.Shape.NoFrame)
        self.recent_list.setSpacing(2)
        self.recent_list.itemActivated.connect(self._activated)
        self.recent_list.itemClicked.connect(self._activated)
        rl.addWidget(self.recent_list, 1)
        self.recent_empty = QLabel("Projects you open will be listed here.", objectName="muted")
        self.recent_empty.setWordWrap(True)
        rl.addWidget(self.recent_empty)
        recent.setMinimumWidth(360)
        self.recent_list.setSizeAdjustPolicy(QListWidget.SizeAdjustPolicy.AdjustToContents)
        self.recent_list.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        grid.addWidget(recent, 0, 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(0, 5)
        grid.setColumnStretch(1, 4)

    def set_recent(self, paths: list[Path]) -> None:
        self.recent_list.clear()
        for path in paths:
            exists = path.is_file()
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path) if exists else f"{path} (not found)")
            item.setSizeHint(QSize(300, 50))
            if not exists:
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent_list.addItem(item)
            self.recent_list.setItemWidget(item, _recent_row(path, exists))
        self.recent_empty.setVisible(not paths)
        self.recent_list.setVisible(bool(paths))

    def _activated(self, item: QListWidgetItem) -> None:
        if item.flags() & Qt.ItemFlag.ItemIsEnabled:
            emit(self.sig_open_path, Path(item.data(Qt.ItemDataRole.UserRole)))


def _recent_row(path: Path, exists: bool) -> QWidget:
    row = QWidget()
    layout = QVBoxLayout(row)
    layout.setContentsMargins(8, 5, 8, 5)
    layout.setSpacing(1)
    name = QLabel(path.stem, objectName="tileTitle" if exists else "muted")
    where = QLabel(
        str(path.parent) if exists else f"{path.parent}  ·  not found", objectName="muted"
    )
    where.setStyleSheet("font-size: 11px;")
    layout.addWidget(name)
    layout.addWidget(where)
    for label in (name, where):
        label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    return row
