"""Delimited text (CSV, TSV, semicolon, pipe) read with DuckDB's read_csv.

DuckDB sniffs quotes, header and skipped lines with the delimiter we chose;
rows it cannot parse land in its rejects table and become our rejects, each
with the line it starts on in the file.
"""

from __future__ import annotations

import csv
import io
import re
from array import array
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from workbench.ingest import formats
from workbench.ingest.columns import clean_names
from workbench.ingest.csvlines import count_lines, row_starts
from workbench.ingest.errors import IngestError
from workbench.ingest.options import ReadOptions
from workbench.ingest.sqltext import ident, literal
from workbench.ingest.staging import (
    MAX_LINE_BYTES,
    STAGE,
    STAGE_REJECTS,
    Staged,
    first_line,
    reason_sql,
)

_ERRORS = "__wb_csv_errors"
_SNIFF_SAMPLE_LINES = 5000


def stage_delimited(
    cur: duckdb.DuckDBPyConnection,
    path: Path,
    delimiter: str,
    read: ReadOptions,
    limit: int | None,
    shown: Path,
    workdir: Path,
) -> Staged:
    """Read ``path`` (UTF-8) into ``STAGE_0``; return the staged relation with line numbers."""
    sniffed = _sniff(cur, path, delimiter, read, workdir, shown)
    header = sniffed["header"] if read.header is None else read.header
    skip = sniffed["skip"] if read.skip is None else read.skip
    quote = sniffed["quote"] if read.quote is None else read.quote
    escape = sniffed["escape"]
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
        f"escape={literal(escape)}",
        f"header={'true' if header else 'false'}",
        f"skip={skip}",
        f"columns={columns}",
        "auto_detect=false",
        "store_rejects=true",
        f"rejects_table='{_ERRORS}'",
        "rejects_scan='__wb_csv_scans'",
        f"max_line_size={MAX_LINE_BYTES}",
    ]
    limit_sql = f" LIMIT {int(limit)}" if limit else ""
    cur.execute(f"DROP TABLE IF EXISTS {_ERRORS}")
    cur.execute("DROP TABLE IF EXISTS __wb_csv_scans")
    try:
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE {STAGE}_0 AS "
            f"SELECT row_number() OVER () AS __rn, * FROM read_csv({', '.join(args)}){limit_sql}"
        )
    except duckdb.Error as exc:
        raise IngestError(f"{shown}: could not read the file: {first_line(exc)}") from exc
    line_sql, join = _number_lines(cur, path, skip + int(header), limit, delimiter, quote, escape)
    data = ", ".join(f"s.{ident(n)}" for n in names)
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
        options={"delimiter": delimiter, "quote": quote, "header": header, "skip": skip},
        notes=notes,
    )


# --------------------------------------------------------------------- sniffing
def _sniff(
    cur: duckdb.DuckDBPyConnection,
    path: Path,
    delimiter: str,
    read: ReadOptions,
    workdir: Path,
    shown: Path,
) -> dict:
    """Quote, escape, skipped lines, header and column count, as DuckDB sniffs them.

    A line longer than DuckDB's limit makes the sniffer give up; it then sniffs
    the file's first lines without the over-long ones (they become rejects).
    Sniffing runs on a cursor of its own: a failed statement would abort the
    import's transaction.
    """
    with cur.cursor() as con:
        try:
            found = _sniff_file(con, path, delimiter, read)
        except duckdb.Error as exc:
            sample = _sniff_sample(path, workdir)
            try:
                found = _sniff_file(con, sample, delimiter, read)
            except duckdb.Error:
                raise IngestError(
                    f"{shown}: could not work out the layout: {first_line(exc)}"
                ) from exc
    if read.quote is None and not found["quote"] and _has_quoted_fields(path, delimiter):
        # One quote that never closes makes DuckDB's lenient sniffer drop quoting
        # altogether, which breaks every properly quoted field in the file.
        found["quote"] = found["escape"] = '"'
    return found


def _sniff_file(
    cur: duckdb.DuckDBPyConnection, path: Path, delimiter: str, read: ReadOptions
) -> dict:
    args = [literal(str(path)), f"delim={literal(delimiter)}", f"max_line_size={MAX_LINE_BYTES}"]
    if read.quote is not None:
        args.append(f"quote={literal(read.quote)}")
    if read.header is not None:
        args.append(f"header={'true' if read.header else 'false'}")
    if read.skip is not None:
        args.append(f"skip={int(read.skip)}")
    row = cur.execute(
        "SELECT Quote, Escape, NewLineDelimiter, SkipRows, HasHeader, Columns "
        f"FROM sniff_csv({', '.join(args)}, ignore_errors=true)"
    ).fetchone()
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


def _sniff_sample(path: Path, workdir: Path) -> Path:
    """The file's first lines, leaving out any too long for the sniffer."""
    target = workdir / "sniff-sample.csv"
    kept = 0
    with path.open("rb") as src, target.open("wb") as dst:
        while kept < _SNIFF_SAMPLE_LINES:
            line = src.readline(MAX_LINE_BYTES // 2)
            if not line:
                break
            if not line.endswith(b"\n") and len(line) >= MAX_LINE_BYTES // 2:
                while (rest := src.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass
                continue
            dst.write(line)
            kept += 1
    return target


def _has_quoted_fields(path: Path, delimiter: str) -> bool:
    """Whether any of the first lines has a field that starts with a double quote."""
    starts = re.compile(rf'(^|{re.escape(delimiter)})\s*"')
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
        for _, line in zip(range(_SNIFF_SAMPLE_LINES), fh, strict=False):
            if starts.search(line):
                return True
    return False


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


# ----------------------------------------------------------------- line numbers
def _number_lines(
    cur: duckdb.DuckDBPyConnection,
    path: Path,
    base: int,
    limit: int | None,
    delimiter: str,
    quote: str,
    escape: str,
) -> tuple[str, str]:
    """Record the rejects and return (line SQL, join) for the rows of ``STAGE_0 s``.

    DuckDB numbers rows, counting the header, skipped and blank lines, so when
    every row is one line, good row k sits on line base + k + (rejected lines
    before it). Otherwise (and in a preview, which reads only the first rows)
    the line each row starts on comes from a walk of the file; if even that
    fails the lines are left unknown (NULL), never wrong.
    """
    good = _scalar(cur, f"SELECT count(*) FROM {STAGE}_0")
    bad = _scalar(cur, f"SELECT count(DISTINCT line) FROM {_ERRORS} WHERE line IS NOT NULL")
    reason = reason_sql(delimiter, quote)
    errors = (
        f"(SELECT * FROM {_ERRORS} "
        "QUALIFY row_number() OVER (PARTITION BY line ORDER BY column_idx) = 1)"
    )
    if not limit and base + good + bad == count_lines(path):
        cur.execute(
            f"INSERT INTO {STAGE_REJECTS} SELECT line, NULL, column_name, {reason}, "
            f"csv_line FROM {errors}"
        )
        if not bad:
            return f"{base} + s.__rn", ""
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE __wb_gaps AS SELECT g, max(j) AS cnt FROM ("
            f"SELECT line - {base} - row_number() OVER (ORDER BY line) AS g, "
            "row_number() OVER (ORDER BY line) AS j FROM "
            f"(SELECT DISTINCT line FROM {_ERRORS} WHERE line IS NOT NULL)) GROUP BY g"
        )
        return (
            f"{base} + s.__rn + coalesce(g.cnt, 0)",
            " ASOF LEFT JOIN __wb_gaps g ON s.__rn > g.g",
        )
    # A preview reads only the start of the file: walk just as far as it read.
    last_error = _scalar(cur, f"SELECT coalesce(max(line), 0) FROM {_ERRORS}")
    until = (base + good + bad, last_error) if limit else None
    starts = row_starts(path, delimiter, quote, escape, until)
    if starts is None:
        cur.execute(
            f"INSERT INTO {STAGE_REJECTS} SELECT NULL, line, column_name, {reason}, "
            f"csv_line FROM {errors}"
        )
        return "CAST(NULL AS BIGINT)", ""
    _load_row_starts(cur, starts.lines, starts.blank)
    until_end = (
        "CASE WHEN error_type = 'UNQUOTED VALUE' AND m.next_line - 1 > m.line THEN "
        "': lines ' || m.line || '-' || (m.next_line - 1) || ' were read as one field' "
        "ELSE '' END"
    )
    cur.execute(
        f"INSERT INTO {STAGE_REJECTS} SELECT m.line, NULL, column_name, "
        f"{reason} || {until_end}, csv_line FROM {errors} e "
        f"LEFT JOIN (SELECT ord, line, lead(line, 1, {starts.last_line + 1}) "
        "OVER (ORDER BY ord) AS next_line FROM __wb_row_starts) m ON m.ord = e.line"
    )
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE __wb_good_lines AS SELECT row_number() OVER "
        f"(ORDER BY ord) AS rn, line FROM __wb_row_starts WHERE ord > {base} AND NOT blank "
        f"AND ord NOT IN (SELECT line FROM {_ERRORS} WHERE line IS NOT NULL)"
    )
    numbered = _scalar(cur, "SELECT count(*) FROM __wb_good_lines")
    if numbered != good and not (limit and numbered > good):
        return "CAST(NULL AS BIGINT)", ""
    return "m.line", " LEFT JOIN __wb_good_lines m ON m.rn = s.__rn"


def _load_row_starts(cur: duckdb.DuckDBPyConnection, lines: array, blank: array) -> None:
    table = pa.table(
        {
            "ord": pa.array(np.arange(1, len(lines) + 1, dtype=np.int64)),
            "line": pa.array(np.frombuffer(lines, dtype=np.int64)),
            "blank": pa.array(np.frombuffer(blank, dtype=np.int8).astype(bool)),
        }
    )
    cur.register("__wb_row_starts_arrow", table)
    try:
        cur.execute(
            "CREATE OR REPLACE TEMP TABLE __wb_row_starts AS SELECT * FROM __wb_row_starts_arrow"
        )
    finally:
        cur.unregister("__wb_row_starts_arrow")


def _scalar(cur: duckdb.DuckDBPyConnection, sql: str) -> int:
    rows = cur.execute(sql).fetchall()  # fetchall completes the result (register needs that)
    return int(rows[0][0]) if rows and rows[0][0] is not None else 0
