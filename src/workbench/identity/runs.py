"""Reading kept identity runs: their summaries, rule sets and record lookups."""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from workbench.identity.ruleset import RuleSet
from workbench.identity.store import current_run
from workbench.project.errors import WorkbenchError
from workbench.project.store import Project


class RunNotFoundError(WorkbenchError):
    """No such identity run, or no run yet."""


@dataclass(frozen=True)
class RecordRef:
    source: str
    record_id: str

    @classmethod
    def parse(cls, text: str) -> RecordRef:
        """``source:record_id`` (the record id may itself contain colons)."""
        source, sep, record = text.partition(":")
        if not sep or not source or not record:
            raise WorkbenchError(f"'{text}': give a record as SOURCE:RECORD_ID, e.g. crm:10042")
        return cls(source, record)

    def __str__(self) -> str:
        return f"{self.source}:{self.record_id}"


def resolve_run(cur: duckdb.DuckDBPyConnection, run_id: str | None) -> str:
    """The given run (checked) or the current one."""
    if run_id is None:
        try:
            run_id = current_run(cur)
        except duckdb.Error:
            run_id = None
        if run_id is None:
            raise RunNotFoundError(
                "no identity run yet; run 'workbench resolve PROJECT --auto' first"
            )
        return run_id
    row = cur.execute(
        "SELECT run_id FROM meta.runs WHERE kind = 'identity' AND (run_id = ? OR run_id LIKE ?) "
        "ORDER BY started_at DESC",
        [run_id, f"{run_id}%"],
    ).fetchall()
    if len(row) != 1:
        raise RunNotFoundError(
            f"no identity run '{run_id}'" if not row else f"'{run_id}' matches several runs"
        )
    return row[0][0]


def run_summary(cur: duckdb.DuckDBPyConnection, run_id: str) -> dict:
    row = cur.execute("SELECT summary FROM meta.runs WHERE run_id = ?", [run_id]).fetchone()
    if row is None:
        raise RunNotFoundError(f"no identity run '{run_id}'")
    return json.loads(row[0])


def run_rules(cur: duckdb.DuckDBPyConnection, run_id: str) -> RuleSet:
    return RuleSet.model_validate(run_summary(cur, run_id)["rules"])


def list_identity_runs(project: Project) -> list[dict]:
    cur = project.cursor()
    try:
        rows = cur.execute(
            "SELECT run_id, started_at, summary FROM meta.runs WHERE kind = 'identity' "
            "ORDER BY started_at"
        ).fetchall()
        current = current_run(cur)
    finally:
        cur.close()
    out = []
    for run_id, started, summary in rows:
        s = json.loads(summary)
        out.append(
            {
                "run_id": run_id,
                "started_at": started,
                "current": run_id == current,
                "rules": s["rules"]["name"],
                "records": s["records"],
                "profiles": s["profiles"],
                "merge_rate": s["merge_rate"],
                "f1": (s.get("evaluation") or {}).get("f1"),
                "seconds": s["seconds"].get("total"),
            }
        )
    return out


def current_run_summary(project: Project) -> dict | None:
    """The current identity run in brief (id, records, profiles), or None before the first."""
    runs = [r for r in list_identity_runs(project) if r["current"]]
    return runs[0] if runs else None


def record_rec(cur: duckdb.DuckDBPyConnection, run_id: str, ref: RecordRef) -> tuple[int, str]:
    """(rec number, profile id) of a record in a run."""
    row = cur.execute(
        "SELECT rec, profile_id FROM identity.clusters WHERE run_id = ? AND source = ? "
        "AND record_id = ?",
        [run_id, ref.source, ref.record_id],
    ).fetchone()
    if row is None:
        raise WorkbenchError(
            f"record {ref} is not in run {run_id} (check the source and record id)"
        )
    return int(row[0]), str(row[1])
