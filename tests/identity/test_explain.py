"""Why two records are, or are not, in one profile."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.identity.builders import (
    add_tables,
    block,
    built_project,
    exact_rule,
    profiles_table,
    rules,
    run,
)
from workbench.identity.explain import explain
from workbench.identity.pipeline import RunReport
from workbench.identity.runs import RecordRef, RunNotFoundError
from workbench.project import Project
from workbench.project.errors import WorkbenchError

CRM = profiles_table(
    "crm",
    "id,email,phone,first_name,last_name,dob,customer_id",
    "p1,a@example.com,5551110001,Ann,Lee,1980-01-01,",
    "p2,a@example.com,5552220002,Ann,Lee,,",
    "p3,c@example.com,5552220002,Ann,Leigh,1980-01-01,",
    "h1,smiths@example.com,,Ann,Smith,1980-02-02,",
    "h2,smiths@example.com,,Tom,Smith,1970-03-03,",
    "y1,y1@example.com,,Yan,Young,1990-01-01,",
    "y2,y2@example.com,,Yves,Young,1991-01-01,",
    "k1,kin@example.com,,Kim,Kay,,K1",
    "k2,kin@example.com,,Kim,Kay,,K2",
    "z1,zed@example.com,,Zed,Zulu,,",
)
RULES = rules(
    keys=[{"field": "customer_id", "unique": True}],
    blocking=[block("email"), block("phone"), block("last_name")],
    rules=[
        exact_rule("same email", "email"),
        exact_rule("same phone", "phone"),
        exact_rule("name and dob", "first_name", "last_name", "dob"),
    ],
    guardrails={"conflict_fields": ["dob", "first_name"]},
)


@pytest.fixture(scope="module")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, RunReport]]:
    """Resolved once for the tests that only read the result."""
    with built_project(tmp_path_factory.mktemp("explain"), CRM) as project:
        yield project, run(project, RULES)


def _explain(project: Project, left: str, right: str, run_id: str | None = None):
    return explain(project, RecordRef.parse(left), RecordRef.parse(right), run_id)


def test_matched_directly(resolved: tuple[Project, RunReport]) -> None:
    project, report = resolved
    ex = _explain(project, "crm:p1", "crm:p2")
    assert ex.same_profile
    assert ex.verdict == "in one profile: matched directly"
    assert ex.rules_matched == ["same email"]
    assert ex.blocking_rules == ["same email", "same last_name"]
    assert ex.run_id == report.run_id
    assert [(s["from"], s["to"], s["rule"]) for s in ex.path] == [
        ("crm:p1", "crm:p2", "same email")
    ]


def test_through_a_path(resolved: tuple[Project, RunReport]) -> None:
    project, _ = resolved
    ex = _explain(project, "crm:p1", "crm:p3")
    assert ex.same_profile
    assert ex.verdict == "in one profile through 2 matches (see the path)"
    assert ex.blocking_rules == []
    assert ex.rules_matched == []
    assert [(s["from"], s["to"], s["rule"]) for s in ex.path] == [
        ("crm:p1", "crm:p2", "same email"),
        ("crm:p2", "crm:p3", "same phone"),
    ]


def test_merge_refused_for_a_different_dob(resolved: tuple[Project, RunReport]) -> None:
    project, _ = resolved
    ex = _explain(project, "crm:h1", "crm:h2")
    assert not ex.same_profile
    assert ex.left_profile != ex.right_profile
    assert ex.rules_matched == ["same email"]
    assert ex.verdict == "matched, but the merge was refused: different dob"


def test_merge_refused_for_a_unique_key(resolved: tuple[Project, RunReport]) -> None:
    project, _ = resolved
    ex = _explain(project, "crm:k1", "crm:k2")
    assert not ex.same_profile
    assert ex.verdict == "matched, but the merge was refused: different customer_id"


def test_not_compared(resolved: tuple[Project, RunReport]) -> None:
    project, _ = resolved
    ex = _explain(project, "crm:p1", "crm:z1")
    assert not ex.same_profile
    assert ex.blocking_rules == []
    assert ex.verdict == "not compared: no blocking rule puts them in one block"


def test_compared_but_no_rule_matched(resolved: tuple[Project, RunReport]) -> None:
    project, _ = resolved
    ex = _explain(project, "crm:y1", "crm:y2")
    assert ex.blocking_rules == ["same last_name"]
    assert ex.rules_matched == []
    assert ex.verdict == "compared, but below the match threshold and no rule matched"


def test_an_older_run_can_be_explained(project: Project, data_dir: Path) -> None:
    add_tables(project, data_dir, CRM)
    first = run(project, RULES)
    email_only = rules(blocking=[block("email")], rules=[exact_rule("same email", "email")])
    run(project, email_only)
    assert not _explain(project, "crm:p1", "crm:p3").same_profile
    assert _explain(project, "crm:p1", "crm:p3", first.run_id).same_profile
    assert _explain(project, "crm:p1", "crm:p3", first.run_id[:-2]).same_profile  # a prefix


def test_unknown_records_and_runs_are_named(resolved: tuple[Project, RunReport]) -> None:
    project, _ = resolved
    with pytest.raises(WorkbenchError, match=r"record crm:nope is not in run"):
        _explain(project, "crm:p1", "crm:nope")
    with pytest.raises(RunNotFoundError, match=r"no identity run 'run-nope'"):
        _explain(project, "crm:p1", "crm:p2", "run-nope")
    with pytest.raises(WorkbenchError, match=r"give a record as SOURCE:RECORD_ID"):
        RecordRef.parse("p1")


def test_explain_before_any_run(project: Project, data_dir: Path) -> None:
    add_tables(project, data_dir, CRM)
    with pytest.raises(RunNotFoundError, match="no identity run yet"):
        _explain(project, "crm:p1", "crm:p2")


def test_a_record_id_with_colons(project: Project, data_dir: Path) -> None:
    add_tables(
        project,
        data_dir,
        profiles_table("crm", "id,email", "a:1,x@example.com", "a:2,x@example.com"),
    )
    run(project, rules(blocking=[block("email")], rules=[exact_rule("same email", "email")]))
    assert _explain(project, "crm:a:1", "crm:a:2").same_profile


def test_a_phonetic_rule_can_be_explained_after_reopening(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "phonetic.wbproj"
    project = Project.create(path)
    try:
        add_tables(
            project,
            data_dir,
            profiles_table(
                "crm",
                "id,email,first_name,last_name",
                "1,a@x.com,Robert,Stone",
                "2,b@x.com,Rupert,Stone",
            ),
        )
        sounds = {
            "name": "sounds alike",
            "comparisons": [
                {"field": "first_name", "method": "phonetic"},
                {"field": "last_name", "method": "exact"},
            ],
        }
        run(project, rules(blocking=[block("last_name")], rules=[sounds]))
    finally:
        project.close()
    with Project.open(path, read_only=True) as reopened:
        ex = _explain(reopened, "crm:1", "crm:2")
    assert ex.rules_matched == ["sounds alike"]
    assert ex.verdict == "in one profile: matched directly"
