"""The identity graph page: one profile's records and matches, why any two matched, and the
analyst's verdict on a pair.

Loading (graph and layout) and explaining run through the task runner; the page keeps only
what it shows. A newer request replaces an older one, whose late result is dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QKeySequence,
    QPainter,
    QPalette,
    QPen,
    QPixmap,
    QShortcut,
    QTransform,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.identity.explain import Explanation, explain
from workbench.identity.graph import REMOVED, GraphEdge, ProfileGraph, profile_graph
from workbench.identity.labels import set_label
from workbench.identity.layout import graph_layout, store_positions
from workbench.identity.runs import RecordRef
from workbench.ui.dialogs import show_error
from workbench.ui.flow_layout import FlowLayout
from workbench.ui.models import RowsModel
from workbench.ui.panels.identity.graph_view import (
    LABEL_STYLE,
    WEAK_COLOUR,
    GraphView,
    LegendEntry,
    label_glyph,
)
from workbench.ui.panels.identity.requests import GraphRequest
from workbench.ui.signals import emit
from workbench.ui.task_runner import Job
from workbench.ui.widgets import card, page_header

if TYPE_CHECKING:
    from workbench.project import Project
    from workbench.ui.panels.base import PanelContext

EMPTY, LOADING, MESSAGE, GRAPH = range(4)
INFO_WIDTH = 390
"""Width of the text beside the field-by-field table."""
LEGEND_ROW = 20
"""Height of an entry in the legend under the graph."""
LABEL_KEYS = {"same": "S", "different": "D", "unsure": "U"}
GOLDEN_ROWS = (
    ("name", ("first_name", "last_name")),
    ("email", ("email",)),
    ("phone", ("phone",)),
    ("customer id", ("customer_id",)),
    ("born", ("dob",)),
    ("address", ("street_number", "street")),
    ("city", ("postcode", "city")),
)
"""Golden values shown in the profile card: a caption and the fields joined on its line."""


class _CellTips(RowsModel):
    """Rows whose every text cell explains itself on hover (cells are narrow here), and
    whose weight column is green for evidence for a match and red against."""

    weight_column = -1

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        if not index.isValid():
            return None
        value = self.row(index.row())[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(value, str):
            return value
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and index.column() == self.weight_column
            and isinstance(value, float)
            and value != 0
        ):
            return QBrush(QColor("#16a34a" if value > 0 else "#dc2626"))
        return super().data(index, role)


def _swatch(entry: LegendEntry, size: int = 18) -> QPixmap:
    """A small picture of a legend entry: a dot, a line, a dashed line or a marker."""
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(entry.colour)
    mid = size / 2
    if entry.style in ("line", "dash", "dot-line"):
        pen = QPen(colour, 2.2)
        pen.setStyle(
            {"line": Qt.PenStyle.SolidLine, "dash": Qt.PenStyle.DashLine}.get(
                entry.style, Qt.PenStyle.DotLine
            )
        )
        p.setPen(pen)
        p.drawLine(QPointF(1, mid), QPointF(size - 1, mid))
    elif entry.style.startswith("label:"):
        label = entry.style[6:]
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawRoundedRect(QRectF(2, 2, size - 4, size - 4), 3, 3)
        glyph = QTransform().scale(size - 4, size - 4).map(label_glyph(label))
        glyph.translate(mid, mid)
        if label in ("same", "different"):
            p.setBrush(Qt.BrushStyle.NoBrush)
            pen = QPen(QColor("#ffffff"), 2.0)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            p.drawPath(glyph)
        else:
            p.fillPath(glyph, QColor("#ffffff"))
    elif entry.style == "ring":
        p.setPen(QPen(colour, 2.0))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(QRectF(5, 5, size - 10, size - 10))
    else:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(colour)
        p.drawEllipse(QRectF(4, 4, size - 8, size - 8))
    p.end()
    return pixmap


class GraphPage(QWidget):
    """Shows the identity graph a GraphRequest names, with a side pane to explain and label."""

    sig_labels_changed = Signal()
    """An analyst label was stored (evaluation and review lists may want a refresh)."""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.request: GraphRequest | None = None
        self.graph: ProfileGraph | None = None
        self.explanation: Explanation | None = None
        self.job: Job | None = None
        self._generation = 0
        self._edge: int | None = None
        self._build()
        ctx.session.sig_about_to_close.connect(lambda _p: self.clear())
        ctx.session.sig_project_changed.connect(lambda _p: self.clear())
        self.clear()

    @property
    def project(self) -> Project | None:
        return self.ctx.session.project

    # ---------------------------------------------------------------------- build
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 22, 28, 18)
        outer.setSpacing(14)
        top = QHBoxLayout()
        head, self.title, self.subtitle = page_header("Identity graph", "")
        top.addLayout(head, 1)
        self.neighbours_box = QCheckBox("Show neighbours")
        self.neighbours_box.setToolTip(
            "Also show the profiles that share a key value (e-mail, phone, an id) with this "
            "one. Pairs below the match threshold are not kept by a run, so near misses "
            "cannot be shown."
        )
        self.neighbours_box.toggled.connect(lambda _on: self.reload())
        self.arrange_button = QPushButton("Re-arrange")
        self.arrange_button.setToolTip("Lay the graph out afresh (forgets dragged positions)")
        self.arrange_button.clicked.connect(lambda: self.reload(fresh=True))
        top.addWidget(self.neighbours_box, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.arrange_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)

        self.states = QStackedWidget()
        self.empty = self._message_state()
        self.states.addWidget(self.empty)
        self.states.addWidget(self._loading_state())
        self.message = self._message_state()
        self.states.addWidget(self.message)
        self.states.addWidget(self._graph_state())
        outer.addWidget(self.states, 1)

    def _message_state(self) -> QFrame:
        frame = QFrame(objectName="card")
        box = QVBoxLayout(frame)
        box.addStretch(1)
        heading = QLabel("", objectName="section", alignment=Qt.AlignmentFlag.AlignCenter)
        text = QLabel("", objectName="muted", alignment=Qt.AlignmentFlag.AlignCenter)
        text.setWordWrap(True)
        box.addWidget(heading)
        box.addWidget(text)
        box.addStretch(1)
        frame.heading, frame.text = heading, text  # type: ignore[attr-defined]
        return frame

    def _loading_state(self) -> QFrame:
        frame = QFrame(objectName="card")
        box = QVBoxLayout(frame)
        box.addStretch(1)
        self.loading_label = QLabel("", alignment=Qt.AlignmentFlag.AlignCenter)
        self.loading_bar = QProgressBar()
        self.loading_bar.setFixedWidth(280)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.loading_bar)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        box.addWidget(self.loading_label)
        box.addLayout(row)
        box.addStretch(1)
        return frame

    def _graph_state(self) -> QWidget:
        self.view = GraphView()
        self.view.sig_edge_clicked.connect(self._edge_clicked)
        self.view.sig_node_clicked.connect(self._node_clicked)
        self.view.sig_selection_cleared.connect(self._show_hint)
        self.view.sig_node_moved.connect(self._node_moved)
        self.notes = QLabel("", objectName="muted")
        self.notes.setWordWrap(True)
        self.notes.hide()
        canvas = QWidget()
        canvas_box = QVBoxLayout(canvas)
        canvas_box.setContentsMargins(0, 0, 0, 0)
        canvas_box.setSpacing(8)
        canvas_box.addWidget(self.view, 1)
        self.legend_strip = QWidget()
        self.legend = FlowLayout(self.legend_strip, spacing=14, line_spacing=4)
        canvas_box.addWidget(self.legend_strip)
        canvas_box.addWidget(self.notes)
        graph_card = card(None, canvas, margins=10)

        side = QWidget(objectName="page")
        side_box = QVBoxLayout(side)
        side_box.setContentsMargins(0, 0, 0, 0)
        side_box.setSpacing(12)
        side_box.addWidget(self._profile_card())
        side_box.addStretch(1)
        side.setMinimumWidth(300)

        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(graph_card)
        top.addWidget(side)
        top.setStretchFactor(0, 1)
        top.setStretchFactor(1, 0)
        top.setSizes([900, 340])
        top.setHandleWidth(12)
        top.setChildrenCollapsible(False)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self._detail_card())
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setHandleWidth(12)
        split.setChildrenCollapsible(False)
        self.split = split

        for label, key in LABEL_KEYS.items():
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda label=label: self.label_selected(label))
        return split

    def _profile_card(self) -> QFrame:
        body = QWidget()
        box = QVBoxLayout(body)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(8)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        box.addWidget(self.summary)
        self.conflicts = QLabel("", objectName="banner")
        self.conflicts.setWordWrap(True)
        self.conflicts.setContentsMargins(10, 6, 10, 6)
        self.conflicts.hide()
        box.addWidget(self.conflicts)
        self.golden_note = QLabel(
            "Golden values are kept for the current run only.", objectName="muted"
        )
        self.golden_note.setWordWrap(True)
        box.addWidget(self.golden_note)
        self.golden = QGridLayout()
        self.golden.setHorizontalSpacing(14)
        self.golden.setVerticalSpacing(4)
        box.addLayout(self.golden)
        return card("Profile", body)

    def _detail_card(self) -> QFrame:
        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(18)
        info = QVBoxLayout()
        info.setSpacing(8)
        self.pair = QLabel("")
        self.pair.setWordWrap(True)
        self.pair.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.scores = QLabel("", objectName="muted")
        self.scores.setWordWrap(True)
        self.detail_hint = QLabel("", objectName="muted")
        self.detail_hint.setWordWrap(True)
        self.label_buttons: dict[str, QPushButton] = {}
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.setSpacing(6)
        for label, key in LABEL_KEYS.items():
            button = QPushButton(f"{LABEL_STYLE[label][1]}  {key}")
            button.setCheckable(True)
            button.setToolTip(f"Label this pair '{label}' (shortcut {key})")
            button.clicked.connect(lambda _c=False, label=label: self.label_selected(label))
            self.label_buttons[label] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.label_row = QWidget()
        self.label_row.setLayout(buttons)
        for widget in (self.detail_hint, self.pair, self.verdict, self.scores):
            info.addWidget(widget)
        info.addStretch(1)
        info.addWidget(self.label_row)
        left = QWidget()
        left.setLayout(info)
        info.setContentsMargins(0, 0, 0, 0)
        self.info_pane = left

        self.fields_model = _CellTips()
        self.fields_view = QTableView()
        self.fields_view.setModel(self.fields_model)
        self.fields_view.setShowGrid(False)
        self.fields_view.setAlternatingRowColors(True)
        self.fields_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.fields_view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.fields_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.fields_view.verticalHeader().setVisible(False)
        self.fields_view.verticalHeader().setDefaultSectionSize(24)
        self.fields_view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.fields_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.fields_view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(left)
        row.addWidget(self.fields_view, 1)
        self.detail_title = QLabel("Match", objectName="section")
        self.detail_card = card(self.detail_title, body)
        return self.detail_card

    # ------------------------------------------------------------------ requests
    def show_request(self, request: GraphRequest) -> Job | None:
        """Load and show the graph of ``request`` (a newer request replaces this one)."""
        self.request = request
        return self._load(request, fresh=False)

    def reload(self, fresh: bool = False) -> Job | None:
        """Load the shown request again (the identity panel calls this when the run, the
        project or the labels change); ``fresh`` lays the graph out anew."""
        if self.request is None:
            return None
        return self._load(self.request, fresh)

    def _load(self, request: GraphRequest, fresh: bool) -> Job | None:
        self.cancel()
        project = self.project
        if project is None:
            self.clear()
            return None
        self._generation += 1
        generation = self._generation
        neighbourhood = 1 if self.neighbours_box.isChecked() else 0

        def load(task):
            graph = profile_graph(
                project,
                request.profile_id,
                request.run_id,
                request.compare_run,
                neighbourhood,
                task=task.sub(0.0, 0.4),
            )
            return graph, graph_layout(project, graph, task.sub(0.4, 1.0), fresh=fresh)

        self.title.setText(f"Identity graph · {request.profile_id}")
        self.subtitle.setText("Loading…")
        self.loading_label.setText(f"Loading the graph of profile {request.profile_id}…")
        self.loading_bar.setRange(0, 0)
        self.states.setCurrentIndex(LOADING)
        job = self.ctx.runner.start(
            f"Loading the graph of {request.profile_id}", load, report=False, background=True
        )
        job.sig_progress.connect(self._progress)
        job.sig_finished.connect(lambda result: self._loaded(generation, result))
        job.sig_failed.connect(lambda message, _d: self._failed(generation, message))
        job.sig_cancelled.connect(lambda: self._cancelled(generation))
        self.job = job
        return job

    def cancel(self) -> None:
        if self.job is not None and not self.job.done:
            self.job.cancel()
        self.job = None

    def clear(self) -> None:
        """Forget the graph (project closed or changed) and show the empty state."""
        self.cancel()
        self._generation += 1
        self.request = None
        self.graph = None
        self.explanation = None
        self._edge = None
        self.view.clear()
        self.title.setText("Identity graph")
        self.subtitle.setText("Records of one profile and the matches that joined them")
        self._say(
            self.empty,
            "No profile chosen",
            "Open a profile from the search, the suspicious profiles or a run comparison to "
            "see its records, the matches between them and why each pair matched.",
        )
        self._set_actions(False)

    def _say(self, frame: QFrame, heading: str, text: str) -> None:
        frame.heading.setText(heading)  # type: ignore[attr-defined]
        frame.text.setText(text)  # type: ignore[attr-defined]
        self.states.setCurrentWidget(frame)

    def _set_actions(self, enabled: bool) -> None:
        self.neighbours_box.setEnabled(enabled)
        self.arrange_button.setEnabled(enabled)

    def _progress(self, fraction: float, message: str) -> None:
        if fraction > 0:
            self.loading_bar.setRange(0, 1000)
            self.loading_bar.setValue(int(fraction * 1000))
        if message:
            self.loading_label.setText(message)

    def _loaded(self, generation: int, result: tuple[ProfileGraph, np.ndarray]) -> None:
        if generation != self._generation:
            return
        self.job = None
        graph, positions = result
        self.graph = graph
        self.view.set_graph(graph, positions)
        self.states.setCurrentIndex(GRAPH)
        self._set_actions(True)
        self._fill_header(graph)
        self._fill_profile(graph)
        self._fill_legend()
        self.notes.setText(" ".join(graph.notes))
        self.notes.setVisible(bool(graph.notes))
        self._edge = None
        self.explanation = None
        self._show_hint()
        if self.request is not None and self.request.focus:
            self.view.focus(self.request.focus)
            if len(self.request.focus) == 2:
                edge = self.view.select_pair(*self.request.focus)
                if edge is not None:
                    self._edge_clicked(*self.view.edge_refs(edge))

    def _failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self.job = None
        if message.startswith("no identity run yet"):
            self._say(
                self.message,
                "No identity run yet",
                "Run matching on the Rules page first; then open a profile to see its graph.",
            )
        else:
            self._say(self.message, "Could not show this graph", message)
        self._set_actions(False)

    def _cancelled(self, generation: int) -> None:
        if generation != self._generation:
            return
        self.job = None
        self._say(self.message, "Loading cancelled", "Open the profile again to see its graph.")

    # --------------------------------------------------------------------- panes
    def _fill_header(self, g: ProfileGraph) -> None:
        own = [n for n in g.nodes if n.profile_id == g.profile_id]
        parts = [f"{len(own):,} records from {len({n.source for n in own})} sources"]
        parts.append(f"run {g.run_id}")
        if g.compare_run:
            parts.append(f"compared with {g.compare_run}")
        self.subtitle.setText(" · ".join(parts))

    def _fill_profile(self, g: ProfileGraph) -> None:
        inside = {i for i, n in enumerate(g.nodes) if n.profile_id == g.profile_id}
        matches = [
            e
            for e in g.edges
            if e.kind == "match" and e.status != REMOVED and e.a in inside and e.b in inside
        ]
        weak = sum(1 for e in g.edges if e.weak)
        lines = [f"<b>{len(matches):,}</b> matches · <b>{len(g.labels):,}</b> labelled pairs"]
        if weak:
            lines.append(
                f"<b style='color:{WEAK_COLOUR}'>{weak}</b> weak "
                + ("bridge" if weak == 1 else "bridges")
            )
        if g.compare_run:
            added = sum(1 for e in g.edges if e.status == "added")
            removed = sum(1 for e in g.edges if e.status == REMOVED)
            lines.append(
                f"Against the other run: <b>{added}</b> matches appeared, <b>{removed}</b> gone"
            )
        neighbours = {n.profile_id for n in g.nodes if n.neighbour}
        if neighbours:
            lines.append(f"<b>{len(neighbours)}</b> neighbouring profiles share a key value")
        self.summary.setText("<br>".join(lines))
        _clear_layout(self.golden)
        rows = _golden_rows(g.golden)
        self.golden_note.setVisible(not rows)
        self.conflicts.setText(
            "<b>Records disagree on</b> "
            + "; ".join(
                f"{_esc(f.replace('_', ' '))}: {_esc(', '.join(v[:4]))}"
                + (f" and {len(v) - 4} more" if len(v) > 4 else "")
                for f, v in g.conflicts.items()
            )
        )
        self.conflicts.setVisible(bool(g.conflicts))
        for r, (field, value) in enumerate(rows):
            key = QLabel(field, objectName="muted")
            val = QLabel(value)
            val.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.golden.addWidget(key, r, 0, Qt.AlignmentFlag.AlignTop)
            self.golden.addWidget(val, r, 1)
        self.golden.setColumnStretch(1, 1)

    def _fill_legend(self) -> None:
        """The legend strip under the graph: sources (with their record counts), what the
        lines mean, and the labels shown."""
        _clear_layout(self.legend)
        counts: dict[str, int] = {}
        for node in self.graph.nodes if self.graph is not None else []:
            counts[node.source] = counts.get(node.source, 0) + 1
        titles = {"sources": "Records", "edges": "Lines", "labels": "Labels"}
        section = ""
        for entry in self.view.legend():
            item = QWidget()
            item.setFixedHeight(LEGEND_ROW)
            row = QHBoxLayout(item)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(5)
            if entry.section != section:
                # The section's name goes with its first entry, so a line never ends on it.
                section = entry.section
                head = QLabel(titles[section], objectName="eyebrow")
                row.addWidget(head)
                row.addSpacing(4)
            icon = QLabel()
            icon.setPixmap(_swatch(entry))
            text = entry.text
            if section == "sources" and entry.style == "dot":
                text += f" ({counts.get(entry.text, 0):,})"
            row.addWidget(icon)
            row.addWidget(QLabel(text))
            self.legend.addWidget(item)

    def _show_hint(self) -> None:
        self.detail_title.setText("Match")
        self.detail_hint.setText(
            "Click a line between two records to see why they matched, field by field, "
            "and to label the pair. Hover a record to see its values; drag it to move it."
        )
        self.detail_hint.show()
        for widget in (self.pair, self.verdict, self.scores, self.fields_view, self.label_row):
            widget.hide()
        self._edge = None
        self.info_pane.setMaximumWidth(16777215)
        self._fit_detail(0)

    # ------------------------------------------------------------------ explain
    def _edge_clicked(self, left: str, right: str) -> None:
        project, graph = self.project, self.graph
        if project is None or graph is None:
            return
        edge_index = self.view.selected_edge
        edge = (
            graph.edges[edge_index] if edge_index is not None else graph.edge_between(left, right)
        )
        self._edge = edge_index
        self.explanation = None
        self.detail_title.setText("Match")
        self.detail_hint.hide()
        self.pair.setText(self._pair_text(left, right, edge))
        self.pair.show()
        self.verdict.setText("Comparing the two records…")
        self.verdict.show()
        self.scores.hide()
        self.fields_view.hide()
        self._show_label(self.view.pair_label(left, right))
        self.label_row.show()
        self.info_pane.setFixedWidth(INFO_WIDTH)
        run_id = edge.run_id if edge is not None else graph.run_id
        generation = self._generation
        job = self.ctx.runner.start(
            "Explaining the match",
            lambda _task: explain(project, RecordRef.parse(left), RecordRef.parse(right), run_id),
            determinate=False,
            report=False,
            background=True,
        )
        job.sig_finished.connect(lambda ex: self._explained(generation, edge_index, ex))
        job.sig_failed.connect(lambda message, _d: self._explain_failed(generation, message))

    def _pair_text(self, left: str, right: str, edge: GraphEdge | None) -> str:
        graph = self.graph
        assert graph is not None
        where = graph.index()

        muted = QApplication.palette().color(QPalette.ColorRole.PlaceholderText).name()

        def who(ref: str) -> str:
            node = graph.nodes[where[ref]]
            colour = self.view._source_colour.get(node.source, "#888")
            name = node.title or node.label
            return (
                f"<span style='color:{colour}'>●</span> <b>{_esc(name)}</b>"
                f"<br><span style='color:{muted}'>{_esc(ref)}</span>"
            )

        status = ""
        if edge is not None and edge.status != "same":
            status = (
                "<br><i>This match appeared in this run.</i>"
                if edge.status == "added"
                else "<br><i>This match existed in the other run and is gone in this one.</i>"
            )
        if edge is not None and edge.weak:
            status += "<br><b style='color:#e4572e'>Weak bridge:</b> the only link between two "
            status += "parts of the profile, and not a certain one."
        return f"{who(left)}<br>{who(right)}{status}"

    def _explained(self, generation: int, edge_index: int | None, ex: Explanation) -> None:
        if generation != self._generation or edge_index != self._edge:
            return
        self.explanation = ex
        self.verdict.setText(f"<b>{_esc(ex.verdict[:1].upper() + ex.verdict[1:])}</b>")
        bits = []
        if ex.rules_matched:
            bits.append("Rules that fired: " + ", ".join(ex.rules_matched))
        elif ex.probability is not None:
            bits.append("Fired: the probabilistic model")
        if ex.score is not None:
            bits.append(f"match weight {ex.score:,.2f}")
        if ex.probability is not None:
            bits.append(f"probability {_probability(ex.probability)}")
        if ex.threshold is not None:
            bits.append(f"threshold {ex.threshold:g}")
        if ex.blocking_rules:
            bits.append("compared by: " + ", ".join(ex.blocking_rules))
        self.scores.setText(" · ".join(bits))
        self.scores.show()
        shown = [f for f in ex.fields if f.left is not None or f.right is not None]
        empty = [f.field for f in ex.fields if f.left is None and f.right is None]
        if empty:
            bits.append("empty on both records: " + ", ".join(empty))
            self.scores.setText(" · ".join(bits))
        rows = [[f.field, f.left, f.right, f.level, f.weight] for f in shown]
        self.fields_model.weight_column = 4
        self.fields_model.set_rows(["Field", "Left", "Right", "Level", "Weight"], rows)
        self.fields_view.setVisible(bool(rows))
        self._size_table()

    def _size_table(self) -> None:
        """Names, levels and weights fit their contents; the values share what is left
        (long ones are elided, hover shows them); the detail pane is as tall as the table."""
        view = self.fields_view
        header = view.horizontalHeader()
        columns = self.fields_model.columnCount()
        values = (1, 2) if columns == 5 else (columns - 1,)
        for c in range(columns):
            mode = QHeaderView.ResizeMode
            header.setSectionResizeMode(c, mode.Stretch if c in values else mode.ResizeToContents)
        rows = self.fields_model.rowCount()
        row_height = view.verticalHeader().defaultSectionSize()
        self._fit_detail(view.horizontalHeader().height() + rows * row_height + 6)

    def _fit_detail(self, table_height: int) -> None:
        """Give the detail card the room its content needs (the graph keeps the rest);
        with nothing selected it is one line of help."""
        if table_height:
            self.detail_card.setMaximumHeight(16777215)
            wanted = max(min(table_height, 330), self.info_pane.sizeHint().height()) + 60
        else:
            wanted = self.detail_card.sizeHint().height()
            self.detail_card.setMaximumHeight(wanted)
        total = sum(self.split.sizes()) or self.split.height()
        if total > 0:
            self.split.setSizes([max(total - wanted, 200), wanted])

    def _explain_failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self.verdict.setText(f"Could not explain this pair: {_esc(message)}")

    def _node_clicked(self, ref: str) -> None:
        graph = self.graph
        if graph is None:
            return
        node = graph.nodes[graph.index()[ref]]
        self._edge = None
        self.detail_title.setText("Record")
        self.detail_hint.hide()
        profile = (
            ""
            if node.profile_id == graph.profile_id
            else (f"<br><i>In profile {_esc(node.profile_id or 'none')} in this run.</i>")
        )
        self.pair.setText(f"<b>{_esc(node.title or node.label)}</b><br>{_esc(ref)}{profile}")
        self.pair.show()
        for widget in (self.verdict, self.scores, self.label_row):
            widget.hide()
        self.fields_model.weight_column = -1
        self.fields_model.set_rows(["Field", "Value"], [[k, v] for k, v in node.values.items()])
        self.info_pane.setFixedWidth(INFO_WIDTH)
        self.fields_view.show()
        self._size_table()

    # -------------------------------------------------------------------- labels
    def label_selected(self, label: str) -> Job | None:
        """Store ``label`` for the selected pair (S, D, U); the marker follows."""
        project, graph = self.project, self.graph
        if project is None or graph is None or self._edge is None:
            return None
        left, right = self.view.edge_refs(self._edge)
        job = self.ctx.runner.start(
            "Saving the label",
            lambda _task: set_label(project, RecordRef.parse(left), RecordRef.parse(right), label),
            determinate=False,
            report=False,
            background=True,
        )
        generation = self._generation
        job.sig_finished.connect(lambda _r: self._labelled(generation, left, right, label))
        job.sig_failed.connect(lambda m, d: self._report("The label was not saved", m, d))
        return job

    def _labelled(self, generation: int, left: str, right: str, label: str) -> None:
        if generation == self._generation:
            self.view.set_pair_label(left, right, label)
            if self.view.selected_edge is not None and self.view.edge_refs(
                self.view.selected_edge
            ) == (left, right):
                self._show_label(label)
            self._fill_legend()
        emit(self.sig_labels_changed)

    def _show_label(self, label: str | None) -> None:
        for name, button in self.label_buttons.items():
            button.setChecked(name == label)

    # -------------------------------------------------------------------- drags
    def _node_moved(self, ref: str, x: float, y: float) -> None:
        project, graph = self.project, self.graph
        if project is None or graph is None or project.read_only:
            return
        self.ctx.runner.start(
            "Keeping the node's place",
            lambda task: store_positions(project, graph, {ref: (x, y)}, task),
            determinate=False,
            report=False,
            background=True,
        )

    def _report(self, title: str, message: str, details: str) -> None:
        if self.ctx.show_error is not None:
            self.ctx.show_error(title, message, details)
        else:
            show_error(self, title, message, details)


def _golden_rows(golden: dict[str, str]) -> list[tuple[str, str]]:
    rows = []
    for caption, fields in GOLDEN_ROWS:
        text = " ".join(golden[f] for f in fields if golden.get(f))
        if text:
            rows.append((caption, text))
    return rows


def _clear_layout(layout: QLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget()
        if widget is not None:
            widget.deleteLater()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _probability(p: float) -> str:
    """Enough digits to tell 0.9999 from 0.999999, without claiming certainty."""
    if p > 0.999999:
        return "> 0.999999"
    return f"{p:.6f}".rstrip("0") if p >= 0.9999 else f"{p:.4f}"
