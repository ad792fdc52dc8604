"""The shape every reader stages a file into, and the names of its temp tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.ingest.sqltext import literal

MAX_LINE_BYTES = 2_000_000
STAGE = "__wb_stage"
STAGE_REJECTS = "__wb_stage_rejects"

_EXPECTED = "nullif(regexp_extract(error_message, 'Expected Number of Columns: (\\d+)', 1), '')"
_FOUND = "nullif(regexp_extract(error_message, 'Found: (\\d+)', 1), '')"


def reason_sql(delimiter: str | None = None, quote: str = "") -> str:
    """A reject reason a user can act on, from a row of DuckDB's CSV rejects table.

    DuckDB stops counting at one field too many; with the delimiter known and
    no quotes on the line, the fields are counted exactly.
    """
    found_more = f"{_FOUND}"
    if delimiter:
        count = (
            f"CAST(length(csv_line) - length(replace(csv_line, {literal(delimiter)}, '')) + 1 "
            "AS VARCHAR)"
        )
        quoted = f"strpos(csv_line, {literal(quote)}) > 0" if quote else "false"
        found_more = f"CASE WHEN {quoted} THEN 'at least ' || {_FOUND} ELSE {count} END"
    counts = "coalesce('expected ' || {e} || ' fields, found ' || {f}, error_message)"
    return (
        "CASE error_type "
        "WHEN 'MISSING COLUMNS' THEN 'too few fields: ' || "
        f"{counts.format(e=_EXPECTED, f=_FOUND)} "
        "WHEN 'TOO MANY COLUMNS' THEN 'too many fields: ' || "
        f"{counts.format(e=_EXPECTED, f=found_more)} "
        "WHEN 'UNQUOTED VALUE' THEN 'quote not closed, or a stray quote inside a field' "
        "WHEN 'LINE SIZE OVER MAXIMUM' THEN 'line too long: ' || coalesce(nullif("
        "regexp_extract(error_message, 'Actual Size:\\s*(\\d+)', 1), '') || ' bytes, the limit "
        f"is {MAX_LINE_BYTES:,} bytes', error_message) "
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


def first_line(exc: BaseException) -> str:
    """The first line of an error message (DuckDB's run to many lines)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
