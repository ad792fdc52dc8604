"""Each condition type on tiny hand-written data, with members worked out by hand."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from tests.segments.conftest import AS_OF, INJECTION
from workbench.project import Project
from workbench.segments.catalog import load_catalog
from workbench.segments.compiler import compile_segment
from workbench.segments.errors import SegmentError
from workbench.segments.events_table import TABLE, ensure_event_types
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

ALL = {"P1", "P2", "P3", "P4", "P5", "P6"}


def seg(*conditions: Condition, op: str = "and", tz: str = "UTC", name: str = "s") -> Segment:
    return Segment(name=name, timezone=tz, root=Group(op=op, conditions=list(conditions)))


def members(
    project: Project,
    segment: Segment,
    as_of: dt.datetime = AS_OF,
    saved: dict[str, Segment] | None = None,
) -> set[str]:
    """Members read from main.events, checked to be the same read from the compact events
    table (with the types the segment tests added to it)."""
    catalog = load_catalog(project)
    lookup = (saved or {}).__getitem__
    compiled = compile_segment(segment, catalog, as_of, lookup)
    found = _run(project, compiled.sql, compiled.params)
    events = ensure_event_types(project, catalog, compiled.event_types)
    if events is not None and compiled.event_types:
        compact = compile_segment(segment, catalog, as_of, lookup, events=events)
        assert _run(project, compact.sql, compact.params) == found, "same from the table"
    return found


def _run(project: Project, sql: str, params: list) -> set[str]:
    cur = project.cursor()
    try:
        rows = cur.execute(sql, params).fetchall()
    finally:
        cur.close()
    ids = [r[0] for r in rows]
    assert len(ids) == len(set(ids)), "each member once"
    return set(ids)


def attr(field: str, op: str = "equals", **kw: object) -> AttributeCondition:
    return AttributeCondition(field=field, op=op, **kw)  # type: ignore[arg-type]


def test_empty_groups(tiny_project: Project) -> None:
    assert members(tiny_project, seg()) == ALL
    assert members(tiny_project, seg(op="or")) == set()
    assert members(tiny_project, Segment(name="x", root=Group(negate=True))) == set()


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (attr("country", value="us"), {"P1"}),
        (attr("country", value="us", ignore_case=True), {"P1", "P2"}),
        (attr("country", "not_equals", value="us"), {"P2", "P3", "P5", "P6"}),
        (attr("country", "in", values=["fr", "de"]), {"P3", "P5"}),
        (attr("country", "not_in", values=["fr", "de"]), {"P1", "P2", "P6"}),
        (attr("country", "in", values=["FR", "De"], ignore_case=True), {"P3", "P5"}),
        (attr("loyalty_tier", "contains", value="old"), {"P1", "P3", "P6"}),
        (attr("loyalty_tier", "starts_with", value="G"), {"P1", "P3", "P6"}),
        (attr("loyalty_tier", "starts_with", value="b", ignore_case=True), {"P5"}),
        (attr("age", "between", value=20, high=45), {"P1", "P2", "P4"}),
        (attr("age", "greater_than", value=45), {"P5"}),
        (attr("age", "at_least", value=45), {"P2", "P5"}),
        (attr("age", "less_than", value="22"), {"P6"}),
        (attr("age", "at_most", value=22), {"P4", "P6"}),
        (attr("age", "is_empty"), {"P3"}),
        (attr("age", "is_not_empty"), ALL - {"P3"}),
        (attr("signup_date", "within_last_days", value=30), {"P1", "P3", "P6"}),
        (attr("signup_date", "within_last_days", value=0), {"P3"}),
        (attr("signup_date", "more_than_days_ago", value=365), {"P2", "P5"}),
        (attr("signup_date", "equals", value="2020-02-29"), {"P5"}),
        (attr("signup_date", "at_least", value=dt.date(2024, 5, 31)), {"P1", "P3", "P6"}),
        (attr("created_at", "within_last_days", value=1), {"P1", "P3"}),
        (attr("created_at", "greater_than", value="2024-01-01"), {"P1", "P3", "P6"}),
        (attr("created_at", "at_least", value="2024-06-29T08:00:00"), {"P1", "P3"}),
        (attr("created_at", "more_than_days_ago", value=30), {"P2", "P5"}),
        (attr("opt_in", value=True), {"P1", "P4"}),
        (attr("opt_in", value="false"), {"P2", "P5"}),
        (attr("opt_in", "not_equals", value=True), {"P2", "P5"}),
        (attr("opt_in", "is_empty"), {"P3", "P6"}),
        (attr("source_names", "contains", value="crm"), {"P1", "P2"}),
        (attr("source_names", "contains", value="CRM"), set()),
        (attr("source_names", "contains", value="CRM", ignore_case=True), {"P1", "P2"}),
        (attr("source_names", "is_empty"), {"P4", "P5"}),
    ],
)
def test_attribute_conditions(
    tiny_project: Project, condition: AttributeCondition, expected: set[str]
) -> None:
    assert members(tiny_project, seg(condition)) == expected


def test_not_holds_where_an_attribute_is_null(tiny_project: Project) -> None:
    """NOT (country = 'us') holds for the profile with no country (P4)."""
    negated = Group(negate=True, conditions=[attr("country", value="us")])
    assert members(tiny_project, seg(negated)) == ALL - {"P1"}
    either = seg(attr("country", value="fr"), attr("age", "greater_than", value=50), op="or")
    assert members(tiny_project, either) == {"P3", "P5"}


def test_within_last_days_uses_the_segment_time_zone(tiny_project: Project) -> None:
    """created_at 2024-06-29 08:00 UTC is 06-29 04:00 in New York; as-of 06-30 12:00 UTC
    is 06-30 08:00 there, so 'within the last 0 days' (today) excludes P1 either way, but
    P3's 06-30 23:00 UTC is 19:00 local on 06-30, today in New York."""
    today = attr("created_at", "within_last_days", value=0)
    assert members(tiny_project, seg(today)) == {"P3"}
    assert members(tiny_project, seg(today, tz="America/New_York")) == {"P3"}
    tokyo = members(tiny_project, seg(today, tz="Asia/Tokyo"))
    assert tokyo == set()  # 23:00 UTC on 06-30 is already 07-01 in Tokyo


def purchase(**kw: object) -> EventCondition:
    return EventCondition(event_type="purchase", **kw)  # type: ignore[arg-type]


LAST_30 = Window(kind="last_days", days=30)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (purchase(window=LAST_30), {"P1", "P5"}),
        (purchase(test=NumberTest(op="at_least", value=3), window=LAST_30), {"P1"}),
        (purchase(test=NumberTest(op="at_most", value=1), window=LAST_30), ALL - {"P1"}),
        (purchase(test=NumberTest(op="exactly", value=0)), {"P2", "P4", "P6"}),
        (purchase(test=NumberTest(op="less_than", value=1)), {"P2", "P4", "P6"}),
        (purchase(test=NumberTest(op="between", value=1, high=2)), {"P3", "P5"}),
        (purchase(measure="sum", test=NumberTest(op="at_least", value=100)), {"P1", "P3"}),
        (
            purchase(measure="sum", test=NumberTest(op="at_most", value=10)),
            {"P2", "P4", "P5", "P6"},
        ),
        (purchase(measure="average", test=NumberTest(op="more_than", value=40)), {"P3"}),
        (purchase(measure="average", test=NumberTest(op="at_most", value=40)), {"P1"}),
        (
            purchase(where=[ValueTest(field="category", value="Shoes")]),
            {"P1", "P3"},
        ),
        (purchase(where=[ValueTest(field="category", value="shoes")]), set()),
        (
            purchase(where=[ValueTest(field="category", value="shoes", ignore_case=True)]),
            {"P1", "P3"},
        ),
        (
            purchase(where=[ValueTest(field="value", op="greater_than", value=40)]),
            {"P1", "P3"},
        ),
        (
            purchase(
                where=[ValueTest(field="category", value="Shoes")],
                test=NumberTest(op="exactly", value=2),
            ),
            {"P1"},
        ),
        (EventCondition(event_type=None, test=NumberTest(op="at_least", value=5)), {"P1", "P2"}),
        (EventCondition(event_type=None, test=NumberTest(op="exactly", value=0)), {"P4", "P6"}),
        (
            purchase(
                window=Window(kind="between", start=dt.date(2024, 6, 29), end=dt.date(2024, 6, 29))
            ),
            {"P1"},
        ),
        (purchase(window=Window(kind="since_first_event")), {"P1", "P3", "P5"}),
        (purchase(window=Window(kind="last_days", days=1)), {"P1", "P5"}),
        (EventCondition(event_type="email_open"), {"P2"}),
    ],
)
def test_event_conditions(
    tiny_project: Project, condition: EventCondition, expected: set[str]
) -> None:
    assert members(tiny_project, seg(condition)) == expected


def test_last_days_window_is_open_on_the_left(tiny_project: Project) -> None:
    """P2's cart add is exactly one day before as-of: not in the last 1 day."""
    cart = EventCondition(event_type="cart_add", window=Window(kind="last_days", days=1))
    assert members(tiny_project, seg(cart)) == {"P1"}
    later = AS_OF + dt.timedelta(microseconds=1)
    assert members(tiny_project, seg(cart), as_of=later) == {"P1"}
    earlier = AS_OF - dt.timedelta(microseconds=1)
    assert members(tiny_project, seg(cart), as_of=earlier) == {"P1", "P2"}


def test_between_window_counts_calendar_days_in_the_time_zone(tiny_project: Project) -> None:
    """P5's cart add at 06-28 20:00 UTC is 06-29 05:00 in Tokyo."""
    day = Window(kind="between", start=dt.date(2024, 6, 29), end=dt.date(2024, 6, 29))
    cart = EventCondition(event_type="cart_add", window=day)
    assert members(tiny_project, seg(cart)) == {"P2"}
    assert members(tiny_project, seg(cart, tz="Asia/Tokyo")) == {"P2", "P5"}


@pytest.mark.parametrize(
    ("condition", "tz", "expected"),
    [
        (RecencyCondition(event_type="purchase", test=NumberTest(op="at_most", value=1)), "UTC",
         {"P1", "P5"}),
        (RecencyCondition(event_type="purchase", test=NumberTest(op="at_least", value=2)), "UTC",
         {"P3"}),
        (RecencyCondition(event_type="purchase", test=NumberTest(op="exactly", value=177)), "UTC",
         {"P3"}),
        (RecencyCondition(event_type="purchase", which="first",
                          test=NumberTest(op="at_least", value=20)), "UTC", {"P1", "P3"}),
        (RecencyCondition(event_type="purchase", which="first",
                          test=NumberTest(op="between", value=0, high=19)), "UTC", {"P5"}),
        (RecencyCondition(event_type="page_view", test=NumberTest(op="at_most", value=0)), "UTC",
         {"P1", "P2"}),
        (RecencyCondition(event_type="page_view", test=NumberTest(op="at_most", value=0)),
         "America/New_York", {"P1"}),
        (RecencyCondition(event_type="page_view", test=NumberTest(op="exactly", value=1)),
         "America/New_York", {"P2"}),
        (RecencyCondition(event_type="purchase", test=NumberTest(op="exactly", value=0.5)), "UTC",
         set()),
        (RecencyCondition(event_type="email_open", test=NumberTest(op="at_least", value=0)), "UTC",
         {"P2"}),
    ],
)  # fmt: skip
def test_recency(
    tiny_project: Project, condition: RecencyCondition, tz: str, expected: set[str]
) -> None:
    assert members(tiny_project, seg(condition, tz=tz)) == expected


def cart_then_purchase(then_not: bool, hours: float, window: Window) -> SequenceCondition:
    return SequenceCondition(
        first=EventFilter(event_type="cart_add"),
        then=EventFilter(event_type="purchase"),
        then_not=then_not,
        within_hours=hours,
        window=window,
    )


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (cart_then_purchase(True, 24, Window()), {"P2", "P5"}),
        (cart_then_purchase(True, 48, Window()), {"P2"}),
        (cart_then_purchase(False, 24, Window()), {"P1"}),
        (cart_then_purchase(False, 40, Window()), {"P1", "P5"}),  # 40 hours exactly: inside
        (cart_then_purchase(False, 39.99, Window()), {"P1"}),
        (cart_then_purchase(True, 24, Window(kind="last_days", days=1)), set()),
        (cart_then_purchase(True, 24, Window(kind="last_days", days=2)), {"P2", "P5"}),
        (
            SequenceCondition(
                first=EventFilter(
                    event_type="cart_add", where=[ValueTest(field="category", value="Bags")]
                ),
                then=EventFilter(event_type="purchase"),
                within_hours=24,
            ),
            {"P2", "P5"},
        ),
    ],
)
def test_sequences(tiny_project: Project, condition: SequenceCondition, expected: set[str]) -> None:
    assert members(tiny_project, seg(condition)) == expected


def test_sequence_ignores_then_events_after_as_of(tiny_project: Project) -> None:
    """Read an hour earlier, P5's purchase (at 06-30 12:00) has not happened yet."""
    earlier = AS_OF - dt.timedelta(hours=1)
    assert members(tiny_project, seg(cart_then_purchase(False, 48, Window())), earlier) == {"P1"}
    assert members(tiny_project, seg(cart_then_purchase(True, 48, Window())), earlier) == {
        "P2",
        "P5",
    }


@pytest.mark.parametrize(
    ("metric", "test", "expected"),
    [
        ("lifetime_value", NumberTest(op="at_least", value=100), {"P1", "P3"}),
        ("order_count", NumberTest(op="exactly", value=0), {"P2", "P4", "P6"}),
        ("order_count", NumberTest(op="at_least", value=2), {"P1"}),
        ("average_order_value", NumberTest(op="more_than", value=40), {"P3"}),
        ("days_since_last_purchase", NumberTest(op="at_most", value=0), {"P1", "P5"}),
        ("days_since_first_purchase", NumberTest(op="at_least", value=100), {"P3"}),
        ("email_open_rate", NumberTest(op="exactly", value=0.5), {"P2"}),
        ("email_open_rate", NumberTest(op="at_most", value=0), {"P5"}),
        ("visits", NumberTest(op="exactly", value=2), {"P2"}),
        ("recency_score", NumberTest(op="exactly", value=5), {"P5"}),
        ("rfm_score", NumberTest(op="exactly", value=0), {"P2", "P4", "P6"}),
    ],
)
def test_metric_conditions(
    tiny_project: Project, metric: str, test: NumberTest, expected: set[str]
) -> None:
    condition = MetricCondition(metric=metric, test=test)  # type: ignore[arg-type]
    assert members(tiny_project, seg(condition)) == expected


def test_bucket_matches_python_md5(tiny_project: Project) -> None:
    bucket = BucketCondition(salt="spring", buckets=4, low=1, high=2)
    expected = {
        pid
        for pid in ALL
        if 1 <= int(hashlib.md5(f"spring:{pid}".encode()).hexdigest()[:8], 16) % 4 <= 2
    }
    assert members(tiny_project, seg(bucket)) == expected
    rest = Group(negate=True, conditions=[bucket])
    assert members(tiny_project, seg(rest)) == ALL - expected


def test_segment_conditions_inline_the_saved_definition(tiny_project: Project) -> None:
    gold = seg(attr("loyalty_tier", value="Gold"), name="gold")
    buyers = seg(purchase(), name="buyers")
    both = seg(SegmentCondition(segment="gold"), SegmentCondition(segment="buyers"), name="both")
    saved = {"gold": gold, "buyers": buyers}
    assert members(tiny_project, both, saved=saved) == {"P1", "P3"}
    not_gold = seg(Group(negate=True, conditions=[SegmentCondition(segment="gold")]))
    assert members(tiny_project, not_gold, saved=saved) == ALL - {"P1", "P3"}


def test_a_referenced_segment_keeps_its_own_time_zone(tiny_project: Project) -> None:
    today_ny = seg(
        RecencyCondition(event_type="page_view", test=NumberTest(op="at_most", value=0)),
        tz="America/New_York",
        name="viewed today (New York)",
    )
    outer = seg(SegmentCondition(segment="viewed today (New York)"))
    saved = {today_ny.name: today_ny}
    assert members(tiny_project, outer, saved=saved) == {"P1"}


def test_cycles_are_reported(tiny_project: Project) -> None:
    a = seg(SegmentCondition(segment="b"), name="a")
    b = seg(attr("age", "is_empty"), Group(conditions=[SegmentCondition(segment="a")]), name="b")
    with pytest.raises(SegmentError, match=r"refers back to itself \(a -> b -> a\)"):
        members(tiny_project, a, saved={"a": a, "b": b})
    with pytest.raises(SegmentError, match="no saved segment 'missing'"):
        members(tiny_project, seg(SegmentCondition(segment="missing")))


ERRORS = [
    (
        attr("colour", value="red"),
        r"root.conditions\[0\]: profiles have no attribute 'colour' \(known: age, country",
    ),
    (
        purchase(where=[ValueTest(field="colour", value="red")]),
        (
            r"root.conditions\[0\].where\[0\]: purchase events have no property 'colour' "
            r"\(known: category, channel"
        ),
    ),
    (
        EventCondition(event_type="purchse"),
        (
            r"no 'purchse' events \(known event types: cart_add, email_open, email_send, "
            r"page_view, purchase\)"
        ),
    ),
    (
        attr("loyalty_tier", "greater_than", value="Gold"),
        "loyalty_tier is text; 'greater than' compares numbers, dates and times",
    ),
    (attr("signup_date", value="2024-13-01"), "signup_date is a date: '2024-13-01' is not a"),
    (attr("created_at", value="yesterday"), "created_at is a date and time: 'yesterday' is"),
    (attr("age", value="thirty"), "age is a number: 'thirty' is not a number"),
    (attr("age", "contains", value="3"), "age is a number; 'contains' works on text"),
    (attr("opt_in", value="maybe"), "opt_in is true or false: 'maybe' is neither"),
    (attr("loyalty_tier", value=True), "loyalty_tier is text: True is true/false, not text"),
    (
        attr("country", "within_last_days", value=3),
        "country is text; 'within last days' works on dates",
    ),
    (attr("source_names", value="crm"), "source_names is a list; use 'contains'"),
    (purchase(measure="sum", value_field="category"), "value_field: category is not a number"),
    (purchase(measure="sum", value_field="price"), "purchase events have no field 'price'"),
    (
        SequenceCondition(
            first=EventFilter(event_type="cart_add"), then=EventFilter(event_type="buy")
        ),
        r"root.conditions\[0\].then: there are no 'buy' events",
    ),
]


@pytest.mark.parametrize(("condition", "message"), ERRORS)
def test_errors_name_the_field_and_where(
    tiny_project: Project, condition: Condition, message: str
) -> None:
    with pytest.raises(SegmentError, match=message):
        members(tiny_project, seg(condition))


def test_nested_paths_in_errors(tiny_project: Project) -> None:
    tree = seg(attr("age", "is_empty"), Group(op="or", conditions=[attr("nope", "is_empty")]))
    with pytest.raises(SegmentError, match=r"^root.conditions\[1\].conditions\[0\]: "):
        members(tiny_project, tree)


def test_values_never_become_sql(tiny_project: Project) -> None:
    hit = members(tiny_project, seg(attr("country", value=INJECTION)))
    assert hit == {"P6"}
    assert members(tiny_project, seg(attr("country", "contains", value="'; --"))) == set()
    cur = tiny_project.cursor()
    try:
        assert cur.execute("SELECT count(*) FROM main.profiles").fetchone() == (6,)
    finally:
        cur.close()
    compiled = compile_segment(
        seg(attr("country", value=INJECTION)), load_catalog(tiny_project), AS_OF
    )
    assert INJECTION not in compiled.sql
    assert INJECTION in compiled.params


@pytest.mark.parametrize(
    "condition",
    [
        attr('country" OR true OR "', value="x"),
        attr("country; DROP TABLE main.profiles", value="x"),
        EventCondition(event_type="purchase' OR '1'='1"),
        purchase(where=[ValueTest(field='category" IS NOT NULL OR "', value="x")]),
        purchase(measure="sum", value_field='value") OR (1=1'),
    ],
)
def test_field_names_from_users_are_checked_not_quoted_in(
    tiny_project: Project, condition: Condition
) -> None:
    with pytest.raises(SegmentError):
        members(tiny_project, seg(condition))


def test_as_of_may_be_aware(tiny_project: Project) -> None:
    aware = dt.datetime(2024, 6, 30, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    compiled = compile_segment(seg(purchase()), load_catalog(tiny_project), aware)
    assert compiled.as_of == AS_OF


# ------------------------------------------------------------------------ compact events
def test_what_reads_the_compact_events_table(segment_project: Project) -> None:
    """Type, time and value tests read the table; other fields, any type and sums of
    another field read main.events; a sequence needs both sides in the table."""
    catalog = load_catalog(segment_project)
    events = ensure_event_types(segment_project, catalog, ["purchase", "cart_add", "page_view"])
    assert events is not None
    assert set(events.codes) == {"purchase", "cart_add", "page_view"}

    def reads(condition: Condition) -> tuple[bool, tuple[str, ...]]:
        compiled = compile_segment(seg(condition), catalog, AS_OF, events=events)
        return TABLE in compiled.sql, compiled.event_types

    big = ValueTest(field="value", op="at_least", value=25)
    assert reads(purchase(where=[big])) == (True, ("purchase",))
    assert reads(purchase(measure="sum", value_field="value")) == (True, ("purchase",))
    assert reads(RecencyCondition(event_type="page_view")) == (True, ("page_view",))
    shoes = ValueTest(field="category", value="Shoes")
    assert reads(purchase(where=[shoes])) == (False, ())
    assert reads(EventCondition(event_type=None)) == (False, ())
    # e-mail events are known but not in the table yet: wanted, read from main.events
    assert reads(EventCondition(event_type="email_open")) == (False, ("email_open",))
    abandoned = SequenceCondition(
        first=EventFilter(event_type="cart_add"),
        then=EventFilter(event_type="purchase"),
        then_not=True,
        within_hours=24,
    )
    assert reads(abandoned) == (True, ("cart_add", "purchase"))
    half = abandoned.model_copy(update={"then": EventFilter(event_type="email_open")})
    assert reads(half) == (False, ("cart_add", "email_open"))
    compiled = compile_segment(seg(purchase()), catalog, AS_OF, events=events)
    assert compiled.where is not None
    assert compiled.sql.endswith(compiled.where)
