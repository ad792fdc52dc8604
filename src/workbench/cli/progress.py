"""A text progress bar for long jobs, drawn on stderr when it is a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from workbench.tasks import Task

_WIDTH = 30


class ProgressBar:
    """Draws at most ten times a second; silent when stderr is not a terminal."""

    def __init__(self, stream: TextIO | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = 0.0
        self._drawn = False

    def __call__(self, fraction: float, message: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and fraction < 1.0:
            return
        self._last = now
        filled = round(fraction * _WIDTH)
        bar = "█" * filled + "░" * (_WIDTH - filled)
        self.stream.write(f"\r{bar} {fraction * 100:5.1f}%  {message[:60]:<60}")
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\r" + " " * (_WIDTH + 70) + "\r")
            self.stream.flush()
            self._drawn = False

    def task(self) -> Task:
        return Task(self)
