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


def definition_versions(project: Project, kind: str, name: str) -> list[DefinitionInfo]:
    """Every stored version of one definition, oldest first."""
    cur = project.cursor()
    try:
        rows = cur.execute(
            "SELECT kind, name, version, saved_at FROM meta.definitions "
            "WHERE kind = ? AND name = ? ORDER BY version",
            [kind, name],
        ).fetchall()
    finally:
        cur.close()
    return [DefinitionInfo(*row) for row in rows]


def latest_definitions(project: Project, kind: str) -> list[tuple[DefinitionInfo, dict]]:
    """The latest version of every definition of one kind, with its body, by name."""
    cur = project.cursor()
    try:
        rows = cur.execute(
            "SELECT kind, name, version, saved_at, body FROM meta.definitions d "
            "WHERE kind = ? AND version = (SELECT max(version) FROM meta.definitions x "
            "WHERE x.kind = d.kind AND x.name = d.name) ORDER BY name",
            [kind],
        ).fetchall()
    finally:
        cur.close()
    return [(DefinitionInfo(*row[:4]), json.loads(row[4])) for row in rows]


def delete_definition(project: Project, kind: str, name: str) -> int:
    """Remove a definition with all its versions; returns how many versions went."""
    with project.transaction() as cur:
        row = cur.execute(
            "SELECT count(*) FROM meta.definitions WHERE kind = ? AND name = ?", [kind, name]
        ).fetchone()
        count = int(row[0]) if row else 0
        if count == 0:
            raise KeyError(f"no {kind} definition named '{name}'")
        cur.execute("DELETE FROM meta.definitions WHERE kind = ? AND name = ?", [kind, name])
    return count


def rename_definition(
    project: Project, kind: str, old: str, new: str, body: dict | None = None
) -> int:
    """Give a definition a new name, keeping its version history under the new name.

    With ``body``, that body (e.g. carrying the new name) is stored as a new version in
    the same transaction; returns the latest version number."""
    with project.transaction() as cur:
        taken = cur.execute(
            "SELECT count(*) FROM meta.definitions WHERE kind = ? AND name = ?", [kind, new]
        ).fetchone()
        if taken and taken[0]:
            raise ValueError(f"there is already a {kind} named '{new}'")
        row = cur.execute(
            "SELECT max(version) FROM meta.definitions WHERE kind = ? AND name = ?", [kind, old]
        ).fetchone()
        if row is None or row[0] is None:
            raise KeyError(f"no {kind} definition named '{old}'")
        version = int(row[0])
        cur.execute(
            "UPDATE meta.definitions SET name = ? WHERE kind = ? AND name = ?", [new, kind, old]
        )
        if body is not None:
            version += 1
            cur.execute(
                "INSERT INTO meta.definitions VALUES (?, ?, ?, ?, ?, ?)",
                [kind, new, version, json.dumps(body, sort_keys=True), utcnow(), __version__],
            )
    return version


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
