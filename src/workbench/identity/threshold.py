"""Profiles at another match threshold, without re-running: what would merge or split.

Moving the probabilistic threshold of a kept run only changes which stored edges count,
so the profiles at threshold ``t`` are the clusters of the run's edges with probability
>= ``t`` plus every deterministic-rule edge, under the same guardrails. That is cheap
(numpy and one pass of the clustering) and is what the threshold slider shows.

What is approximated, and why:

- ``identity.edges`` keeps only the pairs that matched in the run, i.e. at or above the
  run's own threshold. Below it there is nothing more to add, so the profiles below the
  run's threshold are the run's own (``exact`` is False then): seeing what a lower
  threshold would merge needs a re-run.
- Clustering takes edges strongest first, with the run's name-in-e-mail tie-break. That
  tie-break and the guardrails need the records' normalised values (e-mail, birth date,
  first and last name, unique keys), read from ``identity.records``, which holds the
  records of the latest run.
  For an older run they are used when the record numbers still match (values normalised
  as the latest run did) and left out otherwise (``guardrails`` False: plain connected
  components, no tie-break), so there the result is an estimate. At the run's own
  threshold, with the records of that run, the result is the run's own clustering.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from workbench.identity.clustering import cluster
from workbench.identity.pipeline import NAME_HINT
from workbench.identity.records import RECORDS
from workbench.identity.ruleset import FIELDS
from workbench.identity.runs import resolve_run, run_rules
from workbench.ingest.sqltext import ident
from workbench.project.store import Project
from workbench.tasks import Task, null_task

PROBABILISTIC = "probabilistic"
_CONFLICT_COLUMNS = ("dob", "first_name", "last_name")


@dataclass(frozen=True)
class RunGraph:
    """A run's records, profiles and match edges, loaded once to try many thresholds."""

    run_id: str
    threshold: float | None
    """The run's probabilistic threshold (None: the run had no probabilistic model)."""
    recs: np.ndarray
    """Record numbers of the run."""
    profile_index: np.ndarray
    """The run's profile of each record of ``recs``, as an index 0..profiles-1."""
    profiles: int
    a: np.ndarray
    b: np.ndarray
    probability: np.ndarray
    deterministic: np.ndarray
    """True for edges a deterministic rule made (they hold at any threshold)."""
    strength: np.ndarray
    """Clustering order: deterministic rules first (in rule order), then by score."""
    attributes: pd.DataFrame | None
    """Conflict values by record number (None: guardrails cannot be checked)."""
    unique_keys: tuple[str, ...] = ()
    max_profile_size: int | None = None

    @property
    def size(self) -> int:
        """One more than the largest record number."""
        return int(self.recs.max()) + 1 if len(self.recs) else 0


@dataclass(frozen=True)
class ThresholdResult:
    run_id: str
    threshold: float
    run_threshold: float | None
    profiles: int
    run_profiles: int
    merges: int
    """Profiles at ``threshold`` that join two or more of the run's profiles."""
    splits: int
    """Profiles of the run that come apart into two or more at ``threshold``."""
    records_moved: int
    """Records no longer with the bulk of their run profile."""
    edges: int
    """Match edges that hold at ``threshold``."""
    refused_merges: int
    exact: bool
    """False below the run's threshold: pairs under it were not kept (re-run to see them)."""
    guardrails: bool
    """Whether conflict guardrails were applied."""

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def load_run_graph(project: Project, run_id: str | None = None) -> RunGraph:
    """Read a run's clusters, edges and conflict values (one cursor, read only)."""
    cur = project.cursor()
    try:
        run = resolve_run(cur, run_id)
        rules = run_rules(cur, run)
        clusters = cur.execute(
            "SELECT rec, dense_rank() OVER (ORDER BY profile_id) - 1 AS p "
            "FROM identity.clusters WHERE run_id = ? ORDER BY rec",
            [run],
        ).fetchnumpy()
        recs = np.asarray(clusters["rec"], dtype=np.int64)
        unique_keys = tuple(k.field for k in rules.keys if k.unique and k.field in FIELDS)
        attributes = _attributes(cur, run, recs, unique_keys, rules.guardrails.conflict_fields)
        joins = f"JOIN {RECORDS} l ON l.rec = e.a JOIN {RECORDS} r ON r.rec = e.b "
        hint, joins = (NAME_HINT, joins) if attributes is not None else ("0", "")
        edges = cur.execute(
            "SELECT e.a, e.b, coalesce(e.probability, 0.0) AS probability, "
            f"coalesce(e.score, 0.0) + 0.5 * {hint} AS score, e.rule FROM identity.edges e "
            f"{joins}WHERE e.run_id = ?",
            [run],
        ).fetchnumpy()
    finally:
        cur.close()
    edge_rules = pd.Series(np.asarray(edges["rule"], dtype=object))
    deterministic = (edge_rules != PROBABILISTIC).to_numpy()
    order = {r.name: i + 1 for i, r in reversed(list(enumerate(rules.rules)))}
    position = edge_rules.map(order).fillna(0).to_numpy(dtype=np.float64)
    score = np.asarray(edges["score"], dtype=np.float64)
    model = rules.probabilistic
    return RunGraph(
        run_id=run,
        threshold=model.threshold if model is not None else None,
        recs=recs,
        profile_index=np.asarray(clusters["p"], dtype=np.int64),
        profiles=int(clusters["p"].max()) + 1 if len(recs) else 0,
        a=np.asarray(edges["a"], dtype=np.int64),
        b=np.asarray(edges["b"], dtype=np.int64),
        probability=np.asarray(edges["probability"], dtype=np.float64),
        deterministic=deterministic,
        strength=np.where(deterministic, 1e6 - position, score),
        attributes=attributes,
        unique_keys=unique_keys if attributes is not None else (),
        max_profile_size=rules.guardrails.max_profile_size,
    )


def _attributes(
    cur: duckdb.DuckDBPyConnection,
    run: str,
    recs: np.ndarray,
    unique_keys: tuple[str, ...],
    conflict_fields: list[str],
) -> pd.DataFrame | None:
    """Conflict values per record, as the clustering of the run saw them, when still there."""
    exists = cur.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'identity' "
        "AND table_name = 'records'"
    ).fetchone()[0]
    if not exists or not len(recs):
        return None
    matching = cur.execute(
        f"SELECT count(*) FROM identity.clusters c JOIN {RECORDS} r ON r.rec = c.rec "
        "AND r.source = c.source AND r.record_id = c.record_id WHERE c.run_id = ?",
        [run],
    ).fetchone()[0]
    if matching != len(recs):
        return None
    columns = list(dict.fromkeys((*_CONFLICT_COLUMNS, *unique_keys)))
    frame = (
        cur.execute(f"SELECT rec, {', '.join(ident(c) for c in columns)} FROM {RECORDS}")
        .df()
        .set_index("rec")
        .reindex(range(int(recs.max()) + 1))
    )
    for field in ("dob", "first_name"):
        if field not in conflict_fields:
            frame[field] = None
    return frame


def profiles_at(graph: RunGraph, threshold: float, task: Task | None = None) -> ThresholdResult:
    """The run's profiles if only edges at or above ``threshold`` counted."""
    task = task or null_task()
    keep = graph.deterministic | (graph.probability >= threshold)
    n = graph.size
    attributes = graph.attributes
    if attributes is None:
        attributes = pd.DataFrame(
            {c: [None] * n for c in _CONFLICT_COLUMNS}, index=pd.RangeIndex(n), dtype=object
        )
    result = cluster(
        n,
        graph.a[keep],
        graph.b[keep],
        graph.strength[keep],
        attributes,
        list(graph.unique_keys),
        graph.max_profile_size,
        task,
    )
    new = np.asarray(result.labels, dtype=np.int64)[graph.recs]
    old = graph.profile_index
    pairs = np.unique(np.stack([new, old], axis=1), axis=0) if len(new) else np.empty((0, 2))
    new_ids, new_parts = np.unique(pairs[:, 0], return_counts=True)
    _old_ids, old_parts = np.unique(pairs[:, 1], return_counts=True)
    return ThresholdResult(
        run_id=graph.run_id,
        threshold=float(threshold),
        run_threshold=graph.threshold,
        profiles=len(new_ids),
        run_profiles=graph.profiles,
        merges=int((new_parts > 1).sum()),
        splits=int((old_parts > 1).sum()),
        records_moved=_records_moved(new, old),
        edges=int(keep.sum()),
        refused_merges=result.refused_merges,
        exact=graph.threshold is None or threshold >= graph.threshold,
        guardrails=graph.attributes is not None,
    )


def _records_moved(new: np.ndarray, old: np.ndarray) -> int:
    """Per run profile, the records outside its largest part at the new threshold."""
    if not len(new):
        return 0
    pairs, counts = np.unique(np.stack([old, new], axis=1), axis=0, return_counts=True)
    frame = pd.DataFrame({"old": pairs[:, 0], "n": counts})
    totals = frame.groupby("old")["n"].agg(["sum", "max"])
    return int((totals["sum"] - totals["max"]).sum())


def profiles_at_threshold(
    project: Project, threshold: float, run_id: str | None = None, task: Task | None = None
) -> ThresholdResult:
    """Load the run and cluster it at ``threshold`` (for one-off calls and the CLI)."""
    return profiles_at(load_run_graph(project, run_id), threshold, task)
