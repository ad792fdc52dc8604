"""Entry points the CLI and the UI call: load a rule set, count pairs, export clusters."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import duckdb
from pydantic import ValidationError

from workbench.identity import blocking
from workbench.identity.auto import auto_ruleset
from workbench.identity.pipeline import IdentityError
from workbench.identity.records import available_fields, build_records
from workbench.identity.ruleset import RuleSet
from workbench.identity.runs import resolve_run
from workbench.ingest.sqltext import formula_safe, literal
from workbench.project.sources import list_sources
from workbench.project.store import Project
from workbench.tasks import Task, interrupting


def load_rules(path: Path) -> RuleSet:
    """Read and validate a rule set file; errors name the field that is wrong."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IdentityError(f"{path}: no such file") from exc
    except json.JSONDecodeError as exc:
        raise IdentityError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from exc
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'rule set'}: {err['msg']}"
            for err in exc.errors()
        )
        raise IdentityError(f"{path}: {problems}") from exc


def suggest_rules(project: Project) -> RuleSet:
    """The rule set ``--auto`` would use, from the mapped identity roles."""
    try:
        return auto_ruleset(available_fields(list_sources(project)))
    except ValueError as exc:
        raise IdentityError(str(exc)) from exc


def count_candidate_pairs(
    project: Project, rules: RuleSet, task: Task | None = None
) -> list[blocking.BlockingCount]:
    """Pairs per blocking rule, without running anything (the work is rolled back);
    cancelling ``task`` interrupts the count."""
    sources = list_sources(project)
    try:
        rules.check_fields(available_fields(sources))
    except ValueError as exc:
        raise IdentityError(f"rule set '{rules.name}': {exc}") from exc
    cur = project.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        with interrupting(task, cur.interrupt):
            build_records(cur, sources, rules)
            return blocking.count_pairs(cur, rules)
    finally:
        with contextlib.suppress(duckdb.Error):
            cur.execute("ROLLBACK")
        cur.close()


def export_clusters(project: Project, out: Path, run_id: str | None = None) -> int:
    """source, record_id, profile_id per record, as CSV (safe to open in a spreadsheet)."""
    cur = project.cursor()
    try:
        run = resolve_run(cur, run_id)
        safe = ", ".join(f"{formula_safe(c)} AS {c}" for c in ("source", "record_id", "profile_id"))
        cur.execute(
            f"COPY (SELECT {safe} FROM identity.clusters WHERE run_id = {literal(run)} "
            f"ORDER BY source, record_id) TO {literal(str(out))} (HEADER, DELIMITER ',')"
        )
        return cur.execute(
            "SELECT count(*) FROM identity.clusters WHERE run_id = ?", [run]
        ).fetchone()[0]
    finally:
        cur.close()
