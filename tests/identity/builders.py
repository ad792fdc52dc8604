"""Hand-made identity projects whose right answer is known by construction, and readers
for what a run wrote (clusters, edges, profiles), for the identity tests."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from tests.helpers import csv_text, import_events, import_profiles, write_text
from workbench.identity.pipeline import RunReport, resolve
from workbench.identity.ruleset import RuleSet
from workbench.identity.store import current_run
from workbench.project import Project

Ref = tuple[str, str]
"""(source, record_id) of a profile record."""


@dataclass
class Table:
    """A small CSV source: its name, columns and rows, and the role of every column."""

    name: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    roles: dict[str, str]
    kind: str = "profiles"
    event_type: str | None = None

    def text(self) -> str:
        return csv_text(",".join(self.columns), *(",".join(r) for r in self.rows))


def add_tables(project: Project, folder: Path, *tables: Table) -> None:
    """Write each table as CSV in ``folder`` and import it with every role given."""
    for t in tables:
        path = write_text(folder / f"{t.name}.csv", t.text())
        if t.kind == "profiles":
            import_profiles(project, path, roles=t.roles, name=t.name)
        else:
            import_events(project, path, roles=t.roles, name=t.name, event_type=t.event_type)


@contextmanager
def built_project(folder: Path, *tables: Table) -> Iterator[Project]:
    """A new project in ``folder`` holding ``tables``, closed afterwards (for module fixtures)."""
    project = Project.create(folder / "project.wbproj")
    try:
        add_tables(project, folder, *tables)
        yield project
    finally:
        project.close()


def profiles_table(name: str, columns: str, *rows: str, **roles: str) -> Table:
    """A profile table from a header and rows of comma-separated text.

    Each column's role is its own name unless ``roles`` says otherwise; a column named
    ``id`` is the record id.
    """
    names = columns.split(",")
    mapping = {c: roles.get(c, "record_id" if c == "id" else c) for c in names}
    return Table(name, names, [r.split(",") for r in rows], mapping)


def rules(**spec: Any) -> RuleSet:
    """A validated rule set from keyword arguments (the JSON a user would write)."""
    spec.setdefault("name", "test rules")
    return RuleSet.model_validate(spec)


def exact_rule(name: str, *fields: str) -> dict[str, Any]:
    return {"name": name, "comparisons": [{"field": f, "method": "exact"} for f in fields]}


def block(*fields: str) -> dict[str, Any]:
    return {"name": "same " + " and ".join(fields), "fields": list(fields)}


def run(project: Project, ruleset: RuleSet | None = None) -> RunReport:
    """Resolve with a copy of the rule set (resolve stores trained values on it)."""
    return resolve(project, None if ruleset is None else ruleset.model_copy(deep=True))


def query(project: Project, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    cur = project.cursor()
    try:
        return cur.execute(sql, list(params)).fetchall()
    finally:
        cur.close()


def current(project: Project) -> str | None:
    cur = project.cursor()
    try:
        return current_run(cur)
    finally:
        cur.close()


def profile_of(project: Project, run_id: str) -> dict[Ref, str]:
    """(source, record_id) -> profile id, for every record of a run."""
    rows = query(
        project,
        "SELECT source, record_id, profile_id FROM identity.clusters WHERE run_id = ?",
        [run_id],
    )
    return {(s, r): p for s, r, p in rows}


def groups(project: Project, run_id: str) -> set[frozenset[str]]:
    """The run's profiles as sets of record ids (``source:record_id``)."""
    by_profile: dict[str, set[str]] = {}
    for (source, record), pid in profile_of(project, run_id).items():
        by_profile.setdefault(pid, set()).add(f"{source}:{record}")
    return {frozenset(g) for g in by_profile.values()}


def partition(*clusters: Iterable[str]) -> set[frozenset[str]]:
    return {frozenset(c) for c in clusters}


def edge_rules(project: Project, run_id: str) -> dict[frozenset[str], str]:
    """{ {record, record}: rule } for every stored match edge of a run."""
    rows = query(
        project,
        "SELECT ca.source || ':' || ca.record_id, cb.source || ':' || cb.record_id, e.rule "
        "FROM identity.edges e "
        "JOIN identity.clusters ca ON ca.run_id = e.run_id AND ca.rec = e.a "
        "JOIN identity.clusters cb ON cb.run_id = e.run_id AND cb.rec = e.b "
        "WHERE e.run_id = ?",
        [run_id],
    )
    return {frozenset((a, b)): rule for a, b, rule in rows}


def run_ids(project: Project) -> list[str]:
    return [r for (r,) in query(project, "SELECT run_id FROM meta.runs ORDER BY started_at")]


def pair_count(sizes: Iterable[int]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


@dataclass(frozen=True)
class PairScore:
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def pairwise(assignments: Sequence[tuple[str, str]]) -> PairScore:
    """Pairwise scores of (predicted cluster, true person) per record, by enumerating pairs."""
    predicted = set()
    truth = set()
    by_cluster: dict[str, list[int]] = {}
    by_person: dict[str, list[int]] = {}
    for i, (cluster, person) in enumerate(assignments):
        by_cluster.setdefault(cluster, []).append(i)
        by_person.setdefault(person, []).append(i)
    for members in by_cluster.values():
        predicted.update(combinations(members, 2))
    for members in by_person.values():
        truth.update(combinations(members, 2))
    return PairScore(len(truth), len(predicted), len(truth & predicted))
