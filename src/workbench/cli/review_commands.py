"""``search`` (find a person's profile) and ``review`` (the pairs most worth labelling)."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli.output import print_json, print_table
from workbench.cli.progress import ProgressBar
from workbench.identity.review import label_counts, review_queue
from workbench.identity.search import find_profiles
from workbench.project import Project


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="find profiles by e-mail, name, phone or any id")
    p.add_argument("project", type=Path)
    p.add_argument("text", help="an e-mail, a name, a phone number, a record or profile id")
    p.add_argument("--run", help="search this identity run (default: the current one)")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("review", help="record pairs most worth labelling, with why")
    p.add_argument("project", type=Path)
    p.add_argument("--run", help="review this identity run (default: the current one)")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_review)


def cmd_search(args: argparse.Namespace) -> int:
    with Project.open(args.project, read_only=True) as project:
        found = find_profiles(project, args.text, args.run, args.limit)
    if args.json:
        print_json([m.as_dict() for m in found])
        return 0
    if not found:
        print(f"No profile matches '{args.text}'.")
        return 0
    print_table(
        ["profile", "records", "name", "email", "matched"],
        [[m.profile_id, m.records, m.name, m.email, ", ".join(m.matched)] for m in found],
    )
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    with Project.open(args.project, read_only=True) as project:
        bar = ProgressBar()
        try:
            queue = review_queue(project, args.run, args.limit, bar.task())
        finally:
            bar.finish()
        counts = label_counts(project)
    if args.json:
        print_json(queue.as_dict() | {"label_counts": counts})
        return 0
    print(
        f"Run {queue.run_id}: {len(queue.items):,} pairs to review"
        + (f" (threshold {queue.threshold:g})" if queue.threshold is not None else "")
        + f"; {counts['total']:,} labelled so far (same {counts['same']:,}, different "
        f"{counts['different']:,}, unsure {counts['unsure']:,})"
    )
    for note in queue.notes:
        print(f"  note: {note}")
    if queue.items:
        print_table(
            ["#", "kind", "left", "right", "probability", "why"],
            [
                [n, i.kind, str(i.left), str(i.right), _probability(i.probability), i.reasons[0]]
                for n, i in enumerate(queue.items, 1)
            ],
        )
        print("Label a pair with: workbench label PROJECT LEFT RIGHT same|different|unsure")
    return 0


def _probability(p: float | None) -> str:
    return "" if p is None else f"{p:.3f}"
