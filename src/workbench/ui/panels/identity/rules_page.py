"""The Rules page: load, suggest, edit and save a rule set; count its candidate pairs; run it.

Loading reads one stored definition (quick, on the GUI thread); counting and running are
engine jobs on the task runner with progress and Cancel, and a late count for rules that
have been edited since is dropped.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.identity.api import count_candidate_pairs, suggest_rules
from workbench.identity.blocking import BlockingCount
from workbench.identity.pipeline import RunReport, resolve
from workbench.identity.records import available_fields
from workbench.identity.ruleset import RuleSet
from workbench.identity.runs import RunNotFoundError, list_identity_runs, resolve_run, run_rules
from workbench.project import Project
from workbench.project.definitions import list_definitions, load_definition, save_definition
from workbench.project.errors import WorkbenchError
from workbench.project.sources import list_sources
from workbench.ui.panels.base import PanelContext
from workbench.ui.panels.identity.rules_draft import RulesDraft, untrained
from workbench.ui.panels.identity.rules_editor import RulesEditor
from workbench.ui.panels.identity.rules_probabilistic import MODEL, THRESHOLD_PATH
from workbench.ui.panels.identity.rules_widgets import text_edit
from workbench.ui.signals import emit
from workbench.ui.task_runner import Job
from workbench.ui.widgets import h_line, page_header

KIND = "identity"
"""Definition kind of identity rule sets (as the CLI stores them)."""
EMPTY: dict[str, Any] = {"name": "rules", "blocking": [], "rules": []}


def run_rules_json(project: Project, run_id: str | None = None) -> tuple[dict, str] | None:
    """The rule set a run used (the current one by default) and the run's id, or None."""
    cur = project.cursor()
    try:
        try:
            run = resolve_run(cur, run_id)
        except RunNotFoundError:
            return None
        return untrained(run_rules(cur, run).model_dump(mode="json")), run
    finally:
        cur.close()


def saved_rule_sets(project: Project) -> list[tuple[str, int]]:
    return [(d.name, d.version) for d in list_definitions(project) if d.kind == KIND]


class RulesPage(QWidget):
    """Edit the identity rule set and run it."""

    sig_run_finished = Signal(object)
    """A run finished and is now current: the RunReport."""

    def __init__(self, ctx: PanelContext, stack: QUndoStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.stack = stack
        self.project: Project | None = None
        self.draft = RulesDraft(EMPTY, self)
        self.run_job: Job | None = None
        self.count_job: Job | None = None
        self._edits = 0
        self.editor = RulesEditor(self.draft, stack)
        self.editing = self.editor.editing
        self._build()
        self.draft.sig_validated.connect(self._edited)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 16, 28, 14)
        outer.setSpacing(12)
        top = QHBoxLayout()
        top.setSpacing(8)
        head, self.title, self.origin = page_header("Matching rules", "")
        top.addLayout(head, 1)
        self.name_edit = text_edit(self.editing, ("name",), "rule set", "rule set name")
        self.name_edit.setFixedWidth(200)
        self.name_edit.setToolTip("Saved and run under this name")
        self.load_button = QPushButton("Load")
        self.load_button.setToolTip("Load the rules of a run, a saved rule set or a suggestion")
        self.load_menu = QMenu(self.load_button)
        self.load_menu.aboutToShow.connect(self._fill_load_menu)
        self.load_button.setMenu(self.load_menu)
        self.suggest_button = QPushButton("Suggest rules")
        self.suggest_button.setToolTip("Fill the editor from the mapped identity roles")
        self.suggest_button.clicked.connect(self.suggest)
        self.save_button = QPushButton("Save")
        self.save_button.setToolTip("Store this rule set in the project as a new version")
        self.save_button.clicked.connect(self.save)
        for widget in (self.name_edit, self.load_button, self.suggest_button, self.save_button):
            top.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)

        outer.addWidget(self.editor, 1)
        outer.addWidget(h_line())
        footer = QHBoxLayout()
        footer.setSpacing(8)
        self.status = QLabel("", objectName="muted")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setFixedWidth(200)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.count_button = QPushButton("Count candidate pairs")
        self.count_button.setToolTip("How many pairs each blocking rule makes, before running")
        self.count_button.clicked.connect(self.count_pairs)
        self.run_button = QPushButton("Run", objectName="primary")
        self.run_button.setToolTip("Resolve identities with these rules (the run becomes current)")
        self.run_button.clicked.connect(self.run)
        footer.addWidget(self.status, 1)
        for widget in (self.progress, self.cancel_button, self.count_button, self.run_button):
            footer.addWidget(widget, 0, Qt.AlignmentFlag.AlignVCenter)
        outer.addLayout(footer)
        self._update_actions()

    # ----------------------------------------------------------------- project
    def set_project(self, project: Project | None) -> None:
        """Show the rules of the project's current run (or a saved or suggested set)."""
        self.cancel(drop=True)
        self.project = project
        self.editor.blocking.set_counts(None)
        if project is None:
            self.draft.set_available(None)
            self._load(EMPTY, "No project open")
            return
        self.draft.set_available(available_fields(list_sources(project)))
        found = run_rules_json(project)
        if found is not None:
            data, run = found
            self._load(data, f"The rules of the current run, {run}")
        elif saved := saved_rule_sets(project):
            name, version = saved[-1]
            self._load(load_definition(project, KIND, name), f"Saved rule set '{name}' v{version}")
        else:
            self._suggest(undoable=False)
        self.stack.clear()

    def _load(self, data: dict[str, Any], origin: str, undoable: bool = False) -> None:
        if undoable:
            self.editing.replace(data, f"Load {origin[:1].lower()}{origin[1:]}")
        else:
            self.draft.replace(data)
        self.origin.setText(origin)
        self._update_actions()

    def _fill_load_menu(self) -> None:
        menu = self.load_menu
        menu.clear()
        project = self.project
        if project is None:
            menu.addAction("No project open").setEnabled(False)
            return
        runs = list(reversed(list_identity_runs(project)))
        for run in runs[:12]:
            current = "  (current)" if run["current"] else ""
            label = f"Run {run['run_id']}  ·  {run['rules']}{current}"
            menu.addAction(label, lambda r=run["run_id"]: self.load_run(r))
        if not runs:
            menu.addAction("No identity run yet").setEnabled(False)
        menu.addSeparator()
        saved = saved_rule_sets(project)
        for name, version in saved:
            menu.addAction(f"Saved: {name}  (v{version})", lambda n=name: self.load_saved(n))
        if not saved:
            menu.addAction("No saved rule set").setEnabled(False)
        menu.addSeparator()
        menu.addAction("Suggested from the mapped roles", self.suggest)

    def load_run(self, run_id: str) -> None:
        if self.project is None:
            return
        found = run_rules_json(self.project, run_id)
        if found is not None:
            self._load(found[0], f"The rules of run {found[1]}", undoable=True)

    def load_saved(self, name: str) -> None:
        if self.project is None:
            return
        data = load_definition(self.project, KIND, name)
        self._load(untrained(data), f"Saved rule set '{name}'", undoable=True)

    def suggest(self) -> bool:
        """Fill the editor from the mapped identity roles (the engine's --auto), undoably."""
        return self._suggest(undoable=True)

    def _suggest(self, undoable: bool) -> bool:
        if self.project is None:
            return False
        try:
            rules = suggest_rules(self.project)
        except WorkbenchError as exc:
            self._show_status(str(exc), error=True)
            if not undoable:
                self._load(EMPTY, "Nothing suggested yet")
            return False
        self._load(rules.model_dump(mode="json"), "Suggested from the mapped roles", undoable)
        return True

    def save(self) -> int | None:
        rules, project = self.draft.ruleset, self.project
        if rules is None or project is None or self.busy():
            return None
        version = save_definition(project, KIND, rules.name, rules.model_dump(mode="json"))
        self.origin.setText(f"Saved rule set '{rules.name}' v{version}")
        self._show_status(f"Saved '{rules.name}' as version {version}.")
        return version

    def set_threshold(self, threshold: float) -> bool:
        """Use ``threshold`` for the probabilistic model (from the results' threshold chart)."""
        if not isinstance(self.draft.get(MODEL), dict):
            return False
        self.editing.set(THRESHOLD_PATH, round(threshold, 6), f"Match threshold {threshold:g}")
        return True

    # -------------------------------------------------------------- edit state
    def _edited(self) -> None:
        """Counts belong to the rules they were made for: any edit makes them unknown."""
        self._edits += 1
        if self.editor.blocking.counts is not None:
            self.editor.blocking.set_counts(None)
        if self.count_job is None and self.run_job is None:
            self._show_problems()
        self._update_actions()

    def _show_problems(self) -> None:
        problems = self.draft.problems
        if not problems:
            ready = "Ready to run." if self.project is not None else "Open a project to run."
            self._show_status(ready)
            return
        first = problems[0].message.splitlines()[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        self._show_status(f"Fix to run: {first}{more}", error=True)

    def _show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        name = "error" if error else "muted"
        if self.status.objectName() != name:
            self.status.setObjectName(name)
            self.status.style().unpolish(self.status)
            self.status.style().polish(self.status)

    def _update_actions(self) -> None:
        ready = self.project is not None and self.draft.ruleset is not None
        busy = self.busy()
        self.run_button.setEnabled(ready and not busy)
        self.count_button.setEnabled(ready and not busy)
        self.save_button.setEnabled(ready and not busy)
        self.suggest_button.setEnabled(self.project is not None and not busy)
        self.load_button.setEnabled(self.project is not None and not busy)
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)

    def busy(self) -> bool:
        return self.run_job is not None or self.count_job is not None

    # ------------------------------------------------------------------- jobs
    def count_pairs(self) -> Job | None:
        rules, project = self.draft.ruleset, self.project
        if rules is None or project is None or self.busy():
            return None
        job = self.ctx.runner.start(
            f"Counting candidate pairs of '{rules.name}'",
            lambda task: count_candidate_pairs(project, rules, task),
            determinate=False,
            report=False,
            background=True,
        )
        edits = self._edits
        job.sig_finished.connect(lambda counts, j=job: self._counted(j, counts, edits, rules))
        job.sig_failed.connect(lambda message, _d, j=job: self._job_failed(j, message))
        job.sig_cancelled.connect(lambda j=job: self._job_cancelled(j, "Counting cancelled."))
        self.count_job = job
        self._started("Counting candidate pairs…")
        return job

    def _counted(self, job: Job, counts: list[BlockingCount], edits: int, rules: RuleSet) -> None:
        if job is not self.count_job:
            return
        self.count_job = None
        self._update_actions()
        if edits != self._edits:
            self._show_problems()  # the rules changed meanwhile: these counts are stale
            return
        self.editor.blocking.set_counts(counts)
        limit = rules.guardrails.max_pairs
        over = [c for c in counts if c.pairs > limit]
        total = sum(c.pairs for c in counts)
        if over:
            c = over[0]
            self._show_status(
                f"'{c.rule}' makes {c.pairs:,} candidate pairs, over the limit of {limit:,}: "
                "make it stricter or raise the pair limit in Guardrails.",
                error=True,
            )
        else:
            self._show_status(
                f"{total:,} candidate pairs from {len(counts)} blocking rules "
                "(a pair found by several rules is compared once)."
            )

    def run(self) -> Job | None:
        rules, project = self.draft.ruleset, self.project
        if rules is None or project is None or self.busy():
            return None
        rules = rules.model_copy(deep=True)  # the run stores trained values on its copy

        def work(task: Any) -> RunReport:
            save_definition(project, KIND, rules.name, rules.model_dump(mode="json"))
            return resolve(project, rules, task)

        job = self.ctx.runner.start(f"Resolving identities with '{rules.name}'", work, report=False)
        job.sig_progress.connect(self._progress)
        job.sig_finished.connect(lambda report, j=job: self._ran(j, report))
        job.sig_failed.connect(lambda message, _d, j=job: self._job_failed(j, message))
        cancelled = "Run cancelled; the previous run is still current."
        job.sig_cancelled.connect(lambda j=job: self._job_cancelled(j, cancelled))
        self.run_job = job
        self._started("Starting the run…")
        return job

    def _started(self, message: str) -> None:
        self.progress.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self._show_status(message)
        self._update_actions()

    def _progress(self, fraction: float, message: str) -> None:
        if fraction > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(fraction * 1000))
        if message:
            self._show_status(message + "…")

    def _ran(self, job: Job, report: RunReport) -> None:
        if job is not self.run_job:
            return
        self.run_job = None
        self._update_actions()
        self.origin.setText(f"The rules of the current run, {report.run_id}")
        self._show_status(
            f"Run {report.run_id}: {report.records:,} records → {report.profiles:,} profiles "
            f"(merge rate {report.merge_rate:.1%}) in {report.seconds.get('total', 0):.1f} s."
        )
        emit(self.sig_run_finished, report)

    def _job_failed(self, job: Job, message: str) -> None:
        if job is self.run_job:
            self.run_job = None
        elif job is self.count_job:
            self.count_job = None
        else:
            return
        self._update_actions()
        self._show_status(message, error=True)

    def _job_cancelled(self, job: Job, message: str) -> None:
        if job is not self.run_job and job is not self.count_job:
            return
        self.run_job = self.count_job = None
        self._update_actions()
        self._show_status(message)

    def cancel(self, drop: bool = False) -> None:
        """Cancel the running job; ``drop`` also forgets it (the project is going away)."""
        for job in (self.run_job, self.count_job):
            if job is not None:
                job.cancel()
        if drop:
            self.run_job = self.count_job = None
            self._update_actions()
        elif self.busy():
            self.cancel_button.setEnabled(False)
            self._show_status("Cancelling…")
