"""Clusters of matched records that never join records which cannot be one person.

Edges are taken strongest first. Most connected components have no conflicting
evidence at all and are accepted as they are (scipy, vectorised); only the
components holding a possible conflict (two birth dates, two first names, two
values of a unique key) or exceeding the maximum profile size are rebuilt
greedily, edge by edge, refusing any merge that would join conflicting records.
So a chain of matches can never carry two different people into one profile.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from workbench.identity.conflicts import Evidence
from workbench.tasks import Task


@dataclass
class ClusterResult:
    labels: np.ndarray
    refused_merges: int
    careful_components: int
    careful_records: int


def _careful_components(
    labels: np.ndarray, attributes: pd.DataFrame, checks: list[str], max_size: int | None
) -> np.ndarray:
    """Component ids holding more than one value of a conflict field (or too many records)."""
    frame = attributes[checks].assign(component=labels)
    flagged = np.zeros(labels.max() + 1, dtype=bool)
    for column in checks:
        pairs = frame[["component", column]].dropna().drop_duplicates()
        counts = np.bincount(pairs["component"].to_numpy(), minlength=len(flagged))
        flagged |= counts > 1
    if max_size is not None:
        flagged |= np.bincount(labels, minlength=len(flagged)) > max_size
    return np.flatnonzero(flagged)


def cluster(
    n: int,
    a: np.ndarray,
    b: np.ndarray,
    score: np.ndarray,
    attributes: pd.DataFrame,
    unique_keys: list[str],
    max_size: int | None,
    task: Task,
) -> ClusterResult:
    """Label each of ``n`` records with a cluster; ``attributes`` rows are records in order."""
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    checks = [c for c in ("dob", "first_name", *unique_keys) if attributes[c].notna().any()]
    careful = (
        _careful_components(labels, attributes, checks, max_size) if checks or max_size else []
    )
    task.check()
    if len(careful) == 0:
        return ClusterResult(labels, 0, 0, 0)
    is_careful = np.zeros(labels.max() + 1, dtype=bool)
    is_careful[careful] = True
    members = np.flatnonzero(is_careful[labels])
    keep = is_careful[labels[a]]
    ka, kb = a[keep], b[keep]
    order = np.lexsort((kb, ka, -score[keep]))  # strongest first; ties by record, so re-runs agree
    ea = ka[order].tolist()
    eb = kb[order].tolist()

    sub = attributes.iloc[members]
    dobs = sub["dob"].tolist()
    firsts = sub["first_name"].tolist()
    lasts = sub["last_name"].tolist()
    uniques = {k: sub[k].tolist() for k in unique_keys}
    parent = list(range(n))
    evidence: dict[int, Evidence] = {}
    for i, rec in enumerate(members.tolist()):
        ev = Evidence()
        if isinstance(dobs[i], str):
            ev.dobs.add(dobs[i])
        if isinstance(firsts[i], str):
            ev.names.add((firsts[i], lasts[i] if isinstance(lasts[i], str) else None))
        for k, values in uniques.items():
            if isinstance(values[i], str):
                ev.unique[k] = {values[i]}
        evidence[rec] = ev

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    refused = 0
    for i, (x, y) in enumerate(zip(ea, eb, strict=True)):
        if i % 200_000 == 0:
            task.check()
        rx, ry = find(x), find(y)
        if rx == ry:
            continue
        ex, ey = evidence[rx], evidence[ry]
        if (max_size is not None and ex.size + ey.size > max_size) or ex.conflicts_with(ey):
            refused += 1
            continue
        if ex.size < ey.size:
            rx, ry, ex, ey = ry, rx, ey, ex
        parent[ry] = rx
        ex.merge(ey)
        del evidence[ry]
    new_labels = labels.astype(np.int64)
    offset = int(labels.max()) + 1
    new_labels[members] = offset + np.fromiter(
        (find(r) for r in members.tolist()), dtype=np.int64, count=len(members)
    )
    return ClusterResult(new_labels, refused, len(careful), len(members))
