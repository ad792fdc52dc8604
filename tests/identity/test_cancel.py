"""Cancelling a run part-way leaves the previous run current and intact."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.identity.builders import (
    add_tables,
    block,
    current,
    exact_rule,
    profile_of,
    profiles_table,
    query,
    rules,
    run,
    run_ids,
)
from workbench.identity.pipeline import resolve
from workbench.project import Project
from workbench.tasks import Cancelled, Task

RULES = rules(
    blocking=[block("email"), block("last_name")],
    rules=[exact_rule("same email", "email")],
    probabilistic={
        "fields": [
            {"field": "email", "levels": [{"method": "exact"}]},
            {"field": "last_name", "levels": [{"method": "exact"}]},
        ]
    },
)


def _table_counts(project: Project) -> dict[str, int]:
    return {
        name: query(project, f"SELECT count(*) FROM {name}")[0][0]
        for name in ("identity.clusters", "identity.edges", "main.profiles", "meta.runs")
    }


@pytest.mark.parametrize("at", [0.1, 0.3, 0.7, 0.98])
def test_a_cancelled_run_changes_nothing(project: Project, data_dir: Path, at: float) -> None:
    add_tables(
        project,
        data_dir,
        profiles_table(
            "crm",
            "id,email,last_name",
            *(f"{i},p{i // 2}@example.com,Name{i % 7}" for i in range(40)),
        ),
    )
    first = run(project, RULES)
    before_ids = profile_of(project, first.run_id)
    before = _table_counts(project)
    seen: list[float] = []

    def on_progress(fraction: float, _message: str) -> None:
        seen.append(fraction)
        if fraction >= at:
            task.cancel()

    task = Task(on_progress)
    with pytest.raises(Cancelled):
        resolve(project, RULES.model_copy(deep=True), task)
    assert max(seen) >= at  # it really got that far
    assert current(project) == first.run_id
    assert run_ids(project) == [first.run_id]
    assert _table_counts(project) == before
    assert profile_of(project, first.run_id) == before_ids
    # The project still works: the next run goes through.
    again = run(project, RULES)
    assert profile_of(project, again.run_id) == before_ids
