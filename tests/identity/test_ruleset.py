"""Rule set validation: each mistake is refused with a message naming what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.helpers import write_text
from tests.identity.builders import add_tables, block, exact_rule, profiles_table, rules
from workbench.identity.api import count_candidate_pairs, load_rules
from workbench.identity.pipeline import IdentityError, resolve
from workbench.identity.ruleset import Comparison, RuleSet
from workbench.project import Project

VALID = {
    "name": "mine",
    "blocking": [{"name": "same email", "fields": ["email"]}],
    "rules": [{"name": "same email", "comparisons": [{"field": "email", "method": "exact"}]}],
}


def test_a_minimal_rule_set_is_valid() -> None:
    rs = RuleSet.model_validate(VALID)
    assert rs.fields_used() == {"email"}
    assert rs.guardrails.max_block_size == 100


def test_unknown_normalizer_is_named() -> None:
    with pytest.raises(ValidationError, match=r"normalizer 'soundslike' for 'email' is unknown"):
        RuleSet.model_validate({**VALID, "normalizers": {"email": ["trim", "soundslike"]}})


@pytest.mark.parametrize(
    ("method", "threshold", "message"),
    [
        ("jaro_winkler", None, r"jaro_winkler on 'first_name' needs a threshold in \(0, 1\]"),
        ("jaro_winkler", 0.0, r"needs a threshold in \(0, 1\]"),
        ("jaro_winkler", 1.5, r"needs a threshold in \(0, 1\]"),
        ("token_set", -0.2, r"token_set on 'first_name' needs a threshold in \(0, 1\]"),
        ("levenshtein", None, r"levenshtein on 'first_name' needs a threshold >= 0"),
        ("levenshtein", -1, r"needs a threshold >= 0"),
        ("date", -3, r"date on 'first_name' needs a threshold >= 0"),
        ("number", None, r"number on 'first_name' needs a threshold >= 0"),
        ("exact", 0.9, r"exact on 'first_name' takes no threshold"),
        ("phonetic", 1, r"phonetic on 'first_name' takes no threshold"),
    ],
)
def test_bad_thresholds_per_method(method: str, threshold: float | None, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Comparison(field="first_name", method=method, threshold=threshold)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("method", "threshold"),
    [("jaro_winkler", 1.0), ("token_set", 0.01), ("levenshtein", 0), ("date", 0), ("number", 2.5)],
)
def test_thresholds_at_the_edges_are_accepted(method: str, threshold: float) -> None:
    assert Comparison(field="x", method=method, threshold=threshold).threshold == threshold  # type: ignore[arg-type]


def test_no_rules_and_no_model_is_refused() -> None:
    with pytest.raises(ValidationError, match="no enabled rule and no probabilistic model"):
        RuleSet.model_validate({**VALID, "rules": []})
    disabled = [{**VALID["rules"][0], "enabled": False}]  # type: ignore[index]
    with pytest.raises(ValidationError, match="no enabled rule and no probabilistic model"):
        RuleSet.model_validate({**VALID, "rules": disabled})


def test_blocking_is_required() -> None:
    with pytest.raises(ValidationError, match="blocking"):
        RuleSet.model_validate({**VALID, "blocking": []})


def test_check_fields_names_the_missing_field() -> None:
    rs = rules(
        blocking=[block("email")], rules=[exact_rule("r", "email"), exact_rule("p", "phone")]
    )
    with pytest.raises(ValueError, match=r"no profile source has a column with role phone") as info:
        rs.check_fields({"email", "first_name"})
    assert "mapped identity roles are: email, first_name" in str(info.value)
    rs.check_fields({"email", "phone"})  # nothing missing: no error


def test_check_fields_names_an_unknown_field() -> None:
    rs = rules(blocking=[block("email")], rules=[exact_rule("r", "favourite_colour")])
    with pytest.raises(ValueError, match=r"unknown field\(s\) favourite_colour"):
        rs.check_fields({"email"})


def test_resolve_and_pair_counting_refuse_a_field_no_source_has(
    project: Project, data_dir: Path
) -> None:
    add_tables(project, data_dir, profiles_table("crm", "id,email", "1,a@example.com"))
    rs = rules(name="by phone", blocking=[block("phone")], rules=[exact_rule("r", "phone")])
    with pytest.raises(IdentityError, match=r"rule set 'by phone': .*role phone"):
        resolve(project, rs)
    with pytest.raises(IdentityError, match=r"rule set 'by phone': .*role phone"):
        count_candidate_pairs(project, rs)


def test_load_rules_round_trip(tmp_path: Path) -> None:
    path = write_text(tmp_path / "rules.json", json.dumps(VALID))
    assert load_rules(path) == RuleSet.model_validate(VALID)


def test_load_rules_reports_line_and_column_of_bad_json(tmp_path: Path) -> None:
    path = write_text(tmp_path / "rules.json", '{\n  "name": "x",\n  "blocking": [,]\n}\n')
    with pytest.raises(IdentityError, match=r"rules\.json: not valid JSON \(line 3, column 16"):
        load_rules(path)


def test_load_rules_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IdentityError, match=r"nope\.json: no such file"):
        load_rules(tmp_path / "nope.json")


def test_load_rules_names_the_path_of_a_schema_error(tmp_path: Path) -> None:
    data = json.loads(json.dumps(VALID))
    data["rules"][0]["comparisons"][0]["threshold"] = "high"
    path = write_text(tmp_path / "rules.json", json.dumps(data))
    with pytest.raises(IdentityError) as info:
        load_rules(path)
    message = str(info.value)
    assert "rules.0.comparisons.0.threshold" in message
    assert "\n" not in message


def test_load_rules_names_the_comparison_with_a_bad_threshold(tmp_path: Path) -> None:
    data = json.loads(json.dumps(VALID))
    data["rules"][0]["comparisons"][0] = {"field": "email", "method": "jaro_winkler"}
    path = write_text(tmp_path / "rules.json", json.dumps(data))
    with pytest.raises(IdentityError, match=r"rules\.0\.comparisons\.0: .*jaro_winkler on 'email'"):
        load_rules(path)


def test_load_rules_names_an_unknown_key(tmp_path: Path) -> None:
    path = write_text(tmp_path / "rules.json", json.dumps({**VALID, "gaurdrails": {}}))
    with pytest.raises(IdentityError, match=r"gaurdrails: Extra inputs are not permitted"):
        load_rules(path)
