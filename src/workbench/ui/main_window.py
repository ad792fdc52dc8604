"""The main window: a project's sources, their column roles and their data."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench import __version__
from workbench.ingest import ImportOptions, import_file
from workbench.project import Project
from workbench.project.browse import read_page
from workbench.project.errors import WorkbenchError
from workbench.project.sources import Source, list_sources, remove_source
from workbench.ui.models import RowsModel
from workbench.ui.task_runner import Job, TaskRunner

SAMPLE_ROWS = 200


def _metric(value: str, label: str) -> tuple[QFrame, QLabel]:
    frame = QFrame(objectName="metric")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 10, 14, 10)
    number = QLabel(value, objectName="metricValue")
    layout.addWidget(number)
    layout.addWidget(QLabel(label, objectName="metricLabel"))
    return frame, number


def _table(model: RowsModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setStretchLastSection(True)
    view.setShowGrid(False)
    return view


class MainWindow(QMainWindow):
    """Shows one project; every job runs through the task runner."""

    def __init__(self, project: Project | None = None) -> None:
        super().__init__()
        self.project: Project | None = None
        self.runner = TaskRunner(self)
        self.runner.sig_started.connect(self._job_started)
        self.runner.sig_ended.connect(self._job_ended)
        self._sources: list[Source] = []
        self._build()
        self._build_menus()
        settings = QSettings()
        geometry = settings.value("main/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        self.set_project(project)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        page = QWidget(objectName="page")
        outer = QVBoxLayout(page)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        header = QFrame(objectName="header")
        hl = QVBoxLayout(header)
        hl.setContentsMargins(24, 16, 24, 16)
        self.title = QLabel("No project open", objectName="title")
        self.subtitle = QLabel("", objectName="subtitle")
        hl.addWidget(self.title)
        hl.addWidget(self.subtitle)
        metrics = QHBoxLayout()
        metrics.setSpacing(12)
        self.metric_widgets: dict[str, QLabel] = {}
        for key, label in (
            ("sources", "sources"),
            ("profiles", "profile records"),
            ("events", "events"),
            ("rejects", "rejected rows"),
        ):
            frame, number = _metric("0", label)
            self.metric_widgets[key] = number
            metrics.addWidget(frame)
        metrics.addStretch(1)
        self.import_button = QPushButton("Import file…", objectName="primary")
        self.import_button.clicked.connect(self.import_dialog)
        metrics.addWidget(self.import_button, alignment=Qt.AlignmentFlag.AlignBottom)
        hl.addLayout(metrics)
        outer.addWidget(header)

        body = QWidget()
        bl = QVBoxLayout(body)
        bl.setContentsMargins(24, 12, 24, 16)
        bl.addWidget(QLabel("Sources", objectName="section"))
        self.sources_model = RowsModel()
        self.sources_view = _table(self.sources_model)
        self.sources_view.selectionModel().selectionChanged.connect(self._source_selected)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.sources_view)

        lower = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        self.columns_label = QLabel("Columns and roles", objectName="section")
        ll.addWidget(self.columns_label)
        self.columns_model = RowsModel()
        ll.addWidget(_table(self.columns_model))
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.rows_label = QLabel("Data", objectName="section")
        rl.addWidget(self.rows_label)
        self.rows_model = RowsModel()
        self.rows_view = _table(self.rows_model)
        self.rows_view.horizontalHeader().setStretchLastSection(False)
        rl.addWidget(self.rows_view)
        lower.addWidget(left)
        lower.addWidget(right)
        lower.setSizes([380, 860])
        split.addWidget(lower)
        split.setSizes([240, 460])
        bl.addWidget(split, 1)
        outer.addWidget(body, 1)
        self.setCentralWidget(page)

        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setRange(0, 1000)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self._cancel_jobs)
        self.status_label = QLabel("")
        sb = self.statusBar()
        sb.addWidget(self.status_label, 1)
        sb.addPermanentWidget(self.progress)
        sb.addPermanentWidget(self.cancel_button)
        self.progress.hide()
        self.cancel_button.hide()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        for text, shortcut, slot in (
            ("&New project…", QKeySequence.StandardKey.New, self.new_dialog),
            ("&Open project…", QKeySequence.StandardKey.Open, self.open_dialog),
            ("&Import file…", QKeySequence("Ctrl+I"), self.import_dialog),
            ("&Remove source…", QKeySequence.StandardKey.Delete, self.remove_selected),
            ("&Close project", QKeySequence.StandardKey.Close, lambda: self.set_project(None)),
            ("&Quit", QKeySequence.StandardKey.Quit, self.close),
        ):
            action = QAction(text, self)
            action.setShortcut(shortcut)
            action.triggered.connect(slot)
            file_menu.addAction(action)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About Workbench", self)
        about.triggered.connect(
            lambda: QMessageBox.about(
                self,
                "About Personalization Workbench",
                f"Personalization Workbench {__version__}\n\nPrototype identity rules, segments "
                "and decision strategies offline, on a copy of real data.",
            )
        )
        help_menu.addAction(about)

    # ----------------------------------------------------------------- project
    def set_project(self, project: Project | None) -> None:
        if self.project is not None and self.project is not project:
            self.project.close()
        self.project = project
        self.import_button.setEnabled(project is not None)
        if project is None:
            self.setWindowTitle("Personalization Workbench")
            self.title.setText("No project open")
            self.subtitle.setText("Open a project (Ctrl+O) or create one (Ctrl+N).")
            self._sources = []
        else:
            self.setWindowTitle(f"{project.name} — Personalization Workbench")
            self.title.setText(project.name)
            self.subtitle.setText(str(project.path))
            self._sources = list_sources(project)
        self._show_sources()

    def _show_sources(self) -> None:
        sources = self._sources
        self.sources_model.set_rows(
            ["Source", "Kind", "Rows", "Rejected", "Format", "Imported (UTC)", "File"],
            [
                [
                    s.name,
                    s.kind,
                    s.rows,
                    s.rejects,
                    s.file_format,
                    f"{s.imported_at:%Y-%m-%d %H:%M}",
                    Path(s.file).name,
                ]
                for s in sources
            ],
        )
        header = self.sources_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.metric_widgets["sources"].setText(f"{len(sources):,}")
        self.metric_widgets["profiles"].setText(
            f"{sum(s.rows for s in sources if s.kind == 'profiles'):,}"
        )
        self.metric_widgets["events"].setText(
            f"{sum(s.rows for s in sources if s.kind == 'events'):,}"
        )
        self.metric_widgets["rejects"].setText(f"{sum(s.rejects for s in sources):,}")
        if self.project is not None:
            size = self.project.file_size() / 1e6
            self.status_label.setText(f"{self.project.path}  ·  {size:,.1f} MB")
        else:
            self.status_label.setText("")
        if sources:
            self.sources_view.selectRow(0)
        else:
            self.columns_model.set_rows([], [])
            self.rows_model.set_rows([], [])

    def selected_source(self) -> Source | None:
        rows = self.sources_view.selectionModel().selectedRows()
        if not rows:
            return None
        return self._sources[rows[0].row()]

    def _source_selected(self, *_args: object) -> None:
        source = self.selected_source()
        if source is None or self.project is None:
            return
        self.columns_label.setText(f"Columns and roles — {source.name}")
        self.columns_model.set_rows(
            ["Column", "Role", "Type"],
            [[c.name, c.role, c.type] for c in source.columns],
        )
        page = read_page(self.project, source.name, 0, SAMPLE_ROWS)
        self.rows_label.setText(
            f"Data — first {len(page.rows):,} of {page.total:,} rows"
        )
        self.rows_model.set_rows(page.columns, page.rows)
        self.rows_view.resizeColumnsToContents()

    # ---------------------------------------------------------------- actions
    def new_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "New project", str(Path.home() / "project.wbproj"), "Projects (*.wbproj)"
        )
        if path:
            self._guard(lambda: self.set_project(Project.create(Path(path))))

    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open project", "", "Projects (*.wbproj)")
        if path:
            self.open_path(Path(path))

    def open_path(self, path: Path) -> None:
        self._guard(lambda: self.set_project(Project.open(path)))

    def import_dialog(self) -> None:
        if self.project is None:
            return
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Import data file",
            "",
            "Data files (*.csv *.tsv *.txt *.parquet *.json *.ndjson *.jsonl *.xlsx *.xls);;"
            "All files (*)",
        )
        if not path:
            return
        kind, ok = QInputDialog.getItem(
            self, "Import", "What does the file hold?", ["profiles", "events"], 0, False
        )
        if ok:
            self.start_import(Path(path), ImportOptions(kind=kind))

    def start_import(self, path: Path, options: ImportOptions) -> Job | None:
        project = self.project
        if project is None:
            return None
        job = self.runner.start(
            f"Importing {path.name}", lambda task: import_file(project, path, options, task)
        )
        job.signals.sig_finished.connect(lambda _report: self.set_project(project))
        return job

    def remove_selected(self) -> None:
        source = self.selected_source()
        if source is None or self.project is None:
            return
        answer = QMessageBox.question(
            self,
            "Remove source",
            f"Remove source '{source.name}' ({source.rows:,} rows) and its data from the "
            "project? This cannot be undone.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            project = self.project
            self._guard(lambda: (remove_source(project, source.name), self.set_project(project)))

    def _guard(self, fn: object) -> None:
        try:
            fn()  # type: ignore[operator]
        except WorkbenchError as exc:
            QMessageBox.warning(self, "Workbench", str(exc))

    # ------------------------------------------------------------------- jobs
    def _job_started(self, job: Job) -> None:
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.status_label.setText(job.label)
        job.signals.sig_progress.connect(self._job_progress)
        job.signals.sig_failed.connect(self._job_failed)
        job.signals.sig_cancelled.connect(
            lambda: self.statusBar().showMessage("Cancelled; nothing was changed.", 5000)
        )

    def _job_progress(self, fraction: float, message: str) -> None:
        self.progress.setValue(int(fraction * 1000))
        self.status_label.setText(message)

    def _job_failed(self, message: str, details: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Workbench", message, parent=self)
        box.setDetailedText(details)
        box.open()

    def _job_ended(self, _job: Job) -> None:
        if not self.runner.busy():
            self.progress.hide()
            self.cancel_button.hide()
            if self.project is not None:
                self._show_sources()

    def _cancel_jobs(self) -> None:
        for job in list(self.runner.jobs):
            job.cancel()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.runner.busy():
            answer = QMessageBox.question(
                self, "Job running", "A job is still running. Cancel it and close?"
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            self.runner.cancel_all()
        QSettings().setValue("main/geometry", self.saveGeometry())
        if self.project is not None:
            self.project.close()
            self.project = None
        event.accept()
