"""Clerical review: the record pairs whose labels teach the most, and the labels so far.

The queue mixes five kinds of pairs, each ranked on its own and then taken in turn, so a
short session already covers every way a run can be wrong:

- ``bridge``: the one weak match holding a suspicious profile together (an over-merge?);
- ``conflict``: a match inside a profile between records with different customer ids,
  national ids or birth dates;
- ``above``: probabilistic matches just above the threshold (false positives?);
- ``below``: candidate pairs just below it (missed matches?). A run keeps only the edges
  it matched, so these are scored again from the run's trained model: blocking and
  comparing on ``identity.records`` costs what those steps of the run cost (1.3 to 2.7 s
  for a million records on two shared CPUs), and only for the current run, whose records
  they are;
- ``refused``: matches the guardrails kept apart.

Pairs already labelled are left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import duckdb
import numpy as np

from workbench.identity import blocking, comparisons
from workbench.identity.explain import Explanation, explain
from workbench.identity.labels import LABELS, ensure_labels_table
from workbench.identity.records import RECORDS
from workbench.identity.ruleset import FIELDS, RuleSet
from workbench.identity.runs import RecordRef, resolve_run, run_rules
from workbench.identity.scoring import score_sql
from workbench.identity.store import current_run
from workbench.identity.suspicious import CONFLICT_KEYS, WEAK_P, _bridge_edges
from workbench.project.store import Project
from workbench.tasks import Task, interrupting, null_task

KINDS = ("bridge", "conflict", "above", "below", "refused")
NEAR_BAND = 10.0
"""Pairs "near the threshold" are within this many bits of match weight of it."""
_CONFLICT_KEYS = CONFLICT_KEYS[:3]
"""Keys one person has one value of (e-mails and phones may be several)."""
_VIEW = "__wb_review_recs"


@dataclass
class ReviewItem:
    """A pair of records to label, and why it is worth a look."""

    left: RecordRef
    right: RecordRef
    kind: str
    """The first reason's kind (one of KINDS)."""
    reasons: list[str]
    left_profile: str
    right_profile: str
    probability: float | None = None
    rule: str | None = None

    @property
    def same_profile(self) -> bool:
        return self.left_profile == self.right_profile

    def as_dict(self) -> dict:
        out = self.__dict__.copy()
        out["left"], out["right"] = str(self.left), str(self.right)
        out["same_profile"] = self.same_profile
        return out


@dataclass
class ReviewQueue:
    run_id: str
    items: list[ReviewItem]
    labelled: int
    """Pairs the queue would offer that are labelled already (progress: labelled of
    labelled + len(items))."""
    threshold: float | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "run_id": self.run_id,
            "threshold": self.threshold,
            "labelled": self.labelled,
            "notes": list(self.notes),
            "items": [i.as_dict() for i in self.items],
        }


Pair = tuple[int, int]
Candidate = tuple[Pair, str, float | None, str | None]
"""(a, b), the reason in words, the match probability, the rule that matched."""
_Found = dict[Pair, dict]
"""(a, b) -> {"kind", "reasons", "probability", "rule"} in the order found."""


def review_queue(
    project: Project, run_id: str | None = None, limit: int = 200, task: Task | None = None
) -> ReviewQueue:
    """Up to ``limit`` unlabelled pairs, the kinds taken in turn, each best first."""
    task = task or null_task()
    cur = project.cursor()
    try:
        with interrupting(task, cur.interrupt):
            run = resolve_run(cur, run_id)
            rules = run_rules(cur, run)
            labelled = _labelled_pairs(cur)
            want = limit + len(labelled)
            task.progress(0.02, "Reading the run's records")
            cur.execute(
                f"CREATE OR REPLACE TEMP TABLE {_VIEW} AS SELECT c.rec, c.profile_id, r.* "
                f"EXCLUDE (rec) FROM identity.clusters c JOIN {RECORDS} r "
                "ON r.source = c.source AND r.record_id = c.record_id WHERE c.run_id = ?",
                [run],
            )
            notes = []
            lists: dict[str, list[Candidate]] = {}
            task.progress(0.15, "Finding weak bridges")
            lists["bridge"] = _bridges(cur, run, want)
            task.progress(0.3, "Finding matches between conflicting keys")
            lists["conflict"] = _conflicts(cur, run, want)
            lists["above"] = _above(cur, run, rules, want)
            task.progress(0.45, "Scoring candidate pairs below the threshold")
            if run == current_run(cur):
                lists["below"] = _below(cur, run, rules, want)
            elif rules.probabilistic is not None:
                notes.append("pairs below the threshold are only offered for the current run")
            task.progress(0.8, "Finding merges the guardrails refused")
            lists["refused"] = _refused(cur, run, want)
            task.progress(0.9, "Leaving out labelled pairs")
            found: _Found = {}
            for kind in KINDS:
                for pair, reason, probability, rule in lists.get(kind, []):
                    first = {"kind": kind, "reasons": [], "probability": probability, "rule": rule}
                    entry = found.setdefault(pair, first)
                    if reason not in entry["reasons"]:
                        entry["reasons"].append(reason)
            refs = _refs(cur, {x for pair in found for x in pair})
            cur.execute(f"DROP TABLE IF EXISTS {_VIEW}")
    finally:
        cur.close()
    items, skipped = _in_turn(found, refs, labelled, limit)
    model = rules.probabilistic
    return ReviewQueue(run, items, skipped, model.threshold if model else None, notes)


def _in_turn(
    found: _Found, refs: dict[int, tuple[RecordRef, str]], labelled: set, limit: int
) -> tuple[list[ReviewItem], int]:
    """The pairs of each kind taken in turn (kind order KINDS), labelled ones counted apart."""
    by_kind: dict[str, list[ReviewItem]] = {k: [] for k in KINDS}
    skipped = 0
    for (a, b), entry in found.items():
        if a not in refs or b not in refs:
            continue  # a record of an older run that is no longer in the sources
        (ra, pa), (rb, pb) = refs[a], refs[b]
        left, right = sorted([ra, rb], key=lambda r: (r.source, r.record_id))
        if (left, right) in labelled:
            skipped += 1
            continue
        if left is rb:
            pa, pb = pb, pa
        item = ReviewItem(left, right, entry["kind"], entry["reasons"], pa, pb)
        if pa != pb and entry["kind"] == "above":
            item.reasons.append("kept apart by guardrails")
        item.probability, item.rule = entry["probability"], entry["rule"]
        by_kind[entry["kind"]].append(item)
    items: list[ReviewItem] = []
    queues = [q for q in by_kind.values() if q]
    position = 0
    while len(items) < limit and any(position < len(q) for q in queues):
        items += [q[position] for q in queues if position < len(q)]
        position += 1
    return items[:limit], skipped


# ------------------------------------------------------------------------- the kinds
def _pair(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


def _bridges(cur: duckdb.DuckDBPyConnection, run: str, limit: int) -> list[Candidate]:
    """Weak matches that alone hold a profile of 3+ records together, weakest first.

    The profiles ``suspicious_profiles`` flags as "held together by one weak match", found
    from the weak edges (few) instead of every profile's edges (a million records: 5 s).
    """
    rows = cur.execute(
        f"""WITH weak AS (
            SELECT DISTINCT v.profile_id FROM identity.edges e
            JOIN {_VIEW} v ON v.rec = e.a JOIN {_VIEW} w ON w.rec = e.b
            WHERE e.run_id = ? AND e.rule = 'probabilistic' AND e.probability < ?
                AND v.profile_id = w.profile_id)
        SELECT v.profile_id, e.a, e.b,
               CASE WHEN e.rule = 'probabilistic' THEN e.probability ELSE 1.0 END, e.rule
        FROM identity.edges e JOIN {_VIEW} v ON v.rec = e.a JOIN {_VIEW} w ON w.rec = e.b
        WHERE e.run_id = ? AND v.profile_id = w.profile_id
            AND v.profile_id IN (SELECT profile_id FROM weak)""",
        [run, WEAK_P, run],
    ).fetchall()
    edges: dict[str, list[tuple[int, int, float]]] = {}
    rule_of: dict[Pair, str] = {}
    for pid, a, b, p, rule in rows:
        edges.setdefault(pid, []).append((a, b, p))
        rule_of[_pair(a, b)] = rule
    out: list[tuple[float, str, Candidate]] = []
    for pid, es in edges.items():
        size = len({x for e in es for x in e[:2]})
        weak = [e for e in _bridge_edges(es) if e[2] < WEAK_P]
        if size >= 3 and weak:
            a, b, p = min(weak, key=lambda e: (e[2], e[0], e[1]))
            reason = f"weak bridge holding {size} records together"
            out.append((p, pid, (_pair(a, b), reason, p, rule_of[_pair(a, b)])))
    return [c for _p, _pid, c in sorted(out, key=lambda x: (x[0], x[1]))][:limit]


def _conflicts(cur: duckdb.DuckDBPyConnection, run: str, limit: int) -> list[Candidate]:
    """Matches inside a profile between records whose keys disagree, weakest first."""
    differs = [f"CASE WHEN v.{k} <> w.{k} THEN '{k}' END" for k in _CONFLICT_KEYS]
    rows = cur.execute(
        f"""SELECT e.a, e.b, e.probability, e.rule,
               list_filter([{", ".join(differs)}], lambda k: k IS NOT NULL) AS keys
        FROM identity.edges e JOIN {_VIEW} v ON v.rec = e.a JOIN {_VIEW} w ON w.rec = e.b
        WHERE e.run_id = ? AND v.profile_id = w.profile_id
            AND ({" OR ".join(f"v.{k} <> w.{k}" for k in _CONFLICT_KEYS)})
        ORDER BY CASE WHEN e.rule = 'probabilistic' THEN e.probability ELSE 1.0 END, e.a, e.b
        LIMIT ?""",
        [run, limit],
    ).fetchall()
    return [
        (_pair(a, b), "matched across different " + ", ".join(keys), p, rule)
        for a, b, p, rule, keys in rows
    ]


def _threshold_weight(rules: RuleSet) -> float | None:
    model = rules.probabilistic
    if model is None:
        return None
    return math.log2(model.threshold / (1 - model.threshold))


def _above(cur: duckdb.DuckDBPyConnection, run: str, rules: RuleSet, limit: int) -> list[Candidate]:
    """Probabilistic matches with the smallest margin over the threshold."""
    if rules.probabilistic is None:
        return []
    rows = cur.execute(
        "SELECT a, b, probability FROM identity.edges WHERE run_id = ? AND rule = 'probabilistic' "
        "AND score <= ? ORDER BY score, a, b LIMIT ?",
        [run, (_threshold_weight(rules) or 0.0) + NEAR_BAND, limit],
    ).fetchall()
    t = rules.probabilistic.threshold
    return [
        (_pair(a, b), f"just above the threshold ({p:.3f} ≥ {t:g})", p, "probabilistic")
        for a, b, p in rows
    ]


def _below(cur: duckdb.DuckDBPyConnection, run: str, rules: RuleSet, limit: int) -> list[Candidate]:
    """Candidate pairs the run did not match, closest to the threshold first.

    Scored again exactly as the run scored them: the run's blocking rules on the current
    records, the trained m/u and prior, term frequencies of the current records.
    """
    model = rules.probabilistic
    if model is None or model.prior is None or not all(f.m and f.u for f in model.fields):
        return []
    comparisons.register_functions(cur)
    blocking.build_pairs(cur, rules)
    cols, joins = ["p.a", "p.b"], []
    for i, f in enumerate(model.fields):
        cols.append(f"{comparisons.level_sql(f)} AS f{i}")
        if f.tf_adjust:
            cur.execute(
                f"CREATE OR REPLACE TEMP TABLE __wb_review_tf{i} AS SELECT {f.field} AS v, "
                f"count(*) / sum(count(*)) OVER () AS tf FROM {RECORDS} "
                f"WHERE {f.field} IS NOT NULL GROUP BY v"
            )
            joins.append(f"LEFT JOIN __wb_review_tf{i} t{i} ON t{i}.v = l.{f.field}")
            cols.append(f"t{i}.tf AS tf{i}")
    m = [np.array(f.m) for f in model.fields]
    u = [np.array(f.u) for f in model.fields]
    score = score_sql(model, m, u, model.prior)
    floor = (_threshold_weight(rules) or 0.0) - NEAR_BAND
    rows = cur.execute(
        f"""SELECT a, b, 1.0 / (1.0 + pow(2.0, -score)) FROM (
            SELECT a, b, {score} AS score FROM (
                SELECT {", ".join(cols)} FROM {blocking.PAIRS} p
                JOIN {RECORDS} l ON l.rec = p.a JOIN {RECORDS} r ON r.rec = p.b {" ".join(joins)}
                WHERE NOT EXISTS (SELECT 1 FROM identity.edges e
                                  WHERE e.run_id = ? AND e.a = p.a AND e.b = p.b)))
        WHERE score < ? AND score >= ? ORDER BY score DESC, a, b LIMIT ?""",
        [run, _threshold_weight(rules), floor, limit],
    ).fetchall()
    cur.execute(f"DROP TABLE IF EXISTS {blocking.PAIRS}")
    t = model.threshold
    return [
        (_pair(a, b), f"just below the threshold ({p:.3f} < {t:g})", p, None) for a, b, p in rows
    ]


def _refused(cur: duckdb.DuckDBPyConnection, run: str, limit: int) -> list[Candidate]:
    """Matches the guardrails kept in different profiles, strongest first."""
    rows = cur.execute(
        f"""SELECT e.a, e.b, e.probability, e.rule FROM identity.edges e
        JOIN {_VIEW} v ON v.rec = e.a JOIN {_VIEW} w ON w.rec = e.b
        WHERE e.run_id = ? AND v.profile_id <> w.profile_id
        ORDER BY e.score DESC, e.a, e.b LIMIT ?""",
        [run, limit],
    ).fetchall()
    return [
        (_pair(a, b), "matched, but kept apart by guardrails", p, rule) for a, b, p, rule in rows
    ]


def _refs(cur: duckdb.DuckDBPyConnection, recs: set[int]) -> dict[int, tuple[RecordRef, str]]:
    rows = cur.execute(
        f"SELECT rec, source, record_id, profile_id FROM {_VIEW} WHERE rec IN (SELECT unnest(?))",
        [sorted(recs)],
    ).fetchall()
    return {rec: (RecordRef(s, r), p) for rec, s, r, p in rows}


# --------------------------------------------------------------------------- labels
def _labels_exist(cur: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        cur.execute(
            "SELECT count(*) FROM duckdb_tables() "
            "WHERE schema_name = 'meta' AND table_name = 'labels'"
        ).fetchone()[0]
    )


def _labelled_pairs(cur: duckdb.DuckDBPyConnection) -> set[tuple[RecordRef, RecordRef]]:
    if not _labels_exist(cur):
        return set()
    rows = cur.execute("SELECT a_source, a_record, b_source, b_record FROM meta.labels").fetchall()
    return {(RecordRef(a, ar), RecordRef(b, br)) for a, ar, b, br in rows}


def label_counts(project: Project) -> dict[str, int]:
    """How many pairs carry each label, and in all (``total``)."""
    cur = project.cursor()
    try:
        rows = (
            cur.execute("SELECT label, count(*) FROM meta.labels GROUP BY label").fetchall()
            if _labels_exist(cur)
            else []
        )
    finally:
        cur.close()
    counts = dict.fromkeys(LABELS, 0) | {label: int(n) for label, n in rows}
    counts["total"] = sum(counts[k] for k in LABELS)
    return counts


def pair_label(project: Project, left: RecordRef, right: RecordRef) -> str | None:
    """The label given to a pair (in either order), or None."""
    a, b = sorted([left, right], key=lambda r: (r.source, r.record_id))
    cur = project.cursor()
    try:
        if not _labels_exist(cur):
            return None
        row = cur.execute(
            "SELECT label FROM meta.labels WHERE a_source = ? AND a_record = ? "
            "AND b_source = ? AND b_record = ?",
            [a.source, a.record_id, b.source, b.record_id],
        ).fetchone()
    finally:
        cur.close()
    return row[0] if row else None


def remove_label(project: Project, left: RecordRef, right: RecordRef) -> None:
    """Forget a pair's label (an undo of a label given by mistake)."""
    a, b = sorted([left, right], key=lambda r: (r.source, r.record_id))
    with project.transaction() as cur:
        ensure_labels_table(cur)
        cur.execute(
            "DELETE FROM meta.labels WHERE a_source = ? AND a_record = ? "
            "AND b_source = ? AND b_record = ?",
            [a.source, a.record_id, b.source, b.record_id],
        )


# ----------------------------------------------------------------- showing a pair
@dataclass
class FieldRow:
    field: str
    left: str | None
    right: str | None
    level: str
    """The model's comparison level, or ``same``/``different``/``missing`` for other fields."""
    weight: float | None
    differs: bool


@dataclass
class PairView:
    """A pair side by side: the explanation and every identity field either record has."""

    explanation: Explanation
    rows: list[FieldRow]
    label: str | None


def pair_view(
    project: Project, left: RecordRef, right: RecordRef, run_id: str | None = None
) -> PairView:
    """Field by field: the model's fields with level and weight, then the other identity
    fields either record has (normalised values, as they were compared)."""
    result = explain(project, left, right, run_id)
    rows = [
        FieldRow(f.field, f.left, f.right, f.level, f.weight, _differ(f.left, f.right))
        for f in result.fields
        if f.left is not None or f.right is not None
    ]
    shown = {f.field for f in result.fields}
    cur = project.cursor()
    try:
        records = {}
        for ref in (left, right):
            row = cur.execute(
                f"SELECT {', '.join(FIELDS)} FROM {RECORDS} WHERE source = ? AND record_id = ?",
                [ref.source, ref.record_id],
            ).fetchone()
            records[ref] = dict(zip(FIELDS, row, strict=True)) if row else {}
    finally:
        cur.close()
    for name in FIELDS:
        if name in shown:
            continue
        lv, rv = records[left].get(name), records[right].get(name)
        if lv is None and rv is None:
            continue
        level = "missing" if lv is None or rv is None else "same" if lv == rv else "different"
        rows.append(FieldRow(name, lv, rv, level, None, _differ(lv, rv)))
    return PairView(result, rows, pair_label(project, left, right))


def _differ(left: str | None, right: str | None) -> bool:
    """Both records have the field and the values are not the same."""
    return left is not None and right is not None and left != right
