"""What the user told the importer; everything left as None is sniffed."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ReadOptions:
    """How to read a file. None means: work it out from the file."""

    format: str | None = None
    delimiter: str | None = None
    quote: str | None = None
    header: bool | None = None
    encoding: str | None = None
    date_format: str | None = None
    sheet: str | None = None
    skip: int | None = None


@dataclass
class ImportOptions:
    """What to import and how to map it."""

    kind: str
    name: str | None = None
    roles: dict[str, str] = field(default_factory=dict)
    """Column (as in the file or as cleaned) -> role, overriding suggestions."""
    types: dict[str, str] = field(default_factory=dict)
    """Column -> type name (text, integer, decimal, boolean, date, timestamp)."""
    event_type: str | None = None
    replace: bool = False
    read: ReadOptions = field(default_factory=ReadOptions)
