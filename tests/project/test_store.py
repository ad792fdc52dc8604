"""Project files: create, open, refuse what is not ours, migrate, lock; sources in them."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.helpers import csv_text, import_events, import_profiles, rejects, snapshot, write_text
from workbench import __version__
from workbench.ingest import IngestError
from workbench.project import (
    NotAProjectError,
    Project,
    ProjectDamagedError,
    ProjectError,
    ProjectLockedError,
    ProjectNewerError,
    schema,
)
from workbench.project.definitions import list_definitions, load_definition, save_definition
from workbench.project.sources import get_source, list_rejects, list_sources, remove_source


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


@pytest.fixture
def closed_project(project_path: Path, data_dir: Path) -> Path:
    """A project file with one source, closed (checkpointed, unlocked)."""
    with Project.create(project_path, name="Spring campaign") as project:
        import_profiles(
            project,
            write_text(data_dir / "crm.csv", csv_text("id,email", "1,a@example.com", "2")),
        )
    return project_path


# ----------------------------------------------------------------- create/open
def test_create_and_info_round_trip(project_path: Path) -> None:
    with Project.create(project_path, name="Spring campaign") as project:
        info = project.info()
        assert project.name == "Spring campaign"
        assert project.format_version == schema.FORMAT_VERSION
    assert info["created_by"] == __version__
    assert info["format_version"] == str(schema.FORMAT_VERSION)
    assert len(info["project_id"]) == 36
    assert not _wal(project_path).exists()  # a clean close checkpoints into one file
    with Project.open(project_path) as reopened:
        again = reopened.info()
    assert again["project_id"] == info["project_id"]
    assert again["name"] == "Spring campaign"
    assert again["created_at"] == info["created_at"]
    assert again["written_by"] == __version__


def test_create_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "exists.wbproj"
    path.write_bytes(b"precious")
    with pytest.raises(ProjectError, match=r"exists\.wbproj already exists"):
        Project.create(path)
    assert path.read_bytes() == b"precious"


def test_create_refuses_a_leftover_wal(tmp_path: Path) -> None:
    path = tmp_path / "new.wbproj"
    _wal(path).write_bytes(b"old log")
    with pytest.raises(ProjectError, match=r"new\.wbproj\.wal is left over"):
        Project.create(path)
    assert not path.exists()


def test_create_in_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"Folder .*nowhere does not exist"):
        Project.create(tmp_path / "nowhere" / "p.wbproj")


def test_open_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"No project at .*missing\.wbproj"):
        Project.open(tmp_path / "missing.wbproj")


def test_read_only_project_refuses_changes(closed_project: Path) -> None:
    with Project.open(closed_project, read_only=True) as project:
        assert [s.name for s in list_sources(project)] == ["crm"]
        with pytest.raises(ProjectError, match="open read-only"), project.transaction():
            pass


def test_closed_project_refuses_use(project_path: Path) -> None:
    project = Project.create(project_path)
    project.close()
    project.close()  # twice is fine
    with pytest.raises(ProjectError, match="is closed"):
        project.cursor()


# ------------------------------------------------------ files that are not ours
def _refuse_unchanged(path: Path, error: type[ProjectError], match: str) -> None:
    before = path.read_bytes()
    with pytest.raises(error, match=match):
        Project.open(path)
    assert path.read_bytes() == before
    assert not _wal(path).exists()


def test_open_plain_duckdb_database(tmp_path: Path) -> None:
    path = tmp_path / "other.wbproj"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE customers AS SELECT 1 AS id")
    _refuse_unchanged(path, NotAProjectError, r"a DuckDB database but not a Workbench project")


def test_open_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.wbproj"
    path.write_text("id,email\n1,a@example.com\n" * 10)
    _refuse_unchanged(path, NotAProjectError, r"not a DuckDB database \(it looks like a text file")


def test_open_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.wbproj"
    path.write_bytes(b"")
    _refuse_unchanged(path, NotAProjectError, r"empty\.wbproj is not a Workbench project")


def test_open_folder(tmp_path: Path) -> None:
    folder = tmp_path / "folder.wbproj"
    folder.mkdir()
    with pytest.raises(NotAProjectError, match="is a folder"):
        Project.open(folder)


def test_open_newer_format(closed_project: Path) -> None:
    with duckdb.connect(str(closed_project)) as con:
        con.execute("UPDATE meta.project SET value = '99' WHERE key = 'format_version'")
        con.execute("CHECKPOINT")
    _refuse_unchanged(closed_project, ProjectNewerError, r"uses project format 99.*Upgrade")


def test_open_without_format_version(closed_project: Path) -> None:
    with duckdb.connect(str(closed_project)) as con:
        con.execute("DELETE FROM meta.project WHERE key = 'format_version'")
        con.execute("CHECKPOINT")
    _refuse_unchanged(closed_project, ProjectDamagedError, r"no valid format version")


# ---------------------------------------------------------------- damaged files
_OPEN_IN_CHILD = textwrap.dedent(
    """
    import sys
    from workbench.project import Project, ProjectError
    try:
        Project.open(sys.argv[1]).close()
    except ProjectError as exc:
        print(type(exc).__name__ + ": " + str(exc))
    else:
        print("opened")
    """
)


def _open_in_child(path: Path) -> str:
    """Open in a separate process, so a crash in the database library cannot take pytest down."""
    done = subprocess.run(
        [sys.executable, "-c", _OPEN_IN_CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


_BLOCK = 262144
_FIRST_BLOCK = 12288  # after DuckDB's file header and two database headers


@pytest.fixture
def data_project(project_path: Path, data_dir: Path) -> Path:
    """A closed project with 20k imported rows (and their metadata) spread over its blocks."""
    csv = data_dir / "people.csv"
    with duckdb.connect() as con:
        con.execute(
            "COPY (SELECT printf('C%06d', i) AS customer_id, printf('u%d@example.com', i) "
            "AS email, i % 90 AS age FROM range(20000) t(i)) "
            f"TO '{csv}' (HEADER)"
        )
    with Project.create(project_path) as project:
        import_profiles(project, csv)
    return project_path


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    middle = len(data) // 2
    if how == "truncated-start":
        path.write_bytes(data[: _FIRST_BLOCK + 100])
    elif how == "truncated-middle":
        path.write_bytes(data[:middle])
    elif how == "garbage-middle":
        path.write_bytes(data[:middle] + os.urandom(_BLOCK) + data[middle + _BLOCK :])
    elif how == "garbage-header":
        path.write_bytes(data[:4096] + os.urandom(4096) + data[8192:])


@pytest.mark.slow
@pytest.mark.parametrize(
    "how", ["truncated-start", "truncated-middle", "garbage-middle", "garbage-header"]
)
def test_open_damaged_file(data_project: Path, how: str) -> None:
    _damage(data_project, how)
    before = data_project.read_bytes()
    outcome = _open_in_child(data_project)
    assert outcome.startswith("ProjectDamagedError: "), outcome
    assert data_project.name in outcome
    assert data_project.read_bytes() == before


# ---------------------------------------------------------------------- locking
_HOLD_OPEN = textwrap.dedent(
    """
    import sys
    from workbench.project import Project
    project = Project.open(sys.argv[1])
    print("ready", flush=True)
    sys.stdin.read()
    project.close()
    """
)


@pytest.fixture
def held_open(closed_project: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD_OPEN, str(closed_project)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.mark.slow
@pytest.mark.parametrize("read_only", [False, True])
def test_open_locked_by_another_process(
    closed_project: Path, held_open: subprocess.Popen[str], read_only: bool
) -> None:
    with pytest.raises(ProjectLockedError) as info:
        Project.open(closed_project, read_only=read_only)
    message = str(info.value)
    assert str(closed_project) in message
    assert f"process {held_open.pid}" in message


@pytest.mark.slow
def test_lock_is_released_when_the_other_process_closes(
    closed_project: Path, held_open: subprocess.Popen[str]
) -> None:
    assert held_open.stdin is not None
    held_open.stdin.close()
    held_open.wait(timeout=30)
    with Project.open(closed_project) as project:
        assert [s.name for s in list_sources(project)] == ["crm"]


def test_open_twice_in_one_process(closed_project: Path) -> None:
    with Project.open(closed_project):
        for read_only in (False, True):
            with pytest.raises(ProjectLockedError, match="already open"):
                Project.open(closed_project, read_only=read_only)
    with Project.open(closed_project) as again:
        assert again.name == "Spring campaign"


# -------------------------------------------------------------------- migration
def _add_segment_tags(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE meta.segment_tags (profile_id VARCHAR, label VARCHAR)")
    con.execute("INSERT INTO meta.segment_tags VALUES ('p1', 'vip')")


def _broken(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TABLE meta.half_done (x INTEGER)")
    raise RuntimeError("migration step failed")


def _stored_version(path: Path) -> tuple[str, bool]:
    with duckdb.connect(str(path), read_only=True) as con:
        version = con.execute(
            "SELECT value FROM meta.project WHERE key = 'format_version'"
        ).fetchone()
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert version is not None
    return version[0], "segment_tags" in tables or "half_done" in tables


def test_migration_from_an_older_format(
    closed_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schema, "FORMAT_VERSION", 2)
    monkeypatch.setattr(schema, "MIGRATIONS", {1: _add_segment_tags})
    with Project.open(closed_project) as project:
        assert project.format_version == 2
        cur = project.cursor()
        try:
            assert cur.execute("SELECT * FROM meta.segment_tags").fetchall() == [("p1", "vip")]
        finally:
            cur.close()
        assert [s.name for s in list_sources(project)] == ["crm"]
    assert _stored_version(closed_project) == ("2", True)


def test_failed_migration_leaves_the_file_as_it_was(
    closed_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schema, "FORMAT_VERSION", 2)
    monkeypatch.setattr(schema, "MIGRATIONS", {1: _broken})
    with pytest.raises(RuntimeError, match="migration step failed"):
        Project.open(closed_project)
    assert _stored_version(closed_project) == ("1", False)
    monkeypatch.setattr(schema, "MIGRATIONS", {1: _add_segment_tags})
    with Project.open(closed_project) as project:  # the failed attempt left no lock behind
        assert project.format_version == 2


def test_missing_migration_step(closed_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema, "FORMAT_VERSION", 3)
    monkeypatch.setattr(schema, "MIGRATIONS", {1: _add_segment_tags})
    with pytest.raises(ProjectError, match="no migration from project format 2"):
        Project.open(closed_project)
    assert _stored_version(closed_project) == ("1", False)


def test_read_only_open_of_an_older_format(
    closed_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schema, "FORMAT_VERSION", 2)
    monkeypatch.setattr(schema, "MIGRATIONS", {1: _add_segment_tags})
    with pytest.raises(ProjectError, match="open it writable once to migrate"):
        Project.open(closed_project, read_only=True)
    assert _stored_version(closed_project) == ("1", False)


# ---------------------------------------------------------------------- sources
def _raw_tables(project: Project) -> list[str]:
    cur = project.cursor()
    try:
        rows = cur.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw' ORDER BY 1"
        ).fetchall()
    finally:
        cur.close()
    return [r[0] for r in rows]


def test_replace_swaps_the_source(project: Project, data_dir: Path) -> None:
    first = write_text(
        data_dir / "crm.csv",
        csv_text("id,email,age", "1,a@example.com,30", "2,b@example.com", "3,c@example.com,31"),
    )
    import_profiles(project, first)
    assert get_source(project, "crm").rows == 2
    assert len(rejects(project, "crm")) == 1
    second = write_text(
        data_dir / "crm_v2.csv",
        csv_text(
            "id,email,age,city",
            "1,a@example.com,30,Leeds",
            "2,b@example.com,40,York",
            "3,c@example.com,31,Hull",
            "4,d@example.com,22,Bath",
        ),
    )
    report = import_profiles(project, second, name="crm", replace=True)
    assert report.replaced
    source = get_source(project, "crm")
    assert (source.rows, source.rejects) == (4, 0)
    assert source.file.endswith("crm_v2.csv")
    assert [c.name for c in source.columns] == ["id", "email", "age", "city"]
    assert list_rejects(project, "crm") == []
    assert _raw_tables(project) == ["crm"]


def test_failed_replace_keeps_the_old_source(project: Project, data_dir: Path) -> None:
    good = csv_text("email,ts,event_type", "a@example.com,2024-01-01,open")
    import_events(project, write_text(data_dir / "opens.csv", good))
    before = snapshot(project)
    bad = write_text(data_dir / "opens_v2.csv", good.replace("2024-01-01", "soon"))
    with pytest.raises(IngestError):
        import_events(project, bad, name="opens", roles={"ts": "timestamp"})
    assert snapshot(project) == before


def test_remove_source(project: Project, data_dir: Path) -> None:
    import_profiles(
        project,
        write_text(data_dir / "a.csv", csv_text("id,email", "1,a@example.com", "2")),
    )
    import_profiles(project, write_text(data_dir / "b.csv", csv_text("id,email", "1,b@e.com")))
    remove_source(project, "a")
    assert [s.name for s in list_sources(project)] == ["b"]
    assert _raw_tables(project) == ["b"]
    assert list_rejects(project, "a") == []
    cur = project.cursor()
    try:
        assert cur.execute(
            "SELECT count(*) FROM meta.source_columns WHERE source = 'a'"
        ).fetchone() == (0,)
        assert cur.execute("SELECT count(*) FROM meta.rejects").fetchone() == (0,)
    finally:
        cur.close()
    with pytest.raises(ProjectError, match="no source named 'a'"):
        remove_source(project, "a")


def test_sources_survive_reopening(closed_project: Path) -> None:
    with Project.open(closed_project) as project:
        [source] = list_sources(project)
    assert (source.name, source.kind, source.rows, source.rejects) == ("crm", "profiles", 1, 1)
    assert source.roles() == {"id": "record_id", "email": "email"}
    assert source.file_format == "delimited"


def test_definitions_keep_versions(project: Project) -> None:
    assert save_definition(project, "segment", "vips", {"min_spend": 100}) == 1
    assert save_definition(project, "segment", "vips", {"min_spend": 200}) == 2
    assert load_definition(project, "segment", "vips") == {"min_spend": 200}
    assert load_definition(project, "segment", "vips", version=1) == {"min_spend": 100}
    [info] = list_definitions(project)
    assert (info.kind, info.name, info.version) == ("segment", "vips", 2)
    with pytest.raises(KeyError, match="no segment definition named 'nope'"):
        load_definition(project, "segment", "nope")


def test_close_stops_a_query_still_running_on_a_cursor(tmp_path: Path) -> None:
    """DuckDB refuses to close under a running query; close interrupts it and closes."""
    project = Project.create(tmp_path / "busy.wbproj")
    cur = project.cursor()
    outcome: list[str] = []

    def run() -> None:
        try:
            cur.execute("SELECT count(*) FROM range(100000000000)").fetchone()
            outcome.append("finished")
        except duckdb.InterruptException:
            outcome.append("interrupted")

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.3)
    project.close()
    worker.join(timeout=30)
    assert outcome == ["interrupted"]
    Project.open(tmp_path / "busy.wbproj").close()  # the lock was released
