"""Column names as users write them, made safe and unique for a table."""

from __future__ import annotations

RESERVED = ("_record_id", "_line")
"""Columns every raw table carries; user columns with these names are renamed."""
INTERNAL = ("__line", "__record", "__rn")
"""Columns the readers add while staging a file; user columns may not shadow them."""


def clean_names(names: list[str]) -> list[str]:
    """Trim, fill blanks and make names unique without regard to case.

    DuckDB compares identifiers case-insensitively, so ``Email`` and ``email``
    would collide; the second becomes ``email_2``.
    """
    out: list[str] = []
    seen: set[str] = {r.lower() for r in (*RESERVED, *INTERNAL)}
    for index, raw in enumerate(names, start=1):
        base = " ".join(str(raw or "").split()) or f"column_{index}"
        base = base.lstrip("_") if base.lower() in seen and base.startswith("_") else base
        name = base
        suffix = 2
        while name.lower() in seen:
            name = f"{base}_{suffix}"
            suffix += 1
        seen.add(name.lower())
        out.append(name)
    return out
