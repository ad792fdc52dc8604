"""Why two records are, or are not, in one profile."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import duckdb
import numpy as np

from workbench.identity.comparisons import (
    holds,
    level_label,
    level_sql,
    register_functions,
    rule_sql,
)
from workbench.identity.conflicts import Evidence
from workbench.identity.records import RECORDS
from workbench.identity.ruleset import RuleSet
from workbench.identity.runs import RecordRef, record_rec, resolve_run, run_rules
from workbench.identity.scoring import tf_adjustment, weights
from workbench.project.store import Project


@dataclass
class FieldComparison:
    field: str
    left: str | None
    right: str | None
    level: str
    weight: float


@dataclass
class Explanation:
    run_id: str
    left: RecordRef
    right: RecordRef
    same_profile: bool
    left_profile: str
    right_profile: str
    fields: list[FieldComparison] = field(default_factory=list)
    rules_matched: list[str] = field(default_factory=list)
    blocking_rules: list[str] = field(default_factory=list)
    score: float | None = None
    probability: float | None = None
    threshold: float | None = None
    path: list[dict] = field(default_factory=list)
    verdict: str = ""

    def as_dict(self) -> dict:
        out = self.__dict__.copy()
        out["left"], out["right"] = str(self.left), str(self.right)
        out["fields"] = [f.__dict__ for f in self.fields]
        return out


def explain(
    project: Project, left: RecordRef, right: RecordRef, run_id: str | None = None
) -> Explanation:
    cur = project.cursor()
    try:
        return _explain(cur, left, right, run_id)
    finally:
        cur.close()


def _explain(
    cur: duckdb.DuckDBPyConnection, left: RecordRef, right: RecordRef, run_id: str | None
) -> Explanation:
    run_id = resolve_run(cur, run_id)
    rules = run_rules(cur, run_id)
    register_functions(cur)
    a, pa = record_rec(cur, run_id, left)
    b, pb = record_rec(cur, run_id, right)
    out = Explanation(run_id, left, right, pa == pb, pa, pb)
    pair = (
        f"FROM {RECORDS} l, {RECORDS} r WHERE l.source = ? AND l.record_id = ? "
        "AND r.source = ? AND r.record_id = ?"
    )
    params = [left.source, left.record_id, right.source, right.record_id]
    model = rules.probabilistic
    if model is not None and model.prior is not None and all(f.m and f.u for f in model.fields):
        cols = []
        for f in model.fields:
            cols += [f"l.{f.field}", f"r.{f.field}", level_sql(f)]
        row = cur.execute(f"SELECT {', '.join(cols)} {pair}", params).fetchone()
        if row is None:
            raise ValueError("the records are no longer in the project's identity records")
        w = weights([np.array(f.m) for f in model.fields], [np.array(f.u) for f in model.fields])
        total = math.log2(model.prior / (1 - model.prior))
        for i, f in enumerate(model.fields):
            lv = int(row[i * 3 + 2])
            wt = 0.0 if lv < 0 else w[i][lv]
            if lv == 0 and f.tf_adjust and f.u:
                wt += tf_adjustment(f.u[0], _term_frequency(cur, f.field, row[i * 3]))
            total += wt
            out.fields.append(
                FieldComparison(
                    f.field, row[i * 3], row[i * 3 + 1], level_label(f.levels, lv), round(wt, 3)
                )
            )
        out.score = round(total, 3)
        out.probability = 1 / (1 + 2 ** (-total))
        out.threshold = model.threshold
    for rule in rules.rules:
        if rule.enabled:
            hit = cur.execute(f"SELECT {rule_sql(rule)} {pair}", params).fetchone()
            if hit and hit[0]:
                out.rules_matched.append(rule.name)
    for b_rule in rules.blocking:
        agree = " AND ".join(f"coalesce({holds(f, 'exact', None)}, false)" for f in b_rule.fields)
        hit = cur.execute(f"SELECT {agree} {pair}", params).fetchone()
        if hit and hit[0]:
            out.blocking_rules.append(b_rule.name)
    stored = cur.execute(
        "SELECT score, probability, rule FROM identity.edges WHERE run_id = ? AND "
        "((a = ? AND b = ?) OR (a = ? AND b = ?))",
        [run_id, a, b, b, a],
    ).fetchone()
    if out.same_profile:
        out.path = _path(cur, run_id, pa, a, b)
        out.verdict = (
            "in one profile: matched directly"
            if stored is not None
            else f"in one profile through {len(out.path)} matches (see the path)"
        )
    elif not out.blocking_rules:
        out.verdict = "not compared: no blocking rule puts them in one block"
    elif stored is None:
        out.verdict = "compared, but below the match threshold and no rule matched"
    else:
        out.verdict = "matched, but the merge was refused: " + (
            _conflict(cur, run_id, rules, pa, pb) or "guardrail (maximum profile size)"
        )
    return out


def _term_frequency(cur: duckdb.DuckDBPyConnection, field: str, value: object) -> float | None:
    row = cur.execute(
        f"SELECT count(*) FILTER (WHERE {field} = ?) / count({field}) FROM {RECORDS}", [value]
    ).fetchone()
    return float(row[0]) if row and row[0] else None


def _path(cur: duckdb.DuckDBPyConnection, run_id: str, profile: str, a: int, b: int) -> list[dict]:
    """Shortest chain of match edges from a to b inside the profile."""
    edges = cur.execute(
        "SELECT e.a, e.b, e.score, e.probability, e.rule FROM identity.edges e "
        "JOIN identity.clusters ca ON ca.run_id = e.run_id AND ca.rec = e.a "
        "JOIN identity.clusters cb ON cb.run_id = e.run_id AND cb.rec = e.b "
        "WHERE e.run_id = ? AND ca.profile_id = ? AND cb.profile_id = ?",
        [run_id, profile, profile],
    ).fetchall()
    names = dict(
        cur.execute(
            "SELECT rec, source || ':' || record_id FROM identity.clusters "
            "WHERE run_id = ? AND profile_id = ?",
            [run_id, profile],
        ).fetchall()
    )
    graph: dict[int, list[tuple[int, tuple]]] = {}
    for e in edges:
        graph.setdefault(e[0], []).append((e[1], e))
        graph.setdefault(e[1], []).append((e[0], e))
    previous: dict[int, tuple[int, tuple] | None] = {a: None}
    queue = deque([a])
    while queue:
        x = queue.popleft()
        if x == b:
            break
        for y, e in graph.get(x, []):
            if y not in previous:
                previous[y] = (x, e)
                queue.append(y)
    steps = []
    x = b
    while previous.get(x) is not None:
        y, e = previous[x]  # type: ignore[misc]
        steps.append(
            {
                "from": names.get(y),
                "to": names.get(x),
                "score": e[2],
                "probability": e[3],
                "rule": e[4],
            }
        )
        x = y
    return list(reversed(steps))


def _conflict(
    cur: duckdb.DuckDBPyConnection, run_id: str, rules: RuleSet, pa: str, pb: str
) -> str | None:
    """The guardrail that keeps the two profiles apart, as the clustering saw it."""
    unique = [k.field for k in rules.keys if k.unique]
    conflict = rules.guardrails.conflict_fields
    rows = cur.execute(
        "SELECT c.profile_id, r.dob, r.first_name, r.last_name"
        + "".join(f", r.{k}" for k in unique)
        + f" FROM identity.clusters c JOIN {RECORDS} r ON r.source = c.source "
        "AND r.record_id = c.record_id WHERE c.run_id = ? AND c.profile_id IN (?, ?)",
        [run_id, pa, pb],
    ).fetchall()
    groups = {pa: Evidence(size=0), pb: Evidence(size=0)}
    for pid, dob, first, last, *keys in rows:
        ev = groups[pid]
        if dob and "dob" in conflict:
            ev.dobs.add(dob)
        if first and "first_name" in conflict:
            ev.names.add((first, last))
        for key, value in zip(unique, keys, strict=True):
            if value:
                ev.unique.setdefault(key, set()).add(value)
    return groups[pa].conflicts_with(groups[pb])
