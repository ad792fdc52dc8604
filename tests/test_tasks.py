"""The task handle: progress mapping, cancel, and interrupters added and removed."""

from __future__ import annotations

import duckdb
import pytest

from workbench.tasks import Cancelled, Task, interrupting


def test_sub_task_maps_progress_into_its_range() -> None:
    seen: list[float] = []
    task = Task(lambda f, _m: seen.append(f))
    task.sub(0.5, 1.0).progress(0.5, "half of the second half")
    assert seen == [0.75]


def test_cancel_raises_at_the_next_progress_report() -> None:
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        task.progress(0.1)


class _NeverEqual:
    """Like DuckDB 2's bound ``connection.interrupt``: not equal even to itself."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> None:
        self.calls += 1

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = object.__hash__


def test_a_removed_interrupter_is_not_called_on_cancel() -> None:
    interrupt = _NeverEqual()
    task = Task()
    task.add_interrupter(interrupt)
    task.remove_interrupter(interrupt)
    task.cancel()
    assert interrupt.calls == 0


def test_a_failing_interrupter_does_not_stop_cancel() -> None:
    calls: list[str] = []

    def broken() -> None:
        raise RuntimeError("connection closed")

    task = Task()
    task.add_interrupter(broken)
    task.add_interrupter(lambda: calls.append("second"))
    task.cancel()
    assert calls == ["second"]


def test_interrupting_stops_a_query_that_starts_after_the_cancel() -> None:
    """DuckDB drops an interrupt that comes before a query runs; the helper keeps trying."""
    con = duckdb.connect()
    task = Task()
    with interrupting(task, con.interrupt):
        task.cancel()
        with pytest.raises(duckdb.InterruptException):
            con.execute("SELECT count(*) FROM range(100000000000)").fetchone()
    assert con.execute("SELECT 42").fetchone() == (42,)  # no interrupts after the block
    con.close()
