"""What a generated sample contains: files, their kind and each column's role.

The manifest is the contract between the generator and whoever imports the
sample (the demo-project builder, benchmarks): it says which column is the
e-mail, which file holds events, and which column carries the ground truth.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

SourceKind = Literal["profiles", "events"]

PROFILE_ROLES = frozenset(
    {
        "record_id", "email", "phone", "customer_id", "device_id", "cookie_id", "first_name",
        "last_name", "full_name", "dob", "street_number", "street", "address", "city",
        "postcode", "state", "country", "national_id", "truth_id", "attribute",
    }
)  # fmt: skip
EVENT_ROLES = frozenset(
    {"email", "customer_id", "cookie_id", "device_id", "event_type", "timestamp", "value",
     "channel", "property"}
)  # fmt: skip
MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class SampleSource:
    """One generated file and how to import it.

    ``roles`` lists every column; columns without a special meaning map to
    ``"attribute"`` (profiles) or ``"property"`` (events). ``event_type`` is set
    only for event files without an ``event_type`` column (purchases).
    """

    file: str
    name: str
    kind: SourceKind
    roles: dict[str, str] = field(default_factory=dict)
    event_type: str | None = None
    rows: int = 0

    def __post_init__(self) -> None:
        allowed = PROFILE_ROLES if self.kind == "profiles" else EVENT_ROLES
        if self.kind not in ("profiles", "events"):
            raise ValueError(f"unknown source kind {self.kind!r}")
        unknown = {r for r in self.roles.values() if r not in allowed}
        if unknown:
            raise ValueError(f"{self.file}: roles not allowed for {self.kind}: {sorted(unknown)}")

    def columns(self, role: str) -> list[str]:
        """Columns carrying ``role``, in file order."""
        return [c for c, r in self.roles.items() if r == role]

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "name": self.name,
            "kind": self.kind,
            "roles": dict(self.roles),
            "event_type": self.event_type,
            "rows": self.rows,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SampleSource:
        return cls(
            file=data["file"],
            name=data["name"],
            kind=data["kind"],
            roles=dict(data.get("roles", {})),
            event_type=data.get("event_type"),
            rows=int(data.get("rows", 0)),
        )


@dataclass(frozen=True)
class SampleManifest:
    """Everything a generated sample folder holds, saved as ``manifest.json``."""

    sources: tuple[SampleSource, ...]
    people: int
    seed: int
    reference_date: date
    events_per_person: float = 20.0

    def source(self, name: str) -> SampleSource:
        """The source with this name (or file name)."""
        for s in self.sources:
            if name in (s.name, s.file):
                return s
        raise KeyError(name)

    @property
    def profile_sources(self) -> tuple[SampleSource, ...]:
        return tuple(s for s in self.sources if s.kind == "profiles")

    @property
    def event_sources(self) -> tuple[SampleSource, ...]:
        return tuple(s for s in self.sources if s.kind == "events")

    def to_json(self) -> dict[str, Any]:
        return {
            "format_version": FORMAT_VERSION,
            "people": self.people,
            "seed": self.seed,
            "reference_date": self.reference_date.isoformat(),
            "events_per_person": self.events_per_person,
            "sources": [s.to_json() for s in self.sources],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SampleManifest:
        return cls(
            sources=tuple(SampleSource.from_json(s) for s in data["sources"]),
            people=int(data["people"]),
            seed=int(data["seed"]),
            reference_date=date.fromisoformat(data["reference_date"]),
            events_per_person=float(data.get("events_per_person", 20.0)),
        )

    def save(self, path: Path) -> Path:
        """Write as JSON; ``path`` may be the file or the sample folder."""
        path = Path(path)
        if path.is_dir():
            path = path / MANIFEST_NAME
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: Path) -> SampleManifest:
        """Read a manifest file, or the ``manifest.json`` inside a sample folder."""
        path = Path(path)
        if path.is_dir():
            path = path / MANIFEST_NAME
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
