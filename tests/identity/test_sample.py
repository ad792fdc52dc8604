"""End-to-end quality on a generated 2,000-person sample, checked against its truth_id."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.identity.builders import pairwise, profile_of, query, run
from workbench.identity.explain import explain
from workbench.identity.pipeline import RunReport
from workbench.identity.runs import RecordRef, run_rules
from workbench.project import Project
from workbench.sample import generate
from workbench.sample.demo_project import build_project

PEOPLE = 2000
SEED = 3


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, RunReport]]:
    """The sample imported into a project and resolved once with the automatic rules."""
    folder = tmp_path_factory.mktemp("sample")
    manifest = generate(folder / "data", PEOPLE, seed=SEED)
    path = build_project(folder / "sample.wbproj", folder / "data", manifest)
    project = Project.open(path)
    try:
        yield project, run(project)
    finally:
        project.close()


def _assignments(project: Project, run_id: str) -> list[tuple[str, str]]:
    """(profile id, true person) of every record of a run."""
    return query(
        project,
        "SELECT c.profile_id, r.truth_id FROM identity.clusters c "
        "JOIN identity.records r USING (rec) WHERE c.run_id = ? AND r.truth_id IS NOT NULL",
        [run_id],
    )


def test_auto_rules_find_the_people(sample: tuple[Project, RunReport]) -> None:
    project, report = sample
    rows = _assignments(project, report.run_id)
    assert len(rows) == report.records
    assert len({person for _, person in rows}) == PEOPLE
    score = pairwise(rows)
    assert score.true_pairs > 1000  # the sample really has duplicates to find
    assert score.f1 >= 0.98, score
    assert score.precision >= 0.98, score
    assert score.recall >= 0.98, score


def test_the_runs_own_evaluation_matches_an_independent_count(
    sample: tuple[Project, RunReport],
) -> None:
    project, report = sample
    rows = _assignments(project, report.run_id)
    score = pairwise(rows)
    clusters = {}
    people: dict[str, set[str]] = {}
    for cluster, person in rows:
        clusters.setdefault(cluster, set()).add(person)
        people.setdefault(person, set()).add(cluster)
    cluster_sizes = Counter(c for c, _ in rows)
    person_sizes = Counter(p for _, p in rows)
    exact = sum(
        1
        for person, found in people.items()
        if len(found) == 1 and cluster_sizes[next(iter(found))] == person_sizes[person]
    )
    e = report.evaluation
    assert e is not None
    assert (e["true_pairs"], e["predicted_pairs"], e["correct_pairs"]) == (
        score.true_pairs,
        score.predicted_pairs,
        score.correct_pairs,
    )
    assert e["precision"] == pytest.approx(score.precision)
    assert e["recall"] == pytest.approx(score.recall)
    assert e["f1"] == pytest.approx(score.f1)
    assert (e["records"], e["true_clusters"], e["predicted_clusters"]) == (
        len(rows),
        len(people),
        len(clusters),
    )
    assert e["exact_clusters"] == pytest.approx(exact / len(people))


def test_threshold_curve_agrees_with_the_stored_edges(sample: tuple[Project, RunReport]) -> None:
    project, report = sample
    assert report.evaluation is not None
    curve = report.evaluation["threshold_curve"]
    pairs = [point["pairs"] for point in curve]
    assert pairs == sorted(pairs, reverse=True)  # stricter thresholds keep fewer pairs
    at_threshold = next(p for p in curve if p["threshold"] == 0.95)
    edges = query(
        project,
        "SELECT count(*), count(*) FILTER (WHERE l.truth_id = r.truth_id) FROM identity.edges e "
        "JOIN identity.records l ON l.rec = e.a JOIN identity.records r ON r.rec = e.b "
        "WHERE e.run_id = ?",
        [report.run_id],
    )[0]
    assert at_threshold["pairs"] == edges[0] == report.matched_pairs
    assert at_threshold["precision"] == pytest.approx(edges[1] / edges[0])


def test_trained_email_model(sample: tuple[Project, RunReport]) -> None:
    project, report = sample
    model = report.rules.probabilistic
    assert model is not None
    fields = {f.field: f for f in model.fields}
    email = fields["email"]
    assert email.m is not None
    assert email.u is not None
    # Agreeing e-mails: common among matches, almost never among random pairs.
    assert email.m[0] >= 0.7
    assert email.u[0] <= 1e-3
    assert math.log2(email.m[0] / email.u[0]) >= 9
    for f in model.fields:
        assert f.m is not None
        assert f.u is not None
        assert sum(f.m) == pytest.approx(1, abs=1e-4)
        assert sum(f.u) == pytest.approx(1, abs=1e-4)
        assert len(f.m) == len(f.u) == len(f.levels) + 1
    # Random pairs of people rarely share a first name; far less often than matches do.
    assert fields["first_name"].m[0] > 50 * fields["first_name"].u[0]  # type: ignore[index]
    assert 0 < (model.prior or 0) < 1
    cur = project.cursor()
    try:
        stored = run_rules(cur, report.run_id)
    finally:
        cur.close()
    assert stored.probabilistic == model  # the trained model is kept with the run


def test_profiles_and_events_of_the_sample(sample: tuple[Project, RunReport]) -> None:
    project, report = sample
    n_profiles, total_records, distinct = query(
        project, "SELECT count(*), sum(records), count(DISTINCT profile_id) FROM main.profiles"
    )[0]
    assert n_profiles == distinct == report.profiles
    assert total_records == report.records
    clustered = query(
        project,
        "SELECT count(DISTINCT profile_id) FROM identity.clusters WHERE run_id = ?",
        [report.run_id],
    )
    assert clustered == [(report.profiles,)]
    assert report.events == query(project, "SELECT count(*) FROM main.events")[0][0]
    orphans = query(
        project,
        "SELECT count(*) FROM main.events e WHERE profile_id IS NOT NULL "
        "AND profile_id NOT IN (SELECT profile_id FROM main.profiles)",
    )
    assert orphans == [(0,)]


def test_purchases_land_on_the_profile_of_their_customer(
    sample: tuple[Project, RunReport],
) -> None:
    project, report = sample
    # Expected: each purchase's customer id -> the profile of the CRM record holding it.
    expected = Counter(
        dict(
            query(
                project,
                "SELECT c.profile_id, count(*) FROM raw.purchases p "
                "JOIN raw.crm_customers k ON trim(k.customer_id) = trim(p.customer_id) "
                "JOIN identity.clusters c ON c.run_id = ? AND c.source = 'crm_customers' "
                "AND c.record_id = k._record_id GROUP BY ALL",
                [report.run_id],
            )
        )
    )
    got = Counter(
        dict(
            query(
                project,
                "SELECT profile_id, count(*) FROM main.events WHERE source = 'purchases' "
                "AND profile_id IS NOT NULL GROUP BY ALL",
            )
        )
    )
    assert sum(expected.values()) > 0
    assert got == expected


def test_rerunning_the_same_rules_keeps_the_profile_ids(
    sample: tuple[Project, RunReport],
) -> None:
    project, report = sample
    again = run(project, report.rules)
    assert again.run_id != report.run_id
    before = profile_of(project, report.run_id)
    after = profile_of(project, again.run_id)
    assert before.keys() == after.keys()
    members_before: dict[str, set] = {}
    members_after: dict[str, set] = {}
    for ref, pid in before.items():
        members_before.setdefault(pid, set()).add(ref)
    for ref, pid in after.items():
        members_after.setdefault(pid, set()).add(ref)
    # Every profile with the same records in both runs keeps its id ...
    same = {frozenset(m) for m in members_before.values()} & {
        frozenset(m) for m in members_after.values()
    }
    for members in same:
        assert {before[r] for r in members} == {after[r] for r in members}
    # ... and nearly all are the same. Not all: equally strong matches are taken in the
    # order the database returns them (see test_clustering's tie test, a known bug).
    assert len(same) >= 0.995 * len(members_before)
    unchanged = sum(1 for ref, pid in before.items() if after[ref] == pid)
    assert unchanged >= 0.995 * len(before)


def _edges_with_records(project: Project, run_id: str) -> list[tuple]:
    return query(
        project,
        "SELECT ca.source, ca.record_id, cb.source, cb.record_id, e.score, e.levels "
        "FROM identity.edges e "
        "JOIN identity.clusters ca ON ca.run_id = e.run_id AND ca.rec = e.a "
        "JOIN identity.clusters cb ON cb.run_id = e.run_id AND cb.rec = e.b "
        "WHERE e.run_id = ? ORDER BY e.a, e.b",
        [run_id],
    )


def _explained_scores(
    sample: tuple[Project, RunReport], tf_agrees: bool, limit: int = 25
) -> list[tuple[float, float]]:
    """(stored edge score, explained score) of edges where a term-frequency-adjusted field
    agrees exactly (``tf_agrees``) or where none does."""
    project, report = sample
    model = report.rules.probabilistic
    assert model is not None
    tf = [i for i, f in enumerate(model.fields) if f.tf_adjust]
    out = []
    for sa, ra, sb, rb, score, levels in _edges_with_records(project, report.run_id):
        if any(levels[i] == 0 for i in tf) is not tf_agrees:
            continue
        ex = explain(project, RecordRef(sa, ra), RecordRef(sb, rb), report.run_id)
        out.append((round(score, 3), ex.score))
        if len(out) == limit:
            break
    assert len(out) == limit
    return out


def test_explain_gives_the_score_the_run_used(sample: tuple[Project, RunReport]) -> None:
    pairs = _explained_scores(sample, tf_agrees=False)
    assert [e for _, e in pairs] == pytest.approx([s for s, _ in pairs], abs=2e-3)


def test_explain_includes_term_frequency_adjustments(sample: tuple[Project, RunReport]) -> None:
    pairs = _explained_scores(sample, tf_agrees=True)
    assert [e for _, e in pairs] == pytest.approx([s for s, _ in pairs], abs=2e-3)
