"""Nickname table for first names, loaded into DuckDB for the ``nickname`` normaliser."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import duckdb

from workbench.identity.normalize import NICKNAME_TABLE


@cache
def nickname_pairs() -> tuple[tuple[str, str], ...]:
    """(nickname, canonical) in lower case. A nickname of several names (Sam: Samuel,
    Samantha) is left as it is: mapping it to one would invent a conflict with the other."""
    text = resources.files("workbench.resources").joinpath("nicknames.csv").read_text("utf-8")
    seen: dict[str, set[str]] = {}
    for row in csv.DictReader(text.splitlines()):
        canonical = row["canonical"].strip().lower()
        for raw in row["nicknames"].split("|"):
            nick = raw.strip().lower()
            if nick and nick != canonical:
                seen.setdefault(nick, set()).add(canonical)
    return tuple(sorted((n, next(iter(c))) for n, c in seen.items() if len(c) == 1))


def install(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute(f"CREATE OR REPLACE TEMP TABLE {NICKNAME_TABLE} (nick VARCHAR, canonical VARCHAR)")
    cur.executemany(f"INSERT INTO {NICKNAME_TABLE} VALUES (?, ?)", list(nickname_pairs()))
