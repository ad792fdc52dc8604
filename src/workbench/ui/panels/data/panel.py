"""The Data step: the project's sources, and importing files into it (drop or pick)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QUndoStack
from PySide6.QtWidgets import QFileDialog, QStackedWidget, QVBoxLayout, QWidget

from workbench.project import Project
from workbench.project.sources import Source, remove_source
from workbench.ui.panels.base import PanelContext, StepPanel
from workbench.ui.panels.data.sources_page import REJECTS_TAB, ROWS_TAB, SourcesPage
from workbench.ui.signals import emit
from workbench.ui.task_runner import Job

if TYPE_CHECKING:
    from workbench.ingest import ImportReport
    from workbench.ui.panels.data.import_draft import ImportDraft
    from workbench.ui.panels.data.import_page import ImportPage

FILE_FILTER = (
    "Data files (*.csv *.tsv *.tab *.txt *.dat *.psv *.parquet *.json *.ndjson *.jsonl "
    "*.xlsx *.xlsm *.xls *.ods);;All files (*)"
)


def local_files(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    """The local files a drag carries (folders and remote URLs are left out)."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [
        Path(u.toLocalFile())
        for u in mime.urls()
        if u.isLocalFile() and Path(u.toLocalFile()).is_file()
    ]


def _draft(path: Path, **choices: object) -> ImportDraft:
    from workbench.ui.panels.data.import_draft import ImportDraft  # noqa: PLC0415

    return ImportDraft(path, **choices)  # type: ignore[arg-type]


class DataPanel(StepPanel):
    """Sources overview and the import preview, one at a time."""

    key = "data"
    title = "Data"

    sig_message = Signal(str)
    """A short result to show in the status bar."""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._stack = QUndoStack(self)
        self._queue: list[Path] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.pages = QStackedWidget()
        self.sources_page = SourcesPage(ctx.runner)
        self._import_page: ImportPage | None = None
        self.pages.addWidget(self.sources_page)
        layout.addWidget(self.pages)
        self.sources_page.sig_import_requested.connect(self.pick_files)
        self.sources_page.sig_reimport_requested.connect(self.reimport)
        self.sources_page.sig_remove_requested.connect(self.remove)
        ctx.session.sig_project_changed.connect(self._project_changed)
        ctx.session.sig_about_to_close.connect(self._about_to_close)
        ctx.session.sig_sources_changed.connect(self.sources_page.reload)
        self.setAcceptDrops(True)
        self._project_changed(ctx.session.project)

    @property
    def project(self) -> Project | None:
        return self.ctx.session.project

    @property
    def import_page(self) -> ImportPage:
        """The import preview, built on first use (it loads the import engine)."""
        if self._import_page is None:
            from workbench.ui.panels.data.import_page import ImportPage  # noqa: PLC0415

            page = ImportPage(self.ctx.runner, self._stack, self.ctx.settings)
            page.sig_done.connect(self._imported)
            page.sig_closed.connect(self._next_or_sources)
            self.pages.addWidget(page)
            self._import_page = page
        return self._import_page

    def undo_stack(self) -> QUndoStack:
        return self._stack

    def busy(self) -> bool:
        return self._import_page is not None and self._import_page.busy()

    # --------------------------------------------------------------- project
    def _project_changed(self, project: Project | None) -> None:
        self._queue.clear()
        self.pages.setCurrentWidget(self.sources_page)
        self.sources_page.set_project(project)

    def _about_to_close(self, _project: Project) -> None:
        self._queue.clear()
        if self._import_page is not None:
            self._import_page.close_draft(force=True)
        self.sources_page.clear()

    # ---------------------------------------------------------------- import
    def pick_files(self) -> None:
        if self.project is None:
            return
        paths, _ = QFileDialog.getOpenFileNames(self, "Import data files", "", FILE_FILTER)
        if paths:
            self.begin_import([Path(p) for p in paths])

    def begin_import(self, paths: Sequence[Path]) -> ImportDraft | None:
        """Open the import preview for the first file; the others follow one by one."""
        if self.project is None or not paths or self.busy():
            return None
        first, *rest = [Path(p) for p in paths]
        self._queue = rest
        return self._open(_draft(first))

    def reimport(self, source: Source) -> ImportDraft | None:
        """Preview the source's file again with its roles, to replace its rows."""
        if self.project is None or self.busy():
            return None
        path = Path(source.file)
        if not path.is_file():
            self.error(
                "Cannot re-import",
                f"The file {path} that '{source.name}' was imported from is no longer there.",
            )
            return None
        draft = _draft(
            path,
            kind=source.kind,
            name=source.name,
            roles=source.roles(),
            event_type=source.event_type,
            replace=True,
        )
        return self._open(draft)

    def _open(self, draft: ImportDraft) -> ImportDraft:
        assert self.project is not None
        self.import_page.open_draft(self.project, draft)
        self.pages.setCurrentWidget(self.import_page)
        return draft

    def _imported(self, report: ImportReport) -> None:
        verb = "Replaced" if report.replaced else "Imported"
        emit(
            self.sig_message,
            f"{verb} {report.source}: {report.rows:,} rows, {report.rejects:,} rejected "
            f"({report.seconds:.1f} s)",
        )
        self.import_page.close_draft()
        self.ctx.session.sources_changed(report.source)
        self.sources_page.select(report.source, REJECTS_TAB if report.rejects else ROWS_TAB)

    def _next_or_sources(self) -> None:
        if self._queue and self.project is not None:
            self._open(_draft(self._queue.pop(0)))
        else:
            self.pages.setCurrentWidget(self.sources_page)

    # ---------------------------------------------------------------- remove
    def remove(self, source: Source) -> Job | None:
        project = self.project
        if project is None or not self.confirm(
            "Remove source",
            f"Remove '{source.name}' ({source.rows:,} rows, {source.rejects:,} rejected) and its "
            "data from the project? This cannot be undone.",
            "Remove",
        ):
            return None
        name = source.name
        job = self.ctx.runner.start(
            f"Removing {name}", lambda _task: remove_source(project, name), determinate=False
        )
        job.sig_finished.connect(lambda _r: self._removed(name))
        return job

    def _removed(self, name: str) -> None:
        emit(self.sig_message, f"Removed {name}")
        self.ctx.session.sources_changed("")

    # ------------------------------------------------------------------ drops
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self.project is not None and local_files(event) and not self.busy():
            event.acceptProposedAction()
            self.sources_page.empty.setProperty("active", True)
            self.sources_page.empty.style().polish(self.sources_page.empty)
        else:
            event.ignore()

    def dragLeaveEvent(self, event: object) -> None:  # noqa: N802
        self.sources_page.empty.setProperty("active", False)
        self.sources_page.empty.style().polish(self.sources_page.empty)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self.dragLeaveEvent(event)
        files = local_files(event)
        if files and self.begin_import(files) is not None:
            event.acceptProposedAction()
