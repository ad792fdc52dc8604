"""Finding a person's profile by e-mail, name, phone or any id, written as people type them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

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
from workbench.identity.pipeline import RunReport
from workbench.identity.runs import RunNotFoundError
from workbench.identity.search import find_profiles
from workbench.project import Project

CRM = profiles_table(
    "crm",
    "id,email,phone,first_name,last_name,customer_id",
    "1,Jose.Garcia+news@Gmail.com,(213) 398-5189,José,García,C100",
    "2,josegarcia@gmail.com,,Jose,Garcia,",
    "3,ann@example.com,555-000-1111,Ann,Lee,C200",
    "4,bob.smith@example.com,,Bob,Smith,C300",
    "5,annabel@example.com,,Annabel,Jones,C400",
)
APP = profiles_table("app", "id,email,device_id", "d-1,ann@example.com,DEV-ABC-123")
BY_EMAIL = rules(blocking=[block("email")], rules=[exact_rule("same email", "email")])


@pytest.fixture(scope="module")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, RunReport]]:
    """CRM and APP resolved by e-mail, once for the module (the searches only read)."""
    with built_project(tmp_path_factory.mktemp("search"), CRM, APP) as project:
        yield project, run(project, BY_EMAIL)


def _pid(project: Project, report: RunReport, record: str, source: str = "crm") -> str:
    return profile_of(project, report.run_id)[(source, record)]


@pytest.mark.parametrize(
    ("text", "how"),
    [
        ("jose.garcia+news@gmail.com", "email"),
        ("  JOSEGARCIA@GMAIL.COM ", "email"),  # Gmail ignores dots; the tag is dropped
        ("José García", "first_name and last_name"),
        ("JOSE garcia", "first_name and last_name"),
        ("García José", "first_name and last_name (swapped)"),
        ("+1 213 398 5189", "phone"),
        ("213.398.5189", "phone"),
        ("C100", "customer_id"),
        ("crm:1", "record"),
    ],
)
def test_a_person_is_found_however_written(
    resolved: tuple[Project, RunReport], text: str, how: str
) -> None:
    project, report = resolved
    found = find_profiles(project, text)
    garcia = _pid(project, report, "1")
    assert found[0].profile_id == garcia
    assert found[0].matched[0] == how
    assert found[0].records == 2  # both records of José, merged by e-mail
    assert found[0].name == "Jose Garcia"
    assert found[0].email == "josegarcia@gmail.com"


def test_the_matching_records_are_named(resolved: tuple[Project, RunReport]) -> None:
    project, _report = resolved
    (match,) = find_profiles(project, "josegarcia@gmail.com")
    assert sorted(match.matched_records) == ["crm:1", "crm:2"]


def test_a_nickname_finds_the_full_name(resolved: tuple[Project, RunReport]) -> None:
    project, report = resolved
    found = find_profiles(project, "Bob Smith")
    assert [m.profile_id for m in found] == [_pid(project, report, "4")]
    assert found[0].name == "Robert Smith"


def test_any_id_and_its_start(resolved: tuple[Project, RunReport]) -> None:
    project, report = resolved
    ann = _pid(project, report, "3")
    assert find_profiles(project, "dev-abc-123")[0].profile_id == ann  # device ids: lower case
    assert find_profiles(project, "DEV-ABC")[0].matched == ["device_id (starts with)"]
    assert find_profiles(project, "d-1")[0].matched == ["record id"]
    assert find_profiles(project, "app:d-1")[0].matched_records == ["app:d-1"]
    assert find_profiles(project, ann)[0].matched == ["profile id"]
    assert find_profiles(project, ann[:6].lower())[0].profile_id == ann
    assert find_profiles(project, "555000")[0].matched == ["phone (starts with)"]


def test_stronger_matches_come_first(resolved: tuple[Project, RunReport]) -> None:
    project, report = resolved
    found = find_profiles(project, "ann")
    # Ann by first name, then Annabel only because her e-mail starts with "ann".
    assert [m.profile_id for m in found] == [
        _pid(project, report, "3"),
        _pid(project, report, "5"),
    ]
    # Ann's app install has no name: it is found by its e-mail.
    assert [m.matched for m in found] == [
        ["first_name", "email (starts with)"],
        ["email (starts with)"],
    ]
    assert found[0].records == 2


def test_a_limit(resolved: tuple[Project, RunReport]) -> None:
    project, _report = resolved
    assert len(find_profiles(project, "ann", limit=1)) == 1


def test_nothing_found_and_nothing_asked(resolved: tuple[Project, RunReport]) -> None:
    project, _report = resolved
    assert find_profiles(project, "nobody@nowhere.org") == []
    assert find_profiles(project, "   ") == []


def test_the_text_is_only_ever_a_parameter(resolved: tuple[Project, RunReport]) -> None:
    project, _report = resolved
    for text in ("x'; DROP TABLE identity.records; --", "O'Brien", "50%_", "a\\b", "$1 ?"):
        assert find_profiles(project, text) == []
    assert query(project, "SELECT count(*) FROM identity.records") == [(6,)]


def test_an_older_run_answers_with_its_own_profiles(project: Project, data_dir: Path) -> None:
    add_tables(project, data_dir, CRM, APP)
    by_id = rules(blocking=[block("customer_id")], rules=[exact_rule("same id", "customer_id")])
    older = run(project, by_id)  # José's two records apart (one has no customer id)
    newer = run(project, BY_EMAIL)
    found = find_profiles(project, "jose garcia", run_id=older.run_id)
    assert {m.profile_id for m in found} == {
        profile_of(project, older.run_id)[("crm", "1")],
        profile_of(project, older.run_id)[("crm", "2")],
    }
    assert all(m.records == 1 for m in found)
    assert {m.name for m in found} == {"Jose Garcia"}  # from the records: no golden record kept
    assert len(find_profiles(project, "jose garcia", run_id=newer.run_id)) == 1


def test_before_any_run(project: Project, data_dir: Path) -> None:
    add_tables(project, data_dir, CRM)
    with pytest.raises(RunNotFoundError, match="no identity run yet"):
        find_profiles(project, "ann")


def test_the_search_command(
    project: Project, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from workbench.cli.main import main

    add_tables(project, data_dir, CRM, APP)
    report = run(project, BY_EMAIL)
    garcia = _pid(project, report, "1")
    path = project.path
    project.close()  # the command opens the file itself
    assert main(["search", str(path), "josé garcía", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [(m["profile_id"], m["records"], m["name"]) for m in found] == [
        (garcia, 2, "Jose Garcia")
    ]
    assert main(["search", str(path), "213-398-5189"]) == 0
    out = capsys.readouterr().out
    assert garcia in out
    assert "phone" in out
    assert main(["search", str(path), "nobody"]) == 0
    assert capsys.readouterr().out == "No profile matches 'nobody'.\n"
