"""Small table models over engine results (lists of rows), and how values are shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

Index = QModelIndex | QPersistentModelIndex
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
MISSING = "—"


def format_value(value: object, grouping: bool = True) -> str:
    """A value as a person reads it; ``grouping=False`` for raw data (ids, codes, years)."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}" if grouping else str(value)
    if isinstance(value, float | Decimal):
        text = f"{value:,.6f}" if grouping else f"{value:.6f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def muted_brush() -> object:
    return QApplication.palette().brush(QPalette.ColorRole.PlaceholderText)


class RowsModel(QAbstractTableModel):
    """Read-only rows with headers; numbers right-aligned, missing values muted."""

    def __init__(
        self,
        headers: Sequence[str] = (),
        rows: Sequence[Sequence[object]] = (),
        grouping: bool = True,
    ) -> None:
        super().__init__()
        self._headers = list(headers)
        self._rows = [list(r) for r in rows]
        self._tooltips: list[str] = []
        self.grouping = grouping

    def set_rows(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
        tooltips: Sequence[str] = (),
    ) -> None:
        self.beginResetModel()
        self._headers = list(headers)
        self._rows = [list(r) for r in rows]
        self._tooltips = list(tooltips)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._headers)

    def row(self, index: int) -> list[object]:
        return self._rows[index]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        value = self._rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(value, self.grouping)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if is_number(value) else LEFT
        if role == Qt.ItemDataRole.ForegroundRole and value is None:
            return muted_brush()
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(value, str) and len(value) > 40:
            return value
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or section >= len(self._headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.ToolTipRole and section < len(self._tooltips):
            return self._tooltips[section]
        return None
