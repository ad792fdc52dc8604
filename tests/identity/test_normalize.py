"""Normalisers, run as SQL on real DuckDB: each family of inputs comes out in one form."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import duckdb

from tests.identity.builders import add_tables, block, exact_rule, profiles_table, query, rules, run
from workbench.identity.nicknames import nickname_pairs
from workbench.identity.normalize import DEFAULT_NORMALIZERS, apply
from workbench.project import Project


def normalise(values: Sequence[str | None], names: list[str]) -> list[str | None]:
    """Each value through ``apply(..., names)`` in one query on a fresh in-memory database."""
    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t (i INTEGER, v VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
        rows = con.execute(f"SELECT {apply('v', names)} FROM t ORDER BY i").fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def assert_table(cases: list[tuple[str | None, str | None]], names: list[str]) -> None:
    got = normalise([given for given, _ in cases], names)
    assert list(zip([g for g, _ in cases], got, strict=True)) == cases


EMAIL = DEFAULT_NORMALIZERS["email"]


def test_email_case_whitespace_and_mailto() -> None:
    assert_table(
        [
            ("Ann.Lee@Example.COM", "ann.lee@example.com"),
            ("  ann.lee@example.com  ", "ann.lee@example.com"),
            ("mailto:Ann.Lee@example.com", "ann.lee@example.com"),
            ("MAILTO:ann.lee@example.com", "ann.lee@example.com"),
        ],
        EMAIL,
    )


def test_email_surrounded_by_tabs_or_line_breaks_is_kept() -> None:
    assert_table(
        [
            ("ann.lee@example.com\t", "ann.lee@example.com"),
            ("\tann@example.com\r\n", "ann@example.com"),
        ],
        EMAIL,
    )


def test_gmail_dots_and_tags_and_googlemail() -> None:
    assert_table(
        [
            ("John.Doe@gmail.com", "johndoe@gmail.com"),
            ("j.o.h.n.doe+newsletter@gmail.com", "johndoe@gmail.com"),
            ("john.doe@googlemail.com", "johndoe@gmail.com"),
            ("JohnDoe+shop@GoogleMail.com", "johndoe@gmail.com"),
        ],
        EMAIL,
    )


def test_tags_are_removed_for_every_domain_but_dots_only_for_gmail() -> None:
    assert_table(
        [
            ("ann+shop@example.com", "ann@example.com"),
            ("ann+a+b@example.com", "ann@example.com"),
            ("ann.lee+x@outlook.com", "ann.lee@outlook.com"),
            ("ann.lee@yahoo.com", "ann.lee@yahoo.com"),
        ],
        EMAIL,
    )


def test_invalid_or_empty_emails_become_null() -> None:
    assert_table(
        [
            ("not-an-email", None),
            ("ann@localhost", None),
            ("ann@@example.com", None),
            ("ann lee@example.com", None),
            ("", None),
            ("   ", None),
            (None, None),
        ],
        EMAIL,
    )


def test_phone_formats_of_one_number_agree() -> None:
    formats = ["(555) 123-4567", "+1 555 123 4567", "555.123.4567", "1-555-123-4567", "5551234567"]
    assert normalise(formats, ["phone"]) == ["5551234567"] * len(formats)


def test_phone_international_prefixes_agree() -> None:
    assert normalise(["+44 20 7946 0958", "0044 20 7946 0958"], ["phone"]) == [
        "442079460958",
        "442079460958",
    ]


def test_too_short_or_empty_phone_is_null() -> None:
    assert_table(
        [("12345", None), ("123-45", None), ("ext.", None), ("", None), (None, None)],
        ["phone"],
    )
    assert normalise(["123-4567"], ["phone"]) == ["1234567"]  # seven digits is enough


def test_dates_in_several_formats_become_iso() -> None:
    formats = [
        "1990-04-01",
        " 1990-04-01 ",
        "1990/04/01",
        "04/01/1990",
        "4/1/1990",
        "01.04.1990",
        "19900401",
        "01-Apr-1990",
        "Apr 01 1990",
        "1990-04-01 00:00:00",
    ]
    assert normalise(formats, ["date"]) == ["1990-04-01"] * len(formats)


def test_dates_that_are_not_dates_are_null() -> None:
    assert_table([("1990-02-30", None), ("not a date", None), ("", None)], ["date"])


def test_postcodes() -> None:
    assert_table(
        [
            ("12345-6789", "12345"),
            ("12345 6789", "12345"),
            ("123456789", "12345"),
            (" 02134 ", "02134"),
            ("sw1a 1aa", "SW1A1AA"),
        ],
        ["postcode"],
    )


def test_names_lose_case_accents_and_punctuation() -> None:
    assert_table(
        [
            ("  José ", "jose"),
            ("Zoë", "zoe"),
            ("François", "francois"),
            ("Nuñez", "nunez"),
            ("O'Brien", "obrien"),
            ("Mary-Ann", "maryann"),
            ("St. John", "stjohn"),
        ],
        DEFAULT_NORMALIZERS["last_name"],
    )


def test_letters_without_a_decomposition_are_transliterated_not_dropped() -> None:
    assert normalise(["Søren", "Łukasz", "Straße"], DEFAULT_NORMALIZERS["last_name"]) == [
        "soren",
        "lukasz",
        "strasse",
    ]


def test_full_names_and_streets_keep_words_apart() -> None:
    assert_table(
        [("  Anne   Marie  Lee ", "anne marie lee"), ("Renée\tDupont", "renee dupont")],
        DEFAULT_NORMALIZERS["full_name"],
    )


def _nickname_file() -> dict[str, set[str]]:
    """nickname -> canonical names, read straight from the packaged CSV."""
    text = resources.files("workbench.resources").joinpath("nicknames.csv").read_text("utf-8")
    out: dict[str, set[str]] = {}
    for row in csv.DictReader(text.splitlines()):
        for nick in row["nicknames"].split("|"):
            out.setdefault(nick.strip().lower(), set()).add(row["canonical"].strip().lower())
    return out


def test_nickname_table_leaves_out_ambiguous_nicknames() -> None:
    listed = _nickname_file()
    pairs = dict(nickname_pairs())
    ambiguous = {n for n, c in listed.items() if len(c) > 1}
    assert "steve" in ambiguous  # Steven and Stephen
    assert not ambiguous & set(pairs)
    assert pairs["bob"] == "robert"
    for nick, canonical in pairs.items():
        assert listed[nick] == {canonical}


def test_first_names_are_normalised_with_nicknames_when_records_are_built(
    project: Project, data_dir: Path
) -> None:
    add_tables(
        project,
        data_dir,
        profiles_table(
            "crm",
            "id,email,first_name,phone,dob,postcode",
            "1,Bob.Smith+x@GoogleMail.com, BOBBY ,(555) 123-4567,04/01/1990,12345-6789",
            "2,bsmith@example.com,Steve,+1 555 123 4567,1990-04-01,12345",
            "3,x@example.com,Bill,555.123.4567,01.04.1990,12345 6789",
            "4,y@example.com,Zoë,1234,19900401,",
        ),
    )
    run(project, rules(blocking=[block("email")], rules=[exact_rule("same email", "email")]))
    rows = query(
        project,
        "SELECT record_id, email, first_name, phone, dob, postcode FROM identity.records "
        "ORDER BY record_id",
    )
    assert rows == [
        ("1", "bobsmith@gmail.com", "robert", "5551234567", "1990-04-01", "12345"),
        ("2", "bsmith@example.com", "steve", "5551234567", "1990-04-01", "12345"),
        ("3", "x@example.com", "william", "5551234567", "1990-04-01", "12345"),
        ("4", "y@example.com", "zoe", None, "1990-04-01", None),
    ]


def test_full_name_gives_first_and_last_name(project: Project, data_dir: Path) -> None:
    add_tables(
        project,
        data_dir,
        profiles_table(
            "shop", "id,email,full_name", "1,a@example.com,Anne Marie Lee", "2,b@example.com,Cher"
        ),
    )
    run(project, rules(blocking=[block("email")], rules=[exact_rule("r", "first_name")]))
    assert query(
        project, "SELECT first_name, last_name FROM identity.records ORDER BY record_id"
    ) == [("anne", "lee"), ("cher", None)]


def test_a_rule_sets_own_normalizers_replace_the_defaults(project: Project, data_dir: Path) -> None:
    add_tables(
        project,
        data_dir,
        profiles_table("crm", "id,email,first_name", "1,John.Doe@Gmail.com,Bob"),
    )
    ruleset = rules(
        normalizers={"email": ["trim", "lower"], "first_name": ["lower"]},
        blocking=[block("email")],
        rules=[exact_rule("same email", "email")],
    )
    run(project, ruleset)
    assert query(project, "SELECT email, first_name FROM identity.records") == [
        ("john.doe@gmail.com", "bob")
    ]
