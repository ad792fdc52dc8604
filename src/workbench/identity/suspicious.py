"""Profiles worth a second look: very large ones, ones with conflicting keys, and ones
held together by a single weak match (a bridge)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from workbench.identity.records import RECORDS
from workbench.identity.runs import resolve_run
from workbench.project.store import Project

CONFLICT_KEYS = ("customer_id", "national_id", "dob", "email", "phone")
"""Fields whose disagreement inside one profile deserves a look."""
WEAK_P = 0.999
"""A bridge held by a match less probable than this is weak."""


@dataclass
class Suspect:
    profile_id: str
    records: int
    reasons: list[str]
    score: float

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def suspicious_profiles(
    project: Project, run_id: str | None = None, limit: int = 50
) -> list[Suspect]:
    """Ranked, most suspicious first."""
    cur = project.cursor()
    try:
        run = resolve_run(cur, run_id)
        found: dict[str, Suspect] = {}
        _large(cur, run, found)
        _conflicting(cur, run, found)
        _bridges(cur, run, found)
    finally:
        cur.close()
    return sorted(found.values(), key=lambda s: (-s.score, s.profile_id))[:limit]


def _add(found: dict[str, Suspect], pid: str, records: int, reason: str, score: float) -> None:
    s = found.setdefault(pid, Suspect(pid, records, [], 0.0))
    s.reasons.append(reason)
    s.score += score


def _large(cur: duckdb.DuckDBPyConnection, run: str, found: dict[str, Suspect]) -> None:
    rows = cur.execute(
        """WITH sizes AS (SELECT profile_id, count(*) AS n FROM identity.clusters WHERE run_id = ?
                          GROUP BY profile_id),
           cut AS (SELECT greatest(quantile_cont(n, 0.999), 8) AS q FROM sizes)
        SELECT profile_id, n, (SELECT q FROM cut) FROM sizes WHERE n > (SELECT q FROM cut)
        ORDER BY n DESC LIMIT 500""",
        [run],
    ).fetchall()
    for pid, n, q in rows:
        _add(found, pid, n, f"large: {n} records (99.9% of profiles have at most {q:.0f})", n / q)


def _conflicting(cur: duckdb.DuckDBPyConnection, run: str, found: dict[str, Suspect]) -> None:
    parts = ", ".join(f"count(DISTINCT r.{k}) AS {k}" for k in CONFLICT_KEYS)
    rows = cur.execute(
        f"""SELECT c.profile_id, count(*) AS n, {parts} FROM identity.clusters c
        JOIN {RECORDS} r ON r.source = c.source AND r.record_id = c.record_id
        WHERE c.run_id = ? GROUP BY c.profile_id
        HAVING {" OR ".join(f"count(DISTINCT r.{k}) > 1" for k in CONFLICT_KEYS[:3])}
        ORDER BY n DESC LIMIT 2000""",
        [run],
    ).fetchall()
    for pid, n, *counts in rows:
        details = [
            f"{c} {k} values"
            for k, c in zip(CONFLICT_KEYS, counts, strict=True)
            if c > 1 and k in CONFLICT_KEYS[:3]
        ]
        _add(found, pid, n, "several " + ", ".join(details), 2.0 * len(details))


def _bridges(cur: duckdb.DuckDBPyConnection, run: str, found: dict[str, Suspect]) -> None:
    """Profiles of 3+ records where one weak edge is the only link between two parts."""
    edges = cur.execute(
        """SELECT ca.profile_id, e.a, e.b,
               CASE WHEN e.rule = 'probabilistic' THEN e.probability ELSE 1.0 END
        FROM identity.edges e
        JOIN identity.clusters ca ON ca.run_id = e.run_id AND ca.rec = e.a
        JOIN identity.clusters cb ON cb.run_id = e.run_id AND cb.rec = e.b
        WHERE e.run_id = ? AND ca.profile_id = cb.profile_id AND ca.profile_id IN (
            SELECT profile_id FROM identity.clusters WHERE run_id = ? GROUP BY profile_id
            HAVING count(*) >= 3)
        ORDER BY ca.profile_id""",
        [run, run],
    ).fetchall()
    by_profile: dict[str, list[tuple[int, int, float]]] = {}
    for pid, a, b, p in edges:
        by_profile.setdefault(pid, []).append((a, b, p))
    for pid, es in by_profile.items():
        for _a, _b, p in _bridge_edges(es):
            if p is not None and p < WEAK_P:
                nodes = {x for e in es for x in e[:2]}
                _add(
                    found,
                    pid,
                    len(nodes),
                    f"held together by one weak match (p={p:.3f})",
                    1 + (1 - p) * 10,
                )
                break


def _bridge_edges(edges: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """Edges whose removal disconnects the graph (iterative Tarjan)."""
    graph: dict[int, list[tuple[int, int]]] = {}
    for i, (a, b, _) in enumerate(edges):
        graph.setdefault(a, []).append((b, i))
        graph.setdefault(b, []).append((a, i))
    disc: dict[int, int] = {}
    low: dict[int, int] = {}
    bridges = []
    counter = 0
    for root, neighbours in graph.items():
        if root in disc:
            continue
        disc[root] = low[root] = counter
        counter += 1
        stack = [(root, -1, iter(neighbours))]
        while stack:
            node, via, it = stack[-1]
            advanced = False
            for nxt, idx in it:
                if idx == via:
                    continue
                if nxt in disc:
                    low[node] = min(low[node], disc[nxt])
                else:
                    disc[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append((nxt, idx, iter(graph[nxt])))
                    advanced = True
                    break
            if not advanced:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > disc[parent]:
                        bridges.append(edges[via])
    return bridges
