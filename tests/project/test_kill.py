"""Crashes and cancels: committed work survives, unfinished work leaves no trace."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import duckdb
import pytest

from tests.helpers import csv_text, import_profiles, snapshot, table_rows, write_text
from workbench.ingest import ImportOptions, import_file
from workbench.project import Project
from workbench.project.sources import get_source, list_sources
from workbench.tasks import Cancelled, Task

pytestmark = pytest.mark.slow

BIG_ROWS = 300_000


def _profiles_csv(path: Path, rows: int) -> Path:
    """A profile file of ``rows`` rows, written by DuckDB (fast even for 300k rows)."""
    with duckdb.connect() as con:
        con.execute(
            "COPY (SELECT printf('C%07d', i) AS customer_id, "
            "printf('user%d@example.com', i) AS email, printf('First%d', i % 997) AS first_name, "
            "printf('City%d', i % 101) AS city, DATE '2023-01-01' + CAST(i % 365 AS INTEGER) "
            "AS signup, (i % 1000) / 10 AS score FROM range(?) t(i)) "
            f"TO '{path}' (HEADER)",
            [rows],
        )
    return path


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300k profiles: large enough that writing the source table takes a while."""
    return _profiles_csv(tmp_path_factory.mktemp("big") / "big.csv", BIG_ROWS)


def _child(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(proc: subprocess.Popen[str], word: str) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if line != word:
        proc.kill()
        _, err = proc.communicate(timeout=30)
        pytest.fail(f"child said {line!r} instead of {word!r}; stderr:\n{err}")


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.kill()  # SIGKILL: no cleanup, no checkpoint, no rollback
    proc.communicate(timeout=30)
    assert proc.returncode != 0


@pytest.fixture
def first_source(project_path: Path, data_dir: Path) -> Path:
    """A closed project holding one small source."""
    with Project.create(project_path) as project:
        import_profiles(
            project,
            write_text(data_dir / "crm.csv", csv_text("id,email", "1,a@example.com", "2,b@e.com")),
        )
    return project_path


_IMPORT_THEN_SLEEP = """
    import sys, time
    from workbench.ingest import ImportOptions, import_file
    from workbench.project import Project
    project = Project.open(sys.argv[1])
    report = import_file(project, sys.argv[2], ImportOptions(kind="profiles"))
    print("done", flush=True)
    time.sleep(600)
"""


def test_committed_import_survives_a_kill(first_source: Path, data_dir: Path) -> None:
    lines = [f"S{i},s{i}@example.com,{i}" for i in range(5000)]
    subscribers = write_text(data_dir / "subs.csv", csv_text("id,email,n", *lines))
    proc = _child(_IMPORT_THEN_SLEEP, str(first_source), str(subscribers))
    _wait_for(proc, "done")
    _kill(proc)
    with Project.open(first_source) as project:
        assert [s.name for s in list_sources(project)] == ["crm", "subs"]
        source = get_source(project, "subs")
        assert (source.rows, source.rejects) == (5000, 0)
        cur = project.cursor()
        try:
            assert cur.execute("SELECT count(*), sum(n), max(_line) FROM raw.subs").fetchone() == (
                5000,
                sum(range(5000)),
                5001,
            )
        finally:
            cur.close()
        assert table_rows(project, "crm", "id") == [("1",), ("2",)]


_KILLED_MID_IMPORT = """
    import sys, time
    from workbench.ingest import ImportOptions, import_file
    from workbench.project import Project
    from workbench.tasks import Task

    said = False

    def progress(fraction, message):
        global said
        if fraction >= float(sys.argv[3]) and not said:
            said = True
            print("started", flush=True)
            if sys.argv[4] == "pause":
                time.sleep(600)

    project = Project.open(sys.argv[1])
    import_file(project, sys.argv[2], ImportOptions(kind="profiles"), Task(progress))
    print("finished", flush=True)
"""


@pytest.mark.parametrize(
    ("at", "then"),
    [
        # killed while DuckDB writes the 300k-row source table (takes ~1 s)
        pytest.param(0.7, "run", id="while-writing"),
        # stopped inside the transaction after the new table and its rejects were written
        pytest.param(0.85, "pause", id="before-commit"),
    ],
)
def test_crash_mid_import_leaves_the_project_as_before(
    first_source: Path, big_csv: Path, data_dir: Path, at: float, then: str
) -> None:
    with Project.open(first_source) as project:
        before = snapshot(project)
    data = big_csv if then == "run" else _profiles_csv(data_dir / "medium.csv", 20_000)
    proc = _child(_KILLED_MID_IMPORT, str(first_source), str(data), str(at), then)
    _wait_for(proc, "started")
    _kill(proc)
    with Project.open(first_source) as project:
        assert snapshot(project) == before
        assert [t[1] for t in snapshot(project).tables if t[0] == "raw"] == ["crm"]
        assert table_rows(project, "crm", "id") == [("1",), ("2",)]
        # and the project still takes imports
        more = write_text(first_source.parent / "more.csv", csv_text("id,email", "9,z@e.com"))
        assert import_profiles(project, more).rows == 1


def test_cancel_from_another_thread(project: Project, data_dir: Path, big_csv: Path) -> None:
    import_profiles(
        project, write_text(data_dir / "crm.csv", csv_text("id,email", "1,a@example.com"))
    )
    before = snapshot(project)
    writing = threading.Event()

    def progress(fraction: float, message: str) -> None:
        if message == "Writing the source table":
            writing.set()

    task = Task(progress)

    def canceller() -> None:
        if writing.wait(timeout=60):
            task.cancel()

    thread = threading.Thread(target=canceller)
    thread.start()
    try:
        with pytest.raises(Cancelled):
            import_file(project, big_csv, ImportOptions(kind="profiles"), task)
    finally:
        thread.join(timeout=60)
    assert writing.is_set()
    assert snapshot(project) == before
    more = write_text(data_dir / "more.csv", csv_text("id,email", "9,z@e.com"))
    assert import_profiles(project, more).rows == 1


def test_cancel_before_start(project: Project, big_csv: Path) -> None:
    task = Task()
    task.cancel()
    before = snapshot(project)
    with pytest.raises(Cancelled):
        import_file(project, big_csv, ImportOptions(kind="profiles"), task)
    assert snapshot(project) == before
