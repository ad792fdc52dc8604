"""Clusters of matched records that never join records which cannot be one person.

Edges are taken strongest first. Most connected components have no conflicting
evidence at all and are accepted as they are (scipy, vectorised); only the
components holding a conflict (two birth dates, two first names, two values of
a unique key) or exceeding the maximum profile size are rebuilt greedily, edge
by edge, refusing any merge that would join conflicting records. So a chain of
matches can never carry two different people into one profile.
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


def _evidence(frame: pd.DataFrame, row: int, unique_keys: list[str]) -> Evidence:
    ev = Evidence()
    dob = frame.at[row, "dob"]
    if isinstance(dob, str):
        ev.dobs.add(dob)
    first = frame.at[row, "first_name"]
    last = frame.at[row, "last_name"]
    if isinstance(first, str):
        ev.names.add((first, last if isinstance(last, str) else None))
    for key in unique_keys:
        value = frame.at[row, key]
        if isinstance(value, str):
            ev.unique[key] = {value}
    return ev


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
    """Label each of ``n`` records with a cluster; ``attributes`` is indexed by record."""
    graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    frame = attributes
    frame = frame.assign(component=labels)
    checks = ["dob", "first_name", *unique_keys]
    grouped = frame.groupby("component", sort=False)
    stats = grouped[checks].nunique()
    sizes = grouped.size()
    careful = stats.gt(1).any(axis=1)
    if max_size is not None:
        careful |= sizes > max_size
    careful_ids = set(stats.index[careful])
    task.check()
    if not careful_ids:
        return ClusterResult(labels, 0, 0)
    in_careful = np.isin(labels[a], list(careful_ids))
    order = np.argsort(-score[in_careful], kind="stable")
    ea, eb = a[in_careful][order], b[in_careful][order]
    parent: dict[int, int] = {}
    evidence: dict[int, Evidence] = {}
    members = np.flatnonzero(np.isin(labels, list(careful_ids)))
    for rec in members:
        parent[int(rec)] = int(rec)
        evidence[int(rec)] = _evidence(frame, int(rec), unique_keys)

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    refused = 0
    for i, (x, y) in enumerate(zip(ea.tolist(), eb.tolist(), strict=True)):
        if i % 100_000 == 0:
            task.check()
        rx, ry = find(x), find(y)
        if rx == ry:
            continue
        ex, ey = evidence[rx], evidence[ry]
        if max_size is not None and ex.size + ey.size > max_size:
            refused += 1
            continue
        if ex.conflicts_with(ey) is not None:
            refused += 1
            continue
        if ex.size < ey.size:
            rx, ry, ex, ey = ry, rx, ey, ex
        parent[ry] = rx
        ex.merge(ey)
        del evidence[ry]
    new_labels = labels.copy()
    offset = int(labels.max()) + 1
    for rec in members.tolist():
        new_labels[rec] = offset + find(rec)
    return ClusterResult(new_labels, refused, len(careful_ids))
