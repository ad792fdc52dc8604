"""Imported sources as the project records them: list, look up, remove, rejects."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from workbench.project.errors import ProjectError

if TYPE_CHECKING:
    import duckdb

    from workbench.project.store import Project


@dataclass
class SourceColumn:
    name: str
    original_name: str
    role: str
    type: str


@dataclass
class Source:
    name: str
    kind: str
    table: str
    file: str
    file_format: str
    file_size: int
    rows: int
    rejects: int
    record_key: str | None
    event_type: str | None
    imported_at: dt.datetime
    import_seconds: float
    notes: list[str] = field(default_factory=list)
    columns: list[SourceColumn] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["imported_at"] = self.imported_at.isoformat(timespec="seconds")
        return out

    def roles(self) -> dict[str, str]:
        return {c.name: c.role for c in self.columns}


_SOURCE_COLUMNS = (
    "name, kind, table_name, file_path, file_format, file_size, rows, rejects, record_key, "
    "event_type, imported_at, import_seconds, notes"
)


def list_sources(project: Project) -> list[Source]:
    cur = project.cursor()
    try:
        rows = cur.execute(f"SELECT {_SOURCE_COLUMNS} FROM meta.sources ORDER BY name").fetchall()
        cols = cur.execute(
            "SELECT source, name, original_name, role, type FROM meta.source_columns "
            "ORDER BY source, position"
        ).fetchall()
    finally:
        cur.close()
    by_source: dict[str, list[SourceColumn]] = {}
    for source, *rest in cols:
        by_source.setdefault(source, []).append(SourceColumn(*rest))
    out = []
    for row in rows:
        *head, notes = row
        out.append(Source(*head, notes=json.loads(notes), columns=by_source.get(row[0], [])))
    return out


def get_source(project: Project, name: str) -> Source:
    for source in list_sources(project):
        if source.name == name:
            return source
    raise ProjectError(f"no source named '{name}' in {project.path.name}.")


def source_exists(project: Project, name: str) -> bool:
    cur = project.cursor()
    try:
        return (
            cur.execute("SELECT 1 FROM meta.sources WHERE name = ?", [name]).fetchone() is not None
        )
    finally:
        cur.close()


def find_same_file(
    where: Project | duckdb.DuckDBPyConnection,
    sha256: str,
    sheet: str | None = None,
    exclude: str | None = None,
) -> tuple[str, dt.datetime] | None:
    """The source already imported from a file with identical content, if any.

    ``where`` is the project, or a cursor inside one of its transactions. For a
    workbook, ``sheet`` limits the search to sources read from that sheet;
    ``exclude`` leaves out one source (the one being replaced).
    """
    sql = "SELECT name, imported_at FROM meta.sources WHERE file_sha256 = ?"
    params: list[object] = [sha256]
    if sheet is not None:
        sql += " AND json_extract_string(options, '$.sheet') = ?"
        params.append(sheet)
    if exclude is not None:
        sql += " AND name <> ?"
        params.append(exclude)
    cur = where.cursor()
    try:
        row = cur.execute(sql + " ORDER BY imported_at LIMIT 1", params).fetchone()
    finally:
        cur.close()
    return (row[0], row[1]) if row else None


def drop_views_on(cur: duckdb.DuckDBPyConnection, source: str) -> list[str]:
    """Drop the views that read a source's raw table (``main.events`` after an identity run):
    a view over a removed or re-imported source would fail or show stale columns. They
    come back with the next run."""
    views = cur.execute(
        "SELECT schema_name || '.' || view_name FROM duckdb_views() WHERE NOT internal "
        "AND (contains(sql, ?) OR contains(sql, ?))",
        [f"raw.{source}", f'raw."{source}"'],
    ).fetchall()
    for (view,) in views:
        cur.execute(f"DROP VIEW {view}")
    return [v for (v,) in views]


def remove_source(project: Project, name: str) -> None:
    """Remove a source, its data and its rejects in one transaction."""
    if not source_exists(project, name):
        raise ProjectError(f"no source named '{name}' in {project.path.name}.")
    with project.transaction() as cur:
        cur.execute("DELETE FROM meta.source_columns WHERE source = ?", [name])
        cur.execute("DELETE FROM meta.rejects WHERE source = ?", [name])
        cur.execute("DELETE FROM meta.sources WHERE name = ?", [name])
        drop_views_on(cur, name)
        cur.execute(f'DROP TABLE IF EXISTS raw."{name.replace(chr(34), "")}"')


@dataclass
class Reject:
    file: str
    line: int | None
    record: int | None
    column: str | None
    reason: str
    raw: str | None


def list_rejects(project: Project, name: str, limit: int = 1000) -> list[Reject]:
    cur = project.cursor()
    try:
        rows = cur.execute(
            "SELECT file, line, record, column_name, reason, raw FROM meta.rejects "
            "WHERE source = ? ORDER BY coalesce(line, record) LIMIT ?",
            [name, limit],
        ).fetchall()
    finally:
        cur.close()
    return [Reject(*row) for row in rows]
