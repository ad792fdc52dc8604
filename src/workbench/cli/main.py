"""Argument parsing and dispatch for the ``workbench`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import duckdb

from workbench import __version__
from workbench.cli import (
    data_commands,
    identity_commands,
    project_commands,
    review_commands,
    segment_commands,
)
from workbench.project.errors import WorkbenchError
from workbench.tasks import Cancelled

EXIT_ERROR = 1
EXIT_CANCELLED = 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Personalization Workbench: prototype identity rules, segments and "
        "decision strategies offline. Run without arguments to open the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    gui = sub.add_parser("gui", help="open the desktop app (optionally on a project)")
    gui.add_argument("project", nargs="?", help="project file to open")
    gui.add_argument("--screenshot", metavar="PNG", help="render the window to PNG and exit")
    project_commands.register(sub)
    data_commands.register(sub)
    identity_commands.register(sub)
    review_commands.register(sub)
    segment_commands.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "gui":
        parser.error("the desktop app is started by the 'workbench' command itself")
    try:
        return int(args.handler(args) or 0)
    except Cancelled:
        print("Cancelled; the project is unchanged.", file=sys.stderr)
        return EXIT_CANCELLED
    except KeyboardInterrupt:
        print("\nInterrupted; the project is unchanged.", file=sys.stderr)
        return EXIT_CANCELLED
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except duckdb.Error as exc:  # e.g. a damaged block found mid-query
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"error: the project could not be read or written: {first}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
