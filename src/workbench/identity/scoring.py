"""Turn trained m/u into SQL match weights (log2 Bayes factors), with term frequencies."""

from __future__ import annotations

import math

import numpy as np

from workbench.identity.ruleset import Probabilistic

TF_CLIP = 5.0
"""Term-frequency adjustments move a weight by at most this many bits."""


def weights(m: list[np.ndarray], u: list[np.ndarray]) -> list[list[float]]:
    return [
        [math.log2(mi / ui) for mi, ui in zip(mf, uf, strict=True)]
        for mf, uf in zip(m, u, strict=True)
    ]


def score_sql(model: Probabilistic, m: list[np.ndarray], u: list[np.ndarray], prior: float) -> str:
    """SQL for the total match weight of a row of the comparisons table."""
    w = weights(m, u)
    terms = [f"{math.log2(prior / (1 - prior)):.6f}"]
    for i, f in enumerate(model.fields):
        cases = " ".join(f"WHEN {lv} THEN {wt:.6f}" for lv, wt in enumerate(w[i]))
        term = f"(CASE f{i} {cases} ELSE 0 END)"
        if f.tf_adjust:
            u_exact = float(u[i][0])
            term += (
                f" + (CASE WHEN f{i} = 0 AND tf{i} IS NOT NULL THEN greatest(least("
                f"log2({u_exact!r} / greatest(tf{i}, 1e-9)), {TF_CLIP}), -{TF_CLIP}) ELSE 0 END)"
            )
        terms.append(term)
    return " + ".join(terms)


def tf_adjustment(u_exact: float, tf: float | None) -> float:
    """The same adjustment score_sql applies, for one value (used by explain)."""
    if tf is None:
        return 0.0
    return max(min(math.log2(u_exact / max(tf, 1e-9)), TF_CLIP), -TF_CLIP)


def probability_sql(weight: str) -> str:
    return f"(1.0 / (1.0 + pow(2.0, -({weight}))))"
