"""Charts of the insight pages (pyqtgraph), coloured from the application palette so they
follow the light or dark theme, with a legend in plain Qt labels and tooltips on hover."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QCursor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QToolTip, QVBoxLayout, QWidget

SERIES_COLORS = (
    "#3b7ddd",
    "#e8833a",
    "#2a9d8f",
    "#9b6bd6",
    "#d6455d",
    "#7fa31a",
    "#c99a06",
    "#4cb3d4",
)
"""Distinct hues that read on both the light and the dark surface."""
MAX_VALUE_LABELS = 28


def series_color(i: int) -> str:
    return SERIES_COLORS[i % len(SERIES_COLORS)]


@dataclass(frozen=True)
class ThemeInk:
    """The palette colours a chart draws with."""

    surface: QColor
    ink: QColor
    muted: QColor
    line: QColor
    accent: QColor

    @classmethod
    def current(cls) -> ThemeInk:
        p = QApplication.palette()
        r = QPalette.ColorRole
        return cls(
            p.color(r.Base), p.color(r.Text), p.color(r.PlaceholderText), p.color(r.Mid),
            p.color(r.Highlight),
        )  # fmt: skip

    @property
    def dark(self) -> bool:
        return self.surface.lightnessF() < 0.5


def everyone_color() -> QColor:
    """The neutral colour of the 'Everyone' baseline."""
    return QColor("#8b94a3") if ThemeInk.current().dark else QColor("#a7afbc")


def style_plot(plot: pg.PlotItem, ink: ThemeInk) -> None:
    """Axis lines, tick text and grid in the theme's colours; no mouse zoom (a report chart)."""
    for name in ("left", "bottom", "right", "top"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(ink.line))
        axis.setTextPen(pg.mkPen(ink.muted))
        axis.setTickFont(QFont(QApplication.font().family(), 9))
    plot.getViewBox().setMouseEnabled(False, False)
    plot.getViewBox().setMenuEnabled(False)
    plot.hideButtons()


class ChartBox(QWidget):
    """A pyqtgraph canvas plus a legend row; re-colours itself when the theme changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.legend = QHBoxLayout()
        self.legend.setSpacing(14)
        self.legend.setContentsMargins(4, 0, 4, 0)
        layout.addLayout(self.legend)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setAntialiasing(True)
        self.canvas.ci.setContentsMargins(4, 8, 8, 4)
        layout.addWidget(self.canvas, 1)
        self.empty = QLabel("", objectName="muted", alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty, 1)
        self.empty.hide()
        self.apply_theme()

    def show_empty(self, message: str) -> None:
        self.clear_legend()
        self.canvas.hide()
        self.empty.setText(message)
        self.empty.show()

    def show_chart(self) -> None:
        self.empty.hide()
        self.canvas.show()

    def set_legend(self, entries: Sequence[tuple[str, QColor | str]], line: str = "") -> None:
        """Coloured squares with names; ``line`` adds a dashed entry (a reference level)."""
        self.clear_legend()
        items = [(name, QColor(color).name(), "■") for name, color in entries]
        if line:
            items.append((line, ThemeInk.current().muted.name(), "╌"))
        for name, hex_color, glyph in items:
            label = QLabel(
                f'<span style="color:{hex_color}; font-size:15px;">{glyph}</span>'
                f"&nbsp;{_escape(name)}"
            )
            label.setTextFormat(Qt.TextFormat.RichText)
            self.legend.addWidget(label)
        self.legend.addStretch(1)

    def clear_legend(self) -> None:
        while self.legend.count():
            item = self.legend.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def apply_theme(self) -> None:
        ink = ThemeInk.current()
        self.canvas.setBackground(ink.surface)
        for item in self.canvas.ci.items:
            if isinstance(item, pg.PlotItem):
                style_plot(item, ink)
        self.redraw()

    def redraw(self) -> None:
        """Draw the data again (subclasses: colours that depend on the theme)."""

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_theme()
        super().changeEvent(event)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    color: QColor | str
    colors: Sequence[QColor | str] | None = None
    """A colour per bar (one series of differently coloured bars), else ``color`` for all."""


class FormattedAxis(pg.AxisItem):
    """An axis whose tick labels come from a formatter (percentages, thousands)."""

    def __init__(self, orientation: str) -> None:
        super().__init__(orientation)
        self.formatter: Callable[[float], str] | None = None

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        if self.formatter is None:
            return super().tickStrings(values, scale, spacing)
        return [self.formatter(v * scale) for v in values]


class BarChart(ChartBox):
    """Bars per category, one per series side by side (a grouped bar chart)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.categories: list[str] = []
        self.series: list[Series] = []
        self.fmt: Callable[[float], str] = lambda v: f"{v:,.2f}"
        self.reference: float | None = None
        self.reference_label = ""
        self._bars: list[tuple[float, float, float, str]] = []
        """(x0, x1, height, tooltip) of each bar drawn, for hover tips."""
        super().__init__(parent)
        self.value_axis = FormattedAxis("left")
        self.tick_fmt: Callable[[float], str] | None = None
        self.plot = self.canvas.addPlot(axisItems={"left": self.value_axis})
        self.plot.setMouseEnabled(False, False)
        self.plot.scene().sigMouseMoved.connect(self._hover)
        self.apply_theme()

    def set_data(
        self,
        categories: Sequence[str],
        series: Sequence[Series],
        fmt: Callable[[float], str] | None = None,
        reference: float | None = None,
        reference_label: str = "",
        tick_fmt: Callable[[float], str] | None = None,
    ) -> None:
        """Show ``series`` over ``categories``; ``reference`` draws a dashed level line;
        ``tick_fmt`` writes the value axis' ticks (default: pyqtgraph's)."""
        self.tick_fmt = tick_fmt
        self.categories = list(categories)
        self.series = list(series)
        if fmt is not None:
            self.fmt = fmt
        self.reference = reference
        self.reference_label = reference_label
        if not self.categories or not self.series:
            self.show_empty("Nothing to chart yet.")
            return
        self.show_chart()
        if len(self.series) > 1 or reference_label:
            entries = [(s.name, s.color) for s in self.series] if len(self.series) > 1 else []
            self.set_legend(entries, reference_label if reference is not None else "")
        else:
            self.clear_legend()
        self.redraw()

    def redraw(self) -> None:
        if not hasattr(self, "plot"):
            return
        plot = self.plot
        plot.clear()
        self._bars = []
        if not self.categories or not self.series:
            return
        ink = ThemeInk.current()
        n = len(self.series)
        group = 0.78
        width = group / n
        top = 0.0
        labels = len(self.categories) * n <= MAX_VALUE_LABELS
        for j, s in enumerate(self.series):
            xs, heights, brushes = [], [], []
            for i, value in enumerate(s.values):
                if value is None:
                    continue
                x = i - group / 2 + width * (j + 0.5)
                xs.append(x)
                heights.append(value)
                brushes.append(QColor(s.colors[i] if s.colors else s.color))
                top = max(top, value)
                tip = f"{s.name}\n{self.categories[i]}: {self.fmt(value)}"
                self._bars.append((x - width / 2, x + width / 2, value, tip))
            plot.addItem(
                pg.BarGraphItem(
                    x=xs, height=heights, width=width * 0.86, brushes=brushes, pen=pg.mkPen(None)
                )
            )
            if labels:
                for x, value in zip(xs, heights, strict=True):
                    text = pg.TextItem(self.fmt(value), color=ink.muted, anchor=(0.5, 1.0))
                    text.setFont(QFont(QApplication.font().family(), 8))
                    text.setPos(x, value)
                    plot.addItem(text)
        if self.reference is not None:
            line = pg.InfiniteLine(
                pos=self.reference,
                angle=0,
                pen=pg.mkPen(ink.muted, width=1.2, style=Qt.PenStyle.DashLine),
            )
            plot.addItem(line)
            top = max(top, self.reference)
        axis = plot.getAxis("bottom")
        axis.setStyle(tickLength=0)
        axis.setTicks([[(i, _short(c)) for i, c in enumerate(self.categories)]])
        self.value_axis.formatter = self.tick_fmt
        plot.setXRange(-0.6, len(self.categories) - 0.4, padding=0)
        plot.setYRange(0, top * 1.16 if top > 0 else 1, padding=0)

    def _hover(self, pos: QPointF) -> None:
        if not self._bars or not self.plot.sceneBoundingRect().contains(pos):
            return
        point = self.plot.getViewBox().mapSceneToView(pos)
        for x0, x1, height, tip in self._bars:
            if x0 <= point.x() <= x1 and 0 <= point.y() <= max(height, 0):
                QToolTip.showText(QCursor.pos(), tip, self.canvas)
                return
        QToolTip.hideText()

    def bar_tips(self) -> list[str]:
        return [tip for *_xs, tip in self._bars]


def _short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
