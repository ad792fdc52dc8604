"""The command line: the same engine, driven by arguments, with JSON for scripts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import csv_text, write_text
from workbench.cli.main import main
from workbench.project import Project
from workbench.project.sources import list_sources

CUSTOMERS = csv_text(
    "cust_id,e-mail,First Name,zip,dob,score",
    "C1,ann@example.com,Ann,01234,1990-04-01,7",
    "C2,bob@example.com,Bob,02345,1985-12-24",
    "C3,cy@example.com,Cy,03456,1979-07-30,9",
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cli_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "shop.wbproj"
    code, out, _ = run(capsys, "new", path, "--name", "Shop")
    assert code == 0
    assert out.strip() == f"Created {path}"
    return path


def test_new_adds_the_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "new", tmp_path / "plain")
    assert code == 0
    assert (tmp_path / "plain.wbproj").is_file()
    assert "plain.wbproj" in out


def test_new_refuses_an_existing_file(
    cli_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "new", cli_project)
    assert code == 1
    assert out == ""
    assert err.startswith("error: ")
    assert "already exists" in err
    assert err.count("\n") == 1


def test_import_json_then_info_json(
    cli_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_text(tmp_path / "customers.csv", CUSTOMERS)
    code, out, err = run(capsys, "import", cli_project, data, "--kind", "profiles", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["source"] == "customers"
    assert (report["rows"], report["rejects"]) == (2, 1)
    assert report["format"] == "delimited"
    roles = {c["name"]: c["role"] for c in report["columns"]}
    assert roles == {
        "cust_id": "customer_id",
        "e-mail": "email",
        "First Name": "first_name",
        "zip": "postcode",
        "dob": "dob",
        "score": "attribute",
    }

    code, out, err = run(capsys, "info", cli_project, "--json")
    assert code == 0, err
    info = json.loads(out)
    assert info["project"]["name"] == "Shop"
    assert info["project"]["format_version"] == "1"
    [source] = info["sources"]
    assert source["name"] == "customers"
    assert source["kind"] == "profiles"
    assert (source["rows"], source["rejects"]) == (2, 1)
    assert source["imported_at"][:2] == "20"
    assert {c["name"]: c["role"] for c in source["columns"]} == roles
    types = {c["name"]: c["type"] for c in source["columns"]}
    assert (types["dob"], types["zip"], types["score"]) == ("text", "text", "integer")


def test_import_with_options(
    cli_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_text(
        tmp_path / "clicks.txt",
        csv_text("who;when;what", "a@example.com;03/04/2024;x", "b@example.com;05/06/2024;y"),
    )
    code, out, err = run(
        capsys,
        "import",
        cli_project,
        data,
        "--kind",
        "events",
        "--delimiter",
        ";",
        "--map",
        "who=email",
        "--map",
        "when=timestamp",
        "--date-format",
        "%m/%d/%Y",
        "--event-type",
        "click",
        "--name",
        "clicks",
        "--type",
        "what=text",
    )
    assert code == 0, err
    assert "Imported source 'clicks' (events) from clicks.txt: 2 rows, 0 rejected" in out
    assert "note: every row has event_type 'click'" in out
    with Project.open(cli_project, read_only=True) as project:
        cur = project.cursor()
        try:
            rows = cur.execute(
                'SELECT who, CAST("when" AS DATE), event_type FROM raw.clicks'
            ).fetchall()
        finally:
            cur.close()
    assert [(r[0], r[1].isoformat(), r[2]) for r in rows] == [
        ("a@example.com", "2024-03-04", "click"),
        ("b@example.com", "2024-05-06", "click"),
    ]


def test_text_output_and_rejects(
    cli_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_text(tmp_path / "customers.csv", CUSTOMERS)
    code, out, _ = run(capsys, "import", cli_project, data, "--kind", "profiles")
    assert code == 0
    assert "2 rows, 1 rejected" in out
    assert f"workbench rejects {cli_project} customers" in out

    code, out, _ = run(capsys, "rejects", cli_project, "customers", "--json")
    assert code == 0
    [reject] = json.loads(out)
    assert reject["line"] == 3
    assert reject["reason"] == "too few fields: expected 6 fields, found 5"
    assert reject["raw"] == "C2,bob@example.com,Bob,02345,1985-12-24"

    code, out, _ = run(capsys, "rejects", cli_project, "customers")
    assert code == 0
    header, _, row = out.splitlines()
    assert header.split() == ["line", "record", "column", "reason", "raw"]
    assert row.startswith("3 ")
    assert "too few fields" in row

    code, out, _ = run(capsys, "info", cli_project)
    assert code == 0
    assert "customers  profiles  2     1" in out
    assert "cust_id=customer_id" in out


def test_preview_json_without_a_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_text(tmp_path / "customers.csv", CUSTOMERS)
    code, out, err = run(capsys, "preview", data, "--json", "--rows", "1")
    assert code == 0, err
    preview = json.loads(out)
    assert preview["format"] == "delimited"
    assert preview["rows"] == [["C1", "ann@example.com", "Ann", "01234", "1990-04-01", "7"]]
    assert preview["rejects"] == [
        {"line": 3, "reason": "too few fields: expected 6 fields, found 5"}
    ]
    assert {c["name"]: c["role"] for c in preview["columns"]}["e-mail"] == "email"
    assert list(tmp_path.glob("*.wbproj")) == []


def test_preview_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_text(tmp_path / "customers.csv", CUSTOMERS)
    code, out, _ = run(capsys, "preview", data)
    assert code == 0
    assert "line 3: too few fields: expected 6 fields, found 5" in out
    assert "customer_id" in out


def test_remove(cli_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write_text(tmp_path / "customers.csv", CUSTOMERS)
    assert run(capsys, "import", cli_project, data, "--kind", "profiles")[0] == 0
    code, out, _ = run(capsys, "remove", cli_project, "customers")
    assert code == 0
    assert out.strip() == "Removed source 'customers' and its data."
    with Project.open(cli_project, read_only=True) as project:
        assert list_sources(project) == []
    code, _, err = run(capsys, "remove", cli_project, "customers")
    assert code == 1
    assert err == f"error: no source named 'customers' in {cli_project.name}.\n"


BAD_INPUTS = [
    ("empty.csv", "", [], "is empty (0 bytes)"),
    ("header.csv", "id,email\n", [], "has a header but no data rows"),
    ("x.csv", CUSTOMERS, ["--map", "score=colour"], "unknown role 'colour'"),
    ("x.csv", CUSTOMERS, ["--map", "nope=email"], "no column 'nope' in the file"),
    ("x.csv", CUSTOMERS, ["--map", "score"], "--map 'score': expected COLUMN=VALUE"),
    ("x.csv", CUSTOMERS, ["--type", "score=money"], "unknown type 'money'"),
    ("x.csv", CUSTOMERS, ["--sheet", "2", "--format", "excel"], "not a readable spreadsheet"),
]


@pytest.mark.parametrize(("name", "text", "extra", "message"), BAD_INPUTS)
def test_bad_input_gives_one_error_line(
    cli_project: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str,
    extra: list[str],
    message: str,
) -> None:
    data = write_text(tmp_path / name, text)
    code, out, err = run(capsys, "import", cli_project, data, "--kind", "profiles", *extra)
    assert code == 1
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1, err
    assert message in err
    with Project.open(cli_project, read_only=True) as project:
        assert list_sources(project) == []


def test_import_into_a_non_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = write_text(tmp_path / "fake.wbproj", "hello\n" * 20)
    data = write_text(tmp_path / "customers.csv", CUSTOMERS)
    code, _, err = run(capsys, "import", fake, data, "--kind", "profiles")
    assert code == 1
    assert "is not a Workbench project" in err
    assert err.count("\n") == 1
    assert fake.read_text() == "hello\n" * 20


def test_same_file_twice_needs_replace(
    cli_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_text(tmp_path / "customers.csv", CUSTOMERS)
    assert run(capsys, "import", cli_project, data, "--kind", "profiles")[0] == 0
    code, _, err = run(capsys, "import", cli_project, data, "--kind", "profiles")
    assert code == 1
    assert "already imported as source 'customers'" in err
    code, out, _ = run(capsys, "import", cli_project, data, "--kind", "profiles", "--replace")
    assert code == 0
    assert out.startswith("Replaced source 'customers'")


@pytest.mark.slow
def test_workbench_command(tmp_path: Path) -> None:
    """The installed entry point runs the CLI (not the desktop app) for a subcommand."""
    data = write_text(tmp_path / "customers.csv", CUSTOMERS)
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "preview", str(data), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["format"] == "delimited"
    bad = subprocess.run(
        [sys.executable, "-m", "workbench", "info", str(tmp_path / "none.wbproj")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: No project at")
