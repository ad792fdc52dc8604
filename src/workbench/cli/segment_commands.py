"""``workbench segment PROJECT list|show|count|members|save|delete|rename|templates|template``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from workbench.cli.output import print_json, print_table
from workbench.project import Project
from workbench.segments.errors import SegmentError
from workbench.segments.model import Segment


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("segment", help="list, show, count, export and save segments")
    p.add_argument("project", type=Path)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    a = actions.add_parser("list", help="saved segments")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=cmd_list)

    a = actions.add_parser("show", help="a saved segment's definition")
    a.add_argument("name")
    a.add_argument("--version", type=int)
    a.add_argument("--json", action="store_true", help="print the definition as JSON")
    a.add_argument("--sql", action="store_true", help="print the compiled SQL")
    a.set_defaults(handler=cmd_show)

    a = actions.add_parser("count", help="how many profiles are members")
    _target(a)
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=cmd_count)

    a = actions.add_parser("members", help="list members, or export them with --out")
    _target(a)
    a.add_argument("--out", type=Path, help="write members to a .csv or .parquet file")
    a.add_argument("--limit", type=int, help="print at most N member ids")
    a.set_defaults(handler=cmd_members)

    a = actions.add_parser("save", help="validate a segment JSON file and store it")
    a.add_argument("file", type=Path)
    a.set_defaults(handler=cmd_save)

    a = actions.add_parser("delete", help="remove a saved segment and its history")
    a.add_argument("name")
    a.set_defaults(handler=cmd_delete)

    a = actions.add_parser("rename", help="rename a saved segment (keeps its history)")
    a.add_argument("name")
    a.add_argument("new_name")
    a.set_defaults(handler=cmd_rename)

    a = actions.add_parser("templates", help="segment templates and whether the data fits")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=cmd_templates)

    a = actions.add_parser("template", help="a template as a segment for this project")
    a.add_argument("key")
    a.add_argument("--name", help="name of the segment (default: the template's title)")
    a.add_argument("--save", action="store_true", help="store it as a saved segment")
    a.set_defaults(handler=cmd_template)


def _target(a: argparse.ArgumentParser) -> None:
    which = a.add_mutually_exclusive_group(required=True)
    which.add_argument("name", nargs="?", help="a saved segment")
    which.add_argument("--file", type=Path, help="a segment JSON file (not saved)")
    a.add_argument("--as-of", type=_instant, help="the instant read as now (ISO, UTC)")


def _instant(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date and time (e.g. 2024-06-30 or 2024-06-30T23:59:59)"
        ) from None


def read_segment_file(path: Path) -> Segment:
    """A segment JSON file, validated; errors name the file, line or field path."""
    from workbench.segments.store import parse_segment  # noqa: PLC0415

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SegmentError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise SegmentError(f"{path}: not a UTF-8 text file") from None
    except json.JSONDecodeError as exc:
        raise SegmentError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    return parse_segment(data, str(path))


def _segment(project: Project, args: argparse.Namespace) -> Segment:
    from workbench.segments.store import load_segment  # noqa: PLC0415

    if args.file is not None:
        return read_segment_file(args.file)
    return load_segment(project, args.name)


def cmd_list(args: argparse.Namespace) -> int:
    from workbench.segments.store import list_segments  # noqa: PLC0415

    with Project.open(args.project, read_only=True) as project:
        infos = list_segments(project)
    if args.json:
        print_json([i.__dict__ for i in infos])
        return 0
    if not infos:
        print("No saved segments.")
        return 0
    print_table(
        ["segment", "version", "saved at (UTC)", "description"],
        [[i.name, i.version, i.saved_at.strftime("%Y-%m-%d %H:%M"), i.description] for i in infos],
    )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from workbench.segments.describe import describe_segment  # noqa: PLC0415
    from workbench.segments.evaluate import segment_sql  # noqa: PLC0415
    from workbench.segments.store import load_segment  # noqa: PLC0415

    with Project.open(args.project, read_only=True) as project:
        segment = load_segment(project, args.name, args.version)
        compiled = segment_sql(project, segment) if args.sql else None
    if args.json:
        print_json(segment.model_dump(mode="json"))
        return 0
    if compiled is not None:
        print(compiled.sql)
        print(f"-- parameters: {json.dumps(compiled.params, default=str)}")
        return 0
    print(f"{segment.name}" + (f": {segment.description}" if segment.description else ""))
    for line in describe_segment(segment):
        print("  " + line)
    return 0


def cmd_count(args: argparse.Namespace) -> int:
    from workbench.cli.progress import ProgressBar  # noqa: PLC0415
    from workbench.segments.evaluate import count_segment  # noqa: PLC0415

    bar = ProgressBar()
    with Project.open(args.project) as project:
        segment = _segment(project, args)
        try:
            count = count_segment(project, segment, args.as_of, bar.task())
        finally:
            bar.finish()
    if args.json:
        print_json(
            {
                "segment": segment.name,
                "members": count.members,
                "profiles": count.profiles,
                "share": count.share,
                "as_of": count.as_of.isoformat(),
                "seconds": round(count.seconds, 4),
            }
        )
        return 0
    print(
        f"{segment.name}: {count.members:,} of {count.profiles:,} profiles "
        f"({count.share:.1%}) as of {count.as_of:%Y-%m-%d %H:%M:%S} UTC"
    )
    return 0


def cmd_members(args: argparse.Namespace) -> int:
    from workbench.cli.progress import ProgressBar  # noqa: PLC0415
    from workbench.segments.evaluate import member_ids  # noqa: PLC0415

    with Project.open(args.project) as project:
        segment = _segment(project, args)
        if args.out is not None:
            try:
                from workbench.segments.export import export_members  # noqa: PLC0415
            except ImportError:
                raise SegmentError("exporting members is not available in this build") from None
            bar = ProgressBar()
            try:
                rows = export_members(project, segment, args.out, args.as_of, bar.task())
            finally:
                bar.finish()
            print(f"Wrote {rows:,} members of {segment.name} to {args.out}")
            return 0
        ids = member_ids(project, segment, args.as_of, limit=args.limit)
    for pid in ids:
        print(pid)
    return 0


def cmd_save(args: argparse.Namespace) -> int:
    from workbench.segments.evaluate import segment_sql  # noqa: PLC0415
    from workbench.segments.store import save_segment  # noqa: PLC0415

    segment = read_segment_file(args.file)
    with Project.open(args.project) as project:
        segment_sql(project, segment, prepare=False)  # fields, types, references fit
        version = save_segment(project, segment)
    print(f"Saved segment '{segment.name}' version {version}")
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    from workbench.segments.store import delete_segment  # noqa: PLC0415

    with Project.open(args.project) as project:
        delete_segment(project, args.name)
    print(f"Deleted segment '{args.name}'")
    return 0


def cmd_rename(args: argparse.Namespace) -> int:
    from workbench.segments.store import rename_segment  # noqa: PLC0415

    with Project.open(args.project) as project:
        rename_segment(project, args.name, args.new_name)
    print(f"Renamed segment '{args.name}' to '{args.new_name}'")
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    from workbench.segments.catalog import load_catalog  # noqa: PLC0415
    from workbench.segments.templates import TEMPLATES, template_problem  # noqa: PLC0415

    with Project.open(args.project, read_only=True) as project:
        catalog = load_catalog(project)
    rows = [(t, template_problem(t.key, catalog) or "") for t in TEMPLATES]
    if args.json:
        print_json(
            [
                {
                    "key": t.key,
                    "title": t.title,
                    "description": t.description,
                    "category": t.category,
                    "needs": list(t.needs),
                    "available": not problem,
                    "problem": problem or None,
                }
                for t, problem in rows
            ]
        )
        return 0
    print_table(
        ["template", "title", "category", "fits this data"],
        [[t.key, t.title, t.category, "yes" if not p else "no"] for t, p in rows],
    )
    for t, problem in rows:
        if problem:
            print(f"  {t.key}: {problem}")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from workbench.segments.catalog import load_catalog  # noqa: PLC0415
    from workbench.segments.store import save_segment  # noqa: PLC0415
    from workbench.segments.templates import template_segment  # noqa: PLC0415

    with Project.open(args.project, read_only=not args.save) as project:
        segment = template_segment(args.key, load_catalog(project), args.name)
        if args.save:
            version = save_segment(project, segment)
            print(f"Saved segment '{segment.name}' version {version}")
            return 0
    print_json(segment.model_dump(mode="json"))
    return 0
