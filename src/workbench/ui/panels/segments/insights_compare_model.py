"""The comparison as a table: a row per metric, a column per segment and one for everyone.

Values are written by their unit (members as whole numbers, rates as percent, amounts with
two decimals, per-profile figures with two decimals); a cell's tooltip says how it stands
against everyone.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from workbench.segments.compare import EVERYONE, CompareMetric, Comparison
from workbench.ui.models import RIGHT, Index, muted_brush
from workbench.ui.panels.segments import insights_format as fmt

_KIND = {"profiles": fmt.COUNT, "rate": fmt.PERCENT, "money": fmt.AMOUNT, "count": fmt.NUMBER}
DESCRIPTIONS = {
    "profiles": "Members of the segment.",
    "conversion_rate": "Share of members with at least one purchase in the window.",
    "revenue_per_profile": "Purchase value in the window, divided by the members.",
    "average_order_value": "Purchase value divided by the number of purchases.",
    "visits_per_profile": "Days with a visit (page view, app session) per member.",
    "email_open_rate": "E-mail opens per e-mail sent to the members.",
    "email_click_rate": "E-mail clicks per e-mail sent to the members.",
}


def metric_kind(metric: CompareMetric) -> str:
    return _KIND.get(metric.unit, fmt.NUMBER)


def format_metric(metric: CompareMetric, value: float | None) -> str:
    kind = metric_kind(metric)
    if kind == fmt.COUNT:
        return fmt.count(value)
    if kind == fmt.PERCENT:
        return fmt.percent(value)
    if kind == fmt.AMOUNT:
        return fmt.amount(value)
    return fmt.number(value)


def lift(value: float | None, baseline: float | None) -> float | None:
    """``value`` relative to ``baseline`` (0.25: a quarter above it); None if undefined."""
    if value is None or baseline is None or baseline == 0:
        return None
    return value / baseline - 1


def lift_text(value: float | None, baseline: float | None) -> str:
    change = lift(value, baseline)
    if change is None:
        return ""
    if abs(change) < 0.0005:
        return "the same as everyone"
    direction = "above" if change > 0 else "below"
    return f"{fmt.percent(abs(change))} {direction} everyone"


class CompareModel(QAbstractTableModel):
    """Read-only view of a :class:`Comparison`."""

    def __init__(self) -> None:
        super().__init__()
        self.comparison: Comparison | None = None

    def set_comparison(self, comparison: Comparison | None) -> None:
        self.beginResetModel()
        self.comparison = comparison
        self.endResetModel()

    def everyone_column(self) -> int | None:
        c = self.comparison
        if c is None or not c.columns or c.columns[-1] != EVERYONE:
            return None
        return len(c.columns) - 1

    def text(self, row: int, column: int) -> str:
        assert self.comparison is not None
        r = self.comparison.rows[row]
        return format_metric(r.metric, r.values[column])

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        c = self.comparison
        return 0 if parent.isValid() or c is None else len(c.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        c = self.comparison
        return 0 if parent.isValid() or c is None else len(c.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        c = self.comparison
        if c is None or not index.isValid():
            return None
        role = int(role)
        row, col = index.row(), index.column()
        everyone = self.everyone_column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT
        if role == Qt.ItemDataRole.ForegroundRole:
            value = c.rows[row].values[col]
            return muted_brush() if value is None or col == everyone else None
        if role == Qt.ItemDataRole.ToolTipRole:
            r = c.rows[row]
            tip = f"{c.columns[col]}: {r.metric.label} {self.text(row, col)}"
            if everyone is not None and col != everyone and r.metric.key != "profiles":
                versus = lift_text(r.values[col], r.values[everyone])
                if versus:
                    tip += f"\n{versus}"
            if r.values[col] is None:
                tip += "\n(no denominator: nothing to divide by)"
            return tip
        if role == Qt.ItemDataRole.FontRole and col == 0:
            font = QFont(QApplication.font())
            font.setBold(True)
            return font
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        c = self.comparison
        if c is None:
            return None
        role = int(role)
        if orientation == Qt.Orientation.Horizontal:
            if section >= len(c.columns):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return c.columns[section]
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return RIGHT
            return None
        if section >= len(c.rows):
            return None
        metric = c.rows[section].metric
        if role == Qt.ItemDataRole.DisplayRole:
            return metric.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return DESCRIPTIONS.get(metric.key, metric.label)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None
