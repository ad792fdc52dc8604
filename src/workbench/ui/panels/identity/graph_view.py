"""The identity graph on screen: records as points coloured by source, match edges coloured by
what matched them and drawn thicker when stronger, weak bridges and the analyst's labels marked.

Built to stay interactive at a few thousand nodes: every edge style is one ``PlotCurveItem``
drawn with ``connect="pairs"`` (not one item per edge), the nodes are one scatter item, text
labels appear only when few enough nodes are in view, and clicks find the nearest edge with a
vectorised distance test.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeySequence,
    QPainterPath,
    QPalette,
    QPen,
    QShortcut,
    QTransform,
)
from PySide6.QtWidgets import QApplication, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from workbench.identity.graph import ADDED, REMOVED, SHARED, GraphEdge, ProfileGraph
from workbench.ui.signals import emit

SOURCE_COLOURS = (
    "#2f6fde",
    "#e8710a",
    "#12a37f",
    "#c2185b",
    "#7e57c2",
    "#00a3bf",
    "#8d6e63",
    "#7cb342",
    "#5c6bc0",
    "#f4b400",
)
"""Node fill per source, in the graph's source order (distinct in light and dark)."""
GROUP_COLOURS = ("#7b8db5", "#b07aa1", "#59a89c", "#c9a13b", "#9c755f", "#8fa85a", "#6f9fd8")
"""Edge colour per rule or deciding field: quieter than the nodes."""
ADDED_COLOUR, REMOVED_COLOUR, WEAK_COLOUR = "#16a34a", "#dc2626", "#e4572e"
LABEL_STYLE = {
    "same": ("#16a34a", "Same person"),
    "different": ("#dc2626", "Different people"),
    "unsure": ("#c98a04", "Unsure"),
}
"""Badge colour and legend text of each analyst label."""
BADGE_SIZE = 16
OUTSIDE_TEXT = "In another profile (hollow)"


def label_glyph(label: str) -> QPainterPath:
    """The white mark on a label's badge (a tick, a cross, a question mark), in a unit box
    centred on 0 with y pointing down, as scatter symbols are drawn."""
    path = QPainterPath()
    if label == "same":
        path.moveTo(-0.26, 0.0)
        path.lineTo(-0.07, 0.19)
        path.lineTo(0.27, -0.2)
    elif label == "different":
        path.moveTo(-0.2, -0.2)
        path.lineTo(0.2, 0.2)
        path.moveTo(-0.2, 0.2)
        path.lineTo(0.2, -0.2)
    else:
        font = QFont()
        font.setBold(True)
        font.setPixelSize(100)
        path.addText(0, 0, font, "?")
        box = path.boundingRect()
        scale = 0.62 / max(box.height(), 1e-9)
        path = QTransform().scale(scale, scale).map(path)
        box = path.boundingRect()
        path.translate(-box.center())
    return path


def _label_pen(label: str) -> QPen:
    """Ticks and crosses are strokes; the question mark is filled."""
    if label in ("same", "different"):
        pen = pg.mkPen("#ffffff", width=2.2)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        return pen
    return pg.mkPen(None)


WIDTHS = (1.0, 1.8, 2.8)
"""Edge pen widths for weak, medium and strong matches."""
NODE_SIZE = 12
FIT_SIDE, FIT_TOP, FIT_BOTTOM = 90, 24, 48
"""Margins (pixels) that Fit keeps around the nodes for their text labels."""
CLICK_PIXELS = 6.0
"""How near (in screen pixels) a click must land to pick an edge."""
TEXT_LIMIT = 80
"""Text labels are drawn only when at most this many nodes are in view."""


@dataclass(frozen=True)
class LegendEntry:
    section: str
    """``sources``, ``edges`` or ``labels``."""
    text: str
    colour: str
    style: str = "dot"
    """``dot``, ``ring``, ``line``, ``dash``, ``dot-line`` or ``label:NAME`` (a label badge)."""


def _muted() -> QColor:
    return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)


class _GraphViewBox(pg.ViewBox):
    """A ViewBox whose left clicks pick nodes/edges and whose left drags move nodes."""

    def __init__(self, owner: GraphView) -> None:
        super().__init__(enableMenu=False)
        self._owner = owner
        self._dragging: int | None = None
        self.setAspectLocked(True)

    def mouseClickEvent(self, ev) -> None:  # noqa: N802
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self._owner._clicked(self.mapSceneToView(ev.scenePos()))
        else:
            super().mouseClickEvent(ev)

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802
        if ev.button() != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(ev, axis)
            return
        if ev.isStart():
            self._dragging = self._owner._node_at(self.mapSceneToView(ev.buttonDownScenePos()))
        if self._dragging is None:
            super().mouseDragEvent(ev, axis)
            return
        ev.accept()
        point = self.mapSceneToView(ev.scenePos())
        self._owner._move_node(self._dragging, point.x(), point.y(), ev.isFinish())
        if ev.isFinish():
            self._dragging = None


class GraphView(QWidget):
    """Draws a ProfileGraph at given positions; pan and zoom with the mouse, drag nodes."""

    sig_edge_clicked = Signal(str, str)
    """An edge was clicked: its left and right record references (``source:record_id``)."""
    sig_node_clicked = Signal(str)
    """A node was clicked: its record reference."""
    sig_node_moved = Signal(str, float, float)
    """A node was dragged to a new place: its record reference and position."""
    sig_selection_cleared = Signal()
    """A click on empty space cleared the selection."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.graph: ProfileGraph | None = None
        self.positions = np.zeros((0, 2))
        self.selected_edge: int | None = None
        self.selected_node: int | None = None
        self._focus: set[int] = set()
        self._pair_labels: dict[frozenset[int], str] = {}
        self._curves: dict[tuple, pg.PlotCurveItem] = {}
        self._ends = np.zeros((0, 2), dtype=np.int64)
        self._styles: list[tuple[str, float, bool]] = []
        self._source_colour: dict[str, str] = {}
        self._group_colour: dict[str, str] = {}
        self._texts: list[pg.TextItem] = []
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.fit_button = QPushButton("Fit")
        self.fit_button.setToolTip("Show the whole graph (F)")
        self.fit_button.clicked.connect(self.fit)
        fit_key = QShortcut(QKeySequence("F"), self)
        fit_key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        fit_key.activated.connect(self.fit)
        self.labels_button = QPushButton("Labels")
        self.labels_button.setCheckable(True)
        self.labels_button.setChecked(True)
        self.labels_button.setToolTip("Name the records when zoomed in far enough")
        self.labels_button.toggled.connect(lambda _on: self._update_texts())
        bar.addWidget(self.fit_button)
        bar.addWidget(self.labels_button)
        bar.addStretch(1)
        self.toolbar = bar
        layout.addLayout(bar)
        self.canvas = pg.GraphicsView()
        self.canvas.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.box = _GraphViewBox(self)
        self.canvas.setCentralItem(self.box)
        layout.addWidget(self.canvas, 1)
        self.selection = pg.PlotCurveItem(connect="pairs")
        self.selection.setZValue(1)
        self.label_lines = pg.PlotCurveItem(connect="pairs")
        self.label_lines.setZValue(0)
        self.markers = pg.ScatterPlotItem(pxMode=True)
        self.markers.setZValue(2.6)  # above the text labels (2.5), below the nodes (3)
        self.marks = pg.ScatterPlotItem(pxMode=True)
        self.marks.setZValue(2.7)
        self._glyphs: dict[str, QPainterPath] = {}
        self.nodes = pg.ScatterPlotItem(
            pxMode=True, hoverable=True, tip=self._tip, hoverSize=NODE_SIZE + 4
        )
        self.nodes.setZValue(3)
        for item in (self.selection, self.label_lines, self.markers, self.marks, self.nodes):
            self.box.addItem(item)
        self._text_timer = QTimer(self, singleShot=True, interval=40)
        self._text_timer.timeout.connect(self._update_texts)
        self.box.sigRangeChanged.connect(lambda *_: self._text_timer.start())
        self._auto_fit = True
        """Re-fit when the view is resized, until the user pans or zooms."""
        self.box.sigRangeChangedManually.connect(self._stop_auto_fit)
        self.box.sigResized.connect(self._resized)
        self._apply_palette()

    # ------------------------------------------------------------------ public API
    def set_graph(self, graph: ProfileGraph, positions: np.ndarray) -> None:
        """Show ``graph`` with one (x, y) row per node, fitted to the view."""
        self.graph = graph
        self.positions = np.asarray(positions, dtype=np.float64).reshape(-1, 2).copy()
        self.selected_edge = None
        self.selected_node = None
        self._focus = set()
        self._pair_labels = {frozenset((lb.a, lb.b)): lb.label for lb in graph.labels}
        self._source_colour = {
            s: SOURCE_COLOURS[i % len(SOURCE_COLOURS)] for i, s in enumerate(graph.sources)
        }
        self._group_colour = {
            g: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, g in enumerate(graph.groups)
        }
        self._ends = np.array([(e.a, e.b) for e in graph.edges], dtype=np.int64).reshape(-1, 2)
        self._styles = [self._edge_style(e) for e in graph.edges]
        self._drop_texts()
        self._draw_all()
        self.fit()

    def clear(self) -> None:
        self.graph = None
        self.positions = np.zeros((0, 2))
        self._ends = np.zeros((0, 2), dtype=np.int64)
        self._styles = []
        self._pair_labels = {}
        self.selected_edge = self.selected_node = None
        self._drop_texts()
        self._draw_all()

    def fit(self) -> None:
        """Zoom to show every node with room for its text label."""
        if not len(self.positions):
            return
        lo, hi = self.positions.min(axis=0), self.positions.max(axis=0)
        span = hi - lo
        if span.max() < 1e-9:
            span = np.array([2.0, 2.0])
        width, height = self.box.width(), self.box.height()
        if width < 2 * FIT_SIDE + 20 or height < FIT_TOP + FIT_BOTTOM + 20:
            centre = (lo + hi) / 2
            self.box.setRange(
                xRange=(centre[0] - span[0] / 2, centre[0] + span[0] / 2),
                yRange=(centre[1] - span[1] / 2, centre[1] + span[1] / 2),
                padding=0.15,
            )
            return
        # Units per pixel so that the nodes fill the view inside the label margins.
        scale = max(span[0] / (width - 2 * FIT_SIDE), span[1] / (height - FIT_TOP - FIT_BOTTOM))
        cx = (lo[0] + hi[0]) / 2
        # Labels hang below the nodes: the bottom margin is the larger one.
        cy = (lo[1] + hi[1]) / 2 + (FIT_TOP - FIT_BOTTOM) / 2 * scale
        half_w, half_h = width * scale / 2, height * scale / 2
        self.box.setRange(
            xRange=(cx - half_w, cx + half_w), yRange=(cy - half_h, cy + half_h), padding=0
        )
        self._auto_fit = True

    def _stop_auto_fit(self, *_args: object) -> None:
        self._auto_fit = False

    def _resized(self, *_args: object) -> None:
        if self._auto_fit and self.graph is not None:
            self.fit()

    def focus(self, refs: tuple[str, ...] | list[str]) -> None:
        """Ring these records and centre the view on them."""
        if self.graph is None:
            return
        index = self.graph.index()
        self._focus = {index[r] for r in refs if r in index}
        self._draw_nodes()
        if self._focus:
            self._auto_fit = False
            centre = self.positions[sorted(self._focus)].mean(axis=0)
            (x0, x1), (y0, y1) = self.box.viewRange()
            dx, dy = (x1 - x0) / 2, (y1 - y0) / 2
            self.box.setRange(
                xRange=(centre[0] - dx, centre[0] + dx),
                yRange=(centre[1] - dy, centre[1] + dy),
                padding=0,
            )

    def select_edge(self, index: int | None) -> None:
        self.selected_edge = index
        self.selected_node = None
        self._draw_selection()
        self._draw_nodes()

    def select_pair(self, left: str, right: str) -> int | None:
        """Select the edge between two records (if drawn); returns its index."""
        if self.graph is None:
            return None
        where = self.graph.index()
        pair = {where.get(left), where.get(right)}
        for i, e in enumerate(self.graph.edges):
            if {e.a, e.b} == pair:
                self.select_edge(i)
                return i
        return None

    def set_pair_label(self, left: str, right: str, label: str | None) -> None:
        """Show (or remove) the analyst's label on a pair of records."""
        if self.graph is None:
            return
        where = self.graph.index()
        if left not in where or right not in where:
            return
        key = frozenset((where[left], where[right]))
        if label is None:
            self._pair_labels.pop(key, None)
        else:
            self._pair_labels[key] = label
        self._draw_markers()

    def pair_label(self, left: str, right: str) -> str | None:
        if self.graph is None:
            return None
        where = self.graph.index()
        return self._pair_labels.get(frozenset((where.get(left), where.get(right))))

    def edge_refs(self, index: int) -> tuple[str, str]:
        assert self.graph is not None
        e = self.graph.edges[index]
        return self.graph.nodes[e.a].ref, self.graph.nodes[e.b].ref

    def legend(self) -> list[LegendEntry]:
        """What the colours and marks mean, for the page's legend."""
        if self.graph is None:
            return []
        g = self.graph
        out = [LegendEntry("sources", s, self._source_colour[s]) for s in g.sources]
        if any(n.profile_id != g.profile_id for n in g.nodes):
            out.append(LegendEntry("sources", OUTSIDE_TEXT, _muted().name(), "ring"))
        statuses = {e.status for e in g.edges}
        for group in g.groups:
            if any(
                e.group == group and e.status not in (ADDED, REMOVED) and not e.weak
                for e in g.edges
            ):
                title = g.group_titles.get(group, group)
                style = "dot-line" if group.startswith("shared:") else "line"
                colour = _muted().name() if style == "dot-line" else self._group_colour[group]
                out.append(LegendEntry("edges", title, colour, style))
        if any(e.weak for e in g.edges):
            out.append(LegendEntry("edges", "Weak bridge", WEAK_COLOUR, "dash"))
        if ADDED in statuses:
            out.append(LegendEntry("edges", "Appeared in this run", ADDED_COLOUR))
        if REMOVED in statuses:
            out.append(LegendEntry("edges", "Gone since the other run", REMOVED_COLOUR, "dash"))
        for label in sorted(set(self._pair_labels.values())):
            colour, text = LABEL_STYLE.get(label, ("#888888", label))
            out.append(LegendEntry("labels", text, colour, f"label:{label}"))
        return out

    # -------------------------------------------------------------------- drawing
    def _edge_style(self, e: GraphEdge) -> tuple[str, float, bool]:
        """(colour, width, dashed) of an edge."""
        width = WIDTHS[min(int(e.strength * len(WIDTHS)), len(WIDTHS) - 1)]
        if e.kind == SHARED:
            return _muted().name(), 1.0, True
        if e.status == REMOVED:
            return REMOVED_COLOUR, width, True
        if e.weak:
            return WEAK_COLOUR, max(width, 2.2), True
        if e.status == ADDED:
            return ADDED_COLOUR, width, False
        return self._group_colour.get(e.group, GROUP_COLOURS[0]), width, False

    def _draw_all(self) -> None:
        self._draw_edges()
        self._draw_nodes()
        self._draw_markers()
        self._draw_selection()
        self._update_texts()

    def _draw_edges(self) -> None:
        by_style: dict[tuple, list[int]] = {}
        for i, style in enumerate(self._styles):
            by_style.setdefault(style, []).append(i)
        many = len(self._styles) > 1500
        for key in list(self._curves):
            if key not in by_style:
                self.box.removeItem(self._curves.pop(key))
        for key, members in by_style.items():
            curve = self._curves.get(key)
            if curve is None:
                colour, width, dashed = key
                pen = pg.mkPen(colour, width=width)
                if dashed:
                    pen.setStyle(Qt.PenStyle.DashLine)
                curve = pg.PlotCurveItem(connect="pairs", pen=pen, antialias=not many)
                curve.setSkipFiniteCheck(True)
                curve.setZValue(0 if not dashed else 0.5)
                self.box.addItem(curve)
                self._curves[key] = curve
            ends = self._ends[members].ravel()
            curve.setData(self.positions[ends, 0], self.positions[ends, 1])

    def _draw_nodes(self) -> None:
        g = self.graph
        if g is None or not len(self.positions):
            self.nodes.setData([])
            return
        surface = QApplication.palette().color(QPalette.ColorRole.Base)
        accent = QApplication.palette().color(QPalette.ColorRole.Highlight)
        brushes, pens, sizes = [], [], []
        brush_cache: dict[tuple, object] = {}
        pen_cache: dict[tuple, object] = {}
        picked = self._picked_nodes()
        for i, n in enumerate(g.nodes):
            colour = self._source_colour.get(n.source, SOURCE_COLOURS[0])
            outside = n.profile_id != g.profile_id
            key = (colour, outside)
            if key not in brush_cache:
                brush_cache[key] = pg.mkBrush(surface if outside else QColor(colour))
            ring = i in self._focus or i in picked
            pkey = (colour, outside, ring)
            if pkey not in pen_cache:
                pen_cache[pkey] = (
                    pg.mkPen(accent, width=3)
                    if ring
                    else pg.mkPen(colour, width=2)
                    if outside
                    else pg.mkPen(surface, width=1.5)
                )
            brushes.append(brush_cache[key])
            pens.append(pen_cache[pkey])
            sizes.append(NODE_SIZE + 4 if ring else NODE_SIZE)
        self.nodes.setData(
            pos=self.positions,
            brush=brushes,
            pen=pens,
            size=sizes,
            data=np.arange(len(self.positions)),
            hoverPen=pg.mkPen(accent, width=2),
        )

    def _picked_nodes(self) -> set[int]:
        if self.selected_node is not None:
            return {self.selected_node}
        if self.selected_edge is not None and self.graph is not None:
            e = self.graph.edges[self.selected_edge]
            return {e.a, e.b}
        return set()

    def _draw_markers(self) -> None:
        """A badge (coloured square with a white mark) in the middle of each labelled pair."""
        if self.graph is None or not self._pair_labels:
            self.markers.setData([])
            self.marks.setData([])
            self.label_lines.setData([], [])
            return
        edge_pairs = {frozenset((e.a, e.b)) for e in self.graph.edges}
        badges, marks, lone = [], [], []
        surface = QApplication.palette().color(QPalette.ColorRole.Base)
        for pair, label in sorted(self._pair_labels.items(), key=lambda kv: sorted(kv[0])):
            a, b = sorted(pair)
            colour, _ = LABEL_STYLE.get(label, ("#888888", label))
            mid = (self.positions[a] + self.positions[b]) / 2
            badges.append(
                {
                    "pos": (mid[0], mid[1]),
                    "symbol": "s",
                    "brush": pg.mkBrush(colour),
                    "pen": pg.mkPen(surface, width=1.5),
                    "size": BADGE_SIZE,
                    "data": label,
                }
            )
            marks.append(
                {
                    "pos": (mid[0], mid[1]),
                    "symbol": self._glyphs.setdefault(label, label_glyph(label)),
                    "brush": pg.mkBrush("#ffffff" if label not in ("same", "different") else None),
                    "pen": _label_pen(label),
                    "size": BADGE_SIZE,
                }
            )
            if pair not in edge_pairs:
                lone.extend([a, b])
        self.markers.setData(badges)
        self.marks.setData(marks)
        pen = pg.mkPen(_muted(), width=1)
        pen.setStyle(Qt.PenStyle.DotLine)
        self.label_lines.setPen(pen)
        if lone:
            self.label_lines.setData(self.positions[lone, 0], self.positions[lone, 1])
        else:
            self.label_lines.setData([], [])

    def _draw_selection(self) -> None:
        if self.selected_edge is None or self.graph is None:
            self.selection.setData([], [])
            return
        accent = QColor(QApplication.palette().color(QPalette.ColorRole.Highlight))
        accent.setAlpha(110)
        self.selection.setPen(pg.mkPen(accent, width=9))
        ends = self._ends[self.selected_edge]
        self.selection.setData(self.positions[ends, 0], self.positions[ends, 1])

    def _update_texts(self) -> None:
        """Name the records in view when there are few enough of them to read.

        Text items are pooled and keep the node they show, so a pan only moves them.
        """
        visible: np.ndarray = np.zeros(0, dtype=np.int64)
        if self.graph is not None and len(self.positions) and self.labels_button.isChecked():
            (x0, x1), (y0, y1) = self.box.viewRange()
            xs, ys = self.positions[:, 0], self.positions[:, 1]
            visible = np.flatnonzero((xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1))
            if len(visible) > TEXT_LIMIT:
                visible = visible[:0]
        wanted = {int(i) for i in visible}
        free = []
        for item in self._texts:
            node = item.node  # type: ignore[attr-defined]
            if node in wanted and item.isVisible():
                wanted.discard(node)
                x, y = self.positions[node]
                if (item.pos().x(), item.pos().y()) != (x, y):
                    item.setPos(float(x), float(y))
            else:
                item.hide()
                free.append(item)
        for node in sorted(wanted):
            item = free.pop() if free else self._new_text()
            item.node = node  # type: ignore[attr-defined]
            item.setHtml(self._text_html(node))
            item.setPos(float(self.positions[node, 0]), float(self.positions[node, 1]))
            item.show()

    def _new_text(self) -> pg.TextItem:
        fill = QColor(QApplication.palette().color(QPalette.ColorRole.Base))
        fill.setAlpha(170)
        item = pg.TextItem(anchor=(0.5, -0.4), fill=pg.mkBrush(fill))
        item.setZValue(2.5)
        item.node = -1  # type: ignore[attr-defined]
        self.box.addItem(item)
        self._texts.append(item)
        return item

    def _text_html(self, index: int) -> str:
        assert self.graph is not None
        node = self.graph.nodes[index]
        ink = QApplication.palette().color(QPalette.ColorRole.Text).name()
        title = html.escape(_elide(node.title, 26))
        key = html.escape(_elide(node.label, 30))
        text = f'<span style="color:{_muted().name()}; font-size:10px">{key}</span>'
        if title:
            text = f'<span style="color:{ink}; font-size:11px">{title}</span><br>{text}'
        return f'<div style="text-align:center">{text}</div>'

    def _drop_texts(self) -> None:
        """Forget the text items (a new graph, or new theme colours)."""
        for item in self._texts:
            self.box.removeItem(item)
        self._texts = []

    # ---------------------------------------------------------------- interaction
    def _node_at(self, point: QPointF) -> int | None:
        if not len(self.positions):
            return None
        px = self.box.viewPixelSize()[0]
        d2 = (self.positions[:, 0] - point.x()) ** 2 + (self.positions[:, 1] - point.y()) ** 2
        i = int(np.argmin(d2))
        return i if d2[i] <= (px * (NODE_SIZE / 2 + 2)) ** 2 else None

    def edge_at(self, x: float, y: float, pixels: float = CLICK_PIXELS) -> int | None:
        """The edge nearest to (x, y) in view coordinates, if within ``pixels``."""
        if not len(self._ends):
            return None
        p0 = self.positions[self._ends[:, 0]]
        p1 = self.positions[self._ends[:, 1]]
        seg = p1 - p0
        length2 = np.maximum((seg**2).sum(axis=1), 1e-12)
        t = np.clip(((x - p0[:, 0]) * seg[:, 0] + (y - p0[:, 1]) * seg[:, 1]) / length2, 0, 1)
        dx = p0[:, 0] + t * seg[:, 0] - x
        dy = p0[:, 1] + t * seg[:, 1] - y
        d2 = dx * dx + dy * dy
        i = int(np.argmin(d2))
        limit = pixels * self.box.viewPixelSize()[0]
        return i if d2[i] <= limit * limit else None

    def _clicked(self, point: QPointF) -> None:
        if self.graph is None:
            return
        node = self._node_at(point)
        if node is not None:
            self.selected_node, self.selected_edge = node, None
            self._draw_selection()
            self._draw_nodes()
            emit(self.sig_node_clicked, self.graph.nodes[node].ref)
            return
        edge = self.edge_at(point.x(), point.y())
        if edge is None:
            if self.selected_edge is not None or self.selected_node is not None:
                self.selected_edge = self.selected_node = None
                self._draw_selection()
                self._draw_nodes()
                emit(self.sig_selection_cleared)
            return
        self.select_edge(edge)
        emit(self.sig_edge_clicked, *self.edge_refs(edge))

    def _move_node(self, index: int, x: float, y: float, finished: bool) -> None:
        self.positions[index] = (x, y)
        self._draw_edges()
        self._draw_nodes()
        self._draw_markers()
        self._draw_selection()
        if finished and self.graph is not None:
            self._update_texts()
            emit(self.sig_node_moved, self.graph.nodes[index].ref, float(x), float(y))

    def _tip(self, x: float, y: float, data: object) -> str:
        if self.graph is None:
            return ""
        node = self.graph.nodes[int(data)]  # type: ignore[call-overload]
        rows = "".join(
            f"<tr><td style='color:{_muted().name()}; padding-right:10px'>{html.escape(k)}</td>"
            f"<td>{html.escape(v)}</td></tr>"
            for k, v in node.values.items()
        )
        head = html.escape(node.title or node.label)
        where = html.escape(node.ref)
        profile = (
            ""
            if node.profile_id == self.graph.profile_id
            else f"<br><i>in profile {html.escape(node.profile_id or 'none')} in this run</i>"
        )
        return f"<b>{head}</b><br><span>{where}</span>{profile}<table>{rows}</table>"

    # ----------------------------------------------------------------------- theme
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        self.canvas.setBackground(QApplication.palette().color(QPalette.ColorRole.Base))
        self._drop_texts()
        if self.graph is not None:
            self._styles = [self._edge_style(e) for e in self.graph.edges]
            self._draw_all()


def _elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
