"""Fixtures for the desktop app tests: offscreen Qt and isolated settings."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, qapp) -> Iterator[None]:  # noqa: ANN001
    """Keep QSettings of tests away from the user's own."""
    from PySide6.QtCore import QSettings

    qapp.setOrganizationName("Workbench Tests")
    qapp.setApplicationName("WorkbenchTest")
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    yield


def write_customers(path: Path, rows: int) -> Path:
    lines = ["customer_id,first_name,last_name,email,signup"]
    lines += [
        f"C{i:06d},Ann{i},Lee{i},ann{i}@example.com,2024-01-{1 + i % 28:02d}" for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
