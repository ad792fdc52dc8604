"""Run engine jobs off the GUI thread, with progress, cancel and readable errors."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from workbench.project.errors import WorkbenchError
from workbench.tasks import Cancelled, Task

JobFunction = Callable[[Task], Any]


class JobSignals(QObject):
    sig_progress = Signal(float, str)
    """Fraction done (0..1) and a message, from the worker thread."""
    sig_finished = Signal(object)
    """The job's return value."""
    sig_failed = Signal(str, str)
    """A message for the user and the technical details."""
    sig_cancelled = Signal()
    """The job stopped after Cancel; the engine rolled its work back."""


class _Runnable(QRunnable):
    def __init__(self, fn: JobFunction, task: Task, signals: JobSignals) -> None:
        super().__init__()
        self.fn = fn
        self.task = task
        self.signals = signals

    def run(self) -> None:
        try:
            result = self.fn(self.task)
        except Cancelled:
            self.signals.sig_cancelled.emit()
        except WorkbenchError as exc:
            self.signals.sig_failed.emit(str(exc), traceback.format_exc())
        except Exception as exc:  # noqa: BLE001 - every failure must reach the user
            self.signals.sig_failed.emit(
                f"Unexpected error: {type(exc).__name__}: {exc}", traceback.format_exc()
            )
        else:
            self.signals.sig_finished.emit(result)


class Job:
    """A started job: its task (for cancel) and its signals."""

    def __init__(self, label: str, task: Task, signals: JobSignals) -> None:
        self.label = label
        self.task = task
        self.signals = signals
        self.done = False

    def cancel(self) -> None:
        self.task.cancel()


class TaskRunner(QObject):
    """One thread pool for every job of the app."""

    sig_started = Signal(object)
    """A Job was started."""
    sig_ended = Signal(object)
    """A Job finished, failed or was cancelled."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self.jobs: list[Job] = []

    def start(self, label: str, fn: JobFunction) -> Job:
        signals = JobSignals()
        task = Task(lambda f, m: signals.sig_progress.emit(f, m))
        job = Job(label, task, signals)
        for sig in (signals.sig_finished, signals.sig_failed, signals.sig_cancelled):
            sig.connect(lambda *_a, j=job: self._ended(j))
        self.jobs.append(job)
        self.pool.start(_Runnable(fn, task, signals))
        self.sig_started.emit(job)
        return job

    def _ended(self, job: Job) -> None:
        job.done = True
        if job in self.jobs:
            self.jobs.remove(job)
        self.sig_ended.emit(job)

    def busy(self) -> bool:
        return bool(self.jobs)

    def cancel_all(self, wait_ms: int = 30000) -> bool:
        """Cancel every job and wait for the workers; True if they all stopped."""
        for job in list(self.jobs):
            job.cancel()
        return self.pool.waitForDone(wait_ms)
