"""Every source of the project with its kind, rows, rejects and import time; and the selected
source's rows, columns and rejected rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.project import Project
from workbench.project.browse import rejects_ref, source_ref
from workbench.project.sources import Source, list_sources
from workbench.ui.browser.browser import DataBrowser
from workbench.ui.models import RowsModel
from workbench.ui.panels.data.drop_zone import DropZone
from workbench.ui.signals import emit
from workbench.ui.task_runner import TaskRunner
from workbench.ui.widgets import card, metric, page_header

ROWS_TAB, COLUMNS_TAB, REJECTS_TAB = range(3)
SOURCE_HEADERS = ["Source", "Kind", "Rows", "Rejected", "Format", "Imported", "Took", "File"]


def _local(when: dt.datetime) -> str:
    """Stored UTC time in the user's time zone."""
    return when.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


class SourcesPage(QWidget):
    """The Data step's overview of a project."""

    sig_import_requested = Signal()
    """The user wants to pick files to import."""
    sig_reimport_requested = Signal(object)
    """Re-import this Source from its file."""
    sig_remove_requested = Signal(object)
    """Remove this Source (after confirmation)."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.sources: list[Source] = []
        self._build(runner)

    def _build(self, runner: TaskRunner) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 22, 28, 18)
        outer.setSpacing(14)
        top = QHBoxLayout()
        head, self.title, self.subtitle = page_header("Data", "")
        top.addLayout(head, 1)
        self.import_button = QPushButton("Import files…", objectName="primary")
        self.import_button.setToolTip("Import CSV, TSV, Excel, Parquet or JSON files (Ctrl+I)")
        self.import_button.clicked.connect(self.sig_import_requested)
        top.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)

        metrics = QHBoxLayout()
        metrics.setSpacing(12)
        self.metrics: dict[str, QLabel] = {}
        for key, label in (
            ("sources", "sources"),
            ("profiles", "profile records"),
            ("events", "events"),
            ("rejects", "rejected rows"),
        ):
            frame, number = metric("0", label)
            self.metrics[key] = number
            metrics.addWidget(frame)
        metrics.addStretch(1)
        outer.addLayout(metrics)

        self.body = QStackedWidget()
        self.empty = DropZone()
        self.empty.sig_import_requested.connect(self.sig_import_requested)
        self.body.addWidget(self.empty)
        self.body.addWidget(self._build_lists(runner))
        outer.addWidget(self.body, 1)

    def _build_lists(self, runner: TaskRunner) -> QWidget:
        self.sources_model = RowsModel()
        self.sources_view = QTableView()
        self.sources_view.setModel(self.sources_model)
        self.sources_view.setAlternatingRowColors(True)
        self.sources_view.setShowGrid(False)
        self.sources_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.sources_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.sources_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.sources_view.verticalHeader().setVisible(False)
        self.sources_view.verticalHeader().setDefaultSectionSize(28)
        header = self.sources_view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        self.sources_view.selectionModel().selectionChanged.connect(self._selected)
        self.reimport_button = QPushButton("Re-import…")
        self.reimport_button.setToolTip("Import the source's file again, replacing its rows")
        self.reimport_button.clicked.connect(self._reimport)
        self.remove_button = QPushButton("Remove…", objectName="danger")
        self.remove_button.clicked.connect(self._remove)
        sources_card = card(
            "Sources", self.sources_view, actions=[self.reimport_button, self.remove_button]
        )

        self.rows_browser = DataBrowser(runner)
        self.rejects_browser = DataBrowser(runner)
        self.rejects_browser.stats_button.setChecked(False)
        self.columns_model = RowsModel()
        columns_view = QTableView()
        columns_view.setModel(self.columns_model)
        columns_view.setAlternatingRowColors(True)
        columns_view.setShowGrid(False)
        columns_view.verticalHeader().setVisible(False)
        columns_view.horizontalHeader().setStretchLastSection(True)
        columns_view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        self.columns_view = columns_view
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(_padded(self.rows_browser), "Rows")
        self.tabs.addTab(_padded(columns_view), "Columns and roles")
        self.tabs.addTab(_padded(self.rejects_browser), "Rejected rows")
        detail = card(None, self.tabs, margins=10)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(sources_card)
        split.addWidget(detail)
        split.setSizes([260, 520])
        split.setChildrenCollapsible(False)
        return split

    # ------------------------------------------------------------------ state
    def set_project(self, project: Project | None, select: str = "") -> None:
        self.project = project
        self.reload(select)

    def reload(self, select: str = "") -> None:
        """Re-read the sources; keep (or move to ``select``) the selection."""
        current = self.selected_source()
        keep = select or (current.name if current else "")
        project = self.project
        self.sources = list_sources(project) if project is not None else []
        self.subtitle.setText(
            f"Sources imported into {project.name}" if project is not None else "No project open"
        )
        self.import_button.setEnabled(project is not None)
        self.sources_model.set_rows(
            SOURCE_HEADERS,
            [
                [
                    s.name,
                    s.kind,
                    s.rows,
                    s.rejects,
                    s.file_format,
                    _local(s.imported_at),
                    f"{s.import_seconds:.1f} s",
                    Path(s.file).name,
                ]
                for s in self.sources
            ],
            tooltips=["", "", "", "Rows that could not be imported", "", "", "Import time", ""],
        )
        self.sources_view.resizeColumnsToContents()
        header = self.sources_view.horizontalHeader()
        for i in range(header.count() - 1):
            header.resizeSection(i, header.sectionSize(i) + 18)
        self._update_metrics()
        self.body.setCurrentIndex(1 if self.sources else 0)
        names = [s.name for s in self.sources]
        if names:
            self.select(keep if keep in names else names[0])
        else:
            self._show_detail(None)

    def _update_metrics(self) -> None:
        s = self.sources
        self.metrics["sources"].setText(f"{len(s):,}")
        self.metrics["profiles"].setText(f"{sum(x.rows for x in s if x.kind == 'profiles'):,}")
        self.metrics["events"].setText(f"{sum(x.rows for x in s if x.kind == 'events'):,}")
        self.metrics["rejects"].setText(f"{sum(x.rejects for x in s):,}")

    def select(self, name: str, tab: int | None = None) -> None:
        for row, source in enumerate(self.sources):
            if source.name == name:
                self.sources_view.selectRow(row)
        if tab is not None:
            self.tabs.setCurrentIndex(tab)

    def selected_source(self) -> Source | None:
        if not hasattr(self, "sources_view"):
            return None
        rows = self.sources_view.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.sources):
            return None
        return self.sources[rows[0].row()]

    def _selected(self, *_args: object) -> None:
        self._show_detail(self.selected_source())

    def _show_detail(self, source: Source | None) -> None:
        self.reimport_button.setEnabled(source is not None)
        self.remove_button.setEnabled(source is not None)
        project = self.project
        if source is None or project is None:
            self.rows_browser.clear()
            self.rejects_browser.clear()
            self.columns_model.set_rows([], [])
            self.tabs.setTabText(REJECTS_TAB, "Rejected rows")
            return
        self.rows_browser.set_table(project, source_ref(project, source.name))
        self.rejects_browser.set_table(project, rejects_ref(source.name))
        self.columns_model.set_rows(
            ["Column", "In the file", "Role", "Type"],
            [[c.name, c.original_name, c.role, c.type] for c in source.columns],
        )
        self.columns_view.resizeColumnsToContents()
        self.tabs.setTabText(REJECTS_TAB, f"Rejected rows ({source.rejects:,})")

    def clear(self) -> None:
        self.set_project(None)

    def _reimport(self) -> None:
        source = self.selected_source()
        if source is not None:
            emit(self.sig_reimport_requested, source)

    def _remove(self) -> None:
        source = self.selected_source()
        if source is not None:
            emit(self.sig_remove_requested, source)


def _padded(widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(4, 10, 4, 4)
    layout.addWidget(widget)
    return box
