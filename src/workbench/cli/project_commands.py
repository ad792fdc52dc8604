"""``new``, ``info``, ``remove``, ``rejects``: commands about a project and its sources."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli.output import print_json, print_table
from workbench.project import Project
from workbench.project.definitions import list_definitions, list_runs
from workbench.project.sources import list_rejects, list_sources, remove_source


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="create an empty project file")
    p.add_argument("project", type=Path)
    p.add_argument("--name", help="project name shown in the app (default: file name)")
    p.set_defaults(handler=cmd_new)

    p = sub.add_parser("info", help="list a project's sources, definitions and runs")
    p.add_argument("project", type=Path)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_info)

    p = sub.add_parser("remove", help="remove a source and its data from a project")
    p.add_argument("project", type=Path)
    p.add_argument("source")
    p.set_defaults(handler=cmd_remove)

    p = sub.add_parser("rejects", help="show the rows of a source that could not be imported")
    p.add_argument("project", type=Path)
    p.add_argument("source")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_rejects)


def cmd_new(args: argparse.Namespace) -> int:
    path = args.project
    if path.suffix != ".wbproj":
        path = path.with_name(path.name + ".wbproj")
    with Project.create(path, name=args.name):
        pass
    print(f"Created {path}")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    with Project.open(args.project, read_only=True) as project:
        info = project.info()
        sources = list_sources(project)
        definitions = list_definitions(project)
        runs = list_runs(project)
        size = project.file_size()
    if args.json:
        print_json(
            {
                "project": {**info, "path": str(args.project), "size_bytes": size},
                "sources": [s.as_dict() for s in sources],
                "definitions": [d.__dict__ for d in definitions],
                "runs": [r.__dict__ for r in runs],
            }
        )
        return 0
    print(f"Project {info.get('name')}  ({args.project}, {size / 1e6:.1f} MB)")
    print(
        f"  format {info.get('format_version')}, created {info.get('created_at')} by "
        f"Workbench {info.get('created_by')}, last written by {info.get('written_by')}"
    )
    print()
    if not sources:
        print("No sources yet. Import one with: workbench import PROJECT FILE --kind profiles")
    else:
        print("Sources")
        print_table(
            ["name", "kind", "rows", "rejects", "format", "imported (UTC)", "seconds", "file"],
            [
                [
                    s.name,
                    s.kind,
                    s.rows,
                    s.rejects,
                    s.file_format,
                    f"{s.imported_at:%Y-%m-%d %H:%M}",
                    s.import_seconds,
                    Path(s.file).name,
                ]
                for s in sources
            ],
            indent="  ",
        )
        for s in sources:
            roles = [
                f"{c.name}={c.role}" for c in s.columns if c.role not in ("attribute", "property")
            ]
            extra = [c.name for c in s.columns if c.role in ("attribute", "property")]
            print(f"\n  {s.name}: " + ", ".join(roles))
            if extra:
                label = "attributes" if s.kind == "profiles" else "properties"
                print(f"    {label}: " + ", ".join(extra))
            if s.record_key:
                print(f"    record key: {s.record_key}")
            if s.event_type:
                print(f"    event type for every row: {s.event_type}")
            for note in s.notes:
                print(f"    note: {note}")
    print()
    print(
        f"Definitions: {len(definitions)}"
        + "".join(f"\n  {d.kind} {d.name} v{d.version}" for d in definitions)
    )
    print(f"Runs: {len(runs)}" + "".join(f"\n  {r.run_id} {r.kind} {r.status}" for r in runs))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with Project.open(args.project) as project:
        remove_source(project, args.source)
    print(f"Removed source '{args.source}' and its data.")
    return 0


def cmd_rejects(args: argparse.Namespace) -> int:
    with Project.open(args.project, read_only=True) as project:
        rejects = list_rejects(project, args.source, limit=args.limit)
    if args.json:
        print_json([r.__dict__ for r in rejects])
        return 0
    if not rejects:
        print(f"Source '{args.source}' has no rejected rows.")
        return 0
    print_table(
        ["line", "record", "column", "reason", "raw"],
        [[r.line, r.record, r.column, r.reason, r.raw] for r in rejects],
    )
    return 0
