"""Comparison methods as tables of inputs and expected results, on real DuckDB."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import duckdb
import pytest

from tests.identity.builders import add_tables, block, groups, partition, profiles_table, rules, run
from workbench.identity import comparisons
from workbench.identity.comparisons import NULL_LEVEL, holds, level_label, level_sql, soundex
from workbench.identity.ruleset import FieldModel, Level, MatchRule
from workbench.project import Project

Pair = tuple[str | None, str | None]


def _evaluate(pairs: Sequence[Pair], expression: str) -> list:
    """``expression`` over l.x and r.x for each pair, in order."""
    con = duckdb.connect()
    try:
        comparisons.register_functions(con)  # what resolve registers for the phonetic method
        con.execute("CREATE TABLE t (i INTEGER, a VARCHAR, b VARCHAR)")
        con.executemany(
            "INSERT INTO t VALUES (?, ?, ?)", [(i, a, b) for i, (a, b) in enumerate(pairs)]
        )
        rows = con.execute(
            f"SELECT {expression} FROM (SELECT i, a AS x FROM t) l "
            "JOIN (SELECT i, b AS x FROM t) r USING (i) ORDER BY i"
        ).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def check(
    method: str, threshold: float | None, cases: list[tuple[str | None, str | None, bool]]
) -> None:
    got = _evaluate(
        [(a, b) for a, b, _ in cases], f"coalesce({holds('x', method, threshold)}, false)"
    )
    assert [(a, b, g) for (a, b, _), g in zip(cases, got, strict=True)] == cases


@pytest.mark.parametrize("method", ["exact", "normalized"])
def test_exact(method: str) -> None:
    check(
        method,
        None,
        [
            ("ann@example.com", "ann@example.com", True),
            ("ann@example.com", "ann@example.org", False),
            ("Ann", "ann", False),  # comparisons see normalised values; case is not folded here
            (None, "ann", False),
            (None, None, False),  # two missing values are not agreement
        ],
    )


def test_jaro_winkler_threshold() -> None:
    # Reference values from Winkler (1990): MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.840,
    # DIXON/DICKSONX 0.813.
    check(
        "jaro_winkler",
        0.83,
        [
            ("martha", "marhta", True),
            ("dwayne", "duane", True),
            ("dixon", "dicksonx", False),
            ("martha", "martha", True),
            ("martha", None, False),
        ],
    )
    check("jaro_winkler", 0.95, [("martha", "marhta", True), ("dwayne", "duane", False)])


def test_levenshtein_distance_at_most_threshold() -> None:
    # kitten -> sitting is 3 edits; flaw -> lawn is 2.
    check(
        "levenshtein", 2, [("kitten", "sitting", False), ("flaw", "lawn", True), ("a", None, False)]
    )
    check("levenshtein", 3, [("kitten", "sitting", True)])
    check("levenshtein", 0, [("same", "same", True), ("same", "sane", False)])


def test_token_set_share_of_shared_words() -> None:
    check(
        "token_set",
        0.6,
        [
            ("john smith", "smith john", True),  # 2 of 2 words
            ("john a smith", "smith john", True),  # 2 of 3
            ("john smith", "john jones", False),  # 1 of 3
            ("john", None, False),
        ],
    )
    check("token_set", 0.7, [("john a smith", "smith john", False), ("a b", "b a a", True)])


def test_date_tolerance_in_days() -> None:
    check(
        "date",
        3,
        [
            ("1990-01-01", "1990-01-04", True),
            ("1990-01-01", "1989-12-29", True),  # across a year boundary, either direction
            ("1990-01-01", "1990-01-05", False),
            ("1990-01-01", "not a date", False),
            ("1990-01-01", None, False),
        ],
    )
    check("date", 0, [("1990-01-01", "1990-01-01", True), ("1990-01-01", "1990-01-02", False)])


def test_number_tolerance() -> None:
    check(
        "number",
        1.5,
        [
            ("10.5", "12", True),
            ("12", "10.5", True),
            ("10", "11.6", False),
            ("10", "ten", False),
            ("10", None, False),
        ],
    )


def test_phonetic_soundex_agreement() -> None:
    check(
        "phonetic",
        None,
        [
            ("robert", "rupert", True),
            ("ashcraft", "ashcroft", True),
            ("robert", "rubin", False),
            ("smith", "smyth", True),
            ("robert", None, False),
        ],
    )


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Robert", "R163"),
        ("Rupert", "R163"),
        ("Rubin", "R150"),
        ("Ashcraft", "A261"),  # s and c separated by h are coded once
        ("Ashcroft", "A261"),
        ("Tymczak", "T522"),  # c and z adjacent (one code); k after a vowel coded again
        ("Pfister", "P236"),  # f has the first letter's code and is skipped
        ("Honeyman", "H555"),
        ("Jackson", "J250"),
        ("Washington", "W252"),
        ("Lee", "L000"),
        ("Gutierrez", "G362"),
        ("O'Brien", "O165"),
        ("tymczak", "T522"),
    ],
)
def test_soundex_matches_the_standard_american_soundex(name: str, code: str) -> None:
    assert soundex(name) == code


@pytest.mark.parametrize("name", [None, "", "123", "--"])
def test_soundex_of_no_letters_is_none(name: str | None) -> None:
    assert soundex(name) is None


FIRST_NAME = FieldModel(
    field="x",
    levels=[
        Level(method="exact"),
        Level(method="jaro_winkler", threshold=0.9),
        Level(method="jaro_winkler", threshold=0.8),
    ],
)


def test_level_sql_gives_the_first_level_that_holds() -> None:
    pairs: list[Pair] = [
        ("martha", "martha"),  # exact
        ("martha", "marhta"),  # 0.961
        ("dwayne", "duane"),  # 0.840
        ("martha", "john"),  # none
        (None, "martha"),
        ("martha", None),
    ]
    assert _evaluate(pairs, level_sql(FIRST_NAME)) == [0, 1, 2, 3, NULL_LEVEL, NULL_LEVEL]


def test_level_labels() -> None:
    levels = FIRST_NAME.levels
    assert [level_label(levels, c) for c in (NULL_LEVEL, 0, 1, 2, 3)] == [
        "missing",
        "exact",
        "jaro_winkler ≥ 0.9",
        "jaro_winkler ≥ 0.8",
        "different",
    ]
    assert level_label([Level(method="levenshtein", threshold=1)], 0) == "levenshtein ≤ 1"


def test_rule_sql_is_an_and_of_its_comparisons() -> None:
    rule = MatchRule.model_validate(
        {
            "name": "r",
            "comparisons": [
                {"field": "x", "method": "jaro_winkler", "threshold": 0.9},
                {"field": "x", "method": "levenshtein", "threshold": 1},
            ],
        }
    )
    # martha/marhta: similar (0.961) but two edits apart; marta/martha: both hold.
    assert _evaluate(
        [("martha", "marhta"), ("marta", "martha"), (None, "x")], comparisons.rule_sql(rule)
    ) == [False, True, False]


def test_phonetic_rule_runs_in_a_project(project: Project, data_dir: Path) -> None:
    add_tables(
        project,
        data_dir,
        profiles_table(
            "crm",
            "id,email,first_name,last_name",
            "1,a@example.com,Robert,Stone",
            "2,b@example.com,Rupert,Stone",
            "3,c@example.com,Rubin,Stone",
        ),
    )
    ruleset = rules(
        blocking=[block("last_name")],
        rules=[
            {
                "name": "sounds alike",
                "comparisons": [
                    {"field": "first_name", "method": "phonetic"},
                    {"field": "last_name", "method": "exact"},
                ],
            }
        ],
    )
    report = run(project, ruleset)
    assert groups(project, report.run_id) == partition(["crm:1", "crm:2"], ["crm:3"])
