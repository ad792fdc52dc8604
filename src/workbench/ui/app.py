"""Start the desktop app; on a machine without a screen, render a screenshot instead.

``workbench gui [PROJECT] [--step data|identity|...] [--theme light|dark] [--screenshot PNG]``
``--startup-time`` prints how long it took until the window was shown, then quits.
"""

from __future__ import annotations

import time

_STARTED = time.perf_counter()

import argparse  # noqa: E402 - the clock starts before anything heavy is imported
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

STEP_KEYS = ("data", "identity", "segments", "decisions", "export")
"""The registry's keys, repeated here so ``--help`` does not import Qt."""


def _headless() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return os.environ["QT_QPA_PLATFORM"] in ("offscreen", "minimal")
    if sys.platform.startswith("linux"):
        return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return False


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="workbench gui", description="Open the desktop app.")
    parser.add_argument("project", nargs="?", type=Path, help="project file to open")
    parser.add_argument("--screenshot", type=Path, metavar="PNG", help="render to PNG and exit")
    parser.add_argument("--step", choices=STEP_KEYS, help="show this step of the workflow")
    parser.add_argument("--theme", choices=("system", "light", "dark"), help="override the theme")
    parser.add_argument("--size", default="1360x860", help="window size for --screenshot (WxH)")
    parser.add_argument(
        "--startup-time", action="store_true", help="print the time until the window is shown"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    headless = _headless()
    if headless:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        if args.screenshot is None and not args.startup_time:
            args.screenshot = Path("workbench-screenshot.png")

    from PySide6.QtCore import QTimer  # noqa: PLC0415
    from PySide6.QtWidgets import QApplication  # noqa: PLC0415

    from workbench.ui.main_window import MainWindow  # noqa: PLC0415
    from workbench.ui.navigation import app_icon  # noqa: PLC0415
    from workbench.ui.screenshot import save_png, wait_until_idle  # noqa: PLC0415
    from workbench.ui.settings import APPLICATION, ORGANISATION, AppSettings  # noqa: PLC0415
    from workbench.ui.theme import ThemeManager  # noqa: PLC0415

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("Personalization Workbench")
    app.setWindowIcon(app_icon())
    app.setStyle("Fusion")
    settings = AppSettings()
    themes = ThemeManager(app, args.theme or settings.theme)
    themes.apply()
    window = MainWindow(settings=settings, themes=themes)
    errors: list[str] = []
    if args.screenshot is not None or args.startup_time:
        window.confirm = lambda *_question: True  # nobody is there to answer
        window.session.sig_error.disconnect()
        window.session.sig_error.connect(lambda _t, message, _d: errors.append(message))
        w, _, h = args.size.partition("x")
        window.resize(int(w), int(h))
    if args.project is not None:
        window.open_path(args.project)
    if args.step and window.session.project is not None:
        window.show_step(args.step)
    window.show()

    if args.startup_time:

        def shown() -> None:
            print(
                f"window shown after {time.perf_counter() - _STARTED:.3f} s (app import to shown)"
            )
            window.close()

        QTimer.singleShot(0, shown)
        app.exec()
        return 1 if errors else 0
    if args.screenshot is not None:
        wait_until_idle(window.runner)
        save_png(window, args.screenshot)
        for message in errors:
            print(f"error: {message}", file=sys.stderr)
        print(
            f"Rendered the window to {args.screenshot}"
            + (" (no display found)" if headless else "")
        )
        window.close()
        return 1 if errors else 0
    return int(app.exec())


if __name__ == "__main__":
    raise SystemExit(main())
