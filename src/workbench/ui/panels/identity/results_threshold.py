"""What the profiles would be at the threshold under the mouse: debounced, computed off the GUI
thread, and only the answer for the latest threshold is shown.

The run's graph is loaded once per run (a job); each settled position of the threshold
line starts one clustering job with a generation number, and an answer whose generation
is no longer the latest is dropped (the job before it is cancelled too).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from workbench.identity.threshold import RunGraph, ThresholdResult, load_run_graph, profiles_at
from workbench.project import Project
from workbench.ui.signals import emit
from workbench.ui.task_runner import Job, TaskRunner

DEBOUNCE_MS = 150


class ThresholdExplorer(QObject):
    """Answers "how many profiles at threshold t?" for one run, latest question only."""

    sig_result = Signal(object)
    """The ThresholdResult for the latest threshold asked."""
    sig_failed = Signal(str)
    """The run's graph could not be loaded or clustered: the engine's message."""

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.graph: RunGraph | None = None
        self.load_job: Job | None = None
        self.job: Job | None = None
        self.generation = 0
        self.pending: float | None = None
        self.timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self.timer.timeout.connect(self._compute)

    def set_run(self, project: Project | None, run_id: str | None) -> Job | None:
        """Forget the previous run; load ``run_id``'s graph in the background."""
        self.clear()
        if project is None or run_id is None:
            return None
        job = self.runner.start(
            f"Loading the match graph of {run_id}",
            lambda _task: load_run_graph(project, run_id),
            determinate=False,
            report=False,
            background=True,
        )
        job.sig_finished.connect(lambda graph, j=job: self._loaded(j, graph))
        job.sig_failed.connect(lambda message, _d, j=job: self._failed(j, message))
        self.load_job = job
        return job

    def clear(self) -> None:
        self.timer.stop()
        self.generation += 1
        self.pending = None
        self.graph = None
        for job in (self.load_job, self.job):
            if job is not None:
                job.cancel()
        self.load_job = self.job = None

    def request(self, threshold: float) -> None:
        """Ask for ``threshold``; the work starts once the line rests for a moment."""
        self.pending = threshold
        self.generation += 1
        self.timer.start()

    def flush(self) -> None:
        """Start the work for the pending threshold now, without waiting for the line to rest."""
        self.timer.stop()
        self._compute()

    def busy(self) -> bool:
        return self.timer.isActive() or self.job is not None or self.load_job is not None

    def _loaded(self, job: Job, graph: RunGraph) -> None:
        if job is not self.load_job:
            return
        self.load_job = None
        self.graph = graph
        if self.pending is not None and not self.timer.isActive():
            self._compute()

    def _compute(self) -> None:
        graph, threshold = self.graph, self.pending
        if graph is None or threshold is None:
            return  # the graph is still loading: it asks again when it arrives
        if self.job is not None:
            self.job.cancel()  # an older threshold: nobody wants its answer any more
        generation = self.generation
        job = self.runner.start(
            f"Profiles at threshold {threshold:g}",
            lambda task: profiles_at(graph, threshold, task),
            determinate=False,
            report=False,
            background=True,
        )
        job.sig_finished.connect(lambda result, j=job: self._done(j, result, generation))
        job.sig_failed.connect(lambda message, _d, j=job: self._failed(j, message))
        job.sig_cancelled.connect(lambda j=job: self._forget(j))
        self.job = job

    def _done(self, job: Job, result: ThresholdResult, generation: int) -> None:
        self._forget(job)
        if generation == self.generation:
            self.pending = None
            emit(self.sig_result, result)

    def _forget(self, job: Job) -> None:
        if job is self.job:
            self.job = None

    def _failed(self, job: Job, message: str) -> None:
        if job is self.load_job:
            self.load_job = None
        elif job is self.job:
            self.job = None
        else:
            return
        emit(self.sig_failed, message)
