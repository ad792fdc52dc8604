"""The task runner: progress, indeterminate jobs, cancel (interrupting a query), errors."""

from __future__ import annotations

import duckdb
import pytest

from workbench.project.errors import ProjectError
from workbench.tasks import Cancelled, Task


@pytest.fixture
def runner(qtbot):
    from workbench.ui.task_runner import TaskRunner

    runner = TaskRunner()
    yield runner
    runner.cancel_all()


def _long_query(task: Task) -> int:
    """A query that runs for minutes unless interrupted through the task."""
    con = duckdb.connect()
    task.add_interrupter(con.interrupt)
    try:
        task.progress(0.0, "Counting")
        return con.execute(
            "SELECT count(*) FROM range(100000000000) t(i) WHERE i % 7 = 3"
        ).fetchone()[0]
    except duckdb.InterruptException as exc:
        raise Cancelled() from exc
    finally:
        task.remove_interrupter(con.interrupt)
        con.close()


def test_progress_and_result_arrive_on_the_gui_thread(qtbot, runner) -> None:
    from PySide6.QtCore import QThread

    def work(task: Task) -> str:
        for i in range(1, 5):
            task.progress(i / 4, f"step {i}")
        return "done"

    seen: list[tuple[float, str, bool]] = []
    job = runner.start("Working", work)
    job.sig_progress.connect(
        lambda f, m: seen.append((f, m, QThread.currentThread() is job.thread()))
    )
    with qtbot.waitSignal(job.sig_finished, timeout=5000) as blocker:
        pass
    assert blocker.args == ["done"]
    assert [s[1] for s in seen] == ["step 1", "step 2", "step 3", "step 4"]
    assert all(on_gui for *_x, on_gui in seen)
    assert job.fraction == 1.0
    assert job.state == "finished"
    assert not runner.busy()


def test_a_job_without_progress_stays_indeterminate(qtbot, runner) -> None:
    from workbench.ui.job_bar import JobBar

    bar = JobBar(runner)
    qtbot.addWidget(bar)
    job = runner.start("Sorting", _long_query, determinate=False)
    qtbot.waitUntil(lambda: job.message == "Counting", timeout=5000)
    assert job.fraction is None
    assert bar.progress.maximum() == 0  # a busy bar, not a fake percentage
    qtbot.waitUntil(bar.isVisible, timeout=5000)
    assert "Counting" in bar.label.text()
    with qtbot.waitSignal(job.sig_cancelled, timeout=10000):
        bar.cancel()
    assert bar.isHidden()


def test_cancel_interrupts_the_running_query(qtbot, runner) -> None:
    import time

    job = runner.start("Counting", _long_query)
    qtbot.waitUntil(lambda: job.message == "Counting", timeout=5000)
    qtbot.wait(100)
    started = time.perf_counter()
    with qtbot.waitSignals([job.sig_cancelled, runner.sig_idle], timeout=10000):
        job.cancel()
    assert time.perf_counter() - started < 5
    assert job.state == "cancelled"


def test_engine_errors_are_readable_with_details(qtbot, runner) -> None:
    def fail(_task: Task) -> None:
        raise ProjectError("crm.csv, line 4: not a number")

    job = runner.start("Importing", fail)
    with qtbot.waitSignal(runner.sig_failed, timeout=5000) as blocker:
        pass
    failed_job, message, details = blocker.args
    assert failed_job is job
    assert message == "crm.csv, line 4: not a number"
    assert "Traceback" in details
    assert job.state == "failed"


def test_unexpected_errors_say_what_happened(qtbot, runner) -> None:
    def crash(_task: Task) -> None:
        raise KeyError("column")

    job = runner.start("Crashing", crash)
    with qtbot.waitSignal(job.sig_failed, timeout=5000) as blocker:
        pass
    assert blocker.args[0].startswith("Something went wrong: KeyError")
    assert "KeyError" in blocker.args[1]


def test_quiet_jobs_leave_errors_to_their_caller(qtbot, runner) -> None:
    def fail(_task: Task) -> None:
        raise ProjectError("bad mapping")

    reported: list[str] = []
    runner.sig_failed.connect(lambda _j, m, _d: reported.append(m))
    job = runner.start("Previewing", fail, report=False)
    with qtbot.waitSignal(job.sig_failed, timeout=5000):
        pass
    assert reported == []


def test_cancel_all_stops_every_job_and_waits(qtbot, runner) -> None:
    jobs = [runner.start(f"Counting {i}", _long_query) for i in range(2)]
    qtbot.waitUntil(lambda: all(j.message == "Counting" for j in jobs), timeout=5000)
    assert runner.cancel_all(wait_ms=10000)
    qtbot.waitUntil(lambda: not runner.busy(), timeout=5000)
    assert [j.state for j in jobs] == ["cancelled", "cancelled"]
