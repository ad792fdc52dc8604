"""A grid over any project table: smooth scrolling, sort, a quick filter, column statistics.

Natural order opens at once (two small queries). Sorting and filtering scan the table, so
they run as jobs: the grid keeps showing the previous view until the new one is ready,
and a newer request cancels an older one (its result is dropped).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.project import Project
from workbench.project.browse import (
    ColumnStats,
    Sort,
    TableRef,
    TableView,
    ViewSpec,
    column_stats,
    open_view,
)
from workbench.project.errors import WorkbenchError
from workbench.ui.browser.stats import ColumnStatsView
from workbench.ui.browser.table_model import LazyTableModel
from workbench.ui.signals import emit
from workbench.ui.task_runner import Job, TaskRunner

ROW_HEIGHT = 26
FILTER_DELAY_MS = 300
STATS_DELAY_MS = 150


def data_grid(model: object) -> QTableView:
    """A read-only grid with the app's look: fixed row height, row selection, no grid lines."""
    view = QTableView()
    view.setModel(model)  # type: ignore[arg-type]
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    vh = view.verticalHeader()
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(ROW_HEIGHT)
    vh.setMinimumWidth(56)
    vh.setResizeContentsPrecision(40)
    hh = view.horizontalHeader()
    hh.setResizeContentsPrecision(40)  # size columns from the first rows, not a thousand
    hh.setDefaultSectionSize(150)
    hh.setHighlightSections(False)
    hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return view


class DataBrowser(QWidget):
    """Browse one table; set it with :meth:`set_table`."""

    sig_view_ready = Signal(object)
    """A new view (TableView) is shown in the grid."""
    sig_stats_ready = Signal(object)
    """Column statistics (ColumnStats) are shown."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.project: Project | None = None
        self.ref: TableRef | None = None
        self.spec = ViewSpec()
        self._view_job: Job | None = None
        self._stats_job: Job | None = None
        self._stats_cache: dict[tuple[ViewSpec, str], ColumnStats] = {}
        self._stats_for: str | None = None
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.filter_edit = QLineEdit(placeholderText="Filter rows…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMaximumWidth(320)
        self.filter_column = QComboBox()
        self.filter_column.setMinimumWidth(150)
        self.filter_column.setToolTip("Search every column, or one")
        self.count_label = QLabel("", objectName="muted")
        self.stats_button = QPushButton("Column statistics")
        self.stats_button.setCheckable(True)
        self.stats_button.setChecked(True)
        bar.addWidget(self.filter_edit)
        bar.addWidget(self.filter_column)
        bar.addSpacing(6)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        bar.addWidget(self.stats_button)
        layout.addLayout(bar)

        self.model = LazyTableModel()
        self.grid = data_grid(self.model)
        header = self.grid.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.sectionClicked.connect(self._header_clicked)
        self.grid.selectionModel().currentChanged.connect(self._current_changed)
        self.model.sig_fetch_failed.connect(self._fetch_failed)
        self.stats_view = ColumnStatsView()
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.grid)
        split.addWidget(self.stats_view)
        split.setStretchFactor(0, 1)
        split.setCollapsible(0, False)
        split.setSizes([900, 260])
        layout.addWidget(split, 1)
        self.stats_button.toggled.connect(self._toggle_stats)

        self._filter_timer = QTimer(self, singleShot=True, interval=FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.filter_edit.textChanged.connect(lambda _t: self._filter_timer.start())
        self.filter_column.currentIndexChanged.connect(lambda _i: self._apply_filter())
        self._stats_timer = QTimer(self, singleShot=True, interval=STATS_DELAY_MS)
        self._stats_timer.timeout.connect(self._request_stats)

    # ------------------------------------------------------------------- table
    def set_table(self, project: Project | None, ref: TableRef | None) -> None:
        """Show ``ref`` in natural order (or nothing); drops any sort and filter."""
        self._cancel_jobs()
        self.project, self.ref = project, ref
        self.spec = ViewSpec()
        self._stats_cache.clear()
        self._stats_for = None
        self.stats_view.clear()
        self.grid.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.filter_edit.blockSignals(True)
        self.filter_edit.clear()
        self.filter_edit.blockSignals(False)
        self._filter_timer.stop()
        if project is None or ref is None:
            self.model.clear()
            self._set_columns([])
            self.count_label.setText("")
            return
        try:
            view = open_view(project, ref)
        except WorkbenchError as exc:
            self.model.clear()
            self.count_label.setText(str(exc))
            return
        self._set_columns([c.name for c in view.columns])
        self._show_view(view)
        self.grid.resizeColumnsToContents()
        header = self.grid.horizontalHeader()
        for i in range(header.count()):
            header.resizeSection(i, min(max(header.sectionSize(i), 70), 260))

    def clear(self) -> None:
        self.set_table(None, None)

    def view(self) -> TableView | None:
        return self.model.view

    def _set_columns(self, names: list[str]) -> None:
        self.filter_column.blockSignals(True)
        self.filter_column.clear()
        self.filter_column.addItem("All columns", None)
        for name in names:
            self.filter_column.addItem(name, name)
        self.filter_column.blockSignals(False)

    # ---------------------------------------------------------------- requests
    def set_spec(self, spec: ViewSpec) -> Job | None:
        """Show the table with ``spec``; sorting or filtering runs as a job (returned)."""
        if self.project is None or self.ref is None:
            return None
        if self._view_job is not None:
            self._view_job.cancel()
            self._view_job = None
        self.spec = spec
        self._update_sort_indicator()
        project, ref = self.project, self.ref
        if spec.natural:
            self._show_view(open_view(project, ref, spec))
            return None
        what = "Sorting" if spec.sort else "Filtering"
        self.count_label.setText(f"{what}…")
        job = self.runner.start(
            f"{what} {ref.label}",
            lambda task: open_view(project, ref, spec, task),
            determinate=False,
            background=True,
        )
        job.sig_finished.connect(lambda view, j=job: self._view_done(j, view))
        job.sig_cancelled.connect(lambda j=job: self._view_ended(j))
        job.sig_failed.connect(lambda *_a, j=job: self._view_ended(j))
        self._view_job = job
        return job

    def sort_by(self, column: str | None, descending: bool = False) -> Job | None:
        if column is not None:
            self._stats_for = column  # sorting by a column: its statistics are of interest
        sort = () if column is None else (Sort(column, descending),)
        return self.set_spec(ViewSpec(sort, self.spec.filter_text, self.spec.filter_column))

    def set_filter(self, text: str, column: str | None = None) -> Job | None:
        return self.set_spec(ViewSpec(self.spec.sort, text, column))

    def _view_done(self, job: Job, view: TableView) -> None:
        if job is not self._view_job:
            return  # an older request
        self._view_job = None
        if view.ref == self.ref:
            self._show_view(view)

    def _view_ended(self, job: Job) -> None:
        if job is self._view_job:
            self._view_job = None
            self._update_count()

    def _show_view(self, view: TableView) -> None:
        self.model.set_view(self.project, view)
        self._update_count()
        emit(self.sig_view_ready, view)
        self._stats_timer.start()

    def _update_count(self) -> None:
        view = self.model.view
        if view is None:
            self.count_label.setText("")
            return
        text = (
            f"{view.total:,} rows"
            if view.total == view.table_total
            else f"{view.total:,} of {view.table_total:,} rows"
        )
        if view.spec.sort:
            first = view.spec.sort[0]
            order = "descending" if first.descending else "ascending"
            text += f"  ·  sorted by {first.column}, {order}"
        self.count_label.setText(text)

    def _update_sort_indicator(self) -> None:
        header = self.grid.horizontalHeader()
        names = [self.filter_column.itemData(i) for i in range(1, self.filter_column.count())]
        if self.spec.sort and self.spec.sort[0].column in names:
            first = self.spec.sort[0]
            order = (
                Qt.SortOrder.DescendingOrder if first.descending else Qt.SortOrder.AscendingOrder
            )
            header.setSortIndicator(names.index(first.column), order)
        else:
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)

    def _header_clicked(self, section: int) -> None:
        """Cycle: ascending, descending, file order."""
        view = self.model.view
        if view is None or section >= len(view.columns):
            return
        column = view.columns[section].name
        current = self.spec.sort[0] if self.spec.sort else None
        if current is None or current.column != column:
            self.sort_by(column)
        elif not current.descending:
            self.sort_by(column, descending=True)
        else:
            self.sort_by(None)

    def _apply_filter(self) -> None:
        column = self.filter_column.currentData()
        text = self.filter_edit.text()
        if text.strip() == self.spec.filter_text.strip() and column == self.spec.filter_column:
            return
        self.set_filter(text, column)

    def _fetch_failed(self, message: str) -> None:
        self.count_label.setText(f"Could not read the rows: {message}")

    # ------------------------------------------------------------------- stats
    def _toggle_stats(self, on: bool) -> None:
        self.stats_view.setVisible(on)
        if on:
            self._stats_timer.start()

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        view = self.model.view
        if current.isValid() and view is not None and current.column() < len(view.columns):
            self._stats_for = view.columns[current.column()].name
        if current.column() != previous.column():
            self._stats_timer.start()

    def stats_column(self) -> str | None:
        """The column the statistics are about: the current cell's, else the last one
        looked at (a new sort or filter keeps it), else the first."""
        view = self.model.view
        if view is None or not view.columns:
            return None
        names = [c.name for c in view.columns]
        current = self.grid.currentIndex()
        if current.isValid() and current.column() < len(names):
            return names[current.column()]
        return self._stats_for if self._stats_for in names else names[0]

    def _request_stats(self) -> Job | None:
        column = self.stats_column()
        if column is None or not self.stats_button.isChecked():
            return None
        return self.request_stats(column)

    def request_stats(self, column: str) -> Job | None:
        """Compute (or show cached) statistics of ``column`` over the current view."""
        if self.project is None or self.ref is None:
            return None
        if self._stats_job is not None:
            self._stats_job.cancel()
            self._stats_job = None
        key = (self.spec, column)
        if key in self._stats_cache:
            self._show_stats(self._stats_cache[key])
            return None
        project, ref, spec = self.project, self.ref, self.spec
        self.stats_view.show_busy(column)
        job = self.runner.start(
            f"Statistics of {column}",
            lambda task: column_stats(project, ref, column, spec, task),
            determinate=False,
            background=True,
        )
        job.sig_finished.connect(lambda stats, j=job, k=key: self._stats_done(j, k, stats))
        self._stats_job = job
        return job

    def _stats_done(self, job: Job, key: tuple[ViewSpec, str], stats: ColumnStats) -> None:
        if job is not self._stats_job:
            return
        self._stats_job = None
        self._stats_cache[key] = stats
        self._show_stats(stats)

    def _show_stats(self, stats: ColumnStats) -> None:
        self.stats_view.show_stats(stats)
        emit(self.sig_stats_ready, stats)

    def _cancel_jobs(self) -> None:
        for job in (self._view_job, self._stats_job):
            if job is not None:
                job.cancel()
        self._view_job = self._stats_job = None
