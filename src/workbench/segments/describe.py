"""A segment's condition tree in plain words, one line per condition (for the CLI and
for tooltips)."""

from __future__ import annotations

from workbench.segments.model import (
    AttributeCondition,
    BucketCondition,
    Condition,
    EventCondition,
    EventFilter,
    Group,
    MetricCondition,
    NumberTest,
    RecencyCondition,
    Segment,
    SegmentCondition,
    SequenceCondition,
    ValueTest,
    Window,
)


def _fmt(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return repr(value)
    return str(value)


def number_text(test: NumberTest) -> str:
    op = test.op.replace("_", " ")
    if test.op == "between":
        return f"between {_fmt(test.value)} and {_fmt(test.high)}"
    return f"{op} {_fmt(test.value)}"


def value_text(test: ValueTest) -> str:
    op = test.op.replace("_", " ")
    case = " (any case)" if test.ignore_case else ""
    if test.op in ("is_empty", "is_not_empty"):
        return f"{test.field} {op}"
    if test.op in ("in", "not_in"):
        values = ", ".join(_fmt(v) for v in test.values or [])
        return f"{test.field} {op} [{values}]{case}"
    if test.op == "between":
        return f"{test.field} between {_fmt(test.value)} and {_fmt(test.high)}"
    if test.op == "within_last_days":
        return f"{test.field} within the last {_fmt(test.value)} days"
    if test.op == "more_than_days_ago":
        return f"{test.field} more than {_fmt(test.value)} days ago"
    return f"{test.field} {op} {_fmt(test.value)}{case}"


def window_text(window: Window) -> str:
    if window.kind == "last_days":
        return f"in the last {window.days} days"
    if window.kind == "between":
        return f"between {window.start} and {window.end}"
    if window.kind == "since_first_event":
        return "since the first event"
    return "ever"


def filter_text(f: EventFilter) -> str:
    text = f.event_type or "any event"
    if f.where:
        text += " where " + " and ".join(value_text(t) for t in f.where)
    return text


def condition_text(c: Condition) -> str:
    """One condition (a group: its operator) in words."""
    if isinstance(c, Group):
        word = "all of" if c.op == "and" else "any of"
        return ("NOT " if c.negate else "") + word
    if isinstance(c, AttributeCondition):
        return value_text(c)
    if isinstance(c, EventCondition):
        what = "count" if c.measure == "count" else f"{c.measure} of {c.value_field}"
        return f"{filter_text(c)}: {what} {number_text(c.test)} {window_text(c.window)}"
    if isinstance(c, RecencyCondition):
        return f"days since {c.which} {filter_text(c)} {number_text(c.test)}"
    if isinstance(c, SequenceCondition):
        then = "then not" if c.then_not else "then"
        hours = _fmt(c.within_hours)
        return (
            f"{filter_text(c.first)} {window_text(c.window)}, {then} {filter_text(c.then)} "
            f"within {hours} hours"
        )
    if isinstance(c, MetricCondition):
        return f"{c.metric} {number_text(c.test)}"
    if isinstance(c, SegmentCondition):
        return f"member of segment {c.segment!r}"
    if isinstance(c, BucketCondition):
        salt = f", salt {c.salt!r}" if c.salt else ""
        return f"bucket {c.low}..{c.high} of {c.buckets}{salt}"
    return type(c).__name__  # pragma: no cover


def describe_segment(segment: Segment) -> list[str]:
    """The tree as indented lines."""
    lines: list[str] = []

    def walk(c: Condition, depth: int) -> None:
        lines.append("  " * depth + condition_text(c))
        if isinstance(c, Group):
            for child in c.conditions:
                walk(child, depth + 1)
            if not c.conditions:
                lines.append("  " * (depth + 1) + ("(everyone)" if c.op == "and" else "(no one)"))

    walk(segment.root, 0)
    return lines
