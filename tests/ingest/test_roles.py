"""Column roles: suggestions from names and content, the user's mapping, and its checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.helpers import (
    csv_text,
    import_events,
    import_profiles,
    rejects,
    snapshot,
    table_rows,
    write_text,
)
from workbench.ingest import IngestError
from workbench.ingest.roles import suggest_role, suggest_roles
from workbench.project import Project
from workbench.project.sources import get_source

NAME_CASES = [
    ("e-mail", "profiles", "email"),
    ("Email Address", "profiles", "email"),
    ("cust_id", "profiles", "customer_id"),
    ("CustomerNumber", "profiles", "customer_id"),
    ("First Name", "profiles", "first_name"),
    ("surname", "profiles", "last_name"),
    ("zip", "profiles", "postcode"),
    ("Postal Code", "profiles", "postcode"),
    ("dob", "profiles", "dob"),
    ("Date of Birth", "profiles", "dob"),
    ("city", "profiles", "city"),
    ("country_code", "profiles", "country"),
    ("device_id", "events", "device_id"),
    ("event_type", "events", "event_type"),
    ("timestamp", "events", "timestamp"),
    ("occurred_at", "events", "timestamp"),
    ("order_total", "events", "value"),
    ("channel", "events", "channel"),
    ("favourite_colour", "profiles", "attribute"),
    ("favourite_colour", "events", "property"),
]


@pytest.mark.parametrize(("name", "kind", "role"), NAME_CASES)
def test_role_from_column_name(name: str, kind: str, role: str) -> None:
    assert suggest_role(name, [], kind).role == role


def test_role_from_content() -> None:
    emails = ["ann@example.com", "bob@example.org", "cy@example.co.uk"]
    assert suggest_role("contact", emails, "profiles").role == "email"
    assert suggest_role("contact", emails, "profiles").reason == "most values are e-mail addresses"
    phones = ["+44 20 7946 0958", "020 7946 0000", "+1 (555) 010-9999"]
    assert suggest_role("reach", phones, "profiles").role == "phone"


def test_dates_are_not_phone_numbers() -> None:
    dates = ["2023-05-01", "2023-06-12", "1999-12-31"]
    assert suggest_role("signup", dates, "profiles").role == "attribute"
    assert suggest_role("d", ["01.05.2023", "12.06.2023"], "profiles").role == "attribute"


def test_record_id_needs_unique_values() -> None:
    assert suggest_role("id", ["1", "2"], "profiles", unique=True).role == "record_id"
    assert suggest_role("id", ["1", "1"], "profiles", unique=False).role == "attribute"


def test_single_use_roles_go_to_the_first_column_only() -> None:
    got = suggest_roles(
        ["event_time", "timestamp", "email"],
        {"email": ["a@example.com"]},
        "events",
        {},
    )
    assert got["event_time"].role == "timestamp"
    assert got["timestamp"].role == "property"
    assert got["timestamp"].reason == "another column is timestamp"


# ------------------------------------------------------------------ in imports
def test_content_role_in_an_import(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "crm.csv",
        csv_text("contact,Given Name,notes", "ann@example.com,Ann,x", "bob@example.com,Bob,y"),
    )
    report = import_profiles(project, path)
    assert {c.name: c.role for c in report.columns} == {
        "contact": "email",
        "Given Name": "first_name",
        "notes": "attribute",
    }
    assert get_source(project, "crm").roles() == {
        "contact": "email",
        "Given Name": "first_name",
        "notes": "attribute",
    }


def test_map_overrides_a_suggestion(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "m.csv",
        csv_text("email,ref", "a@example.com,R1", "b@example.com,R2"),
    )
    report = import_profiles(project, path, roles={"ref": "customer_id", "email": "attribute"})
    roles = {c.name: (c.role, c.reason) for c in report.columns}
    assert roles["ref"] == ("customer_id", "set by you")
    assert roles["email"] == ("attribute", "set by you")


def test_unknown_role_lists_valid_roles(project: Project, data_dir: Path) -> None:
    path = write_text(data_dir / "u.csv", csv_text("email,x", "a@example.com,1"))
    before = snapshot(project)
    with pytest.raises(IngestError) as info:
        import_profiles(project, path, roles={"x": "favourite"})
    message = str(info.value)
    assert "unknown role 'favourite'" in message
    assert "--map x=favourite" in message
    for role in ("email", "customer_id", "postcode", "attribute"):
        assert role in message
    assert snapshot(project) == before


def test_role_mapped_to_missing_column_lists_columns(project: Project, data_dir: Path) -> None:
    path = write_text(data_dir / "u.csv", csv_text("email,age,city", "a@example.com,1,Leeds"))
    with pytest.raises(IngestError, match=r"no column 'mail'.*email, age, city"):
        import_profiles(project, path, roles={"mail": "email"})


def test_two_columns_on_a_single_use_role(project: Project, data_dir: Path) -> None:
    path = write_text(data_dir / "u.csv", csv_text("email,a,b", "x@example.com,1,2"))
    with pytest.raises(
        IngestError, match=r"role 'record_id' is mapped to several columns \(a, b\)"
    ):
        import_profiles(project, path, roles={"a": "record_id", "b": "record_id"})


def test_profiles_need_an_identity_column(project: Project, data_dir: Path) -> None:
    path = write_text(data_dir / "n.csv", csv_text("colour,size", "red,3"))
    with pytest.raises(IngestError, match=r"n\.csv: no column is mapped to an identity role"):
        import_profiles(project, path)


def test_duplicate_record_ids_are_rejected(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "dups.csv",
        csv_text(
            "id,email",
            "1,a@example.com",
            "2,b@example.com",
            "1,c@example.com",
            ",d@example.com",
            "3,e@example.com",
        ),
    )
    report = import_profiles(project, path, roles={"id": "record_id"})
    assert report.rows == 3
    assert table_rows(project, "dups", "_record_id, email") == [
        ("1", "a@example.com"),
        ("2", "b@example.com"),
        ("3", "e@example.com"),
    ]
    assert rejects(project, "dups") == [
        (4, "id", "duplicate record key 1"),
        (5, "id", "record key is missing"),
    ]


# ----------------------------------------------------------------------- events
EVENTS = csv_text(
    "email,occurred_at,event,campaign",
    "a@example.com,2024-01-02T10:00:00+02:00,open,spring",
    "b@example.com,2024-01-03 11:00:00,click,spring",
    "c@example.com,2024-01-04T12:30:00Z,open,summer",
)


def test_event_import(project: Project, data_dir: Path) -> None:
    path = write_text(data_dir / "email_events.csv", EVENTS)
    report = import_events(project, path, roles={"event": "event_type"})
    assert report.rows == 3
    assert {c.name: c.role for c in report.columns} == {
        "email": "email",
        "occurred_at": "timestamp",
        "event": "event_type",
        "campaign": "property",
    }
    assert table_rows(project, "email_events", "email, occurred_at, event") == [
        ("a@example.com", dt.datetime(2024, 1, 2, 8, 0), "open"),
        ("b@example.com", dt.datetime(2024, 1, 3, 11, 0), "click"),
        ("c@example.com", dt.datetime(2024, 1, 4, 12, 30), "open"),
    ]


def test_events_without_timestamp(project: Project, data_dir: Path) -> None:
    path = write_text(data_dir / "e.csv", csv_text("email,event_type", "a@example.com,open"))
    with pytest.raises(IngestError, match=r"e\.csv: an event source needs a timestamp column"):
        import_events(project, path)


def test_events_without_link_key(project: Project, data_dir: Path) -> None:
    path = write_text(data_dir / "e.csv", csv_text("ts,event_type", "2024-01-01,open"))
    with pytest.raises(IngestError, match=r"needs a column that links events to people"):
        import_events(project, path)


def test_events_without_event_type(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "purchases.csv",
        csv_text("email,ts,amount", "a@example.com,2024-01-01,9.99", "b@example.com,2024-01-02,5"),
    )
    with pytest.raises(IngestError, match=r"no event_type column.*--event-type"):
        import_events(project, path)
    report = import_events(project, path, event_type="purchase")
    assert any("every row has event_type 'purchase'" in n for n in report.notes)
    assert table_rows(project, "purchases", "email, ts, amount, event_type") == [
        ("a@example.com", dt.datetime(2024, 1, 1), 9.99, "purchase"),
        ("b@example.com", dt.datetime(2024, 1, 2), 5.0, "purchase"),
    ]
    assert get_source(project, "purchases").event_type == "purchase"


def test_timestamp_role_on_text_rejects_the_bad_rows(project: Project, data_dir: Path) -> None:
    path = write_text(
        data_dir / "opens.csv",
        csv_text(
            "email,when,event_type",
            "a@example.com,2024-01-01 10:00:00,open",
            "b@example.com,yesterday,open",
            "c@example.com,2024-01-03 10:00:00,open",
            "d@example.com,,open",
            "e@example.com,2024-01-05 10:00:00,open",
            "f@example.com,2024-01-06 10:00:00,open",
        ),
    )
    report = import_events(project, path, roles={"when": "timestamp"})
    assert report.rows == 4
    assert rejects(project, "opens") == [
        (3, "when", "not a date/time: yesterday"),
        (5, "when", "timestamp is missing"),
    ]


def test_timestamp_role_on_a_text_column_fails_clearly(project: Project, data_dir: Path) -> None:
    path = write_text(data_dir / "first.csv", EVENTS)
    import_events(project, path, roles={"event": "event_type"})
    before = snapshot(project)
    bad = write_text(data_dir / "bad.csv", EVENTS.replace("spring", "spring!"))
    with pytest.raises(IngestError) as info:
        import_events(project, bad, roles={"campaign": "timestamp", "event": "event_type"})
    message = str(info.value)
    assert "bad.csv: 3 of 3 rows" in message
    assert "column 'campaign'" in message
    assert "first at line/row 2" in message
    assert snapshot(project) == before
