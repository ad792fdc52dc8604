"""The error a user sees when a segment cannot be stored, compiled or evaluated."""

from __future__ import annotations

from workbench.project.errors import WorkbenchError


class SegmentError(WorkbenchError):
    """A segment definition does not fit the data (or cannot be found); the message names
    what and where, e.g. ``root.conditions[1].where[0]: purchase events have no property
    'colour' (known: category, value)``."""
