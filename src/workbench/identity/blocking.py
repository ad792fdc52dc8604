"""Candidate pairs: records that agree exactly on a blocking rule's fields.

Never the full cross product: a pair is only compared when some blocking rule
puts both records in one block. A value shared by more records than
``max_block_size`` (a test address, a shop's phone number) is left out of
blocking and reported, since it would add many pairs and little evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from workbench.identity.records import RECORDS
from workbench.identity.ruleset import Blocking, RuleSet

PAIRS = "__wb_pairs"


@dataclass
class BlockingCount:
    rule: str
    pairs: int
    blocks: int
    skipped_values: int
    skipped_records: int

    def as_dict(self) -> dict[str, object]:
        return self.__dict__.copy()


def _key(rule: Blocking) -> tuple[str, str]:
    present = " AND ".join(f"{f} IS NOT NULL" for f in rule.fields)
    key = " || '\x1f' || ".join(rule.fields) if len(rule.fields) > 1 else rule.fields[0]
    return key, present


def count_pairs(cur: duckdb.DuckDBPyConnection, rules: RuleSet) -> list[BlockingCount]:
    """Pairs each blocking rule would produce, before anything is compared."""
    cap = rules.guardrails.max_block_size
    out = []
    for rule in rules.blocking:
        key, present = _key(rule)
        pairs, blocks, skipped_values, skipped_records = cur.execute(
            f"SELECT coalesce(sum(n * (n - 1) // 2) FILTER (WHERE n <= {cap}), 0), "
            f"count(*) FILTER (WHERE n > 1 AND n <= {cap}), "
            f"count(*) FILTER (WHERE n > {cap}), coalesce(sum(n) FILTER (WHERE n > {cap}), 0) "
            f"FROM (SELECT {key} AS k, count(*) AS n FROM {RECORDS} WHERE {present} GROUP BY k)"
        ).fetchone()
        out.append(
            BlockingCount(
                rule.name, int(pairs), int(blocks), int(skipped_values), int(skipped_records)
            )
        )
    return out


def build_pairs(cur: duckdb.DuckDBPyConnection, rules: RuleSet) -> int:
    """Create the temp table of distinct candidate pairs (a < b, first rule that found it)."""
    cap = rules.guardrails.max_block_size
    selects = []
    for index, rule in enumerate(rules.blocking):
        key, present = _key(rule)
        selects.append(
            f"SELECT l.rec AS a, r.rec AS b, {index} AS block FROM "
            f"(SELECT rec, {key} AS k FROM {RECORDS} WHERE {present} "
            f"QUALIFY count(*) OVER (PARTITION BY k) <= {cap}) l "
            f"JOIN (SELECT rec, {key} AS k FROM {RECORDS} WHERE {present}) r "
            f"ON l.k = r.k AND l.rec < r.rec"
        )
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE {PAIRS} AS SELECT a, b, min(block) AS block FROM "
        f"({' UNION ALL '.join(selects)}) GROUP BY a, b"
    )
    return cur.execute(f"SELECT count(*) FROM {PAIRS}").fetchone()[0]
