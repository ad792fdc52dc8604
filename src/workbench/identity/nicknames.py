"""Nickname table for first names, loaded into DuckDB for the ``nickname`` normaliser."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import duckdb

from workbench.identity.normalize import NICKNAME_TABLE


@cache
def nickname_pairs() -> tuple[tuple[str, str], ...]:
    """(nickname, canonical) in lower case; an ambiguous nickname keeps its first canonical."""
    text = resources.files("workbench.resources").joinpath("nicknames.csv").read_text("utf-8")
    seen: dict[str, str] = {}
    for row in csv.DictReader(text.splitlines()):
        canonical = row["canonical"].strip().lower()
        for nick in row["nicknames"].split("|"):
            nick = nick.strip().lower()
            if nick and nick != canonical and nick not in seen:
                seen[nick] = canonical
    return tuple(sorted(seen.items()))


def install(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute(f"CREATE OR REPLACE TEMP TABLE {NICKNAME_TABLE} (nick VARCHAR, canonical VARCHAR)")
    cur.executemany(f"INSERT INTO {NICKNAME_TABLE} VALUES (?, ?)", list(nickname_pairs()))
