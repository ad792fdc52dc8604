"""What segments can refer to: the profile fields, event fields and event types in the data.

The compiler checks every field and event type of a definition against a :class:`Catalog`,
and the builder's pickers list what it holds. Event types are counted on the raw event
tables (``main.events`` is a view joining them to identity links, which is slower to scan
whole); what that costs is stored in the project per identity run and event data
(:mod:`workbench.segments.catalog_store`), and a loaded catalog is kept in memory too, so
only the first load after a run or an import reads the events.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field
from typing import Literal

import duckdb

from workbench.identity.store import current_run
from workbench.ingest.sqltext import ident
from workbench.project.store import Project
from workbench.segments import catalog_store, member_order
from workbench.segments.errors import SegmentError

CORE_EVENT_FIELDS = ("source", "ts", "value", "channel")
"""Fields every event has (``value`` and ``channel`` may be empty for some sources)."""
LINK_ROLES = ("customer_id", "email", "device_id", "cookie_id", "phone", "national_id")
"""Key roles through which an event source's rows link to profiles (see identity/profiles)."""
MODE_FIELDS = ("country", "category")
"""Fields whose most common value templates use (international, category affinity)."""
_CACHE_SIZE = 8


@dataclass(frozen=True)
class Catalog:
    """Fields and event types of the current unified profiles and events."""

    profile_fields: dict[str, str]
    """Column of ``main.profiles`` -> DuckDB type."""
    event_fields: dict[str, str]
    """Column of ``main.events`` (not profile_id or event_type) -> DuckDB type."""
    event_types: dict[str, int]
    """Event type -> number of events (linked or not), most common first."""
    profiles: int
    latest_event: dt.datetime | None
    run_id: str = ""
    type_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Event type -> the event sources holding it (lets a query skip the other sources)."""
    type_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Event type -> the event fields its events can have a value in."""
    modes: dict[str, object] = field(default_factory=dict)
    """Most common value of a few fields (see MODE_FIELDS), for templates."""
    signature: str = ""
    """What the catalog was read from (run, event sources, columns, profile count): a
    cache of anything derived from the profiles and events is valid under the same one."""

    def fields_of(self, event_type: str | None) -> dict[str, str]:
        """Event fields an event of ``event_type`` (None: any type) can hold."""
        if event_type is None or event_type not in self.type_fields:
            return dict(self.event_fields)
        names = self.type_fields[event_type]
        return {n: t for n, t in self.event_fields.items() if n in names}


_cache: dict[tuple, Catalog] = {}
_cache_lock = threading.Lock()


def load_catalog(project: Project) -> Catalog:
    """The catalog of the current identity run; raises when there is none yet.

    Kept in memory per project and signature; the event part is read from the project's
    stored copy when there is one (and stored after computing it, unless read-only)."""
    cur = project.cursor()
    try:
        columns = _main_columns(cur)
        profile_fields = columns.get("profiles", {})
        run_id = _current_run(cur, profile_fields)
        event_columns = columns.get("events", {})
        profiles = int(cur.execute("SELECT count(*) FROM main.profiles").fetchall()[0][0])
        signature = json.dumps(
            [run_id, _sources_signature(cur), list(event_columns.items()), profiles], default=str
        )
        key = (str(project.path), signature)
        with _cache_lock:
            cached = _cache.get(key)
        if cached is not None:
            return cached
        parts = catalog_store.load(cur, signature)
        fresh = parts is None
        if parts is None:
            parts = _event_parts(cur, profile_fields, event_columns)
    finally:
        cur.close()
    if fresh:
        catalog_store.store(project, signature, parts)
    catalog = _from_parts(parts, profile_fields, event_columns, profiles, run_id, signature)
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[key] = catalog
    return catalog


def _current_run(cur: duckdb.DuckDBPyConnection, profile_fields: dict[str, str]) -> str:
    """The current run's id; raises without one (or without a profiles table)."""
    try:
        run_id = current_run(cur)
    except duckdb.Error:
        run_id = None
    if run_id is None or not profile_fields:
        raise SegmentError(
            "this project has no unified profiles yet: resolve identities first "
            "(workbench resolve PROJECT --auto)"
        )
    return run_id


def _sources_signature(cur: duckdb.DuckDBPyConnection) -> tuple:
    return tuple(
        cur.execute(
            "SELECT name, imported_at, rows FROM meta.sources WHERE kind = 'events' ORDER BY name"
        ).fetchall()
    )


def _main_columns(cur: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Column name -> DuckDB type of ``main.profiles`` and ``main.events``, in order (one
    catalog query: a load runs on every count)."""
    rows = cur.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' "
        "AND table_name IN ('profiles', 'events') ORDER BY table_name, column_index"
    ).fetchall()
    out: dict[str, dict[str, str]] = {}
    for table, column, kind in rows:
        out.setdefault(table, {})[column] = kind
    return out


@dataclass
class _SourceTypes:
    types: dict[str, int]
    latest: dt.datetime | None
    properties: list[str]


def _event_source_types(cur: duckdb.DuckDBPyConnection) -> dict[str, _SourceTypes]:
    """Event types (with counts) and properties of every event source in ``main.events``."""
    sources = cur.execute(
        "SELECT name, table_name, event_type FROM meta.sources WHERE kind = 'events' ORDER BY name"
    ).fetchall()
    out: dict[str, _SourceTypes] = {}
    for name, table, constant_type in sources:
        roles: dict[str, list[str]] = {}
        for column, role in cur.execute(
            "SELECT name, role FROM meta.source_columns WHERE source = ? ORDER BY position",
            [name],
        ).fetchall():
            roles.setdefault(role, []).append(column)
        if not any(r in roles for r in LINK_ROLES) or "timestamp" not in roles:
            continue  # not part of main.events
        schema, _, bare = table.partition(".")
        table_sql = f"{ident(schema)}.{ident(bare)}"
        ts = f"CAST({ident(roles['timestamp'][0])} AS TIMESTAMP)"
        if "event_type" in roles:
            kind = f"CAST({ident(roles['event_type'][0])} AS VARCHAR)"
            rows = cur.execute(
                f"SELECT {kind}, count(*), max({ts}) FROM {table_sql} GROUP BY 1"
            ).fetchall()
        else:
            count, latest = cur.execute(f"SELECT count(*), max({ts}) FROM {table_sql}").fetchone()
            rows = [(constant_type or "event", count, latest)] if count else []
        latest_values = [r[2] for r in rows if r[2] is not None]
        out[name] = _SourceTypes(
            types={r[0]: int(r[1]) for r in rows if r[0] is not None},
            latest=max(latest_values) if latest_values else None,
            properties=[
                c
                for c in roles.get("property", [])
                if c.lower() not in {*CORE_EVENT_FIELDS, "profile_id", "event_type"}
            ],
        )
    return out


def _event_parts(
    cur: duckdb.DuckDBPyConnection, profile_fields: dict[str, str], event_columns: dict[str, str]
) -> dict:
    """What reading the events gives (types, counts, sources, fields, latest, modes), as
    JSON-ready values for the project's stored copy."""
    event_fields = {n: t for n, t in event_columns.items() if n not in ("profile_id", "event_type")}
    by_source: dict[str, _SourceTypes] = {}
    if event_columns:  # no view: an event source changed since the run
        try:
            by_source = _event_source_types(cur)
        except duckdb.Error:  # a raw table gone since the run: fall back to the view itself
            by_source = {}
    counts: dict[str, int] = {}
    type_sources: dict[str, list[str]] = {}
    type_fields: dict[str, set[str]] = {}
    for source, info in by_source.items():
        for event_type, n in info.types.items():
            counts[event_type] = counts.get(event_type, 0) + n
            type_sources.setdefault(event_type, []).append(source)
            type_fields.setdefault(event_type, set(CORE_EVENT_FIELDS)).update(info.properties)
    latest_values = [i.latest for i in by_source.values() if i.latest is not None]
    latest = max(latest_values) if latest_values else None
    if not by_source and event_columns:
        counts = dict(
            cur.execute(
                "SELECT event_type, count(*) FROM main.events WHERE event_type IS NOT NULL "
                "GROUP BY 1"
            ).fetchall()
        )
        latest = cur.execute("SELECT max(ts) FROM main.events").fetchall()[0][0]
        type_sources, type_fields = {}, {}
    modes = _modes(cur, profile_fields, by_source)
    return {
        "event_types": [
            [t, int(n)] for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "latest_event": catalog_store.encode_value(latest),
        "type_sources": {t: sorted(s) for t, s in type_sources.items()},
        "type_fields": {
            t: [n for n in event_fields if n in f] for t, f in sorted(type_fields.items())
        },
        "modes": {name: catalog_store.encode_value(v) for name, v in modes.items()},
    }


def _from_parts(
    parts: dict,
    profile_fields: dict[str, str],
    event_columns: dict[str, str],
    profiles: int,
    run_id: str,
    signature: str,
) -> Catalog:
    latest = catalog_store.decode_value(parts.get("latest_event"))
    return Catalog(
        profile_fields=profile_fields,
        event_fields={
            n: t for n, t in event_columns.items() if n not in ("profile_id", "event_type")
        },
        event_types={str(t): int(n) for t, n in parts.get("event_types", [])},
        profiles=profiles,
        latest_event=latest if isinstance(latest, dt.datetime) else None,
        run_id=run_id,
        type_sources={t: tuple(s) for t, s in parts.get("type_sources", {}).items()},
        type_fields={t: tuple(f) for t, f in parts.get("type_fields", {}).items()},
        modes={k: catalog_store.decode_value(v) for k, v in parts.get("modes", {}).items()},
        signature=signature,
    )


def _modes(
    cur: duckdb.DuckDBPyConnection, profile_fields: dict[str, str], by_source: dict
) -> dict[str, object]:
    """The most common value of each MODE_FIELDS field (profiles first, then raw events)."""
    modes: dict[str, object] = {}
    for name in MODE_FIELDS:
        if name in profile_fields:
            row = cur.execute(
                f"SELECT {ident(name)} FROM main.profiles WHERE {ident(name)} IS NOT NULL "
                f"GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
            ).fetchone()
            if row is not None:
                modes[name] = row[0]
            continue
        tables = [
            t
            for s, t in cur.execute(
                "SELECT name, table_name FROM meta.sources WHERE kind = 'events'"
            ).fetchall()
            if s in by_source and name in by_source[s].properties
        ]
        if not tables:
            continue
        union = " UNION ALL ".join(
            f"SELECT CAST({ident(name)} AS VARCHAR) AS v FROM "
            + ".".join(ident(p) for p in t.split(".", 1))
            for t in tables
        )
        row = cur.execute(
            f"SELECT v FROM ({union}) WHERE v IS NOT NULL GROUP BY v "
            "ORDER BY count(*) DESC, v LIMIT 1"
        ).fetchone()
        if row is not None:
            modes[name] = row[0]
    return modes


def clear_cache() -> None:
    """Forget the catalogs loaded in this process, and the member orders kept for paging
    (tests that rebuild a project in place; benchmarks that time a first open).

    What a project stores is kept under the catalog's signature (run id, event sources,
    columns, profile count), so a new identity run or import never reads a stale one."""
    with _cache_lock:
        _cache.clear()
    member_order.clear()


def field_values(
    project: Project,
    table: Literal["profiles", "events"],
    field: str,
    event_type: str | None = None,
    prefix: str = "",
    limit: int = 50,
) -> list[tuple[object, int]]:
    """Distinct values of a field with their counts, most common first (for pickers).

    ``prefix`` narrows to values whose text starts with it, ignoring case."""
    catalog = load_catalog(project)
    known = catalog.profile_fields if table == "profiles" else catalog.event_fields
    if table == "events" and field == "event_type":
        known = {**known, "event_type": "VARCHAR"}
    if field not in known:
        where = "profiles" if table == "profiles" else "events"
        raise SegmentError(f"{where} have no field '{field}' (known: {', '.join(sorted(known))})")
    column = ident(field)
    filters = [f"{column} IS NOT NULL"]
    params: list[object] = []
    if table == "events":
        filters.append("profile_id IS NOT NULL")
        if event_type is not None:
            filters.append("event_type = ?")
            params.append(event_type)
            sources = catalog.type_sources.get(event_type)
            if sources:
                filters.append(f"source IN ({', '.join('?' for _ in sources)})")
                params.extend(sources)
    if prefix:
        filters.append("starts_with(lower(CAST(" + column + " AS VARCHAR)), lower(?))")
        params.append(prefix)
    params.append(max(int(limit), 1))
    cur = project.cursor()
    try:
        rows = cur.execute(
            f"SELECT {column}, count(*) AS n FROM main.{table} WHERE {' AND '.join(filters)} "
            f"GROUP BY 1 ORDER BY n DESC, 1 LIMIT ?",
            params,
        ).fetchall()
    finally:
        cur.close()
    return [(v, int(n)) for v, n in rows]
