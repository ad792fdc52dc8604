"""Read any supported file into a temporary all-text staging table.

Every reader produces the same shape: a relation with ``__line`` (line or row
in the file, NULL where unknowable), ``__record`` (1-based record number) and
one column per file column, plus the rows it could not parse as rejects.
Typing and role checks happen afterwards, in one place, on this shape.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from workbench.ingest import formats
from workbench.ingest.columns import clean_names
from workbench.ingest.delimited import stage_delimited
from workbench.ingest.dialect import (
    first_line_too_long,
    fixed_width_columns,
    sample_lines,
    sniff_delimiter,
)
from workbench.ingest.encoding import to_utf8
from workbench.ingest.errors import IngestError
from workbench.ingest.options import ReadOptions
from workbench.ingest.sqltext import ident, json_path, literal
from workbench.ingest.staging import (
    MAX_LINE_BYTES,
    STAGE,
    STAGE_REJECTS,
    Staged,
    first_line,
    reason_sql,
)
from workbench.tasks import Task

__all__ = ["STAGE", "STAGE_REJECTS", "Staged", "stage_file"]

_LINE_DELIM = "\x1e\x1f\x1e"  # never in real text: makes read_csv return whole lines


def stage_file(
    cur: duckdb.DuckDBPyConnection,
    path: Path,
    read: ReadOptions,
    workdir: Path,
    task: Task,
    limit: int | None = None,
) -> Staged:
    """Read ``path`` into temp tables on ``cur``; structural rejects go to STAGE_REJECTS."""
    fmt = read.format or formats.detect_format(path)
    if fmt not in formats.FORMATS:
        raise IngestError(f"unknown format '{fmt}'; choose one of {', '.join(formats.FORMATS)}")
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE {STAGE_REJECTS} (line BIGINT, record BIGINT, "
        "column_name VARCHAR, reason VARCHAR, raw VARCHAR)"
    )
    if fmt == formats.PARQUET:
        return _stage_parquet(cur, path, limit)
    if fmt == formats.EXCEL:
        return _stage_excel(cur, path, read, limit)
    text = to_utf8(path, workdir, read.encoding, task.sub(0.0, 0.2))
    notes = []
    if text.transcoded:
        notes.append(f"converted from {text.encoding} to UTF-8")
    if text.mixed_lines:
        shown = ", ".join(map(str, text.mixed_lines[:10]))
        more = "…" if len(text.mixed_lines) > 10 else ""
        notes.append(
            f"{len(text.mixed_lines)} line(s) were not UTF-8 and were read as "
            f"{text.encoding}: line {shown}{more}"
        )
    options: dict[str, object] = {"encoding": text.encoding}
    if fmt in (formats.JSON, formats.NDJSON):
        staged = _stage_json(cur, text.path, fmt, limit, path)
    else:
        staged = _stage_text_table(cur, text.path, read, limit, path, fmt, workdir)
    staged.notes[:0] = notes
    staged.options = {**options, **staged.options}
    return staged


# ----------------------------------------------------------------- delimited
def _stage_text_table(
    cur: duckdb.DuckDBPyConnection,
    path: Path,
    read: ReadOptions,
    limit: int | None,
    shown: Path,
    fmt: str,
    workdir: Path,
) -> Staged:
    if first_line_too_long(path):
        raise IngestError(
            f"{shown}: line 1 is over 1 MB long; a data file starts with a header or a "
            "short record, so this does not look like a table. Is it the file you meant?"
        )
    lines = sample_lines(path)
    if not lines:
        raise IngestError(f"{shown} has no data: it contains only blank lines.")
    if fmt == formats.FIXED_WIDTH:
        return _stage_fixed_width(cur, path, lines, read, limit, shown)
    delimiter = read.delimiter
    if delimiter is None:
        dialect = sniff_delimiter(lines)
        if (dialect is None or dialect.consistency < 0.5) and fixed_width_columns(lines):
            return _stage_fixed_width(cur, path, lines, read, limit, shown)
        delimiter = dialect.delimiter if dialect else ","
    return stage_delimited(cur, path, delimiter, read, limit, shown, workdir)


# --------------------------------------------------------------- line based
def _stage_lines(cur: duckdb.DuckDBPyConnection, path: Path, limit: int | None) -> None:
    """One row per physical line in ``__wb_lines`` (t = text), line = __ln."""
    limit_sql = f" LIMIT {int(limit)}" if limit else ""
    cur.execute("DROP TABLE IF EXISTS __wb_line_errors")
    cur.execute("DROP TABLE IF EXISTS __wb_line_scans")
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE __wb_lines AS SELECT row_number() OVER () AS __ln, t "
        "FROM read_csv("
        f"{literal(str(path))}, columns={{'t': 'VARCHAR'}}, delim={literal(_LINE_DELIM)}, "
        "quote='', escape='', header=false, auto_detect=false, store_rejects=true, "
        "rejects_table='__wb_line_errors', rejects_scan='__wb_line_scans', "
        f"max_line_size={MAX_LINE_BYTES}){limit_sql}"
    )
    cur.execute(
        f"INSERT INTO {STAGE_REJECTS} SELECT line, NULL, NULL, "
        f"{reason_sql()}, left(csv_line, 1000) FROM __wb_line_errors"
    )


def _stage_fixed_width(
    cur: duckdb.DuckDBPyConnection,
    path: Path,
    lines: list[str],
    read: ReadOptions,
    limit: int | None,
    shown: Path,
) -> Staged:
    spans = fixed_width_columns(lines)
    if spans is None:
        raise IngestError(f"{shown}: the columns are not aligned; cannot read it as fixed width.")
    _stage_lines(cur, path, limit)
    header_line = next(line for line in lines if line.strip()).expandtabs(8)
    has_header = read.header if read.header is not None else True
    if has_header:
        originals = [header_line[a:b].strip() for a, b in spans]
    else:
        originals = [f"column_{i}" for i in range(1, len(spans) + 1)]
    names = clean_names(originals)
    cols = ", ".join(
        f"NULLIF(trim(substr(t, {a + 1}, {b - a})), '') AS {ident(n)}"
        for (a, b), n in zip(spans, names, strict=True)
    )
    skip_header = (
        "AND __ln > (SELECT min(__ln) FROM __wb_lines WHERE trim(t) <> '')" if has_header else ""
    )
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT __ln AS __line, "
        f"row_number() OVER (ORDER BY __ln) AS __record, {cols} FROM __wb_lines "
        "WHERE t IS NOT NULL AND trim(t) <> '' "
        "AND NOT regexp_full_match(trim(t), '[-=+| ]+') "
        f"{skip_header}"
    )
    return Staged(
        relation=STAGE,
        columns=names,
        original_names=originals,
        types=dict.fromkeys(names, "VARCHAR"),
        file_format=formats.FIXED_WIDTH,
        options={"columns": [[a, b] for a, b in spans], "header": has_header},
        notes=["read as a whitespace-aligned table"],
    )


# -------------------------------------------------------------------- json
def _stage_json(
    cur: duckdb.DuckDBPyConnection, path: Path, fmt: str, limit: int | None, shown: Path
) -> Staged:
    limit_sql = f" LIMIT {int(limit)}" if limit else ""
    if fmt == formats.NDJSON:
        _stage_lines(cur, path, limit)
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE __wb_json AS SELECT __ln AS __line, __ln AS __rn, t "
            "FROM __wb_lines WHERE t IS NOT NULL AND trim(t) <> ''"
        )
    else:
        try:
            cur.execute(
                "CREATE OR REPLACE TEMP TABLE __wb_json AS SELECT CAST(NULL AS BIGINT) AS __line, "
                "row_number() OVER () AS __rn, json AS t FROM "
                f"read_json_objects({literal(str(path))}, format='array', "
                f"maximum_object_size=67108864){limit_sql}"
            )
        except duckdb.Error as exc:
            raise IngestError(f"{shown}: not valid JSON: {first_line(exc)}") from exc
    cur.execute(
        f"INSERT INTO {STAGE_REJECTS} SELECT __line, __rn, NULL, "
        "CASE WHEN NOT json_valid(t) THEN 'not valid JSON' ELSE 'not a JSON object' END, "
        "left(t, 1000) FROM __wb_json "
        "WHERE NOT json_valid(t) OR json_type(t) <> 'OBJECT'"
    )
    keys = [
        k
        for (k,) in cur.execute(
            "SELECT k FROM (SELECT unnest(json_keys(t)) AS k, __rn AS r FROM __wb_json "
            "WHERE json_valid(t) AND json_type(t) = 'OBJECT') GROUP BY k ORDER BY min(r)"
        ).fetchall()
    ]
    if not keys:
        raise IngestError(f"{shown} holds no JSON objects with fields to import.")
    names = clean_names(keys)
    cols = ", ".join(
        f"json_extract_string(t, {json_path(k)}) AS {ident(n)}"
        for k, n in zip(keys, names, strict=True)
    )
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT __line, __rn AS __record, {cols} "
        "FROM __wb_json WHERE json_valid(t) AND json_type(t) = 'OBJECT'"
    )
    return Staged(
        relation=STAGE,
        columns=names,
        original_names=keys,
        types=dict.fromkeys(names, "VARCHAR"),
        file_format=fmt,
        notes=[],
    )


# ----------------------------------------------------------------- parquet
def _stage_parquet(cur: duckdb.DuckDBPyConnection, path: Path, limit: int | None) -> Staged:
    limit_sql = f" LIMIT {int(limit)}" if limit else ""
    source = f"read_parquet({literal(str(path))})"
    try:
        described = cur.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    except duckdb.Error as exc:
        raise IngestError(f"{path}: not a readable Parquet file: {first_line(exc)}") from exc
    originals = [row[0] for row in described]
    names = clean_names(originals)
    types: dict[str, str] = {}
    exprs = []
    for (orig, raw_type, *_), name in zip(described, names, strict=True):
        dtype = str(raw_type)
        if dtype.endswith("]") or dtype.startswith(("STRUCT", "MAP", "UNION")):
            exprs.append(f"CAST(to_json({ident(orig)}) AS VARCHAR) AS {ident(name)}")
            types[name] = "VARCHAR"
        elif dtype.startswith("TIMESTAMP WITH TIME ZONE"):
            exprs.append(f"CAST(timezone('UTC', {ident(orig)}) AS TIMESTAMP) AS {ident(name)}")
            types[name] = "TIMESTAMP"
        else:
            exprs.append(f"{ident(orig)} AS {ident(name)}")
            types[name] = dtype
    try:
        cur.execute(
            f"CREATE OR REPLACE TEMP VIEW {STAGE} AS SELECT "
            f"CAST(NULL AS BIGINT) AS __line, row_number() OVER () AS __record, "
            f"{', '.join(exprs)} FROM {source}{limit_sql}"
        )
    except duckdb.Error as exc:
        raise IngestError(f"{path}: not a readable Parquet file: {first_line(exc)}") from exc
    return Staged(STAGE, names, originals, types, formats.PARQUET)


# ------------------------------------------------------------------- excel
def _stage_excel(
    cur: duckdb.DuckDBPyConnection, path: Path, read: ReadOptions, limit: int | None
) -> Staged:
    from workbench.ingest.excel import read_sheet  # noqa: PLC0415 - optional heavy reader

    sheet = read_sheet(path, read.sheet, read.header, limit)
    names = clean_names(sheet.header)
    table = sheet.to_arrow(names)
    cur.register("__wb_excel_arrow", table)
    try:
        cur.execute(f"CREATE OR REPLACE TEMP TABLE {STAGE} AS SELECT * FROM __wb_excel_arrow")
    finally:
        cur.unregister("__wb_excel_arrow")
    return Staged(
        relation=STAGE,
        columns=names,
        original_names=sheet.header,
        types=dict.fromkeys(names, "VARCHAR"),
        file_format=formats.EXCEL,
        options={"sheet": sheet.name, "header": sheet.has_header},
        notes=[
            f"sheet '{sheet.name}'"
            + (f" of {len(sheet.all_sheets)}" if len(sheet.all_sheets) > 1 else "")
        ],
    )
