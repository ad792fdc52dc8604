"""When two groups of records cannot be one person: birth dates, first names, unique keys."""

from __future__ import annotations

import pytest

from workbench.identity.conflicts import Evidence, dobs_conflict, names_conflict


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        ("1990-04-01", "1990-04-01", False),  # same
        ("1990-04-01", "1990-04-07", False),  # one-digit typo in the day
        ("1990-04-01", "1980-04-01", False),  # one-digit typo in the year
        ("1990-04-07", "1990-07-04", False),  # day and month swapped
        ("1990-11-12", "1990-12-11", False),  # swapped, two digits differ
        ("1990-04-01", "1985-07-12", True),  # a different date
        ("1990-04-01", "1991-05-01", True),  # two edits in different parts
        ("1990-04-07", "1991-07-04", True),  # swapped but another year
    ],
)
def test_dobs_conflict(a: str, b: str, conflict: bool) -> None:
    assert dobs_conflict(a, b) is conflict
    assert dobs_conflict(b, a) is conflict


@pytest.mark.parametrize(
    ("a", "b", "conflict"),
    [
        (("robert", "stone"), ("robert", "stone"), False),  # Bob and Robert after nicknames
        (("john", "smith"), ("smith", "john"), False),  # first and last swapped
        (("j", "smith"), ("john", "smith"), False),  # an initial
        (("sam", "lee"), ("samantha", "lee"), False),  # a short form
        (("jon", "smith"), ("john", "smith"), False),  # a typo (Jaro-Winkler 0.93)
        (("catherine", "lee"), ("katherine", "lee"), False),  # a spelling variant
        (("john", "smith"), ("mary", "smith"), True),  # clearly different
        (("ann", "lee"), ("thomas", "lee"), True),
        ((None, "smith"), ("mary", "smith"), False),  # nothing to compare
        (("", "smith"), ("mary", "smith"), False),
    ],
)
def test_names_conflict(
    a: tuple[str | None, str | None], b: tuple[str | None, str | None], conflict: bool
) -> None:
    assert names_conflict(a, b) is conflict
    assert names_conflict(b, a) is conflict


def test_a_first_name_equal_to_the_other_last_name_is_not_a_swap() -> None:
    assert names_conflict(("james", "ryan"), ("ryan", "jones")) is True


def _evidence(**unique: set[str]) -> Evidence:
    return Evidence(unique=dict(unique))


def test_unique_keys_with_no_value_in_common_conflict() -> None:
    assert _evidence(customer_id={"C1"}).conflicts_with(_evidence(customer_id={"C2"})) == (
        "different customer_id"
    )


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ({"C1"}, {"C1"}),
        ({"C1", "C2"}, {"C2"}),  # a group already holding both shares one
        ({"C1"}, set()),
        ({"C1"}, None),  # the other group has no customer id at all
    ],
)
def test_unique_keys_that_share_a_value_or_are_missing_do_not_conflict(
    left: set[str], right: set[str] | None
) -> None:
    other = Evidence() if right is None else _evidence(customer_id=right)
    assert _evidence(customer_id=left).conflicts_with(other) is None
    assert other.conflicts_with(_evidence(customer_id=left)) is None


def test_other_unique_keys_do_not_interfere() -> None:
    a = _evidence(customer_id={"C1"}, national_id={"111"})
    b = _evidence(customer_id={"C1"}, national_id={"222"})
    assert a.conflicts_with(b) == "different national_id"


def test_evidence_conflicts_on_dob_and_first_name() -> None:
    ann = Evidence(dobs={"1980-01-01"}, names={("ann", "smith")})
    tom = Evidence(dobs={"1970-03-03"}, names={("thomas", "smith")})
    no_dob_tom = Evidence(names={("thomas", "smith")})
    ann_typo = Evidence(dobs={"1980-01-07"}, names={("anne", "smith")})
    assert ann.conflicts_with(tom) == "different dob"
    assert ann.conflicts_with(no_dob_tom) == "different first_name"
    assert ann.conflicts_with(ann_typo) is None
    assert ann.conflicts_with(Evidence()) is None


def test_merged_evidence_keeps_every_value_and_the_size() -> None:
    a = Evidence(dobs={"1980-01-01"}, names={("ann", None)}, unique={"customer_id": {"C1"}})
    b = Evidence(dobs={"1980-01-07"}, unique={"customer_id": {"C2"}, "national_id": {"9"}})
    a.merge(b)
    assert a.dobs == {"1980-01-01", "1980-01-07"}
    assert a.unique == {"customer_id": {"C1", "C2"}, "national_id": {"9"}}
    assert a.size == 2
    # Once merged, a group conflicts with whatever conflicts with any of its parts.
    assert a.conflicts_with(Evidence(dobs={"1955-09-09"})) == "different dob"
    assert a.conflicts_with(_evidence(national_id={"8"})) == "different national_id"
