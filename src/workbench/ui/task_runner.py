"""Run engine jobs off the GUI thread, with progress, cancel and readable errors.

Every long piece of work in the app goes through one :class:`TaskRunner`. A job is a
plain engine function taking a Qt-free :class:`~workbench.tasks.Task`; the runner gives it
a task whose progress becomes a signal, whose ``cancel()`` interrupts the running DuckDB
query (through the task's interrupters), and delivers the result, error or cancellation
back on the GUI thread.
"""

from __future__ import annotations

import contextlib
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import duckdb
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QRunnable,
    QThreadPool,
    Signal,
    SignalInstance,
    Slot,
)

from workbench.project.errors import WorkbenchError
from workbench.tasks import Cancelled, Task
from workbench.ui.signals import emit

JobFunction = Callable[[Task], Any]
Outcome = Callable[["Job", str, str, str], None]

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

    def __init__(
        self,
        label: str,
        determinate: bool = True,
        on_outcome: Outcome | None = None,
        bridge: _Bridge | None = None,
    ) -> None:
        super().__init__()
        self.label = label
        self._bridge = bridge or _Bridge()
        self.task = Task(self._report)
        self.determinate = determinate
        self.state = RUNNING
        self.fraction: float | None = None
        """None until the job reports real progress (the bar is indeterminate until then)."""
        self.message = label
        self.worker_done = False
        """Set on the worker thread when the function has returned or raised."""
        self.report = True
        """Whether a failure goes to the app-wide error dialog."""
        self.background = False
        """Whether the job may be cancelled without asking (nothing is lost)."""
        self._on_outcome = on_outcome

    @property
    def done(self) -> bool:
        return self.state != RUNNING

    def cancel(self) -> None:
        """Ask the job to stop; interrupts its running query.

        A job whose work already returned is left alone, and an interrupter whose query
        already closed is harmless (the engine may leave one registered after it ends).
        """
        if self.worker_done:
            return
        with contextlib.suppress(duckdb.Error):
            self.task.cancel()

    def cancel_requested(self) -> bool:
        return self.task.cancelled()

    def _report(self, fraction: float, message: str) -> None:
        """The task's progress callback (runs on the worker thread; the signal is queued)."""
        emit(self._bridge.sig_progress, self, fraction, message)

    def _remember(self, fraction: float, message: str) -> None:
        """On the GUI thread: keep the latest progress and pass it on."""
        if self.determinate and fraction > 0:
            self.fraction = fraction
        if message:
            self.message = message
        emit(self.sig_progress, fraction, message)

    def _deliver(self, state: str, result: object, message: str, details: str) -> None:
        """On the GUI thread: announce the outcome, then drop every connection.

        Callers connect lambdas that capture the job; Qt holds those, so without the
        disconnect each job (and its task) would stay alive for the whole session.
        """
        self.state = state
        if state == FINISHED:
            emit(self.sig_finished, result)
        elif state == FAILED:
            emit(self.sig_failed, message, details)
        else:
            emit(self.sig_cancelled)
        if self._on_outcome is not None:
            self._on_outcome(self, state, message, details)
        self._on_outcome = None
        for signal in (self.sig_progress, self.sig_finished, self.sig_failed, self.sig_cancelled):
            _disconnect_all(signal)


def _disconnect_all(signal: SignalInstance) -> None:
    """Disconnect every slot (PySide complains when there is none: that is fine)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with contextlib.suppress(RuntimeError, SystemError, TypeError):
            signal.disconnect()


class _Bridge(QObject):
    """The only object workers emit on, connected once to decorated slots.

    A Job's own signals are emitted on the GUI thread only: PySide 6.8+ can crash when a
    worker emits on an object while the GUI thread connects a slot to it (PYSIDE-3124),
    and panels connect to a Job after it has started.
    """

    sig_progress = Signal(object, float, str)
    """The job, the fraction done and a message."""
    sig_outcome = Signal(object, str, object, str, str)
    """The job, its state, result, message and details."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sig_progress.connect(self._progress)
        self.sig_outcome.connect(self._outcome)

    @Slot(object, float, str)
    def _progress(self, job: Job, fraction: float, message: str) -> None:
        if job.state == RUNNING:
            job._remember(fraction, message)

    @Slot(object, str, object, str, str)
    def _outcome(self, job: Job, state: str, result: object, message: str, details: str) -> None:
        job._deliver(state, result, message, details)


class _Release:
    """Set by a worker once it holds no reference to its Job any more: until then the
    runner keeps the Job, so a Job (a GUI-thread QObject) is never freed by a worker."""

    released = False


class _Runnable(QRunnable):
    def __init__(self, fn: JobFunction, job: Job, release: _Release) -> None:
        super().__init__()
        self.fn: JobFunction | None = fn
        self.job = job
        self.release = release

    def run(self) -> None:
        job = self.job
        fn, self.fn = self.fn, None  # PySide may keep a finished runnable: not its closure
        outcome: tuple[str, object, str, str]
        try:
            try:
                result = fn(job.task)  # type: ignore[misc]
            finally:
                job.worker_done = True
                del fn
        except Cancelled:
            outcome = (CANCELLED, None, "", "")
        except WorkbenchError as exc:
            outcome = (FAILED, None, str(exc), traceback.format_exc())
        except Exception as exc:
            if job.task.cancelled():  # an interrupted query surfaces as a driver error
                outcome = (CANCELLED, None, "", "")
            else:
                outcome = (
                    FAILED,
                    None,
                    f"Something went wrong: {type(exc).__name__}: {exc}",
                    traceback.format_exc(),
                )
        else:
            outcome = (FINISHED, result, "", "")
        self.job = None  # type: ignore[assignment]
        emit(job._bridge.sig_outcome, job, *outcome)
        del job, outcome
        self.release.released = True


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
        self._bridge = _Bridge(self)
        self._retired: list[tuple[Job, _Release]] = []
        """Ended jobs whose worker may still hold them (see _Release)."""

    def start(
        self,
        label: str,
        fn: JobFunction,
        *,
        determinate: bool = True,
        report: bool = True,
        background: bool = False,
    ) -> Job:
        """Run ``fn(task)`` on a worker thread.

        ``determinate=False``: the job reports no fraction (the bar stays busy).
        ``report=False``: the caller shows failures itself (no app-wide error dialog).
        ``background=True``: losing the job costs nothing (a sort, a statistic, a
        preview), so closing cancels it without asking.
        """
        job = Job(label, determinate, self._ended, self._bridge)
        job.report = report
        job.background = background
        self.jobs.append(job)
        release = _Release()
        self._retired = [(j, r) for j, r in self._retired if not r.released]
        self._retired.append((job, release))
        self.pool.start(_Runnable(fn, job, release))
        emit(self.sig_started, job)
        return job

    def _ended(self, job: Job, state: str, message: str, details: str) -> None:
        if state == FAILED and job.report:
            emit(self.sig_failed, job, message, details)
        if job in self.jobs:
            self.jobs.remove(job)
        emit(self.sig_ended, job)
        if not self.jobs:
            emit(self.sig_idle)

    def busy(self) -> bool:
        return bool(self.jobs)

    def foreground_jobs(self) -> list[Job]:
        """Running jobs whose work the user would lose by cancelling (imports, ...)."""
        return [job for job in self.jobs if not job.background]

    def cancel_all(self, wait_ms: int = 30000) -> bool:
        """Cancel every job, wait for the workers and deliver their outcomes now.

        True if they all stopped in time. Delivering the (queued) outcomes before
        returning lets panels settle while the project they read is still open.
        """
        for job in list(self.jobs):
            job.cancel()
        stopped = self.pool.waitForDone(wait_ms)
        QCoreApplication.sendPostedEvents(self._bridge, QEvent.Type.MetaCall)
        return stopped
