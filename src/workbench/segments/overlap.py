"""How segments overlap: the pairwise matrix for any number, every region for a few.

Each segment is evaluated once into a boolean array over the profiles
(:func:`workbench.segments.members.membership`); pairwise counts are then bit counts of
ANDed packed arrays, and the regions of a few segments a histogram of a per-profile bit
mask (bit i set when the profile is in segment i). Nothing is joined per pair in SQL.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from workbench.project.store import Project
from workbench.segments.errors import SegmentError
from workbench.segments.members import Membership, membership
from workbench.segments.model import Segment
from workbench.tasks import Task, null_task

BREAKDOWN_MAX = 6
"""Segments an exclusive / shared breakdown takes at most (2^6 - 1 = 63 regions)."""

ShareOf = Literal["row", "column", "profiles", "union"]


@dataclass(frozen=True)
class Overlap:
    """``counts[i][j]``: profiles in both segment i and j; the diagonal holds the sizes."""

    names: list[str]
    sizes: list[int]
    counts: list[list[int]]
    profiles: int
    as_of: dt.datetime
    seconds: float
    regions: list[Region] = field(default_factory=list)
    """For 2..6 segments, the same regions :func:`overlap_breakdown` gives (no second
    evaluation needed); empty for more."""

    def share(self, i: int, j: int, of: ShareOf = "row") -> float | None:
        """``counts[i][j]`` over segment i's size (row), j's (column), all profiles, or the
        union of i and j (Jaccard); None when that is empty."""
        both = self.counts[i][j]
        whole = {
            "row": self.sizes[i],
            "column": self.sizes[j],
            "profiles": self.profiles,
            "union": self.sizes[i] + self.sizes[j] - both,
        }[of]
        return both / whole if whole else None

    def percentages(self, of: ShareOf = "row") -> list[list[float | None]]:
        """The matrix as percentages (0..100) of what ``of`` says, None where it is empty."""
        n = len(self.names)
        return [
            [None if (s := self.share(i, j, of)) is None else 100.0 * s for j in range(n)]
            for i in range(n)
        ]


@dataclass(frozen=True)
class Region:
    """Profiles in exactly these segments (bit i of ``mask``: in segment i) and no other."""

    segments: tuple[str, ...]
    mask: int
    count: int
    share: float
    """Of all profiles."""

    @property
    def exclusive(self) -> bool:
        """In one segment only."""
        return len(self.segments) == 1


def overlap_matrix(
    project: Project,
    segments: Sequence[Segment],
    as_of: dt.datetime | None = None,
    task: Task | None = None,
) -> Overlap:
    """Pairwise overlap counts of ``segments`` (each evaluated once); for 2..6 segments
    also every exclusive / shared region (``regions``)."""
    if not segments:
        raise SegmentError("overlap: choose at least one segment")
    task = task or null_task()
    started = time.perf_counter()
    found = membership(project, segments, as_of, task.sub(0.0, 0.95))
    packed = [np.packbits(m) for m in found.members]
    n = len(packed)
    counts = [[0] * n for _ in range(n)]
    for i in range(n):
        counts[i][i] = int(found.members[i].sum())
        for j in range(i + 1, n):
            both = int(np.bitwise_count(packed[i] & packed[j]).sum(dtype=np.int64))
            counts[i][j] = counts[j][i] = both
    regions = _regions(found) if 2 <= n <= BREAKDOWN_MAX else []
    task.progress(1.0, "Overlap ready")
    return Overlap(
        found.names,
        [counts[i][i] for i in range(n)],
        counts,
        found.profiles,
        found.as_of,
        time.perf_counter() - started,
        regions,
    )


def overlap_breakdown(
    project: Project,
    segments: Sequence[Segment],
    as_of: dt.datetime | None = None,
    task: Task | None = None,
) -> list[Region]:
    """Every region of 2..6 segments, including empty ones: the profiles exclusive to each
    segment first, then those in two, three, ... and last those shared by all."""
    if not 2 <= len(segments) <= BREAKDOWN_MAX:
        raise SegmentError(
            f"overlap breakdown: choose 2 to {BREAKDOWN_MAX} segments, not {len(segments)}"
        )
    task = task or null_task()
    found = membership(project, segments, as_of, task.sub(0.0, 0.95))
    regions = _regions(found)
    task.progress(1.0, "Breakdown ready")
    return regions


def _regions(found: Membership) -> list[Region]:
    """Every non-empty combination of segments with its exclusive count, from a per-profile
    bit mask (bit i: in segment i); ordered by how many segments, then segment order."""
    n = len(found.members)
    masks = np.zeros(found.members[0].shape, dtype=np.uint8)
    for bit, members in enumerate(found.members):
        masks |= members.astype(np.uint8) << bit
    histogram = np.bincount(masks, minlength=1 << n)
    regions = [
        Region(
            tuple(found.names[i] for i in range(n) if mask >> i & 1),
            mask,
            int(histogram[mask]),
            int(histogram[mask]) / found.profiles if found.profiles else 0.0,
        )
        for mask in range(1, 1 << n)
    ]
    regions.sort(key=lambda r: (len(r.segments), [-(r.mask >> i & 1) for i in range(n)]))
    return regions


def shared_by_all(regions: Sequence[Region]) -> Region:
    """The region of profiles in every segment of a breakdown."""
    return max(regions, key=lambda r: len(r.segments))


def exclusive_to(regions: Sequence[Region], name: str) -> Region:
    """The region of profiles in segment ``name`` and no other of the breakdown."""
    for region in regions:
        if region.segments == (name,):
            return region
    raise SegmentError(f"overlap breakdown: no segment '{name}'")
