"""Excel and OpenDocument sheets, read with python-calamine.

DuckDB's excel extension has to be downloaded at run time, which an offline
laptop cannot do; calamine (Rust) is fast and reads xlsx, xlsm, xlsb, xls and
ods without it. Cells come back typed; we turn them into the text a user sees
so the same type inference runs as for CSV.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from python_calamine import CalamineWorkbook

from workbench.ingest.errors import IngestError


@dataclass
class Sheet:
    name: str
    all_sheets: list[str]
    header: list[str]
    has_header: bool
    rows: list[list[str | None]]
    lines: list[int]
    """1-based sheet row of each of ``rows``."""

    def to_arrow(self, names: list[str]) -> pa.Table:
        columns: dict[str, list] = {
            "__line": self.lines,
            "__record": list(range(1, len(self.rows) + 1)),
        }
        for j, name in enumerate(names):
            columns[name] = [row[j] if j < len(row) else None for row in self.rows]
        schema = pa.schema(
            [("__line", pa.int64()), ("__record", pa.int64())] + [(n, pa.string()) for n in names]
        )
        return pa.table(columns, schema=schema)


def cell_text(value: object) -> str | None:
    """The text of a cell as a user would type it (integral floats without '.0')."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    text = str(value).strip()
    return text or None


def read_sheet(path: Path, sheet: str | None, header: bool | None, limit: int | None) -> Sheet:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types
        raise IngestError(f"{path}: not a readable spreadsheet: {exc}") from exc
    names = list(workbook.sheet_names)
    if not names:
        raise IngestError(f"{path}: the workbook has no sheets.")
    if sheet is None:
        chosen = names[0]
    elif sheet in names:
        chosen = sheet
    elif sheet.isdigit() and 1 <= int(sheet) <= len(names):
        chosen = names[int(sheet) - 1]
    else:
        raise IngestError(f"{path}: no sheet '{sheet}'; the sheets are: {', '.join(names)}")
    data = workbook.get_sheet_by_name(chosen).to_python(skip_empty_area=False)
    rows = [[cell_text(v) for v in row] for row in data]
    start = next((i for i, row in enumerate(rows) if any(v is not None for v in row)), None)
    if start is None:
        raise IngestError(f"{path}: sheet '{chosen}' is empty.")
    rows = rows[start:]
    has_header = True if header is None else header
    width = max(len(r) for r in rows)
    if has_header:
        head = [v or "" for v in rows[0]] + [""] * (width - len(rows[0]))
        body = rows[1:]
        first_row = start + 2
    else:
        head = [f"column_{i}" for i in range(1, width + 1)]
        body = rows
        first_row = start + 1
    # Keep line numbers right: blank rows are dropped after numbering.
    numbered = [(first_row + i, r) for i, r in enumerate(body) if any(v is not None for v in r)]
    if limit:
        numbered = numbered[:limit]
    return Sheet(
        chosen, names, head, has_header, [r for _, r in numbered], [n for n, _ in numbered]
    )
