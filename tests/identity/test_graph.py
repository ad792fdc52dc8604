"""The identity graph of a profile (records, edges, bridges, labels, compare runs) and its
layout (deterministic, fixed nodes, components apart, cached in the project)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.identity.builders import (
    add_tables,
    block,
    built_project,
    exact_rule,
    profile_of,
    profiles_table,
    query,
    rules,
    run,
)
from workbench.identity.graph import (
    ADDED,
    REMOVED,
    SAME,
    SHARED,
    ProfileGraph,
    ProfileNotFoundError,
    profile_graph,
)
from workbench.identity.labels import set_label
from workbench.identity.layout import (
    cached_positions,
    force_layout,
    graph_layout,
    store_positions,
)
from workbench.identity.runs import RecordRef, RunNotFoundError
from workbench.project import Project
from workbench.tasks import Cancelled, Task

CRM = profiles_table(
    "crm",
    "id,email,phone,first_name,last_name,dob,device_id",
    "a1,a@example.com,5551110001,Ann,Lee,1980-01-01,",
    "a2,a@example.com,5552220002,Ann,Lee,,",
    "a3,b@example.com,5552220002,Ann,Lee,,D1",
    "z1,z@example.com,,Zed,Zulu,,",
)
WEB = profiles_table(
    "web",
    "id,email,first_name,device_id",
    "w1,a@example.com,Ann,",
    "n1,n@example.com,Nat,D1",
)
EMAIL_AND_PHONE = rules(
    blocking=[block("email"), block("phone")],
    rules=[exact_rule("same email", "email"), exact_rule("same phone", "phone")],
)
EMAIL_ONLY = rules(blocking=[block("email")], rules=[exact_rule("same email", "email")])
ANN = ["crm:a1", "crm:a2", "crm:a3", "web:w1"]


@pytest.fixture(scope="module")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, str, str]]:
    """Ann's four records in one profile (run 1: email and phone), split in run 2 (email
    only, a3 leaves); read-only tests share it."""
    with built_project(tmp_path_factory.mktemp("graph"), CRM, WEB) as project:
        first = run(project, EMAIL_AND_PHONE).run_id
        second = run(project, EMAIL_ONLY).run_id
        yield project, first, second


def _ann(project: Project, run_id: str) -> str:
    return profile_of(project, run_id)[("crm", "a1")]


def _pairs(graph: ProfileGraph) -> dict[frozenset[str], str]:
    """{ {left ref, right ref}: status } of every match edge."""
    return {
        frozenset((graph.nodes[e.a].ref, graph.nodes[e.b].ref)): e.status
        for e in graph.edges
        if e.kind == "match"
    }


def test_a_profile_graph_holds_its_records_and_match_edges(
    resolved: tuple[Project, str, str],
) -> None:
    project, first, _ = resolved
    graph = profile_graph(project, _ann(project, first), first)
    assert [n.ref for n in graph.nodes] == ANN
    assert graph.sources == ["crm", "web"]
    a1 = graph.nodes[0]
    assert (a1.source, a1.record_id, a1.label, a1.title) == (
        "crm",
        "a1",
        "a@example.com",
        "Ann Lee",
    )
    assert a1.values["phone"] == "5551110001"
    assert a1.values["dob"] == "1980-01-01"
    rules_by_pair = {
        frozenset((graph.nodes[e.a].ref, graph.nodes[e.b].ref)): e.rule for e in graph.edges
    }
    assert rules_by_pair == {
        frozenset(("crm:a1", "crm:a2")): "same email",
        frozenset(("crm:a1", "web:w1")): "same email",
        frozenset(("crm:a2", "web:w1")): "same email",
        frozenset(("crm:a2", "crm:a3")): "same phone",
    }
    assert {e.group for e in graph.edges} == {"rule:same email", "rule:same phone"}
    assert graph.groups == ["rule:same email", "rule:same phone"]  # most edges first
    assert graph.group_titles["rule:same phone"] == "Rule: same phone"
    assert all(e.status == SAME and e.run_id == first for e in graph.edges)
    assert not graph.truncated


def test_bridges_are_flagged_and_weak_ones_marked(project: Project, data_dir: Path) -> None:
    add_tables(project, data_dir, CRM, WEB)
    run_id = run(project, EMAIL_AND_PHONE).run_id
    graph = profile_graph(project, _ann(project, run_id), run_id)
    bridges = [(graph.nodes[e.a].ref, graph.nodes[e.b].ref) for e in graph.edges if e.bridge]
    assert bridges == [("crm:a2", "crm:a3")]  # the only link to a3
    assert not any(e.weak for e in graph.edges)  # a rule match is certain
    # The same bridge held by an uncertain probabilistic match is a weak one.
    with project.transaction() as cur:
        cur.execute(
            "UPDATE identity.edges SET rule = 'probabilistic', probability = 0.9, score = 3.2 "
            "WHERE run_id = ? AND rule = 'same phone'",
            [run_id],
        )
    graph = profile_graph(project, _ann(project, run_id), run_id)
    weak = [(graph.nodes[e.a].ref, graph.nodes[e.b].ref) for e in graph.edges if e.weak]
    assert weak == [("crm:a2", "crm:a3")]


def test_compare_runs_marks_edges_that_came_and_went(resolved: tuple[Project, str, str]) -> None:
    project, first, second = resolved
    # Run 2 lost the phone match, so a3 left the profile; seen from run 2 it is gone.
    graph = profile_graph(project, _ann(project, second), second, compare_run=first)
    assert sorted(n.ref for n in graph.nodes) == ANN
    assert _pairs(graph)[frozenset(("crm:a2", "crm:a3"))] == REMOVED
    assert {s for p, s in _pairs(graph).items() if "crm:a3" not in p} == {SAME}
    removed = next(e for e in graph.edges if e.status == REMOVED)
    assert removed.run_id == first  # explained in the run that had it
    a3 = graph.nodes[graph.index()["crm:a3"]]
    assert a3.profile_id != graph.profile_id  # outside the profile in run 2
    assert a3.compare_profile == graph.nodes[0].compare_profile
    # Seen from run 1 against run 2 the same edge appeared.
    back = profile_graph(project, _ann(project, first), first, compare_run=second)
    assert _pairs(back)[frozenset(("crm:a2", "crm:a3"))] == ADDED
    assert back.layout_key == f"compare:{second}"


def test_labels_show_on_edges_and_on_pairs_without_one(project: Project, data_dir: Path) -> None:
    add_tables(project, data_dir, CRM, WEB)
    run_id = run(project, EMAIL_AND_PHONE).run_id
    graph = profile_graph(project, _ann(project, run_id), run_id)
    assert graph.labels == []
    set_label(project, RecordRef("crm", "a2"), RecordRef("crm", "a1"), "same")
    set_label(project, RecordRef("crm", "a1"), RecordRef("crm", "a3"), "different")
    set_label(project, RecordRef("crm", "a1"), RecordRef("crm", "z1"), "different")  # elsewhere
    graph = profile_graph(project, _ann(project, run_id), run_id)
    labelled = {(graph.nodes[lb.a].ref, graph.nodes[lb.b].ref): lb.label for lb in graph.labels}
    assert labelled == {("crm:a1", "crm:a2"): "same", ("crm:a1", "crm:a3"): "different"}
    edge = graph.edge_between("crm:a1", "crm:a2")
    assert edge is not None
    assert edge.label == "same"
    assert graph.edge_between("crm:a1", "crm:a3") is None  # labelled, but no match edge


def test_neighbours_share_a_key_value(resolved: tuple[Project, str, str]) -> None:
    project, first, _ = resolved
    graph = profile_graph(project, _ann(project, first), first, neighbourhood=1)
    neighbours = [n.ref for n in graph.nodes if n.neighbour]
    assert neighbours == ["web:n1"]  # shares device D1 with a3
    shared = [e for e in graph.edges if e.kind == SHARED]
    assert [(graph.nodes[e.a].ref, graph.nodes[e.b].ref, e.group) for e in shared] == [
        ("crm:a3", "web:n1", "shared:device_id")
    ]
    assert graph.layout_key == "n1"
    assert graph.notes == []
    zed = profile_of(project, first)[("crm", "z1")]
    alone = profile_graph(project, zed, first, neighbourhood=1)
    assert [n.ref for n in alone.nodes] == ["crm:z1"]
    assert alone.notes == ["No other profile shares a key value with this one."]


def test_max_nodes_truncates_and_says_so(resolved: tuple[Project, str, str]) -> None:
    project, first, _ = resolved
    graph = profile_graph(project, _ann(project, first), first, max_nodes=2)
    assert graph.truncated
    assert [n.ref for n in graph.nodes] == ANN[:2]
    assert [(e.a, e.b) for e in graph.edges] == [(0, 1)]
    assert graph.notes == ["Showing 2 of 4 records."]


def test_golden_values_for_the_current_run_only(resolved: tuple[Project, str, str]) -> None:
    project, first, second = resolved
    current = profile_graph(project, _ann(project, second), second)
    assert current.golden["email"] == "a@example.com"
    assert current.golden["first_name"] == "Ann"
    assert profile_graph(project, _ann(project, first), first).golden == {}


def test_unknown_profile_and_no_run(
    resolved: tuple[Project, str, str], project: Project, data_dir: Path
) -> None:
    shared, first, _ = resolved
    with pytest.raises(ProfileNotFoundError, match="profile PNOPE is not in run"):
        profile_graph(shared, "PNOPE", first)
    add_tables(project, data_dir, CRM)
    with pytest.raises(RunNotFoundError, match="no identity run yet"):
        profile_graph(project, "P1")


def test_loading_a_graph_can_be_cancelled(resolved: tuple[Project, str, str]) -> None:
    project, first, _ = resolved
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        profile_graph(project, _ann(project, first), first, task=task)


# ------------------------------------------------------------------------------ layout
def _ring_and_pair() -> tuple[np.ndarray, np.ndarray]:
    """Nodes 0-5 in a ring, 6-7 a pair, 8 alone: three components."""
    a = np.array([0, 1, 2, 3, 4, 5, 6])
    b = np.array([1, 2, 3, 4, 5, 0, 7])
    return a, b


def test_layout_is_deterministic_and_keeps_components_apart() -> None:
    a, b = _ring_and_pair()
    first = force_layout(9, a, b)
    assert np.array_equal(first, force_layout(9, a, b))
    assert np.isfinite(first).all()
    lengths = np.hypot(*(first[a] - first[b]).T)
    assert lengths.min() > 0.3  # edges near their ideal length
    assert lengths.max() < 3.0
    boxes = [first[list(c)] for c in ({0, 1, 2, 3, 4, 5}, {6, 7}, {8})]
    for i in range(3):
        for j in range(i + 1, 3):
            lo_i, hi_i = boxes[i].min(axis=0), boxes[i].max(axis=0)
            lo_j, hi_j = boxes[j].min(axis=0), boxes[j].max(axis=0)
            overlap = (lo_i < hi_j) & (lo_j < hi_i)
            assert not overlap.all(), f"components {i} and {j} overlap"


def test_fixed_nodes_stay_and_free_components_go_to_the_right() -> None:
    a, b = _ring_and_pair()
    fixed = {0: (10.0, -3.0), 3: (12.5, -3.0)}
    pos = force_layout(9, a, b, fixed=fixed)
    assert tuple(pos[0]) == (10.0, -3.0)
    assert tuple(pos[3]) == (12.5, -3.0)
    ring_right = pos[:6, 0].max()
    assert pos[6:, 0].min() > ring_right  # the other components are packed beside it
    # The ring's free nodes settled around the pinned ones.
    assert np.all(np.abs(pos[1:6].mean(axis=0) - (11.25, -3.0)) < 3.0)


def test_a_large_layout_stays_readable() -> None:
    rng = np.random.default_rng(3)
    n = 400
    a = np.concatenate([np.arange(1, n), rng.integers(0, n, 800)])
    b = np.concatenate([rng.integers(0, np.arange(1, n)), rng.integers(0, n, 800)])
    pos = force_layout(n, a, b)
    spread = np.ptp(pos, axis=0)
    assert spread.min() > 0.4 * np.sqrt(n)  # not folded onto itself
    gaps = np.hypot(*(pos[:, None, :] - pos[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(gaps, np.inf)
    assert np.median(gaps.min(axis=1)) > 0.3  # nodes do not pile up


def test_layout_cancel() -> None:
    a, b = _ring_and_pair()
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        force_layout(9, a, b, task=task)


def test_layouts_are_cached_and_dragged_positions_kept(project: Project, data_dir: Path) -> None:
    add_tables(project, data_dir, CRM, WEB)
    run_id = run(project, EMAIL_AND_PHONE).run_id
    graph = profile_graph(project, _ann(project, run_id), run_id)
    assert cached_positions(project, graph) == {}
    pos = graph_layout(project, graph)
    stored = cached_positions(project, graph)
    assert stored == {n.ref: tuple(p) for n, p in zip(graph.nodes, pos, strict=True)}
    # The user drags a3; the next open shows it there and everything else as before.
    store_positions(project, graph, {"crm:a3": (40.0, 2.5)})
    again = graph_layout(project, graph)
    index = graph.index()
    assert tuple(again[index["crm:a3"]]) == (40.0, 2.5)
    others = [index[r] for r in ("crm:a1", "crm:a2", "web:w1")]
    assert np.array_equal(again[others], pos[others])
    rows = query(
        project,
        "SELECT count(*) FROM identity.layouts WHERE run_id = ? AND profile_id = ? AND view = ''",
        [run_id, graph.profile_id],
    )
    assert rows == [(4,)]
    # A new node (the neighbour drawing is another view) is laid out around kept ones;
    # a fresh arrangement forgets the drag.
    fresh = graph_layout(project, graph, fresh=True)
    assert tuple(fresh[index["crm:a3"]]) != (40.0, 2.5)
    assert cached_positions(project, graph)["crm:a3"] == tuple(fresh[index["crm:a3"]])


def test_new_nodes_are_placed_around_cached_ones(project: Project, data_dir: Path) -> None:
    add_tables(project, data_dir, CRM, WEB)
    run_id = run(project, EMAIL_AND_PHONE).run_id
    graph = profile_graph(project, _ann(project, run_id), run_id)
    store_positions(project, graph, {"crm:a1": (5.0, 5.0), "crm:a2": (6.0, 5.0)})
    pos = graph_layout(project, graph)
    index = graph.index()
    assert tuple(pos[index["crm:a1"]]) == (5.0, 5.0)
    assert tuple(pos[index["crm:a2"]]) == (6.0, 5.0)
    assert np.all(np.abs(pos - (5.5, 5.0)) < 6.0)  # the rest joined them
    assert len(cached_positions(project, graph)) == 4


def test_a_neighbourhood_drawing_keeps_the_profile_where_it_was(
    project: Project, data_dir: Path
) -> None:
    add_tables(project, data_dir, CRM, WEB)
    run_id = run(project, EMAIL_AND_PHONE).run_id
    own = profile_graph(project, _ann(project, run_id), run_id)
    plain = dict(zip(ANN, map(tuple, graph_layout(project, own)), strict=True))
    wider = profile_graph(project, _ann(project, run_id), run_id, neighbourhood=1)
    pos = graph_layout(project, wider)
    index = wider.index()
    assert {r: tuple(pos[index[r]]) for r in ANN} == plain
    assert pos[index["web:n1"], 0] > max(x for x, _ in plain.values())  # placed beside
    assert set(cached_positions(project, wider)) == {*ANN, "web:n1"}


def test_a_cancelled_layout_writes_nothing(project: Project, data_dir: Path) -> None:
    add_tables(project, data_dir, CRM, WEB)
    run_id = run(project, EMAIL_AND_PHONE).run_id
    graph = profile_graph(project, _ann(project, run_id), run_id)
    graph_layout(project, graph)
    before = cached_positions(project, graph)
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        graph_layout(project, graph, task, fresh=True)
    assert cached_positions(project, graph) == before
