"""Render a window or panel to PNG offscreen, once its background jobs are done."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QWidget

from workbench.ui.task_runner import TaskRunner

IDLE_TIMEOUT_MS = 30000
QUIET_MS = 400


def wait_until_idle(
    runner: TaskRunner, timeout_ms: int = IDLE_TIMEOUT_MS, quiet_ms: int = QUIET_MS
) -> bool:
    """Serve events until no job has run for ``quiet_ms`` (debounced requests such as
    column statistics start a moment after a view appears) or the timeout passes."""
    loop = QEventLoop()
    state = {"quiet": 0, "left": timeout_ms}
    step = 50

    def check() -> None:
        state["left"] -= step
        state["quiet"] = 0 if runner.busy() else state["quiet"] + step
        if state["quiet"] >= quiet_ms or state["left"] <= 0:
            loop.quit()

    ticker = QTimer(interval=step)
    ticker.timeout.connect(check)
    ticker.start()
    loop.exec()
    ticker.stop()
    return not runner.busy()


def save_png(widget: QWidget, path: Path) -> bool:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return widget.grab().save(str(path), "PNG")
