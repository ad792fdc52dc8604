"""One row per profile record across all profile sources, with normalised fields."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from workbench.identity import nicknames
from workbench.identity.normalize import DEFAULT_NORMALIZERS, NICKNAME_TABLE, apply
from workbench.identity.ruleset import FIELDS, RuleSet
from workbench.ingest.sqltext import ident, literal
from workbench.project.sources import Source

RECORDS = "identity.records"


@dataclass
class RecordsInfo:
    count: int
    size: int
    """One more than the largest rec number (arrays indexed by rec use this length)."""
    fields: list[str]
    has_truth: bool
    per_source: dict[str, int]
    offsets: dict[str, int]
    """Source name -> what its raw rowids add up with to give rec."""


def available_fields(sources: list[Source]) -> set[str]:
    """Identity fields some profile source provides (full names count as first/last)."""
    fields = {c.role for s in sources if s.kind == "profiles" for c in s.columns}
    if "full_name" in fields:
        fields |= {"first_name", "last_name"}
    return fields & set(FIELDS)


def normalizers_for(rules: RuleSet, field: str) -> list[str]:
    return rules.normalizers.get(field, DEFAULT_NORMALIZERS.get(field, ["trim", "lower"]))


def _source_select(source: Source, rules: RuleSet, offset: int) -> str:
    by_role: dict[str, list[str]] = {}
    for c in source.columns:
        by_role.setdefault(c.role, []).append(c.name)
    parts = [
        f"CAST(rowid + {offset} AS INTEGER) AS rec",
        f"{literal(source.name)} AS source",
        "_record_id AS record_id",
    ]
    truth = by_role.get("truth_id")
    parts.append(
        f"CAST({ident(truth[0])} AS VARCHAR) AS truth_id" if truth else "NULL::VARCHAR AS truth_id"
    )
    for field in FIELDS:
        columns = by_role.get(field)
        raw = None
        if columns:
            raw = "coalesce(" + ", ".join(f"CAST({ident(c)} AS VARCHAR)" for c in columns) + ")"
        elif field in ("first_name", "last_name") and "full_name" in by_role:
            full = f"trim(CAST({ident(by_role['full_name'][0])} AS VARCHAR))"
            raw = (
                f"split_part({full}, ' ', 1)"
                if field == "first_name"
                else (
                    f"CASE WHEN contains({full}, ' ') THEN regexp_extract({full}, '(\\S+)$', 1) END"
                )
            )
        if raw is None:
            parts.append(f"NULL::VARCHAR AS {field}")
        else:
            parts.append(f"{apply(raw, normalizers_for(rules, field))} AS {field}")
    return f"SELECT {', '.join(parts)} FROM {source.table}"


def build_records(
    cur: duckdb.DuckDBPyConnection, sources: list[Source], rules: RuleSet
) -> RecordsInfo:
    """(Re)build identity.records from every profile source."""
    profile_sources = [s for s in sources if s.kind == "profiles"]
    if not profile_sources:
        raise ValueError("the project has no profile sources to resolve; import one first")
    nicknames.install(cur)
    # rec numbers come from each raw table's row ids plus an offset: no window over
    # the union, so the build runs in parallel (rec may have gaps; it is only a key).
    selects, offset, offsets = [], 0, {}
    for s in profile_sources:
        selects.append(f"({_source_select(s, rules, offset)})")
        offsets[s.name] = offset
        offset += cur.execute(f"SELECT coalesce(max(rowid), -1) + 1 FROM {s.table}").fetchone()[0]
    columns = ["rec", "source", "record_id", "truth_id", *FIELDS]
    select = ", ".join(f"u.{c}" for c in columns)
    if "nickname" in normalizers_for(rules, "first_name"):
        select = select.replace("u.first_name", "coalesce(n.canonical, u.first_name) AS first_name")
        join = f" LEFT JOIN {NICKNAME_TABLE} n ON n.nick = u.first_name"
    else:
        join = ""
    cur.execute(
        f"CREATE OR REPLACE TABLE {RECORDS} AS SELECT {select} "
        f"FROM ({' UNION ALL '.join(selects)}) u{join}"
    )
    count, size = cur.execute(
        f"SELECT count(*), coalesce(max(rec), -1) + 1 FROM {RECORDS}"
    ).fetchone()
    present = cur.execute(
        f"SELECT {', '.join(f'count({f})' for f in FIELDS)}, count(truth_id) FROM {RECORDS}"
    ).fetchone()
    fields = [f for f, n in zip(FIELDS, present[:-1], strict=True) if n]
    per_source = dict(
        cur.execute(f"SELECT source, count(*) FROM {RECORDS} GROUP BY source").fetchall()
    )
    return RecordsInfo(count, size, fields, bool(present[-1]), per_source, offsets)
