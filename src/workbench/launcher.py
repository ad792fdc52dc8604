"""The ``workbench`` command: the desktop app for ``gui`` (or no arguments), else the CLI.

Kept outside ``workbench.cli`` so the command line never imports Qt.
"""

from __future__ import annotations

import importlib
import sys


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] == "gui":
        app = importlib.import_module("workbench.ui.app")
        return int(app.main(args[1:] if args else []))
    cli = importlib.import_module("workbench.cli.main")
    return int(cli.main(args))


if __name__ == "__main__":
    raise SystemExit(main())
