"""``resolve``: records → candidate pairs → comparisons → scores → clusters → profiles.

The whole run is one transaction: a failure or a cancel leaves the previous
run current and intact. Each run is kept with its rule set, timings, counts and
edges, so runs can be explained and compared later.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field

import duckdb
import numpy as np

from workbench.identity import blocking, comparisons, profiles
from workbench.identity.attributes import build_attributes
from workbench.identity.auto import auto_ruleset
from workbench.identity.clustering import cluster
from workbench.identity.evaluate import pairwise_score
from workbench.identity.records import RECORDS, available_fields, build_records
from workbench.identity.ruleset import RuleSet
from workbench.identity.scoring import probability_sql, score_sql
from workbench.identity.store import current_run, ensure_tables, set_current_run
from workbench.identity.training import train
from workbench.project.errors import WorkbenchError
from workbench.project.sources import Source, list_sources
from workbench.project.store import Project, utcnow
from workbench.tasks import Cancelled, Task, null_task

CMP = "__wb_cmp"


class IdentityError(WorkbenchError):
    """A rule set cannot run on this project (the message names the field or rule)."""


@dataclass
class RunReport:
    run_id: str
    rules: RuleSet
    records: int
    candidate_pairs: int
    matched_pairs: int
    profiles: int
    merge_rate: float
    seconds: dict[str, float] = field(default_factory=dict)
    blocking: list[dict] = field(default_factory=list)
    matches_by_rule: dict[str, int] = field(default_factory=dict)
    size_histogram: dict[str, int] = field(default_factory=dict)
    refused_merges: int = 0
    events: int = 0
    linked_events: int = 0
    evaluation: dict | None = None
    training: dict | None = None

    def summary(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if k != "rules"}
        out["rules"] = self.rules.model_dump(mode="json")
        return out


def resolve(project: Project, rules: RuleSet | None = None, task: Task | None = None) -> RunReport:
    """Run identity resolution and make the run current."""
    task = task or null_task()
    sources = list_sources(project)
    fields = available_fields(sources)
    if rules is None:
        try:
            rules = auto_ruleset(fields)
        except ValueError as exc:
            raise IdentityError(str(exc)) from exc
    try:
        rules.check_fields(fields)
    except ValueError as exc:
        raise IdentityError(f"rule set '{rules.name}': {exc}") from exc
    run_id = "run-" + utcnow().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    started = utcnow()
    try:
        with project.transaction(task) as cur:
            ensure_tables(cur)
            report = _run(cur, rules, run_id, sources, task)
            cur.execute(
                "INSERT INTO meta.runs VALUES (?, 'identity', 'done', ?, ?, ?)",
                [run_id, started, utcnow(), json.dumps(report.summary(), default=str)],
            )
            set_current_run(cur, run_id)
    except duckdb.InterruptException as exc:
        raise Cancelled() from exc
    return report


def _timed(seconds: dict[str, float], name: str, start: float) -> float:
    now = time.perf_counter()
    seconds[name] = round(now - start, 3)
    return now


def _run(
    cur: duckdb.DuckDBPyConnection,
    rules: RuleSet,
    run_id: str,
    sources: list[Source],
    task: Task,
) -> RunReport:
    seconds: dict[str, float] = {}
    t = t0 = time.perf_counter()
    previous = current_run(cur)
    task.progress(0.02, "Normalising records")
    info = build_records(cur, sources, rules)
    comparisons.register_functions(cur)
    t = _timed(seconds, "records", t)

    task.progress(0.12, "Counting candidate pairs")
    counts = blocking.count_pairs(cur, rules)
    for c in counts:
        if c.pairs > rules.guardrails.max_pairs:
            raise IdentityError(
                f"blocking rule '{c.rule}' would produce {c.pairs:,} candidate pairs, more than "
                f"the limit of {rules.guardrails.max_pairs:,}; make it stricter or raise "
                "guardrails.max_pairs"
            )
    n_pairs = blocking.build_pairs(cur, rules)
    t = _timed(seconds, "blocking", t)

    task.progress(0.3, f"Comparing {n_pairs:,} candidate pairs")
    _build_comparisons(cur, rules)
    t = _timed(seconds, "comparisons", t)

    training = None
    model = rules.probabilistic
    score_expr = "0.0"
    if model is not None:
        task.progress(0.5, "Training the probabilistic model")
        trained = train(cur, model, [b.fields for b in rules.blocking], info.size, CMP)
        for i, f in enumerate(model.fields):
            f.m = [round(float(x), 8) for x in trained.m[i]]
            f.u = [round(float(x), 8) for x in trained.u[i]]
        model.prior = trained.prior
        score_expr = score_sql(model, trained.m, trained.u, trained.prior)
        training = {
            "prior": trained.prior,
            "em_iterations": trained.iterations,
            "u_pairs": trained.u_pairs,
        }
        t = _timed(seconds, "training", t)

    task.progress(0.6, "Scoring pairs")
    rule_cols = [f"rule{j}" for j, r in enumerate(rules.rules) if r.enabled]
    rule_name = (
        "CASE "
        + " ".join(
            f"WHEN rule{j} THEN {_lit(r.name)}" for j, r in enumerate(rules.rules) if r.enabled
        )
        + " END"
        if rule_cols
        else "NULL"
    )
    threshold = model.threshold if model is not None else 2.0
    level_list = "[" + ", ".join(f"f{i}" for i in range(len(model.fields))) + "]" if model else "[]"
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE __wb_scored AS SELECT a, b, {score_expr} AS score, hint, "
        f"{rule_name} AS rule, CAST({level_list} AS TINYINT[]) AS levels FROM {CMP}"
    )
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE __wb_edges AS SELECT a, b, score, hint, "
        f"{probability_sql('score')} AS probability, "
        "coalesce(rule, 'probabilistic') AS rule, levels "
        f"FROM __wb_scored WHERE rule IS NOT NULL OR {probability_sql('score')} >= {threshold}"
    )
    cur.execute(
        "INSERT INTO identity.edges "
        "SELECT ?, a, b, score, probability, rule, levels FROM __wb_edges",
        [run_id],
    )
    t = _timed(seconds, "scoring", t)

    task.progress(0.7, "Clustering")
    edges = cur.execute(
        "SELECT a, b, CASE WHEN rule = 'probabilistic' THEN score + 0.5 * hint ELSE 1e6 - "
        "coalesce(list_position(?, rule), 0) END AS strength FROM __wb_edges",
        [[r.name for r in rules.rules]],
    ).fetchnumpy()
    a = np.asarray(edges["a"], dtype=np.int64)
    b = np.asarray(edges["b"], dtype=np.int64)
    s = np.asarray(edges["strength"], dtype=np.float64)
    unique_keys = [k.field for k in rules.keys if k.unique]
    wanted = ["dob", "first_name", "last_name", *unique_keys]
    attrs = (
        cur.execute(f"SELECT rec, {', '.join(dict.fromkeys(wanted))} FROM {RECORDS}")
        .df()
        .set_index("rec")
        .reindex(range(info.size))
    )
    for f in ("dob", "first_name"):
        if f not in rules.guardrails.conflict_fields:
            attrs[f] = None
    result = cluster(
        info.size, a, b, s, attrs, unique_keys, rules.guardrails.max_profile_size, task
    )
    cur.register("__wb_label_arrow", _labels_frame(result.labels))
    cur.execute(f"CREATE OR REPLACE TEMP TABLE {profiles.LABELS} AS SELECT * FROM __wb_label_arrow")
    cur.unregister("__wb_label_arrow")
    t = _timed(seconds, "clustering", t)

    task.progress(0.8, "Building profiles")
    profiles.assign_profile_ids(cur, run_id, previous)
    priority = rules.source_priority + sorted(
        s.name for s in sources if s.name not in rules.source_priority
    )
    attributes = build_attributes(cur, sources, info.offsets, priority, profiles.LABELS)
    n_profiles = profiles.build_profiles(cur, rules, priority, info.fields, attributes)
    n_events, linked = profiles.build_events(cur, run_id, sources, rules)
    t = _timed(seconds, "profiles", t)

    histogram = dict(
        cur.execute(
            "SELECT CASE WHEN records >= 10 THEN '10+' ELSE CAST(records AS VARCHAR) END AS k, "
            f"count(*) FROM {profiles.PROFILES} GROUP BY k ORDER BY min(records)"
        ).fetchall()
    )
    by_rule = dict(cur.execute("SELECT rule, count(*) FROM __wb_edges GROUP BY rule").fetchall())
    matched = sum(by_rule.values())
    evaluation = None
    if info.has_truth:
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE __wb_eval AS SELECT c.profile_id, r.truth_id FROM "
            f"{profiles.CLUSTERS} c JOIN {RECORDS} r USING (rec) WHERE c.run_id = ?",
            [run_id],
        )
        evaluation = pairwise_score(cur, "__wb_eval", "profile_id", "truth_id").as_dict()
        curve = _threshold_curve(cur) if model is not None else []
        if curve:
            evaluation["threshold_curve"] = curve
    _timed(seconds, "evaluation", t)
    seconds["total"] = round(time.perf_counter() - t0, 3)
    task.progress(0.98, "Saving the run")
    return RunReport(
        run_id=run_id,
        rules=rules,
        records=info.count,
        candidate_pairs=n_pairs,
        matched_pairs=matched,
        profiles=n_profiles,
        merge_rate=1 - n_profiles / info.count if info.count else 0.0,
        seconds=seconds,
        blocking=[c.as_dict() for c in counts],
        matches_by_rule=by_rule,
        size_histogram=histogram,
        refused_merges=result.refused_merges,
        events=n_events,
        linked_events=linked,
        evaluation=evaluation,
        training=training,
    )


CURVE_THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 0.9999)


def _threshold_curve(cur: duckdb.DuckDBPyConnection) -> list[dict]:
    """Pairwise precision and recall of the probabilistic score at several thresholds."""
    total_true = cur.execute(
        f"SELECT sum(n * (n - 1) // 2) FROM (SELECT count(*) AS n FROM {RECORDS} "
        "WHERE truth_id IS NOT NULL GROUP BY truth_id)"
    ).fetchone()[0]
    if not total_true:
        return []
    parts = ", ".join(
        f"count(*) FILTER (WHERE p >= {t}), count(*) FILTER (WHERE p >= {t} AND same)"
        for t in CURVE_THRESHOLDS
    )
    row = cur.execute(
        f"SELECT {parts} FROM (SELECT {probability_sql('s.score')} AS p, "
        f"coalesce(l.truth_id = r.truth_id, false) AS same FROM __wb_scored s "
        f"JOIN {RECORDS} l ON l.rec = s.a JOIN {RECORDS} r ON r.rec = s.b)"
    ).fetchone()
    out = []
    for i, t in enumerate(CURVE_THRESHOLDS):
        predicted, correct = row[2 * i], row[2 * i + 1]
        out.append(
            {
                "threshold": t,
                "precision": correct / predicted if predicted else 1.0,
                "recall": correct / total_true,
                "pairs": predicted,
            }
        )
    return out


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _labels_frame(labels: np.ndarray):
    import pyarrow as pa  # noqa: PLC0415

    return pa.table(
        {"rec": np.arange(len(labels), dtype=np.int32), "label": labels.astype(np.int64)}
    )


def _build_comparisons(cur: duckdb.DuckDBPyConnection, rules: RuleSet) -> None:
    cols = ["p.a", "p.b"]
    joins = []
    model = rules.probabilistic
    if model is not None:
        for i, f in enumerate(model.fields):
            cols.append(f"{comparisons.level_sql(f)} AS f{i}")
            if f.tf_adjust:
                cur.execute(
                    f"CREATE OR REPLACE TEMP TABLE __wb_tf{i} AS SELECT {f.field} AS v, "
                    f"count(*) / sum(count(*)) OVER () AS tf FROM {RECORDS} "
                    f"WHERE {f.field} IS NOT NULL GROUP BY v"
                )
                joins.append(f"LEFT JOIN __wb_tf{i} t{i} ON t{i}.v = l.{f.field}")
                cols.append(f"t{i}.tf AS tf{i}")
    for i, rule in enumerate(rules.blocking):
        agree = " AND ".join(f"coalesce(l.{f} = r.{f}, false)" for f in rule.fields)
        cols.append(f"({agree}) AS agree{i}")
    for j, rule in enumerate(rules.rules):
        if rule.enabled:
            cols.append(f"{comparisons.rule_sql(rule)} AS rule{j}")
    cols.append(f"{NAME_HINT} AS hint")
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE {CMP} AS SELECT {', '.join(cols)} "
        f"FROM {blocking.PAIRS} p JOIN {RECORDS} l ON l.rec = p.a JOIN {RECORDS} r ON r.rec = p.b "
        + " ".join(joins)
    )


NAME_HINT = (
    "CAST(coalesce((length(r.first_name) >= 3 AND contains(split_part(l.email, '@', 1), "
    "r.first_name)) OR (length(l.first_name) >= 3 AND contains(split_part(r.email, '@', 1), "
    "l.first_name)), false) AS TINYINT)"
)
"""A tie-break for clustering: the other record's first name is in this one's e-mail
(emily_santiago@ belongs with Emily rather than with her housemate)."""
