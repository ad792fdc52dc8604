"""The engine imports no Qt: every module outside workbench.ui loads in a Qt-free process."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph")

_IMPORT_ALL = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    import workbench

    SKIP = {{"workbench.ui", "workbench.__main__"}}  # the Qt layer; __main__ starts the app

    def walk(path, prefix):
        # Not pkgutil.walk_packages: it would import workbench.ui to look inside.
        for info in pkgutil.iter_modules(path, prefix):
            if info.name in SKIP:
                continue
            module = importlib.import_module(info.name)
            yield info.name
            if info.ispkg:
                yield from walk(module.__path__, info.name + ".")

    names = ["workbench", *walk(workbench.__path__, "workbench.")]
    qt = sorted(m for m in sys.modules if m.split(".")[0] in {qt!r})
    print(json.dumps({{"modules": names, "qt": qt}}))
    """
)


@pytest.mark.slow
def test_engine_modules_do_not_import_qt() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL.format(qt=set(QT_MODULES))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    for expected in (
        "workbench.tasks",
        "workbench.project.store",
        "workbench.ingest.importer",
        "workbench.ingest.delimited",
        "workbench.cli.main",
        "workbench.launcher",
    ):
        assert expected in result["modules"]
    assert result["qt"] == []
