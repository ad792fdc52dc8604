"""The profiles table (one golden row per person) and events linked to profiles by key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import import_events
from tests.identity.builders import (
    Table,
    add_tables,
    block,
    built_project,
    exact_rule,
    profile_of,
    profiles_table,
    query,
    rules,
    run,
)
from workbench.identity.pipeline import RunReport
from workbench.project import Project
from workbench.project.sources import remove_source

CRM = profiles_table(
    "crm",
    "id,email,customer_id,first_name,last_name,city,dob,device_id",
    "c1,ann@example.com,C1,Ann,Lee,Leeds,1980-01-01,",
    "c2,ann@example.com,C1,Ann,Lee,leeds,,",
    "c3,smiths@example.com,C3,Ann,Smith,York,1980-02-02,",
    "c4,smiths@example.com,C4,Tom,Smith,York,1970-03-03,",
    "c5,bob@example.com,C5,Bob,Stone,Hull,,ABC-1",
)
WEB = profiles_table(
    "web",
    "id,email,first_name,last_name,city,cookie_id",
    "w1,ann@example.com,Anne,Lee,York,ck-1",
    "w3,smiths@example.com,Ann,Smith,,ck-3",
    "w5,bob@example.com,Robert,Stone,Leeds,",
)


def _events(name: str, key: str, rows: list[tuple[str, str]]) -> Table:
    """An events table: (key value, reference) per event, with a timestamp and an amount."""
    return Table(
        name,
        [key, "ref", "ts", "amount"],
        [[k, ref, f"2024-01-{i + 1:02d} 10:00:00", str(i)] for i, (k, ref) in enumerate(rows)],
        {key: key, "ref": "property", "ts": "timestamp", "amount": "value"},
        kind="events",
        event_type=name,
    )


ORDERS = _events("orders", "customer_id", [("C1", "o1"), (" C5 ", "o2"), ("C9", "o3"), ("", "o4")])
MAILS = _events(
    "mails",
    "email",
    [("ANN@Example.com", "m1"), ("smiths@example.com", "m2"), ("nobody@example.com", "m3")],
)
CLICKS = _events("clicks", "cookie_id", [("ck-1", "k1"), ("ck-3", "k2"), ("CK-1", "k3")])
SESSIONS = _events("sessions", "device_id", [(" abc-1 ", "s1"), ("xyz", "s2")])

RULES = rules(
    blocking=[block("email"), block("last_name")],
    rules=[
        exact_rule("same email", "email"),
        exact_rule("same name", "first_name", "last_name"),
    ],
    guardrails={"conflict_fields": ["dob", "first_name"]},
)


@pytest.fixture(scope="module")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Project, RunReport]]:
    """Resolved once for the tests that only read the result."""
    folder = tmp_path_factory.mktemp("profiles")
    with built_project(folder, CRM, WEB, ORDERS, MAILS, CLICKS, SESSIONS) as project:
        yield project, run(project, RULES)


def _pid(project: Project, report: RunReport, source: str, record: str) -> str:
    return profile_of(project, report.run_id)[(source, record)]


def test_one_row_per_profile(resolved: tuple[Project, RunReport]) -> None:
    project, report = resolved
    rows = query(
        project,
        "SELECT profile_id, records, sources, source_names FROM main.profiles ORDER BY profile_id",
    )
    clusters = profile_of(project, report.run_id)
    expected = {}
    for (source, _), pid in clusters.items():
        n, names = expected.get(pid, (0, set()))
        expected[pid] = (n + 1, names | {source})
    assert {r[0]: (r[1], set(r[3])) for r in rows} == expected
    assert all(r[2] == len(r[3]) for r in rows)
    assert len(rows) == report.profiles == 4  # ann, ann smith, tom smith, bob


def test_golden_values_are_the_most_frequent(resolved: tuple[Project, RunReport]) -> None:
    project, report = resolved
    golden = {
        r[0]: r[1:]
        for r in query(
            project, "SELECT profile_id, first_name, last_name, city, dob, email FROM main.profiles"
        )
    }
    # Ann Lee: Ann x2 / Anne x1, Leeds x2 (any case) / York x1.
    assert golden[_pid(project, report, "crm", "c1")] == (
        "Ann",
        "Lee",
        "Leeds",
        "1980-01-01",
        "ann@example.com",
    )
    # Bob and Robert are one first name after nicknames.
    assert golden[_pid(project, report, "crm", "c5")][:2] == ("Robert", "Stone")


def test_a_tie_goes_to_the_source_first_in_priority(project: Project, data_dir: Path) -> None:
    add_tables(project, data_dir, CRM, WEB)
    bob = RULES.model_copy(deep=True)
    by_default = run(project, bob)  # unlisted sources in name order: crm before web
    pid = _pid(project, by_default, "crm", "c5")
    assert query(project, "SELECT city FROM main.profiles WHERE profile_id = ?", [pid]) == [
        ("Hull",)
    ]
    bob.source_priority = ["web", "crm"]
    web_first = run(project, bob)
    pid = _pid(project, web_first, "crm", "c5")
    assert query(project, "SELECT city FROM main.profiles WHERE profile_id = ?", [pid]) == [
        ("Leeds",)
    ]


def test_source_priority_survivorship_beats_frequency(project: Project, data_dir: Path) -> None:
    add_tables(project, data_dir, CRM, WEB)
    ruleset = RULES.model_copy(deep=True)
    ruleset.source_priority = ["web"]
    ruleset.survivorship = {"city": "source_priority"}
    report = run(project, ruleset)
    pid = _pid(project, report, "crm", "c1")
    # web says York once, crm says Leeds twice: the trusted source wins for city only;
    # first_name stays most frequent (Ann, not web's Anne).
    assert query(
        project, "SELECT city, first_name FROM main.profiles WHERE profile_id = ?", [pid]
    ) == [("York", "Ann")]


def _linked(project: Project, source: str) -> dict[str, str | None]:
    return dict(
        query(project, "SELECT ref, profile_id FROM main.events WHERE source = ?", [source])
    )


def test_events_link_to_the_profile_of_their_key(resolved: tuple[Project, RunReport]) -> None:
    project, report = resolved
    ann = _pid(project, report, "crm", "c1")
    ann_smith = _pid(project, report, "crm", "c3")
    bob = _pid(project, report, "crm", "c5")
    assert _pid(project, report, "crm", "c4") != ann_smith  # the household is two people
    assert _linked(project, "orders") == {"o1": ann, "o2": bob, "o3": None, "o4": None}
    # A household e-mail links to the profile with the most records holding it.
    assert _linked(project, "mails") == {"m1": ann, "m2": ann_smith, "m3": None}
    assert _linked(project, "clicks") == {"k1": ann, "k2": ann_smith, "k3": None}
    assert _linked(project, "sessions") == {"s1": bob, "s2": None}
    assert (report.events, report.linked_events) == (12, 7)


def test_events_keep_type_time_and_value(resolved: tuple[Project, RunReport]) -> None:
    project, _ = resolved
    rows = query(
        project,
        "SELECT event_type, CAST(ts AS VARCHAR), value FROM main.events WHERE ref = 'o2'",
    )
    assert rows == [("orders", "2024-01-02 10:00:00", 1.0)]


def test_an_event_links_through_its_second_key_when_the_first_is_empty(
    project: Project, data_dir: Path
) -> None:
    orders = Table(
        "orders",
        ["customer_id", "email", "ref", "ts"],
        [
            ["C1", "", "o1", "2024-01-01 10:00:00"],
            ["", "bob@example.com", "o2", "2024-01-02 10:00:00"],
        ],
        {"customer_id": "customer_id", "email": "email", "ref": "property", "ts": "timestamp"},
        kind="events",
        event_type="order",
    )
    add_tables(project, data_dir, CRM, WEB, orders)
    report = run(project, RULES)
    assert _linked(project, "orders") == {
        "o1": _pid(project, report, "crm", "c1"),
        "o2": _pid(project, report, "crm", "c5"),
    }


def _has_events(project: Project) -> bool:
    return bool(
        query(
            project,
            "SELECT count(*) FROM duckdb_views() WHERE schema_name = 'main' "
            "AND view_name = 'events'",
        )[0][0]
    )


def test_removing_an_event_source_drops_the_events_view_until_the_next_run(
    project: Project, data_dir: Path
) -> None:
    add_tables(project, data_dir, CRM, WEB, ORDERS, MAILS)
    run(project, RULES)
    assert query(project, "SELECT count(*) FROM main.events WHERE source = 'orders'") == [(4,)]
    remove_source(project, "orders")
    assert not _has_events(project)
    run(project, RULES)
    assert query(project, "SELECT DISTINCT source FROM main.events") == [("mails",)]


def test_reimporting_an_event_source_drops_the_events_view(
    project: Project, data_dir: Path
) -> None:
    add_tables(project, data_dir, CRM, WEB, ORDERS)
    run(project, RULES)
    path = data_dir / "orders.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("o1", "o1b"), encoding="utf-8")
    import_events(
        project, path, roles=ORDERS.roles, name="orders", event_type="orders", replace=True
    )
    assert not _has_events(project)
