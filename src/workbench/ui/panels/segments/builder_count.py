"""The live member count: debounced, counted off the GUI thread, stale answers dropped.

Each edit restarts a short timer; when it fires, the segment is counted as a background
job (``evaluate.count_segment``). A newer edit cancels the job under way (its query is
interrupted) and a result that arrives for an older edit is ignored, so the figure shown
always belongs to the definition on screen.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from workbench.ui.signals import emit

if TYPE_CHECKING:
    from workbench.project import Project
    from workbench.segments.evaluate import SegmentCount
    from workbench.segments.model import Segment
    from workbench.ui.task_runner import Job, TaskRunner

DEBOUNCE_MS = 300


class LiveCount(QObject):
    """Counts the latest segment it was given, once the edits pause."""

    sig_counting = Signal()
    """A count started (the figure shown is about to be replaced)."""
    sig_counted = Signal(object)
    """The SegmentCount of the latest definition."""
    sig_failed = Signal(str)
    """The latest definition could not be counted: the engine's message."""

    def __init__(self, runner: TaskRunner, delay_ms: int = DEBOUNCE_MS) -> None:
        super().__init__()
        self.runner = runner
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(delay_ms)
        self.timer.timeout.connect(self._start)
        self.job: Job | None = None
        self.generation = 0
        self.result: SegmentCount | None = None
        self._pending: tuple[Project, Segment] | None = None

    def request(self, project: Project, segment: Segment) -> None:
        """Count ``segment`` after the edits pause (replaces any earlier request)."""
        self._pending = (project, segment)
        self.generation += 1
        self.result = None
        if self.job is not None:
            self.job.cancel()  # the definition changed: its answer is no longer wanted
        emit(self.sig_counting)
        self.timer.start()

    def stop(self) -> None:
        """Forget the pending request and cancel the count under way."""
        self.timer.stop()
        self._pending = None
        self.generation += 1
        if self.job is not None:
            self.job.cancel()
            self.job = None

    def _start(self) -> None:
        if self._pending is None:
            return
        project, segment = self._pending
        self._pending = None
        generation = self.generation

        def count(task: object) -> SegmentCount:
            from workbench.segments.evaluate import count_segment  # noqa: PLC0415

            return count_segment(project, segment, task=task)  # type: ignore[arg-type]

        job = self.runner.start(
            f"Counting {segment.name}", count, determinate=False, report=False, background=True
        )
        self.job = job
        job.sig_finished.connect(lambda result, g=generation: self._landed(g, result))
        job.sig_failed.connect(lambda message, _d, g=generation: self._failed(g, message))
        job.sig_cancelled.connect(lambda j=job: self._forget(j))

    def _landed(self, generation: int, result: SegmentCount) -> None:
        self.job = None
        if generation != self.generation:
            return
        self.result = result
        emit(self.sig_counted, result)

    def _failed(self, generation: int, message: str) -> None:
        self.job = None
        if generation == self.generation:
            emit(self.sig_failed, message)

    def _forget(self, job: Job) -> None:
        if self.job is job:
            self.job = None


def as_of_text(as_of: dt.datetime, source: str) -> str:
    """``as of 29 Jun 2026, latest event``."""
    return f"as of {as_of.day} {as_of:%b %Y}, {source}"


class CountCard(QFrame):
    """Members, their share of all profiles, and the instant "now" is read as."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="countCard")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.setSpacing(18)
        figures = QVBoxLayout()
        figures.setSpacing(0)
        self.members = QLabel("—", objectName="countValue")
        self.caption = QLabel("members", objectName="metricLabel")
        figures.addWidget(self.members)
        figures.addWidget(self.caption)
        layout.addLayout(figures)
        share = QVBoxLayout()
        share.setSpacing(6)
        self.share = QLabel("", objectName="shareText")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.as_of = QLabel("", objectName="muted")
        share.addWidget(self.share)
        share.addWidget(self.bar)
        share.addWidget(self.as_of)
        layout.addLayout(share, 1)
        self.state = QLabel("", objectName="countState")
        self.state.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.state, 0, Qt.AlignmentFlag.AlignTop)

    def counting(self) -> None:
        self.state.setText("counting…")
        self.setProperty("stale", True)
        self._repolish()

    def show_count(self, result: SegmentCount, as_of_source: str) -> None:
        self.members.setText(f"{result.members:,}")
        self.caption.setText("member" if result.members == 1 else "members")
        self.share.setText(f"{result.share:.1%} of {result.profiles:,} profiles")
        self.bar.setValue(round(result.share * 1000))
        self.as_of.setText(as_of_text(result.as_of, as_of_source))
        self.as_of.setToolTip(
            f"Times are read against {result.as_of:%Y-%m-%d %H:%M:%S} UTC; counted in "
            f"{result.seconds:.2f} s"
        )
        self.state.setText("")
        self.setProperty("stale", False)
        self._repolish()

    def show_problem(self, message: str) -> None:
        self.members.setText("—")
        self.caption.setText("members")
        self.share.setText("Fix the definition to see who it holds")
        self.bar.setValue(0)
        self.as_of.setText("")
        self.state.setText("not counted")
        self.state.setToolTip(message)
        self.setProperty("stale", False)
        self._repolish()

    def _repolish(self) -> None:
        self.style().unpolish(self)
        self.style().polish(self)
