"""Who is in a segment: the members, page by page, one member's unified profile beside them,
and the membership exported to CSV or Parquet."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.segments.export import export_members
from workbench.segments.members import ProfileDetail, profile_detail
from workbench.segments.store import load_segment
from workbench.tasks import Task
from workbench.ui.browser.browser import data_grid
from workbench.ui.browser.table_model import LazyTableModel
from workbench.ui.panels.base import PanelContext
from workbench.ui.panels.segments import insights_format as fmt
from workbench.ui.panels.segments.insights_jobs import JobStatus, LatestJob
from workbench.ui.panels.segments.insights_members_model import MembersView, open_members
from workbench.ui.panels.segments.insights_page import InsightsPage, SegmentCombo
from workbench.ui.panels.segments.profile_view import ProfileView
from workbench.ui.signals import emit
from workbench.ui.task_runner import Job
from workbench.ui.widgets import card, page_header

EXPORT_FILTER = "CSV file (*.csv);;Parquet file (*.parquet)"


def export_suffix(selected_filter: str) -> str:
    return ".parquet" if "parquet" in selected_filter.lower() else ".csv"


def safe_file_name(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in name).strip()
    return keep.replace(" ", "_") or "segment"


class MembersPage(InsightsPage):
    """A segment picker, the member list with its total, and the selected member's profile."""

    title = "Members"

    sig_exported = Signal(str, int)
    """A membership export finished: the file and the rows written."""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.view: MembersView | None = None
        self._wanted = ""
        self.export_dir = Path.home()
        self._build()
        self.reload()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 6, 0, 0)
        outer.setSpacing(12)
        head, _title, self.subtitle = page_header(
            "Members", "Who is in a segment, and each member's unified profile"
        )
        outer.addLayout(head)

        controls = QHBoxLayout()
        controls.setSpacing(10)
        controls.addWidget(QLabel("Segment"))
        self.segment_combo = SegmentCombo()
        self.segment_combo.currentIndexChanged.connect(lambda _i: self.schedule())
        controls.addWidget(self.segment_combo)
        controls.addSpacing(8)
        self.total_label = QLabel("", objectName="badge")
        controls.addWidget(self.total_label)
        controls.addStretch(1)
        self.export_button = QPushButton("Export…", objectName="primary")
        self.export_button.setToolTip("Save the members and their attributes as CSV or Parquet")
        self.export_button.clicked.connect(self.pick_export_file)
        controls.addWidget(self.export_button)
        outer.addLayout(controls)
        outer.addWidget(self.status)
        self.export_status = JobStatus()
        self.export_jobs = LatestJob(self.ctx.runner, self.export_status, background=False)
        self.export_jobs.sig_busy.connect(lambda busy: self.export_button.setEnabled(not busy))
        outer.addWidget(self.export_status)

        self.body = QStackedWidget()
        self.empty = QLabel("", objectName="muted", alignment=Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.body.addWidget(self.empty)

        self.model = LazyTableModel()
        self.model.sig_fetch_failed.connect(self._fetch_failed)
        self.grid = data_grid(self.model)
        self.grid.setSelectionBehavior(self.grid.SelectionBehavior.SelectRows)
        header = self.grid.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.sectionClicked.connect(self._header_clicked)
        self.grid.selectionModel().currentRowChanged.connect(self._current_changed)
        self.profile = ProfileView()
        self.profile_status = JobStatus()
        self.profile_jobs = LatestJob(self.ctx.runner, self.profile_status)
        profile_box = QWidget()
        profile_box.setMinimumWidth(360)
        box = QVBoxLayout(profile_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        box.addWidget(self.profile_status)
        box.addWidget(self.profile, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(card("Members", self.grid, margins=12))
        split.addWidget(card("Unified profile", profile_box, margins=14))
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([700, 660])
        split.setChildrenCollapsible(False)
        self.body.addWidget(split)
        outer.addWidget(self.body, 1)

    # ------------------------------------------------------------------ lists
    def segments_loaded(self) -> None:
        keep = self._wanted or self.segment_combo.name()
        self.segment_combo.set_segments(self.segments, keep)
        has = bool(self.segments)
        self.export_button.setEnabled(has and not self.export_jobs.busy())
        if self.project is None:
            self._empty("Open a project to see segment members.")
        elif not has:
            self._empty("No saved segments yet. Build and save a segment to see its members.")

    def show_segment(self, name: str) -> None:
        """Show the members of the saved segment ``name``."""
        self._wanted = name
        self.segment_combo.set_segments(self.segments, name)
        if self.segment_combo.name() != name:
            self.reload()
        self.schedule()

    def project_closing(self) -> None:
        self.profile_jobs.cancel(quiet=True)
        self.export_jobs.cancel(quiet=True)
        self._empty("")

    def _empty(self, message: str) -> None:
        self.view = None
        self.model.clear()
        self.total_label.hide()
        self.empty.setText(fmt.sentence(message))
        self.body.setCurrentWidget(self.empty)
        self.profile.clear()

    # ------------------------------------------------------------------ members
    def compute(self, sort: str | None = None, descending: bool = False) -> Job | None:
        """Open the chosen segment's members (first page and total) off the GUI thread;
        reopening the segment shown keeps its columns and, unless told, its order."""
        project, name = self.project, self.segment_combo.name()
        if project is None or not name:
            return None
        self._wanted = ""
        same = self.view is not None and self.view.segment.name == name
        columns = self.view.names if same and self.view is not None else None
        if sort is None and same and self.view is not None:
            sort, descending = self.view.sort, self.view.descending

        def work(task: Task) -> MembersView:
            segment = load_segment(project, name)
            return open_members(project, segment, sort, descending, columns, task)

        return self.jobs.start(
            f"Finding the members of {name}",
            work,
            self._opened,
            on_failed=self._empty,
        )

    def _opened(self, view: MembersView) -> None:
        previous = self.view
        same = previous is not None and previous.segment.name == view.segment.name
        self.view = view
        self.model.set_view(self.project, view)  # type: ignore[arg-type]
        self.total_label.setText(f"{view.total:,} member{'s' * (view.total != 1)}")
        self.total_label.show()
        self.body.setCurrentIndex(1)
        header = self.grid.horizontalHeader()
        order = Qt.SortOrder.DescendingOrder if view.descending else Qt.SortOrder.AscendingOrder
        sorted_by = view.names.index(view.sort) if view.sort in view.names else -1
        header.setSortIndicator(sorted_by, order)
        if not same:
            self.grid.resizeColumnsToContents()
            for i in range(header.count()):
                header.resizeSection(i, min(max(header.sectionSize(i) + 10, 80), 240))
        if view.total:
            self.grid.selectRow(0)
        else:
            self.profile.clear("This segment has no members.")

    def _header_clicked(self, section: int) -> None:
        view = self.view
        if view is None or section >= len(view.columns):
            return
        name = view.columns[section].name
        descending = view.sort == name and not view.descending
        self.grid.horizontalHeader().setSortIndicator(
            section, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        )
        self.compute(sort=name, descending=descending)

    def _fetch_failed(self, message: str) -> None:
        self.status.idle(f"Could not read members: {message}", error=True)

    # ------------------------------------------------------------------ profile
    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid() or self.view is None:
            return
        if self.view.names[0] != "profile_id":
            return
        if current.row() // self.model.page_rows not in self.model.cached_page_numbers():
            return  # not on screen yet (its page is being read): never read it here
        profile_id = self.model.value(current.row(), 0)
        if profile_id is not None:
            self.show_profile(str(profile_id))

    def show_profile(self, profile_id: str) -> Job | None:
        project = self.project
        if project is None:
            return None
        return self.profile_jobs.start(
            "Loading the profile",
            lambda task: profile_detail(project, profile_id, task=task),
            self._profile_ready,
            on_failed=self.profile.clear,
        )

    def _profile_ready(self, detail: ProfileDetail) -> None:
        self.profile.set_detail(detail)

    # ------------------------------------------------------------------ export
    def pick_export_file(self) -> None:
        name = self.segment_combo.name()
        if self.project is None or not name:
            return
        suggested = str(self.export_dir / f"{safe_file_name(name)}.csv")
        path, chosen = QFileDialog.getSaveFileName(
            self, f"Export the members of {name}", suggested, EXPORT_FILTER
        )
        if not path:
            return
        out = Path(path)
        if out.suffix.lower() not in (".csv", ".parquet"):
            out = out.with_name(out.name + export_suffix(chosen))
        self.export_to(out)

    def export_to(self, out: Path) -> Job | None:
        """Write the chosen segment's members to ``out`` (CSV or Parquet by extension)."""
        project, name = self.project, self.segment_combo.name()
        if project is None or not name:
            return None
        self.export_dir = out.parent

        def work(task: Task) -> int:
            segment = load_segment(project, name)
            return export_members(project, segment, out, task=task)

        def done(rows: int) -> None:
            self.export_status.idle(f"Exported {rows:,} members of {name} to {out}")
            emit(self.sig_exported, str(out), rows)

        return self.export_jobs.start(
            f"Exporting the members of {name}",
            work,
            done,
            on_cancelled=lambda: self.export_status.idle("Export cancelled; no file was written."),
        )
