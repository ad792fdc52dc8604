"""Values in the data, for pickers: fetched off the GUI thread once per field, then cached.

A text picker asks :class:`ValueSource` for a field's values; the first ask starts a
background job (``catalog.field_values``) and the picker fills in when it lands. The cache
lives as long as the identity run it was read from (the builder drops it on a new run).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from workbench.ui.signals import emit

if TYPE_CHECKING:
    from workbench.project import Project
    from workbench.ui.task_runner import Job, TaskRunner

ValueKey = tuple[str, str, str]
"""(table, field, event type or '')."""
VALUE_LIMIT = 200


class ValueSource(QObject):
    """Distinct values with counts per (table, field, event type), loaded on demand."""

    sig_loaded = Signal(object)
    """Values for this ValueKey arrived (read them with :meth:`cached`)."""

    def __init__(self, runner: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.project: Project | None = None
        self._cache: dict[ValueKey, list[tuple[object, int]]] = {}
        self._jobs: dict[ValueKey, Job] = {}

    def reset(self, project: Project | None) -> None:
        """Forget every value (another project or identity run); stop fetches under way."""
        for job in list(self._jobs.values()):
            job.cancel()
        self._jobs.clear()
        self._cache.clear()
        self.project = project

    def cached(self, key: ValueKey) -> list[tuple[object, int]] | None:
        return self._cache.get(key)

    def request(self, key: ValueKey) -> list[tuple[object, int]] | None:
        """The values if known; otherwise start fetching them (``sig_loaded`` follows)."""
        if key in self._cache:
            return self._cache[key]
        project = self.project
        if project is None or key in self._jobs:
            return None
        table, field, event_type = key

        def fetch(_task: object) -> list[tuple[object, int]]:
            from workbench.segments.catalog import field_values  # noqa: PLC0415

            return field_values(
                project, table, field, event_type=event_type or None, limit=VALUE_LIMIT
            )

        job = self.runner.start(
            f"Reading values of {field}", fetch, determinate=False, report=False, background=True
        )
        self._jobs[key] = job
        job.sig_finished.connect(lambda values, k=key, j=job: self._landed(k, j, values))
        job.sig_failed.connect(lambda _m, _d, k=key, j=job: self._landed(k, j, []))
        job.sig_cancelled.connect(lambda k=key, j=job: self._dropped(k, j))
        return None

    def _landed(self, key: ValueKey, job: Job, values: list[tuple[object, int]]) -> None:
        if self._jobs.get(key) is not job:
            return  # a reset came in between: these values belong to another run
        del self._jobs[key]
        self._cache[key] = list(values)
        emit(self.sig_loaded, key)

    def _dropped(self, key: ValueKey, job: Job) -> None:
        if self._jobs.get(key) is job:
            del self._jobs[key]
