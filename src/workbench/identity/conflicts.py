"""When two groups of records cannot be one person, whatever the matches say."""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz.distance import JaroWinkler, Levenshtein

NAME_SIMILAR = 0.75
"""Jaro-Winkler at or above which first names may be one person's (typos, variants)."""


def dobs_conflict(a: str, b: str) -> bool:
    """Different birth dates, beyond a one-character typo or a day/month swap."""
    if a == b or Levenshtein.distance(a, b) <= 1:
        return False
    ya, ma, da = a.split("-") if a.count("-") == 2 else (a, "", "")
    yb, mb, db = b.split("-") if b.count("-") == 2 else (b, "", "")
    return not (ya == yb and ma == db and da == mb)


def names_conflict(a: tuple[str | None, str | None], b: tuple[str | None, str | None]) -> bool:
    """First names that are clearly different (after nicknames), unless first/last are swapped."""
    fa, la = a
    fb, lb = b
    if not fa or not fb or fa == fb:
        return False
    if (fa == lb and (not la or la == fb)) or (fb == la and (not lb or lb == fa)):
        return False  # first and last name swapped on one side
    if fa.startswith(fb) or fb.startswith(fa):
        return False  # an initial or a short form (sam / samantha)
    return JaroWinkler.similarity(fa, fb) < NAME_SIMILAR


@dataclass
class Evidence:
    """The conflict-relevant values of a group of records."""

    dobs: set[str] = field(default_factory=set)
    names: set[tuple[str | None, str | None]] = field(default_factory=set)
    unique: dict[str, set[str]] = field(default_factory=dict)
    size: int = 1

    def merge(self, other: Evidence) -> None:
        self.dobs |= other.dobs
        self.names |= other.names
        for key, values in other.unique.items():
            self.unique.setdefault(key, set()).update(values)
        self.size += other.size

    def conflicts_with(self, other: Evidence) -> str | None:
        """A short reason the two groups cannot merge, or None."""
        for key, values in self.unique.items():
            theirs = other.unique.get(key)
            if theirs and values and not values & theirs:
                return f"different {key}"
        for x in self.dobs:
            for y in other.dobs:
                if dobs_conflict(x, y):
                    return "different dob"
        for x in self.names:
            for y in other.names:
                if names_conflict(x, y):
                    return "different first_name"
        return None
