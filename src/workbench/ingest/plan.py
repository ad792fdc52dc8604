"""Decide each column's role and type, from suggestions and the user's overrides."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from workbench.ingest import roles as role_names
from workbench.ingest.errors import IngestError
from workbench.ingest.inference import (
    BOOLEAN,
    DATE,
    DECIMAL,
    INTEGER,
    ISO,
    TEXT,
    TIMESTAMP,
    ColumnType,
    detect_date_format,
    infer_types,
    parse_user_type,
    text_value,
)
from workbench.ingest.options import ImportOptions
from workbench.ingest.sqltext import ident
from workbench.ingest.stage import Staged

_SAMPLE_VALUES = 1000


@dataclass
class ColumnPlan:
    name: str
    original_name: str
    role: str
    type: ColumnType
    source_type: str
    suggested_role: str
    reason: str
    type_set: bool = False
    """The user chose the type (--type): values that do not fit it are rejected."""

    def as_dict(self) -> dict[str, str]:
        return {
            "name": self.name,
            "original_name": self.original_name,
            "role": self.role,
            "type": self.type.label,
            "suggested_role": self.suggested_role,
            "reason": self.reason,
        }


def sample_values(
    cur: duckdb.DuckDBPyConnection, staged: Staged, limit: int = _SAMPLE_VALUES
) -> dict[str, list[str]]:
    """The first non-missing values of each column, as text."""
    cols = ", ".join(
        f"list(CAST({ident(c)} AS VARCHAR)) FILTER (WHERE {ident(c)} IS NOT NULL)"
        for c in staged.columns
    )
    row = cur.execute(
        f"SELECT {cols} FROM (SELECT * FROM {staged.relation} LIMIT {limit})"
    ).fetchone()
    assert row is not None
    return {
        c: [str(v).strip() for v in (vals or [])]
        for c, vals in zip(staged.columns, row, strict=True)
    }


def resolve_column(name: str, staged: Staged) -> str:
    """Find a column by its cleaned or original name (case-insensitive)."""
    for clean, orig in zip(staged.columns, staged.original_names, strict=True):
        if name in (clean, orig):
            return clean
    lowered = name.lower()
    for clean, orig in zip(staged.columns, staged.original_names, strict=True):
        if lowered in (clean.lower(), str(orig).lower()):
            return clean
    raise IngestError(
        f"no column '{name}' in the file; its columns are: " + ", ".join(staged.columns)
    )


def plan_columns(
    cur: duckdb.DuckDBPyConnection, staged: Staged, options: ImportOptions
) -> list[ColumnPlan]:
    """Roles and types for every column; raises IngestError on bad overrides."""
    kind = options.kind
    if kind not in role_names.KINDS:
        raise IngestError(f"unknown kind '{kind}'; use 'profiles' or 'events'.")
    overrides: dict[str, str] = {}
    for column, role in options.roles.items():
        try:
            role_names.check_role(role, kind)
        except ValueError as exc:
            raise IngestError(f"--map {column}={role}: {exc}") from exc
        overrides[resolve_column(column, staged)] = role
    user_types: dict[str, ColumnType] = {}
    for column, type_name in options.types.items():
        try:
            user_types[resolve_column(column, staged)] = parse_user_type(
                type_name, options.read.date_format
            )
        except ValueError as exc:
            raise IngestError(f"--type {column}={type_name}: {exc}") from exc

    samples = sample_values(cur, staged)
    unique = {c: len(v) > 0 and len(set(v)) == len(v) for c, v in samples.items()}
    suggestions = role_names.suggest_roles(staged.columns, samples, kind, unique)
    chosen: dict[str, str] = {}
    for column in staged.columns:
        chosen[column] = overrides.get(column, suggestions[column].role)
    # An explicit mapping wins over a suggestion of the same single-use role.
    for column, role in overrides.items():
        if role in role_names.SINGLE_ROLES:
            for other in staged.columns:
                if other != column and chosen[other] == role and other not in overrides:
                    chosen[other] = role_names.default_role(kind)
    for role in role_names.SINGLE_ROLES:
        holders = [c for c in staged.columns if chosen[c] == role]
        if len(holders) > 1:
            raise IngestError(
                f"role '{role}' is mapped to several columns ({', '.join(holders)}); "
                "a source can have only one."
            )

    to_infer = [
        c
        for c in staged.columns
        if staged.types[c] == TEXT
        and c not in user_types
        and chosen[c] not in role_names.TEXT_ROLES
    ]
    inferred = infer_types(cur, staged.relation, to_infer, options.read.date_format)
    plans = []
    for column, original in zip(staged.columns, staged.original_names, strict=True):
        role = chosen[column]
        source_type = staged.types[column]
        if column in user_types:
            ctype = user_types[column]
        elif role in role_names.TEXT_ROLES:
            ctype = ColumnType(TEXT)
        elif column in inferred:
            ctype = inferred[column]
        else:
            ctype = ColumnType(_normalise_type(source_type))
        ctype = _fit_role(cur, staged, column, role, ctype, source_type, options)
        s = suggestions[column]
        reason = "set by you" if column in overrides else s.reason
        plans.append(
            ColumnPlan(
                column,
                str(original),
                role,
                ctype,
                source_type,
                s.role,
                reason,
                type_set=column in user_types,
            )
        )
    return plans


def _normalise_type(duck_type: str) -> str:
    t = duck_type.upper()
    if t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"):
        return INTEGER
    if t in ("FLOAT", "DOUBLE", "REAL") or t.startswith("DECIMAL"):
        return DECIMAL
    if t.startswith("TIMESTAMP"):
        return TIMESTAMP
    if t in (DATE, BOOLEAN):
        return t
    return TEXT


def _fit_role(
    cur: duckdb.DuckDBPyConnection,
    staged: Staged,
    column: str,
    role: str,
    ctype: ColumnType,
    source_type: str,
    options: ImportOptions,
) -> ColumnType:
    """The type a role needs (a timestamp role needs a date or time)."""
    if role == "timestamp":
        if ctype.type in (DATE, TIMESTAMP):
            return ColumnType(TIMESTAMP, ctype.format)
        if ctype.type in (INTEGER, DECIMAL) and source_type == TEXT:
            return ColumnType(TIMESTAMP, "epoch")
        if source_type in (INTEGER, DECIMAL) or _normalise_type(source_type) in (INTEGER, DECIMAL):
            return ColumnType(TIMESTAMP, "epoch")
        if options.read.date_format:
            return ColumnType(TIMESTAMP, options.read.date_format)
        if source_type == TEXT:
            found = detect_date_format(
                cur,
                f"(SELECT * FROM {staged.relation} WHERE {text_value(column)} IS NOT NULL "
                "LIMIT 20000)",
                column,
                options.read.date_format,
            )
            if found.type in (DATE, TIMESTAMP):
                return ColumnType(TIMESTAMP, found.format)
        return ColumnType(TIMESTAMP, ISO)
    if role == "value":
        if ctype.type in (INTEGER, DECIMAL):
            return ColumnType(DECIMAL)
        return ColumnType(DECIMAL, "money")
    return ctype
