"""Saved segments: definitions of kind ``segment`` with a version history.

Renaming keeps the history and updates the segments that refer to the renamed one;
deleting refuses while another segment refers to it, so a saved segment never points at
nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import ValidationError

from workbench.project.definitions import (
    definition_versions,
    delete_definition,
    latest_definitions,
    load_definition,
    rename_definition,
    save_definition,
)
from workbench.project.store import Project
from workbench.segments.errors import SegmentError
from workbench.segments.model import Condition, Group, Segment, SegmentCondition

KIND = "segment"


@dataclass(frozen=True)
class SegmentInfo:
    name: str
    version: int
    saved_at: dt.datetime
    description: str


def validation_message(exc: ValidationError, what: str = "segment") -> str:
    """Pydantic's errors as ``field.path: message; ...`` (discriminator tags left out)."""
    problems = []
    for err in exc.errors():
        path = ".".join(
            f"[{p}]" if isinstance(p, int) else str(p)
            for p in err["loc"]
            if p not in _CONDITION_TAGS
        ).replace(".[", "[")
        message = err["msg"].removeprefix("Value error, ")
        problems.append(f"{path or what}: {message}")
    return "; ".join(problems)


_CONDITION_TAGS = {
    "attribute",
    "event",
    "recency",
    "sequence",
    "metric",
    "segment",
    "bucket",
    "group",
}


def parse_segment(data: object, where: str = "segment") -> Segment:
    """Validate a segment from JSON data; the error names each wrong field's path."""
    try:
        return Segment.model_validate(data)
    except ValidationError as exc:
        raise SegmentError(f"{where}: {validation_message(exc)}") from None


def _check_name(name: str) -> str:
    if not name.strip():
        raise SegmentError("a segment needs a name")
    if name != name.strip():
        raise SegmentError(f"segment name '{name}' starts or ends with spaces")
    return name


def save_segment(project: Project, segment: Segment) -> int:
    """Store a new version of ``segment`` under its name; returns the version number."""
    _check_name(segment.name)
    if segment.name in referenced_segments(segment.root):
        raise SegmentError(f"segment '{segment.name}' refers to itself")
    return save_definition(project, KIND, segment.name, segment.model_dump(mode="json"))


def load_segment(project: Project, name: str, version: int | None = None) -> Segment:
    try:
        body = load_definition(project, KIND, name, version)
    except KeyError:
        which = f" version {version}" if version is not None else ""
        raise SegmentError(f"there is no saved segment '{name}'{which}") from None
    segment = parse_segment(body, f"saved segment '{name}'")
    return segment if segment.name == name else segment.model_copy(update={"name": name})


def list_segments(project: Project) -> list[SegmentInfo]:
    """The latest version of every saved segment, by name."""
    return [
        SegmentInfo(info.name, info.version, info.saved_at, str(body.get("description", "")))
        for info, body in latest_definitions(project, KIND)
    ]


def segment_versions(project: Project, name: str) -> list[SegmentInfo]:
    """Every saved version of a segment, oldest first."""
    infos = definition_versions(project, KIND, name)
    if not infos:
        raise SegmentError(f"there is no saved segment '{name}'")
    out = []
    for info in infos:
        body = load_definition(project, KIND, name, info.version)
        out.append(SegmentInfo(name, info.version, info.saved_at, str(body.get("description", ""))))
    return out


def referenced_segments(group: Group) -> set[str]:
    """Names of the segments a condition tree refers to (directly)."""
    found: set[str] = set()

    def walk(c: Condition) -> None:
        if isinstance(c, SegmentCondition):
            found.add(c.segment)
        elif isinstance(c, Group):
            for child in c.conditions:
                walk(child)

    walk(group)
    return found


def _users_of(project: Project, name: str) -> list[Segment]:
    users = []
    for info, body in latest_definitions(project, KIND):
        if info.name == name:
            continue
        try:
            other = Segment.model_validate(body)
        except ValidationError:
            continue
        if name in referenced_segments(other.root):
            users.append(other.model_copy(update={"name": info.name}))
    return users


def delete_segment(project: Project, name: str) -> None:
    """Remove a segment and its history; refused while other segments refer to it."""
    users = _users_of(project, name)
    if users:
        raise SegmentError(
            f"segment '{name}' is used by {', '.join(repr(u.name) for u in users)}; "
            "remove those conditions first"
        )
    try:
        delete_definition(project, KIND, name)
    except KeyError:
        raise SegmentError(f"there is no saved segment '{name}'") from None


def _renamed_refs(group: Group, old: str, new: str) -> Group:
    conditions: list[Condition] = []
    for c in group.conditions:
        if isinstance(c, SegmentCondition) and c.segment == old:
            conditions.append(c.model_copy(update={"segment": new}))
        elif isinstance(c, Group):
            conditions.append(_renamed_refs(c, old, new))
        else:
            conditions.append(c)
    return group.model_copy(update={"conditions": conditions})


def rename_segment(project: Project, old: str, new: str) -> None:
    """Rename, keeping the version history; segments referring to it follow the new name."""
    _check_name(new)
    if new == old:
        return
    segment = load_segment(project, old)
    renamed = segment.model_copy(update={"name": new})
    try:
        rename_definition(project, KIND, old, new, renamed.model_dump(mode="json"))
    except ValueError:
        raise SegmentError(f"there is already a segment named '{new}'") from None
    for user in _users_of(project, old):
        updated = user.model_copy(update={"root": _renamed_refs(user.root, old, new)})
        save_segment(project, updated)


def duplicate_segment(project: Project, name: str, new_name: str) -> Segment:
    """Save a copy of the latest version under a new name (a fresh history)."""
    _check_name(new_name)
    if any(info.name == new_name for info in list_segments(project)):
        raise SegmentError(f"there is already a segment named '{new_name}'")
    copy = load_segment(project, name).model_copy(update={"name": new_name})
    save_segment(project, copy)
    return copy
