"""Definitions (rule sets, segments, strategies) stored as JSON with a version history."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbench import __version__
from workbench.project.store import utcnow

if TYPE_CHECKING:
    from workbench.project.store import Project


@dataclass
class DefinitionInfo:
    kind: str
    name: str
    version: int
    saved_at: dt.datetime


def save_definition(project: Project, kind: str, name: str, body: dict) -> int:
    """Store a new version of a definition; returns its version number."""
    with project.transaction() as cur:
        row = cur.execute(
            "SELECT coalesce(max(version), 0) FROM meta.definitions WHERE kind = ? AND name = ?",
            [kind, name],
        ).fetchone()
        version = int(row[0]) + 1 if row else 1
        cur.execute(
            "INSERT INTO meta.definitions VALUES (?, ?, ?, ?, ?, ?)",
            [kind, name, version, json.dumps(body, sort_keys=True), utcnow(), __version__],
        )
    return version


def load_definition(project: Project, kind: str, name: str, version: int | None = None) -> dict:
    cur = project.cursor()
    try:
        if version is None:
            row = cur.execute(
                "SELECT body FROM meta.definitions WHERE kind = ? AND name = ? "
                "ORDER BY version DESC LIMIT 1",
                [kind, name],
            ).fetchone()
        else:
            row = cur.execute(
                "SELECT body FROM meta.definitions WHERE kind = ? AND name = ? AND version = ?",
                [kind, name, version],
            ).fetchone()
    finally:
        cur.close()
    if row is None:
        raise KeyError(f"no {kind} definition named '{name}'")
    return json.loads(row[0])


def list_definitions(project: Project) -> list[DefinitionInfo]:
    """The latest version of every definition."""
    cur = project.cursor()
    try:
        rows = cur.execute(
            "SELECT kind, name, max(version), max(saved_at) FROM meta.definitions "
            "GROUP BY kind, name ORDER BY kind, name"
        ).fetchall()
    finally:
        cur.close()
    return [DefinitionInfo(*row) for row in rows]


@dataclass
class RunInfo:
    run_id: str
    kind: str
    status: str
    started_at: dt.datetime
    finished_at: dt.datetime | None


def list_runs(project: Project) -> list[RunInfo]:
    cur = project.cursor()
    try:
        rows = cur.execute(
            "SELECT run_id, kind, status, started_at, finished_at FROM meta.runs "
            "ORDER BY started_at"
        ).fetchall()
    finally:
        cur.close()
    return [RunInfo(*row) for row in rows]
