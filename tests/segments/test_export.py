"""Exporting a segment's members: CSV safe for spreadsheets, Parquet, nothing half written."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from tests.identity.builders import block, built_project, exact_rule, profiles_table, rules, run
from workbench.project import Project
from workbench.segments.errors import SegmentError
from workbench.segments.evaluate import member_ids
from workbench.segments.export import export_members
from workbench.segments.model import AttributeCondition, EventCondition, Group, Segment, Window
from workbench.tasks import Cancelled, Task

AS_OF = dt.datetime(2024, 6, 30, 12, 0)
PEOPLE = profiles_table(
    "crm",
    "id,customer_id,tier,note,joined",
    "1,C1,gold,=1+1,2021-03-01",
    "2,C2,gold,+SUM(A1),2022-05-10",
    "3,C3,gold,@x,2020-01-15",
    "4,C4,gold,-2,2023-07-04",
    "5,C5,gold,plain text,2023-07-05",
    '6,C6,silver,=HYPERLINK("http://evil"),2023-07-06',
    "7,C7,gold,,2023-07-07",
    tier="attribute",
    note="attribute",
    joined="attribute",
)
RULES = rules(blocking=[block("customer_id")], rules=[exact_rule("same id", "customer_id")])
GOLD = Segment(name="Gold", root=Group(conditions=[AttributeCondition(field="tier", value="gold")]))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with built_project(tmp_path_factory.mktemp("export"), PEOPLE) as proj:
        run(proj, RULES)
        yield proj


def _golden(project: Project) -> dict[str, tuple]:
    cur = project.cursor()
    try:
        rows = cur.execute("SELECT profile_id, customer_id, note FROM main.profiles").fetchall()
    finally:
        cur.close()
    return {customer: (pid, note) for pid, customer, note in rows}


def test_csv_has_the_members_and_neutralised_formulas(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "gold.csv"
    assert export_members(project, GOLD, out, as_of=AS_OF) == 6
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["profile_id", "customer_id", "joined", "note", "tier"]
    golden = _golden(project)
    by_customer = {r["customer_id"]: r for r in rows}
    assert set(by_customer) == {"C1", "C2", "C3", "C4", "C5", "C7"}
    assert {c: r["note"] for c, r in by_customer.items()} == {
        "C1": "'=1+1",
        "C2": "'+SUM(A1)",
        "C3": "'@x",
        "C4": "'-2",
        "C5": "plain text",
        "C7": "",
    }
    assert by_customer["C1"]["profile_id"] == golden["C1"][0]
    assert by_customer["C1"]["joined"] == "2021-03-01"
    assert [r["profile_id"] for r in rows] == sorted(r["profile_id"] for r in rows)
    assert not any(r[k].startswith(("=", "+", "-", "@")) for r in rows for k in r)


def test_parquet_keeps_values_and_types(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "gold.parquet"
    assert export_members(project, GOLD, out, as_of=AS_OF) == 6
    con = duckdb.connect()
    try:
        rows = con.execute(
            "SELECT customer_id, note, joined FROM read_parquet(?) ORDER BY customer_id",
            [str(out)],
        ).fetchall()
    finally:
        con.close()
    assert rows[0] == ("C1", "=1+1", dt.date(2021, 3, 1))  # Parquet is not a spreadsheet
    assert [r[0] for r in rows] == ["C1", "C2", "C3", "C4", "C5", "C7"]


def test_an_empty_segment_writes_a_header_only(project: Project, tmp_path: Path) -> None:
    nobody = Segment(
        name="Nobody", root=Group(conditions=[AttributeCondition(field="tier", value="none")])
    )
    out = tmp_path / "nobody.csv"
    assert export_members(project, nobody, out, as_of=AS_OF) == 0
    assert out.read_text(encoding="utf-8").splitlines() == [
        "profile_id,customer_id,joined,note,tier"
    ]


def test_unknown_extension_or_folder_is_refused(project: Project, tmp_path: Path) -> None:
    with pytest.raises(SegmentError, match=r"\.csv or \.parquet file \(not '\.xlsx'\)"):
        export_members(project, GOLD, tmp_path / "gold.xlsx", as_of=AS_OF)
    with pytest.raises(SegmentError, match="does not exist"):
        export_members(project, GOLD, tmp_path / "missing" / "gold.csv", as_of=AS_OF)
    assert list(tmp_path.iterdir()) == []


def test_a_cancelled_export_leaves_no_file(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "gold.csv"

    def cancel_when_writing(_fraction: float, message: str) -> None:
        if message.startswith("Writing"):
            task.cancel()

    task = Task(cancel_when_writing)
    with pytest.raises(Cancelled):
        export_members(project, GOLD, out, as_of=AS_OF, task=task)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_keeps_the_old_file(project: Project, tmp_path: Path) -> None:
    out = tmp_path / "gold.csv"
    out.write_text("previous export\n", encoding="utf-8")
    broken = Segment(
        name="Broken", root=Group(conditions=[AttributeCondition(field="colour", value="red")])
    )
    with pytest.raises(SegmentError, match="colour"):
        export_members(project, broken, out, as_of=AS_OF)
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["gold.csv"]


def test_a_write_that_fails_at_the_end_leaves_no_partial_file(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[Path] = []

    def refuse(src: Path, dst: Path) -> None:
        written.append(Path(src))
        raise OSError("disk full")

    monkeypatch.setattr("workbench.segments.export.os.replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        export_members(project, GOLD, tmp_path / "gold.csv", as_of=AS_OF)
    assert written  # the data was written under a temporary name first
    assert list(tmp_path.iterdir()) == []


def test_on_generated_data_the_file_holds_exactly_the_members(
    sample_project: Project, tmp_path: Path
) -> None:
    opened = Segment(
        name="Opened in 30 days",
        root=Group(
            conditions=[
                EventCondition(event_type="email_open", window=Window(kind="last_days", days=30))
            ]
        ),
    )
    expected = member_ids(sample_project, opened)
    out = tmp_path / "opened.csv"
    assert export_members(sample_project, opened, out) == len(expected) > 0
    with out.open(newline="", encoding="utf-8") as fh:
        assert [r["profile_id"] for r in csv.DictReader(fh)] == expected
