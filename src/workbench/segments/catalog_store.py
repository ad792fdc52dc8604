"""The expensive part of a segment catalog, kept in the project per identity run and data.

Counting event types, finding which sources hold them and the most common values reads
every raw event table (about 0.3-0.7 s at 20 million events); the result only changes
with a new identity run or a changed event source. It is stored in
``segments.catalog_cache`` under the catalog's ``signature`` (run id, event sources with
their import times and row counts, the events' columns, the profile count), so a project
opened again gets it from one row. A read-only project computes it without writing, and
a store that fails (another writer at the same instant) is skipped: the cache is only a
shortcut.
"""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from workbench.project.store import Project, utcnow

TABLE = "segments.catalog_cache"
VERSION = 1
"""Bump when what is stored changes: rows of another version are recomputed."""
KEEP = 8
"""How many stored catalogs (runs x data versions) stay."""


def encode_value(value: object) -> object:
    """A JSON value that :func:`decode_value` turns back into ``value`` (dates tagged)."""
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if value is None or isinstance(value, str | bool | int | float):
        return value
    return {"text": str(value)}


def decode_value(value: object) -> object:
    if isinstance(value, dict):
        if "datetime" in value:
            return dt.datetime.fromisoformat(value["datetime"])
        if "date" in value:
            return dt.date.fromisoformat(value["date"])
        return value.get("text")
    return value


def load(cur: duckdb.DuckDBPyConnection, signature: str) -> dict | None:
    """The stored parts for ``signature``, or None (none stored, or no table yet)."""
    try:
        rows = cur.execute(
            f"SELECT body FROM {TABLE} WHERE signature = ? AND version = ?", [signature, VERSION]
        ).fetchall()
    except duckdb.CatalogException:
        return None
    except duckdb.BinderException:  # a table of another layout: rewritten on store
        return None
    if not rows:
        return None
    try:
        parts = json.loads(rows[0][0])
    except ValueError:
        return None
    return parts if isinstance(parts, dict) else None


def store(project: Project, signature: str, parts: dict) -> None:
    """Keep ``parts`` for ``signature`` (the latest KEEP stay); skipped when read-only."""
    if project.read_only:
        return
    body = json.dumps(parts, sort_keys=True)
    try:
        with project.transaction() as cur:
            cur.execute("CREATE SCHEMA IF NOT EXISTS segments")
            cur.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (signature VARCHAR NOT NULL, "
                "version INTEGER NOT NULL, body VARCHAR NOT NULL, stored_at TIMESTAMP NOT NULL)"
            )
            cur.execute(f"DELETE FROM {TABLE} WHERE signature = ?", [signature])
            cur.execute(
                f"INSERT INTO {TABLE} VALUES (?, ?, ?, ?)", [signature, VERSION, body, utcnow()]
            )
            cur.execute(
                f"DELETE FROM {TABLE} WHERE signature NOT IN "
                f"(SELECT signature FROM {TABLE} ORDER BY stored_at DESC LIMIT ?)",
                [KEEP],
            )
    except duckdb.Error:  # another writer got there first, or a table of another layout
        return
