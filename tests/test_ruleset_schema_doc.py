"""The rule set JSON Schema in docs/ is the one the engine validates against."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.identity.ruleset import RuleSet

SCHEMA = Path(__file__).resolve().parents[1] / "docs" / "identity-ruleset.schema.json"


def test_documented_schema_matches_the_model() -> None:
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == RuleSet.model_json_schema(), (
        "regenerate docs/identity-ruleset.schema.json from RuleSet.model_json_schema()"
    )
