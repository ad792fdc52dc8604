"""Run a command and report its own wall time and peak memory (not other children's)."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass


@dataclass
class Measured:
    seconds: float
    peak_mb: float
    stdout: str
    returncode: int


def run_measured(command: list[str]) -> Measured:
    """Wall time and max RSS of exactly this process, via wait4."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    stdout = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, command, stdout)
    return Measured(seconds, usage.ru_maxrss / 1024, stdout, proc.returncode)
