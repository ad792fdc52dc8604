"""Profiles at another threshold: a hand-made run whose answers are counted by hand, and a
real run that must come back unchanged at its own threshold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.identity.builders import add_tables, block, profiles_table, rules, run
from workbench.identity.ruleset import FIELDS
from workbench.identity.store import ensure_tables, set_current_run
from workbench.identity.threshold import load_run_graph, profiles_at, profiles_at_threshold
from workbench.project import Project
from workbench.project.store import utcnow

RUN = "run-hand"
# rec: (profile in the run, dob). Profiles: A = {0, 1, 2}, B = {3, 4}, C = {5, 6}.
RECORDS = {
    0: ("PA", "1980-01-01"),
    1: ("PA", "1980-01-01"),
    2: ("PA", "1980-01-01"),
    3: ("PB", "1975-05-05"),
    4: ("PB", "1975-05-05"),
    5: ("PC", None),
    6: ("PC", None),
}
# (a, b, probability, rule). 2-3 is strong enough to match but joins two birth dates.
EDGES = [
    (0, 1, 0.99, "probabilistic"),
    (1, 2, 0.96, "probabilistic"),
    (2, 3, 0.97, "probabilistic"),
    (3, 4, 0.999, "probabilistic"),
    (5, 6, 0.2, "same customer"),
]


def _hand_made_run(project: Project, with_records: bool = True) -> None:
    """Write the run of RECORDS and EDGES as resolve would have stored it."""
    ruleset = rules(
        blocking=[block("email")],
        rules=[{"name": "same customer", "comparisons": [{"field": "customer_id"}]}],
        probabilistic={"fields": [{"field": "email", "levels": [{"method": "exact"}]}]},
        guardrails={"conflict_fields": ["dob"]},
    )
    ruleset.probabilistic.threshold = 0.95  # type: ignore[union-attr]
    summary = {"rules": ruleset.model_dump(mode="json"), "records": len(RECORDS)}
    with project.transaction() as cur:
        ensure_tables(cur)
        cur.execute(
            "INSERT INTO meta.runs VALUES (?, 'identity', 'done', ?, ?, ?)",
            [RUN, utcnow(), utcnow(), json.dumps(summary)],
        )
        for rec, (profile, _dob) in RECORDS.items():
            cur.execute(
                "INSERT INTO identity.clusters VALUES (?, ?, 'crm', ?, ?)",
                [RUN, rec, f"r{rec}", profile],
            )
        for a, b, p, rule in EDGES:
            cur.execute(
                "INSERT INTO identity.edges VALUES (?, ?, ?, 1.0, ?, ?, [])", [RUN, a, b, p, rule]
            )
        if with_records:
            columns = ", ".join(f"{f} VARCHAR" for f in FIELDS)
            cur.execute(
                "CREATE TABLE identity.records (rec INTEGER, source VARCHAR, record_id VARCHAR, "
                f"truth_id VARCHAR, {columns})"
            )
            for rec, (_profile, dob) in RECORDS.items():
                cur.execute(
                    "INSERT INTO identity.records (rec, source, record_id, dob) "
                    "VALUES (?, 'crm', ?, ?)",
                    [rec, f"r{rec}", dob],
                )
        set_current_run(cur, RUN)


@pytest.fixture
def hand_made(project: Project) -> Project:
    _hand_made_run(project)
    return project


def test_at_the_runs_threshold_the_run_comes_back(hand_made: Project) -> None:
    result = profiles_at_threshold(hand_made, 0.95)
    assert (result.profiles, result.merges, result.splits, result.records_moved) == (3, 0, 0, 0)
    assert result.run_profiles == 3
    assert result.edges == 5
    assert result.refused_merges == 1  # 2-3 joins two birth dates
    assert result.exact
    assert result.guardrails


def test_a_higher_threshold_splits_the_weak_chain(hand_made: Project) -> None:
    graph = load_run_graph(hand_made)
    # 1-2 (0.96) and 2-3 (0.97) go: A comes apart into {0, 1} and {2}.
    result = profiles_at(graph, 0.98)
    assert (result.profiles, result.merges, result.splits, result.records_moved) == (4, 0, 1, 1)
    assert result.edges == 3
    # Only 3-4 (0.999) and the deterministic 5-6 are left: A in three, B in two.
    result = profiles_at(graph, 0.9995)
    assert (result.profiles, result.merges, result.splits, result.records_moved) == (6, 0, 2, 3)
    # A deterministic rule's edge holds at any threshold, whatever its probability.
    result = profiles_at(graph, 1.0)
    assert result.profiles == 6
    assert result.edges == 1


def test_below_the_runs_threshold_nothing_new_is_known(hand_made: Project) -> None:
    result = profiles_at(load_run_graph(hand_made), 0.5)
    assert (result.profiles, result.merges, result.splits) == (3, 0, 0)
    assert not result.exact


def test_without_the_records_the_guardrails_are_left_out(project: Project) -> None:
    _hand_made_run(project, with_records=False)
    result = profiles_at_threshold(project, 0.95)
    # 2-3 is no longer refused: A and B become one profile.
    assert not result.guardrails
    assert (result.profiles, result.merges, result.splits) == (2, 1, 0)
    assert result.refused_merges == 0


def test_a_real_run_at_its_own_threshold_is_unchanged(project: Project, data_dir: Path) -> None:
    add_tables(
        project,
        data_dir,
        profiles_table(
            "crm",
            "id,email,first_name,last_name,dob",
            "1,ann@x.com,Ann,Lee,1980-01-01",
            "2,ann@x.com,Ann,Lee,1980-01-01",
            "3,ann@x.com,Anne,Lee,1980-01-01",
            "4,bob@x.com,Bob,Ray,1970-02-02",
            "5,bob@x.com,Bob,Ray,",
            "6,cy@x.com,Cy,Fox,1990-03-03",
        ),
    )
    model = {
        "threshold": 0.9,
        "fields": [
            {"field": "email", "levels": [{"method": "exact"}]},
            {"field": "first_name", "levels": [{"method": "exact"}]},
            {"field": "dob", "levels": [{"method": "exact"}]},
        ],
    }
    report = run(project, rules(blocking=[block("email")], probabilistic=model))
    graph = load_run_graph(project, report.run_id)
    assert graph.threshold == 0.9
    result = profiles_at(graph, 0.9)
    assert (result.profiles, result.merges, result.splits) == (report.profiles, 0, 0)
    assert result.refused_merges == report.refused_merges
    assert report.profiles == 3  # the Ann/Anne records, the Bob records, Cy
    # At 1.0 no probabilistic edge holds: both multi-record profiles come apart.
    stricter = profiles_at(graph, 1.0)
    assert (stricter.profiles, stricter.splits, stricter.records_moved) == (6, 2, 3)
    assert stricter.edges == 0
