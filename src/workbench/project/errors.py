"""Errors a user sees when a project file cannot be used; each says what and where."""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base of every error whose message is meant for the user as it is."""


class ProjectError(WorkbenchError):
    """A project file could not be created, opened or changed."""


class ProjectLockedError(ProjectError):
    """Another process has the project open."""


class ProjectNewerError(ProjectError):
    """The project was written by a newer Workbench than this one."""


class NotAProjectError(ProjectError):
    """The file exists but is not a Workbench project."""


class ProjectDamagedError(ProjectError):
    """The file is a project but cannot be read."""
