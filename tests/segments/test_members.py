"""Members of a segment page by page, and one member's unified profile in full."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.identity.builders import (
    Table,
    add_tables,
    block,
    exact_rule,
    profile_of,
    profiles_table,
    rules,
    run,
)
from workbench.identity.pipeline import RunReport
from workbench.project import Project
from workbench.segments import member_order
from workbench.segments.catalog import clear_cache
from workbench.segments.errors import SegmentError
from workbench.segments.evaluate import member_ids
from workbench.segments.members import members_page, profile_detail
from workbench.segments.model import AttributeCondition, Group, Segment, SegmentCondition
from workbench.segments.store import save_segment

AS_OF = dt.datetime(2024, 6, 30, 12, 0)
CRM = profiles_table(
    "crm",
    "id,customer_id,email,first_name,last_name,tier,joined",
    "c1,C1,ann@example.com,Ann,Lee,gold,2021-03-01",
    "c2,C2,bob@example.com,Omar,Stone,silver,2022-05-10",
    "c3,C3,cat@example.com,Cleo,Moss,,2020-01-15",
    "c4,C4,dan@example.com,Hugo,Hill,gold,2023-07-04",
    tier="attribute",
    joined="attribute",
)
WEB = profiles_table(
    "web",
    "id,Email Address,cookie_id",
    "w1,ANN@Example.com,ck-1",
    "w2,dan@example.com,ck-4",
    **{"Email Address": "email"},
)
ORDERS = Table(
    "orders",
    ["customer_id", "order_ref", "ts", "amount"],
    [
        ["C1", "o1", "2024-06-01 10:00:00", "30"],
        ["C1", "o2", "2024-06-20 09:00:00", "50"],
        ["C2", "o3", "2024-05-01 12:00:00", "20"],
        ["C4", "o4", "2024-06-25 18:00:00", "100"],
    ],
    {"customer_id": "customer_id", "order_ref": "property", "ts": "timestamp", "amount": "value"},
    kind="events",
    event_type="purchase",
)
MAILS = Table(
    "mails",
    ["email", "kind", "ts", "campaign"],
    [
        ["ann@example.com", "email_send", "2024-06-10 08:00:00", "spring"],
        ["ANN@example.com", "email_open", "2024-06-10 09:00:00", "spring"],
        ["ann@example.com", "email_click", "2024-06-10 09:05:00", "spring"],
        ["bob@example.com", "email_send", "2024-06-10 08:00:00", "spring"],
        ["nobody@example.com", "email_send", "2024-06-10 08:00:00", "spring"],
    ],
    {"email": "email", "kind": "event_type", "ts": "timestamp", "campaign": "property"},
    kind="events",
)
RULES = rules(blocking=[block("email")], rules=[exact_rule("same email", "email")])
EVERYONE = Segment(name="Everyone")
GOLD = Segment(name="Gold", root=Group(conditions=[AttributeCondition(field="tier", value="gold")]))


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, RunReport]]:
    folder = tmp_path_factory.mktemp("members")
    project = Project.create(folder / "shop.wbproj")
    try:
        add_tables(project, folder, CRM, WEB, ORDERS, MAILS)
        yield project, run(project, RULES)
    finally:
        project.close()


def _pid(shop: tuple[Project, RunReport], source: str, record: str) -> str:
    project, report = shop
    return profile_of(project, report.run_id)[(source, record)]


# ----------------------------------------------------------------------------- pages
def test_default_columns_are_names_email_and_attributes(shop: tuple[Project, RunReport]) -> None:
    page = members_page(shop[0], GOLD, as_of=AS_OF)
    assert page.columns == ["profile_id", "first_name", "last_name", "email", "joined", "tier"]
    assert page.total == 2
    ann, hugo = _pid(shop, "crm", "c1"), _pid(shop, "crm", "c4")
    by_id = {row[0]: row for row in page.rows}
    assert set(by_id) == {ann, hugo}
    assert by_id[ann][1:] == ("Ann", "Lee", "ann@example.com", dt.date(2021, 3, 1), "gold")
    assert [row[0] for row in page.rows] == sorted(by_id)  # by profile id by default


def test_pages_are_sorted_by_a_column_with_empties_last(shop: tuple[Project, RunReport]) -> None:
    project = shop[0]
    first = members_page(
        project, EVERYONE, as_of=AS_OF, columns=["first_name", "tier"], sort="tier", limit=2
    )
    assert first.total == 4
    assert sorted(first.rows) == [("Ann", "gold"), ("Hugo", "gold")]  # a tie: id order
    rest = members_page(
        project,
        EVERYONE,
        as_of=AS_OF,
        columns=["first_name", "tier"],
        sort="tier",
        offset=2,
        limit=2,
    )
    assert rest.rows == [("Omar", "silver"), ("Cleo", None)]
    assert rest.offset == 2
    newest = members_page(
        project, EVERYONE, as_of=AS_OF, columns=["first_name"], sort="joined", descending=True
    )
    assert [r[0] for r in newest.rows] == ["Hugo", "Omar", "Ann", "Cleo"]


def test_a_page_past_the_end_still_knows_the_total(shop: tuple[Project, RunReport]) -> None:
    page = members_page(shop[0], GOLD, as_of=AS_OF, offset=10)
    assert page.rows == []
    assert page.total == 2


def test_unknown_columns_are_named(shop: tuple[Project, RunReport]) -> None:
    with pytest.raises(SegmentError, match="no column 'colour'"):
        members_page(shop[0], GOLD, as_of=AS_OF, columns=["profile_id", "colour"])
    with pytest.raises(SegmentError, match="sort: profiles have no column 'x\"y'"):
        members_page(shop[0], GOLD, as_of=AS_OF, sort='x"y')


# --------------------------------------------------------------------------- profile
def test_profile_detail_merges_every_source_record(shop: tuple[Project, RunReport]) -> None:
    project, report = shop
    ann = _pid(shop, "crm", "c1")
    detail = profile_detail(project, ann)
    assert detail.run_id == report.run_id
    assert detail.current
    assert detail.sources == ["crm", "web"]
    assert detail.attributes["tier"] == "gold"
    assert detail.attributes["email"] == "ann@example.com"
    assert detail.attributes["records"] == 2
    assert [(r.source, r.record_id, r.found) for r in detail.records] == [
        ("crm", "c1", True),
        ("web", "w1", True),
    ]
    web = detail.records[1]
    # Raw values as imported, under the file's own column names, with their roles.
    assert [(f.original_name, f.role, f.value) for f in web.fields] == [
        ("id", "record_id", "w1"),
        ("Email Address", "email", "ANN@Example.com"),
        ("cookie_id", "cookie_id", "ck-1"),
    ]
    assert detail.records[0].values()["tier"] == "gold"


def test_profile_detail_has_a_timeline_newest_first(shop: tuple[Project, RunReport]) -> None:
    detail = profile_detail(shop[0], _pid(shop, "crm", "c1"))
    assert [(e.ts, e.event_type) for e in detail.events] == [
        (dt.datetime(2024, 6, 20, 9, 0), "purchase"),
        (dt.datetime(2024, 6, 10, 9, 5), "email_click"),
        (dt.datetime(2024, 6, 10, 9, 0), "email_open"),  # linked through "ANN@example.com"
        (dt.datetime(2024, 6, 10, 8, 0), "email_send"),
        (dt.datetime(2024, 6, 1, 10, 0), "purchase"),
    ]
    assert detail.events[0].value == 50
    assert detail.events[0].properties == {"order_ref": "o2"}
    assert detail.events[1].properties == {"campaign": "spring"}
    assert detail.event_counts == {
        "purchase": 2,
        "email_click": 1,
        "email_open": 1,
        "email_send": 1,
    }
    assert detail.events_total == 5
    assert detail.first_seen == dt.datetime(2024, 6, 1, 10, 0)
    assert detail.last_seen == dt.datetime(2024, 6, 20, 9, 0)


def test_the_timeline_is_limited_but_counts_are_not(shop: tuple[Project, RunReport]) -> None:
    detail = profile_detail(shop[0], _pid(shop, "crm", "c1"), events_limit=2)
    assert [e.event_type for e in detail.events] == ["purchase", "email_click"]
    assert detail.events_total == 5


def test_a_profile_without_events(shop: tuple[Project, RunReport]) -> None:
    detail = profile_detail(shop[0], _pid(shop, "crm", "c3"))
    assert detail.events == []
    assert detail.event_counts == {}
    assert detail.first_seen is None
    assert detail.last_seen is None
    assert detail.attributes["tier"] is None


def test_unknown_profile_and_run(shop: tuple[Project, RunReport]) -> None:
    with pytest.raises(SegmentError, match="no profile 'nope'"):
        profile_detail(shop[0], "nope")
    with pytest.raises(Exception, match="no identity run 'zzz'"):
        profile_detail(shop[0], _pid(shop, "crm", "c1"), run_id="zzz")


def test_an_older_run_shows_records_but_not_current_data(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "two_runs.wbproj")
    try:
        add_tables(project, tmp_path, CRM, WEB, ORDERS)
        first = run(project, RULES)
        by_id = rules(blocking=[block("customer_id")], rules=[exact_rule("id", "customer_id")])
        run(project, by_id)  # splits Ann's two records: the first run is no longer current
        ann = profile_of(project, first.run_id)[("crm", "c1")]
        detail = profile_detail(project, ann, run_id=first.run_id)
        assert not detail.current
        assert [(r.source, r.record_id) for r in detail.records] == [("crm", "c1"), ("web", "w1")]
        assert detail.attributes == {}
        assert detail.events == []
    finally:
        project.close()


def test_a_record_whose_source_is_gone_is_marked(tmp_path: Path) -> None:
    from workbench.project.sources import remove_source

    project = Project.create(tmp_path / "removed.wbproj")
    try:
        add_tables(project, tmp_path, CRM, WEB)
        report = run(project, RULES)
        ann = profile_of(project, report.run_id)[("crm", "c1")]
        remove_source(project, "web")
        detail = profile_detail(project, ann)
        assert [(r.source, r.found) for r in detail.records] == [("crm", True), ("web", False)]
        assert detail.records[1].fields == []
    finally:
        project.close()


def test_on_generated_data_pages_cover_the_members(sample_project: Project) -> None:
    gold = Segment(
        name="Gold",
        root=Group(conditions=[AttributeCondition(field="loyalty_tier", value="Gold")]),
    )
    expected = member_ids(sample_project, gold)
    first = members_page(sample_project, gold, limit=7)
    rest = members_page(sample_project, gold, offset=7, limit=len(expected))
    assert first.total == rest.total == len(expected) > 7
    assert [r[0] for r in first.rows + rest.rows] == expected
    detail = profile_detail(sample_project, expected[0])
    assert detail.attributes["loyalty_tier"] == "Gold"
    assert len(detail.records) == detail.attributes["records"]
    assert all(r.found for r in detail.records)


# ------------------------------------------------------------------ pages of one evaluation
def _execute(project: Project, sql: str) -> None:
    cur = project.cursor()
    try:
        cur.execute(sql)
    finally:
        cur.close()


def test_later_pages_reuse_the_first_pages_evaluation(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "shop.wbproj")
    try:
        add_tables(project, tmp_path, CRM, WEB, ORDERS, MAILS)
        run(project, RULES)
        first = members_page(project, GOLD, as_of=AS_OF, columns=["first_name"], limit=1)
        assert (first.rows, first.total) == ([("Ann",)], 2)
        # Changed behind the engine's back (same run): the kept order still answers...
        _execute(project, "UPDATE main.profiles SET tier = 'gold' WHERE tier = 'silver'")
        second = members_page(project, GOLD, as_of=AS_OF, columns=["first_name"], offset=1)
        assert (second.rows, second.total) == ([("Hugo",)], 2)
        # ...until the kept orders are forgotten; another order is evaluated afresh.
        by_name = members_page(
            project, GOLD, as_of=AS_OF, columns=["first_name"], sort="first_name"
        )
        assert [r[0] for r in by_name.rows] == ["Ann", "Hugo", "Omar"]
        clear_cache()
        assert members_page(project, GOLD, as_of=AS_OF, offset=1).total == 3
    finally:
        project.close()


def test_pages_follow_changes_to_referenced_segments_and_new_runs(tmp_path: Path) -> None:
    project = Project.create(tmp_path / "shop.wbproj")
    try:
        add_tables(project, tmp_path, CRM, WEB, ORDERS, MAILS)
        run(project, RULES)
        save_segment(project, GOLD.model_copy(update={"name": "Tier"}))
        ref = Segment(name="Ref", root=Group(conditions=[SegmentCondition(segment="Tier")]))
        names = lambda: [r[1] for r in members_page(project, ref, as_of=AS_OF).rows]  # noqa: E731
        assert sorted(names()) == ["Ann", "Hugo"]
        silver = AttributeCondition(field="tier", value="silver")
        save_segment(project, Segment(name="Tier", root=Group(conditions=[silver])))
        assert names() == ["Omar"]
        report = run(project, RULES)  # a new run: new profile rows, the same members
        assert names() == ["Omar"]
        assert (
            members_page(project, ref, as_of=AS_OF).rows[0][0]
            == profile_of(project, report.run_id)[("crm", "c2")]
        )
    finally:
        project.close()


def test_kept_orders_are_bounded() -> None:
    member_order.clear()
    try:
        for i in range(member_order.MAX_ENTRIES + 3):
            member_order.remember(("test", i), np.arange(10, dtype=np.int64))
        assert member_order.cached(("test", 0)) is None
        assert member_order.cached(("test", member_order.MAX_ENTRIES + 2)) is not None
        half = member_order.MAX_ROWS // 2 + 1
        member_order.remember(("big", 1), np.zeros(half, dtype=np.int64))
        member_order.remember(("big", 2), np.zeros(half, dtype=np.int64))
        assert member_order.cached(("big", 1)) is None  # over the bound: the oldest goes
        assert member_order.cached(("big", 2)) is not None
        too_big = np.zeros(member_order.MAX_ROWS + 1, dtype=np.int64)
        member_order.remember(("big", 3), too_big)
        assert member_order.cached(("big", 3)) is None
    finally:
        member_order.clear()
