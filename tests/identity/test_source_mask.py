"""A profile's sources come from a bit mask, or from a list when there are too many."""

from __future__ import annotations

import duckdb
import pytest

from workbench.identity.profiles import _source_counts, _sources_mask


@pytest.mark.parametrize("n_sources", [3, 70])
def test_mask_and_list_paths_give_the_sources_of_each_group(n_sources: int) -> None:
    sources = [f"s{i:02d}" for i in range(n_sources)]
    rank = "CASE r.source " + " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(sources))
    rank += f" ELSE {n_sources} END"
    con = duckdb.connect()
    con.execute("CREATE TABLE r (label INTEGER, source VARCHAR)")
    con.execute("INSERT INTO r VALUES (1, 's02'), (1, 's00'), (1, 's02'), (2, 's01'), (3, 's00')")
    count, names = _source_counts("m", sources)
    rows = con.execute(
        f"SELECT label, {count}, {names} FROM (SELECT label, {_sources_mask(rank, n_sources)} "
        "AS m FROM r GROUP BY label) ORDER BY label"
    ).fetchall()
    assert rows == [(1, 2, ["s00", "s02"]), (2, 1, ["s01"]), (3, 1, ["s00"])]
