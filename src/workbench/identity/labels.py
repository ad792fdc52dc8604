"""Analyst labels on record pairs (same person / different people / unsure)."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.identity.runs import RecordRef, resolve_run
from workbench.project.errors import WorkbenchError
from workbench.project.store import Project, utcnow

LABELS = ("same", "different", "unsure")


def ensure_labels_table(cur) -> None:
    cur.execute(
        # Files written before meta.labels was part of the schema.
        "CREATE TABLE IF NOT EXISTS meta.labels (a_source VARCHAR, a_record VARCHAR, "
        "b_source VARCHAR, b_record VARCHAR, label VARCHAR NOT NULL, labeled_at TIMESTAMP, "
        "PRIMARY KEY (a_source, a_record, b_source, b_record))"
    )


def set_label(project: Project, left: RecordRef, right: RecordRef, label: str) -> None:
    if label not in LABELS:
        raise WorkbenchError(f"label must be one of {', '.join(LABELS)}, not '{label}'")
    a, b = sorted([left, right], key=lambda r: (r.source, r.record_id))
    with project.transaction() as cur:
        ensure_labels_table(cur)
        cur.execute(
            "INSERT OR REPLACE INTO meta.labels VALUES (?, ?, ?, ?, ?, ?)",
            [a.source, a.record_id, b.source, b.record_id, label, utcnow()],
        )


@dataclass
class LabelScore:
    labeled: int
    same: int
    different: int
    precision: float | None
    recall: float | None

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def label_score(project: Project, run_id: str | None = None) -> LabelScore:
    """Precision and recall of a run's profiles on the analyst's sure labels."""
    cur = project.cursor()
    try:
        run = resolve_run(cur, run_id)
        exists = cur.execute(
            "SELECT count(*) FROM duckdb_tables() "
            "WHERE schema_name = 'meta' AND table_name = 'labels'"
        ).fetchone()[0]
        rows = (
            []
            if not exists
            else cur.execute(
                """SELECT l.label, ca.profile_id = cb.profile_id FROM meta.labels l
            JOIN identity.clusters ca ON ca.run_id = ? AND ca.source = l.a_source
                AND ca.record_id = l.a_record
            JOIN identity.clusters cb ON cb.run_id = ? AND cb.source = l.b_source
                AND cb.record_id = l.b_record
            WHERE l.label <> 'unsure'""",
                [run, run],
            ).fetchall()
        )
    finally:
        cur.close()
    tp = sum(1 for label, together in rows if label == "same" and together)
    fp = sum(1 for label, together in rows if label == "different" and together)
    fn = sum(1 for label, together in rows if label == "same" and not together)
    same = sum(1 for label, _ in rows if label == "same")
    return LabelScore(
        len(rows),
        same,
        len(rows) - same,
        tp / (tp + fp) if tp + fp else None,
        tp / (tp + fn) if tp + fn else None,
    )
