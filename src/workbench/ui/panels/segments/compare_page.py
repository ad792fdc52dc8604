"""A segment against others and against everyone: the key figures as a table and a chart."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.project import Project
from workbench.segments.compare import EVERYONE, Comparison, compare_segments
from workbench.tasks import Task
from workbench.ui.panels.base import PanelContext
from workbench.ui.panels.segments import insights_format as fmt
from workbench.ui.panels.segments.insights_charts import (
    BarChart,
    Series,
    everyone_color,
    series_color,
)
from workbench.ui.panels.segments.insights_checklist import SegmentChecklist
from workbench.ui.panels.segments.insights_compare_model import (
    CompareModel,
    format_metric,
    lift,
    metric_kind,
)
from workbench.ui.panels.segments.insights_page import (
    InsightsPage,
    SegmentCombo,
    load_segments,
)
from workbench.ui.task_runner import Job
from workbench.ui.widgets import card, page_header

WINDOWS: tuple[tuple[str, int | None], ...] = (
    ("All time", None),
    ("Last 7 days", 7),
    ("Last 30 days", 30),
    ("Last 90 days", 90),
    ("Last 365 days", 365),
)
INDEX = "__index__"
"""The chart choice that shows every metric as an index against everyone (= 100)."""
DEFAULT_OTHERS = 2
ROW_HEIGHT = 30


def compare(project: Project, names: list[str], window_days: int | None, task: Task) -> Comparison:
    """Load the chosen definitions and compare them (on the worker thread)."""
    return compare_segments(
        project, load_segments(project, names), task=task, window_days=window_days
    )


class ComparePage(InsightsPage):
    """Pick a segment and others to set beside it; everyone is always the baseline."""

    title = "Compare"

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.comparison: Comparison | None = None
        self._first_load = True
        self._build()
        self.reload()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 6, 0, 0)
        outer.setSpacing(12)
        head, _title, self.subtitle = page_header(
            "Compare", "A segment beside others and beside everyone, on the figures that matter"
        )
        outer.addLayout(head)

        controls = QHBoxLayout()
        controls.setSpacing(10)
        controls.addWidget(QLabel("Segment"))
        self.segment_combo = SegmentCombo()
        self.segment_combo.currentIndexChanged.connect(self._base_changed)
        controls.addWidget(self.segment_combo)
        controls.addSpacing(14)
        controls.addWidget(QLabel("Window"))
        self.window_combo = QComboBox()
        for label, days in WINDOWS:
            self.window_combo.addItem(label, days)
        self.window_combo.setToolTip(
            "Purchases, visits and e-mails counted over this window, up to the data's latest event"
        )
        self.window_combo.currentIndexChanged.connect(lambda _i: self.schedule())
        controls.addWidget(self.window_combo)
        controls.addStretch(1)
        self.as_of_label = QLabel("", objectName="muted")
        controls.addWidget(self.as_of_label)
        outer.addLayout(controls)
        outer.addWidget(self.status)

        self.others = SegmentChecklist()
        self.others.sig_changed.connect(self.schedule)
        self.others.setMinimumWidth(220)
        left = card("Compare with", self.others, margins=12)

        self.body = QStackedWidget()
        self.empty = QLabel("", objectName="muted", alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.body.addWidget(self.empty)
        self.body.addWidget(self._build_results())

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.body)
        split.setStretchFactor(1, 1)
        split.setSizes([250, 900])
        split.setChildrenCollapsible(False)
        outer.addWidget(split, 1)

    def _build_results(self) -> QWidget:
        self.model = CompareModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(False)
        vh = self.table.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(ROW_HEIGHT)
        vh.setMinimumWidth(170)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        hh.setMinimumSectionSize(110)
        hh.setHighlightSections(False)
        table_card = card("Key figures", self.table)

        self.metric_combo = QComboBox()
        self.metric_combo.setMinimumWidth(230)
        self.metric_combo.currentIndexChanged.connect(lambda _i: self._draw_chart())
        self.chart = BarChart()
        self.chart.setMinimumHeight(220)
        chart_card = card("Chart", self.chart, actions=[QLabel("Show"), self.metric_combo])

        results = QWidget()
        column = QVBoxLayout(results)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        column.addWidget(table_card)
        column.addWidget(chart_card, 1)
        return results

    # ------------------------------------------------------------------ lists
    def segments_loaded(self) -> None:
        names = [name for name, _ in self.segments]
        self.segment_combo.set_segments(self.segments)
        base = self.segment_combo.name()
        if self._first_load and names:
            checked = [n for n in names if n != base][:DEFAULT_OTHERS]
            self._first_load = False
        else:
            checked = [n for n in self.others.checked() if n in names and n != base]
        self.others.set_segments([(n, d) for n, d in self.segments if n != base], checked)

    def _base_changed(self, _index: int) -> None:
        base = self.segment_combo.name()
        checked = [n for n in self.others.checked() if n != base]
        self.others.set_segments([(n, d) for n, d in self.segments if n != base], checked)
        self.schedule()

    def set_choice(self, base: str, others: list[str], window_days: int | None = None) -> None:
        """Choose the segment, the others beside it and the window (the page recomputes)."""
        self.segment_combo.set_segments(self.segments, base)
        self._base_changed(0)
        self.others.set_checked([n for n in others if n != base])
        index = self.window_combo.findData(window_days)
        self.window_combo.setCurrentIndex(max(index, 0))

    def chosen(self) -> list[str]:
        base = self.segment_combo.name()
        return ([base] if base else []) + self.others.checked()

    def window_days(self) -> int | None:
        days = self.window_combo.currentData()
        return int(days) if isinstance(days, int) else None

    # ------------------------------------------------------------------ compute
    def compute(self) -> Job | None:
        project, names, days = self.project, self.chosen(), self.window_days()
        if project is None:
            self._empty("Open a project to compare its segments.")
            return None
        if not names:
            self._empty("No saved segments yet. Build and save a segment to compare it.")
            return None
        return self.jobs.start(
            f"Comparing {fmt.plural(len(names), 'segment')} with everyone",
            lambda task: compare(project, names, days, task),
            self._show,
            on_failed=self._empty,
        )

    def _empty(self, message: str) -> None:
        self.comparison = None
        self.model.set_comparison(None)
        self.as_of_label.setText("")
        self.empty.setText(fmt.sentence(message))
        self.body.setCurrentWidget(self.empty)

    def _show(self, comparison: Comparison) -> None:
        self.comparison = comparison
        self.model.set_comparison(comparison)
        window = self.window_combo.currentText().lower()
        self.as_of_label.setText(f"{window} · as of {comparison.as_of:%d %b %Y %H:%M} UTC")
        current = self.metric_combo.currentData()
        self.metric_combo.blockSignals(True)
        self.metric_combo.clear()
        self.metric_combo.addItem("Every figure against everyone (= 100)", INDEX)
        for row in comparison.rows:
            self.metric_combo.addItem(row.metric.label, row.metric.key)
        found = self.metric_combo.findData(current)
        self.metric_combo.setCurrentIndex(found if found >= 0 else 0)
        self.metric_combo.blockSignals(False)
        self.body.setCurrentIndex(1)
        self._fit_table(len(comparison.rows))
        self._draw_chart()

    def _fit_table(self, rows: int) -> None:
        """The table as tall as its rows; the chart takes the rest."""
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(header + rows * ROW_HEIGHT + 2 * self.table.frameWidth() + 2)

    # ------------------------------------------------------------------ chart
    def _draw_chart(self) -> None:
        c = self.comparison
        if c is None:
            return
        key = self.metric_combo.currentData()
        segments = [name for name in c.columns if name != EVERYONE]
        everyone = len(c.columns) - 1 if c.columns[-1] == EVERYONE else None
        if key == INDEX or key is None:
            rows = [r for r in c.rows if r.metric.key != "profiles"]
            series = []
            for j, name in enumerate(segments):
                values = []
                for r in rows:
                    change = lift(r.values[j], r.values[everyone]) if everyone is not None else None
                    values.append(None if change is None else 100 * (1 + change))
                series.append(Series(name, values, series_color(j)))
            self.chart.set_data(
                [r.metric.label for r in rows],
                series,
                fmt=lambda v: f"{v:,.0f}",
                reference=100,
                reference_label="Everyone = 100",
            )
            return
        row = next(r for r in c.rows if r.metric.key == key)
        colors = [
            everyone_color() if name == EVERYONE else series_color(j)
            for j, name in enumerate(c.columns)
        ]
        kind = metric_kind(row.metric)
        scale = 100.0 if kind == fmt.PERCENT else 1.0
        values = [None if v is None else v * scale for v in row.values]
        self.chart.set_data(
            list(c.columns),
            [Series(row.metric.label, values, series_color(0), colors)],
            fmt=lambda v: format_metric(row.metric, v / scale),
            reference=values[everyone] if everyone is not None else None,
            reference_label="Everyone's level" if everyone is not None else "",
            tick_fmt=(lambda v: f"{v:,.0f}%") if kind == fmt.PERCENT else None,
        )
