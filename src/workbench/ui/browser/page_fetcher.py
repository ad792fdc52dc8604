"""Read pages of a view on a worker thread, newest request first, for views whose pages
cost a table scan (sorted or filtered views of large tables)."""

from __future__ import annotations

import itertools
import time

import duckdb
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from workbench.project import Project
from workbench.project.browse import TableView
from workbench.project.errors import WorkbenchError
from workbench.ui.signals import emit


class PageFetcher(QObject):
    """One worker thread; results come back on the GUI thread tagged with a generation, so
    pages of a view that was replaced meanwhile are dropped."""

    sig_page = Signal(int, int, object, float)
    """Generation, page number, the rows, seconds the read took."""
    sig_failed = Signal(int, int, str)
    """Generation, page number and a message: a page could not be read."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.generation = 0
        self._pending: set[tuple[int, int]] = set()
        self._order = itertools.count()
        self._queued: list[_Read] = []
        self._submit = QTimer(self, singleShot=True, interval=0)
        self._submit.timeout.connect(self._start_queued)
        self.sig_page.connect(self._page_done)
        self.sig_failed.connect(self._page_failed)

    def new_generation(self) -> int:
        """Forget every request (queued ones are skipped); wait for the running read."""
        self.generation += 1
        self._pending.clear()
        self._queued.clear()
        self.pool.clear()
        self.pool.waitForDone()
        return self.generation

    def request(self, project: Project, view: TableView, number: int, rows: int) -> None:
        """Queue a read; reads start once the current paint is over (they share the CPU)."""
        key = (self.generation, number)
        if key in self._pending:
            return
        self._pending.add(key)
        self._queued.append(_Read(self, key, project, view, rows))
        if not self._submit.isActive():
            self._submit.start()

    def _start_queued(self) -> None:
        queued, self._queued = self._queued, []
        for read in queued:
            if read.key[0] == self.generation:
                # Newer requests first: after a fast scroll the screen shows the last pages.
                self.pool.start(read, next(self._order))

    def pending(self) -> int:
        return len(self._pending)

    # Slots connected to signals a worker emits are decorated: PySide 6.8+ can crash when a
    # worker emits while an undecorated slot is being connected (PYSIDE-3124).
    @Slot(int, int, object, float)
    def _page_done(self, generation: int, number: int, _page: object, _seconds: float) -> None:
        self._pending.discard((generation, number))

    @Slot(int, int, str)
    def _page_failed(self, generation: int, number: int, _message: str) -> None:
        self._pending.discard((generation, number))


class _Read(QRunnable):
    def __init__(
        self,
        fetcher: PageFetcher,
        key: tuple[int, int],
        project: Project,
        view: TableView,
        rows: int,
    ) -> None:
        super().__init__()
        self.fetcher, self.key, self.project, self.view, self.rows = (
            fetcher,
            key,
            project,
            view,
            rows,
        )

    def run(self) -> None:
        generation, number = self.key
        if generation != self.fetcher.generation:
            return
        started = time.perf_counter()
        try:
            page = self.view.fetch(self.project, number * self.rows, self.rows)
        except (duckdb.Error, WorkbenchError) as exc:
            emit(self.fetcher.sig_failed, generation, number, str(exc).splitlines()[0])
            return
        emit(self.fetcher.sig_page, generation, number, page, time.perf_counter() - started)
