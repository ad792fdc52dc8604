"""Bad files: each gives a clear message naming what and where, and the project is unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import (
    Snapshot,
    csv_text,
    import_events,
    import_profiles,
    rejects,
    snapshot,
    table_rows,
    write_text,
)
from workbench.ingest import IngestError
from workbench.project import Project
from workbench.project.sources import list_sources

GOOD = csv_text("id,email,name", "1,a@example.com,Ann", "2,b@example.com,Bob")


@pytest.fixture
def loaded(project: Project, data_dir: Path) -> tuple[Project, Snapshot]:
    """A project that already holds one source, and a snapshot of it."""
    import_profiles(project, write_text(data_dir / "existing.csv", GOOD))
    return project, snapshot(project)


def _refused(
    loaded: tuple[Project, Snapshot], path: Path, match: str, **kwargs: object
) -> IngestError:
    project, before = loaded
    with pytest.raises(IngestError, match=match) as info:
        import_profiles(project, path, **kwargs)  # type: ignore[arg-type]
    assert snapshot(project) == before
    assert [s.name for s in list_sources(project)] == ["existing"]
    assert "\n" not in str(info.value)
    return info.value


def test_empty_file(loaded: tuple[Project, Snapshot], data_dir: Path) -> None:
    path = write_text(data_dir / "empty.csv", "")
    _refused(loaded, path, r"empty\.csv is empty \(0 bytes\)")


def test_blank_lines_only(loaded: tuple[Project, Snapshot], data_dir: Path) -> None:
    path = write_text(data_dir / "blank.csv", "\n\n   \n")
    _refused(loaded, path, r"blank\.csv has no data: it contains only blank lines")


def test_header_only(loaded: tuple[Project, Snapshot], data_dir: Path) -> None:
    path = write_text(data_dir / "header.csv", "id,email,name\n")
    _refused(loaded, path, r"header\.csv has a header but no data rows")


def test_every_row_ragged(loaded: tuple[Project, Snapshot], data_dir: Path) -> None:
    path = write_text(
        data_dir / "ragged.csv", csv_text("id,email,name", "1,a@example.com", "2,b@example.com")
    )
    _refused(
        loaded,
        path,
        r"ragged\.csv: none of the 2 rows could be read; line 2: too few fields: "
        r"expected 3 fields, found 2",
    )


def test_ragged_rows_are_rejected_with_line_numbers(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "ragged.csv",
        csv_text(
            "id,email,name,city,zip,age,score,vip,joined,note",
            "1,a@example.com,Ann,Leeds,LS1,30,1.5,yes,2024-01-01,ok",
            "2,b@example.com,Bob",
            "3,c@example.com,Cy,York,YO1,31,2.5,no,2024-01-02,ok",
            "4,d@example.com,Di,Hull,HU1,32,3.5,no,2024-01-03,ok,extra,more",
            "5,e@example.com,Ed,Bath,BA1,33,4.5,yes,2024-01-04,ok",
            "6,f@example.com",
            "7,g@example.com",
            "8,h@example.com,Hu,Ely,CB7,35,6.5,no,2024-01-06,ok",
        ),
    )
    report = import_profiles(project, path)
    assert report.rows == 4
    assert report.rejects == 4
    assert table_rows(project, "ragged", "_line, id") == [(2, "1"), (4, "3"), (6, "5"), (9, "8")]
    assert [(line, reason) for line, _, reason in rejects(project, "ragged")] == [
        (3, "too few fields: expected 10 fields, found 3"),
        (5, "too many fields: expected 10 fields, found 12"),
        (7, "too few fields: expected 10 fields, found 2"),
        (8, "too few fields: expected 10 fields, found 2"),
    ]


def test_wrong_delimiter_guess_can_be_overridden(project: Project, data_dir: Path) -> None:
    """Every line has one comma and one semicolon: the sniffer cannot know; the user can."""
    path = write_text(
        data_dir / "names.txt",
        csv_text("email;Last, First", "a@example.com;Lee, Ann", "b@example.com;Stone, Bob"),
    )
    guessed = import_profiles(project, path, name="guessed", roles={"email;Last": "email"})
    assert guessed.options["delimiter"] == ","
    told = import_profiles(project, path, name="guessed", delimiter=";", replace=True)
    assert told.replaced
    assert [c.name for c in told.columns] == ["email", "Last, First"]
    assert table_rows(project, "guessed", '"Last, First"') == [("Lee, Ann",), ("Stone, Bob",)]


def test_bom_and_mixed_encodings(project: Project, data_dir: Path) -> None:
    path = data_dir / "mixed_bom.csv"
    path.write_bytes(
        b"\xef\xbb\xbf"
        b"email,name\n"
        + "a@example.com,José\n".encode()
        + "b@example.com,Müller\n".encode("cp1252")
    )
    report = import_profiles(project, path)
    assert [c.name for c in report.columns] == ["email", "name"]
    assert table_rows(project, "mixed_bom", "email, name") == [
        ("a@example.com", "José"),
        ("b@example.com", "Müller"),
    ]
    assert any("line 3" in note for note in report.notes), report.notes


def test_quote_that_never_closes(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "unclosed.csv",
        csv_text(
            "id,email,note",
            '1,a@example.com,"hello, world"',
            '2,b@example.com,"two\nlines"',
            "3,c@example.com,plain",
            '4,d@example.com,"never closed',
            "5,e@example.com,after",
            "6,f@example.com,after",
        ),
    )
    report = import_profiles(project, path)
    assert table_rows(project, "unclosed", "_line, id, note") == [
        (2, "1", "hello, world"),
        (3, "2", "two\nlines"),
        (5, "3", "plain"),
    ]
    [(line, column, reason)] = rejects(project, "unclosed")
    assert line == 6
    assert column == "note"
    assert reason.startswith("quote not closed")
    assert "lines 6-8 were read as one field" in reason
    assert report.rejects == 1


def test_stray_quote_in_a_field(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "stray.csv",
        csv_text(
            "id,email,product",
            '1,a@example.com,"Pizza, large"',
            '2,b@example.com,12" pizza',
            "3,c@example.com,salad",
        ),
    )
    report = import_profiles(project, path)
    assert table_rows(project, "stray", "id, product")[0] == ("1", "Pizza, large")
    assert ("3", "salad") in table_rows(project, "stray", "id, product")
    assert report.rows + report.rejects == 3
    for line, _, reason in rejects(project, "stray"):
        assert line == 3
        assert "quote" in reason


def test_broken_json_array(loaded: tuple[Project, Snapshot], data_dir: Path) -> None:
    path = write_text(data_dir / "cut.json", '[{"email": "a@example.com"}, {"email": "b@ex')
    _refused(loaded, path, r"cut\.json: not valid JSON")


def test_binary_file_named_csv(loaded: tuple[Project, Snapshot], data_dir: Path) -> None:
    path = data_dir / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2000))
    error = _refused(loaded, path, r"photo\.csv does not look like text")
    assert "binary" in str(error)


def test_zip_named_csv(loaded: tuple[Project, Snapshot], data_dir: Path) -> None:
    import zipfile

    path = data_dir / "archive.csv"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.txt", "hello")
    _refused(loaded, path, r"archive\.csv is a zip or Office archive but not a spreadsheet")


def test_ten_megabyte_single_line(loaded: tuple[Project, Snapshot], data_dir: Path) -> None:
    path = write_text(data_dir / "one_line.csv", "x" * 10_000_000 + "\n")
    _refused(loaded, path, r"one_line\.csv: line 1 is over 1 MB long")


def test_overlong_line_among_good_ones(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "long_line.csv",
        csv_text(
            "id,email,note",
            "1,a@example.com,ok",
            "2,b@example.com," + "x" * 3_000_000,
            "3,c@example.com,ok",
        ),
    )
    report = import_profiles(project, path)
    assert table_rows(project, "long_line", "_line, id") == [(2, "1"), (4, "3")]
    [(line, _, reason)] = rejects(project, "long_line")
    assert line == 3
    assert reason.startswith("line too long")
    assert report.rejects == 1


def test_duplicate_and_blank_column_names(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "names.csv",
        csv_text(
            "email,Name,,name, email ,_line,__record",
            "a@example.com,A,x,B,c@example.com,7,8",
        ),
    )
    report = import_profiles(project, path, roles={"email_2": "attribute"})
    assert [c.name for c in report.columns] == [
        "email",
        "Name",
        "column_3",
        "name_2",
        "email_2",
        "line",
        "record",
    ]
    assert [c.original_name for c in report.columns] == [
        "email",
        "Name",
        "",
        "name",
        " email ",
        "_line",
        "__record",
    ]
    note = next(n for n in report.notes if n.startswith("renamed blank or duplicate columns"))
    assert "'' → 'column_3'" in note
    assert "'name' → 'name_2'" in note
    assert table_rows(
        project, "names", 'email, "Name", column_3, name_2, email_2, line, record'
    ) == [("a@example.com", "A", "x", "B", "c@example.com", 7, 8)]


def test_value_role_on_text_column(loaded: tuple[Project, Snapshot], data_dir: Path) -> None:
    project, before = loaded
    path = write_text(
        data_dir / "buys.csv",
        csv_text(
            "email,ts,product,event_type",
            "a@example.com,2024-01-01,shoes,purchase",
            "b@example.com,2024-01-02,hat,purchase",
        ),
    )
    with pytest.raises(
        IngestError, match=r"buys\.csv: 2 of 2 rows .*'product': not a number: shoes"
    ):
        import_events(project, path, roles={"product": "value"})
    assert snapshot(project) == before


def test_same_file_twice(project: Project, data_dir: Path) -> None:
    path = write_text(data_dir / "crm.csv", GOOD)
    import_profiles(project, path)
    before = snapshot(project)
    with pytest.raises(
        IngestError, match=r"crm\.csv was already imported as source 'crm'.*--replace"
    ):
        import_profiles(project, path)
    copy = write_text(data_dir / "crm_copy.csv", GOOD)
    with pytest.raises(IngestError, match=r"already imported as source 'crm'"):
        import_profiles(project, copy)
    assert snapshot(project) == before
    report = import_profiles(project, path, replace=True)
    assert report.replaced
    assert snapshot(project) == before


def test_replace_does_not_import_the_same_file_as_a_second_source(
    project: Project, data_dir: Path
) -> None:
    path = write_text(data_dir / "crm.csv", GOOD)
    import_profiles(project, path)
    before = snapshot(project)
    with pytest.raises(IngestError, match=r"already imported as source 'crm'.*--name crm"):
        import_profiles(project, path, name="crm2", replace=True)
    assert snapshot(project) == before


def test_same_name_twice(project: Project, data_dir: Path) -> None:
    import_profiles(project, write_text(data_dir / "crm.csv", GOOD))
    other = write_text(data_dir / "other.csv", GOOD + "3,c@example.com,Cy\n")
    with pytest.raises(IngestError, match=r"a source named 'crm' already exists.*--name"):
        import_profiles(project, other, name="crm")


def test_unknown_role(loaded: tuple[Project, Snapshot], data_dir: Path) -> None:
    path = write_text(data_dir / "new.csv", GOOD.replace("Ann", "Cy"))
    _refused(
        loaded,
        path,
        r"--map name=nickname: unknown role 'nickname'.*full_name",
        roles={"name": "nickname"},
    )


def test_bad_source_name(loaded: tuple[Project, Snapshot], data_dir: Path) -> None:
    path = write_text(data_dir / "new.csv", GOOD.replace("Ann", "Cy"))
    _refused(loaded, path, r"source name 'drop table' is not allowed", name="drop table")


def test_missing_file(loaded: tuple[Project, Snapshot], data_dir: Path) -> None:
    _refused(loaded, data_dir / "nope.csv", r"nope\.csv: no such file")
