"""Column types from text values: numbers, booleans, dates and times in common formats.

Types are chosen on a sample, then confirmed on every row: a column whose
values do not all fit stays text rather than losing values. Codes with leading
zeros (postcodes, account numbers) stay text.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from workbench.ingest.sqltext import ident, literal

TEXT, INTEGER, DECIMAL, BOOLEAN, DATE, TIMESTAMP = (
    "VARCHAR",
    "BIGINT",
    "DOUBLE",
    "BOOLEAN",
    "DATE",
    "TIMESTAMP",
)
USER_TYPES = {
    "text": TEXT,
    "integer": INTEGER,
    "decimal": DECIMAL,
    "boolean": BOOLEAN,
    "date": DATE,
    "timestamp": TIMESTAMP,
}
TYPE_LABELS = {v: k for k, v in USER_TYPES.items()}

DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%m-%d-%Y",
    "%d %b %Y",
    "%b %d %Y",
    "%b %d, %Y",
    "%d-%b-%Y",
    "%d/%m/%y",
    "%m/%d/%y",
)
_TIME_SUFFIXES = (" %H:%M:%S", " %H:%M", " %I:%M:%S %p", " %I:%M %p", "T%H:%M:%S", " %H:%M:%S.%f")
TIMESTAMP_FORMATS = tuple(d + t for d in DATE_FORMATS[:9] for t in _TIME_SUFFIXES)
ISO = "iso"
"""Format marker: DuckDB's own ISO 8601 parsing (with time zone offsets)."""
DECIMAL_COMMA = "comma"
"""Format marker: decimals written with a comma (``12,50``), as in most of Europe."""

_TRUE = ("true", "yes", "y", "t")
_FALSE = ("false", "no", "n", "f")
_SAMPLE_ROWS = 20000
_FORMAT_PROBE_ROWS = 500
_COMMA_DECIMAL = r"[+-]?(0|[1-9][0-9]*)(,[0-9]+)?"
_COMMA_NOT_THOUSANDS = r"[+-]?(0|[1-9][0-9]*),([0-9]{1,2}|[0-9]{4,})"
"""A comma followed by three digits may be a thousands separator; any other count is not."""


@dataclass(frozen=True)
class ColumnType:
    type: str
    format: str | None = None

    @property
    def label(self) -> str:
        base = TYPE_LABELS.get(self.type, self.type.lower())
        return f"{base} ({self.format})" if self.format and self.format != ISO else base


def text_value(column: str) -> str:
    """Trimmed text with empty meaning missing."""
    return f"NULLIF(trim({ident(column)}), '')"


def cast_sql(column: str, ctype: ColumnType, source_type: str = TEXT) -> str:
    """SQL turning the staged column into ``ctype``; values that do not fit become NULL."""
    if source_type != TEXT:
        if ctype.type == TEXT:
            return f"CAST({ident(column)} AS VARCHAR)"
        if ctype.type == source_type:
            return ident(column)
        if ctype.type == TIMESTAMP and source_type in (INTEGER, DECIMAL):
            return _epoch_sql(ident(column))
        return f"TRY_CAST({ident(column)} AS {ctype.type})"
    v = text_value(column)
    if ctype.type == TEXT:
        return v
    if ctype.type == BOOLEAN:
        return (
            f"CASE WHEN lower({v}) IN {_tuple(_TRUE)} THEN true "
            f"WHEN lower({v}) IN {_tuple(_FALSE)} THEN false END"
        )
    if ctype.type == INTEGER:
        # TRY_CAST alone would round '20.5' to 21: only whole numbers are integers.
        whole = f"regexp_full_match({v}, '[+-]?[0-9]+(\\.0+)?')"
        return f"CASE WHEN {whole} THEN TRY_CAST({v} AS BIGINT) END"
    if ctype.type == DECIMAL:
        if ctype.format == "money":
            return _money_sql(v)
        if ctype.format == DECIMAL_COMMA:
            return f"TRY_CAST(replace({v}, ',', '.') AS DOUBLE)"
        return f"TRY_CAST({v} AS DOUBLE)"
    if ctype.type == DATE:
        if ctype.format in (None, ISO):
            return f"TRY_CAST({v} AS DATE)"
        return f"CAST(try_strptime({v}, {literal(ctype.format)}) AS DATE)"
    if ctype.type == TIMESTAMP:
        if ctype.format == "epoch":
            return _epoch_sql(f"TRY_CAST({v} AS DOUBLE)")
        if ctype.format in (None, ISO):
            return f"CAST(TRY_CAST({v} AS TIMESTAMPTZ) AS TIMESTAMP)"
        return f"try_strptime({v}, {literal(ctype.format)})"
    raise ValueError(f"unknown type {ctype.type}")


def _money_sql(v: str) -> str:
    """Amounts as exported: currency signs, thousands separators, decimal commas."""
    bare = f"regexp_replace({v}, '[$€£¥\\s]|[A-Z]{{3}}', '', 'g')"
    return (
        f"CASE WHEN regexp_full_match({bare}, '-?[0-9]+,[0-9]{{1,2}}') "
        f"THEN TRY_CAST(replace({bare}, ',', '.') AS DOUBLE) "
        f"ELSE TRY_CAST(replace({bare}, ',', '') AS DOUBLE) END"
    )


def _epoch_sql(number: str) -> str:
    """Seconds or milliseconds since 1970, whichever gives a plausible date."""
    return (
        f"CASE WHEN {number} BETWEEN 1e8 AND 1e10 THEN "
        f"CAST(to_timestamp({number}) AS TIMESTAMP) "
        f"WHEN {number} BETWEEN 1e11 AND 1e13 THEN "
        f"CAST(to_timestamp({number} / 1000.0) AS TIMESTAMP) END"
    )


def _tuple(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")"


def infer_types(
    cur: duckdb.DuckDBPyConnection,
    relation: str,
    columns: list[str],
    date_format: str | None = None,
) -> dict[str, ColumnType]:
    """Pick a type for each text column from a sample of its values.

    ``date_format`` (the user's) is tried before the built-in date formats.
    """
    if not columns:
        return {}
    sample = f"(SELECT * FROM {relation} LIMIT {_SAMPLE_ROWS})"
    checks = []
    for c in columns:
        v = text_value(c)
        checks += [
            f"count({v})",
            f"count(*) FILTER (WHERE lower({v}) IN {_tuple(_TRUE + _FALSE)})",
            f"count(*) FILTER (WHERE regexp_full_match({v}, '[+-]?(0|[1-9][0-9]{{0,17}})'))",
            (
                f"count(*) FILTER (WHERE regexp_full_match({v}, "
                r"'[+-]?(0|[1-9][0-9]*)?(\.[0-9]+)?([eE][+-]?[0-9]+)?') AND TRY_CAST("
                f"{v} AS DOUBLE) IS NOT NULL)"
            ),
            f"count(*) FILTER (WHERE regexp_full_match({v}, '{_COMMA_DECIMAL}'))",
            f"count(*) FILTER (WHERE regexp_full_match({v}, '{_COMMA_NOT_THOUSANDS}'))",
            (
                f"count(*) FILTER (WHERE regexp_matches({v}, '^[0-9]{{1,4}}[-/. ][0-9A-Za-z]{{1,9}}"
                "[-/., ]')"
                f" OR regexp_matches({v}, '^[A-Za-z]{{3,9}} [0-9]{{1,2}},? [0-9]{{4}}'))"
            ),
        ]
    row = cur.execute(f"SELECT {', '.join(checks)} FROM {sample}").fetchone()
    assert row is not None
    result: dict[str, ColumnType] = {}
    datelike: list[str] = []
    width = len(checks) // len(columns)
    for i, c in enumerate(columns):
        present, booleans, integers, decimals, commas, not_thousands, dates = row[
            i * width : (i + 1) * width
        ]
        if present == 0:
            result[c] = ColumnType(TEXT)
        elif booleans == present:
            result[c] = ColumnType(BOOLEAN)
        elif integers == present:
            result[c] = ColumnType(INTEGER)
        elif decimals == present:
            result[c] = ColumnType(DECIMAL)
        elif commas == present and not_thousands > 0:
            result[c] = ColumnType(DECIMAL, DECIMAL_COMMA)
        elif dates == present:
            datelike.append(c)
        else:
            result[c] = ColumnType(TEXT)
    for c in datelike:
        result[c] = detect_date_format(cur, sample, c, date_format)
    return result


def detect_date_format(
    cur: duckdb.DuckDBPyConnection, relation: str, column: str, prefer: str | None = None
) -> ColumnType:
    """The date or timestamp format that parses every sampled value.

    ``prefer`` (a format the user gave) wins when it fits; then ISO, then the
    built-in formats in order (day before month where both fit). The ~70
    built-in formats are tried on the first rows only; the first that fits
    them is then confirmed on every row of ``relation``.
    """
    v = text_value(column)
    if prefer and _fits(cur, relation, v, prefer):
        return ColumnType(TIMESTAMP if has_time(prefer) else DATE, prefer)
    row = cur.execute(
        f"SELECT count({v}), count(TRY_CAST({v} AS DATE)) FILTER (WHERE length({v}) <= 10), "
        f"count(TRY_CAST({v} AS TIMESTAMPTZ)) FROM {relation}"
    ).fetchone()
    assert row is not None
    present, iso_dates, iso_times = row
    if iso_dates == present:
        return ColumnType(DATE, ISO)
    if iso_times == present:
        return ColumnType(TIMESTAMP, ISO)
    candidates = [(DATE, f) for f in DATE_FORMATS] + [(TIMESTAMP, f) for f in TIMESTAMP_FORMATS]
    tests = ", ".join(f"count(try_strptime({v}, {literal(f)}))" for _, f in candidates)
    head = cur.execute(
        f"SELECT count({v}), {tests} FROM (SELECT * FROM {relation} LIMIT {_FORMAT_PROBE_ROWS})"
    ).fetchone()
    assert head is not None
    for (kind, fmt), n in zip(candidates, head[1:], strict=True):
        if n == head[0] and _fits(cur, relation, v, fmt):
            return ColumnType(kind, fmt)
    return ColumnType(TEXT)


def _fits(cur: duckdb.DuckDBPyConnection, relation: str, value: str, fmt: str) -> bool:
    """Whether every present value parses with ``fmt``."""
    row = cur.execute(
        f"SELECT count({value}), count(try_strptime({value}, {literal(fmt)})) FROM {relation}"
    ).fetchone()
    return row is not None and bool(row[0]) and row[0] == row[1]


def has_time(fmt: str) -> bool:
    """Whether a strptime format reads a time of day."""
    return any(d in fmt for d in ("%H", "%I", "%M", "%S", "%p", "%f"))


def parse_user_type(name: str, date_format: str | None = None) -> ColumnType:
    """A type given on the command line or in the UI (``text``, ``date``, ...)."""
    key = name.strip().lower()
    if key not in USER_TYPES:
        raise ValueError(f"unknown type '{name}'; use one of {', '.join(USER_TYPES)}")
    kind = USER_TYPES[key]
    if kind in (DATE, TIMESTAMP):
        return ColumnType(kind, date_format or ISO)
    return ColumnType(kind)


def failures(
    cur: duckdb.DuckDBPyConnection,
    relation: str,
    typed: dict[str, ColumnType],
    source_types: dict[str, str],
) -> dict[str, int]:
    """How many present values of each column do not fit its type, over all rows."""
    if not typed:
        return {}
    parts = []
    for c, t in typed.items():
        present = (
            f"{text_value(c)} IS NOT NULL"
            if source_types.get(c, TEXT) == TEXT
            else f"{ident(c)} IS NOT NULL"
        )
        parts.append(
            f"count(*) FILTER (WHERE {present} AND "
            f"({cast_sql(c, t, source_types.get(c, TEXT))}) IS NULL)"
        )
    row = cur.execute(f"SELECT {', '.join(parts)} FROM {relation}").fetchone()
    assert row is not None
    return dict(zip(typed, row, strict=True))
