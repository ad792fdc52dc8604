"""Browsing project tables: pages at any depth, sort, quick filter, column statistics."""

from __future__ import annotations

import threading
import time

import pytest

from tests.helpers import csv_text, import_profiles, write_text
from workbench.project import Project
from workbench.project.browse import (
    Sort,
    TableRef,
    ViewSpec,
    column_stats,
    open_view,
    project_tables,
    read_page,
    rejects_ref,
    source_ref,
)
from workbench.project.errors import ProjectError
from workbench.tasks import Cancelled, Task

BIG = 200_000


@pytest.fixture
def big(project: Project) -> TableRef:
    """A raw table of BIG rows in file order (written directly: the importer is not under test)."""
    with project.transaction() as cur:
        cur.execute(
            "CREATE TABLE raw.big AS SELECT i AS n, 'name ' || (i % 1000) AS name, "
            "CASE WHEN i % 10 = 0 THEN NULL ELSE i % 7 END AS bucket FROM range(?) t(i) "
            "ORDER BY i",
            [BIG],
        )
    return TableRef("raw", "big", "big")


@pytest.fixture
def crm(project: Project, data_dir) -> str:
    path = write_text(
        data_dir / "crm.csv",
        csv_text(
            "customer_id,name,city,age",
            "C1,Ann,Oslo,34",
            "C2,Bob,Bergen,x",
            "C3,Cid,Oslo,51",
            "C4,Dan,,27",
            "C5,Eve,Oslo,45",
        ),
    )
    import_profiles(project, path, types={"age": "integer"}, name="crm")
    return "crm"


def test_natural_order_pages_at_any_depth(project, big) -> None:
    view = open_view(project, big)
    assert view.total == BIG
    assert [c.name for c in view.columns] == ["n", "name", "bucket"]
    assert [r[0] for r in view.fetch(project, 0, 3)] == [0, 1, 2]
    assert [r[0] for r in view.fetch(project, BIG - 2, 10)] == [BIG - 2, BIG - 1]
    assert view.fetch(project, BIG, 10) == []
    started = time.perf_counter()
    deep = view.fetch(project, 150_000, 256)
    assert time.perf_counter() - started < 0.5
    assert [r[0] for r in deep[:2]] == [150_000, 150_001]


def test_sorting_pages_in_sorted_order_with_nulls_last(project, big) -> None:
    view = open_view(project, big, ViewSpec(sort=(Sort("bucket", descending=True),)))
    assert view.total == BIG
    first = view.fetch(project, 0, 5)
    assert [r[2] for r in first] == [6] * 5
    assert [r[0] for r in first] == sorted(r[0] for r in first)  # ties keep file order
    last = view.fetch(project, BIG - 3, 3)
    assert [r[2] for r in last] == [None, None, None]


def test_quick_filter_is_a_parameter_not_sql(project, big) -> None:
    view = open_view(project, big, ViewSpec(filter_text="NAME 99", filter_column="name"))
    assert view.total == 2200  # 'name 99' and 'name 990'..'name 999', 200 each
    assert view.table_total == BIG
    assert all("name 99" in r[1] for r in view.fetch(project, 0, 300))
    hostile = open_view(project, big, ViewSpec(filter_text="x'); DROP TABLE raw.big; --"))
    assert hostile.total == 0
    assert open_view(project, big).total == BIG


def test_unknown_columns_and_tables_are_refused(project, big) -> None:
    with pytest.raises(ProjectError, match="no column"):
        open_view(project, big, ViewSpec(sort=(Sort('n" DESC; --'),)))
    with pytest.raises(ProjectError, match="no column"):
        column_stats(project, big, "nope")
    with pytest.raises(ProjectError, match="no table"):
        open_view(project, TableRef("raw", 'big"; --', "x"))


def test_column_statistics(project, big) -> None:
    stats = column_stats(project, big, "bucket")
    assert stats.type == "BIGINT"
    assert stats.rows == BIG
    assert stats.nulls == BIG // 10
    assert stats.distinct == 7
    assert (stats.minimum, stats.maximum) == (0, 6)
    assert stats.mean is not None
    assert len(stats.top) == 7
    assert stats.top[0][1] >= stats.top[-1][1]
    filtered = column_stats(
        project, big, "name", ViewSpec(filter_text="name 5", filter_column="name")
    )
    assert filtered.rows == 200 * 111
    assert filtered.mean is None


def test_sources_and_their_rejects_are_browsable(project, crm) -> None:
    refs = project_tables(project)
    assert [r.label for r in refs] == ["crm", "crm: rejected rows"]
    rows = open_view(project, source_ref(project, crm))
    assert rows.total == 4
    rejects = open_view(project, rejects_ref(crm))
    assert rejects.total == 1
    assert "source" not in [c.name for c in rejects.columns]
    (row,) = rejects.fetch(project, 0, 10)
    record = dict(zip([c.name for c in rejects.columns], row, strict=True))
    assert record["column_name"] == "age"
    assert record["line"] == 3
    page = read_page(project, crm, 1, 2)
    assert page.total == 4
    assert len(page.rows) == 2
    with pytest.raises(ProjectError):
        source_ref(project, "nope")


def test_tables_with_deleted_rows_still_page_correctly(project, big) -> None:
    with project.transaction() as cur:
        cur.execute("DELETE FROM raw.big WHERE n % 2 = 1")
    view = open_view(project, big)
    assert view.total == BIG // 2
    assert [r[0] for r in view.fetch(project, 10, 3)] == [20, 22, 24]


def test_cancel_interrupts_a_running_sort(project) -> None:
    with project.transaction() as cur:
        cur.execute(
            "CREATE TABLE raw.wide AS SELECT i AS n, 'name ' || (i % 9973) AS name, "
            "i * 31 % 1000003 AS k FROM range(1500000) t(i)"
        )
    ref = TableRef("raw", "wide", "wide")

    def cancel_soon(_fraction: float, _message: str) -> None:
        # Called when ordering starts: cancel once the query is under way.
        threading.Timer(0.02, task.cancel).start()

    task = Task(cancel_soon)
    started = time.perf_counter()
    with pytest.raises(Cancelled):
        open_view(project, ref, ViewSpec(sort=(Sort("name"), Sort("k")), filter_text="e"), task)
    assert time.perf_counter() - started < 5
