"""Edge cases of segment semantics, each with hand-built rows and members written by hand.

Every case is checked twice: the plain-Python reference must give the written members
(so the reference itself is pinned to the documented semantics) and so must the engine's
SQL on a real project. Times are naive UTC as ``main.events`` stores them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pytest

from tests.segments import reference
from tests.segments.random_data import Dataset, write_project
from workbench.project import Project
from workbench.segments.model import (
    AttributeCondition,
    BucketCondition,
    EventCondition,
    EventFilter,
    Group,
    NumberTest,
    RecencyCondition,
    Segment,
    SegmentCondition,
    SequenceCondition,
    ValueTest,
    Window,
)

T = dt.datetime
US = dt.timedelta(microseconds=1)
AS_OF = T(2024, 6, 15, 12, 0)


def P(pid: str, **attrs: object) -> dict[str, object]:
    return {"profile_id": pid, "records": 1, "sources": 1, **attrs}


def E(pid: str | None, event_type: str, ts: dt.datetime, **props: object) -> dict[str, object]:
    return {"profile_id": pid, "source": "test", "event_type": event_type, "ts": ts, **props}


def seg(*conditions: object, op: str = "and", negate: bool = False, tz: str = "UTC") -> Segment:
    return Segment(
        name="edge",
        root=Group(op=op, negate=negate, conditions=list(conditions)),  # type: ignore[arg-type]
        timezone=tz,
    )


def count(
    event_type: str | None,
    op: str = "at_least",
    value: float = 1,
    window: Window | None = None,
    where: Iterable[ValueTest] = (),
    measure: str = "count",
    high: float | None = None,
) -> EventCondition:
    return EventCondition(
        event_type=event_type,
        where=list(where),
        measure=measure,  # type: ignore[arg-type]
        test=NumberTest(op=op, value=value, high=high),  # type: ignore[arg-type]
        window=window or Window(),
    )


def attr(field: str, op: str = "equals", value: object = None, **kw: object) -> AttributeCondition:
    return AttributeCondition(field=field, op=op, value=value, **kw)  # type: ignore[arg-type]


class Rows:
    """One project holding hand-built rows; ``check`` compares both evaluators with the
    members written in the test."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.profiles: list[dict[str, object]] = []
        self.events: list[dict[str, object]] = []
        self.saved: dict[str, Segment] = {}

    def load(self, profiles: list[dict], events: list[dict]) -> Rows:
        self.profiles, self.events = profiles, events
        write_project(self.project, Dataset(profiles=profiles, events=events, as_of=AS_OF))
        return self

    def save(self, segment: Segment) -> None:
        from workbench.segments.store import save_segment

        save_segment(self.project, segment)
        self.saved[segment.name] = segment

    def engine(self, segment: Segment, as_of: dt.datetime) -> set[str]:
        from workbench.segments.evaluate import member_ids

        return set(member_ids(self.project, segment, as_of=as_of))

    def check(self, segment: Segment, expected: set[str], as_of: dt.datetime = AS_OF) -> None:
        ref = reference.evaluate(
            segment, self.profiles, self.events, as_of, lookup=self.saved.__getitem__
        )
        assert ref == expected, f"reference: {sorted(ref)} != {sorted(expected)}"
        got = self.engine(segment, as_of)
        assert got == expected, (
            f"engine: {sorted(got)} != expected {sorted(expected)}\n"
            f"segment: {segment.model_dump_json()}"
        )


@pytest.fixture
def rows(project: Project) -> Rows:
    return Rows(project)


# -- windows ----------------------------------------------------------------------------------


def test_last_days_is_open_on_the_left_and_closed_at_as_of(rows: Rows) -> None:
    week = AS_OF - dt.timedelta(days=7)
    rows.load(
        [P("edge"), P("inside"), P("now"), P("after"), P("none")],
        [
            E("edge", "page_view", week),  # exactly 7 days before: out
            E("inside", "page_view", week + US),
            E("now", "page_view", AS_OF),
            E("after", "page_view", AS_OF + US),  # after as-of: never counted
        ],
    )
    last7 = Window(kind="last_days", days=7)
    rows.check(seg(count("page_view", window=last7)), {"inside", "now"})
    rows.check(seg(count("page_view", "exactly", 0, last7)), {"edge", "after", "none"})
    rows.check(seg(count("page_view", window=Window())), {"edge", "inside", "now"})


def test_empty_windows_hold_count_zero_for_everyone(rows: Rows) -> None:
    rows.load(
        [P("a"), P("b"), P("none")],
        [
            E("a", "purchase", T(2024, 6, 10, 9), value=20.0),
            E("b", "purchase", AS_OF + dt.timedelta(days=2), value=5.0),  # in the window, later
        ],
    )
    future = Window(kind="between", start=dt.date(2024, 6, 16), end=dt.date(2024, 6, 20))
    before = Window(kind="between", start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31))
    for window in (future, before):
        rows.check(seg(count("purchase", "exactly", 0, window)), {"a", "b", "none"})
        rows.check(seg(count("purchase", window=window)), set())
        rows.check(seg(count("purchase", "at_most", 0, window, measure="sum")), {"a", "b", "none"})
        rows.check(seg(count("purchase", "at_most", 1e9, window, measure="average")), set())


def test_between_uses_calendar_days_of_the_segment_zone_on_a_dst_day(rows: Rows) -> None:
    # Berlin springs forward on 2024-03-31 at 01:00 UTC: that day is 23 hours long,
    # from 2024-03-30 23:00 UTC up to (not including) 2024-03-31 22:00 UTC.
    rows.load(
        [P("before"), P("first"), P("dst"), P("last"), P("next")],
        [
            E("before", "cart_add", T(2024, 3, 30, 22, 59, 59, 999999)),
            E("first", "cart_add", T(2024, 3, 30, 23, 0)),
            E("dst", "cart_add", T(2024, 3, 31, 1, 30)),
            E("last", "cart_add", T(2024, 3, 31, 21, 59, 59)),
            E("next", "cart_add", T(2024, 3, 31, 22, 0)),
        ],
    )
    day = Window(kind="between", start=dt.date(2024, 3, 31), end=dt.date(2024, 3, 31))
    cond = count("cart_add", window=day)
    rows.check(seg(cond, tz="Europe/Berlin"), {"first", "dst", "last"})
    rows.check(seg(cond, tz="UTC"), {"dst", "last", "next"})


def test_between_on_new_york_fall_back_day_is_25_hours(rows: Rows) -> None:
    # 2024-11-03 in New York: from 04:00 UTC (EDT) to 2024-11-04 05:00 UTC (EST).
    rows.load(
        [P("before"), P("first"), P("edt"), P("est"), P("last"), P("next")],
        [
            E("before", "app_session", T(2024, 11, 3, 3, 59, 59)),
            E("first", "app_session", T(2024, 11, 3, 4, 0)),
            E("edt", "app_session", T(2024, 11, 3, 5, 30)),  # 01:30 EDT
            E("est", "app_session", T(2024, 11, 3, 6, 30)),  # 01:30 EST, an hour later
            E("last", "app_session", T(2024, 11, 4, 4, 59, 59)),
            E("next", "app_session", T(2024, 11, 4, 5, 0)),
        ],
    )
    day = Window(kind="between", start=dt.date(2024, 11, 3), end=dt.date(2024, 11, 3))
    cond = count("app_session", window=day)
    as_of = T(2024, 11, 10)
    rows.check(seg(cond, tz="America/New_York"), {"first", "edt", "est", "last"}, as_of)
    rows.check(seg(cond, tz="UTC"), {"before", "first", "edt", "est"}, as_of)


def test_between_in_a_half_hour_zone(rows: Rows) -> None:
    # Asia/Kolkata is UTC+05:30: 2024-06-10..11 local is [06-09 18:30, 06-11 18:30) UTC.
    rows.load(
        [P("early"), P("start"), P("end"), P("late")],
        [
            E("early", "email_open", T(2024, 6, 9, 18, 29, 59)),
            E("start", "email_open", T(2024, 6, 9, 18, 30)),
            E("end", "email_open", T(2024, 6, 11, 18, 29, 59, 999999)),
            E("late", "email_open", T(2024, 6, 11, 18, 30)),
        ],
    )
    days = Window(kind="between", start=dt.date(2024, 6, 10), end=dt.date(2024, 6, 11))
    rows.check(seg(count("email_open", window=days), tz="Asia/Kolkata"), {"start", "end"})


def test_since_first_event_counts_up_to_as_of(rows: Rows) -> None:
    rows.load(
        [P("a"), P("b"), P("none")],
        [
            E("a", "page_view", T(2024, 1, 1)),
            E("a", "purchase", T(2024, 3, 1), value=1.0),
            E("a", "purchase", T(2024, 6, 1), value=2.0),
            E("b", "purchase", T(2024, 6, 1), value=2.0),
            E("b", "purchase", AS_OF + US, value=2.0),
        ],
    )
    since = Window(kind="since_first_event")
    rows.check(seg(count("purchase", "exactly", 2, since)), {"a"})
    rows.check(seg(count("purchase", "exactly", 1, since)), {"b"})
    rows.check(seg(count("purchase", "exactly", 0, since)), {"none"})


# -- profiles without events, unlinked events, duplicates --------------------------------------


def test_profiles_with_no_events(rows: Rows) -> None:
    rows.load(
        [P("none"), P("buyer")],
        [
            E("buyer", "purchase", AS_OF - dt.timedelta(days=1), value=10.0),
            E(None, "purchase", AS_OF - dt.timedelta(days=1), value=99.0),  # unlinked
            E(None, "cart_add", AS_OF - dt.timedelta(days=2)),
        ],
    )
    rows.check(seg(count("purchase", "exactly", 0)), {"none"})
    rows.check(seg(count("purchase", "at_most", 1)), {"none", "buyer"})
    rows.check(seg(count(None, "at_least", 1)), {"buyer"})
    rows.check(seg(count("cart_add", "at_least", 1)), set())
    rows.check(seg(count("purchase", "at_most", 0, measure="sum")), {"none"})
    rows.check(seg(count("purchase", "less_than", 5, measure="sum")), {"none"})
    rows.check(seg(count("purchase", "at_most", 1000, measure="average")), {"buyer"})
    rows.check(seg(count("purchase", "less_than", 5, measure="average")), set())
    recency = RecencyCondition(event_type="purchase", test=NumberTest(op="at_least", value=0))
    rows.check(seg(recency), {"buyer"})
    seq = SequenceCondition(
        first=EventFilter(event_type="cart_add"), then=EventFilter(event_type="purchase")
    )
    rows.check(seg(seq), set())
    rows.check(seg(count("purchase"), negate=True), {"none"})
    rows.check(seg(count("purchase", "exactly", 0, Window(kind="since_first_event"))), {"none"})


def test_duplicate_events_count_twice(rows: Rows) -> None:
    ts = AS_OF - dt.timedelta(hours=3)
    rows.load(
        [P("dup"), P("one")],
        [
            E("dup", "purchase", ts, value=5.0),
            E("dup", "purchase", ts, value=5.0),
            E("one", "purchase", ts, value=10.0),
        ],
    )
    rows.check(seg(count("purchase", "exactly", 2)), {"dup"})
    rows.check(seg(count("purchase", "exactly", 10, measure="sum")), {"dup", "one"})
    rows.check(seg(count("purchase", "exactly", 5, measure="average")), {"dup"})


def test_null_values_in_sum_and_average(rows: Rows) -> None:
    rows.load(
        [P("nulls"), P("mixed"), P("negative")],
        [
            E("nulls", "purchase", T(2024, 6, 1)),
            E("nulls", "purchase", T(2024, 6, 2)),
            E("mixed", "purchase", T(2024, 6, 1), value=4.0),
            E("mixed", "purchase", T(2024, 6, 2)),
            E("negative", "purchase", T(2024, 6, 1), value=-3.5),
            E("negative", "purchase", T(2024, 6, 2), value=0.0),
        ],
    )
    # a sum over events without values is 0; an average over no values is NULL
    rows.check(seg(count("purchase", "exactly", 0, measure="sum")), {"nulls"})
    rows.check(seg(count("purchase", "exactly", 4, measure="average")), {"mixed"})
    rows.check(seg(count("purchase", "at_most", 100, measure="average")), {"mixed", "negative"})
    rows.check(seg(count("purchase", "exactly", -1.75, measure="average")), {"negative"})
    rows.check(seg(count("purchase", "less_than", 0, measure="sum")), {"negative"})


# -- attributes and NULL ------------------------------------------------------------------------


def test_null_attributes_hold_only_for_is_empty(rows: Rows) -> None:
    rows.load([P("a", city="Berlin"), P("b", city="berlin"), P("c"), P("d", city="Bonn")], [])
    rows.check(seg(attr("city", value="Berlin")), {"a"})
    rows.check(seg(attr("city", value="BERLIN", ignore_case=True)), {"a", "b"})
    rows.check(seg(attr("city", "not_equals", "Berlin")), {"b", "d"})
    rows.check(seg(attr("city", "not_in", values=["Berlin"])), {"b", "d"})
    rows.check(seg(attr("city", "not_in", values=["BERLIN"], ignore_case=True)), {"d"})
    rows.check(seg(attr("city", "in", values=["Bonn", "berlin"])), {"b", "d"})
    rows.check(seg(attr("city", "is_empty")), {"c"})
    rows.check(seg(attr("city", "is_not_empty")), {"a", "b", "d"})
    rows.check(seg(attr("city", "contains", "erl")), {"a", "b"})
    rows.check(seg(attr("city", "starts_with", "B")), {"a", "d"})
    rows.check(seg(attr("city", "starts_with", "b", ignore_case=True)), {"a", "b", "d"})
    # NOT is the complement: the NULL profile is outside "equals" and so inside its negation
    rows.check(seg(attr("city", value="Berlin"), negate=True), {"b", "c", "d"})
    rows.check(seg(attr("city", "not_equals", "Berlin"), negate=True), {"a", "c"})


def test_null_numbers_booleans_and_dates(rows: Rows) -> None:
    rows.load(
        [
            P("neg", score=-1.0, opt_in=True, signup_date=dt.date(2024, 6, 8)),
            P("zero", score=0.0, opt_in=False, signup_date=dt.date(2024, 6, 7)),
            P("null"),
            P("pos", score=2.5, opt_in=True, signup_date=dt.date(2024, 6, 16)),
        ],
        [],
    )
    rows.check(seg(attr("score", "at_most", 0)), {"neg", "zero"})
    rows.check(seg(attr("score", "not_equals", 0)), {"neg", "pos"})
    rows.check(seg(attr("score", "between", -1, high=0)), {"neg", "zero"})
    rows.check(seg(attr("score", "not_in", values=[2.5])), {"neg", "zero"})
    rows.check(seg(attr("score", "less_than", 100), negate=True), {"null"})
    rows.check(seg(attr("opt_in", value=False)), {"zero"})
    rows.check(seg(attr("opt_in", "not_equals", True)), {"zero"})
    rows.check(seg(attr("opt_in", "is_empty")), {"null"})
    # as-of date 2024-06-15: within the last 7 days is 06-08 ..= 06-15
    rows.check(seg(attr("signup_date", "within_last_days", 7)), {"neg"})
    rows.check(seg(attr("signup_date", "more_than_days_ago", 7)), {"zero"})
    rows.check(seg(attr("signup_date", "within_last_days", 0)), set())
    rows.check(seg(attr("signup_date", "greater_than", dt.date(2024, 6, 8))), {"pos"})
    rows.check(seg(attr("signup_date", "at_least", "2024-06-08")), {"neg", "pos"})


def test_dates_for_a_timestamp_field_start_the_day_in_the_segment_zone(rows: Rows) -> None:
    # Europe/Berlin is UTC+2 in June: local 2024-06-10 starts at 06-09 22:00 UTC.
    rows.load(
        [
            P("a", created_at=T(2024, 6, 9, 21, 59, 59)),  # local 06-09 23:59:59
            P("b", created_at=T(2024, 6, 9, 22, 0)),  # local 06-10 00:00
            P("c", created_at=T(2024, 6, 10, 12, 0)),
            P("d"),
            P("e", created_at=T(2024, 6, 10, 22, 0)),  # local 06-11 00:00
        ],
        [],
    )
    june10, june11 = dt.date(2024, 6, 10), dt.date(2024, 6, 11)
    berlin, utc = "Europe/Berlin", "UTC"
    rows.check(seg(attr("created_at", "at_least", june10), tz=berlin), {"b", "c", "e"})
    rows.check(seg(attr("created_at", "less_than", "2024-06-10"), tz=berlin), {"a"})
    rows.check(seg(attr("created_at", "between", june10, high=june11), tz=berlin), {"b", "c", "e"})
    rows.check(seg(attr("created_at", "at_least", june10), tz=utc), {"c", "e"})
    rows.check(seg(attr("created_at", "between", june10, high=june11), tz=utc), {"c", "e"})
    rows.check(seg(attr("created_at", value="2024-06-10T00:00:00+02:00"), tz=utc), {"b"})
    rows.check(seg(attr("created_at", value=T(2024, 6, 10, 12)), tz=berlin), {"c"})
    # as-of date 06-15: within the last 5 days is local date 06-10 ..= 06-15
    rows.check(seg(attr("created_at", "within_last_days", 5), tz=berlin), {"b", "c", "e"})
    rows.check(seg(attr("created_at", "more_than_days_ago", 5), tz=berlin), {"a"})
    rows.check(seg(attr("created_at", "within_last_days", 5), tz=utc), {"c", "e"})
    rows.check(seg(attr("created_at", "more_than_days_ago", 5), tz=utc), {"a", "b"})
    rows.check(
        seg(attr("created_at", "more_than_days_ago", 5), tz=utc, negate=True), {"c", "d", "e"}
    )


def test_list_fields(rows: Rows) -> None:
    rows.load(
        [
            P("both", source_names=["crm", "web"]),
            P("crm", source_names=["crm"]),
            P("empty", source_names=[]),
            P("null"),
            P("upper", source_names=["CRM"]),
        ],
        [],
    )
    rows.check(seg(attr("source_names", "contains", "crm")), {"both", "crm"})
    rows.check(seg(attr("source_names", "contains", "cr")), set())  # an element, not text
    rows.check(seg(attr("source_names", "is_empty")), {"empty", "null"})
    rows.check(seg(attr("source_names", "is_not_empty")), {"both", "crm", "upper"})
    rows.check(
        seg(attr("source_names", "contains", "web"), negate=True), {"crm", "empty", "null", "upper"}
    )


def test_list_contains_ignores_case_when_asked(rows: Rows) -> None:
    # docs/segments.md: ignore_case compares lower-cased text for `contains`, and on a list
    # `contains` looks for an element; so an element equal but for case matches.
    rows.load(
        [
            P("lower", source_names=["crm"]),
            P("upper", source_names=["CRM"]),
            P("web", source_names=["web"]),
        ],
        [],
    )
    rows.check(seg(attr("source_names", "contains", "CRM", ignore_case=True)), {"lower", "upper"})
    rows.check(seg(attr("source_names", "contains", "CRM")), {"upper"})


def test_text_with_wildcards_quotes_and_unicode(rows: Rows) -> None:
    rows.load(
        [
            P("pct", city="50% off"),
            P("nopct", city="500 off"),
            P("under", city="a_b"),
            P("x", city="aXb"),
            P("quote", city="O'Fallon"),
            P("dquote", city='Say "hi"'),
            P("slash", city="back\\slash"),
            P("umlaut", city="München"),
        ],
        [],
    )
    rows.check(seg(attr("city", "contains", "%")), {"pct"})
    rows.check(seg(attr("city", "contains", "0%")), {"pct"})
    rows.check(seg(attr("city", "starts_with", "a_")), {"under"})
    rows.check(seg(attr("city", "contains", "_", ignore_case=True)), {"under"})
    rows.check(seg(attr("city", value="O'Fallon")), {"quote"})
    rows.check(seg(attr("city", "contains", '"hi"')), {"dquote"})
    rows.check(seg(attr("city", "contains", "\\")), {"slash"})
    rows.check(seg(attr("city", "in", values=["O'Fallon", 'Say "hi"'])), {"quote", "dquote"})
    rows.check(seg(attr("city", "contains", "MÜN", ignore_case=True)), {"umlaut"})
    rows.check(seg(attr("city", "contains", "MÜN")), set())


def test_event_property_filters_and_null_properties(rows: Rows) -> None:
    rows.load(
        [P("shoes"), P("bags"), P("nocat"), P("loud")],
        [
            E("shoes", "purchase", T(2024, 6, 1), category="shoes", value=1.0),
            E("bags", "purchase", T(2024, 6, 1), category="bags", value=1.0),
            E("nocat", "purchase", T(2024, 6, 1), value=1.0),
            E("loud", "purchase", T(2024, 6, 1), category="SHOES", value=1.0),
        ],
    )
    shoes = ValueTest(field="category", value="shoes")
    rows.check(seg(count("purchase", where=[shoes])), {"shoes"})
    loose = ValueTest(field="category", value="Shoes", ignore_case=True)
    rows.check(seg(count("purchase", where=[loose])), {"shoes", "loud"})
    other = ValueTest(field="category", op="not_equals", value="shoes")
    rows.check(seg(count("purchase", where=[other])), {"bags", "loud"})  # NULL is not "other"
    empty = ValueTest(field="category", op="is_empty")
    rows.check(seg(count("purchase", where=[empty])), {"nocat"})
    rows.check(seg(count("purchase", "exactly", 0, where=[shoes])), {"bags", "nocat", "loud"})


# -- recency and sequences --------------------------------------------------------------------


def test_recency_counts_calendar_days_in_the_segment_zone(rows: Rows) -> None:
    # as-of 2024-06-15 12:00 UTC; its date is 06-15 in UTC, New York (08:00) and Kolkata
    # (17:30). Days since = as-of date - local date of the event.
    day = dt.timedelta(days=1)
    rows.load(
        [P("midnight"), P("late"), P("one"), P("two"), P("future"), P("none")],
        [
            E("midnight", "purchase", T(2024, 6, 15, 0, 0)),  # NY: 06-14 20:00
            E("late", "purchase", T(2024, 6, 14, 23, 59, 59, 999999)),  # Kolkata: 06-15 05:29
            E("one", "purchase", AS_OF - day),
            E("two", "purchase", AS_OF - 2 * day + US),  # under 48 hours, two dates back
            E("two", "purchase", AS_OF - 40 * day),
            E("future", "purchase", AS_OF + US),  # after as-of: not done yet
        ],
    )

    def days(op: str, value: float, which: str = "last") -> RecencyCondition:
        test = NumberTest(op=op, value=value)  # type: ignore[arg-type]
        return RecencyCondition(event_type="purchase", which=which, test=test)  # type: ignore[arg-type]

    rows.check(seg(days("exactly", 0)), {"midnight"})
    rows.check(seg(days("exactly", 1)), {"late", "one"})
    rows.check(seg(days("exactly", 2)), {"two"})
    rows.check(seg(days("at_least", 1.5)), {"two"})
    rows.check(seg(days("exactly", 1.5)), set())
    rows.check(seg(days("at_least", 40, "first")), {"two"})
    rows.check(seg(days("at_least", 0)), {"midnight", "late", "one", "two"})
    rows.check(seg(days("exactly", 1), tz="America/New_York"), {"midnight", "late", "one"})
    rows.check(seg(days("exactly", 0), tz="America/New_York"), set())
    rows.check(seg(days("exactly", 0), tz="Asia/Kolkata"), {"midnight", "late"})
    rows.check(seg(days("exactly", 2), tz="Asia/Kolkata"), {"two"})


def test_sequence_span_is_open_at_the_first_event_and_closed_at_the_end(rows: Rows) -> None:
    t = AS_OF - dt.timedelta(days=3)
    h24 = dt.timedelta(hours=24)
    rows.load(
        [P(x) for x in ("end", "late", "same", "before", "later", "two", "none", "half")],
        [
            E("end", "cart_add", t),
            E("end", "purchase", t + h24),  # exactly at the end: followed
            E("late", "cart_add", t),
            E("late", "purchase", t + h24 + US),
            E("same", "cart_add", t),
            E("same", "purchase", t),  # the same instant is not "after"
            E("before", "cart_add", t),
            E("before", "purchase", t - dt.timedelta(hours=1)),
            E("later", "cart_add", AS_OF - dt.timedelta(minutes=30)),
            E("later", "purchase", AS_OF + dt.timedelta(minutes=30)),  # after as-of
            E("two", "cart_add", t),
            E("two", "purchase", t + dt.timedelta(hours=2)),
            E("two", "cart_add", t + dt.timedelta(days=1, hours=1)),
            E("half", "cart_add", t),
            E("half", "purchase", t + dt.timedelta(hours=1, minutes=30)),
        ],
    )
    first, then = EventFilter(event_type="cart_add"), EventFilter(event_type="purchase")
    abandon = SequenceCondition(first=first, then=then, within_hours=24)
    rows.check(seg(abandon), {"late", "same", "before", "later", "two"})
    bought = SequenceCondition(first=first, then=then, within_hours=24, then_not=False)
    rows.check(seg(bought), {"end", "two", "half"})
    quick = SequenceCondition(first=first, then=then, within_hours=1.5, then_not=False)
    rows.check(seg(quick), {"half"})
    recent = SequenceCondition(
        first=first, then=then, within_hours=24, window=Window(kind="last_days", days=1)
    )
    rows.check(seg(recent), {"later"})


def test_sequence_of_one_event_type_with_property_filters(rows: Rows) -> None:
    t = AS_OF - dt.timedelta(days=1)
    rows.load(
        [P("thanked"), P("left"), P("other")],
        [
            E("thanked", "page_view", t, url="/demo"),
            E("thanked", "page_view", t + dt.timedelta(minutes=5), url="/thank-you"),
            E("left", "page_view", t, url="/demo"),
            E("left", "page_view", t + dt.timedelta(minutes=5), url="/demo"),
            E("other", "page_view", t, url="/"),
        ],
    )
    demo = EventFilter(event_type="page_view", where=[ValueTest(field="url", value="/demo")])
    thanks = EventFilter(event_type="page_view", where=[ValueTest(field="url", value="/thank-you")])
    rows.check(seg(SequenceCondition(first=demo, then=thanks, within_hours=1)), {"left"})
    rows.check(
        seg(SequenceCondition(first=demo, then=demo, within_hours=1, then_not=False)), {"left"}
    )


# -- groups, buckets, references ----------------------------------------------------------------


def test_empty_groups(rows: Rows) -> None:
    rows.load([P("a"), P("b")], [])
    rows.check(seg(), {"a", "b"})
    rows.check(seg(op="or"), set())
    rows.check(seg(negate=True), set())
    rows.check(seg(op="or", negate=True), {"a", "b"})
    rows.check(seg(Group(op="or"), op="or"), set())
    rows.check(seg(Group(op="or", negate=True), Group()), {"a", "b"})


def test_bucket_reads_md5_as_unsigned(rows: Rows) -> None:
    # md5(':' + id)[:8] for a..h is 66c06124 e41d8ab6 e9f31c2f 215ac500 30b9c66d 09c6adc5
    # b72fa9a7 d9577fbf: buckets of 10 are 2 2 1 0 5 7 1 7 (several above 2**31).
    # With salt 'exp' they are 4 7 3 3 5 1 5 0.
    rows.load([P(x) for x in "abcdefgh"], [])
    rows.check(seg(BucketCondition(buckets=10, low=0, high=2)), {"a", "b", "c", "d", "g"})
    rows.check(
        seg(BucketCondition(salt="exp", buckets=10, low=3, high=5)), {"a", "c", "d", "e", "g"}
    )
    rows.check(seg(BucketCondition(salt="exp", buckets=10, low=0, high=0)), {"h"})


def test_segment_references_and_cycles(rows: Rows) -> None:
    from workbench.segments.errors import SegmentError

    rows.load(
        [P("a", city="Berlin"), P("b", city="Bonn"), P("c")],
        [E("a", "purchase", T(2024, 6, 1), value=3.0)],
    )
    berlin = seg(attr("city", value="Berlin")).model_copy(update={"name": "berliners"})
    rows.save(berlin)
    rows.check(seg(SegmentCondition(segment="berliners")), {"a"})
    rows.check(seg(SegmentCondition(segment="berliners"), negate=True), {"b", "c"})
    rows.check(seg(SegmentCondition(segment="berliners"), count("purchase"), op="or"), {"a"})
    loop_a = seg(SegmentCondition(segment="loop_b")).model_copy(update={"name": "loop_a"})
    loop_b = seg(SegmentCondition(segment="loop_a")).model_copy(update={"name": "loop_b"})
    rows.save(loop_a)
    rows.save(loop_b)
    with pytest.raises(SegmentError, match="loop"):
        rows.engine(seg(SegmentCondition(segment="loop_a")), AS_OF)
    with pytest.raises(reference.EvaluationError):
        reference.evaluate(
            seg(SegmentCondition(segment="loop_a")),
            rows.profiles,
            rows.events,
            AS_OF,
            lookup=rows.saved.__getitem__,
        )


def test_referenced_segment_keeps_its_own_time_zone(rows: Rows) -> None:
    rows.load(
        [P("late_night"), P("noon")],
        [
            E("late_night", "purchase", T(2024, 6, 1, 23, 30)),  # 06-02 01:30 in Berlin
            E("noon", "purchase", T(2024, 6, 1, 12, 0)),
        ],
    )
    day = Window(kind="between", start=dt.date(2024, 6, 1), end=dt.date(2024, 6, 1))
    june1_berlin = seg(count("purchase", window=day), tz="Europe/Berlin")
    rows.save(june1_berlin.model_copy(update={"name": "june1"}))
    rows.check(seg(SegmentCondition(segment="june1"), tz="UTC"), {"noon"})
    rows.check(seg(count("purchase", window=day), tz="UTC"), {"late_night", "noon"})


# -- as-of ----------------------------------------------------------------------------------------


def test_as_of_defaults_to_the_latest_event_linked_or_not(rows: Rows) -> None:
    from workbench.segments.evaluate import member_ids, resolve_as_of

    latest = T(2024, 6, 20, 8, 0)
    rows.load(
        [P("a"), P("b")],
        [
            E("a", "page_view", latest - dt.timedelta(hours=25)),
            E("b", "page_view", latest - dt.timedelta(hours=2)),
            E(None, "page_view", latest),  # the data's "now", though nobody's
        ],
    )
    day = seg(count("page_view", window=Window(kind="last_days", days=1)))
    assert resolve_as_of(rows.project) == latest
    assert set(member_ids(rows.project, day)) == {"b"}
    assert reference.evaluate(day, rows.profiles, rows.events, latest) == {"b"}
    # the segment's own as-of comes next, an explicit one first (aware ones are converted)
    pinned = day.model_copy(update={"as_of": latest - dt.timedelta(hours=2)})
    assert set(member_ids(rows.project, pinned)) == {"a", "b"}
    berlin = dt.timezone(dt.timedelta(hours=2))
    explicit = (latest - dt.timedelta(hours=2)).replace(tzinfo=dt.UTC).astimezone(berlin)
    assert set(member_ids(rows.project, day, as_of=explicit)) == {"a", "b"}
    assert set(member_ids(rows.project, pinned, as_of=latest)) == {"b"}
    assert reference.evaluate(day, rows.profiles, rows.events, explicit) == {"a", "b"}


def test_a_referenced_segment_is_read_at_the_referring_as_of(rows: Rows) -> None:
    rows.load(
        [P("recent"), P("old")],
        [
            E("recent", "purchase", AS_OF - dt.timedelta(days=1)),
            E("old", "purchase", AS_OF - dt.timedelta(days=60)),
        ],
    )
    month = seg(count("purchase", window=Window(kind="last_days", days=30)))
    # pinned to an as-of at which only "old" had bought in the last 30 days
    rows.save(month.model_copy(update={"name": "bought lately", "as_of": T(2024, 4, 30)}))
    rows.check(seg(SegmentCondition(segment="bought lately")), {"recent"})
