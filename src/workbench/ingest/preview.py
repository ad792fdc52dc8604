"""Look at a file before importing it: first rows, inferred types, suggested roles."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from workbench.ingest.errors import IngestError
from workbench.ingest.options import ImportOptions
from workbench.ingest.plan import ColumnPlan, plan_columns
from workbench.ingest.sqltext import ident
from workbench.ingest.stage import STAGE_REJECTS, stage_file
from workbench.tasks import Task, null_task

PREVIEW_ROWS = 1000


@dataclass
class Preview:
    file: str
    file_format: str
    columns: list[ColumnPlan]
    rows: list[list[str | None]]
    options: dict[str, object]
    notes: list[str] = field(default_factory=list)
    rejects: list[tuple[int | None, str]] = field(default_factory=list)

    def as_dict(self, max_rows: int = 20) -> dict[str, object]:
        return {
            "file": self.file,
            "format": self.file_format,
            "options": self.options,
            "notes": self.notes,
            "columns": [c.as_dict() for c in self.columns],
            "rows": self.rows[:max_rows],
            "rejects": [{"line": line, "reason": reason} for line, reason in self.rejects],
        }


def preview_file(
    path: str | Path,
    options: ImportOptions,
    rows: int = PREVIEW_ROWS,
    task: Task | None = None,
) -> Preview:
    """Read the start of ``path`` without touching any project."""
    task = task or null_task()
    path = Path(path).resolve()
    con = duckdb.connect()
    interrupt = con.interrupt  # one bound method, so it can be removed again
    task.add_interrupter(interrupt)
    try:
        con.execute("SET TimeZone = 'UTC'")
        with tempfile.TemporaryDirectory(prefix="workbench-preview-") as tmp:
            staged = stage_file(con, path, options.read, Path(tmp), task, limit=rows)
            plans = plan_columns(con, staged, options)
            cols = ", ".join(f"CAST({ident(c)} AS VARCHAR)" for c in staged.columns)
            data = con.execute(
                f"SELECT {cols} FROM {staged.relation} ORDER BY __record LIMIT {int(rows)}"
            ).fetchall()
            rejects = con.execute(
                f"SELECT line, reason FROM {STAGE_REJECTS} ORDER BY line LIMIT 100"
            ).fetchall()
    except duckdb.InterruptException as exc:
        raise IngestError("preview cancelled") from exc
    finally:
        task.remove_interrupter(interrupt)
        con.close()
    return Preview(
        file=str(path),
        file_format=staged.file_format,
        columns=plans,
        rows=[list(r) for r in data],
        options=staged.options,
        notes=staged.notes,
        rejects=rejects,
    )
