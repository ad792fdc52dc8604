"""Candidate pairs: counted per blocking rule, common values left out, too many refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.identity.builders import (
    add_tables,
    block,
    current,
    exact_rule,
    groups,
    pair_count,
    profiles_table,
    query,
    rules,
    run,
    run_ids,
)
from workbench.identity.api import count_candidate_pairs
from workbench.identity.pipeline import IdentityError
from workbench.identity.ruleset import RuleSet
from workbench.project import Project

# e-mail blocks of 4, 3, 2 and 1 records (and two records without an e-mail);
# last name + dob blocks: lee/1980 x3, kim/1990 x2.
CRM = profiles_table(
    "crm",
    "id,email,last_name,dob",
    "1,four@example.com,Lee,1980-01-01",
    "2,four@example.com,Lee,1980-01-01",
    "3,four@example.com,Lee,01/01/1980",
    "4,four@example.com,Kim,1990-02-02",
    "5,three@example.com,Kim,1990-02-02",
    "6,three@example.com,Ray,",
    "7,three@example.com,,1990-02-02",
    "8,two@example.com,Ray,1970-07-07",
    "9,TWO@example.com,Ray,1971-07-07",
    "10,one@example.com,Zed,1960-06-06",
    "11,,Ng,1950-05-05",
    "12,,Ng,",
)
EMAIL_PAIRS = pair_count([4, 3, 2])
NAME_DOB_PAIRS = pair_count([3, 2])


@pytest.fixture
def crm(project: Project, data_dir: Path) -> Project:
    add_tables(project, data_dir, CRM)
    return project


def _rules(max_block_size: int = 100, max_pairs: int = 1000, **extra: object) -> RuleSet:
    return rules(
        blocking=[block("email"), block("last_name", "dob")],
        rules=[exact_rule("same email", "email")],
        guardrails={"max_block_size": max_block_size, "max_pairs": max_pairs},
        **extra,
    )


def test_pairs_per_blocking_rule(crm: Project) -> None:
    counts = count_candidate_pairs(crm, _rules())
    assert [(c.rule, c.pairs, c.blocks, c.skipped_values) for c in counts] == [
        ("same email", EMAIL_PAIRS, 3, 0),
        ("same last_name and dob", NAME_DOB_PAIRS, 2, 0),
    ]


def test_counting_changes_nothing(crm: Project) -> None:
    count_candidate_pairs(crm, _rules())
    assert run_ids(crm) == []
    tables = query(crm, "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'identity'")
    assert ("records",) not in tables


def test_distinct_candidate_pairs_over_all_rules(crm: Project) -> None:
    report = run(crm, _rules())
    # lee/1980 (records 1-3) are also an e-mail block; kim/1990 (4, 5) are not.
    assert report.candidate_pairs == EMAIL_PAIRS + 1
    assert [b["pairs"] for b in report.blocking] == [EMAIL_PAIRS, NAME_DOB_PAIRS]


def test_a_too_common_value_is_left_out_and_reported(crm: Project) -> None:
    counts = count_candidate_pairs(crm, _rules(max_block_size=3))
    email = counts[0]
    assert (email.pairs, email.blocks) == (pair_count([3, 2]), 2)
    assert (email.skipped_values, email.skipped_records) == (1, 4)
    report = run(crm, _rules(max_block_size=3))
    assert report.blocking[0]["skipped_values"] == 1
    # The four records sharing four@ are never paired by e-mail; 1-3 still meet by last
    # name + dob (and then match on e-mail), record 4 meets only record 5 and stays alone.
    assert groups(crm, report.run_id) >= {
        frozenset({"crm:1", "crm:2", "crm:3"}),
        frozenset({"crm:4"}),
        frozenset({"crm:5", "crm:6", "crm:7"}),
    }


def test_a_rule_with_too_many_pairs_is_refused_and_the_previous_run_stays(crm: Project) -> None:
    first = run(crm, _rules())
    before = query(crm, "SELECT count(*) FROM identity.clusters")
    limit = EMAIL_PAIRS - 1
    with pytest.raises(IdentityError) as info:
        run(crm, _rules(max_pairs=limit))
    message = str(info.value)
    assert "blocking rule 'same email'" in message
    assert f"would produce {EMAIL_PAIRS:,} candidate pairs" in message
    assert f"limit of {limit:,}" in message
    assert current(crm) == first.run_id
    assert run_ids(crm) == [first.run_id]
    assert query(crm, "SELECT count(*) FROM identity.clusters") == before


def test_exactly_max_pairs_is_allowed(crm: Project) -> None:
    report = run(crm, _rules(max_pairs=EMAIL_PAIRS))
    assert current(crm) == report.run_id
