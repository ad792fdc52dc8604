"""Clustering: strongest matches first, conflicts refused, and a result that does not
depend on the order the database happens to return the matches in."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.identity.clustering import cluster
from workbench.tasks import null_task

# Ann and Tom share a household e-mail with a third record that has neither name nor dob.
HOUSEHOLD = pd.DataFrame(
    {
        "dob": ["1980-02-02", "1970-03-03", None],
        "first_name": ["ann", "thomas", None],
        "last_name": ["smith", "smith", None],
    }
)


def _partition(
    edges: list[tuple[int, int, float]], attributes: pd.DataFrame = HOUSEHOLD
) -> set[frozenset[int]]:
    a, b, score = (np.array(column) for column in zip(*edges, strict=True))
    result = cluster(len(attributes), a, b, score, attributes, [], None, null_task())
    found: dict[int, set[int]] = {}
    for rec, label in enumerate(result.labels.tolist()):
        found.setdefault(label, set()).add(rec)
    return {frozenset(g) for g in found.values()}


@pytest.mark.parametrize(
    "edges",
    [[(0, 2, 1.0), (1, 2, 2.0)], [(1, 2, 2.0), (0, 2, 1.0)]],
)
def test_the_stronger_match_wins_in_either_order(edges: list[tuple[int, int, float]]) -> None:
    assert _partition(edges) == {frozenset({1, 2}), frozenset({0})}


@pytest.mark.parametrize(
    "edges",
    [
        [(0, 2, 1.0), (1, 2, 1.0), (0, 1, 1.0)],
        [(1, 2, 1.0), (0, 1, 1.0), (0, 2, 1.0)],
        [(0, 1, 1.0), (1, 2, 1.0), (0, 2, 1.0)],
    ],
)
def test_conflicting_records_stay_apart_in_any_order(edges: list[tuple[int, int, float]]) -> None:
    found = _partition(edges)
    assert len(found) == 2
    assert not any({0, 1} <= g for g in found)


def test_components_without_conflicts_are_kept_whole() -> None:
    attributes = pd.DataFrame(
        {"dob": [None] * 5, "first_name": ["ann", "ann", None, "bo", None], "last_name": [None] * 5}
    )
    found = _partition([(0, 1, 5.0), (1, 2, 1.0), (3, 4, 1.0)], attributes)
    assert found == {frozenset({0, 1, 2}), frozenset({3, 4})}


def test_tied_matches_give_the_same_profiles_in_any_order() -> None:
    assert _partition([(0, 2, 1.0), (1, 2, 1.0)]) == _partition([(1, 2, 1.0), (0, 2, 1.0)])
