"""Projects to evaluate segments on.

- ``segment_project``: a project whose ``main.profiles`` and ``main.events`` are small
  hand-written TABLES (``TINY_PROFILES`` / ``TINY_EVENTS``), with a current identity run,
  so the expected members of a segment can be worked out by hand. ``AS_OF`` is the
  instant the tests read as now.
- ``tiny_project``: the same, shared by a test module (for tests that only read).
- ``project_factory``: the same from any rows (``fill_project``), for generated data.
- ``sample_project``: a copy of a small generated sample, imported and resolved with the
  automatic rules (real sources, the events view, identity links).
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from workbench.project import Project
from workbench.project.store import utcnow
from workbench.sample import generate
from workbench.sample.demo_project import build_project
from workbench.segments.catalog import clear_cache

AS_OF = dt.datetime(2024, 6, 30, 12, 0, 0)
"""The as-of instant (naive UTC) of every tiny-data test."""

PROFILE_COLUMNS: dict[str, str] = {
    "profile_id": "VARCHAR",
    "country": "VARCHAR",
    "loyalty_tier": "VARCHAR",
    "age": "INTEGER",
    "signup_date": "DATE",
    "created_at": "TIMESTAMP",
    "opt_in": "BOOLEAN",
    "source_names": "VARCHAR[]",
}
EVENT_COLUMNS: dict[str, str] = {
    "profile_id": "VARCHAR",
    "source": "VARCHAR",
    "event_type": "VARCHAR",
    "ts": "TIMESTAMP",
    "value": "DOUBLE",
    "channel": "VARCHAR",
    "category": "VARCHAR",
    "url": "VARCHAR",
}

_T = dt.datetime
INJECTION = "x'); DROP TABLE main.profiles; --"

TINY_PROFILES: list[dict] = [
    {"profile_id": "P1", "country": "us", "loyalty_tier": "Gold", "age": 30,
     "signup_date": dt.date(2024, 6, 1), "created_at": _T(2024, 6, 29, 8), "opt_in": True,
     "source_names": ["crm", "web"]},
    {"profile_id": "P2", "country": "US", "loyalty_tier": "Silver", "age": 45,
     "signup_date": dt.date(2023, 1, 15), "created_at": _T(2023, 1, 15, 10), "opt_in": False,
     "source_names": ["crm"]},
    {"profile_id": "P3", "country": "fr", "loyalty_tier": "Gold", "age": None,
     "signup_date": dt.date(2024, 6, 30), "created_at": _T(2024, 6, 30, 23), "opt_in": None,
     "source_names": ["web"]},
    {"profile_id": "P4", "country": None, "loyalty_tier": None, "age": 22,
     "signup_date": None, "created_at": None, "opt_in": True, "source_names": []},
    {"profile_id": "P5", "country": "de", "loyalty_tier": "bronze", "age": 60,
     "signup_date": dt.date(2020, 2, 29), "created_at": _T(2020, 2, 29), "opt_in": False,
     "source_names": None},
    {"profile_id": "P6", "country": INJECTION, "loyalty_tier": "Gold ", "age": 18,
     "signup_date": dt.date(2024, 5, 31), "created_at": _T(2024, 5, 31, 12), "opt_in": None,
     "source_names": ["app"]},
]  # fmt: skip


def _ev(pid: str | None, kind: str, ts: dt.datetime, value: float | None = None,
        category: str | None = None, url: str | None = None) -> dict:  # fmt: skip
    source = {"purchase": "shop", "cart_add": "web", "page_view": "web"}.get(kind, "email")
    return {"profile_id": pid, "source": source, "event_type": kind, "ts": ts, "value": value,
            "channel": "web" if source != "email" else "email", "category": category,
            "url": url}  # fmt: skip


TINY_EVENTS: list[dict] = [
    _ev("P1", "purchase", _T(2024, 6, 10, 9), 20, "Bags"),
    _ev("P1", "purchase", _T(2024, 6, 29, 10), 50, "Shoes"),
    _ev("P1", "cart_add", _T(2024, 6, 30, 9), category="Shoes", url="/cart"),
    _ev("P1", "purchase", _T(2024, 6, 30, 10), 30, "Shoes"),
    _ev("P1", "page_view", _T(2024, 6, 30, 11), url="/home"),
    _ev("P1", "page_view", _T(2024, 7, 1, 9), url="/later"),  # after as-of
    _ev("P2", "cart_add", _T(2024, 6, 29, 12), category="Bags", url="/cart"),
    _ev("P2", "page_view", _T(2024, 5, 1, 8), url="/home"),
    _ev("P2", "page_view", _T(2024, 6, 30, 2), url="/sale"),
    _ev("P2", "email_send", _T(2024, 6, 1, 6)),
    _ev("P2", "email_send", _T(2024, 6, 2, 6)),
    _ev("P2", "email_open", _T(2024, 6, 3, 7)),
    _ev("P3", "purchase", _T(2024, 1, 5, 15), 100, "Shoes"),
    _ev("P3", "purchase", _T(2024, 7, 2, 15), 999, "Shoes"),  # after as-of
    _ev("P5", "cart_add", _T(2024, 6, 28, 20), category="Bags", url="/cart"),
    _ev("P5", "purchase", _T(2024, 6, 30, 12), None, "Bags"),  # exactly at as-of, no value
    _ev("P5", "email_send", _T(2024, 6, 20, 6)),
    _ev("P6", "email_open", _T(2024, 6, 30, 12, 0, 1)),  # a second after as-of
    _ev(None, "purchase", _T(2024, 6, 29, 9), 75, "Shoes"),  # not linked to a profile
]


def fill_project(
    project: Project,
    profiles: list[dict],
    events: list[dict],
    profile_columns: dict[str, str] | None = None,
    event_columns: dict[str, str] | None = None,
) -> str:
    """Write ``main.profiles`` and ``main.events`` as tables holding exactly these rows
    (missing keys are NULL) and make a new identity run current; returns its id."""
    profile_columns = profile_columns or PROFILE_COLUMNS
    event_columns = event_columns or EVENT_COLUMNS
    run_id = f"run-test-{uuid.uuid4().hex[:8]}"
    with project.transaction() as cur:
        for table, columns, rows in (
            ("profiles", profile_columns, profiles),
            ("events", event_columns, events),
        ):
            cur.execute(f"DROP VIEW IF EXISTS main.{table}")
            cur.execute(f"DROP TABLE IF EXISTS main.{table}")
            spec = ", ".join(f'"{n}" {t}' for n, t in columns.items())
            cur.execute(f"CREATE TABLE main.{table} ({spec})")
            if rows:
                marks = ", ".join("?" for _ in columns)
                cur.executemany(
                    f"INSERT INTO main.{table} VALUES ({marks})",
                    [[row.get(n) for n in columns] for row in rows],
                )
        now = utcnow()
        cur.execute(
            "INSERT INTO meta.runs VALUES (?, 'identity', 'done', ?, ?, '{}')", [run_id, now, now]
        )
        cur.execute(
            "INSERT OR REPLACE INTO meta.project VALUES ('current_identity_run', ?)", [run_id]
        )
    clear_cache()
    return run_id


@pytest.fixture
def segment_project(project: Project) -> Project:
    """A project holding TINY_PROFILES and TINY_EVENTS."""
    fill_project(project, TINY_PROFILES, TINY_EVENTS)
    return project


@pytest.fixture(scope="module")
def tiny_project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """TINY_PROFILES and TINY_EVENTS in one project per test module, for tests that only
    read (compile and query); tests that save or cache use ``segment_project``."""
    project = Project.create(tmp_path_factory.mktemp("tiny") / "tiny.wbproj")
    try:
        fill_project(project, TINY_PROFILES, TINY_EVENTS)
        yield project
    finally:
        project.close()


@pytest.fixture
def project_factory(tmp_path: Path) -> Iterator[Callable[..., Project]]:
    """``make(profiles, events, profile_columns=None, event_columns=None) -> Project``:
    a new project per call holding those rows; all are closed after the test."""
    opened: list[Project] = []

    def make(
        profiles: list[dict],
        events: list[dict],
        profile_columns: dict[str, str] | None = None,
        event_columns: dict[str, str] | None = None,
    ) -> Project:
        project = Project.create(tmp_path / f"generated_{len(opened)}.wbproj")
        opened.append(project)
        fill_project(project, profiles, events, profile_columns, event_columns)
        return project

    try:
        yield make
    finally:
        for project in opened:
            project.close()


SAMPLE_PEOPLE = 400
SAMPLE_SEED = 11


@pytest.fixture(scope="session")
def sample_project_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated sample, imported and resolved once per test session (do not open it:
    use ``sample_project``, which opens a copy)."""
    folder = tmp_path_factory.mktemp("segment_sample")
    manifest = generate(folder / "data", SAMPLE_PEOPLE, seed=SAMPLE_SEED)
    return build_project(
        folder / "sample.wbproj", folder / "data", manifest, resolve_identities=True
    )


@pytest.fixture
def sample_project(sample_project_path: Path, tmp_path: Path) -> Iterator[Project]:
    """A fresh copy of the resolved sample, open for writing."""
    copy = tmp_path / "sample.wbproj"
    shutil.copyfile(sample_project_path, copy)
    clear_cache()
    project = Project.open(copy)
    try:
        yield project
    finally:
        project.close()
