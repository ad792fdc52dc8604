"""The Results page's charts (pyqtgraph): profile sizes, and precision/recall against the
match threshold with the threshold as a line to drag. Colours follow the app's palette."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from workbench.ui.signals import emit

RECALL_LIGHT, RECALL_DARK = "#0f8a7a", "#34c3a8"
LOWEST, HIGHEST = 0.5, 0.99999
"""The threshold line moves between these (the stored curve starts at 0.5)."""
TICKS = (0.5, 0.9, 0.99, 0.999, 0.9999, 0.99999)


def nines(threshold: float) -> float:
    """Where a threshold sits on the chart: -log10(1 - t), so 0.9, 0.99, 0.999 are evenly
    spaced (on a straight 0..1 axis they would all crowd against 1)."""
    return -math.log10(max(1.0 - threshold, 1e-9))


def from_nines(x: float) -> float:
    return 1.0 - 10.0 ** (-x)


def threshold_label(threshold: float) -> str:
    """A threshold with the decimals that matter near 1 (0.95, 0.9877, 0.99995)."""
    places = max(2, math.ceil(nines(threshold)) + 2)
    text = f"{threshold:.{places}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


class ThemedPlot(pg.PlotWidget):
    """A quiet plot: no menu, no zoom buttons, colours from the application palette."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.showGrid(x=False, y=True, alpha=0.12)
        self.setMinimumHeight(190)
        self.apply_palette()

    def colors(self) -> dict[str, QColor]:
        palette = QApplication.palette()
        base = palette.color(QPalette.ColorRole.Base)
        dark = base.lightness() < 128
        return {
            "base": base,
            "text": palette.color(QPalette.ColorRole.Text),
            "muted": palette.color(QPalette.ColorRole.PlaceholderText),
            "line": palette.color(QPalette.ColorRole.Mid),
            "accent": palette.color(QPalette.ColorRole.Highlight),
            "second": QColor(RECALL_DARK if dark else RECALL_LIGHT),
            "warn": palette.color(QPalette.ColorRole.BrightText),
        }

    def apply_palette(self) -> None:
        c = self.colors()
        self.setBackground(c["base"])
        for name in ("left", "bottom"):
            axis = self.getPlotItem().getAxis(name)
            axis.setPen(pg.mkPen(c["line"]))
            axis.setTextPen(pg.mkPen(c["muted"]))
        self.restyle(c)

    def restyle(self, colors: dict[str, QColor]) -> None:
        """Recolour what the subclass drew."""

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        ready = self.__dict__.get("plotItem") is not None  # also called while constructing
        if ready and event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.ApplicationPaletteChange,
        ):
            self.apply_palette()
        super().changeEvent(event)


class SizeHistogram(ThemedPlot):
    """How many profiles hold 1, 2, 3 … records."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: pg.BarGraphItem | None = None
        self.labels: list[str] = []
        self.counts: list[int] = []
        self.values: list[pg.TextItem] = []
        self.getPlotItem().setLabel("bottom", "records in a profile")

    def set_histogram(self, histogram: dict[str, int]) -> None:
        item = self.getPlotItem()
        if self.bars is not None:
            item.removeItem(self.bars)
            self.bars = None
        self.labels = list(histogram)
        self.counts = [int(v) for v in histogram.values()]
        if not self.counts:
            return
        x = np.arange(len(self.counts))
        self.bars = pg.BarGraphItem(x=x, height=self.counts, width=0.72)
        self.bars.setZValue(5)  # above the grid lines
        item.addItem(self.bars)
        for text in self.values:
            item.removeItem(text)
        self.values = []
        for i, n in enumerate(self.counts):
            text = pg.TextItem(f"{n:,}", anchor=(0.5, 1.0))
            text.setPos(i, n)
            text.setZValue(6)
            item.addItem(text)
            self.values.append(text)
        item.getAxis("bottom").setTicks([list(enumerate(self.labels))])
        item.setXRange(-0.6, len(self.counts) - 0.4, padding=0)
        item.setYRange(0, max(self.counts) * 1.15, padding=0)
        self.restyle(self.colors())

    def restyle(self, colors: dict[str, QColor]) -> None:
        if self.__dict__.get("bars") is not None:  # (also called while constructing)
            self.bars.setOpts(brush=pg.mkBrush(colors["accent"]), pen=pg.mkPen(None))
        for text in self.__dict__.get("values", []):
            text.setColor(colors["muted"])


class ThresholdChart(ThemedPlot):
    """Precision and recall of the match score at each threshold, and the threshold to drag."""

    sig_threshold_moved = Signal(float)
    """The user is dragging the threshold line: the threshold under it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        item = self.getPlotItem()
        item.setLabel("bottom", "match threshold (scored pairs, before guardrails)")
        item.getAxis("bottom").setTicks([[(nines(t), threshold_label(t)) for t in TICKS]])
        item.setXRange(nines(LOWEST) - 0.1, nines(HIGHEST) + 0.25, padding=0)
        self.legend = item.addLegend(offset=(10, -10), labelTextSize="9pt")
        self.precision = item.plot([], [], name="precision", symbol="o", symbolSize=6)
        self.recall = item.plot([], [], name="recall", symbol="o", symbolSize=6)
        self.line = pg.InfiniteLine(angle=90, movable=True)
        self.line.setBounds([nines(LOWEST), nines(HIGHEST)])
        self.line.setZValue(10)
        self.line.setCursor(Qt.CursorShape.SizeHorCursor)
        self.label = pg.InfLineLabel(self.line, "", position=0.96, anchors=[(0, 0), (0, 0)])
        self.run_line = pg.InfiniteLine(angle=90, movable=False)
        bottom_left = [(1, 1), (1, 1)]
        self.run_label = pg.InfLineLabel(self.run_line, "run ", position=0.04, anchors=bottom_left)
        item.addItem(self.run_line)
        item.addItem(self.line)
        self.line.sigPositionChanged.connect(self._moved)
        self.has_curve = False
        self.run_threshold: float | None = None
        self._built = True
        self.restyle(self.colors())

    @property
    def threshold(self) -> float:
        return from_nines(float(self.line.value()))

    def set_curve(self, curve: list[dict[str, float]], run_threshold: float) -> None:
        """Show a run's curve (maybe empty: no truth) with the line at its threshold."""
        self.has_curve = bool(curve)
        x = [nines(p["threshold"]) for p in curve]
        self.precision.setData(x, [p["precision"] for p in curve])
        self.recall.setData(x, [p["recall"] for p in curve])
        self.legend.setVisible(self.has_curve)
        item = self.getPlotItem()
        if curve:
            low = min(min(p["precision"], p["recall"]) for p in curve)
            item.setYRange(max(0.0, low - 0.05), 1.005, padding=0)
        else:
            item.setYRange(0, 1, padding=0)
        item.getAxis("left").setStyle(showValues=self.has_curve)
        self.run_threshold = run_threshold
        self.run_line.setValue(nines(run_threshold))
        self.set_threshold(run_threshold)

    def set_threshold(self, threshold: float) -> None:
        """Move the line without announcing it (the run's own value, a reset)."""
        self.line.blockSignals(True)
        self.line.setValue(nines(min(max(threshold, LOWEST), HIGHEST)))
        self.line.blockSignals(False)
        self._label()

    def _moved(self, _line: object) -> None:
        self._label()
        emit(self.sig_threshold_moved, self.threshold)

    def _label(self) -> None:
        t = self.threshold
        run = self.run_threshold
        same = run is not None and abs(nines(t) - nines(run)) < 1e-6
        self.label.setFormat(f" {threshold_label(t)}" + (" (run)" if same else "") + " ")
        # Keep the text inside the plot: right of the line, or left of it near the right edge.
        right = float(self.line.value()) > (nines(LOWEST) + nines(HIGHEST)) / 2
        anchor = (1, 0) if right else (0, 0)
        self.label.anchors = [anchor, anchor]
        self.label.updatePosition()

    def restyle(self, colors: dict[str, QColor]) -> None:
        if not self.__dict__.get("_built"):
            return  # called by the base class before the items exist
        self.precision.setPen(pg.mkPen(colors["accent"], width=2))
        self.precision.setSymbolBrush(pg.mkBrush(colors["accent"]))
        self.precision.setSymbolPen(pg.mkPen(None))
        self.recall.setPen(pg.mkPen(colors["second"], width=2))
        self.recall.setSymbolBrush(pg.mkBrush(colors["second"]))
        self.recall.setSymbolPen(pg.mkPen(None))
        self.line.setPen(pg.mkPen(colors["text"], width=2))
        self.line.setHoverPen(pg.mkPen(colors["accent"], width=3))
        self.run_line.setPen(pg.mkPen(colors["muted"], width=1, style=Qt.PenStyle.DashLine))
        self.label.setColor(colors["text"])
        self.run_label.setColor(colors["muted"])
        for _sample, text in self.legend.items:
            text.setText(text.text, color=colors["text"])
