"""Fixtures for the desktop app tests: offscreen Qt, isolated settings, small projects."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, qapp) -> None:
    """Keep QSettings of tests away from the user's own."""
    from PySide6.QtCore import QSettings

    qapp.setOrganizationName("Workbench Tests")
    qapp.setApplicationName("WorkbenchTest")
    settings_dir = tmp_path / "settings"
    settings_dir.mkdir(exist_ok=True)
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(settings_dir))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(settings_dir))
    QSettings().clear()


def write_customers(path: Path, rows: int, start: int = 0) -> Path:
    lines = ["customer_id,first_name,last_name,email,signup"]
    lines += [
        f"C{i:06d},Ann{i},Lee{i},ann{i}@example.com,2024-01-{1 + i % 28:02d}"
        for i in range(start, start + rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_orders_with_bad_rows(path: Path) -> Path:
    """Orders where two amounts are not numbers: imported with amount as decimal, two rejects."""
    lines = ["order_id,customer_id,amount,postcode"]
    for i in range(40):
        amount = "n/a" if i in (7, 21) else f"{10 + i}.50"
        lines.append(f"O{i:04d},C{i:06d},{amount},{i:05d}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def ui_project(tmp_path: Path):
    """A project with one small profile source, 'crm' (25 rows)."""
    from workbench.ingest import ImportOptions, import_file
    from workbench.project import Project

    project = Project.create(tmp_path / "ui.wbproj")
    data = tmp_path / "data"
    data.mkdir()
    import_file(project, write_customers(data / "crm.csv", 25), ImportOptions(kind="profiles"))
    yield project
    project.close()


class Confirmations:
    """A stand-in for the yes/no dialog: records questions, answers as told."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str, str]] = []

    def __call__(self, title: str, question: str, accept: str) -> bool:
        self.asked.append((title, question, accept))
        return self.answer


@pytest.fixture
def confirmations() -> Confirmations:
    return Confirmations()


@pytest.fixture
def make_window(qtbot, confirmations):
    """Build a MainWindow whose questions are answered by ``confirmations``; on teardown
    any job still running is cancelled and its worker joined."""
    from workbench.ui.main_window import MainWindow

    windows: list[MainWindow] = []

    def make(project=None) -> MainWindow:
        window = MainWindow(project)
        window.confirm = confirmations
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.runner.cancel_all()
        window.session.close(announce=False)
