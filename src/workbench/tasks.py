"""The Qt-free task handle that every long engine job accepts.

Engine functions report progress and poll for cancellation through this small
object; the UI's task runner and the CLI's progress bar each supply their own
callback, so the engine never knows who is watching.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator


class Cancelled(Exception):  # noqa: N818 - reads better at call sites than CancelledError
    """Raised by engine code at a safe point after the user asked to stop."""


ProgressCallback = Callable[[float, str], None]


class Task:
    """Progress sink plus a cancel flag, safe to share between two threads."""

    def __init__(self, on_progress: ProgressCallback | None = None) -> None:
        self._on_progress = on_progress
        self._cancel = threading.Event()
        self._interrupters: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self.fraction = 0.0
        self.message = ""

    def progress(self, fraction: float, message: str = "") -> None:
        """Report how far the job is (0..1); also a cancellation point."""
        self.fraction = min(max(fraction, 0.0), 1.0)
        if message:
            self.message = message
        if self._on_progress is not None:
            self._on_progress(self.fraction, self.message)
        self.check()

    def cancel(self) -> None:
        """Ask the job to stop; interrupts a running database query too."""
        self._cancel.set()
        with self._lock:
            interrupters = list(self._interrupters)
        for interrupt in interrupters:
            with contextlib.suppress(Exception):  # a connection closed meanwhile
                interrupt()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if a cancel was requested."""
        if self._cancel.is_set():
            raise Cancelled()

    def add_interrupter(self, interrupt: Callable[[], None]) -> None:
        """Register a callable (e.g. ``connection.interrupt``) that cancel() calls."""
        with self._lock:
            self._interrupters.append(interrupt)
        if self._cancel.is_set():
            interrupt()

    def remove_interrupter(self, interrupt: Callable[[], None]) -> None:
        """Remove by identity: pass the same object given to add_interrupter (some bound
        methods, such as DuckDB's ``connection.interrupt``, do not compare equal)."""
        with self._lock:
            self._interrupters[:] = [i for i in self._interrupters if i is not interrupt]

    def sub(self, start: float, end: float) -> SubTask:
        """A view of this task that maps 0..1 onto ``start..end``."""
        return SubTask(self, start, end)


class SubTask(Task):
    """Part of a parent task's progress range; shares its cancel flag."""

    def __init__(self, parent: Task, start: float, end: float) -> None:
        super().__init__()
        self._parent = parent
        self._start = start
        self._end = end
        self._cancel = parent._cancel
        self._interrupters = parent._interrupters
        self._lock = parent._lock

    def progress(self, fraction: float, message: str = "") -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        self._parent.progress(self._start + (self._end - self._start) * fraction, message)


def null_task() -> Task:
    """A task nobody watches, for callers that do not care about progress."""
    return Task()


@contextlib.contextmanager
def interrupting(
    task: Task | None, interrupt: Callable[[], None], every: float = 0.02
) -> Iterator[None]:
    """While the block runs, ``task.cancel()`` calls ``interrupt`` — and keeps calling it
    every ``every`` seconds until the block ends: DuckDB drops an interrupt that arrives
    before a query starts executing, and the query then runs to its end."""
    if task is None:
        yield
        return
    done = threading.Event()
    guard = threading.Lock()  # never interrupt once the block has ended

    def fire() -> bool:
        with guard:
            if done.is_set():
                return False
            with contextlib.suppress(Exception):  # a connection closed meanwhile
                interrupt()
            return True

    def keep() -> None:
        while fire() and not done.wait(every):
            pass

    def on_cancel() -> None:
        threading.Thread(target=keep, name="interrupt", daemon=True).start()

    task.add_interrupter(on_cancel)
    try:
        yield
    finally:
        task.remove_interrupter(on_cancel)
        with guard:
            done.set()
