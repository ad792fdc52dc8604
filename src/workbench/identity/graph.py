"""The identity graph of one profile: its records as nodes, the run's match edges between them,
weak bridges, the analyst's labels, and (against a second run) the edges that came or went.

Nodes are keyed by their record reference ``source:record_id`` rather than the run's rec
number, so the records of two runs (or of a run and its cached layout) line up even when rec
numbers differ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import duckdb
import numpy as np

from workbench.identity.comparisons import level_label
from workbench.identity.records import RECORDS
from workbench.identity.ruleset import RuleSet
from workbench.identity.runs import resolve_run, run_rules
from workbench.identity.scoring import weights
from workbench.identity.store import current_run
from workbench.identity.suspicious import CONFLICT_KEYS, _bridge_edges
from workbench.identity.suspicious import WEAK_P as WEAK_BRIDGE_P
from workbench.ingest.roles import IDENTITY_ROLES, LINK_KEYS
from workbench.project.errors import WorkbenchError
from workbench.project.store import Project
from workbench.tasks import Task, interrupting, null_task

SAME, ADDED, REMOVED = "same", "added", "removed"
MATCH, SHARED = "match", "shared"
_STRENGTH_BITS = 20.0
"""Match weight above the threshold's at which an edge counts as full strength."""
_LABEL_KEYS = ("email", "phone", "customer_id", "device_id", "cookie_id", "national_id")


class ProfileNotFoundError(WorkbenchError):
    """The profile is in neither run."""


@dataclass
class GraphNode:
    ref: str
    """``source:record_id``: the node's identity across runs."""
    source: str
    record_id: str
    rec: int | None
    """The record's number in the run (None when only the compare run holds it)."""
    profile_id: str | None
    """Its profile in the run (None when only the compare run holds it)."""
    compare_profile: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    """The record's non-empty identity fields (normalised), and its truth id if known."""
    label: str = ""
    """A key value that names the record on the graph (e-mail, phone, an id)."""
    title: str = ""
    """The person's name, when the record has one."""
    neighbour: bool = False
    """From a neighbouring profile (shares a key value), not the profile itself."""


@dataclass
class GraphEdge:
    a: int
    """Index of the left node in ``ProfileGraph.nodes``."""
    b: int
    run_id: str
    """The run whose edge this is (the compare run for a removed edge)."""
    kind: str = MATCH
    """``match`` (a stored match edge) or ``shared`` (a shared key value to a neighbour)."""
    score: float | None = None
    probability: float | None = None
    rule: str = ""
    group: str = ""
    """What colours the edge: ``rule:NAME`` for a deterministic rule, ``field:NAME`` for the
    field that weighed most in a probabilistic match, ``shared:FIELD`` for a shared key."""
    evidence: list[str] = field(default_factory=list)
    """Fields that agreed, with their level (``email exact``)."""
    strength: float = 1.0
    """0..1: how far the match is above the threshold (rules count as 1)."""
    status: str = SAME
    bridge: bool = False
    weak: bool = False
    """A bridge held by a match below ``WEAK_BRIDGE_P`` inside a profile of 3+ records."""
    label: str | None = None
    """The analyst's label on this record pair, if any."""


@dataclass
class PairLabel:
    a: int
    b: int
    label: str


@dataclass
class ProfileGraph:
    run_id: str
    profile_id: str
    compare_run: str | None
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    labels: list[PairLabel]
    """Every labelled pair among the nodes (also pairs without a match edge)."""
    sources: list[str]
    groups: list[str]
    """Edge groups in legend order."""
    group_titles: dict[str, str] = field(default_factory=dict)
    """What each edge group means, for a legend."""
    neighbourhood: int = 0
    truncated: bool = False
    golden: dict[str, str] = field(default_factory=dict)
    """The profile's golden values (when the run is the current one)."""
    conflicts: dict[str, list[str]] = field(default_factory=dict)
    """Key fields whose records disagree inside the profile, with their distinct values."""
    notes: list[str] = field(default_factory=list)

    @property
    def layout_key(self) -> str:
        """Which drawing of the profile a cached layout belongs to."""
        parts = [f"compare:{self.compare_run}"] if self.compare_run else []
        if self.neighbourhood:
            parts.append(f"n{self.neighbourhood}")
        return "|".join(parts)

    def index(self) -> dict[str, int]:
        return {n.ref: i for i, n in enumerate(self.nodes)}

    def edge_between(self, left: str, right: str) -> GraphEdge | None:
        where = self.index()
        pair = {where.get(left), where.get(right)}
        for e in self.edges:
            if {e.a, e.b} == pair:
                return e
        return None


def profile_graph(
    project: Project,
    profile_id: str,
    run_id: str | None = None,
    compare_run: str | None = None,
    neighbourhood: int = 0,
    max_nodes: int = 2000,
    task: Task | None = None,
) -> ProfileGraph:
    """The graph of ``profile_id`` in ``run_id`` (None: the current run).

    With ``compare_run`` the nodes are the profile's records in the run plus the records of
    every compare-run profile holding one of them; each edge is ``same``, ``added`` (only in
    the run) or ``removed`` (only in the compare run). ``neighbourhood=1`` adds the profiles
    sharing a key value with the profile. At most ``max_nodes`` nodes (``truncated`` says so).
    """
    task = task or null_task()
    cur = project.cursor()
    try:
        with interrupting(task, cur.interrupt):
            run = resolve_run(cur, run_id)
            other = resolve_run(cur, compare_run) if compare_run else None
            task.progress(0.05, "Reading the profile's records")
            graph = _build(cur, profile_id, run, other, neighbourhood, max_nodes, task)
            task.progress(1.0, f"{len(graph.nodes):,} records, {len(graph.edges):,} edges")
            return graph
    finally:
        cur.close()


def _build(
    cur: duckdb.DuckDBPyConnection,
    profile_id: str,
    run: str,
    other: str | None,
    neighbourhood: int,
    max_nodes: int,
    task: Task,
) -> ProfileGraph:
    refs = _profile_refs(cur, profile_id, run, other)
    graph = ProfileGraph(run, profile_id, other, [], [], [], [], [], neighbourhood=neighbourhood)
    if neighbourhood:
        extra, shared = _neighbours(cur, run, refs)
        if not extra:
            graph.notes.append("No other profile shares a key value with this one.")
    else:
        extra, shared = [], []
    ordered = refs + [r for r in extra if r not in set(refs)]
    if len(ordered) > max_nodes:
        graph.truncated = True
        graph.notes.append(f"Showing {max_nodes:,} of {len(ordered):,} records.")
        ordered = ordered[:max_nodes]
    task.progress(0.25, "Reading record values")
    graph.nodes = _nodes(cur, ordered, run, other)
    own = set(refs)
    for n in graph.nodes:
        n.neighbour = n.ref not in own
    graph.sources = sorted({n.source for n in graph.nodes})
    where = graph.index()
    task.progress(0.45, "Reading match edges")
    edges = _edges(cur, run, ordered, where)
    if other is not None:
        edges = _compare(edges, _edges(cur, other, ordered, where))
    edges += [
        GraphEdge(where[a], where[b], run, SHARED, rule=f"shared {f}", group=f"shared:{f}")
        for a, b, f in shared
        if a in where and b in where
    ]
    graph.edges = edges
    _mark_bridges(graph)
    task.progress(0.7, "Reading labels")
    graph.labels = _labels(cur, ordered, where)
    by_pair = {frozenset((lb.a, lb.b)): lb.label for lb in graph.labels}
    for e in graph.edges:
        e.label = by_pair.get(frozenset((e.a, e.b)))
    graph.groups = _group_order(graph.edges)
    graph.group_titles = {g: _group_title(g) for g in graph.groups}
    graph.golden = _golden(cur, run, profile_id)
    graph.conflicts = _conflicts(graph)
    return graph


# ----------------------------------------------------------------------------- records
def _profile_refs(
    cur: duckdb.DuckDBPyConnection, profile_id: str, run: str, other: str | None
) -> list[str]:
    """The profile's records (and, against a compare run, where they went), sorted."""
    rows = cur.execute(
        "SELECT source || ':' || record_id FROM identity.clusters WHERE run_id = ? "
        "AND profile_id = ? ORDER BY 1",
        [run, profile_id],
    ).fetchall()
    seed_run = run
    if not rows and other is not None:
        seed_run = other
        rows = cur.execute(
            "SELECT source || ':' || record_id FROM identity.clusters WHERE run_id = ? "
            "AND profile_id = ? ORDER BY 1",
            [other, profile_id],
        ).fetchall()
    if not rows:
        raise ProfileNotFoundError(
            f"profile {profile_id} is not in run {run}" + (f" nor in run {other}" if other else "")
        )
    refs = [r for (r,) in rows]
    if other is None:
        return refs
    far = other if seed_run == run else run
    more = cur.execute(
        f"""WITH nodes AS {_NODES}
        SELECT DISTINCT c.source || ':' || c.record_id FROM identity.clusters c
        WHERE c.run_id = ? AND c.profile_id IN (
            SELECT k.profile_id FROM identity.clusters k
            JOIN nodes n ON n.source = k.source AND n.record_id = k.record_id
            WHERE k.run_id = ?)
        ORDER BY 1""",
        [*_split(refs), far, far],
    ).fetchall()
    seen = set(refs)
    return refs + [r for (r,) in more if r not in seen]


_NODES = "(SELECT unnest(?::VARCHAR[]) AS source, unnest(?::VARCHAR[]) AS record_id)"
"""The node set as a relation, from two list parameters (see _split); joined on the
source and record id columns, so the big tables are never searched by concatenated text."""


def _split(refs: list[str]) -> list[list[str]]:
    """The [sources, record ids] parameters of _NODES."""
    parts = [r.partition(":") for r in refs]
    return [[p[0] for p in parts], [p[2] for p in parts]]


def _nodes(
    cur: duckdb.DuckDBPyConnection, refs: list[str], run: str, other: str | None
) -> list[GraphNode]:
    fields = ", ".join(f"r.{f}" for f in IDENTITY_ROLES)
    rows = cur.execute(
        f"""SELECT n.source || ':' || n.record_id, c.rec, c.profile_id, o.profile_id,
            r.truth_id, {fields}
        FROM {_NODES} n
        LEFT JOIN identity.clusters c ON c.run_id = ? AND c.source = n.source
            AND c.record_id = n.record_id
        LEFT JOIN identity.clusters o ON o.run_id = ? AND o.source = n.source
            AND o.record_id = n.record_id
        LEFT JOIN {RECORDS} r ON r.source = n.source AND r.record_id = n.record_id""",
        [*_split(refs), run, other or ""],
    ).fetchall()
    by_ref = {row[0]: row for row in rows}
    nodes = []
    for ref in refs:
        _, rec, pid, opid, truth, *values = by_ref[ref]
        source, _, record_id = ref.partition(":")
        vals = {
            f: str(v) for f, v in zip(IDENTITY_ROLES, values, strict=True) if v not in (None, "")
        }
        if truth is not None:
            vals["truth_id"] = str(truth)
        nodes.append(
            GraphNode(
                ref,
                source,
                record_id,
                None if rec is None else int(rec),
                pid,
                opid,
                vals,
                _label(vals, record_id),
                _title(vals),
            )
        )
    return nodes


def _label(values: dict[str, str], record_id: str) -> str:
    for key in _LABEL_KEYS:
        if key in values:
            return values[key]
    return record_id


def _title(values: dict[str, str]) -> str:
    name = values.get("full_name") or " ".join(
        values[f] for f in ("first_name", "last_name") if f in values
    )
    return name.title()


def _neighbours(
    cur: duckdb.DuckDBPyConnection, run: str, refs: list[str]
) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Records of other profiles that share a key value with the profile, and one
    (own record, neighbour record, field) link per neighbour record and field."""
    parts = " UNION ALL ".join(
        f"""SELECT m.source || ':' || m.record_id AS a, o.source AS b_source,
            o.record_id AS b_record, '{f}' AS field
        FROM (SELECT r.source, r.record_id, r.{f} AS v FROM {RECORDS} r
              JOIN nodes n ON n.source = r.source AND n.record_id = r.record_id
              WHERE r.{f} IS NOT NULL) m
        JOIN {RECORDS} o ON o.{f} = m.v"""
        for f in LINK_KEYS
    )
    outside = f"""WITH nodes AS {_NODES}, links AS ({parts}),
        outside AS (SELECT * FROM links l WHERE NOT EXISTS (SELECT 1 FROM nodes n
                    WHERE n.source = l.b_source AND n.record_id = l.b_record))"""
    rows = cur.execute(
        f"""{outside},
        profiles AS (SELECT DISTINCT c.profile_id FROM outside x JOIN identity.clusters c
                     ON c.run_id = ? AND c.source = x.b_source AND c.record_id = x.b_record)
        SELECT c.source || ':' || c.record_id FROM identity.clusters c
        WHERE c.run_id = ? AND c.profile_id IN (SELECT profile_id FROM profiles)
        ORDER BY c.profile_id, 1""",
        [*_split(refs), run, run],
    ).fetchall()
    links = cur.execute(
        f"""{outside}
        SELECT min(a), b_source || ':' || b_record AS b, field FROM outside
        GROUP BY b, field ORDER BY b, field""",
        _split(refs),
    ).fetchall()
    return [r for (r,) in rows], [(a, b, f) for a, b, f in links]


# ------------------------------------------------------------------------------- edges
def _edges(
    cur: duckdb.DuckDBPyConnection, run: str, refs: list[str], where: dict[str, int]
) -> list[GraphEdge]:
    rows = cur.execute(
        f"""WITH k AS (SELECT c.rec, c.source || ':' || c.record_id AS ref
                       FROM identity.clusters c
                       JOIN {_NODES} n ON n.source = c.source AND n.record_id = c.record_id
                       WHERE c.run_id = ?)
        SELECT ka.ref, kb.ref, e.score, e.probability, e.rule, e.levels FROM identity.edges e
        JOIN k ka ON ka.rec = e.a JOIN k kb ON kb.rec = e.b WHERE e.run_id = ?
        ORDER BY ka.ref, kb.ref""",
        [*_split(refs), run, run],
    ).fetchall()
    describe = _Describer(run_rules(cur, run))
    out = []
    for left, right, score, probability, rule, levels in rows:
        a, b = sorted((where[left], where[right]))
        group, evidence = describe(rule or "", list(levels or []))
        out.append(
            GraphEdge(
                a,
                b,
                run,
                MATCH,
                None if score is None else float(score),
                None if probability is None else float(probability),
                rule or "",
                group,
                evidence,
                describe.strength(rule or "", score),
            )
        )
    return out


class _Describer:
    """Names the evidence behind an edge from the run's trained model."""

    def __init__(self, rules: RuleSet) -> None:
        model = rules.probabilistic
        self.fields = list(model.fields) if model is not None else []
        self.weights: list[list[float]] | None = None
        self.threshold_weight = 0.0
        if model is not None and all(f.m and f.u for f in self.fields):
            self.weights = weights(
                [np.array(f.m) for f in self.fields], [np.array(f.u) for f in self.fields]
            )
            self.threshold_weight = math.log2(model.threshold / (1 - model.threshold))

    def __call__(self, rule: str, levels: list[int]) -> tuple[str, list[str]]:
        evidence, best, best_w = [], "", -math.inf
        for i, lv in enumerate(levels[: len(self.fields)]):
            f = self.fields[i]
            if lv is None or lv < 0 or lv >= len(f.levels):
                continue
            evidence.append(f"{f.field} {level_label(f.levels, lv)}")
            w = self.weights[i][lv] if self.weights is not None else -i
            if w > best_w:
                best, best_w = f.field, w
        if rule and rule != "probabilistic":
            return f"rule:{rule}", evidence
        return (f"field:{best}" if best else "probabilistic"), evidence

    def strength(self, rule: str, score: float | None) -> float:
        if rule != "probabilistic" or score is None:
            return 1.0
        return float(min(max((score - self.threshold_weight) / _STRENGTH_BITS, 0.0), 1.0))


def _compare(run_edges: list[GraphEdge], other_edges: list[GraphEdge]) -> list[GraphEdge]:
    """Run edges marked same/added, plus the compare run's edges that disappeared."""
    theirs = {(e.a, e.b) for e in other_edges}
    ours = {(e.a, e.b) for e in run_edges}
    for e in run_edges:
        e.status = SAME if (e.a, e.b) in theirs else ADDED
    removed = [e for e in other_edges if (e.a, e.b) not in ours]
    for e in removed:
        e.status = REMOVED
    return run_edges + removed


def _mark_bridges(graph: ProfileGraph) -> None:
    """Flag edges whose removal splits their profile, and the weak ones among them."""
    by_profile: dict[str, list[int]] = {}
    for i, e in enumerate(graph.edges):
        if e.kind != MATCH or e.status == REMOVED:
            continue
        pa, pb = graph.nodes[e.a].profile_id, graph.nodes[e.b].profile_id
        if pa is not None and pa == pb:
            by_profile.setdefault(pa, []).append(i)
    for pid, idx in by_profile.items():
        size = sum(1 for n in graph.nodes if n.profile_id == pid)
        es = [(graph.edges[i].a, graph.edges[i].b, _certainty(graph.edges[i])) for i in idx]
        bridges = {(a, b) for a, b, _ in _bridge_edges(es)}
        for i in idx:
            e = graph.edges[i]
            if (e.a, e.b) in bridges:
                e.bridge = True
                e.weak = size >= 3 and _certainty(e) < WEAK_BRIDGE_P


def _certainty(e: GraphEdge) -> float:
    if e.rule == "probabilistic" and e.probability is not None:
        return e.probability
    return 1.0


def _group_title(group: str) -> str:
    kind, _, name = group.partition(":")
    if kind == "rule":
        return f"Rule: {name}"
    if kind == "field":
        return f"Match, mostly on {name.replace('_', ' ')}"
    if kind == "shared":
        return f"Shares {name.replace('_', ' ')}"
    return "Probabilistic match"


def _group_order(edges: list[GraphEdge]) -> list[str]:
    """Groups by how many edges they colour, most first (ties by name)."""
    counts: dict[str, int] = {}
    for e in edges:
        counts[e.group] = counts.get(e.group, 0) + 1
    return sorted(counts, key=lambda g: (-counts[g], g))


# ------------------------------------------------------------------------------ labels
def _labels(
    cur: duckdb.DuckDBPyConnection, refs: list[str], where: dict[str, int]
) -> list[PairLabel]:
    exists = cur.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'meta' AND table_name = 'labels'"
    ).fetchone()[0]
    if not exists:
        return []
    rows = cur.execute(
        f"""WITH nodes AS {_NODES}
        SELECT l.a_source || ':' || l.a_record AS a, l.b_source || ':' || l.b_record AS b,
            l.label
        FROM meta.labels l
        JOIN nodes na ON na.source = l.a_source AND na.record_id = l.a_record
        JOIN nodes nb ON nb.source = l.b_source AND nb.record_id = l.b_record
        ORDER BY a, b""",
        _split(refs),
    ).fetchall()
    return [PairLabel(*sorted((where[a], where[b])), label) for a, b, label in rows]


def _conflicts(graph: ProfileGraph) -> dict[str, list[str]]:
    """Identity keys and birth dates with more than one value among the profile's records
    (what makes a profile suspicious, see suspicious.py)."""
    out = {}
    for key in CONFLICT_KEYS:
        values = sorted(
            {
                n.values[key]
                for n in graph.nodes
                if n.profile_id == graph.profile_id and key in n.values
            }
        )
        if len(values) > 1:
            out[key] = values
    return out


def _golden(cur: duckdb.DuckDBPyConnection, run: str, profile_id: str) -> dict[str, str]:
    """Golden values live in main.profiles, which holds the current run only."""
    if current_run(cur) != run:
        return {}
    try:
        result = cur.execute("SELECT * FROM main.profiles WHERE profile_id = ?", [profile_id])
    except duckdb.CatalogException:
        return {}
    row = result.fetchone()
    if row is None:
        return {}
    names = [d[0] for d in result.description]
    skip = {"profile_id", "records", "sources", "source_names"}
    return {k: str(v) for k, v in zip(names, row, strict=True) if k not in skip and v is not None}
