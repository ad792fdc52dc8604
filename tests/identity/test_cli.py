"""The identity commands of the CLI: JSON for scripts, one-line errors, exit codes."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from tests.helpers import write_text
from tests.identity.builders import add_tables, profiles_table
from workbench.cli.main import main
from workbench.identity.api import load_rules
from workbench.project import Project

CRM = profiles_table(
    "crm",
    "id,email,phone,first_name,last_name,dob,customer_id",
    "1,ann@example.com,,Ann,Lee,1980-01-01,C1",
    "2,ANN@example.com,5550000002,Ann,Lee,1980-01-01,",
    "3,other-ann@example.com,555-000-0002,Ann,Lee,,",
    "4,smiths@example.com,,Ann,Smith,1980-02-02,C4",
    "5,smiths@example.com,,Tom,Smith,1970-03-03,C5",
    "6,zed@example.com,,Zed,Zulu,,C6",
)
EMAIL_RULES = {
    "name": "by email",
    "blocking": [{"name": "same email", "fields": ["email"]}],
    "rules": [{"name": "same email", "comparisons": [{"field": "email", "method": "exact"}]}],
    "guardrails": {"conflict_fields": ["dob", "first_name"]},
}
PHONE_TOO = {
    **EMAIL_RULES,
    "name": "by email or phone",
    "blocking": [*EMAIL_RULES["blocking"], {"name": "same phone", "fields": ["phone"]}],  # type: ignore[list-item]
    "rules": [
        *EMAIL_RULES["rules"],  # type: ignore[list-item]
        {"name": "same phone", "comparisons": [{"field": "phone", "method": "exact"}]},
    ],
}


def cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys: pytest.CaptureFixture[str], *argv: object) -> object:
    code, out, err = cli(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def shop(tmp_path: Path, data_dir: Path) -> Path:
    """A closed project file holding the CRM table."""
    path = tmp_path / "shop.wbproj"
    with Project.create(path) as project:
        add_tables(project, data_dir, CRM)
    return path


@pytest.fixture
def rule_files(tmp_path: Path) -> tuple[Path, Path]:
    return (
        write_text(tmp_path / "email.json", json.dumps(EMAIL_RULES)),
        write_text(tmp_path / "phone.json", json.dumps(PHONE_TOO)),
    )


def test_resolve_auto_json(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = cli_json(capsys, "resolve", shop, "--auto")
    assert isinstance(report, dict)
    assert report["rules"]["name"] == "auto"
    assert report["records"] == 6
    assert report["run_id"].startswith("run-")
    assert report["training"]["u_pairs"] > 0
    assert {b["rule"] for b in report["blocking"]} >= {"same email", "same phone"}
    assert report["evaluation"] is None


def test_resolve_with_a_rule_file_json(
    shop: Path, rule_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    report = cli_json(capsys, "resolve", shop, "--rules", rule_files[0])
    assert isinstance(report, dict)
    assert report["rules"]["name"] == "by email"
    # {1 2} {3} {4} {5} {6}: the household e-mail is refused by the guardrails.
    assert (report["records"], report["profiles"], report["refused_merges"]) == (6, 5, 1)
    assert report["matches_by_rule"] == {"same email": 2}


def test_resolve_text_output(
    shop: Path, rule_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "resolve", shop, "--rules", rule_files[1])
    assert code == 0, err
    assert out.startswith("Run run-")
    assert "6 records -> 4 profiles" in out
    assert "1 merges refused by guardrails" in out


def test_pairs_only_counts_and_runs_nothing(
    shop: Path, rule_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    counts = cli_json(capsys, "resolve", shop, "--rules", rule_files[1], "--pairs-only")
    assert [(c["rule"], c["pairs"], c["blocks"]) for c in counts] == [  # type: ignore[union-attr]
        ("same email", 2, 2),
        ("same phone", 1, 1),
    ]
    assert cli_json(capsys, "runs", shop) == []
    code, out, _ = cli(capsys, "resolve", shop, "--rules", rule_files[1], "--pairs-only")
    assert code == 0
    assert "same email" in out
    assert "same phone" in out


def test_save_rules_writes_a_loadable_trained_rule_set(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "trained.json"
    code, _, err = cli(capsys, "resolve", shop, "--auto", "--save-rules", saved)
    assert code == 0, err
    trained = load_rules(saved)
    assert trained.probabilistic is not None
    assert all(f.m and f.u for f in trained.probabilistic.fields)


def test_runs_clusters_explain_diff_suspicious_label(
    shop: Path, rule_files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    email_only = cli_json(capsys, "resolve", shop, "--rules", rule_files[0])
    with_phone = cli_json(capsys, "resolve", shop, "--rules", rule_files[1])
    a, b = email_only["run_id"], with_phone["run_id"]  # type: ignore[index]

    runs = cli_json(capsys, "runs", shop)
    assert [(r["run_id"], r["current"], r["rules"], r["profiles"]) for r in runs] == [  # type: ignore[union-attr]
        (a, False, "by email", 5),
        (b, True, "by email or phone", 4),
    ]

    out_file = tmp_path / "clusters.csv"
    code, out, err = cli(capsys, "clusters", shop, "--out", out_file)
    assert code == 0, err
    assert out.strip() == f"Wrote 6 records to {out_file}"
    with out_file.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    profile = {r["record_id"]: r["profile_id"] for r in rows}
    assert len(rows) == 6
    assert profile["1"] == profile["2"] == profile["3"]
    assert len(set(profile.values())) == 4

    code, out, err = cli(capsys, "clusters", shop, "--out", out_file, "--run", a)
    assert code == 0, err

    explained = cli_json(capsys, "explain", shop, "crm:1", "crm:3")
    assert explained["verdict"] == "in one profile through 2 matches (see the path)"  # type: ignore[index]
    code, out, _ = cli(capsys, "explain", shop, "crm:4", "crm:5")
    assert code == 0
    assert "matched, but the merge was refused: different dob" in out
    assert "blocking rules that pair them: same email" in out
    old = cli_json(capsys, "explain", shop, "crm:1", "crm:3", "--run", a)
    assert old["same_profile"] is False  # type: ignore[index]

    d = cli_json(capsys, "diff", shop, a, b)
    assert (d["kept"], d["merged"], d["split"]) == (3, 1, 0)  # type: ignore[index]
    code, out, _ = cli(capsys, "diff", shop, a, b)
    assert code == 0
    assert "kept 3, merged 1, split 0" in out

    suspects = cli_json(capsys, "suspicious", shop, "--run", a)
    assert suspects == []

    code, out, err = cli(capsys, "label", shop, "crm:1", "crm:3", "same")
    assert code == 0, err
    assert "Labelled crm:1 / crm:3 as 'same'." in out
    assert "precision 1.000, recall 1.000" in out


def test_suspicious_finds_two_customer_ids(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "over.wbproj"
    with Project.create(path) as project:
        add_tables(
            project,
            data_dir,
            profiles_table(
                "crm",
                "id,email,customer_id",
                "1,x@example.com,C1",
                "2,x@example.com,C2",
                "3,y@example.com,C3",
            ),
        )
    rules_file = write_text(tmp_path / "r.json", json.dumps({**EMAIL_RULES, "guardrails": {}}))
    cli_json(capsys, "resolve", path, "--rules", rules_file)
    suspects = cli_json(capsys, "suspicious", path)
    assert isinstance(suspects, list)
    assert len(suspects) == 1
    assert suspects[0]["records"] == 2
    assert suspects[0]["reasons"] == ["several 2 customer_id values"]


def _one_line_error(code: int, out: str, err: str) -> str:
    assert code == 1
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    return err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"name": "x",\n "blocking": [}', r"not valid JSON \(line 2, column 15"),
        (
            json.dumps(
                {
                    **EMAIL_RULES,
                    "rules": [
                        {
                            "name": "r",
                            "comparisons": [
                                {"field": "email", "method": "jaro_winkler", "threshold": "high"}
                            ],
                        }
                    ],
                }
            ),
            "rules.0.comparisons.0.threshold",
        ),
        (json.dumps({**EMAIL_RULES, "rules": []}), "no enabled rule and no probabilistic model"),
        (
            json.dumps({**EMAIL_RULES, "normalizers": {"email": ["sparkle"]}}),
            "normalizer 'sparkle' for 'email' is unknown",
        ),
        (
            json.dumps({**EMAIL_RULES, "blocking": [{"name": "b", "fields": ["cookie_id"]}]}),
            "no profile source has a column with role cookie_id",
        ),
    ],
)
def test_a_bad_rule_file_is_a_one_line_error(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    bad = write_text(tmp_path / "bad.json", content)
    err = _one_line_error(*cli(capsys, "resolve", shop, "--rules", bad))
    assert re.search(expected, err), err
    assert cli_json(capsys, "runs", shop) == []


def test_a_missing_rule_file(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _one_line_error(*cli(capsys, "resolve", shop, "--rules", tmp_path / "nope.json"))
    assert "nope.json: no such file" in err


def test_commands_before_any_run_say_so(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _one_line_error(*cli(capsys, "explain", shop, "crm:1", "crm:2"))
    assert "no identity run yet" in err
    err = _one_line_error(*cli(capsys, "suspicious", shop))
    assert "no identity run yet" in err


def test_explain_an_unknown_record(
    shop: Path, rule_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    cli_json(capsys, "resolve", shop, "--rules", rule_files[0])
    err = _one_line_error(*cli(capsys, "explain", shop, "crm:1", "crm:99"))
    assert "record crm:99 is not in run" in err
    err = _one_line_error(*cli(capsys, "explain", shop, "crm:1", "nocolon"))
    assert "give a record as SOURCE:RECORD_ID" in err


def test_labelling_before_any_run_succeeds(shop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "label", shop, "crm:1", "crm:2", "same")
    assert (code, err) == (0, "")
    assert "Labelled crm:1 / crm:2 as 'same'." in out
