"""The segment JSON Schema in docs/ is the one the engine validates against."""

from __future__ import annotations

import json
from pathlib import Path

from workbench.segments.model import Segment

SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "segment.schema.json"


def test_documented_schema_matches_the_model() -> None:
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == Segment.model_json_schema(), (
        "regenerate docs/segment.schema.json from Segment.model_json_schema()"
    )
