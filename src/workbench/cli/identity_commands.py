"""``resolve``, ``runs``, ``clusters``, ``explain``, ``diff``, ``suspicious``, ``label``."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli.output import print_json, print_table
from workbench.cli.progress import ProgressBar
from workbench.identity.diff import diff_runs
from workbench.identity.explain import explain
from workbench.identity.labels import LABELS, label_score, set_label
from workbench.identity.runs import RecordRef, RunNotFoundError, list_identity_runs
from workbench.identity.suspicious import suspicious_profiles
from workbench.project import Project
from workbench.project.definitions import save_definition


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("resolve", help="resolve identities into unified profiles")
    p.add_argument("project", type=Path)
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--auto", action="store_true", help="choose rules from the mapped roles")
    how.add_argument("--rules", type=Path, help="a rule set JSON file")
    p.add_argument(
        "--pairs-only", action="store_true", help="only count candidate pairs per blocking rule"
    )
    p.add_argument("--save-rules", type=Path, help="write the rule set used (trained) to this file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_resolve)

    p = sub.add_parser("runs", help="list identity runs")
    p.add_argument("project", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_runs)

    p = sub.add_parser("clusters", help="export source, record_id, profile_id per record")
    p.add_argument("project", type=Path)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--run")
    p.set_defaults(handler=cmd_clusters)

    p = sub.add_parser("explain", help="why two records are (or are not) one profile")
    p.add_argument("project", type=Path)
    p.add_argument("left", help="SOURCE:RECORD_ID")
    p.add_argument("right", help="SOURCE:RECORD_ID")
    p.add_argument("--run")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_explain)

    p = sub.add_parser("diff", help="profiles merged, split or kept between two runs")
    p.add_argument("project", type=Path)
    p.add_argument("run_a")
    p.add_argument("run_b")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_diff)

    p = sub.add_parser("suspicious", help="profiles worth checking for over-merges")
    p.add_argument("project", type=Path)
    p.add_argument("--run")
    p.add_argument("--limit", type=int, default=30)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_suspicious)

    p = sub.add_parser("label", help="label a record pair for evaluation")
    p.add_argument("project", type=Path)
    p.add_argument("left", help="SOURCE:RECORD_ID")
    p.add_argument("right", help="SOURCE:RECORD_ID")
    p.add_argument("label", choices=LABELS)
    p.set_defaults(handler=cmd_label)


def cmd_resolve(args: argparse.Namespace) -> int:
    # The resolver pulls in pandas and scipy; import it only when resolving.
    from workbench.identity.api import (  # noqa: PLC0415
        count_candidate_pairs,
        load_rules,
        suggest_rules,
    )
    from workbench.identity.pipeline import resolve  # noqa: PLC0415

    with Project.open(args.project) as project:
        rules = suggest_rules(project) if args.auto else load_rules(args.rules)
        if args.pairs_only:
            counts = count_candidate_pairs(project, rules)
            if args.json:
                print_json([c.as_dict() for c in counts])
            else:
                print_table(
                    ["blocking rule", "candidate pairs", "blocks", "values left out (too common)"],
                    [[c.rule, c.pairs, c.blocks, c.skipped_values] for c in counts],
                )
            return 0
        save_definition(project, "identity", rules.name, rules.model_dump(mode="json"))
        bar = ProgressBar()
        try:
            report = resolve(project, rules, bar.task())
        finally:
            bar.finish()
    if args.save_rules:
        args.save_rules.write_text(report.rules.model_dump_json(indent=2), encoding="utf-8")
    if args.json:
        print_json(report.summary())
        return 0
    print(
        f"Run {report.run_id}: {report.records:,} records -> {report.profiles:,} profiles "
        f"(merge rate {report.merge_rate:.1%}) in {report.seconds['total']:.1f} s"
    )
    print(
        f"  {report.candidate_pairs:,} candidate pairs, {report.matched_pairs:,} matched, "
        f"{report.refused_merges:,} merges refused by guardrails"
    )
    print_table(
        ["blocking rule", "pairs", "values left out"],
        [[b["rule"], b["pairs"], b["skipped_values"]] for b in report.blocking],
        indent="  ",
    )
    print("  profile sizes: " + ", ".join(f"{k}: {v:,}" for k, v in report.size_histogram.items()))
    print(f"  events linked to profiles: {report.linked_events:,} of {report.events:,}")
    if report.evaluation:
        e = report.evaluation
        print(
            f"  against truth_id: precision {e['precision']:.4f}, recall {e['recall']:.4f}, "
            f"F1 {e['f1']:.4f}; people with exactly one profile {e['exact_clusters']:.2%}"
        )
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    with Project.open(args.project, read_only=True) as project:
        runs = list_identity_runs(project)
    if args.json:
        print_json(runs)
        return 0
    print_table(
        ["run", "current", "rules", "records", "profiles", "merge rate", "F1", "seconds"],
        [
            [
                r["run_id"],
                "yes" if r["current"] else "",
                r["rules"],
                r["records"],
                r["profiles"],
                f"{r['merge_rate']:.1%}",
                "" if r["f1"] is None else f"{r['f1']:.4f}",
                r["seconds"],
            ]
            for r in runs
        ],
    )
    return 0


def cmd_clusters(args: argparse.Namespace) -> int:
    from workbench.identity.api import export_clusters  # noqa: PLC0415

    with Project.open(args.project, read_only=True) as project:
        n = export_clusters(project, args.out, args.run)
    print(f"Wrote {n:,} records to {args.out}")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    with Project.open(args.project, read_only=True) as project:
        result = explain(project, RecordRef.parse(args.left), RecordRef.parse(args.right), args.run)
    if args.json:
        print_json(result.as_dict())
        return 0
    print(f"{result.left} and {result.right} (run {result.run_id}): {result.verdict}")
    if result.fields:
        print_table(
            ["field", str(result.left), str(result.right), "comparison", "weight"],
            [[f.field, f.left, f.right, f.level, f.weight] for f in result.fields],
            indent="  ",
        )
        print(
            f"  total weight {result.score:+.2f} -> match probability {result.probability:.6f} "
            f"(threshold {result.threshold})"
        )
    if result.rules_matched:
        print("  rules that match: " + ", ".join(result.rules_matched))
    print("  blocking rules that pair them: " + (", ".join(result.blocking_rules) or "none"))
    for step in result.path:
        print(
            f"  {step['from']} -> {step['to']}: {step['rule']}, "
            f"probability {step['probability']:.4f}"
        )
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    with Project.open(args.project, read_only=True) as project:
        d = diff_runs(project, args.run_a, args.run_b)
    if args.json:
        print_json(d.as_dict())
        return 0
    print(f"{d.run_a} ({d.profiles_a:,} profiles) -> {d.run_b} ({d.profiles_b:,} profiles)")
    print(
        f"  kept {d.kept:,}, merged {d.merged:,}, split {d.split:,}, other changes {d.changed:,}; "
        f"{d.records_moved:,} records moved"
    )
    for m in d.merges[:10]:
        print(f"  merged into {m['profile']}: {', '.join(m['from'])}")
    for s in d.splits[:10]:
        print(f"  {s['profile']} split into {', '.join(s['into'])}")
    return 0


def cmd_suspicious(args: argparse.Namespace) -> int:
    with Project.open(args.project, read_only=True) as project:
        found = suspicious_profiles(project, args.run, args.limit)
    if args.json:
        print_json([s.as_dict() for s in found])
        return 0
    print_table(
        ["profile", "records", "why", "score"],
        [[s.profile_id, s.records, "; ".join(s.reasons), s.score] for s in found],
    )
    return 0


def cmd_label(args: argparse.Namespace) -> int:
    left, right = RecordRef.parse(args.left), RecordRef.parse(args.right)
    with Project.open(args.project) as project:
        set_label(project, left, right, args.label)
        try:
            score = label_score(project)
        except RunNotFoundError:
            score = None  # no run yet to score against
    print(f"Labelled {left} / {right} as '{args.label}'.")
    if score and score.labeled:
        p = "n/a" if score.precision is None else f"{score.precision:.3f}"
        r = "n/a" if score.recall is None else f"{score.recall:.3f}"
        print(f"  current run on {score.labeled} sure labels: precision {p}, recall {r}")
    return 0
