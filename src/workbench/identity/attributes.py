"""Golden values of the profile sources' other columns (tier, signup date, opt-in...).

Segments filter on these, so they travel into ``profiles`` next to the identity fields,
typed as imported. A column of the same name in several sources is one attribute; its
value comes from the highest-priority source that has one (ties to the smallest record).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from workbench.identity.ruleset import FIELDS
from workbench.ingest.roles import ATTRIBUTE
from workbench.ingest.sqltext import ident
from workbench.project.sources import Source

ATTRS = "__wb_attrs"
"""Temp table: cluster label -> golden attribute columns."""
_RESERVED = {"profile_id", "records", "sources", "source_names", "label", *FIELDS}
_NUMBERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "DOUBLE", "FLOAT", "DECIMAL")


@dataclass
class Attribute:
    name: str
    """Column name in ``profiles``."""
    type: str
    columns: dict[str, str] = field(default_factory=dict)
    """Source name -> its column."""


def profile_attributes(sources: list[Source]) -> list[Attribute]:
    """Attribute columns of the profile sources, merged by name, with one type each."""
    found: dict[str, Attribute] = {}
    types: dict[str, set[str]] = {}
    for s in sources:
        if s.kind != "profiles":
            continue
        for c in s.columns:
            if c.role != ATTRIBUTE:
                continue
            name = c.name if c.name.lower() not in _RESERVED else f"{s.name}_{c.name}"
            attr = found.setdefault(name.lower(), Attribute(name, ""))
            attr.columns[s.name] = c.name
            types.setdefault(name.lower(), set()).add(c.type.upper())
    for key, attr in found.items():
        kinds = types[key]
        if len(kinds) == 1:
            attr.type = kinds.pop()
        elif all(k.startswith(_NUMBERS) for k in kinds):
            attr.type = "DOUBLE"
        else:
            attr.type = "VARCHAR"
    return sorted(found.values(), key=lambda a: a.name)


def build_attributes(
    cur: duckdb.DuckDBPyConnection,
    sources: list[Source],
    offsets: dict[str, int],
    source_priority: list[str],
    labels: str,
) -> list[str]:
    """Fill the temp table ``ATTRS`` (label + one column per attribute); returns the
    attribute column names (none: no table)."""
    attributes = profile_attributes(sources)
    if not attributes:
        return []
    rank = {s: i for i, s in enumerate(source_priority)}
    selects = []
    for s in sources:
        if s.kind != "profiles" or s.name not in offsets:
            continue
        values = [
            f"CAST({ident(a.columns[s.name])} AS {a.type})" if s.name in a.columns else "NULL"
            for a in attributes
        ]
        order = rank.get(s.name, len(rank))
        selects.append(
            f"SELECT CAST(rowid + {offsets[s.name]} AS INTEGER) AS rec, "
            f"CAST({order} AS BIGINT) AS p, "
            + ", ".join(f"{v} AS {ident(a.name)}" for v, a in zip(values, attributes, strict=True))
            + f" FROM {s.table}"
        )
    picks = ", ".join(
        f"arg_min(a.{ident(x.name)}, a.p * 4294967296 + a.rec) "
        f"FILTER (WHERE a.{ident(x.name)} IS NOT NULL) AS {ident(x.name)}"
        for x in attributes
    )
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE {ATTRS} AS SELECT l.label, {picks} "
        f"FROM {labels} l JOIN ({' UNION ALL BY NAME '.join(selects)}) a ON a.rec = l.rec "
        "GROUP BY l.label"
    )
    return [a.name for a in attributes]
