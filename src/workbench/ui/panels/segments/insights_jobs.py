"""One computation at a time per page: a newer request cancels the older one, and the page
shows what runs (progress and Cancel) or why it stopped, in a line under its controls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from workbench.ui.signals import emit
from workbench.ui.task_runner import Job, JobFunction, TaskRunner


class JobStatus(QWidget):
    """Progress bar, message and Cancel while a job runs; a short note (or error) after."""

    sig_cancel = Signal()
    """The user pressed Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.bar = QProgressBar()
        self.bar.setFixedWidth(160)
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        self.message = QLabel("", objectName="muted")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.sig_cancel)
        layout.addWidget(self.bar)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.cancel_button)
        self.idle("")

    def running(self, message: str) -> None:
        self.setVisible(True)
        self.bar.setRange(0, 0)
        self.bar.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self._say(message, error=False)

    def progress(self, fraction: float, message: str) -> None:
        if fraction > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(round(fraction * 1000))
        if message:
            self.message.setText(message)

    def idle(self, message: str, error: bool = False) -> None:
        """Nothing runs: show ``message`` (an outcome), or nothing at all."""
        self.bar.hide()
        self.cancel_button.hide()
        self._say(message, error)
        self.setVisible(bool(message))

    def _say(self, message: str, error: bool) -> None:
        self.message.setObjectName("error" if error else "muted")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(message)


class LatestJob(QObject):
    """Runs a page's jobs through the app's runner, keeping only the newest one.

    Results of a job that was replaced or cancelled never reach the page; failures are shown
    in the page's status line rather than in a dialog (nothing was lost).
    """

    sig_busy = Signal(bool)
    """A job started (True) or the last one ended (False)."""

    def __init__(self, runner: TaskRunner, status: JobStatus, background: bool = True) -> None:
        super().__init__(status)
        self.runner = runner
        self.status = status
        self.background = background
        self.job: Job | None = None
        self.last_error = ""
        status.sig_cancel.connect(self.cancel)

    def start(
        self,
        label: str,
        fn: JobFunction,
        on_result: Callable[[Any], None],
        on_cancelled: Callable[[], None] | None = None,
        on_failed: Callable[[str], None] | None = None,
    ) -> Job:
        """Cancel whatever runs and start ``fn(task)``; ``on_result`` gets its return value."""
        self.cancel(quiet=True)
        self.last_error = ""
        job = self.runner.start(label, fn, report=False, background=self.background)
        self.job = job
        self.status.running(label + "…")

        def progress(fraction: float, message: str) -> None:
            if self.job is job:
                self.status.progress(fraction, message)

        job.sig_progress.connect(progress)

        def finished(result: object) -> None:
            if self.job is job:
                self._end("")
                on_result(result)

        def cancelled() -> None:
            if self.job is job:
                self._end("Cancelled.")
                if on_cancelled is not None:
                    on_cancelled()

        def failed(message: str, _details: str) -> None:
            if self.job is job:
                self.last_error = message
                # a page that explains the failure itself keeps the status line quiet
                self._end(message if on_failed is None else "", error=True)
                if on_failed is not None:
                    on_failed(message)

        job.sig_finished.connect(finished)
        job.sig_cancelled.connect(cancelled)
        job.sig_failed.connect(failed)
        emit(self.sig_busy, True)
        return job

    def busy(self) -> bool:
        return self.job is not None and not self.job.done

    def cancel(self, quiet: bool = False) -> None:
        """Stop the running job; with ``quiet`` its outcome is dropped without a word."""
        job = self.job
        if job is None or job.done:
            return
        if quiet:
            self.job = None
            emit(self.sig_busy, False)
        else:
            self.status.cancel_button.setEnabled(False)
            self.status.message.setText("Cancelling…")
        job.cancel()

    def _end(self, message: str, error: bool = False) -> None:
        self.job = None
        self.status.idle(message, error)
        emit(self.sig_busy, False)
