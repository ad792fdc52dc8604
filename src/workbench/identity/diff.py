"""What changed between two identity runs: profiles merged, split or kept; records moved."""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.identity.runs import resolve_run
from workbench.project.store import Project


@dataclass
class RunDiff:
    run_a: str
    run_b: str
    profiles_a: int
    profiles_b: int
    kept: int
    merged: int
    split: int
    changed: int
    """Profiles of B that are neither kept nor a pure merge or split (records moved)."""
    records_moved: int
    merges: list[dict] = field(default_factory=list)
    splits: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def diff_runs(project: Project, run_a: str, run_b: str, limit: int = 50) -> RunDiff:
    cur = project.cursor()
    try:
        a = resolve_run(cur, run_a)
        b = resolve_run(cur, run_b)
        cur.execute(
            """CREATE OR REPLACE TEMP TABLE __wb_diff AS
            SELECT ca.profile_id AS pa, cb.profile_id AS pb, count(*) AS n
            FROM identity.clusters ca JOIN identity.clusters cb
              ON ca.source = cb.source AND ca.record_id = cb.record_id
            WHERE ca.run_id = ? AND cb.run_id = ? GROUP BY ALL""",
            [a, b],
        )
        profiles_a, profiles_b = cur.execute(
            "SELECT count(DISTINCT pa), count(DISTINCT pb) FROM __wb_diff"
        ).fetchone()
        cur.execute(
            """CREATE OR REPLACE TEMP TABLE __wb_diff_b AS
            SELECT pb, count(*) AS parts, sum(n) AS records,
                   bool_and(n = (SELECT sum(n) FROM __wb_diff d2 WHERE d2.pa = d.pa)) AS whole_parts
            FROM __wb_diff d GROUP BY pb"""
        )
        cur.execute(
            """CREATE OR REPLACE TEMP TABLE __wb_diff_a AS
            SELECT pa, count(*) AS parts, sum(n) AS records,
                   bool_and(n = (SELECT sum(n) FROM __wb_diff d2 WHERE d2.pb = d.pb)) AS whole_parts
            FROM __wb_diff d GROUP BY pa"""
        )
        kept = cur.execute(
            "SELECT count(*) FROM __wb_diff_b b WHERE parts = 1 AND whole_parts"
        ).fetchone()[0]
        merged = cur.execute(
            "SELECT count(*) FROM __wb_diff_b WHERE parts > 1 AND whole_parts"
        ).fetchone()[0]
        split = cur.execute(
            "SELECT count(*) FROM __wb_diff_a WHERE parts > 1 AND whole_parts"
        ).fetchone()[0]
        # A B profile that is one whole part of a clean split is not an "other" change.
        changed = cur.execute(
            """SELECT count(*) FROM __wb_diff_b b WHERE NOT b.whole_parts AND NOT (
                b.parts = 1 AND (SELECT bool_and(a.whole_parts) FROM __wb_diff d
                    JOIN __wb_diff_a a ON a.pa = d.pa WHERE d.pb = b.pb))"""
        ).fetchone()[0]
        # Records that left the largest part of their old profile.
        moved = cur.execute(
            "SELECT coalesce(sum(total - biggest), 0) FROM (SELECT sum(n) AS total, "
            "max(n) AS biggest FROM __wb_diff GROUP BY pa)"
        ).fetchone()[0]
        merges = [
            {"profile": pb, "from": list(pas), "records": int(records)}
            for pb, pas, records in cur.execute(
                "SELECT pb, list(pa ORDER BY pa), sum(n) FROM __wb_diff WHERE pb IN "
                "(SELECT pb FROM __wb_diff_b WHERE parts > 1) GROUP BY pb ORDER BY sum(n) DESC, pb "
                "LIMIT ?",
                [limit],
            ).fetchall()
        ]
        splits = [
            {"profile": pa, "into": list(pbs), "records": int(records)}
            for pa, pbs, records in cur.execute(
                "SELECT pa, list(pb ORDER BY pb), sum(n) FROM __wb_diff WHERE pa IN "
                "(SELECT pa FROM __wb_diff_a WHERE parts > 1) GROUP BY pa ORDER BY sum(n) DESC, pa "
                "LIMIT ?",
                [limit],
            ).fetchall()
        ]
    finally:
        cur.close()
    return RunDiff(
        a, b, profiles_a, profiles_b, kept, merged, split, changed, int(moved), merges, splits
    )
