"""Start one panel on its own, for development: ``python -m workbench.ui.panels.data PROJECT``.

The panel gets the same context as in the app (session, task runner, settings) in a bare
window with a job bar, so it can be tried, profiled or screenshotted in isolation.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def run(key: str | None = None, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=f"python -m workbench.ui.panels{'.' + key if key else ''}"
    )
    if key is None:
        parser.add_argument("step", help="data, identity, segments, decisions or export")
    parser.add_argument("project", nargs="?", type=Path, help="project file to open")
    parser.add_argument("--screenshot", type=Path, metavar="PNG", help="render to PNG and exit")
    parser.add_argument("--theme", choices=("system", "light", "dark"))
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    key = key or args.step
    if args.screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtWidgets import QApplication, QMainWindow  # noqa: PLC0415

    from workbench.ui.dialogs import show_error  # noqa: PLC0415
    from workbench.ui.job_bar import JobBar  # noqa: PLC0415
    from workbench.ui.panels.base import PanelContext  # noqa: PLC0415
    from workbench.ui.panels.registry import create_panel, step  # noqa: PLC0415
    from workbench.ui.screenshot import save_png, wait_until_idle  # noqa: PLC0415
    from workbench.ui.session import ProjectSession  # noqa: PLC0415
    from workbench.ui.settings import APPLICATION, ORGANISATION, AppSettings  # noqa: PLC0415
    from workbench.ui.task_runner import TaskRunner  # noqa: PLC0415
    from workbench.ui.theme import ThemeManager  # noqa: PLC0415

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setStyle("Fusion")
    settings = AppSettings()
    ThemeManager(app, args.theme or settings.theme).apply()
    window = QMainWindow()
    runner = TaskRunner(window)
    session = ProjectSession(settings, window)
    session.sig_error.connect(lambda t, m, d: show_error(window, t, m, d))
    if args.project is not None and not session.open(args.project) and args.screenshot:
        return 1
    panel = create_panel(step(key), PanelContext(session, runner, settings))
    window.setCentralWidget(panel)
    window.statusBar().addPermanentWidget(JobBar(runner))
    window.setWindowTitle(f"{panel.title} panel")
    window.resize(1200, 800)
    window.show()
    if args.screenshot is not None:
        wait_until_idle(runner)
        save_png(window, args.screenshot)
        print(f"Rendered the {key} panel to {args.screenshot}")
        session.close()
        return 0
    code = int(app.exec())
    runner.cancel_all()
    session.close()
    return code
