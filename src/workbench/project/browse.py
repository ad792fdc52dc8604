"""Read pages of project tables for display, without loading whole tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbench.project.errors import ProjectError

if TYPE_CHECKING:
    from workbench.project.store import Project


@dataclass
class Page:
    columns: list[str]
    types: list[str]
    rows: list[tuple]
    offset: int
    total: int


def source_table(project: Project, source: str) -> str:
    """The quoted raw table of a source, checked against the project's metadata."""
    cur = project.cursor()
    try:
        row = cur.execute("SELECT table_name FROM meta.sources WHERE name = ?", [source]).fetchone()
    finally:
        cur.close()
    if row is None:
        raise ProjectError(f"no source named '{source}'.")
    schema, _, table = row[0].partition(".")
    return f'"{schema}"."{table.replace(chr(34), chr(34) * 2)}"'


def read_page(project: Project, source: str, offset: int = 0, limit: int = 200) -> Page:
    """Rows ``offset .. offset+limit`` of a source's table, in file order (insertion order)."""
    table = source_table(project, source)
    cur = project.cursor()
    try:
        total = cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        rel = cur.execute(
            f"SELECT * FROM {table} LIMIT ? OFFSET ?",
            [int(limit), int(offset)],
        )
        columns = [d[0] for d in rel.description]
        types = [str(d[1]) for d in rel.description]
        rows = rel.fetchall()
    finally:
        cur.close()
    return Page(columns, types, rows, offset, total)
