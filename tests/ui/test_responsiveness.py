"""The GUI thread keeps serving events while a long import runs on the task runner."""

from __future__ import annotations

import itertools
import time

import pytest

from tests.ui.conftest import write_customers
from workbench.ingest import ImportOptions

ROWS = 300_000
TICK_MS = 10
MAX_GAP_MS = 100


@pytest.mark.slow
def test_gui_thread_never_stalls_during_a_long_import(qtbot, make_window, ui_project, tmp_path):
    from PySide6.QtCore import QTimer

    from workbench.project.sources import list_sources

    window = make_window(ui_project)
    window.show()
    csv = write_customers(tmp_path / "big.csv", ROWS)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    qtbot.wait(50)
    from workbench.ingest import import_file

    job = window.runner.start(
        "Importing big.csv",
        lambda task: import_file(ui_project, csv, ImportOptions(kind="profiles", name="big"), task),
    )
    started = time.perf_counter()
    with qtbot.waitSignal(job.sig_finished, timeout=120_000):
        pass
    took = time.perf_counter() - started
    timer.stop()
    during = [t for t in ticks if t >= started]
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(during)]
    print(f"import {took:.2f} s, {len(during)} ticks, max gap {max(gaps):.1f} ms")
    assert took > 0.5, "the import should be long enough to tell"
    assert len(during) > took * 1000 / TICK_MS * 0.5, "the timer kept ticking"
    assert max(gaps) < MAX_GAP_MS, f"the GUI thread stalled for {max(gaps):.0f} ms"
    assert {s.name: s.rows for s in list_sources(ui_project)}["big"] == ROWS
