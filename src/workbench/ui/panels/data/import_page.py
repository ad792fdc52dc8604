"""Prepare and run one import: preview, map roles and types (undoable), import with Cancel."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.ingest import ImportReport, import_file, preview_file
from workbench.ingest.roles import EVENTS, KINDS, PROFILES
from workbench.project import Project
from workbench.project.sources import source_exists
from workbench.ui.browser.browser import data_grid
from workbench.ui.panels.data.import_draft import ImportDraft
from workbench.ui.panels.data.import_models import (
    ROLE,
    TYPE,
    ChoiceDelegate,
    MappingModel,
    PreviewModel,
)
from workbench.ui.panels.data.undo import SetKindCommand
from workbench.ui.settings import AppSettings
from workbench.ui.signals import emit
from workbench.ui.task_runner import Job, TaskRunner
from workbench.ui.widgets import card, h_line

PREVIEW_DELAY_MS = 250
KIND_LABELS = {
    PROFILES: "Profiles (one row per customer record)",
    EVENTS: "Events (one row per event)",
}


class ImportPage(QWidget):
    """The import preview of one file, and the import itself."""

    sig_done = Signal(object)
    """The import finished: the ImportReport."""
    sig_closed = Signal()
    """The user left the page without importing (Back, or after a cancel)."""

    def __init__(
        self,
        runner: TaskRunner,
        stack: QUndoStack,
        settings: AppSettings,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.stack = stack
        self.settings = settings
        self.project: Project | None = None
        self.draft: ImportDraft | None = None
        self.preview_job: Job | None = None
        self.import_job: Job | None = None
        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.refresh_preview)
        self._build()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 18, 28, 18)
        outer.setSpacing(12)
        self.back_button = QPushButton("←  Back to sources", objectName="link")
        self.back_button.clicked.connect(self.close_draft)
        outer.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.heading = QLabel("Import", objectName="title")
        outer.addWidget(self.heading)
        self.file_label = QLabel("", objectName="subtitle")
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.file_label)

        form = QHBoxLayout()
        form.setSpacing(10)
        self.kind_combo = QComboBox()
        for kind in KINDS:
            self.kind_combo.addItem(KIND_LABELS[kind], kind)
        self.kind_combo.activated.connect(self._kind_chosen)
        self.name_edit = QLineEdit()
        self.name_edit.setMaximumWidth(260)
        self.name_edit.textEdited.connect(self._name_edited)
        self.event_type_edit = QLineEdit(placeholderText="e.g. purchase")
        self.event_type_edit.setMaximumWidth(180)
        self.event_type_edit.textEdited.connect(self._event_type_edited)
        self.event_type_label = QLabel("Event type for every row", objectName="muted")
        for label, widget in (("The file holds", self.kind_combo), ("Source name", self.name_edit)):
            form.addWidget(QLabel(label, objectName="muted"))
            form.addWidget(widget)
            form.addSpacing(12)
        form.addWidget(self.event_type_label)
        form.addWidget(self.event_type_edit)
        form.addStretch(1)
        outer.addLayout(form)

        self.banner = QLabel("", objectName="muted")
        self.banner.setWordWrap(True)
        self.banner_frame = QFrame(objectName="banner")
        bl = QVBoxLayout(self.banner_frame)
        bl.setContentsMargins(12, 8, 12, 8)
        bl.addWidget(self.banner)
        self.banner_frame.hide()
        outer.addWidget(self.banner_frame)

        self.mapping_model = MappingModel(ImportDraft(Path("none")), self.stack)
        self.mapping_view = QTableView()
        self.mapping_view.setModel(self.mapping_model)
        self.mapping_view.setItemDelegateForColumn(ROLE, ChoiceDelegate(self.mapping_view))
        self.mapping_view.setItemDelegateForColumn(TYPE, ChoiceDelegate(self.mapping_view))
        self.mapping_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.mapping_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.mapping_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.mapping_view.setAlternatingRowColors(True)
        self.mapping_view.setShowGrid(False)
        self.mapping_view.verticalHeader().setVisible(False)
        self.mapping_view.verticalHeader().setDefaultSectionSize(30)
        header = self.mapping_view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        self.preview_model = PreviewModel(self.mapping_model.draft)
        self.preview_view = data_grid(self.preview_model)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(
            card(
                "Columns",
                self.mapping_view,
                hint="Double-click a role or type to change it. Ctrl+Z undoes.",
            )
        )
        self.preview_card_title = QLabel("First rows", objectName="section")
        split.addWidget(card(self.preview_card_title, self.preview_view))
        split.setSizes([640, 560])
        split.setChildrenCollapsible(False)
        outer.addWidget(split, 1)

        outer.addWidget(h_line())
        footer = QHBoxLayout()
        self.status = QLabel("", objectName="muted")
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(220)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel import")
        self.cancel_button.clicked.connect(self.cancel_import)
        self.cancel_button.hide()
        self.import_button = QPushButton("Import", objectName="primary")
        self.import_button.clicked.connect(self.start_import)
        footer.addWidget(self.status, 1)
        footer.addWidget(self.progress)
        footer.addWidget(self.cancel_button)
        footer.addWidget(self.import_button)
        outer.addLayout(footer)

    # ------------------------------------------------------------------- draft
    def open_draft(self, project: Project, draft: ImportDraft) -> None:
        """Show ``draft`` (a new file) and start its preview."""
        self._cancel_preview()
        self.project = project
        self.draft = draft
        self.stack.clear()
        self.mapping_model.set_draft(draft)
        self.preview_model.set_draft(draft)
        draft.sig_options_changed.connect(self._options_changed)
        draft.sig_preview_changed.connect(self._preview_changed)
        verb = "Re-import" if draft.replace else "Import"
        self.heading.setText(f"{verb} {draft.path.name}")
        self.file_label.setText(str(draft.path))
        self.name_edit.setText(draft.name)
        self.name_edit.setReadOnly(draft.replace)
        self.event_type_edit.setText(draft.event_type or "")
        self._sync_kind()
        self._set_busy(False)
        self.status.setText("Reading the start of the file…")
        self.refresh_preview()

    def _sync_kind(self) -> None:
        if self.draft is None:
            return
        self.kind_combo.setCurrentIndex(max(self.kind_combo.findData(self.draft.kind), 0))
        events = self.draft.kind == EVENTS
        self.event_type_label.setVisible(events)
        self.event_type_edit.setVisible(events)

    def _kind_chosen(self, _index: int) -> None:
        kind = self.kind_combo.currentData()
        if self.draft is not None and kind != self.draft.kind:
            self.stack.push(SetKindCommand(self.draft, kind))

    def _name_edited(self, text: str) -> None:
        if self.draft is not None:
            self.draft.name = text
            self._update_ready()

    def _event_type_edited(self, text: str) -> None:
        if self.draft is not None:
            self.draft.event_type = text

    def _options_changed(self) -> None:
        self._sync_kind()
        self.status.setText("Updating the preview…")
        self._preview_timer.start()

    # ----------------------------------------------------------------- preview
    def refresh_preview(self) -> Job | None:
        """Ask the engine for a fresh preview of the draft (drops an older one)."""
        draft = self.draft
        if draft is None:
            return None
        self._cancel_preview()
        options = draft.options()
        rows = self.settings.preview_rows
        job = self.runner.start(
            f"Previewing {draft.path.name}",
            lambda task: preview_file(draft.path, options, rows=rows, task=task),
            determinate=False,
            report=False,
            background=True,
        )
        job.sig_finished.connect(lambda preview, j=job: self._preview_done(j, preview))
        job.sig_failed.connect(lambda message, _d, j=job: self._preview_failed(j, message))
        self.preview_job = job
        return job

    def _preview_done(self, job: Job, preview: object) -> None:
        if job is self.preview_job and self.draft is not None:
            self.preview_job = None
            self.draft.set_preview(preview)  # type: ignore[arg-type]

    def _preview_failed(self, job: Job, message: str) -> None:
        if job is self.preview_job and self.draft is not None:
            self.preview_job = None
            self.draft.set_error(message)

    def _cancel_preview(self) -> None:
        self._preview_timer.stop()
        if self.preview_job is not None:
            self.preview_job.cancel()
            self.preview_job = None

    def _preview_changed(self) -> None:
        draft = self.draft
        if draft is None:
            return
        preview = draft.preview
        messages: list[str] = []
        if draft.error:
            messages.append(draft.error)
        elif preview is not None:
            messages += preview.notes
            if preview.rejects:
                line, reason = preview.rejects[0]
                messages.append(
                    f"{len(preview.rejects)} of the first rows cannot be read and will be "
                    f"rejected (line {line}: {reason})."
                )
        self.banner.setText("\n".join(messages))
        self.banner.setObjectName("error" if draft.error else "muted")
        self.banner.style().polish(self.banner)
        self.banner_frame.setVisible(bool(messages))
        if preview is not None:
            opts = ", ".join(
                f"{k} {v!r}" for k, v in preview.options.items() if k in ("delimiter", "encoding")
            )
            self.file_label.setText(
                f"{draft.path}  ·  {preview.file_format}" + (f"  ·  {opts}" if opts else "")
            )
            self.preview_card_title.setText(f"First {len(preview.rows):,} rows")
            self.preview_view.resizeColumnsToContents()
            header = self.preview_view.horizontalHeader()
            for i in range(header.count()):
                header.resizeSection(i, min(max(header.sectionSize(i), 90), 240))
            self.mapping_view.resizeColumnsToContents()
            mh = self.mapping_view.horizontalHeader()
            for i in range(3):
                mh.resizeSection(i, min(max(mh.sectionSize(i) + 16, 96), 180))
        self._update_ready()

    def _update_ready(self) -> None:
        draft = self.draft
        if draft is None or self.import_job is not None:
            return
        problem = ""
        if draft.error:
            problem = "Fix the mapping to import."
        elif draft.preview is None:
            problem = "Reading the start of the file…"
        elif not draft.name.strip():
            problem = "Give the source a name."
        elif (
            not draft.replace
            and self.project is not None
            and source_exists(self.project, draft.name.strip())
        ):
            problem = f"A source named '{draft.name.strip()}' exists already; choose another name."
        self.status.setText(problem or "Ready to import.")
        self.import_button.setEnabled(not problem)

    # ------------------------------------------------------------------ import
    def start_import(self) -> Job | None:
        draft, project = self.draft, self.project
        if draft is None or project is None or self.import_job is not None:
            return None
        path, options = draft.path, draft.options()
        job = self.runner.start(
            f"Importing {path.name}", lambda task: import_file(project, path, options, task)
        )
        job.sig_progress.connect(self._import_progress)
        job.sig_finished.connect(self._import_done)
        job.sig_failed.connect(lambda message, _d: self._import_ended(message, failed=True))
        job.sig_cancelled.connect(
            lambda: self._import_ended("Import cancelled; the project is unchanged.")
        )
        self.import_job = job
        self._set_busy(True)
        self.status.setText(f"Importing {path.name}…")
        return job

    def cancel_import(self) -> None:
        if self.import_job is not None:
            self.import_job.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText("Cancelling…")

    def _import_progress(self, fraction: float, message: str) -> None:
        if fraction > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(fraction * 1000))
        if message:
            self.status.setText(message)

    def _import_done(self, report: ImportReport) -> None:
        if self.import_job is None:
            return
        self.import_job = None
        self._set_busy(False)
        emit(self.sig_done, report)

    def _import_ended(self, message: str, failed: bool = False) -> None:
        if self.import_job is None:
            return  # the page was closed meanwhile
        self.import_job = None
        self._set_busy(False)
        self._update_ready()
        self.status.setText(
            message if not failed else "The import failed; the project is unchanged."
        )
        if failed:
            self.banner.setText(message)
            self.banner.setObjectName("error")
            self.banner.style().polish(self.banner)
            self.banner_frame.show()

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0)
        self.cancel_button.setVisible(busy)
        self.cancel_button.setEnabled(busy)
        self.import_button.setEnabled(not busy)
        self.back_button.setEnabled(not busy)
        self.kind_combo.setEnabled(not busy)
        self.name_edit.setEnabled(not busy)
        self.mapping_model.editable = not busy

    def busy(self) -> bool:
        return self.import_job is not None

    def close_draft(self, force: bool = False) -> None:
        """Leave the page; ``force`` (the project is closing) also while importing."""
        if self.import_job is not None and not force:
            return
        self.import_job = None
        self._set_busy(False)
        self._cancel_preview()
        self.draft = None
        self.project = None
        self.stack.clear()
        emit(self.sig_closed)
