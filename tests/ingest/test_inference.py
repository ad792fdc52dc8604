"""Column types from text: what each column becomes in the raw table, and what never gets lost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from tests.helpers import (
    column_types,
    csv_text,
    import_events,
    import_profiles,
    rejects,
    table_rows,
    write_text,
)
from workbench.ingest import IngestError
from workbench.ingest.inference import (
    BOOLEAN,
    DATE,
    DECIMAL,
    INTEGER,
    ISO,
    TEXT,
    TIMESTAMP,
    ColumnType,
    infer_types,
)
from workbench.project import Project

# Each case: the values of one column, and the type inference must give it.
INFERENCE_CASES = [
    (["1", "22", "-3", "+4"], ColumnType(INTEGER)),
    (["1.5", "2", "-0.25", "1e3"], ColumnType(DECIMAL)),
    (["12,50", "7", "1234,5"], ColumnType(DECIMAL, "comma")),
    (["1,234", "5,678"], ColumnType(TEXT)),  # thousands or decimals: cannot tell
    (["true", "false", "TRUE"], ColumnType(BOOLEAN)),
    (["yes", "no", "Y", "n"], ColumnType(BOOLEAN)),
    (["2024-01-31", "2023-12-01"], ColumnType(DATE, ISO)),
    (["31/01/2024", "01/12/2023"], ColumnType(DATE, "%d/%m/%Y")),
    (["01/31/2024", "12/01/2023"], ColumnType(DATE, "%m/%d/%Y")),
    (["31.01.2024", "01.12.2023"], ColumnType(DATE, "%d.%m.%Y")),
    (["2024-01-31T10:00:00+02:00", "2024-02-01 08:00:00Z"], ColumnType(TIMESTAMP, ISO)),
    (["31/01/2024 10:15", "01/12/2023 23:59"], ColumnType(TIMESTAMP, "%d/%m/%Y %H:%M")),
    (["01234", "12345", "00501"], ColumnType(TEXT)),  # postcodes keep their zeros
    (["007", "42"], ColumnType(TEXT)),
    (["12", "n/a", "7"], ColumnType(TEXT)),
    (["Mary Ann", "Bob"], ColumnType(TEXT)),
    ([None, None], ColumnType(TEXT)),
]


@pytest.mark.parametrize(("values", "expected"), INFERENCE_CASES)
def test_infer_types(values: list[str | None], expected: ColumnType) -> None:
    con = duckdb.connect()
    try:
        con.execute("CREATE TEMP TABLE t (v VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?)", [[v] for v in values])
        assert infer_types(con, "t", ["v"]) == {"v": expected}
    finally:
        con.close()


def test_typed_columns_in_the_raw_table(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "typed.csv",
        csv_text(
            "email,age,score,vip,joined,born,last_seen,zip,phone",
            "a@example.com,34,1.5,yes,2023-01-31,31/12/1990,2024-03-01T12:00:00+01:00,01234,"
            "+44 20 7946 0958",
            "b@example.com,41,2,no,2023-02-28,01/02/1985,2024-03-02 08:30:00-05:00,90210,"
            "020 7946 0000",
        ),
    )
    import_profiles(project, path)
    types = column_types(project, "typed")
    assert types["age"] == "BIGINT"
    assert types["score"] == "DOUBLE"
    assert types["vip"] == "BOOLEAN"
    assert types["joined"] == "DATE"
    assert types["born"] == "DATE"
    assert types["last_seen"] == "TIMESTAMP"
    assert types["zip"] == "VARCHAR"
    assert types["phone"] == "VARCHAR"
    assert table_rows(project, "typed", "age, score, vip, joined, born, last_seen, zip") == [
        (
            34,
            1.5,
            True,
            dt.date(2023, 1, 31),
            dt.date(1990, 12, 31),
            dt.datetime(2024, 3, 1, 11, 0),  # +01:00 -> UTC
            "01234",
        ),
        (
            41,
            2.0,
            False,
            dt.date(2023, 2, 28),
            dt.date(1985, 2, 1),
            dt.datetime(2024, 3, 2, 13, 30),  # -05:00 -> UTC
            "90210",
        ),
    ]


def test_one_bad_value_keeps_the_column_as_text(project: Project, data_dir: Path) -> None:
    lines = ["email,visits"] + [f"u{i}@example.com,{i}" for i in range(1, 50)]
    lines.append("u50@example.com,unknown")
    path = write_text(data_dir / "visits.csv", csv_text(*lines))
    report = import_profiles(project, path)
    assert report.rows == 50
    assert report.rejects == 0
    assert column_types(project, "visits")["visits"] == "VARCHAR"
    rows = table_rows(project, "visits", "visits")
    assert rows[0] == ("1",)
    assert rows[-1] == ("unknown",)


def test_bad_value_beyond_the_sample_keeps_the_column_as_text(
    project: Project, data_dir: Path
) -> None:
    """Inference samples the first rows; a bad value after them must still not be lost."""
    lines = ["email,visits"] + [f"u{i}@example.com,{i}" for i in range(1, 25001)]
    lines.append("late@example.com,many")
    path = write_text(data_dir / "late.csv", csv_text(*lines))
    report = import_profiles(project, path, roles={"visits": "attribute"})
    assert report.rows == 25001
    assert column_types(project, "late")["visits"] == "VARCHAR"
    assert table_rows(project, "late", "visits")[-1] == ("many",)


def test_type_override(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "codes.csv",
        csv_text("email,code,amount", "a@example.com,123,10", "b@example.com,456,20.0"),
    )
    report = import_profiles(project, path, types={"code": "text", "amount": "integer"})
    assert [(c.name, c.type.label) for c in report.columns][1:] == [
        ("code", "text"),
        ("amount", "integer"),
    ]
    assert column_types(project, "codes")["code"] == "VARCHAR"
    assert table_rows(project, "codes", "code, amount") == [("123", 10), ("456", 20)]


def test_type_override_rejects_values_that_do_not_fit(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "ages.csv",
        csv_text(
            "email,age",
            "a@example.com,34",
            "b@example.com,forty",
            "c@example.com,",
            "d@example.com,29",
            "e@example.com,29.5",
        ),
    )
    report = import_profiles(project, path, types={"age": "integer"})
    assert report.rows == 3
    assert table_rows(project, "ages", "email, age") == [
        ("a@example.com", 34),
        ("c@example.com", None),
        ("d@example.com", 29),
    ]
    assert rejects(project, "ages") == [
        (3, "age", "not an integer: forty"),
        (6, "age", "not an integer: 29.5"),
    ]


def test_date_type_override_with_format(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "dates.csv",
        csv_text(
            "email,joined",
            "a@example.com,31/01/2024",
            "b@example.com,2024-02-01",
            "c@example.com,01/03/2024",
        ),
    )
    import_profiles(project, path, types={"joined": "date"}, date_format="%d/%m/%Y")
    assert table_rows(project, "dates", "email, joined") == [
        ("a@example.com", dt.date(2024, 1, 31)),
        ("c@example.com", dt.date(2024, 3, 1)),
    ]
    assert rejects(project, "dates") == [(3, "joined", "not a date (%d/%m/%Y): 2024-02-01")]


def test_unknown_type_override(project: Project, data_dir: Path) -> None:
    path = write_text(data_dir / "t.csv", csv_text("email,age", "a@example.com,3"))
    with pytest.raises(IngestError, match=r"--type age=number: unknown type 'number'.*integer"):
        import_profiles(project, path, types={"age": "number"})


def test_date_format_option(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "us.csv",
        csv_text("email,signup", "a@example.com,03/04/2024", "b@example.com,05/06/2024"),
    )
    import_profiles(project, path, date_format="%m/%d/%Y")
    assert table_rows(project, "us", "signup") == [(dt.date(2024, 3, 4),), (dt.date(2024, 5, 6),)]


def test_date_format_for_event_timestamps(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "opens.csv",
        csv_text(
            "email,sent,type",
            "a@example.com,04/03/2024 10:00,open",
            "b@example.com,05/03/2024 11:30,open",
        ),
    )
    import_events(project, path, roles={"sent": "timestamp"}, date_format="%m/%d/%Y %H:%M")
    assert table_rows(project, "opens", "sent") == [
        (dt.datetime(2024, 4, 3, 10, 0),),
        (dt.datetime(2024, 5, 3, 11, 30),),
    ]


def test_event_value_with_currency_and_decimal_comma(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "buys.csv",
        csv_text(
            "email;ts;amount",
            "a@example.com;2024-01-01 10:00:00;€12,50",
            "b@example.com;2024-01-02 10:00:00;$1,234.00",
            "c@example.com;2024-01-03 10:00:00;",
            "d@example.com;2024-01-04 10:00:00;lots",
        ),
    )
    report = import_events(project, path, event_type="purchase")
    assert report.rows == 3
    assert table_rows(project, "buys", "email, amount, event_type") == [
        ("a@example.com", 12.5, "purchase"),
        ("b@example.com", 1234.0, "purchase"),
        ("c@example.com", None, "purchase"),
    ]
    assert rejects(project, "buys") == [(5, "amount", "not a number: lots")]
