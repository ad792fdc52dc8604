"""A profile's events over time: one row per event type, a dot per event, hover for detail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pyqtgraph as pg
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QApplication, QWidget

from workbench.segments.members import ProfileEvent
from workbench.ui.models import format_value
from workbench.ui.panels.segments.insights_charts import ChartBox, ThemeInk, series_color


def _epoch(ts: dt.datetime) -> float:
    """Stored timestamps are UTC without a zone."""
    return ts.replace(tzinfo=dt.UTC).timestamp() if ts.tzinfo is None else ts.timestamp()


def event_tip(event: ProfileEvent) -> str:
    lines = [f"{event.event_type} · {event.ts:%Y-%m-%d %H:%M} UTC", f"from {event.source}"]
    if event.value is not None:
        lines.append(f"value {format_value(event.value)}")
    if event.channel:
        lines.append(f"channel {event.channel}")
    lines += [f"{k} {format_value(v, grouping=False)}" for k, v in event.properties.items()]
    return "\n".join(lines)


class TimelineChart(ChartBox):
    """Scatter of events: x is time (UTC), y the event type (most frequent at the top)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.events: list[ProfileEvent] = []
        self.counts: dict[str, int] = {}
        self.types: list[str] = []
        super().__init__(parent)
        self.plot = self.canvas.addPlot(axisItems={"bottom": pg.DateAxisItem(utcOffset=0)})
        self.plot.showGrid(x=True, y=False, alpha=0.2)
        self.plot.getAxis("left").setStyle(tickLength=0)
        self.apply_theme()

    def set_events(self, events: Sequence[ProfileEvent], counts: Mapping[str, int]) -> None:
        self.events = [e for e in events if e.ts is not None]
        self.counts = dict(counts)
        shown = {e.event_type for e in self.events}
        ordered = sorted(self.counts, key=lambda t: (-self.counts[t], t))
        self.types = [t for t in ordered if t in shown] + sorted(shown - set(ordered))
        if not self.events:
            self.show_empty("No events are linked to this profile.")
            return
        self.show_chart()
        self.redraw()

    def redraw(self) -> None:
        if not hasattr(self, "plot"):
            return
        self.plot.clear()
        if not self.events:
            return
        ink = ThemeInk.current()
        rows = {t: len(self.types) - 1 - i for i, t in enumerate(self.types)}
        for i, event_type in enumerate(self.types):
            mine = [e for e in self.events if e.event_type == event_type]
            color = QColor(series_color(i))
            color.setAlphaF(0.8)
            self.plot.addItem(
                pg.ScatterPlotItem(
                    x=[_epoch(e.ts) for e in mine],
                    y=[rows[event_type]] * len(mine),
                    data=[event_tip(e) for e in mine],
                    size=9,
                    brush=color,
                    pen=pg.mkPen(ink.surface, width=1),
                    hoverable=True,
                    hoverSize=13,
                    tip=lambda x, y, data: data,
                )
            )
        labels = [(rows[t], f"{t} · {self.counts.get(t, 0):,}") for t in self.types]
        left = self.plot.getAxis("left")
        left.setTicks([labels])
        metrics = QFontMetrics(left.style.get("tickFont") or QApplication.font())
        left.setWidth(max(metrics.horizontalAdvance(text) for _, text in labels) + 14)
        xs = [_epoch(e.ts) for e in self.events]
        span = max(max(xs) - min(xs), 86400.0)
        self.plot.setXRange(min(xs) - span * 0.03, max(xs) + span * 0.03, padding=0)
        self.plot.setYRange(-0.7, len(self.types) - 0.3, padding=0)
