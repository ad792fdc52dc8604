"""Saved segments: versions, listing, rename with history, delete, duplicate."""

from __future__ import annotations

import pytest

from workbench.project import Project
from workbench.project.definitions import list_definitions, load_definition, save_definition
from workbench.segments.errors import SegmentError
from workbench.segments.model import (
    AttributeCondition,
    Group,
    NumberTest,
    Segment,
    SegmentCondition,
    Window,
)
from workbench.segments.store import (
    delete_segment,
    duplicate_segment,
    list_segments,
    load_segment,
    parse_segment,
    rename_segment,
    save_segment,
    segment_versions,
)


def _gold(description: str = "") -> Segment:
    return Segment(
        name="gold",
        description=description,
        root=Group(conditions=[AttributeCondition(field="loyalty_tier", value="Gold")]),
    )


def _refers(name: str, to: str) -> Segment:
    return Segment(name=name, root=Group(conditions=[SegmentCondition(segment=to)]))


def test_versions_and_round_trip(project: Project) -> None:
    assert save_segment(project, _gold("first")) == 1
    assert save_segment(project, _gold("second")) == 2
    assert load_segment(project, "gold") == _gold("second")
    assert load_segment(project, "gold", version=1) == _gold("first")
    versions = segment_versions(project, "gold")
    assert [(v.version, v.description) for v in versions] == [(1, "first"), (2, "second")]
    [info] = list_segments(project)
    assert (info.name, info.version, info.description) == ("gold", 2, "second")


def test_missing_segments(project: Project) -> None:
    with pytest.raises(SegmentError, match="no saved segment 'nope'"):
        load_segment(project, "nope")
    save_segment(project, _gold())
    with pytest.raises(SegmentError, match="no saved segment 'gold' version 7"):
        load_segment(project, "gold", version=7)
    with pytest.raises(SegmentError, match="no saved segment 'nope'"):
        delete_segment(project, "nope")
    with pytest.raises(SegmentError, match="no saved segment 'nope'"):
        segment_versions(project, "nope")


def test_names_are_checked(project: Project) -> None:
    with pytest.raises(SegmentError, match="starts or ends with spaces"):
        save_segment(project, _gold().model_copy(update={"name": " gold"}))
    with pytest.raises(SegmentError, match="refers to itself"):
        save_segment(project, _refers("loop", "loop"))


def test_rename_keeps_history_and_updates_references(project: Project) -> None:
    save_segment(project, _gold("first"))
    save_segment(project, _gold("second"))
    save_segment(project, _refers("gold buyers", "gold"))
    rename_segment(project, "gold", "vip")
    assert [s.name for s in list_segments(project)] == ["gold buyers", "vip"]
    versions = segment_versions(project, "vip")
    assert [v.version for v in versions] == [1, 2, 3]
    assert load_segment(project, "vip", version=1).description == "first"
    assert load_segment(project, "vip").name == "vip"
    user = load_segment(project, "gold buyers")
    assert user.root.conditions == [SegmentCondition(segment="vip")]
    assert [v.version for v in segment_versions(project, "gold buyers")] == [1, 2]


def test_rename_refuses_a_taken_name(project: Project) -> None:
    save_segment(project, _gold())
    save_segment(project, _refers("other", "gold"))
    with pytest.raises(SegmentError, match="already a segment named 'other'"):
        rename_segment(project, "gold", "other")
    assert load_segment(project, "gold") == _gold()


def test_delete_refuses_while_used(project: Project) -> None:
    save_segment(project, _gold())
    save_segment(project, _refers("uses gold", "gold"))
    with pytest.raises(SegmentError, match="'gold' is used by 'uses gold'"):
        delete_segment(project, "gold")
    delete_segment(project, "uses gold")
    delete_segment(project, "gold")
    assert list_segments(project) == []


def test_delete_leaves_other_kinds_alone(project: Project) -> None:
    save_definition(project, "identity", "gold", {"name": "gold"})
    save_segment(project, _gold())
    delete_segment(project, "gold")
    assert [(d.kind, d.name) for d in list_definitions(project)] == [("identity", "gold")]
    assert load_definition(project, "identity", "gold") == {"name": "gold"}


def test_duplicate(project: Project) -> None:
    save_segment(project, _gold("original"))
    save_segment(project, _gold("original v2"))
    copy = duplicate_segment(project, "gold", "gold copy")
    assert copy.name == "gold copy"
    assert copy.root == _gold().root
    assert [v.version for v in segment_versions(project, "gold copy")] == [1]
    with pytest.raises(SegmentError, match="already a segment named 'gold'"):
        duplicate_segment(project, "gold copy", "gold")


def test_parse_names_the_field_path() -> None:
    bad = {
        "name": "x",
        "root": {
            "conditions": [
                {"type": "attribute", "field": "age", "op": "between", "value": 3},
                {"type": "event", "event_type": "purchase", "window": {"kind": "last_days"}},
            ]
        },
    }
    with pytest.raises(SegmentError) as info:
        parse_segment(bad, "bad.json")
    message = str(info.value)
    assert message.startswith("bad.json: root.conditions[0]: 'age' between needs a high value")
    assert "root.conditions[1].window: a 'last N days' window needs days" in message
    ok = parse_segment(
        {
            "name": "x",
            "root": {
                "conditions": [
                    {"type": "event", "event_type": "purchase",
                     "test": {"op": "at_least", "value": 2},
                     "window": {"kind": "last_days", "days": 30}},
                ]
            },
        }
    )  # fmt: skip
    event = ok.root.conditions[0]
    assert event.test == NumberTest(op="at_least", value=2)  # type: ignore[union-attr]
    assert event.window == Window(kind="last_days", days=30)  # type: ignore[union-attr]
