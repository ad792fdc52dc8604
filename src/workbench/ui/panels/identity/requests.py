"""What the identity pages ask of each other: open this profile's graph, maybe against a run."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GraphRequest:
    """Show the identity graph of one profile.

    ``run_id`` None means the current run. With ``compare_run``, the graph holds the records
    of the profile in either run and marks edges that appeared or disappeared between them.
    ``focus`` optionally names records ("source:record_id") to select and centre on.
    """

    profile_id: str
    run_id: str | None = None
    compare_run: str | None = None
    focus: tuple[str, ...] = ()
