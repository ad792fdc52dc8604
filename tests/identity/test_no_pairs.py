"""A project where no two records share a key still resolves: one profile per record."""

from __future__ import annotations

from pathlib import Path

from tests.identity.builders import add_tables, groups, partition, profiles_table, run
from workbench.project import Project

DISTINCT = profiles_table(
    "crm",
    "id,email,first_name,last_name",
    "r1,ann@example.com,Ann,Lee",
    "r2,bob@example.com,Bob,Ray",
    "r3,cat@example.com,Cat,Fox",
)


def test_auto_with_no_candidate_pairs_gives_one_profile_per_record(
    project: Project, data_dir: Path
) -> None:
    add_tables(project, data_dir, DISTINCT)
    report = run(project)
    assert report.candidate_pairs == 0
    assert report.profiles == 3
    assert groups(project, report.run_id) == partition(["crm:r1"], ["crm:r2"], ["crm:r3"])
