"""Start the desktop app; on a machine without a screen, render a screenshot instead."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from workbench.project.errors import WorkbenchError


def _headless() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return os.environ["QT_QPA_PLATFORM"] in ("offscreen", "minimal")
    if sys.platform.startswith("linux"):
        return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="workbench gui")
    parser.add_argument("project", nargs="?", type=Path, help="project file to open")
    parser.add_argument("--screenshot", type=Path, help="render the window to this PNG and exit")
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])

    headless = _headless()
    if headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        if args.screenshot is None:
            args.screenshot = Path("workbench-screenshot.png")

    from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: PLC0415

    from workbench.project import Project  # noqa: PLC0415
    from workbench.ui.main_window import MainWindow  # noqa: PLC0415
    from workbench.ui.theme import STYLESHEET  # noqa: PLC0415

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("Personalization Workbench")
    app.setApplicationName("Workbench")
    app.setStyle("Fusion")
    app.setStyleSheet(STYLESHEET)
    project = None
    error = None
    if args.project is not None:
        try:
            project = Project.open(args.project)
        except WorkbenchError as exc:
            error = str(exc)
    window = MainWindow(project)
    window.show()
    if args.screenshot is not None:
        app.processEvents()
        window.grab().save(str(args.screenshot))
        if error:
            print(f"error: {error}", file=sys.stderr)
        print(f"Rendered the window to {args.screenshot}" + (" (no display found)" if headless else ""))
        window.close()
        return 1 if error else 0
    if error:
        QMessageBox.warning(window, "Workbench", error)
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
