"""Quoting for the few places where values must be written into SQL text.

DuckDB table functions (read_csv and friends) take their arguments as
literals; everything else passes values as parameters.
"""

from __future__ import annotations


def literal(value: str) -> str:
    """A single-quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def ident(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def json_path(key: str) -> str:
    """A JSON path literal that selects the top-level ``key``."""
    if '"' in key:
        if key.startswith(("$", "/")):
            raise ValueError(f"JSON key {key!r} cannot be addressed")
        return literal(key)
    return literal(f'$."{key}"')


_FORMULA_START = "^[=+\\-@\t\r]"


def formula_safe(column: str) -> str:
    """``column`` (a quoted identifier or expression, text) with a leading apostrophe where
    a spreadsheet would read a formula (= + - @ tab CR), for CSV exports."""
    return (
        f"CASE WHEN regexp_matches({column}, '{_FORMULA_START}') THEN '''' || {column} "
        f"ELSE {column} END"
    )
