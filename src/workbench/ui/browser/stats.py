"""Column statistics beside the grid: type, missing values, distinct count, range, top values."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from workbench.project.browse import ColumnStats
from workbench.ui.models import MISSING, format_value

_ROW = 30


class TopValues(QWidget):
    """Most frequent values as labelled bars (share of the rows in view)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[tuple[str, int]] = []
        self._rows = 0

    def set_values(self, items: list[tuple[object, int]], rows: int) -> None:
        self._items = [(format_value(v, grouping=False), n) for v, n in items]
        self._rows = rows
        self.updateGeometry()
        self.update()

    def items(self) -> list[tuple[str, int]]:
        return list(self._items)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(220, max(1, len(self._items)) * _ROW)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return self.sizeHint()

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        ink = pal.color(QPalette.ColorRole.Text)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        bar = QColor(pal.color(QPalette.ColorRole.Highlight))
        track = pal.color(QPalette.ColorRole.Mid)
        width = self.width()
        top = max((n for _v, n in self._items), default=1)
        metrics = painter.fontMetrics()
        for i, (text, count) in enumerate(self._items):
            y = i * _ROW
            share = count / self._rows if self._rows else 0.0
            right = f"{count:,}  ·  {share:.0%}" if share >= 0.01 else f"{count:,}"
            right_w = metrics.horizontalAdvance(right)
            painter.setPen(ink)
            label = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width - right_w - 12)
            painter.drawText(0, y + 14, label)
            painter.setPen(muted)
            painter.drawText(width - right_w, y + 14, right)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(QRectF(0, y + 19, width, 5), 2.5, 2.5)
            painter.setBrush(bar)
            painter.drawRoundedRect(QRectF(0, y + 19, max(3.0, width * count / top), 5), 2.5, 2.5)
        painter.end()


class ColumnStatsView(QFrame):
    """Statistics of one column over the rows in view (the quick filter applies)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.setMinimumWidth(260)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setStyleSheet(
            "QScrollArea, QScrollArea > QWidget > QWidget { background: transparent; }"
        )
        outer.addWidget(scroll)
        inner = QWidget()
        scroll.setWidget(inner)
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(8)
        layout.addWidget(QLabel("Column statistics", objectName="eyebrow"))
        self.name = QLabel("Select a cell to see its column", objectName="section")
        self.name.setWordWrap(True)
        self.name.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout.addWidget(self.name)
        self.type = QLabel("", objectName="muted")
        layout.addWidget(self.type)
        form = QFormLayout()
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(6)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.fields: dict[str, QLabel] = {}
        for key, label in (
            ("rows", "Rows"),
            ("nulls", "Missing"),
            ("distinct", "Distinct"),
            ("min", "Minimum"),
            ("max", "Maximum"),
            ("mean", "Mean"),
        ):
            value = QLabel(MISSING)
            value.setToolTip("")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.fields[key] = value
            form.addRow(QLabel(label, objectName="muted"), value)
        layout.addLayout(form)
        layout.addSpacing(6)
        self.top_title = QLabel("Most frequent values", objectName="eyebrow")
        layout.addWidget(self.top_title)
        self.top = TopValues()
        layout.addWidget(self.top)
        self.top_note = QLabel("", objectName="muted")
        self.top_note.setWordWrap(True)
        layout.addWidget(self.top_note)
        layout.addStretch(1)
        self.stats: ColumnStats | None = None

    def show_busy(self, column: str) -> None:
        self.name.setText(column)
        self.type.setText("Computing…")

    def show_stats(self, stats: ColumnStats) -> None:
        self.stats = stats
        self.name.setText(stats.column)
        self.type.setText(stats.type.lower())
        self.fields["rows"].setText(f"{stats.rows:,}")
        self.fields["nulls"].setText(f"{stats.nulls:,}  ({stats.null_share:.1%})")
        self.fields["distinct"].setText(f"{stats.distinct:,}")
        for key, value in (("min", stats.minimum), ("max", stats.maximum)):
            self.fields[key].setText(_short(value))
            self.fields[key].setToolTip(format_value(value, grouping=False))
        self.fields["mean"].setText(MISSING if stats.mean is None else f"{stats.mean:,.2f}")
        all_unique = bool(stats.top) and stats.top[0][1] == 1
        self.top.set_values([] if all_unique else stats.top, stats.rows)
        self.top.setVisible(not all_unique)
        self.top_note.setText(
            "Every value is different." if all_unique else ("" if stats.top else "No values.")
        )

    def clear(self) -> None:
        self.stats = None
        self.name.setText("Select a cell to see its column")
        self.type.setText("")
        for label in self.fields.values():
            label.setText(MISSING)
        self.top.set_values([], 0)
        self.top_note.setText("")


def _short(value: object) -> str:
    text = format_value(value, grouping=False)
    return text if len(text) <= 20 else text[:19] + "…"
