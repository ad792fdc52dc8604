"""``workbench segment``: save, list, show, count, members, rename, delete, templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.segments.conftest import TINY_EVENTS, TINY_PROFILES, fill_project
from workbench.cli.main import main
from workbench.project import Project

AS_OF = "2024-06-30T12:00:00"
GOLD = {
    "name": "gold",
    "description": "Gold tier",
    "root": {"conditions": [{"type": "attribute", "field": "loyalty_tier", "value": "Gold"}]},
}
BUYERS = {
    "name": "recent buyers",
    "root": {
        "conditions": [
            {
                "type": "event",
                "event_type": "purchase",
                "window": {"kind": "last_days", "days": 30},
            }
        ]
    },
}


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.wbproj"
    with Project.create(path) as project:
        fill_project(project, TINY_PROFILES, TINY_EVENTS)
    return path


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_save_list_show_count_members(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "segment", tiny, "save", _write(tmp_path / "g.json", GOLD))
    assert (code, err) == (0, "")
    assert out.strip() == "Saved segment 'gold' version 1"
    run(capsys, "segment", tiny, "save", _write(tmp_path / "b.json", BUYERS))

    code, out, _ = run(capsys, "segment", tiny, "list", "--json")
    assert code == 0
    assert [(s["name"], s["version"]) for s in json.loads(out)] == [
        ("gold", 1),
        ("recent buyers", 1),
    ]
    code, out, _ = run(capsys, "segment", tiny, "list")
    assert "Gold tier" in out

    code, out, _ = run(capsys, "segment", tiny, "show", "gold", "--json")
    assert json.loads(out)["root"]["conditions"][0]["value"] == "Gold"
    code, out, _ = run(capsys, "segment", tiny, "show", "recent buyers")
    assert "purchase: count at least 1 in the last 30 days" in out
    code, out, _ = run(capsys, "segment", tiny, "show", "gold", "--sql")
    assert out.startswith("SELECT p.profile_id FROM main.profiles p")
    assert '"Gold"' in out  # the parameters, printed after the SQL

    code, out, _ = run(
        capsys, "segment", tiny, "count", "recent buyers", "--as-of", AS_OF, "--json"
    )
    assert code == 0
    result = json.loads(out)
    assert (result["members"], result["profiles"]) == (2, 6)
    assert result["as_of"] == AS_OF
    code, out, _ = run(capsys, "segment", tiny, "count", "gold", "--as-of", AS_OF)
    assert out.startswith("gold: 2 of 6 profiles (33.3%) as of 2024-06-30 12:00:00 UTC")

    code, out, _ = run(capsys, "segment", tiny, "members", "recent buyers", "--as-of", AS_OF)
    assert out.split() == ["P1", "P5"]
    code, out, _ = run(capsys, "segment", tiny, "members", "gold", "--limit", "1")
    assert out.split() == ["P1"]


def test_count_a_file_without_saving(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "b.json", BUYERS)
    code, out, _ = run(capsys, "segment", tiny, "count", "--file", path, "--as-of", AS_OF, "--json")
    assert code == 0
    assert json.loads(out)["members"] == 2
    code, out, _ = run(capsys, "segment", tiny, "list", "--json")
    assert json.loads(out) == []


def test_members_out_writes_a_file(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("workbench.segments.export")
    run(capsys, "segment", tiny, "save", _write(tmp_path / "g.json", GOLD))
    out_file = tmp_path / "gold.csv"
    code, out, err = run(capsys, "segment", tiny, "members", "gold", "--out", out_file)
    assert code == 0, err
    assert "2 members" in out
    lines = out_file.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("profile_id")
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["P1", "P3"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("{not json", "not valid JSON (line 1, column 2"),
        (
            {"name": "x", "root": {"conditions": [{"type": "attribute", "field": "age"}]}},
            "root.conditions[0]: 'age' equals needs a value",
        ),
        (
            {"name": "x", "root": {"conditions": [{"type": "attribute", "field": "shoe_size",
                                                   "op": "is_empty"}]}},
            "root.conditions[0]: profiles have no attribute 'shoe_size'",
        ),
        (
            {"name": "x", "root": {"conditions": [{"type": "segment", "segment": "ghost"}]}},
            "no saved segment 'ghost'",
        ),
    ],
)  # fmt: skip
def test_save_refuses_bad_definitions(
    tiny: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    data: object,
    message: str,
) -> None:
    path = tmp_path / "bad.json"
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        _write(path, data)
    code, out, err = run(capsys, "segment", tiny, "save", path)
    assert code == 1
    assert out == ""
    assert err.startswith("error: ")
    assert message in err
    code, out, _ = run(capsys, "segment", tiny, "list", "--json")
    assert json.loads(out) == []


def test_rename_delete_and_unknown_names(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "segment", tiny, "save", _write(tmp_path / "g.json", GOLD))
    code, out, _ = run(capsys, "segment", tiny, "rename", "gold", "vip")
    assert (code, out.strip()) == (0, "Renamed segment 'gold' to 'vip'")
    code, _, err = run(capsys, "segment", tiny, "count", "gold")
    assert code == 1
    assert "no saved segment 'gold'" in err
    code, out, _ = run(capsys, "segment", tiny, "delete", "vip")
    assert (code, out.strip()) == (0, "Deleted segment 'vip'")
    code, out, _ = run(capsys, "segment", tiny, "list")
    assert out.strip() == "No saved segments."


def test_templates(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "segment", tiny, "templates", "--json")
    assert code == 0
    templates = {t["key"]: t for t in json.loads(out)}
    assert templates["repeat_buyers"]["available"] is True
    assert templates["free_trial_active"]["available"] is False
    assert "trial_ends_at" in templates["free_trial_active"]["problem"]

    code, out, _ = run(capsys, "segment", tiny, "template", "repeat_buyers")
    assert json.loads(out)["root"]["conditions"][0]["event_type"] == "purchase"
    code, out, _ = run(
        capsys, "segment", tiny, "template", "repeat_buyers", "--name", "loyal", "--save"
    )
    assert out.strip() == "Saved segment 'loyal' version 1"
    code, _, err = run(capsys, "segment", tiny, "template", "free_trial_active")
    assert code == 1
    assert "trial end date" in err


def test_no_profiles_yet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "empty.wbproj"
    Project.create(path).close()
    code, _, err = run(capsys, "segment", path, "templates")
    assert code == 1
    assert "resolve identities first" in err
