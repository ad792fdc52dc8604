"""Every reader, end to end: file on disk -> typed raw table with line numbers and rejects."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
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
from workbench.ingest import ImportOptions, IngestError, ReadOptions, preview_file
from workbench.project import Project
from workbench.project.sources import get_source, list_rejects


# ------------------------------------------------------------------ delimited
def test_comma_csv(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "customers.csv",
        csv_text(
            "id,email,first_name,age,balance",
            "1,ann@example.com,Ann,34,12.50",
            "2,bob@example.com,Bob,41,0.75",
            "3,cy@example.com,Cy,29,100",
        ),
    )
    report = import_profiles(project, path)
    assert report.source == "customers"
    assert report.rows == 3
    assert report.rejects == 0
    assert report.options["delimiter"] == ","
    assert table_rows(project, "customers", "_line, id, email, first_name, age, balance") == [
        (2, "1", "ann@example.com", "Ann", 34, 12.5),
        (3, "2", "bob@example.com", "Bob", 41, 0.75),
        (4, "3", "cy@example.com", "Cy", 29, 100.0),
    ]
    types = column_types(project, "customers")
    assert types["age"] == "BIGINT"
    assert types["balance"] == "DOUBLE"
    assert types["id"] == "VARCHAR"
    source = get_source(project, "customers")
    assert source.record_key == "id"
    assert source.roles()["email"] == "email"


def test_tsv(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "subs.tsv",
        csv_text(
            "email\tcity\tscore",
            "a@example.com\tNew York\t1.5",
            "b@example.com\tSan José\t2",
        ),
    )
    report = import_profiles(project, path)
    assert report.options["delimiter"] == "\t"
    assert table_rows(project, "subs", "email, city, score") == [
        ("a@example.com", "New York", 1.5),
        ("b@example.com", "San José", 2.0),
    ]


def test_semicolon_csv_with_decimal_commas(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "eu.csv",
        csv_text(
            "kundennr;email;umsatz;plz",
            "K1;a@example.de;12,50;01234",
            "K2;b@example.de;1234,5;80331",
            "K3;c@example.de;7;10115",
        ),
    )
    report = import_profiles(project, path, roles={"kundennr": "record_id"})
    assert report.options["delimiter"] == ";"
    assert table_rows(project, "eu", "kundennr, umsatz, plz") == [
        ("K1", 12.5, "01234"),
        ("K2", 1234.5, "80331"),
        ("K3", 7.0, "10115"),
    ]
    assert column_types(project, "eu")["umsatz"] == "DOUBLE"


def test_pipe_delimited(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "export.txt",
        csv_text(
            "cust_id|email|name",
            "C-1|a@example.com|Ann Lee",
            "C-2|b@example.com|Bob, Jr.",
        ),
    )
    report = import_profiles(project, path)
    assert report.options["delimiter"] == "|"
    assert table_rows(project, "export", "cust_id, email, name") == [
        ("C-1", "a@example.com", "Ann Lee"),
        ("C-2", "b@example.com", "Bob, Jr."),
    ]


def test_quoted_fields_with_delimiters_and_newlines(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "quoted.csv",
        csv_text(
            "id,email,address,note",
            '1,a@example.com,"12 High St, Leeds","said ""hi"""',
            '2,b@example.com,"Flat 3\nRose Court","two\nlines"',
            "3,c@example.com,plain,plain",
        ),
    )
    report = import_profiles(project, path)
    assert report.rows == 3
    assert report.rejects == 0
    assert table_rows(project, "quoted", "_line, id, address, note") == [
        (2, "1", "12 High St, Leeds", 'said "hi"'),
        (3, "2", "Flat 3\nRose Court", "two\nlines"),
        (6, "3", "plain", "plain"),
    ]


def test_rejects_after_multiline_record_have_file_line_numbers(
    project: Project, data_dir: Path
) -> None:
    path = write_text(
        data_dir / "multi.csv",
        csv_text(
            "id,email,note",
            '1,a@example.com,"one\ntwo\nthree"',
            "2,b@example.com",
            "3,c@example.com,ok",
            '4,d@example.com,"x\ny"',
            "5,e@example.com,ok,extra",
            "6,f@example.com,ok",
        ),
    )
    import_profiles(project, path)
    assert table_rows(project, "multi", "_line, id") == [(2, "1"), (6, "3"), (7, "4"), (10, "6")]
    assert [(line, reason) for line, _, reason in rejects(project, "multi")] == [
        (5, "too few fields: expected 3 fields, found 2"),
        (9, "too many fields: expected 3 fields, found 4"),
    ]


def test_blank_lines_keep_line_numbers(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "gaps.csv",
        csv_text("id,email", "1,a@example.com", "", "2,b@example.com", "", "", "3,c@example.com"),
    )
    report = import_profiles(project, path)
    assert report.rows == 3
    assert table_rows(project, "gaps", "_line, id") == [(2, "1"), (4, "2"), (7, "3")]


def test_windows_line_ends(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "crlf.csv",
        'id,email,note\r\n1,a@example.com,x\r\n2,b@example.com\r\n3,c@example.com,"y\r\nz"\r\n',
    )
    import_profiles(project, path)
    assert table_rows(project, "crlf", "_line, id, note") == [(2, "1", "x"), (4, "3", "y\r\nz")]
    assert [line for line, _, _ in rejects(project, "crlf")] == [3]


def test_headerless_csv_with_no_header(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "noheader.csv",
        csv_text("a@example.com,Ann,34", "b@example.com,Bob,41"),
    )
    report = import_profiles(project, path, header=False)
    assert [c.name for c in report.columns] == ["column_1", "column_2", "column_3"]
    assert report.columns[0].role == "email"
    assert table_rows(project, "noheader", "_line, column_1, column_2, column_3") == [
        (1, "a@example.com", "Ann", 34),
        (2, "b@example.com", "Bob", 41),
    ]


def test_large_csv_line_numbers_stay_in_file_order(project: Project, data_dir: Path) -> None:
    """Parallel reading must not shuffle rows: line n holds id n - 1, rejects included."""
    lines = ["id,email,score"]
    for i in range(1, 60001):
        lines.append(f"{i},u{i}@example.com" if i % 10007 == 0 else f"{i},u{i}@example.com,{i}")
    path = write_text(data_dir / "big.csv", csv_text(*lines))
    report = import_profiles(project, path)
    assert report.rows == 60000 - 5
    cur = project.cursor()
    try:
        wrong = cur.execute(
            "SELECT count(*) FROM raw.big WHERE _line <> CAST(id AS BIGINT) + 1 OR _line IS NULL"
        ).fetchone()
    finally:
        cur.close()
    assert wrong == (0,)
    assert [line for line, _, _ in rejects(project, "big")] == [10007 * k + 1 for k in range(1, 6)]


# ----------------------------------------------------------------- fixed width
MAINFRAME_REPORT = """\
CUST_NO  FIRST_NAME  LAST_NAME    EMAIL                    BALANCE  LAST_SEEN
-------  ----------  -----------  -----------------------  -------  -------------------
0001234  Mary Ann    O Brien      mary.ann@example.com       12.50  2024-01-05 10:00:00
0001235  Jo          Smith-Jones  jo@example.com            100.00  2024-02-11 08:30:15
0001236  Jean Luc    Picard       jl@example.com              0.99  2024-03-01 23:59:59

0001237  Li          Wu           li.wu@example.com        1234.00  2024-04-30 00:00:00
"""


def test_fixed_width_mainframe_report(project: Project, data_dir: Path) -> None:
    path = write_text(data_dir / "report.txt", MAINFRAME_REPORT)
    report = import_profiles(project, path, roles={"CUST_NO": "customer_id"})
    assert report.file_format == "fixed_width"
    assert [c.name for c in report.columns] == [
        "CUST_NO",
        "FIRST_NAME",
        "LAST_NAME",
        "EMAIL",
        "BALANCE",
        "LAST_SEEN",
    ]
    assert table_rows(
        project, "report", "_line, CUST_NO, FIRST_NAME, LAST_NAME, BALANCE, LAST_SEEN"
    ) == [
        (3, "0001234", "Mary Ann", "O Brien", 12.5, dt.datetime(2024, 1, 5, 10)),
        (4, "0001235", "Jo", "Smith-Jones", 100.0, dt.datetime(2024, 2, 11, 8, 30, 15)),
        (5, "0001236", "Jean Luc", "Picard", 0.99, dt.datetime(2024, 3, 1, 23, 59, 59)),
        (7, "0001237", "Li", "Wu", 1234.0, dt.datetime(2024, 4, 30)),
    ]


def test_fixed_width_mysql_style_export(project: Project, data_dir: Path) -> None:
    text = (
        "id   email                 full_name        signup_date\n"
        "1    ann@example.com       Mary Ann Lee     2023-05-01\n"
        "2    bob@example.com       Bob Stone        2023-06-12\n"
        "10   cy@example.com        Cy               2023-07-30\n"
    )
    path = write_text(data_dir / "mysql.txt", text)
    report = import_profiles(project, path)
    assert report.file_format == "fixed_width"
    assert table_rows(project, "mysql", "_line, id, email, full_name, signup_date") == [
        (2, "1", "ann@example.com", "Mary Ann Lee", dt.date(2023, 5, 1)),
        (3, "2", "bob@example.com", "Bob Stone", dt.date(2023, 6, 12)),
        (4, "10", "cy@example.com", "Cy", dt.date(2023, 7, 30)),
    ]


# --------------------------------------------------------------------- parquet
def test_parquet_with_timezone_and_struct(project: Project, data_dir: Path) -> None:
    table = pa.table(
        {
            "customer_id": pa.array(["C1", "C2", "C3"]),
            "email": pa.array(["a@example.com", "b@example.com", None]),
            "visits": pa.array([3, 0, 12], pa.int32()),
            "seen": pa.array(
                [
                    dt.datetime(2024, 1, 1, 12, 0, tzinfo=dt.UTC),
                    dt.datetime(2024, 6, 1, 8, 30, tzinfo=dt.UTC),
                    None,
                ],
                pa.timestamp("us", tz="Europe/Berlin"),
            ),
            "address": pa.array(
                [{"city": "Leeds", "zip": "LS1"}, {"city": "York", "zip": None}, None],
                pa.struct([("city", pa.string()), ("zip", pa.string())]),
            ),
        }
    )
    path = data_dir / "crm.parquet"
    pq.write_table(table, path)
    report = import_profiles(project, path)
    assert report.file_format == "parquet"
    rows = table_rows(project, "crm", "customer_id, email, visits, seen, address")
    assert rows[0][:4] == ("C1", "a@example.com", 3, dt.datetime(2024, 1, 1, 12, 0))
    assert rows[1][3] == dt.datetime(2024, 6, 1, 8, 30)
    assert rows[2][3] is None
    assert json.loads(rows[0][4]) == {"city": "Leeds", "zip": "LS1"}
    assert json.loads(rows[1][4]) == {"city": "York", "zip": None}
    assert rows[2][4] is None
    types = column_types(project, "crm")
    assert types["seen"] == "TIMESTAMP"
    assert types["visits"] in ("INTEGER", "BIGINT")


# ------------------------------------------------------------------------ json
def test_json_array(project: Project, data_dir: Path) -> None:
    records = [
        {"user_id": "u1", "email": "a@example.com", "vip": True, "spend": 10.5},
        {"user_id": "u2", "email": "b@example.com", "vip": False, "spend": 3},
        {"user_id": "u3", "email": "c@example.com", "extra": "only here"},
    ]
    path = write_text(data_dir / "accounts.json", json.dumps(records, indent=2))
    report = import_profiles(project, path)
    assert report.file_format == "json"
    assert table_rows(project, "accounts", "user_id, email, vip, spend, extra") == [
        ("u1", "a@example.com", True, 10.5, None),
        ("u2", "b@example.com", False, 3.0, None),
        ("u3", "c@example.com", None, None, "only here"),
    ]


def test_json_array_with_a_non_object(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "mixed.json",
        '[{"email": "a@example.com"}, 42, {"email": "b@example.com", "age": 7}]',
    )
    report = import_profiles(project, path)
    assert report.rows == 2
    assert table_rows(project, "mixed", "_record_id, email, age") == [
        ("1", "a@example.com", None),
        ("3", "b@example.com", 7),
    ]
    assert [(r.record, r.reason) for r in list_rejects(project, "mixed")] == [
        (2, "not a JSON object")
    ]


def test_ndjson_bad_line_is_rejected_with_its_line(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "events.ndjson",
        '{"email": "a@example.com", "ts": "2024-01-01T10:00:00Z", "type": "open"}\n'
        "\n"
        '{"email": "b@example.com", "ts": "2024-01-02T11:00:00Z", "type": "click"}\n'
        "   \n"
        '{"email": "c@example.com", "ts": broken\n'
        "[1, 2]\n"
        '{"email": "d@example.com", "ts": "2024-01-04T09:15:00+01:00", "type": "open"}\n',
    )
    report = import_events(project, path)
    assert report.file_format == "ndjson"
    assert report.rows == 3
    assert table_rows(project, "events", "_line, email, ts, type") == [
        (1, "a@example.com", dt.datetime(2024, 1, 1, 10), "open"),
        (3, "b@example.com", dt.datetime(2024, 1, 2, 11), "click"),
        (7, "d@example.com", dt.datetime(2024, 1, 4, 8, 15), "open"),
    ]
    assert [(line, reason) for line, _, reason in rejects(project, "events")] == [
        (5, "not valid JSON"),
        (6, "not a JSON object"),
    ]


# ----------------------------------------------------------------------- excel
def _workbook(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Customers"
    ws.append(["Customer ID", "Email", "Signed up", "Score"])
    ws.append([1001.0, "a@example.com", dt.date(2023, 4, 5), 7.5])
    ws.append([1002.0, "b@example.com", dt.datetime(2023, 5, 6, 0, 0), 8])
    ws.append([])
    ws.append([1003.0, "c@example.com", dt.date(2023, 6, 7), None])
    other = wb.create_sheet("Stores")
    other.append(["store_id", "email", "city"])
    other.append(["S1", "leeds@example.com", "Leeds"])
    other.append(["S2", "york@example.com", "York"])
    wb.save(path)
    return path


def test_excel_first_sheet(project: Project, data_dir: Path) -> None:
    path = _workbook(data_dir / "crm.xlsx")
    report = import_profiles(project, path)
    assert report.file_format == "excel"
    assert report.rows == 3
    assert any("Customers" in note for note in report.notes)
    rows = table_rows(project, "crm", '_line, "Customer ID", Email, "Signed up", Score')
    assert rows == [
        (2, "1001", "a@example.com", dt.date(2023, 4, 5), 7.5),
        (3, "1002", "b@example.com", dt.date(2023, 5, 6), 8.0),
        (5, "1003", "c@example.com", dt.date(2023, 6, 7), None),
    ]
    assert get_source(project, "crm").roles()["Customer ID"] == "customer_id"


def test_excel_sheet_selection(project: Project, data_dir: Path) -> None:
    path = _workbook(data_dir / "crm.xlsx")
    import_profiles(project, path, name="customers")
    report = import_profiles(project, path, sheet="Stores", name="stores")
    assert table_rows(project, "stores", "store_id, email, city") == [
        ("S1", "leeds@example.com", "Leeds"),
        ("S2", "york@example.com", "York"),
    ]
    assert report.options["sheet"] == "Stores"
    assert get_source(project, "customers").rows == 3
    with pytest.raises(IngestError, match=r"sheet 'Stores' of crm\.xlsx was already imported"):
        import_profiles(project, path, sheet="2", name="stores_again")
    with pytest.raises(IngestError, match=r"no sheet 'Nope'.*Customers, Stores"):
        import_profiles(project, path, sheet="Nope", name="nope")


# --------------------------------------------------------------------- preview
def test_preview_reads_without_a_project(data_dir: Path) -> None:
    path = write_text(
        data_dir / "p.csv",
        csv_text("email,age", "a@example.com,3", "b@example.com", "c@example.com,5"),
    )
    preview = preview_file(path, ImportOptions(kind="profiles"))
    assert preview.rows == [["a@example.com", "3"], ["c@example.com", "5"]]
    assert [(c.name, c.role, c.type.label) for c in preview.columns] == [
        ("email", "email", "text"),
        ("age", "attribute", "integer"),
    ]
    assert preview.rejects == [(3, "too few fields: expected 2 fields, found 1")]


def test_preview_honours_read_options(data_dir: Path) -> None:
    path = write_text(data_dir / "p.csv", csv_text("a;b,c", "1;2,3", "4;5,6"))
    preview = preview_file(path, ImportOptions(kind="profiles", read=ReadOptions(delimiter=";")))
    assert [c.name for c in preview.columns] == ["a", "b,c"]
    assert preview.rows == [["1", "2,3"], ["4", "5,6"]]


# ------------------------------------------------------------------- encodings
PEOPLE = csv_text(
    "email,first_name,last_name,city",
    "jose@example.com,José,Müller,Zürich",
    "ann@example.com,Ann,Ødegård,Tromsø",
    "bea@example.com,Béatrice,Löwe,Genève",
)
PEOPLE_ROWS = [
    ("José", "Müller", "Zürich"),
    ("Ann", "Ødegård", "Tromsø"),
    ("Béatrice", "Löwe", "Genève"),
]


def test_utf8_with_bom(project: Project, data_dir: Path) -> None:
    path = data_dir / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + PEOPLE.encode("utf-8"))
    report = import_profiles(project, path)
    assert report.columns[0].name == "email"
    assert report.columns[0].role == "email"
    assert table_rows(project, "bom", "first_name, last_name, city") == PEOPLE_ROWS


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_legacy_single_byte_encoding(project: Project, data_dir: Path, encoding: str) -> None:
    path = write_text(data_dir / "legacy.csv", PEOPLE.replace("Ø", "O").replace("ø", "o"), encoding)
    report = import_profiles(project, path)
    assert table_rows(project, "legacy", "first_name, last_name") == [
        ("José", "Müller"),
        ("Ann", "Odegård"),
        ("Béatrice", "Löwe"),
    ]
    assert any(note.startswith("converted from") for note in report.notes), report.notes


def test_utf16_with_bom(project: Project, data_dir: Path) -> None:
    path = write_text(data_dir / "excel_export.csv", PEOPLE.replace(",", "\t"), "utf-16")
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    report = import_profiles(project, path)
    assert report.options["delimiter"] == "\t"
    assert table_rows(project, "excel_export", "first_name, last_name, city") == PEOPLE_ROWS
    assert any("utf-16" in note.lower() for note in report.notes), report.notes


def test_explicit_encoding(project: Project, data_dir: Path) -> None:
    path = write_text(data_dir / "explicit.csv", "email,name\nz@example.com,Łukasz\n", "cp1250")
    import_profiles(project, path, encoding="cp1250")
    assert table_rows(project, "explicit", "name") == [("Łukasz",)]


def test_mixed_utf8_and_cp1252_lines(project: Project, data_dir: Path) -> None:
    path = data_dir / "mixed.csv"
    path.write_bytes(
        b"email,first_name,last_name\n"
        + "a@example.com,José,Müller\n".encode()
        + "b@example.com,Renée,Dupré\n".encode("cp1252")
        + "c@example.com,Zoë,Brontë\n".encode()
        + "d@example.com,François,Gérard\n".encode("cp1252")
    )
    report = import_profiles(project, path)
    assert table_rows(project, "mixed", "first_name, last_name") == [
        ("José", "Müller"),
        ("Renée", "Dupré"),
        ("Zoë", "Brontë"),
        ("François", "Gérard"),
    ]
    note = next(n for n in report.notes if "not UTF-8" in n)
    assert "2 line(s)" in note
    assert "line 3, 5" in note


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_read_as_text(project: Project, data_dir: Path, codec: str) -> None:
    path = data_dir / f"export_{codec}.csv"
    path.write_bytes("email,name\nann@example.com,José\nbob@example.com,Zoë\n".encode(codec))
    report = import_profiles(project, path)
    assert report.rows == 2
    assert table_rows(project, report.source, "name") == [("José",), ("Zoë",)]
