"""One field's value test (an attribute, or an event property) as a SQL predicate.

The field has been checked against the catalog by the caller; here the operator is checked
against the field's type, and each value is coerced to that type (or refused with a message
saying what the field holds). Values reach SQL only as ``?`` parameters.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from workbench.ingest.sqltext import ident
from workbench.segments import timebounds
from workbench.segments.errors import SegmentError
from workbench.segments.model import Scalar, ValueTest

Kind = str
"""number, date, timestamp, boolean, text or list."""

_NUMBER = re.compile(
    r"^(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?|DOUBLE|FLOAT|REAL|DECIMAL(\(.*\))?|NUMERIC(\(.*\))?)$"
)
_ORDERED = ("between", "greater_than", "at_least", "less_than", "at_most")
_RELATIVE = ("within_last_days", "more_than_days_ago")
_COMPARE = {"greater_than": ">", "at_least": ">=", "less_than": "<", "at_most": "<="}
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}
_KIND_WORDS = {
    "number": "a number",
    "date": "a date",
    "timestamp": "a date and time",
    "boolean": "true or false",
    "text": "text",
    "list": "a list",
}


def kind_of(duckdb_type: str) -> Kind:
    """The kind of value a DuckDB column type holds."""
    t = duckdb_type.upper()
    if t.endswith("[]"):
        return "list"
    if _NUMBER.match(t):
        return "number"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t == "BOOLEAN":
        return "boolean"
    return "text"


class Predicate:
    """SQL text with its ``?`` parameters in order."""

    __slots__ = ("params", "sql")

    def __init__(self, sql: str, params: list[object] | None = None) -> None:
        self.sql = sql
        self.params = params or []


def value_predicate(
    test: ValueTest,
    column: str,
    duckdb_type: str,
    as_of: dt.datetime,
    tz: str,
    where: str,
) -> Predicate:
    """``test`` on ``column`` (SQL text, e.g. ``p."country"``) of ``duckdb_type``.

    The result may be NULL where the field is NULL (callers that negate wrap it in
    ``coalesce(..., false)``); it is never true for a NULL field except ``is_empty``."""
    kind = kind_of(duckdb_type)
    name = test.field
    op = test.op
    label = op.replace("_", " ")
    if op == "is_empty":
        sql = f"({column} IS NULL OR len({column}) = 0)" if kind == "list" else f"{column} IS NULL"
        return Predicate(sql)
    if op == "is_not_empty":
        sql = (
            f"({column} IS NOT NULL AND len({column}) > 0)"
            if kind == "list"
            else f"{column} IS NOT NULL"
        )
        return Predicate(sql)
    if kind == "list":
        if op != "contains":
            raise SegmentError(
                f"{where}: {name} is a list; use 'contains', 'is empty' or 'is not empty'"
            )
        try:
            element = _coerce(test.value, "text", test, tz)
        except _BadValueError as exc:
            raise SegmentError(f"{where}: {exc}") from None
        if test.ignore_case:
            folded = f"list_transform({column}, lambda x: lower(x))"
            return Predicate(f"list_contains({folded}, lower(?))", [element])
        return Predicate(f"list_contains({column}, ?)", [element])
    if op in ("contains", "starts_with") and kind != "text":
        raise SegmentError(f"{where}: {name} is {_KIND_WORDS[kind]}; '{label}' works on text")
    if op in _ORDERED and kind not in ("number", "date", "timestamp"):
        raise SegmentError(
            f"{where}: {name} is {_KIND_WORDS[kind]}; '{label}' compares numbers, dates and times"
        )
    if op in _RELATIVE:
        if kind not in ("date", "timestamp"):
            raise SegmentError(
                f"{where}: {name} is {_KIND_WORDS[kind]}; '{label}' works on dates and times"
            )
        return _relative(test, column, kind, as_of, tz, where)
    fold = test.ignore_case and kind == "text"
    col = f"lower({column})" if fold else column
    val = "lower(?)" if fold else "?"
    try:
        if op in ("in", "not_in"):
            values = [_coerce(v, kind, test, tz) for v in test.values or []]
            marks = ", ".join(val for _ in values)
            neg = "NOT " if op == "not_in" else ""
            return Predicate(f"{col} {neg}IN ({marks})", values)
        value = _coerce(test.value, kind, test, tz)
        if op == "equals":
            return Predicate(f"{col} = {val}", [value])
        if op == "not_equals":
            return Predicate(f"{col} <> {val}", [value])
        if op == "contains":
            return Predicate(f"contains({col}, {val})", [value])
        if op == "starts_with":
            return Predicate(f"starts_with({col}, {val})", [value])
        if op == "between":
            high = _coerce(test.high, kind, test, tz)
            return Predicate(f"{col} BETWEEN ? AND ?", [value, high])
        return Predicate(f"{col} {_COMPARE[op]} ?", [value])
    except _BadValueError as exc:
        raise SegmentError(f"{where}: {exc}") from None


def _relative(
    test: ValueTest, column: str, kind: Kind, as_of: dt.datetime, tz: str, where: str
) -> Predicate:
    """within_last_days N: ``as_of_date - N <= date <= as_of_date``; more_than_days_ago N:
    ``date < as_of_date - N`` (dates in the segment's zone; timestamps by their local day)."""
    days = int(test.value)  # type: ignore[arg-type]  # checked by the model
    today = timebounds.local_date(as_of, tz)
    first = timebounds.shift_day(today, -days)
    if test.op == "within_last_days":
        if kind == "date":
            if first is None:
                return Predicate(f"{column} <= ?", [today])
            return Predicate(f"{column} BETWEEN ? AND ?", [first, today])
        tomorrow = timebounds.shift_day(today, 1)
        end = timebounds.day_start(tomorrow, tz) if tomorrow else dt.datetime.max
        if first is None:
            return Predicate(f"{column} < ?", [end])
        return Predicate(
            f"({column} >= ? AND {column} < ?)", [timebounds.day_start(first, tz), end]
        )
    if first is None:
        return Predicate(f"({column} IS NOT NULL AND false)")
    if kind == "date":
        return Predicate(f"{column} < ?", [first])
    return Predicate(f"{column} < ?", [timebounds.day_start(first, tz)])


class _BadValueError(ValueError):
    pass


def _coerce(value: Scalar | None, kind: Kind, test: ValueTest, tz: str) -> object:
    """``value`` as the Python type matching ``kind``, or _BadValueError naming the field."""
    name = test.field
    shown = repr(value) if isinstance(value, str) else str(value)
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise _BadValueError(f"{name} is a number: {shown} is not a number")
        if isinstance(value, str):
            try:
                value = float(value.strip())
            except ValueError:
                raise _BadValueError(f"{name} is a number: {shown} is not a number") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise _BadValueError(f"{name} is a number: {shown} is not a finite number")
        return value
    if kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                raise _BadValueError(
                    f"{name} is a date: {shown} is not a date (write it as YYYY-MM-DD)"
                ) from None
        raise _BadValueError(f"{name} is a date: {shown} is not a date")
    if kind == "timestamp":
        if isinstance(value, dt.datetime):
            return timebounds.to_utc_naive(value)
        if isinstance(value, dt.date):
            return timebounds.day_start(value, tz)
        if isinstance(value, str):
            text = value.strip()
            try:
                if len(text) == 10:
                    return timebounds.day_start(dt.date.fromisoformat(text), tz)
                return timebounds.to_utc_naive(dt.datetime.fromisoformat(text))
            except ValueError:
                raise _BadValueError(
                    f"{name} is a date and time: {shown} is not a date and time "
                    "(write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)"
                ) from None
        raise _BadValueError(f"{name} is a date and time: {shown} is not a date and time")
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise _BadValueError(f"{name} is true or false: {shown} is neither")
    # text
    if isinstance(value, bool):
        raise _BadValueError(f"{name} is text: {shown} is true/false, not text")
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise _BadValueError(f"{name} is text: {shown} is not text")


def column_sql(alias: str, name: str) -> str:
    """``alias."name"`` for a field already found in the catalog."""
    return f"{alias}.{ident(name)}"
