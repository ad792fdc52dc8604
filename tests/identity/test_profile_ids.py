"""Profile ids survive re-runs: unchanged profiles keep theirs when others split or merge."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.identity.builders import (
    add_tables,
    block,
    exact_rule,
    profile_of,
    profiles_table,
    rules,
    run,
)
from workbench.project import Project

CRM = profiles_table(
    "crm",
    "id,email,phone",
    "a1,a@example.com,",
    "a2,a@example.com,",
    "b1,b@example.com,5550000001",
    "b2,b@example.com,",
    "c1,c@example.com,",
    "c2,c@example.com,5550000003",
    "c3,other-c@example.com,555-000-0003",
    "d1,d@example.com,",
)
EMAIL_AND_PHONE = rules(
    blocking=[block("email"), block("phone")],
    rules=[exact_rule("same email", "email"), exact_rule("same phone", "phone")],
)
EMAIL_ONLY = rules(blocking=[block("email")], rules=[exact_rule("same email", "email")])


@pytest.fixture
def crm(project: Project, data_dir: Path) -> Project:
    add_tables(project, data_dir, CRM)
    return project


def _profiles(ids: dict[tuple[str, str], str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for (_, record), pid in ids.items():
        out.setdefault(pid, set()).add(record)
    return out


def test_the_same_rules_give_the_same_ids(crm: Project) -> None:
    first = profile_of(crm, run(crm, EMAIL_AND_PHONE).run_id)
    second = profile_of(crm, run(crm, EMAIL_AND_PHONE).run_id)
    assert second == first
    assert sorted(map(sorted, _profiles(first).values())) == [
        ["a1", "a2"],
        ["b1", "b2"],
        ["c1", "c2", "c3"],
        ["d1"],
    ]


def test_ids_do_not_depend_on_the_project_file(tmp_path: Path, crm: Project) -> None:
    first = profile_of(crm, run(crm, EMAIL_AND_PHONE).run_id)
    (tmp_path / "other").mkdir()
    other = Project.create(tmp_path / "other" / "copy.wbproj")
    try:
        add_tables(other, tmp_path / "other", CRM)
        assert profile_of(other, run(other, EMAIL_AND_PHONE).run_id) == first
    finally:
        other.close()


def test_a_split_keeps_the_unchanged_profiles_ids(crm: Project) -> None:
    before = profile_of(crm, run(crm, EMAIL_AND_PHONE).run_id)
    after = profile_of(crm, run(crm, EMAIL_ONLY).run_id)
    for record in ("a1", "a2", "b1", "b2", "d1"):
        assert after[("crm", record)] == before[("crm", record)], record
    # The larger part of the split profile keeps its id; the rest gets a new one.
    assert after[("crm", "c1")] == after[("crm", "c2")] == before[("crm", "c1")]
    assert after[("crm", "c3")] not in set(before.values())
    assert len(set(after.values())) == len(set(before.values())) + 1


def test_a_merge_keeps_the_id_of_its_larger_part(crm: Project) -> None:
    before = profile_of(crm, run(crm, EMAIL_ONLY).run_id)
    after = profile_of(crm, run(crm, EMAIL_AND_PHONE).run_id)
    assert after[("crm", "c3")] == before[("crm", "c1")]
    assert {after[("crm", r)] for r in ("c1", "c2", "c3")} == {before[("crm", "c1")]}
    for record in ("a1", "b1", "d1"):
        assert after[("crm", record)] == before[("crm", record)]


def test_a_profile_split_and_merged_back_gets_its_id_back(crm: Project) -> None:
    first = profile_of(crm, run(crm, EMAIL_AND_PHONE).run_id)
    run(crm, EMAIL_ONLY)
    third = profile_of(crm, run(crm, EMAIL_AND_PHONE).run_id)
    assert third == first
