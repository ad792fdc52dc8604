"""Export a segment's members with their golden attributes to CSV or Parquet.

The file is written next to its destination under a temporary name and renamed into
place only when complete, so a failure or a Cancel leaves no half-written export (and an
older file of the same name untouched). CSV text cells that a spreadsheet would read as a
formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) get a leading
apostrophe, the same guard as the identity cluster export.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

from workbench.ingest.sqltext import formula_safe, ident, literal
from workbench.project.store import Project
from workbench.segments.errors import SegmentError
from workbench.segments.evaluate import segment_sql
from workbench.segments.members import (
    BOOKKEEPING,
    members_frame,
    profile_columns,
    query_cursor,
)
from workbench.segments.model import Segment
from workbench.tasks import Task, null_task

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
_TEXT = ("VARCHAR",)


def export_members(
    project: Project,
    segment: Segment,
    out: Path,
    as_of: dt.datetime | None = None,
    task: Task | None = None,
) -> int:
    """Write profile_id and the golden attributes of every member to ``out``; rows written.

    The format follows the extension: ``.csv`` or ``.parquet``. Members are ordered by
    profile id, so the same data gives the same file.
    """
    task = task or null_task()
    out = Path(out)
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise SegmentError(
            f"{out}: export to a .csv or .parquet file (not '{out.suffix or 'no extension'}')"
        )
    if not out.parent.is_dir():
        raise SegmentError(f"{out}: folder {out.parent} does not exist")
    if out.is_dir():
        raise SegmentError(f"{out} is a folder; give a file name")
    task.progress(0.0, f"Finding the members of {segment.name}")
    compiled = segment_sql(project, segment, as_of, task.sub(0.0, 0.1))
    partial = out.with_name(f".{out.name}.{uuid.uuid4().hex[:8]}.partial")
    try:
        with query_cursor(project, task) as cur:
            columns = profile_columns(cur)
            chosen = ["profile_id"] + [c for c in columns if c not in BOOKKEEPING]
            select = ", ".join(
                _safe(c) if fmt == "csv" and columns[c] in _TEXT else ident(c) for c in chosen
            )
            options = "FORMAT CSV, HEADER, DELIMITER ','" if fmt == "csv" else "FORMAT PARQUET"
            task.progress(0.1, f"Writing {out.name}")
            rows = cur.execute(
                f"COPY (SELECT {select} FROM {members_frame(compiled)} ORDER BY p.profile_id) "
                f"TO {literal(str(partial))} ({options})",
                compiled.params,
            ).fetchone()[0]
        task.check()
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    task.progress(1.0, f"Exported {rows:,} members")
    return int(rows)


def _safe(column: str) -> str:
    """A text column with a leading apostrophe where a spreadsheet would see a formula."""
    col = ident(column)
    return f"{formula_safe(col)} AS {col}"
