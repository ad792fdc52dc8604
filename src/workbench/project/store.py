"""Create, open, lock, validate and migrate project files.

A project is a single DuckDB file. DuckDB itself holds an exclusive lock on the
file while a process has it open, which is how a second process is refused.
Every check runs on a read-only connection first, so a file that turns out not
to be a project, to be newer, or to be damaged is never written to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import threading
import time
import uuid
import weakref
from collections.abc import Iterator
from pathlib import Path

import duckdb

from workbench import __version__
from workbench.project import schema
from workbench.project.errors import (
    NotAProjectError,
    ProjectDamagedError,
    ProjectError,
    ProjectLockedError,
    ProjectNewerError,
)
from workbench.tasks import Task, interrupting

PROJECT_SUFFIX = ".wbproj"
_DUCKDB_MAGIC = b"DUCK"
_MAGIC_OFFSET = 8


def utcnow() -> dt.datetime:
    """Naive UTC timestamp, the form the project stores."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Project:
    """An open project file. Use :meth:`create` or :meth:`open`, then :meth:`close`."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, read_only: bool) -> None:
        self.path = path
        self._con = con
        # DuckDB would use 80% of RAM; a laptop app shares the machine, so cap it
        # and let big jobs spill to disk (WORKBENCH_MEMORY_LIMIT overrides).
        con.execute(f"SET memory_limit = '{_memory_limit()}'")
        self.read_only = read_only
        self._lock = threading.Lock()
        self._closed = False
        self._cursors: weakref.WeakSet[duckdb.DuckDBPyConnection] = weakref.WeakSet()
        """Cursors handed out and not yet collected: close() interrupts their queries."""

    # ----------------------------------------------------------------- lifecycle
    @classmethod
    def create(cls, path: str | Path, name: str | None = None) -> Project:
        """Create a new, empty project; refuses to overwrite an existing file."""
        path = Path(path)
        if path.exists():
            raise ProjectError(f"{path} already exists; choose another name or remove it first.")
        if not path.parent.exists():
            raise ProjectError(f"Folder {path.parent} does not exist.")
        wal = _wal_path(path)
        if wal.exists():
            raise ProjectError(f"{wal} is left over from another database; remove it first.")
        try:
            con = duckdb.connect(str(path))
        except duckdb.Error as exc:
            raise ProjectError(f"Could not create {path}: {exc}") from exc
        try:
            con.execute("BEGIN")
            schema.create_all(con)
            now = utcnow().isoformat(timespec="seconds")
            info = {
                "format_version": str(schema.FORMAT_VERSION),
                "created_by": __version__,
                "written_by": __version__,
                "created_at": now,
                "project_id": str(uuid.uuid4()),
                "name": name or path.stem,
            }
            con.executemany("INSERT INTO meta.project VALUES (?, ?)", list(info.items()))
            con.execute("COMMIT")
            con.execute("CHECKPOINT")
        except BaseException:
            con.close()
            path.unlink(missing_ok=True)
            wal.unlink(missing_ok=True)
            raise
        return cls(path, con, read_only=False)

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> Project:
        """Open an existing project after checking it is one we can use."""
        path = Path(path)
        _check_file(path)
        version = _inspect(path)
        if version > schema.FORMAT_VERSION:
            raise ProjectNewerError(
                f"{path} uses project format {version}, written by a newer Workbench; "
                f"this Workbench {__version__} reads formats up to {schema.FORMAT_VERSION}. "
                "Upgrade Workbench to open it."
            )
        if read_only and version < schema.FORMAT_VERSION:
            raise ProjectError(
                f"{path} uses the older project format {version}; open it writable once "
                "to migrate it."
            )
        con = _connect(path, read_only=read_only)
        project = cls(path, con, read_only=read_only)
        try:
            if version < schema.FORMAT_VERSION:
                project._migrate(version)
            elif not read_only:
                project._set_info("written_by", __version__)
        except BaseException:
            con.close()  # release the file: the failed migration was rolled back
            raise
        return project

    def close(self) -> None:
        """Checkpoint (so the file can be copied alone) and release the lock."""
        if self._closed:
            return
        self._closed = True
        with self._lock:  # not while another thread takes a cursor from it
            with contextlib.suppress(duckdb.Error):
                if not self.read_only:
                    self._con.execute("CHECKPOINT")
            # DuckDB refuses to close while a cursor's query runs: stop those first
            # (their jobs see an interrupted query and roll back).
            for attempt in range(100):
                try:
                    self._con.close()
                    return
                except duckdb.Error:
                    if attempt == 99:
                        raise
                for cur in list(self._cursors):
                    with contextlib.suppress(duckdb.Error):
                        cur.interrupt()
                time.sleep(0.02)

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --------------------------------------------------------------- connections
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection of its own for the calling thread (DuckDB cursors are not shared)."""
        if self._closed:
            raise ProjectError(f"{self.path} is closed.")
        with self._lock:
            cur = self._con.cursor()
            self._cursors.add(cur)
            return cur

    @contextlib.contextmanager
    def transaction(self, task: Task | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """One all-or-nothing unit of work; cancel interrupts the running query."""
        if self.read_only:
            raise ProjectError(f"{self.path} is open read-only.")
        cur = self.cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            try:
                # Interrupts stop before COMMIT / ROLLBACK, which must not be cut short.
                with interrupting(task, cur.interrupt):
                    yield cur if task is None else _CheckedCursor(cur, task)  # type: ignore[misc]
                    if task is not None:
                        task.check()
                cur.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(duckdb.Error):
                    cur.execute("ROLLBACK")
                raise
        finally:
            cur.close()

    # ---------------------------------------------------------------- project info
    def info(self) -> dict[str, str]:
        cur = self.cursor()
        try:
            return dict(cur.execute("SELECT key, value FROM meta.project").fetchall())
        finally:
            cur.close()

    @property
    def name(self) -> str:
        return self.info().get("name", self.path.stem)

    @property
    def format_version(self) -> int:
        return int(self.info()["format_version"])

    def file_size(self) -> int:
        """Bytes on disk, including the write-ahead log."""
        wal = _wal_path(self.path)
        return self.path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)

    def _set_info(self, key: str, value: str) -> None:
        with self.transaction() as cur:
            cur.execute(
                "INSERT OR REPLACE INTO meta.project VALUES (?, ?)",
                [key, value],
            )

    def _migrate(self, version: int) -> None:
        """Upgrade step by step, all in one transaction: a failure leaves the old file."""
        with self.transaction() as cur:
            for step in range(version, schema.FORMAT_VERSION):
                migration = schema.MIGRATIONS.get(step)
                if migration is None:
                    raise ProjectError(
                        f"{self.path}: no migration from project format {step}; "
                        "this file cannot be upgraded."
                    )
                migration(cur)
            cur.execute(
                "INSERT OR REPLACE INTO meta.project VALUES ('format_version', ?), "
                "('written_by', ?)",
                [str(schema.FORMAT_VERSION), __version__],
            )


# ------------------------------------------------------------------- helpers
DEFAULT_MEMORY_LIMIT = "1500MB"


def _memory_limit() -> str:
    value = os.environ.get("WORKBENCH_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT).strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", value, re.IGNORECASE):
        raise ProjectError(
            f"WORKBENCH_MEMORY_LIMIT={value!r} is not a size such as '1GB' or '512MB'."
        )
    return value


class _CheckedCursor:
    """A cursor that checks for cancel before every statement.

    DuckDB's interrupt only stops a query that is running; a cancel that lands
    between two statements is caught here, before the next one starts.
    """

    def __init__(self, cur: duckdb.DuckDBPyConnection, task: Task) -> None:
        self._cur = cur
        self._task = task

    def execute(self, *args: object, **kwargs: object) -> duckdb.DuckDBPyConnection:
        self._task.check()
        return self._cur.execute(*args, **kwargs)  # type: ignore[arg-type]

    def executemany(self, *args: object, **kwargs: object) -> duckdb.DuckDBPyConnection:
        self._task.check()
        return self._cur.executemany(*args, **kwargs)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self._cur, name)


def _wal_path(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _check_file(path: Path) -> None:
    """Refuse missing files and files that are not DuckDB databases, before DuckDB sees them."""
    if not path.exists():
        raise ProjectError(f"No project at {path}.")
    if path.is_dir():
        raise NotAProjectError(f"{path} is a folder, not a project file.")
    with path.open("rb") as fh:
        head = fh.read(64)
    if len(head) < _MAGIC_OFFSET + len(_DUCKDB_MAGIC):
        raise NotAProjectError(f"{path} is not a Workbench project (the file is empty or tiny).")
    if head[_MAGIC_OFFSET : _MAGIC_OFFSET + 4] != _DUCKDB_MAGIC:
        raise NotAProjectError(
            f"{path} is not a Workbench project: it is not a DuckDB database "
            f"({_describe_content(head)})."
        )


def _describe_content(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "it looks like a zip or Excel file"
    if head.startswith(b"PAR1"):
        return "it looks like a Parquet file"
    if head.startswith(b"SQLite format 3"):
        return "it looks like an SQLite database"
    if all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        return "it looks like a text file"
    return "unrecognised binary content"


_LOCK_PID = re.compile(r"PID (\d+)")


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            pid = _LOCK_PID.search(text)
            who = f" (process {pid.group(1)})" if pid else ""
            raise ProjectLockedError(
                f"{path} is open in another program{who}. Close it there first, "
                "or open a copy of the file."
            ) from exc
        raise ProjectDamagedError(f"{path} could not be opened: {_first_line(text)}") from exc
    except duckdb.ConnectionException as exc:
        if "same database file" not in str(exc):
            raise ProjectDamagedError(
                f"{path} could not be opened: {_first_line(str(exc))}"
            ) from exc
        raise ProjectLockedError(
            f"{path} is already open in this Workbench; close it before opening it again."
        ) from exc
    except duckdb.Error as exc:
        text = str(exc)
        if "newer" in text.lower() or "version" in text.lower():
            raise ProjectNewerError(
                f"{path} was written by a newer storage version than this Workbench reads: "
                f"{_first_line(text)}"
            ) from exc
        raise ProjectDamagedError(
            f"{path} is damaged and could not be opened: {_first_line(text)}"
        ) from exc


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"


def _inspect(path: Path) -> int:
    """Read the format version on a read-only connection, classifying every failure."""
    con = _connect(path, read_only=True)
    try:
        tables = {
            (s, t)
            for s, t in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = "
                "current_database()"
            ).fetchall()
        }
        if ("meta", "project") not in tables:
            raise NotAProjectError(
                f"{path} is a DuckDB database but not a Workbench project (no meta.project table)."
            )
        row = con.execute("SELECT value FROM meta.project WHERE key = 'format_version'").fetchone()
        if row is None or not str(row[0]).isdigit():
            raise ProjectDamagedError(f"{path} has no valid format version in meta.project.")
        # Touch every table so damaged blocks surface now, not mid-import: the
        # (small) meta tables value by value, the others by their row counts.
        for schema_name, table in sorted(tables):
            every = ", max(length(CAST(COLUMNS(*) AS VARCHAR)))" if schema_name == "meta" else ""
            con.execute(f'SELECT count(*){every} FROM "{schema_name}"."{table}"').fetchall()
        return int(row[0])
    except duckdb.Error as exc:
        raise ProjectDamagedError(
            f"{path} is damaged and could not be read: {_first_line(str(exc))}"
        ) from exc
    finally:
        con.close()
