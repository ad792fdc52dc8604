"""The definition being edited, as plain data: a segment's JSON-like dict and paths into it.

The builder edits a dict (what ``Segment.model_dump()`` gives), not a ``Segment``: half-typed
input is often not a valid segment yet, and the editor must still show it. Every edit makes
a new dict (the undo stack keeps the old one); ``Segment.model_validate`` turns it into the
definition, and its errors are mapped back to the rows that caused them.

A condition's *path* is the list of indices that leads to it from the root group:
``()`` is the root, ``(1, 0)`` the first condition of the root's second condition (a group).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

if TYPE_CHECKING:
    from workbench.segments.catalog import Catalog

Path = tuple[int, ...]
Draft = dict[str, Any]

CONDITION_KINDS = ("attribute", "event", "recency", "sequence", "metric", "segment", "bucket")
KIND_LABELS = {
    "attribute": "Profile attribute",
    "event": "Behaviour",
    "recency": "Recency",
    "sequence": "Sequence",
    "metric": "Metric",
    "segment": "In segment",
    "bucket": "Random split",
    "group": "Group",
}
KIND_HINTS = {
    "attribute": "A profile field, e.g. loyalty tier is gold",
    "event": "Did an event N times, or with a total / average value, in a window",
    "recency": "Days since the last or first time they did something",
    "sequence": "Did A and then (not) B within a time, e.g. cart abandonment",
    "metric": "Lifetime value, order count, RFM score, e-mail engagement",
    "segment": "Member of another saved segment",
    "bucket": "A stable random share of profiles, for test and control groups",
    "group": "A nested group of conditions (all / any of, or not)",
}

PROFILE_HIDDEN = ("profile_id", "records", "sources", "source_names")
"""Profile columns that describe the identity run rather than the customer."""
EVENT_BASE = ("profile_id", "source", "event_type", "ts")
"""Event columns that are not properties (the condition itself says type and time)."""


# ------------------------------------------------------------------ field types
def field_kind(duckdb_type: str) -> str:
    """``text``, ``integer``, ``number``, ``date``, ``timestamp``, ``boolean`` or ``other``."""
    t = duckdb_type.upper()
    if t.endswith("[]") or t.startswith(("STRUCT", "MAP", "LIST", "UNION")):
        return "other"
    if t.startswith("TIMESTAMP"):
        return "timestamp"
    if t == "DATE":
        return "date"
    if t == "BOOLEAN":
        return "boolean"
    if t in ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT"):
        return "integer"
    if t in ("UINTEGER", "UBIGINT", "UHUGEINT"):
        return "integer"
    if t.startswith(("DECIMAL", "NUMERIC", "DOUBLE", "FLOAT", "REAL")):
        return "number"
    return "text"


def profile_fields(catalog: Catalog) -> dict[str, str]:
    """Profile attributes a condition can test (name -> DuckDB type)."""
    return {
        name: kind
        for name, kind in catalog.profile_fields.items()
        if name not in PROFILE_HIDDEN and field_kind(kind) != "other"
    }


def event_properties(catalog: Catalog, event_type: str | None) -> dict[str, str]:
    """Fields an event of ``event_type`` (None: any) can be filtered on, with their types."""
    return {
        name: kind
        for name, kind in catalog.fields_of(event_type).items()
        if name not in EVENT_BASE and field_kind(kind) != "other"
    }


def numeric_event_fields(catalog: Catalog, event_type: str | None) -> list[str]:
    props = event_properties(catalog, event_type)
    return [n for n, k in props.items() if field_kind(k) in ("integer", "number")] or ["value"]


# ------------------------------------------------------------------ paths
def conditions_at(draft: Draft, path: Path) -> dict:
    """The condition (or group) at ``path``; ``()`` is the root group."""
    node = draft["root"]
    for i in path:
        node = node["conditions"][i]
    return node


def walk(group: dict, prefix: Path = ()) -> Iterator[tuple[Path, dict]]:
    """Every condition under ``group`` with its path, depth first, in order."""
    for i, cond in enumerate(group.get("conditions", [])):
        path = (*prefix, i)
        yield path, cond
        if cond.get("type") == "group":
            yield from walk(cond, path)


def replaced(draft: Draft, path: Path, condition: dict) -> Draft:
    new = copy.deepcopy(draft)
    if not path:
        new["root"] = copy.deepcopy(condition)
        return new
    parent = conditions_at(new, path[:-1])
    parent["conditions"][path[-1]] = copy.deepcopy(condition)
    return new


def inserted(draft: Draft, group: Path, condition: dict, index: int | None = None) -> Draft:
    new = copy.deepcopy(draft)
    items = conditions_at(new, group)["conditions"]
    items.insert(len(items) if index is None else index, copy.deepcopy(condition))
    return new


def removed(draft: Draft, path: Path) -> Draft:
    new = copy.deepcopy(draft)
    del conditions_at(new, path[:-1])["conditions"][path[-1]]
    return new


def moved(draft: Draft, path: Path, delta: int) -> Draft | None:
    """The draft with the condition at ``path`` moved ``delta`` places in its group, or
    None when it is already at that end."""
    items = conditions_at(draft, path[:-1])["conditions"]
    i, j = path[-1], path[-1] + delta
    if not 0 <= j < len(items):
        return None
    new = copy.deepcopy(draft)
    items = conditions_at(new, path[:-1])["conditions"]
    items[i], items[j] = items[j], items[i]
    return new


def shape(group: dict) -> tuple:
    """The tree's structure (types and nesting), to tell a value edit from a restructure."""
    return tuple(
        (c.get("type"), shape(c) if c.get("type") == "group" else ())
        for c in group.get("conditions", [])
    )


# ------------------------------------------------------------------ errors
def _clean(message: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return message[:1].upper() + message[1:]


_FIELD_WORDS = {"value": "value", "high": "high value", "days": "days", "values": "values"}


def validation_errors(exc: ValidationError) -> dict[Path | str, str]:
    """Pydantic's errors keyed by the row they belong to: a condition path, or the name of a
    segment field (``name``, ``timezone``...) for errors outside the tree."""
    found: dict[Path | str, str] = {}
    for error in exc.errors():
        loc = list(error["loc"])
        key: Path | str
        if loc and loc[0] == "root":
            path: list[int] = []
            rest = loc[1:]
            k = 0
            while k < len(rest):
                if rest[k] == "conditions" and k + 1 < len(rest) and isinstance(rest[k + 1], int):
                    path.append(rest[k + 1])
                    k += 2
                    if k < len(rest) and rest[k] in (*CONDITION_KINDS, "group"):
                        k += 1
                    continue
                k += 1
            key = tuple(path)
            tail = [str(x) for x in rest if isinstance(x, str) and x not in CONDITION_KINDS]
            where = tail[-1] if tail and tail[-1] != "conditions" else ""
        else:
            key = str(loc[0]) if loc else "segment"
            where = ""
        message = _clean(error["msg"])
        if where and error["type"] != "value_error":
            message = f"{_FIELD_WORDS.get(where, where.replace('_', ' ')).capitalize()}: {message}"
        found.setdefault(key, message)
    return found


_PATH_RE = re.compile(r"^root((?:\.conditions\[\d+\])*)\S*:\s*(.*)$", re.DOTALL)


def engine_error(message: str) -> tuple[Path, str]:
    """The row an engine message names (``root.conditions[1].where[0]: ...``), and the
    message without the location; the root when it names none."""
    match = _PATH_RE.match(message.strip())
    if match is None:
        return (), message.strip()
    path = tuple(int(i) for i in re.findall(r"\[(\d+)\]", match.group(1)))
    return path, match.group(2).strip()


def nearest_row(path: Path, rows: Sequence[Path]) -> Path:
    """The longest prefix of ``path`` that is a row shown (errors deep in a row belong to it)."""
    while path and path not in rows:
        path = path[:-1]
    return path
