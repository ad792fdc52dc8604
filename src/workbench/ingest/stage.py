"""Read any supported file into a temporary all-text staging table.

Every reader produces the same shape: a relation with ``__line`` (line or row
in the file, NULL where unknowable), ``__record`` (1-based record number) and
one column per file column, plus the rows it could not parse as rejects.
Typing and role checks happen afterwards, in one place, on this shape.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from workbench.ingest import formats
from workbench.ingest.columns import clean_names
from workbench.ingest.dialect import fixed_width_columns, sample_lines, sniff_delimiter
from workbench.ingest.encoding import to_utf8
from workbench.ingest.errors import IngestError
from workbench.ingest.options import ReadOptions
from workbench.ingest.sqltext import ident, json_path, literal
from workbench.tasks import Task

MAX_LINE_BYTES = 2_000_000
_LINE_DELIM = "\x1e\x1f\x1e"  # never in real text: makes read_csv return whole lines
STAGE = "__wb_stage"
STAGE_REJECTS = "__wb_stage_rejects"
_REASON = (
    "CASE error_type "
    "WHEN 'MISSING COLUMNS' THEN 'too few fields: ' || error_message "
    "WHEN 'TOO MANY COLUMNS' THEN 'too many fields: ' || error_message "
    "WHEN 'UNQUOTED VALUE' THEN 'quote not closed or stray quote: ' || error_message "
    "WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line too long: ' || error_message "
    "WHEN 'INVALID ENCODING' THEN 'invalid characters: ' || error_message "
    "ELSE lower(error_type) || ': ' || error_message END"
)


@dataclass
class Staged:
    """A file read into the connection's temp tables."""

    relation: str
    columns: list[str]
    original_names: list[str]
    types: dict[str, str]
    """DuckDB type per column; VARCHAR columns still need type inference."""
    file_format: str
    options: dict[str, object] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


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
        staged = _stage_text_table(cur, text.path, read, limit, path, fmt)
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
) -> Staged:
    lines = sample_lines(path)
    if not lines:
        raise IngestError(f"{shown} has no data: it contains only blank lines.")
    if fmt == formats.FIXED_WIDTH:
        return _stage_fixed_width(cur, path, lines, read, limit, shown)
    delimiter = read.delimiter
    if delimiter is None:
        dialect = sniff_delimiter(lines)
        if dialect is None or dialect.consistency < 0.5:
            if fixed_width_columns(lines) is not None:
                return _stage_fixed_width(cur, path, lines, read, limit, shown)
            if len(lines[0]) >= MAX_LINE_BYTES:
                raise IngestError(
                    f"{shown}: line 1 is {len(lines[0]) / 1e6:.1f} MB long with no delimiter; "
                    "it does not look like a delimited text file."
                )
            if dialect is None:
                delimiter = ","
        else:
            delimiter = dialect.delimiter
        delimiter = delimiter or (dialect.delimiter if dialect else ",")
    return _stage_delimited(cur, path, delimiter, read, limit, shown)


def _sniff(cur: duckdb.DuckDBPyConnection, path: Path, delimiter: str, read: ReadOptions) -> dict:
    args = [literal(str(path)), f"delim={literal(delimiter)}", f"max_line_size={MAX_LINE_BYTES}"]
    if read.quote is not None:
        args.append(f"quote={literal(read.quote)}")
    if read.header is not None:
        args.append(f"header={'true' if read.header else 'false'}")
    if read.skip is not None:
        args.append(f"skip={int(read.skip)}")
    try:
        row = cur.execute(
            "SELECT Quote, Escape, NewLineDelimiter, SkipRows, HasHeader, Columns "
            f"FROM sniff_csv({', '.join(args)}, ignore_errors=true)"
        ).fetchone()
    except duckdb.Error as exc:
        raise IngestError(f"{path.name}: could not work out the layout: {_first(exc)}") from exc
    assert row is not None
    quote, escape, newline, skip, header, columns = row
    return {
        "quote": "" if quote == "(empty)" else quote,
        "escape": "" if escape == "(empty)" else escape,
        "newline": newline,
        "skip": int(skip),
        "header": bool(header),
        "ncols": len(columns),
    }


def _header_names(path: Path, delimiter: str, quote: str, skip: int) -> list[str]:
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
        for _ in range(skip):
            fh.readline()
        first = fh.readline()
    reader = csv.reader(
        io.StringIO(first),
        delimiter=delimiter,
        quotechar=quote or '"',
        quoting=csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE,
    )
    return next(reader, [])


def _stage_delimited(
    cur: duckdb.DuckDBPyConnection,
    path: Path,
    delimiter: str,
    read: ReadOptions,
    limit: int | None,
    shown: Path,
) -> Staged:
    sniffed = _sniff(cur, path, delimiter, read)
    header = sniffed["header"] if read.header is None else read.header
    skip = sniffed["skip"] if read.skip is None else read.skip
    quote = sniffed["quote"] if read.quote is None else read.quote
    if header:
        originals = _header_names(path, delimiter, quote, skip)
    else:
        originals = [f"column_{i}" for i in range(1, sniffed["ncols"] + 1)]
    if not originals:
        raise IngestError(f"{shown} has no header line to read column names from.")
    names = clean_names(originals)
    columns = "{" + ", ".join(f"{literal(n)}: 'VARCHAR'" for n in names) + "}"
    args = [
        literal(str(path)),
        f"delim={literal(delimiter)}",
        f"quote={literal(quote)}",
        f"escape={literal(sniffed['escape'])}",
        f"header={'true' if header else 'false'}",
        f"skip={skip}",
        f"columns={columns}",
        "auto_detect=false",
        "store_rejects=true",
        "rejects_table='__wb_csv_errors'",
        "rejects_scan='__wb_csv_scans'",
        f"max_line_size={MAX_LINE_BYTES}",
    ]
    limit_sql = f" LIMIT {int(limit)}" if limit else ""
    cur.execute("DROP TABLE IF EXISTS __wb_csv_errors")
    cur.execute("DROP TABLE IF EXISTS __wb_csv_scans")
    try:
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE {STAGE}_0 AS "
            f"SELECT row_number() OVER () AS __rn, * FROM read_csv({', '.join(args)}){limit_sql}"
        )
    except duckdb.Error as exc:
        raise IngestError(f"{shown}: could not read the file: {_first(exc)}") from exc
    cur.execute(
        f"INSERT INTO {STAGE_REJECTS} SELECT line, NULL, column_name, "
        f"{_REASON}, csv_line FROM __wb_csv_errors "
        "QUALIFY row_number() OVER (PARTITION BY line ORDER BY column_idx) = 1"
    )
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE __wb_gaps AS SELECT g, max(j) AS cnt FROM ("
        f"SELECT line - {skip + int(header)} - row_number() OVER (ORDER BY line) AS g, "
        "row_number() OVER (ORDER BY line) AS j FROM "
        "(SELECT DISTINCT line FROM __wb_csv_errors WHERE line IS NOT NULL)) GROUP BY g"
    )
    line_sql = _line_expression(cur, path, skip + int(header), limit)
    data = ", ".join(f"s.{ident(n)}" for n in names)
    has_gaps = cur.execute("SELECT count(*) FROM __wb_gaps").fetchone()[0] > 0
    join = " ASOF LEFT JOIN __wb_gaps g ON s.__rn > g.g" if has_gaps else ""
    if not has_gaps:
        line_sql = line_sql.replace(" + coalesce(g.cnt, 0)", "")
    relation = f"(SELECT {line_sql} AS __line, s.__rn AS __record, {data} FROM {STAGE}_0 s{join})"
    notes = []
    if list(names) != [" ".join(str(o).split()) for o in originals]:
        renamed = [f"'{o}' → '{n}'" for o, n in zip(originals, names, strict=True) if o != n]
        notes.append("renamed blank or duplicate columns: " + ", ".join(renamed))
    return Staged(
        relation=relation,
        columns=names,
        original_names=[str(o) for o in originals],
        types=dict.fromkeys(names, "VARCHAR"),
        file_format=formats.DELIMITED,
        options={
            "delimiter": delimiter,
            "quote": quote,
            "header": header,
            "skip": skip,
        },
        notes=notes,
    )


def _line_expression(
    cur: duckdb.DuckDBPyConnection, path: Path, base: int, limit: int | None
) -> str:
    """SQL for each record's line number, or NULL when records span several lines.

    Good record k sits on line base + k + (rejected lines before it); that only
    holds when every record is one line, which we confirm by counting lines.
    """
    good = cur.execute(f"SELECT count(*) FROM {STAGE}_0").fetchone()[0]
    bad = cur.execute(
        "SELECT count(DISTINCT line) FROM __wb_csv_errors WHERE line IS NOT NULL"
    ).fetchone()[0]
    expr = f"{base} + s.__rn + coalesce(g.cnt, 0)"
    if limit:
        return expr
    if base + good + bad == _count_lines(path):
        return expr
    return "CAST(NULL AS BIGINT)"


def _count_lines(path: Path) -> int:
    """Non-blank-terminated line count, as a text editor would number them."""
    count = 0
    last = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (0 if last == b"\n" else 1)


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
        f"{_REASON}, left(csv_line, 1000) FROM __wb_line_errors"
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
            raise IngestError(f"{shown}: not valid JSON: {_first(exc)}") from exc
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
        raise IngestError(f"{path}: not a readable Parquet file: {_first(exc)}") from exc
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
        raise IngestError(f"{path}: not a readable Parquet file: {_first(exc)}") from exc
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


def _first(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
