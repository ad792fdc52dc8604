"""``import``, ``preview``, ``sample``, ``demo``: commands that bring data in."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from workbench.cli.output import print_json, print_table
from workbench.cli.progress import ProgressBar
from workbench.ingest import ImportOptions, ReadOptions, import_file, preview_file
from workbench.ingest.errors import IngestError
from workbench.ingest.formats import FORMATS
from workbench.ingest.roles import KINDS
from workbench.project import Project


def _pairs(values: list[str] | None, flag: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or []:
        column, sep, value = item.rpartition("=")
        if not sep or not column or not value:
            raise IngestError(f"{flag} {item!r}: expected COLUMN=VALUE")
        out[column] = value.strip()
    return out


def _add_read_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("reading (sniffed from the file unless given)")
    g.add_argument("--format", choices=FORMATS, help="file format")
    g.add_argument("--delimiter", help="field delimiter, e.g. ';' or '\\t'")
    g.add_argument("--quote", help="quote character ('' for none)")
    hdr = g.add_mutually_exclusive_group()
    hdr.add_argument("--header", dest="header", action="store_true", default=None)
    hdr.add_argument("--no-header", dest="header", action="store_false")
    g.add_argument("--encoding", help="text encoding, e.g. cp1252, latin-1, utf-16")
    g.add_argument("--date-format", help="strptime format for dates, e.g. %%d/%%m/%%Y")
    g.add_argument("--sheet", help="Excel sheet name or number (default: the first)")
    g.add_argument("--skip", type=int, help="lines to skip before the header")


def _read_options(args: argparse.Namespace) -> ReadOptions:
    delimiter = args.delimiter
    if delimiter in ("\\t", "tab", "TAB"):
        delimiter = "\t"
    return ReadOptions(
        format=args.format,
        delimiter=delimiter,
        quote=args.quote,
        header=args.header,
        encoding=args.encoding,
        date_format=args.date_format,
        sheet=args.sheet,
        skip=args.skip,
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import a data file as a source of a project")
    p.add_argument("project", type=Path)
    p.add_argument("file", type=Path)
    p.add_argument("--kind", choices=KINDS, required=True, help="profile or event data")
    p.add_argument("--name", help="source name (default: from the file name)")
    p.add_argument("--map", action="append", metavar="COLUMN=ROLE", help="set a column's role")
    p.add_argument(
        "--type",
        action="append",
        metavar="COLUMN=TYPE",
        help="set a column's type: text, integer, decimal, boolean, date, timestamp",
    )
    p.add_argument("--event-type", help="event type for every row (when no column has one)")
    p.add_argument("--replace", action="store_true", help="replace a source of the same name")
    p.add_argument("--json", action="store_true", help="print the import report as JSON")
    _add_read_options(p)
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("preview", help="show a file's first rows, types and suggested roles")
    p.add_argument("file", type=Path)
    p.add_argument("--kind", choices=KINDS, default="profiles")
    p.add_argument("--rows", type=int, default=10)
    p.add_argument("--map", action="append", metavar="COLUMN=ROLE")
    p.add_argument("--type", action="append", metavar="COLUMN=TYPE")
    p.add_argument("--json", action="store_true", help="print JSON")
    _add_read_options(p)
    p.set_defaults(handler=cmd_preview)

    p = sub.add_parser("sample", help="generate the sample retail data set")
    p.add_argument("--people", "--profiles", type=int, default=5000, dest="people")
    p.add_argument("--out", type=Path, required=True, help="folder for the data files")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--events-per-person", type=float, default=20.0)
    p.add_argument("--project", type=Path, help="also build a project from the files")
    p.set_defaults(handler=cmd_sample)

    p = sub.add_parser("demo", help="build (once) the demo project and print its path")
    p.add_argument(
        "--path", type=Path, help="project file or folder to put it in (default: sample_projects/)"
    )
    p.add_argument("--rebuild", action="store_true")
    p.set_defaults(handler=cmd_demo)


def cmd_import(args: argparse.Namespace) -> int:
    options = ImportOptions(
        kind=args.kind,
        name=args.name,
        roles=_pairs(args.map, "--map"),
        types=_pairs(args.type, "--type"),
        event_type=args.event_type,
        replace=args.replace,
        read=_read_options(args),
    )
    bar = ProgressBar()
    with Project.open(args.project) as project:
        try:
            report = import_file(project, args.file, options, bar.task())
        finally:
            bar.finish()
    if args.json:
        print_json(report.as_dict())
        return 0
    verb = "Replaced" if report.replaced else "Imported"
    print(
        f"{verb} source '{report.source}' ({report.kind}) from {Path(report.file).name}: "
        f"{report.rows:,} rows, {report.rejects:,} rejected, {report.seconds:.1f} s"
    )
    print_table(
        ["column", "role", "type"],
        [[c.name, c.role, c.type.label] for c in report.columns],
        indent="  ",
    )
    for note in report.notes:
        print(f"  note: {note}")
    if report.rejects:
        print(f"  see the rejected rows with: workbench rejects {args.project} {report.source}")
    return 0


def cmd_preview(args: argparse.Namespace) -> int:
    options = ImportOptions(
        kind=args.kind,
        roles=_pairs(args.map, "--map"),
        types=_pairs(args.type, "--type"),
        read=_read_options(args),
    )
    preview = preview_file(args.file, options)
    if args.json:
        print_json(preview.as_dict(max_rows=args.rows))
        return 0
    opts = ", ".join(f"{k}={v!r}" for k, v in preview.options.items())
    print(f"{preview.file}  [{preview.file_format}; {opts}]")
    for note in preview.notes:
        print(f"note: {note}")
    print()
    print_table(
        ["column", "type", "suggested role", "why"],
        [[c.name, c.type.label, c.role, c.reason] for c in preview.columns],
    )
    print()
    names = [c.name for c in preview.columns]
    print_table(names, preview.rows[: args.rows])
    if preview.rejects:
        print(f"\n{len(preview.rejects)} line(s) in the first rows could not be read, e.g.:")
        for line, reason in preview.rejects[:5]:
            print(f"  line {line}: {reason}")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    from workbench.sample import generate  # noqa: PLC0415 - heavy, only for this command
    from workbench.sample.demo_project import build_project  # noqa: PLC0415

    bar = ProgressBar()
    started = time.perf_counter()
    try:
        manifest = generate(
            args.out,
            args.people,
            seed=args.seed,
            events_per_person=args.events_per_person,
            task=bar.task(),
        )
    finally:
        bar.finish()
    print(
        f"Wrote {len(manifest.sources)} files for {args.people:,} people to {args.out} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if args.project:
        try:
            build_project(args.project, args.out, manifest, bar.task())
        finally:
            bar.finish()
        print(f"Built project {args.project}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from workbench.sample.demo_project import ensure_demo_project  # noqa: PLC0415

    bar = ProgressBar()
    try:
        path = ensure_demo_project(args.path, rebuild=args.rebuild, task=bar.task())
    finally:
        bar.finish()
    sys.stdout.write(f"{path}\n")
    return 0
