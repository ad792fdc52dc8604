"""Render a window or panel to PNG offscreen, once its background jobs are done."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QWidget

from workbench.ui.task_runner import TaskRunner

IDLE_TIMEOUT_MS = 30000


def wait_until_idle(runner: TaskRunner, timeout_ms: int = IDLE_TIMEOUT_MS) -> bool:
    """Serve events until no job runs (or the timeout passes); True if idle."""
    loop = QEventLoop()
    runner.sig_idle.connect(loop.quit)
    timer = QTimer(singleShot=True, interval=timeout_ms)
    timer.timeout.connect(loop.quit)
    settle = QTimer(singleShot=True, interval=50)
    settle.timeout.connect(lambda: None if runner.busy() else loop.quit())
    timer.start()
    settle.start()
    loop.exec()
    runner.sig_idle.disconnect(loop.quit)
    idle = not runner.busy()
    if idle:  # let the views repaint with what the jobs delivered
        QTimer.singleShot(30, loop.quit)
        loop.exec()
    return idle


def save_png(widget: QWidget, path: Path) -> bool:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return widget.grab().save(str(path), "PNG")
