"""The exclusive/shared breakdown of a few segments drawn like an UpSet plot: one bar per
region (profiles in exactly those segments), largest first, over a dot matrix that says
which segments the region belongs to."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QCursor, QFont
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from workbench.segments.overlap import Region
from workbench.ui.panels.segments import insights_format as fmt
from workbench.ui.panels.segments.insights_charts import (
    MAX_VALUE_LABELS,
    ChartBox,
    ThemeInk,
    series_color,
)

ROW_PX = 26


def region_label(members: Sequence[str], chosen: Sequence[str]) -> str:
    """ "Only A" for a region of one segment; "A & B" (and no other) for shared ones."""
    if len(members) == 1:
        return f"Only {members[0]}"
    if len(members) == len(chosen):
        return f"In all {len(chosen)}" if len(chosen) > 2 else " & ".join(members)
    return " & ".join(members) + " only"


class UpSetChart(ChartBox):
    """Bars of region sizes over a dot matrix of membership."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.segments: list[str] = []
        self.regions: list[Region] = []
        self.union = 0
        super().__init__(parent)
        self.bars = self.canvas.addPlot(row=0, col=0)
        self.dots = self.canvas.addPlot(row=1, col=0)
        self.dots.setXLink(self.bars)
        self.bars.hideAxis("bottom")
        self.dots.getAxis("bottom").hide()
        self.dots.getAxis("left").setStyle(tickLength=0)
        self.bars.scene().sigMouseMoved.connect(self._hover)
        self.apply_theme()

    def set_regions(self, segments: Sequence[str], regions: Sequence[Region]) -> None:
        self.segments = list(segments)
        self.regions = sorted(
            (r for r in regions if r.count > 0), key=lambda r: (-r.count, len(r.segments))
        )
        self.union = sum(r.count for r in self.regions)
        if not self.regions:
            self.show_empty("These segments have no members.")
            return
        self.show_chart()
        self.redraw()

    def tips(self) -> list[str]:
        return [self._tip(r) for r in self.regions]

    def _tip(self, region: Region) -> str:
        share = region.count / self.union if self.union else None
        return (
            f"{region_label(region.segments, self.segments)}: {region.count:,} "
            f"({fmt.percent(share)} of profiles in any of them)"
        )

    def redraw(self) -> None:
        if not hasattr(self, "dots"):
            return
        self.bars.clear()
        self.dots.clear()
        if not self.regions:
            return
        ink = ThemeInk.current()
        n = len(self.regions)
        xs = list(range(n))
        heights = [r.count for r in self.regions]
        shared = QColor("#9aa3b2") if ink.dark else QColor("#4b5563")
        colors = [
            QColor(series_color(self.segments.index(r.segments[0])))
            if len(r.segments) == 1
            else shared
            for r in self.regions
        ]
        self.bars.addItem(
            pg.BarGraphItem(x=xs, height=heights, width=0.62, brushes=colors, pen=pg.mkPen(None))
        )
        if n <= MAX_VALUE_LABELS:
            for x, h in zip(xs, heights, strict=True):
                text = pg.TextItem(f"{h:,}", color=ink.muted, anchor=(0.5, 1.0))
                text.setFont(QFont(QApplication.font().family(), 8))
                text.setPos(x, h)
                self.bars.addItem(text)
        top = max(heights)
        self.bars.setYRange(0, top * 1.18, padding=0)
        self.bars.setXRange(-0.6, n - 0.4, padding=0)

        k = len(self.segments)
        on_x, on_y, off_x, off_y = [], [], [], []
        for x, region in enumerate(self.regions):
            rows = [k - 1 - self.segments.index(m) for m in region.segments]
            for row in range(k):
                (on_x if row in rows else off_x).append(x)
                (on_y if row in rows else off_y).append(row)
            if len(rows) > 1:
                self.dots.plot([x, x], [min(rows), max(rows)], pen=pg.mkPen(ink.ink, width=2.5))
        self.dots.addItem(
            pg.ScatterPlotItem(off_x, off_y, size=11, brush=ink.line, pen=pg.mkPen(None))
        )
        self.dots.addItem(
            pg.ScatterPlotItem(on_x, on_y, size=11, brush=ink.ink, pen=pg.mkPen(None))
        )
        left = self.dots.getAxis("left")
        left.setTicks([[(k - 1 - i, _short(name)) for i, name in enumerate(self.segments)]])
        self.dots.setYRange(-0.6, k - 0.4, padding=0)
        width = max(self.fontMetrics().horizontalAdvance(_short(s)) for s in self.segments)
        for plot in (self.bars, self.dots):
            plot.getAxis("left").setWidth(width + 16)
        self.dots.setMaximumHeight(k * ROW_PX + 12)
        self.dots.setMinimumHeight(k * ROW_PX + 12)

    def _hover(self, pos: QPointF) -> None:
        if not self.regions:
            return
        for plot in (self.bars, self.dots):
            if plot.sceneBoundingRect().contains(pos):
                x = plot.getViewBox().mapSceneToView(pos).x()
                i = round(x)
                if 0 <= i < len(self.regions) and abs(x - i) <= 0.35:
                    QToolTip.showText(QCursor.pos(), self._tip(self.regions[i]), self.canvas)
                    return
        QToolTip.hideText()


def _short(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
