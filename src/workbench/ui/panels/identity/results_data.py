"""What the Results page shows of one run, gathered off the GUI thread from the engine: the
run's kept summary, the list of runs to pick from, and the score on the analyst's labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from workbench.identity.labels import LabelScore, label_score
from workbench.identity.runs import list_identity_runs, resolve_run, run_summary
from workbench.project import Project
from workbench.tasks import Task

STAGES = {
    "records": "Normalising records",
    "blocking": "Blocking",
    "comparisons": "Comparing pairs",
    "training": "Training the model",
    "scoring": "Scoring",
    "clustering": "Clustering",
    "profiles": "Profiles and events",
    "evaluation": "Evaluation",
}
"""Timing keys of a run summary, as the user reads them (in pipeline order)."""


@dataclass
class RunResults:
    runs: list[dict[str, Any]]
    """Every identity run, oldest first (list_identity_runs)."""
    run_id: str | None
    """The run shown (None: no run yet)."""
    summary: dict[str, Any] = field(default_factory=dict)
    labels: LabelScore | None = None
    """Precision/recall on the analyst's labels (None when nothing is labelled)."""

    @property
    def evaluation(self) -> dict[str, Any] | None:
        return self.summary.get("evaluation") or None

    @property
    def threshold_curve(self) -> list[dict[str, float]]:
        return (self.evaluation or {}).get("threshold_curve") or []

    @property
    def threshold(self) -> float | None:
        """The run's probabilistic match threshold (None: deterministic rules only)."""
        model = (self.summary.get("rules") or {}).get("probabilistic")
        return float(model["threshold"]) if model else None

    @property
    def rules_name(self) -> str:
        return str((self.summary.get("rules") or {}).get("name", ""))

    def timings(self) -> list[tuple[str, float]]:
        seconds = self.summary.get("seconds") or {}
        return [(label, float(seconds[k])) for k, label in STAGES.items() if k in seconds]


def gather(project: Project, run_id: str | None, task: Task) -> RunResults:
    """The results of ``run_id`` (the current run when None); RunResults(run_id=None) if
    there is no run yet."""
    runs = list_identity_runs(project)
    if not runs:
        return RunResults(runs, None)
    task.check()
    cur = project.cursor()
    try:
        run = resolve_run(cur, run_id)
        summary = run_summary(cur, run)
    finally:
        cur.close()
    task.check()
    score = label_score(project, run)
    return RunResults(runs, run, summary, score if score.labeled else None)
