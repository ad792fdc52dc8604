"""The project file: one DuckDB database holding sources, definitions and runs."""

from workbench.project.errors import (
    NotAProjectError,
    ProjectDamagedError,
    ProjectError,
    ProjectLockedError,
    ProjectNewerError,
)
from workbench.project.store import Project

__all__ = [
    "NotAProjectError",
    "Project",
    "ProjectDamagedError",
    "ProjectError",
    "ProjectLockedError",
    "ProjectNewerError",
]
