"""Profile attributes (non-identity columns) travel into the golden profiles, typed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.identity.builders import (
    add_tables,
    block,
    exact_rule,
    profiles_table,
    query,
    rules,
    run,
)
from workbench.project import Project

CRM = profiles_table(
    "crm",
    "id,email,tier,signup,spend,records",
    "c1,ann@example.com,Gold,2024-01-05,10,shop",
    "c2,bob@example.com,,2024-02-06,20,shop",
    "c3,cat@example.com,Silver,2024-03-07,30,shop",
    tier="attribute",
    signup="attribute",
    spend="attribute",
    records="attribute",
)
WEB = profiles_table(
    "web",
    "id,email,tier,spend",
    "w1,ann@example.com,Bronze,1.5",
    "w2,bob@example.com,Platinum,2.5",
    "w4,dan@example.com,Bronze,",
    tier="attribute",
    spend="attribute",
)
RULES = {"blocking": [block("email")], "rules": [exact_rule("same email", "email")]}


def _profiles(project: Project) -> dict[str, tuple]:
    rows = query(project, "SELECT email, tier, signup, spend, crm_records FROM main.profiles")
    return {r[0]: r[1:] for r in rows}


def test_attributes_follow_source_priority_and_keep_types(project: Project, tmp_path: Path):
    add_tables(project, tmp_path, CRM, WEB)
    run(project, rules(source_priority=["web", "crm"], **RULES))
    got = _profiles(project)
    # web outranks crm where it has a value; crm fills in where web has none.
    assert got["ann@example.com"] == ("Bronze", dt.date(2024, 1, 5), 1.5, "shop")
    assert got["bob@example.com"] == ("Platinum", dt.date(2024, 2, 6), 2.5, "shop")
    assert got["cat@example.com"] == ("Silver", dt.date(2024, 3, 7), 30.0, "shop")
    assert got["dan@example.com"] == ("Bronze", None, None, None)
    types = dict(
        query(
            project,
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'main' AND table_name = 'profiles'",
        )
    )
    assert types["signup"] == "DATE"
    assert types["spend"] == "DOUBLE"  # integer in crm, decimal in web
    assert types["records"] == "BIGINT"  # the record count keeps its name; the attribute moved


def test_other_priority_changes_the_golden_attribute(project: Project, tmp_path: Path):
    add_tables(project, tmp_path, CRM, WEB)
    run(project, rules(source_priority=["crm", "web"], **RULES))
    got = _profiles(project)
    assert got["ann@example.com"][0] == "Gold"
    assert got["bob@example.com"][0] == "Platinum"  # crm has no tier for bob
