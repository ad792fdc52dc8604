"""Deterministic rules end to end on a hand-made project: who merges, and by which rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.identity.builders import (
    add_tables,
    block,
    current,
    edge_rules,
    exact_rule,
    groups,
    partition,
    profiles_table,
    query,
    rules,
    run,
)
from workbench.identity.pipeline import RunReport
from workbench.project import Project

CRM = profiles_table(
    "crm",
    "id,email,phone,first_name,last_name,dob",
    "c1,ann@example.com,,Ann,Lee,1980-01-01",
    "c2,bob@example.com,,Bob,Stone,1975-05-05",
    "c5,kate@example.com,(555) 123-4567,Kate,Moss,1985-08-08",
    "c6,tom@example.com,,Tom,Ray,1970-07-07",
    "c7,eve@example.com,,Eve,Hart,1991-09-09",
)
WEB = profiles_table(
    "web",
    "id,email,phone,first_name,last_name,dob",
    "w1, ANN@Example.com ,,Ann,Lee,",
    "w2,robert.stone@example.com,,Robert,Stone,05/05/1975",
    "w5,k.moss@example.com,+1 555 123 4567,Katherine,Moss,",
    "w6,t.ray@example.com,,Tom,Ray,1971-07-07",
    "w7,eve@example.com,,Eve,Hart,1991-09-09",
    "w8,zed@example.com,,Zed,Zulu,",
)
RULES = rules(
    blocking=[block("email"), block("phone"), block("last_name")],
    rules=[
        exact_rule("same email", "email"),
        exact_rule("same phone", "phone"),
        exact_rule("name and dob", "first_name", "last_name", "dob"),
        {**exact_rule("same last name", "last_name"), "enabled": False},
    ],
)


@pytest.fixture
def report(project: Project, data_dir: Path) -> RunReport:
    add_tables(project, data_dir, CRM, WEB)
    return run(project, RULES)


def test_records_that_should_merge_do_and_others_do_not(
    project: Project, report: RunReport
) -> None:
    assert groups(project, report.run_id) == partition(
        ["crm:c1", "web:w1"],  # e-mail after case and spaces
        ["crm:c2", "web:w2"],  # Bob = Robert, and the dob in another format
        ["crm:c5", "web:w5"],  # one phone number, two formats
        ["crm:c6"],  # same name, birth dates a year apart
        ["web:w6"],
        ["crm:c7", "web:w7"],
        ["web:w8"],
    )
    assert report.records == 11
    assert report.profiles == 7
    assert report.merge_rate == pytest.approx(1 - 7 / 11)


def test_the_rule_that_fired_is_on_each_edge(project: Project, report: RunReport) -> None:
    assert edge_rules(project, report.run_id) == {
        frozenset({"crm:c1", "web:w1"}): "same email",
        frozenset({"crm:c2", "web:w2"}): "name and dob",
        frozenset({"crm:c5", "web:w5"}): "same phone",
        # e-mail and name + dob both hold: the first rule in the rule set is recorded
        frozenset({"crm:c7", "web:w7"}): "same email",
    }
    assert report.matches_by_rule == {"same email": 2, "name and dob": 1, "same phone": 1}
    assert report.matched_pairs == 4


def test_a_disabled_rule_never_fires(project: Project, report: RunReport) -> None:
    assert "same last name" not in report.matches_by_rule
    enabled = RULES.model_copy(deep=True)
    enabled.rules[3].enabled = True
    again = run(project, enabled)
    assert frozenset({"crm:c6", "web:w6"}) in groups(project, again.run_id)
    assert edge_rules(project, again.run_id)[frozenset({"crm:c6", "web:w6"})] == "same last name"


def test_the_report_and_the_run_record(project: Project, report: RunReport) -> None:
    assert current(project) == report.run_id
    assert report.size_histogram == {"1": 3, "2": 4}
    assert report.evaluation is None  # no truth_id column
    assert report.training is None  # no probabilistic model
    stored = query(project, "SELECT kind, status FROM meta.runs WHERE run_id = ?", [report.run_id])
    assert stored == [("identity", "done")]
