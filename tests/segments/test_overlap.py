"""Overlap of segments: the pairwise matrix and the exclusive / shared regions, on ten
hand-made profiles whose answers are counted by hand below."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.identity.builders import block, built_project, exact_rule, profiles_table, rules, run
from workbench.project import Project
from workbench.segments.compiler import CompiledSegment
from workbench.segments.errors import SegmentError
from workbench.segments.evaluate import count_segment, segment_sql
from workbench.segments.members import member_rows_sql
from workbench.segments.model import AttributeCondition, EventCondition, Group, Segment, Window
from workbench.segments.overlap import (
    exclusive_to,
    overlap_breakdown,
    overlap_matrix,
    shared_by_all,
)
from workbench.tasks import Cancelled, Task

AS_OF = dt.datetime(2024, 6, 30, 12, 0)

# id, region, tier: ten people, one record each (customer ids differ).
PEOPLE = profiles_table(
    "crm",
    "id,customer_id,region,tier",
    "1,C1,north,gold",
    "2,C2,north,silver",
    "3,C3,north,gold",
    "4,C4,south,gold",
    "5,C5,south,bronze",
    "6,C6,east,silver",
    "7,C7,east,gold",
    "8,C8,west,",
    "9,C9,north,bronze",
    "10,C10,south,silver",
    region="attribute",
    tier="attribute",
)
RULES = rules(blocking=[block("customer_id")], rules=[exact_rule("same id", "customer_id")])


def _is(field: str, value: str) -> AttributeCondition:
    return AttributeCondition(field=field, op="equals", value=value)


NORTH = Segment(name="North", root=Group(conditions=[_is("region", "north")]))  # 1 2 3 9
GOLD = Segment(name="Gold", root=Group(conditions=[_is("tier", "gold")]))  # 1 3 4 7
SILVER = Segment(name="Silver", root=Group(conditions=[_is("tier", "silver")]))  # 2 6 10
SOUTH_OR_BRONZE = Segment(  # 4 5 10 | 5 9
    name="South or bronze",
    root=Group(op="or", conditions=[_is("region", "south"), _is("tier", "bronze")]),
)
NOBODY = Segment(name="Nobody", root=Group(conditions=[_is("region", "nowhere")]))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with built_project(tmp_path_factory.mktemp("overlap"), PEOPLE) as proj:
        run(proj, RULES)
        yield proj


def test_the_matrix_counts_every_pair(project: Project) -> None:
    result = overlap_matrix(project, [NORTH, GOLD, SILVER, SOUTH_OR_BRONZE], as_of=AS_OF)
    assert result.names == ["North", "Gold", "Silver", "South or bronze"]
    assert result.sizes == [4, 4, 3, 4]
    assert result.counts == [
        [4, 2, 1, 1],  # North & Gold {1,3}, & Silver {2}, & South-or-bronze {9}
        [2, 4, 0, 1],  # Gold & South-or-bronze {4}
        [1, 0, 3, 1],  # Silver & South-or-bronze {10}
        [1, 1, 1, 4],
    ]
    assert result.profiles == 10
    assert result.as_of == AS_OF


def test_shares_of_row_column_profiles_and_union(project: Project) -> None:
    result = overlap_matrix(project, [NORTH, SILVER, NOBODY], as_of=AS_OF)
    assert result.share(0, 1, "row") == pytest.approx(1 / 4)
    assert result.share(0, 1, "column") == pytest.approx(1 / 3)
    assert result.share(0, 1, "profiles") == pytest.approx(1 / 10)
    assert result.share(0, 1, "union") == pytest.approx(1 / 6)  # {1,2,3,9} | {2,6,10}
    percent = result.percentages("row")
    assert percent[0] == pytest.approx([100.0, 25.0, 0.0])
    assert percent[2] == [None, None, None]  # an empty segment has no share of itself
    assert result.counts[2] == [0, 0, 0]


def test_the_same_segment_twice_overlaps_fully(project: Project) -> None:
    result = overlap_matrix(project, [GOLD, GOLD], as_of=AS_OF)
    assert result.counts == [[4, 4], [4, 4]]


def test_many_segments_beyond_one_byte_of_bits(project: Project) -> None:
    segments = [NORTH, GOLD, SILVER, SOUTH_OR_BRONZE, NOBODY] * 4  # 20 segments
    result = overlap_matrix(project, segments, as_of=AS_OF)
    assert len(result.counts) == 20
    assert result.counts[0][16] == 2  # North (index 0) with Gold (index 16)
    assert result.counts[19][19] == 0
    assert all(result.counts[i][j] == result.counts[j][i] for i in range(20) for j in range(20))


def test_breakdown_gives_every_region(project: Project) -> None:
    regions = overlap_breakdown(project, [NORTH, GOLD, SILVER], as_of=AS_OF)
    assert [(r.segments, r.count) for r in regions] == [
        (("North",), 1),  # 9
        (("Gold",), 2),  # 4 7
        (("Silver",), 2),  # 6 10
        (("North", "Gold"), 2),  # 1 3
        (("North", "Silver"), 1),  # 2
        (("Gold", "Silver"), 0),
        (("North", "Gold", "Silver"), 0),
    ]
    assert [r.exclusive for r in regions] == [True] * 3 + [False] * 4
    assert exclusive_to(regions, "Gold").count == 2
    assert shared_by_all(regions).segments == ("North", "Gold", "Silver")
    assert regions[3].share == pytest.approx(0.2)
    assert sum(r.count for r in regions) == 8  # everyone but 5 and 8


def test_breakdown_takes_two_to_six_segments(project: Project) -> None:
    with pytest.raises(SegmentError, match="2 to 6 segments, not 1"):
        overlap_breakdown(project, [NORTH], as_of=AS_OF)
    with pytest.raises(SegmentError, match="not 7"):
        overlap_breakdown(project, [NORTH] * 7, as_of=AS_OF)
    with pytest.raises(SegmentError, match="at least one segment"):
        overlap_matrix(project, [], as_of=AS_OF)


def test_progress_is_reported_and_cancel_stops(project: Project) -> None:
    seen: list[float] = []
    overlap_matrix(project, [NORTH, GOLD], as_of=AS_OF, task=Task(lambda f, _m: seen.append(f)))
    assert seen[-1] == 1.0
    assert seen == sorted(seen)

    def cancel_at_second(fraction: float, message: str) -> None:
        if message == "Members of Gold":
            task.cancel()

    task = Task(cancel_at_second)
    with pytest.raises(Cancelled):
        overlap_matrix(project, [NORTH, GOLD], as_of=AS_OF, task=task)


def test_member_rows_of_the_compiled_query_or_any_other_select(project: Project) -> None:
    compiled = segment_sql(project, GOLD, AS_OF)
    wrapped = CompiledSegment(f"SELECT profile_id FROM ({compiled.sql}) m", compiled.params)
    assert "IN (" not in member_rows_sql(compiled)  # read straight off the profiles frame
    assert "IN (" in member_rows_sql(wrapped)
    cur = project.cursor()
    try:
        gold = {
            r
            for (r,) in cur.execute(
                "SELECT rowid FROM main.profiles WHERE customer_id IN ('C1', 'C3', 'C4', 'C7')"
            ).fetchall()
        }
        for query in (compiled, wrapped):
            rows = cur.execute(member_rows_sql(query), query.params).fetchall()
            assert {r for (r,) in rows} == gold
    finally:
        cur.close()


def _both(*segments: Segment) -> Segment:
    return Segment(
        name=" & ".join(s.name for s in segments), root=Group(conditions=[s.root for s in segments])
    )


def test_on_generated_data_every_cell_is_the_count_of_both(sample_project: Project) -> None:
    """The numpy pair counts agree with the engine counting "A and B" in SQL."""
    bought = Segment(
        name="Bought in 90 days",
        root=Group(
            conditions=[
                EventCondition(event_type="purchase", window=Window(kind="last_days", days=90))
            ]
        ),
    )
    opened = Segment(
        name="Opened in 30 days",
        root=Group(
            conditions=[
                EventCondition(event_type="email_open", window=Window(kind="last_days", days=30))
            ]
        ),
    )
    tier = Segment(
        name="Gold or platinum",
        root=Group(
            conditions=[
                AttributeCondition(field="loyalty_tier", op="in", values=["Gold", "Platinum"])
            ]
        ),
    )
    segments = [bought, opened, tier]
    result = overlap_matrix(sample_project, segments)
    for i, a in enumerate(segments):
        for j, b in enumerate(segments):
            expected = count_segment(sample_project, _both(a, b), as_of=result.as_of).members
            assert result.counts[i][j] == expected, (a.name, b.name)
    assert result.sizes[0] > 0
    assert result.counts[0][1] > 0
    regions = {r.segments: r.count for r in overlap_breakdown(sample_project, segments)}
    all_three = count_segment(sample_project, _both(*segments), as_of=result.as_of).members
    assert regions[("Bought in 90 days", "Opened in 30 days", "Gold or platinum")] == all_three
    assert regions[("Bought in 90 days",)] == (
        result.sizes[0] - result.counts[0][1] - result.counts[0][2] + all_three
    )


def test_the_matrix_of_a_few_segments_carries_their_regions(project: Project) -> None:
    few = overlap_matrix(project, [NORTH, GOLD, SILVER], as_of=AS_OF)
    assert few.regions == overlap_breakdown(project, [NORTH, GOLD, SILVER], as_of=AS_OF)
    assert overlap_matrix(project, [NORTH], as_of=AS_OF).regions == []
    assert overlap_matrix(project, [NORTH] * 7, as_of=AS_OF).regions == []
