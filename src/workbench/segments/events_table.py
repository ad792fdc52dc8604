"""A compact copy of the linked events that segment conditions read, filled per event type.

``main.events`` is a view joining each raw event table to ``identity.event_links`` on
text keys; a behaviour condition over it pays for that join (scanning the links and
hashing every key of the source) whatever its window, and then matches text profile ids.
``segments.events`` holds, per linked event, only what most conditions test:

- ``pr``: the row of ``main.profiles`` the event belongs to (conditions then test
  ``p.rowid``, an integer, instead of joining text ids),
- ``t``: the event type's code (see :attr:`EventsTable.codes`), ``ts`` and ``value``.

Rows are added one event type at a time, the first time a segment needs that type (about
1 s per million events), sorted by time, so a type and window read only their own row
groups. What is in the table is recorded per catalog signature (identity run, event
sources, columns, profiles) in ``segments.events_types``; a new run or import starts it
afresh. Each type is added in a transaction of its own: Cancel rolls back that type only.
A read-only project, a condition testing another field (a property, channel or source,
or a sum of another field), one over any event type, and a type being added by another
thread at the time read ``main.events`` instead.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from workbench.project.store import Project, utcnow
from workbench.segments.catalog import Catalog, load_catalog
from workbench.tasks import Cancelled, Task, null_task

TABLE = "segments.events"
TYPES = "segments.events_types"
VERSION = 1
"""Bump when the table's layout or meaning changes: older contents are rebuilt."""
FIELDS = ("ts", "value")
"""Event fields the table holds; conditions testing only these (and the type) read it."""


@dataclass(frozen=True)
class EventsTable:
    """The event types present in ``segments.events``, with the code each is stored as."""

    codes: dict[str, int] = field(default_factory=dict)
    table: str = TABLE

    def holds(self, event_type: str | None) -> bool:
        return event_type is not None and event_type in self.codes


def type_codes(catalog: Catalog) -> dict[str, int]:
    """The code of every event type of the catalog (fixed for its signature)."""
    return {name: i + 1 for i, name in enumerate(sorted(catalog.event_types))}


def usable(project: Project, catalog: Catalog) -> bool:
    """Whether this project can have the table: writable, with events whose time and value
    are the types the table stores (as an identity run makes them)."""
    fields = catalog.event_fields
    return (
        not project.read_only
        and bool(catalog.signature)
        and fields.get("ts") == "TIMESTAMP"
        and fields.get("value") == "DOUBLE"
    )


def find_events_table(project: Project, catalog: Catalog) -> EventsTable | None:
    """The types already in the table for this catalog (no building); None without any."""
    if not usable(project, catalog):
        return None
    cur = project.cursor()
    try:
        ready = _ready(cur, catalog.signature)
    finally:
        cur.close()
    return EventsTable(ready) if ready else None


def ensure_event_types(
    project: Project, catalog: Catalog, event_types: Iterable[str], task: Task | None = None
) -> EventsTable | None:
    """The table with ``event_types`` in it, adding the missing ones now (progress per type;
    Cancel raises after rolling back the type under way). While another thread adds types,
    returns what is there without waiting. None when the project cannot have the table."""
    if not usable(project, catalog):
        return None
    codes = type_codes(catalog)
    wanted = sorted({t for t in event_types if t in codes})
    cur = project.cursor()
    try:
        ready = _ready(cur, catalog.signature)
    finally:
        cur.close()
    missing = [t for t in wanted if t not in ready]
    if not missing:
        return EventsTable(ready) if ready else None
    lock = _lock_for(project)
    if not lock.acquire(blocking=False):  # another job is adding types: do not wait for it
        return EventsTable(ready) if ready else None
    try:
        task = task or null_task()
        if not _profiles_is_table(project):
            return None
        cur = project.cursor()
        try:
            ready = _ready(cur, catalog.signature)
        finally:
            cur.close()
        missing = [t for t in wanted if t not in ready]
        total = sum(catalog.event_types.get(t, 0) for t in missing) or 1
        done = 0
        for event_type in missing:
            task.progress(
                done / total,
                f"Preparing {event_type} events for segments (once per identity run)",
            )
            try:
                _add_type(project, catalog, event_type, codes[event_type], task)
            except duckdb.InterruptException:
                if task.cancelled():
                    raise Cancelled() from None
                raise
            ready[event_type] = codes[event_type]
            done += catalog.event_types.get(event_type, 0)
        task.progress(1.0, "Events ready")
        return EventsTable(ready)
    finally:
        lock.release()


def prepare_all_event_types(project: Project, task: Task | None = None) -> EventsTable | None:
    """Add every event type of the current run to the table: a background job to start
    after a run (or on opening a project), so first counts find their types there. Counts
    meanwhile read main.events rather than wait for it."""
    catalog = load_catalog(project)
    return ensure_event_types(project, catalog, catalog.event_types, task)


def _ready(cur: duckdb.DuckDBPyConnection, signature: str) -> dict[str, int]:
    try:
        rows = cur.execute(
            f"SELECT event_type, code FROM {TYPES} WHERE signature = ? AND version = ?",
            [signature, VERSION],
        ).fetchall()
    except (duckdb.CatalogException, duckdb.BinderException):
        return {}
    return {str(t): int(c) for t, c in rows}


def _profiles_is_table(project: Project) -> bool:
    """Rows are keyed by ``main.profiles``' row ids, which only a table has."""
    cur = project.cursor()
    try:
        rows = cur.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' AND table_name = 'profiles'"
        ).fetchall()
    finally:
        cur.close()
    return bool(rows[0][0])


def _add_type(project: Project, catalog: Catalog, event_type: str, code: int, task: Task) -> None:
    """Insert the linked events of one type, sorted by time, and record it; one transaction.
    Contents of another signature or version are dropped first."""
    started = time.perf_counter()
    sources = catalog.type_sources.get(event_type, ())
    narrow = f" AND e.source IN ({', '.join('?' for _ in sources)})" if sources else ""
    with project.transaction(task) as cur:
        cur.execute("CREATE SCHEMA IF NOT EXISTS segments")
        stale = _stale(cur, catalog.signature)
        if stale:
            cur.execute(f"DROP TABLE IF EXISTS {TABLE}")
            cur.execute(f"DROP TABLE IF EXISTS {TYPES}")
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (pr BIGINT NOT NULL, t USMALLINT NOT NULL, "
            "ts TIMESTAMP, value DOUBLE)"
        )
        cur.execute(
            f"CREATE TABLE IF NOT EXISTS {TYPES} (signature VARCHAR NOT NULL, "
            "version INTEGER NOT NULL, event_type VARCHAR NOT NULL, code USMALLINT NOT NULL, "
            "rows BIGINT NOT NULL, seconds DOUBLE NOT NULL, added_at TIMESTAMP NOT NULL)"
        )
        cur.execute(f"DELETE FROM {TABLE} WHERE t = ?", [code])  # never twice
        cur.execute(
            f"INSERT INTO {TABLE} SELECT p.rowid, ?, e.ts, e.value FROM main.events e "
            "JOIN main.profiles p ON p.profile_id = e.profile_id "
            f"WHERE e.event_type = ?{narrow} AND e.ts IS NOT NULL ORDER BY e.ts",
            [code, event_type, *sources],
        )
        rows = cur.execute(f"SELECT count(*) FROM {TABLE} WHERE t = ?", [code]).fetchall()
        cur.execute(
            f"INSERT INTO {TYPES} VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                catalog.signature,
                VERSION,
                event_type,
                code,
                int(rows[0][0]),
                time.perf_counter() - started,
                utcnow(),
            ],
        )


def _stale(cur: duckdb.DuckDBPyConnection, signature: str) -> bool:
    """Whether the table holds rows recorded under another signature or version (or rows
    of unknown origin: a table without its record). Never raises: it runs inside the
    transaction that adds a type."""
    if not _has_table(cur, "events_types"):
        return _has_table(cur, "events")
    columns = cur.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'segments' AND table_name = 'events_types' "
        "AND column_name IN ('signature', 'version')"
    ).fetchall()
    if columns[0][0] != 2:  # an older layout
        return True
    rows = cur.execute(
        f"SELECT count(*) FROM {TYPES} WHERE signature <> ? OR version <> ?",
        [signature, VERSION],
    ).fetchall()
    return bool(rows[0][0])


def _has_table(cur: duckdb.DuckDBPyConnection, name: str) -> bool:
    rows = cur.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'segments' AND table_name = ?",
        [name],
    ).fetchall()
    return bool(rows[0][0])


_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock_for(project: Project) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(str(project.path), threading.Lock())
