"""Fellegi-Sunter training without labels: u from random pairs, m by EM.

u (how often non-matches agree) comes from random record pairs, which are
almost all non-matches. m (how often matches agree) is estimated by EM on the
candidate pairs, once per blocking rule with that rule's own fields left out
(they agree on every pair the rule found, so they carry no information there),
then averaged over the rules where the field was free.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np

from workbench.identity.comparisons import level_sql
from workbench.identity.records import RECORDS
from workbench.identity.ruleset import Probabilistic

U_SAMPLE_PAIRS = 600_000
EM_ITERATIONS = 40
_FLOOR = 1e-6


@dataclass
class Trained:
    m: list[np.ndarray]
    u: list[np.ndarray]
    prior: float
    iterations: int
    u_pairs: int


def _n_levels(model: Probabilistic) -> list[int]:
    return [len(f.levels) + 1 for f in model.fields]


def estimate_u(
    cur: duckdb.DuckDBPyConnection, model: Probabilistic, n_records: int, seed: int = 11
) -> tuple[list[np.ndarray], int]:
    """Level frequencies among random pairs (deterministic for a given seed)."""
    pairs = min(U_SAMPLE_PAIRS, max(n_records * 4, 10_000))
    levels = ", ".join(f"{level_sql(f)} AS f{i}" for i, f in enumerate(model.fields))
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE __wb_upairs AS SELECT {levels} FROM "
        f"(SELECT hash(i, {seed}) % {n_records} AS a, hash(i, {seed + 1}) % {n_records} AS b "
        f"FROM range({pairs}) t(i)) p "
        f"JOIN {RECORDS} l ON l.rec = p.a JOIN {RECORDS} r ON r.rec = p.b WHERE p.a <> p.b"
    )
    out = []
    for i, k in enumerate(_n_levels(model)):
        counts = np.zeros(k)
        for level, n in cur.execute(
            f"SELECT f{i}, count(*) FROM __wb_upairs WHERE f{i} >= 0 GROUP BY f{i}"
        ).fetchall():
            counts[int(level)] = n
        total = counts.sum()
        u = (counts + 0.5) / (total + 0.5 * k) if total else np.full(k, 1.0 / k)
        out.append(np.maximum(u, _FLOOR))
    return out, pairs


def _initial_m(k: int) -> np.ndarray:
    """Strong levels likely among matches; disagreement rare."""
    m = np.array([0.9 * (0.25**i) for i in range(k - 1)] + [0.05])
    return m / m.sum()


def _log_bayes_factors(
    patterns: np.ndarray, u: list[np.ndarray], m: list[np.ndarray], free: list[bool]
) -> np.ndarray:
    """Per pattern, the sum of log(m/u) over the free fields that are not missing."""
    log_bf = np.zeros(len(patterns))
    for f in range(patterns.shape[1]):
        if not free[f]:
            continue
        lv = patterns[:, f]
        seen = lv >= 0
        log_bf[seen] += np.log(m[f][lv[seen]]) - np.log(u[f][lv[seen]])
    return log_bf


def _posterior(log_bf: np.ndarray, prior: float) -> np.ndarray:
    """P(match | pattern) for a prior share of matches."""
    logit = np.log(prior) - np.log1p(-prior) + log_bf
    return 1.0 / (1.0 + np.exp(-np.clip(logit, -700, 700)))


def em(
    patterns: np.ndarray,
    counts: np.ndarray,
    u: list[np.ndarray],
    m: list[np.ndarray],
    prior: float,
    free: list[bool],
    iterations: int = EM_ITERATIONS,
) -> tuple[list[np.ndarray], float, int]:
    """EM over distinct comparison patterns; only ``free`` fields enter the likelihood."""
    m = [x.copy() for x in m]
    n_fields = patterns.shape[1]
    done = 0
    for step in range(1, iterations + 1):
        done = step
        weighted = _posterior(_log_bayes_factors(patterns, u, m, free), prior) * counts
        new_prior = float(np.clip(weighted.sum() / counts.sum(), 1e-6, 1 - 1e-6))
        for f in range(n_fields):
            if not free[f]:
                continue
            lv = patterns[:, f]
            k = len(m[f])
            sums = np.bincount(lv[lv >= 0], weights=weighted[lv >= 0], minlength=k)
            if sums.sum() > 0:
                m[f] = np.maximum((sums + 1e-3) / (sums.sum() + 1e-3 * k), _FLOOR)
        converged = abs(new_prior - prior) < 1e-7
        prior = new_prior
        if converged:
            break
    return m, prior, done


def train(
    cur: duckdb.DuckDBPyConnection,
    model: Probabilistic,
    blocked_fields: list[list[str]],
    n_records: int,
    comparisons_table: str,
) -> Trained:
    """Estimate u, then m per blocking rule, combined over the rules where a field was free."""
    u, u_pairs = estimate_u(cur, model, n_records)
    k = _n_levels(model)
    init = [_initial_m(n) for n in k]
    names = [f.field for f in model.fields]
    sums = [np.zeros(n) for n in k]
    weights = [0.0 for _ in k]
    total_iterations = 0
    level_cols = ", ".join(f"f{i}" for i in range(len(names)))
    for index, fields in enumerate(blocked_fields):
        rows = cur.execute(
            f"SELECT {level_cols}, count(*) FROM {comparisons_table} WHERE agree{index} "
            f"GROUP BY ALL"
        ).fetchall()
        if not rows:
            continue
        data = np.array(rows, dtype=np.int64)
        free = [n not in fields for n in names]
        m, prior, its = em(data[:, :-1], data[:, -1].astype(float), u, init, 0.3, free)
        total_iterations += its
        matches = prior * data[:, -1].sum()
        for f in range(len(names)):
            if free[f]:
                sums[f] += m[f] * matches
                weights[f] += matches
    m_final = [
        s / w if w > 0 else init[f] for f, (s, w) in enumerate(zip(sums, weights, strict=True))
    ]
    rows = cur.execute(
        f"SELECT {level_cols}, count(*) FROM {comparisons_table} GROUP BY ALL"
    ).fetchall()
    # No candidate pairs at all (every key unique): nothing to learn a prior from.
    prior = _prior_only(np.array(rows, dtype=np.int64), u, m_final) if rows else 0.5
    return Trained(m_final, u, prior, total_iterations, u_pairs)


def _prior_only(data: np.ndarray, u: list[np.ndarray], m: list[np.ndarray]) -> float:
    """Share of matches among candidate pairs, with m and u held fixed."""
    patterns, counts = data[:, :-1], data[:, -1].astype(float)
    log_bf = _log_bayes_factors(patterns, u, m, [True] * patterns.shape[1])
    prior = 0.3
    for _ in range(100):
        w = _posterior(log_bf, prior)
        new = float(np.clip((w * counts).sum() / counts.sum(), 1e-6, 1 - 1e-6))
        if abs(new - prior) < 1e-9:
            break
        prior = new
    return prior
