"""How saved segments overlap: a heat map of every pair, and for a few segments the profiles
exclusive to each and shared by several (an UpSet-style bar chart and a table)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.project import Project
from workbench.segments.overlap import (
    BREAKDOWN_MAX,
    Overlap,
    Region,
    overlap_matrix,
)
from workbench.tasks import Task
from workbench.ui.browser.browser import data_grid
from workbench.ui.models import Index, RowsModel
from workbench.ui.panels.base import PanelContext
from workbench.ui.panels.segments import insights_format as fmt
from workbench.ui.panels.segments.insights_checklist import SegmentChecklist
from workbench.ui.panels.segments.insights_heatmap import (
    COUNTS,
    PERCENT_OF_ROW,
    OverlapModel,
    content_height,
    overlap_view,
)
from workbench.ui.panels.segments.insights_page import (
    InsightsPage,
    load_segments,
)
from workbench.ui.panels.segments.insights_upset import UpSetChart, region_label
from workbench.ui.task_runner import Job
from workbench.ui.widgets import card, page_header

DEFAULT_CHOSEN = 4
MATRIX_MAX_HEIGHT = 330
MATRIX_MAX_HEIGHT_ALONE = 620
"""Segments checked when the page first opens (the matrix shows something at once)."""


@dataclass(frozen=True)
class OverlapResult:
    overlap: Overlap
    regions: list[Region] | None
    """The exclusive/shared breakdown when 2..6 segments were chosen."""


def compute_overlap(project: Project, names: list[str], task: Task) -> OverlapResult:
    """The matrix and, for a few segments, the breakdown (on the worker thread)."""
    overlap = overlap_matrix(project, load_segments(project, names), task=task)
    return OverlapResult(overlap, overlap.regions or None)


class RegionsModel(RowsModel):
    """Regions by size; a region's full name (often cut in the column) as its tooltip."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role == Qt.ItemDataRole.ToolTipRole and index.isValid() and index.column() == 0:
            return self.row(index.row())[0]
        return super().data(index, role)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.ToolTipRole and section == 2:
            return "Share of all profiles"
        return super().headerData(section, orientation, role)


class OverlapPage(InsightsPage):
    """Choose segments; see every pairwise overlap and, for 2..6, every region."""

    title = "Overlap"

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.result: OverlapResult | None = None
        self._first_load = True
        self._build()
        self.reload()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 6, 0, 0)
        outer.setSpacing(12)
        head, _title, self.subtitle = page_header(
            "Overlap", "Which members your segments share, pair by pair and region by region"
        )
        outer.addLayout(head)

        self.checklist = SegmentChecklist()
        self.checklist.sig_changed.connect(self.schedule)
        self.checklist.setMinimumWidth(220)
        left = card("Segments", self.checklist, margins=12)

        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        column.addWidget(self.status)
        self.body = QStackedWidget()
        self.empty = QLabel("", objectName="muted", alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.body.addWidget(self.empty)
        self.body.addWidget(self._build_results())
        column.addWidget(self.body, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([250, 900])
        split.setChildrenCollapsible(False)
        outer.addWidget(split, 1)

    def _build_results(self) -> QWidget:
        self.matrix_model = OverlapModel()
        self.matrix_view = overlap_view(self.matrix_model)
        self.percent_button = QPushButton("% of row")
        self.percent_button.setToolTip("Each cell as a share of the row segment's members")
        self.count_button = QPushButton("Count")
        self.count_button.setToolTip("Each cell as a number of profiles")
        self.mode_group = QButtonGroup(self)
        for button in (self.percent_button, self.count_button):
            button.setCheckable(True)
            self.mode_group.addButton(button)
        self.percent_button.setChecked(True)
        self.mode_group.buttonClicked.connect(self._mode_changed)
        self.matrix_hint = QLabel("", objectName="muted")
        matrix = QWidget()
        m = QVBoxLayout(matrix)
        m.setContentsMargins(0, 0, 0, 0)
        m.setSpacing(6)
        m.addWidget(self.matrix_view, 1)
        m.addWidget(self.matrix_hint)
        matrix_card = card(
            "Pairwise overlap", matrix, actions=[self.percent_button, self.count_button]
        )

        self.regions_model = RegionsModel()
        self.regions_view = data_grid(self.regions_model)
        self.regions_view.verticalHeader().setVisible(False)
        self.regions_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.regions_view.horizontalHeader().setStretchLastSection(False)
        self.upset = UpSetChart()
        self.upset.setMinimumHeight(240)
        self.breakdown_note = QLabel("", objectName="muted", alignment=Qt.AlignmentFlag.AlignCenter)
        self.breakdown_note.setWordWrap(True)
        self.breakdown_stack = QStackedWidget()
        self.breakdown_stack.addWidget(self.breakdown_note)
        inner = QSplitter(Qt.Orientation.Horizontal)
        inner.addWidget(self.upset)
        inner.addWidget(self.regions_view)
        inner.setStretchFactor(0, 1)
        inner.setStretchFactor(1, 1)
        inner.setSizes([520, 460])
        inner.setChildrenCollapsible(False)
        self.breakdown_stack.addWidget(inner)
        breakdown_card = card(
            "Exclusive and shared",
            self.breakdown_stack,
            hint="profiles in exactly these segments, largest first",
        )

        self.breakdown_card = breakdown_card
        results = QWidget()
        column = QVBoxLayout(results)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        column.addWidget(matrix_card)
        column.addWidget(breakdown_card, 1)
        return results

    # ------------------------------------------------------------------ lists
    def segments_loaded(self) -> None:
        names = [name for name, _ in self.segments]
        if self._first_load and names:
            checked = names[:DEFAULT_CHOSEN]
            self._first_load = False
        else:
            checked = [n for n in self.checklist.checked() if n in names]
        self.checklist.set_segments(self.segments, checked)

    def chosen(self) -> list[str]:
        return self.checklist.checked()

    def choose(self, names: list[str]) -> None:
        """Check exactly ``names`` (the page recomputes)."""
        self.checklist.set_checked(names)

    # ------------------------------------------------------------------ compute
    def compute(self) -> Job | None:
        project = self.project
        names = self.chosen()
        if project is None:
            self._empty("Open a project to compare how its segments overlap.")
            return None
        if not self.segments:
            self._empty("No saved segments yet. Build and save segments to see how they overlap.")
            return None
        if not names:
            self._empty("Choose segments on the left to see how they overlap.")
            return None
        return self.jobs.start(
            f"Comparing {fmt.plural(len(names), 'segment')}",
            lambda task: compute_overlap(project, names, task),
            self._show,
            on_failed=self._empty,
        )

    def _empty(self, message: str) -> None:
        self.result = None
        self.matrix_model.clear()
        self.empty.setText(fmt.sentence(message))
        self.body.setCurrentWidget(self.empty)

    def _show(self, result: OverlapResult) -> None:
        self.result = result
        overlap = result.overlap
        self.matrix_model.set_overlap(overlap)
        self.matrix_hint.setText(
            f"{fmt.plural(overlap.profiles, 'profile')} in all · as of "
            f"{overlap.as_of:%d %b %Y %H:%M} UTC · hover a cell for both shares"
        )
        self._show_breakdown(overlap, result.regions)
        self.body.setCurrentIndex(1)
        self._fit_matrix(len(overlap.names), result.regions is not None)

    def _fit_matrix(self, rows: int, breakdown: bool) -> None:
        """The matrix as tall as its rows (scrolling past a limit); the breakdown below
        takes the rest of the page, or stays a one-line note when it does not apply."""
        limit = MATRIX_MAX_HEIGHT if breakdown else MATRIX_MAX_HEIGHT_ALONE
        self.matrix_view.setFixedHeight(min(content_height(self.matrix_view, rows), limit))
        layout = self.breakdown_card.parentWidget().layout()
        layout.setStretchFactor(self.breakdown_card, 1 if breakdown else 0)
        self.breakdown_card.setMaximumHeight(16777215 if breakdown else 110)

    def _show_breakdown(self, overlap: Overlap, regions: list[Region] | None) -> None:
        if regions is None:
            n = len(overlap.names)
            self.breakdown_note.setText(
                f"Choose 2 to {BREAKDOWN_MAX} segments to see the profiles exclusive to each "
                f"and shared by several ({n} chosen)."
            )
            self.breakdown_stack.setCurrentIndex(0)
            self.upset.set_regions([], [])
            self.regions_model.set_rows([], [])
            return
        ordered = sorted(regions, key=lambda r: (-r.count, len(r.segments)))
        self.upset.set_regions(overlap.names, ordered)
        self.regions_model.set_rows(
            ["Region", "Profiles", "Share"],
            [
                [region_label(r.segments, overlap.names), r.count, fmt.percent(r.share)]
                for r in ordered
            ],
        )
        header = self.regions_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for i in (1, 2):
            self.regions_view.resizeColumnToContents(i)
            header.resizeSection(i, header.sectionSize(i) + 16)
        self.breakdown_stack.setCurrentIndex(1)

    def _mode_changed(self, *_args: object) -> None:
        self.matrix_model.set_mode(COUNTS if self.count_button.isChecked() else PERCENT_OF_ROW)

    def cell_tooltip(self, row: int, column: int) -> str:
        return str(
            self.matrix_model.data(
                self.matrix_model.index(row, column), Qt.ItemDataRole.ToolTipRole
            )
        )
