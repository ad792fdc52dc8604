"""Import errors: each names the file and, where known, the line and column."""

from __future__ import annotations

from workbench.project.errors import WorkbenchError


class IngestError(WorkbenchError):
    """A file could not be imported; nothing in the project was changed."""
