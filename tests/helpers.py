"""Small helpers the tests share: write data files, read back what a project holds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.ingest import ImportOptions, ImportReport, ReadOptions, import_file
from workbench.project import Project
from workbench.project.sources import list_rejects, list_sources


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` exactly as given (no newline translation)."""
    path.write_bytes(text.encode(encoding))
    return path


def csv_text(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


def import_profiles(
    project: Project,
    path: Path,
    roles: dict[str, str] | None = None,
    types: dict[str, str] | None = None,
    name: str | None = None,
    replace: bool = False,
    **read: object,
) -> ImportReport:
    options = ImportOptions(
        kind="profiles",
        name=name,
        roles=roles or {},
        types=types or {},
        replace=replace,
        read=ReadOptions(**read),  # type: ignore[arg-type]
    )
    return import_file(project, path, options)


def import_events(
    project: Project,
    path: Path,
    roles: dict[str, str] | None = None,
    event_type: str | None = None,
    name: str | None = None,
    replace: bool = False,
    **read: object,
) -> ImportReport:
    options = ImportOptions(
        kind="events",
        name=name,
        roles=roles or {},
        event_type=event_type,
        replace=replace,
        read=ReadOptions(**read),  # type: ignore[arg-type]
    )
    return import_file(project, path, options)


def table_rows(project: Project, source: str, columns: str = "*") -> list[tuple]:
    """Rows of a source's raw table in file order."""
    cur = project.cursor()
    try:
        return cur.execute(
            f'SELECT {columns} FROM raw."{source}" ORDER BY _line NULLS LAST, '
            "TRY_CAST(_record_id AS BIGINT), _record_id"
        ).fetchall()
    finally:
        cur.close()


def column_types(project: Project, source: str) -> dict[str, str]:
    cur = project.cursor()
    try:
        rows = cur.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position",
            [source],
        ).fetchall()
    finally:
        cur.close()
    return dict(rows)


def rejects(project: Project, source: str) -> list[tuple[int | None, str | None, str]]:
    """(line, column, reason) of every reject of a source, in line order."""
    return [(r.line, r.column, r.reason) for r in list_rejects(project, source)]


@dataclass(frozen=True)
class Snapshot:
    """Everything an import could change, to prove that a failed one changed nothing."""

    sources: tuple[tuple[str, int, int], ...]
    tables: tuple[tuple[str, str, int], ...]
    rejects: int
    columns: int


def snapshot(project: Project) -> Snapshot:
    cur = project.cursor()
    try:
        tables = []
        for schema, name in cur.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND NOT temporary "
            "ORDER BY schema_name, table_name"
        ).fetchall():
            count = cur.execute(f'SELECT count(*) FROM "{schema}"."{name}"').fetchone()
            tables.append((schema, name, count[0] if count else -1))
        n_rejects = cur.execute("SELECT count(*) FROM meta.rejects").fetchone()
        n_columns = cur.execute("SELECT count(*) FROM meta.source_columns").fetchone()
    finally:
        cur.close()
    sources = tuple((s.name, s.rows, s.rejects) for s in list_sources(project))
    return Snapshot(
        sources,
        tuple(tables),
        n_rejects[0] if n_rejects else -1,
        n_columns[0] if n_columns else -1,
    )
