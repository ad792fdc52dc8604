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
