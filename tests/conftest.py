"""Shared fixtures: a fresh project per test, and a folder for the data files it reads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.project import Project


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A folder for the test's input files, apart from the project file."""
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "test.wbproj"


@pytest.fixture
def project(project_path: Path) -> Iterator[Project]:
    """A new, empty project, closed (and so unlocked) after the test."""
    proj = Project.create(project_path)
    try:
        yield proj
    finally:
        proj.close()
