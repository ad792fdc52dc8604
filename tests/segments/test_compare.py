"""Comparing segments with each other and with everyone, on five hand-made profiles whose
figures are worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.identity.builders import Table, block, built_project, exact_rule, profiles_table, rules
from tests.identity.builders import run as resolve_run
from workbench.project import Project
from workbench.segments.compare import EVERYONE, compare_segments
from workbench.segments.errors import SegmentError
from workbench.segments.evaluate import count_segment
from workbench.segments.model import AttributeCondition, EventCondition, Group, Segment
from workbench.tasks import Cancelled, Task

AS_OF = dt.datetime(2024, 6, 30, 12, 0)  # the 30-day window starts after 2024-05-31 12:00
PEOPLE = profiles_table(
    "crm",
    "id,customer_id,email,tier",
    "p1,C1,p1@example.com,gold",
    "p2,C2,p2@example.com,gold",
    "p3,C3,p3@example.com,silver",
    "p4,C4,p4@example.com,silver",
    "p5,C5,p5@example.com,bronze",
    tier="attribute",
)
ORDERS = Table(
    "orders",
    ["customer_id", "ts", "amount"],
    [
        ["C1", "2024-06-25 10:00:00", "40"],
        ["C1", "2024-03-01 10:00:00", "60"],  # before the 30-day window
        ["C2", "2024-06-10 10:00:00", "100"],
        ["C3", "2024-01-05 10:00:00", "30"],  # before the 30-day window
        ["C1", "2024-07-05 10:00:00", "999"],  # after as-of: never counted
    ],
    {"customer_id": "customer_id", "ts": "timestamp", "amount": "value"},
    kind="events",
    event_type="purchase",
)
ACTIVITY = Table(
    "activity",
    ["email", "kind", "ts"],
    [
        ["p1@example.com", "email_send", "2024-06-20 08:00:00"],
        ["p1@example.com", "email_open", "2024-06-20 09:00:00"],
        ["p1@example.com", "email_click", "2024-06-20 09:01:00"],
        ["p1@example.com", "email_send", "2024-05-01 08:00:00"],  # before the window
        ["p1@example.com", "email_open", "2024-05-01 09:00:00"],  # before the window
        ["p2@example.com", "email_send", "2024-06-20 08:00:00"],
        ["p4@example.com", "email_send", "2024-06-21 08:00:00"],
        ["p4@example.com", "email_send", "2024-06-22 08:00:00"],
        ["p4@example.com", "email_open", "2024-06-22 10:00:00"],
        ["p1@example.com", "page_view", "2024-06-25 10:00:00"],
        ["p1@example.com", "page_view", "2024-06-25 11:00:00"],  # same day: one visit
        ["p1@example.com", "page_view", "2024-06-26 10:00:00"],
        ["p1@example.com", "page_view", "2024-04-01 10:00:00"],  # before the window
        ["p2@example.com", "product_view", "2024-06-20 10:00:00"],  # not a visit
        ["p3@example.com", "page_view", "2024-06-29 10:00:00"],
        ["p5@example.com", "app_session", "2024-06-28 10:00:00"],
    ],
    {"email": "email", "kind": "event_type", "ts": "timestamp"},
    kind="events",
)
RULES = rules(blocking=[block("customer_id")], rules=[exact_rule("same id", "customer_id")])


def _tier(name: str) -> Segment:
    return Segment(
        name=name.title(),
        root=Group(conditions=[AttributeCondition(field="tier", value=name)]),
    )


GOLD, SILVER, NOBODY = _tier("gold"), _tier("silver"), _tier("platinum")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with built_project(tmp_path_factory.mktemp("compare"), PEOPLE, ORDERS, ACTIVITY) as proj:
        resolve_run(proj, RULES)
        yield proj


def _table(result: object) -> dict[str, list[float | None]]:
    return {row.metric.key: row.values for row in result.rows}  # type: ignore[attr-defined]


def test_all_time_figures(project: Project) -> None:
    result = compare_segments(project, [GOLD, SILVER], as_of=AS_OF)
    assert result.columns == ["Gold", "Silver", EVERYONE]
    assert result.window_days is None
    got = _table(result)
    # Per profile (all time): p1 2 orders / 100, 2 sends, 2 opens, 1 click, 3 visit days;
    # p2 1 order / 100, 1 send; p3 1 order / 30, 1 visit; p4 2 sends, 1 open; p5 1 visit.
    assert got["profiles"] == [2, 2, 5]
    assert got["conversion_rate"] == pytest.approx([1.0, 0.5, 0.6])
    assert got["revenue_per_profile"] == pytest.approx([100.0, 15.0, 46.0])
    assert got["average_order_value"] == pytest.approx([200 / 3, 30.0, 57.5])
    assert got["visits_per_profile"] == pytest.approx([1.5, 0.5, 1.0])
    assert got["email_open_rate"] == pytest.approx([2 / 3, 0.5, 0.6])
    assert got["email_click_rate"] == pytest.approx([1 / 3, 0.0, 0.2])
    assert result.value("conversion_rate", "Silver") == pytest.approx(0.5)


def test_last_30_days(project: Project) -> None:
    got = _table(compare_segments(project, [GOLD, SILVER], as_of=AS_OF, window_days=30))
    # In the window: p1 1 order / 40, 1 send, 1 open, 1 click, 2 visit days;
    # p2 1 order / 100, 1 send; p3 1 visit; p4 2 sends, 1 open; p5 1 visit.
    assert got["profiles"] == [2, 2, 5]
    assert got["conversion_rate"] == pytest.approx([1.0, 0.0, 0.4])
    assert got["revenue_per_profile"] == pytest.approx([70.0, 0.0, 28.0])
    assert got["average_order_value"][0] == pytest.approx(70.0)
    assert got["average_order_value"][1] is None  # no purchases: no average
    assert got["visits_per_profile"] == pytest.approx([1.0, 0.5, 0.8])
    assert got["email_open_rate"] == pytest.approx([0.5, 0.5, 0.5])
    assert got["email_click_rate"] == pytest.approx([0.5, 0.0, 0.25])


def test_an_empty_segment_has_no_rates(project: Project) -> None:
    got = _table(compare_segments(project, [NOBODY], as_of=AS_OF))
    assert {k: v[0] for k, v in got.items()} == {
        "profiles": 0,
        "conversion_rate": None,
        "revenue_per_profile": None,
        "average_order_value": None,
        "visits_per_profile": None,
        "email_open_rate": None,
        "email_click_rate": None,
    }
    assert got["profiles"][1] == 5


def test_bad_requests_are_named(project: Project) -> None:
    with pytest.raises(SegmentError, match="at least one segment"):
        compare_segments(project, [], as_of=AS_OF)
    with pytest.raises(SegmentError, match="at least 1 day, not 0"):
        compare_segments(project, [GOLD], as_of=AS_OF, window_days=0)


def test_cancel_stops_the_comparison(project: Project) -> None:
    task = Task()
    task.cancel()
    with pytest.raises(Cancelled):
        compare_segments(project, [GOLD], as_of=AS_OF, task=task)


def test_on_generated_data_rates_agree_with_segment_counts(sample_project: Project) -> None:
    """Conversion = members who bought (counted by the engine in SQL) over members."""
    bought = EventCondition(event_type="purchase")  # at least once, all time up to as-of
    tier = Segment(
        name="Gold or platinum",
        root=Group(
            conditions=[
                AttributeCondition(field="loyalty_tier", op="in", values=["Gold", "Platinum"])
            ]
        ),
    )
    result = compare_segments(sample_project, [tier])
    when = result.as_of
    size = count_segment(sample_project, tier, as_of=when).members
    buyers = count_segment(
        sample_project,
        Segment(name="buyers", root=Group(conditions=[*tier.root.conditions, bought])),
        as_of=when,
    ).members
    everyone = count_segment(sample_project, Segment(name="all"), as_of=when).members
    all_buyers = count_segment(
        sample_project, Segment(name="b", root=Group(conditions=[bought])), as_of=when
    ).members
    assert result.value("profiles", 0) == size > 0
    assert result.value("conversion_rate", 0) == pytest.approx(buyers / size)
    assert result.value("profiles", EVERYONE) == everyone
    assert result.value("conversion_rate", EVERYONE) == pytest.approx(all_buyers / everyone)
    for key in ("revenue_per_profile", "average_order_value", "email_open_rate"):
        assert result.value(key, EVERYONE) > 0
