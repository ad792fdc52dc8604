"""Run engine jobs off the GUI thread, with progress, cancel and readable errors.

Every long piece of work in the app goes through one :class:`TaskRunner`. A job is a
plain engine function taking a Qt-free :class:`~workbench.tasks.Task`; the runner gives it
a task whose progress becomes a signal, whose ``cancel()`` interrupts the running DuckDB
query (through the task's interrupters), and delivers the result, error or cancellation
back on the GUI thread.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from workbench.project.errors import WorkbenchError
from workbench.tasks import Cancelled, Task

JobFunction = Callable[[Task], Any]

RUNNING, FINISHED, FAILED, CANCELLED = "running", "finished", "failed", "cancelled"


class Job(QObject):
    """A started job: cancel it, follow its progress, get its outcome (on the GUI thread)."""

    sig_progress = Signal(float, str)
    """Fraction done (0..1) and a message."""
    sig_finished = Signal(object)
    """The job's return value."""
    sig_failed = Signal(str, str)
    """A message for the user and the technical details."""
    sig_cancelled = Signal()
    """The job stopped after Cancel; the engine rolled its work back."""

    def __init__(self, label: str, determinate: bool = True) -> None:
        super().__init__()
        self.label = label
        self.task = Task(self._report)
        self.determinate = determinate
        self.state = RUNNING
        self.fraction: float | None = None
        """None until the job reports real progress (the bar is indeterminate until then)."""
        self.message = label
        self.report = True
        """Whether a failure goes to the app-wide error dialog."""
        self.sig_progress.connect(self._remember)

    @property
    def done(self) -> bool:
        return self.state != RUNNING

    def cancel(self) -> None:
        """Ask the job to stop; interrupts its running query."""
        self.task.cancel()

    def cancel_requested(self) -> bool:
        return self.task.cancelled()

    def _report(self, fraction: float, message: str) -> None:
        """The task's progress callback (runs on the worker thread; the signal is queued)."""
        self.sig_progress.emit(fraction, message)

    def _remember(self, fraction: float, message: str) -> None:
        if self.determinate and fraction > 0:
            self.fraction = fraction
        if message:
            self.message = message


class _Runnable(QRunnable):
    def __init__(self, fn: JobFunction, job: Job) -> None:
        super().__init__()
        self.fn = fn
        self.job = job

    def run(self) -> None:
        job = self.job
        try:
            result = self.fn(job.task)
        except Cancelled:
            job.sig_cancelled.emit()
        except WorkbenchError as exc:
            job.sig_failed.emit(str(exc), traceback.format_exc())
        except Exception as exc:
            if job.task.cancelled():  # an interrupted query surfaces as a driver error
                job.sig_cancelled.emit()
            else:
                job.sig_failed.emit(
                    f"Something went wrong: {type(exc).__name__}: {exc}",
                    traceback.format_exc(),
                )
        else:
            job.sig_finished.emit(result)


class TaskRunner(QObject):
    """One thread pool for every job of the app; the place the UI watches jobs."""

    sig_started = Signal(object)
    """A Job was started."""
    sig_ended = Signal(object)
    """A Job finished, failed or was cancelled (after its own signal)."""
    sig_failed = Signal(object, str, str)
    """A Job failed: the job, a message for the user and the technical details."""
    sig_idle = Signal()
    """The last running job ended."""

    def __init__(self, parent: QObject | None = None, threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self.jobs: list[Job] = []

    def start(
        self, label: str, fn: JobFunction, *, determinate: bool = True, report: bool = True
    ) -> Job:
        """Run ``fn(task)`` on a worker thread.

        ``determinate=False``: the job reports no fraction (the bar stays busy).
        ``report=False``: the caller shows failures itself (no app-wide error dialog).
        """
        job = Job(label, determinate)
        job.report = report
        job.sig_finished.connect(lambda _r: self._ended(job, FINISHED))
        job.sig_failed.connect(lambda m, d: self._failed(job, m, d))
        job.sig_cancelled.connect(lambda: self._ended(job, CANCELLED))
        self.jobs.append(job)
        self.pool.start(_Runnable(fn, job))
        self.sig_started.emit(job)
        return job

    def _failed(self, job: Job, message: str, details: str) -> None:
        if job.report:
            self.sig_failed.emit(job, message, details)
        self._ended(job, FAILED)

    def _ended(self, job: Job, state: str) -> None:
        job.state = state
        if job in self.jobs:
            self.jobs.remove(job)
        self.sig_ended.emit(job)
        if not self.jobs:
            self.sig_idle.emit()

    def busy(self) -> bool:
        return bool(self.jobs)

    def cancel_all(self, wait_ms: int = 30000) -> bool:
        """Cancel every job and wait for the workers; True if they all stopped in time."""
        for job in list(self.jobs):
            job.cancel()
        return self.pool.waitForDone(wait_ms)
