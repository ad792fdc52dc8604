"""The status bar's job indicator: what runs, how far it is, and a Cancel that stops it.

Quick jobs (a sort, a statistic) often end within a few hundred milliseconds; the bar
appears only for jobs still running after ``SHOW_DELAY_MS`` so it does not flicker.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from workbench.ui.task_runner import Job, TaskRunner

SHOW_DELAY_MS = 250


class JobBar(QWidget):
    """Shows the newest running job; Cancel cancels that job."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.job: Job | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.setSpacing(8)
        self.label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setFixedWidth(180)
        self.progress.setRange(0, 0)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop this job; the project stays as it was")
        self.cancel_button.clicked.connect(self.cancel)
        layout.addWidget(self.label)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel_button)
        self._show_timer = QTimer(self, singleShot=True, interval=SHOW_DELAY_MS)
        self._show_timer.timeout.connect(self._reveal)
        runner.sig_started.connect(self._started)
        runner.sig_ended.connect(self._ended)
        self.hide()

    def _started(self, job: Job) -> None:
        self._follow(job)
        if self.isHidden():
            self._show_timer.start()

    def _follow(self, job: Job) -> None:
        if self.job is not None:
            self.job.sig_progress.disconnect(self._progress)
        self.job = job
        job.sig_progress.connect(self._progress)
        self.cancel_button.setEnabled(True)
        self._render()

    def _reveal(self) -> None:
        if self.runner.busy():
            self.show()

    def _progress(self, _fraction: float, _message: str) -> None:
        self._render()

    def _render(self) -> None:
        job = self.job
        if job is None:
            return
        others = len(self.runner.jobs) - 1
        more = f"  (+{others} more)" if others > 0 else ""
        self.label.setText(job.message + more)
        if job.fraction is None:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(job.fraction * 1000))

    def _ended(self, job: Job) -> None:
        if job is self.job:
            job.sig_progress.disconnect(self._progress)
            self.job = None
            if self.runner.jobs:
                self._follow(self.runner.jobs[-1])
        if not self.runner.busy():
            self._show_timer.stop()
            self.hide()
        else:
            self._render()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(f"Cancelling {self.job.label}…")
