"""The Results page: one identity run (the current one unless another is picked) in figures,
charts and tables, and what a different match threshold would do to its profiles."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.project import Project
from workbench.ui.models import RowsModel
from workbench.ui.panels.base import PanelContext
from workbench.ui.panels.identity.results_charts import SizeHistogram
from workbench.ui.panels.identity.results_data import RunResults, gather
from workbench.ui.panels.identity.results_threshold_card import ThresholdCard
from workbench.ui.task_runner import Job
from workbench.ui.widgets import card, metric, page_header

METRICS = (
    ("profiles", "profiles"),
    ("records", "records"),
    ("merge_rate", "merge rate"),
    ("matched", "matched pairs"),
    ("refused", "merges refused"),
)
QUALITY = (("precision", "precision"), ("recall", "recall"), ("f1", "F1"))
CHART_HEIGHT = 300


def _local(when: object) -> str:
    if isinstance(when, dt.datetime):
        return when.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    return str(when)


def _table(model: RowsModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    header = view.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setStretchLastSection(False)
    return view


def _fit(view: QTableView) -> None:
    """First column takes the room; the figures fit their contents."""
    header = view.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for i in range(1, header.count()):
        header.setSectionResizeMode(i, QHeaderView.ResizeMode.ResizeToContents)
    rows = view.model().rowCount()
    height = header.sizeHint().height() + rows * view.verticalHeader().defaultSectionSize() + 4
    view.setFixedHeight(min(max(height, 60), 250))


def _top(widget: QWidget) -> QWidget:
    """``widget`` at the top of the room it gets (a card's content stretches)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widget)
    layout.addStretch(1)
    return box


class ResultsPage(QWidget):
    """A run's results; reload() follows the current run."""

    sig_use_threshold = Signal(float)
    """The user wants this match threshold in the rule set being edited."""
    sig_show_rules = Signal()
    """The user wants to go to the rules (there is no run to show yet)."""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.project: Project | None = None
        self.results: RunResults | None = None
        self.job: Job | None = None
        self._wanted: str | None = None
        self._build()
        self.set_project(ctx.session.project)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 16, 28, 14)
        outer.setSpacing(12)
        top = QHBoxLayout()
        head, self.title, self.subtitle = page_header("Results", "")
        top.addLayout(head, 1)
        top.addWidget(QLabel("Run", objectName="muted"), 0, Qt.AlignmentFlag.AlignVCenter)
        self.run_combo = QComboBox()
        self.run_combo.setMinimumWidth(300)
        self.run_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.run_combo.activated.connect(self._run_chosen)
        top.addWidget(self.run_combo, 0, Qt.AlignmentFlag.AlignVCenter)
        outer.addLayout(top)

        self.body = QStackedWidget()
        self.body.addWidget(self._build_empty())
        self.body.addWidget(self._build_results())
        outer.addWidget(self.body, 1)

    def _build_empty(self) -> QWidget:
        box = QFrame(objectName="card")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(10)
        layout.addStretch(1)
        self.empty_title = QLabel("No identity run yet", objectName="section")
        self.empty_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text = QLabel(
            "Set up the matching rules and press Run: the profiles, merge rate, profile sizes "
            "and, when the data has truth ids or labels, precision and recall show here.",
            objectName="muted",
        )
        self.empty_text.setWordWrap(True)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_text.setMaximumWidth(520)
        self.rules_button = QPushButton("Go to the rules", objectName="primary")
        self.rules_button.clicked.connect(self.sig_show_rules)
        layout.addWidget(self.empty_title)
        layout.addWidget(self.empty_text, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(6)
        layout.addWidget(self.rules_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return box

    def _build_results(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget(objectName="page")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 4, 4)
        layout.setSpacing(12)

        row = QHBoxLayout()
        row.setSpacing(12)
        self.metrics: dict[str, QLabel] = {}
        self.metric_frames: dict[str, QFrame] = {}
        for key, label in (*METRICS, *QUALITY):
            frame, number = metric("—", label)
            frame.setMinimumWidth(112)
            self.metrics[key] = number
            self.metric_frames[key] = frame
            row.addWidget(frame)
        row.addStretch(1)
        layout.addLayout(row)
        self.quality_note = QLabel("", objectName="muted")
        self.quality_note.setWordWrap(True)
        layout.addWidget(self.quality_note)

        grid = QGridLayout()
        grid.setSpacing(12)
        self.threshold = ThresholdCard(self.ctx.runner, CHART_HEIGHT - 64)
        self.threshold.sig_use_threshold.connect(self.sig_use_threshold)
        grid.addWidget(self.threshold, 0, 0)
        self.histogram = SizeHistogram()
        self.histogram.setFixedHeight(CHART_HEIGHT)
        grid.addWidget(card("Profile sizes", _top(self.histogram)), 0, 1)
        self.rules_model = RowsModel()
        self.rules_view = _table(self.rules_model)
        grid.addWidget(card("Matched pairs by rule", _top(self.rules_view)), 1, 0)
        self.timings_model = RowsModel()
        self.timings_view = _table(self.timings_model)
        self.timings_title = QLabel("Timings", objectName="section")
        grid.addWidget(card(self.timings_title, _top(self.timings_view)), 1, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        layout.addLayout(grid)
        layout.addStretch(1)
        scroll.setWidget(content)
        return scroll

    # ----------------------------------------------------------------- loading
    def set_project(self, project: Project | None) -> None:
        self.project = project
        self._wanted = None
        self.reload()

    def reload(self) -> Job | None:
        """Read the runs again and show the chosen run (the current one unless picked)."""
        return self.show_run(self._wanted)

    def show_run(self, run_id: str | None) -> Job | None:
        """Load and show ``run_id`` (None: the current run)."""
        if self.job is not None:
            self.job.cancel()
            self.job = None
        self._wanted = run_id
        project = self.project
        if project is None:
            self.threshold.clear()
            self.results = None
            self.subtitle.setText("No project open")
            self._show_empty("No project open", "Open a project to see its identity runs.")
            return None
        job = self.ctx.runner.start(
            "Reading the identity run",
            lambda task: gather(project, run_id, task),
            determinate=False,
            report=False,
            background=True,
        )
        job.sig_finished.connect(lambda results, j=job: self._loaded(j, results))
        job.sig_failed.connect(lambda message, _d, j=job: self._load_failed(j, message))
        self.job = job
        return job

    def _run_chosen(self, index: int) -> None:
        run_id = self.run_combo.itemData(index)
        current = self.results.run_id if self.results else None
        if run_id and run_id != current:
            self.show_run(run_id)

    def _loaded(self, job: Job, results: RunResults) -> None:
        if job is not self.job:
            return
        self.job = None
        self.results = results
        self._fill_runs(results)
        if results.run_id is None:
            self.threshold.clear()
            self.subtitle.setText("No identity run yet")
            self._show_empty(
                "No identity run yet",
                "Set up the matching rules and press Run: the profiles, merge rate, profile "
                "sizes and, when the data has truth ids or labels, precision and recall show "
                "here.",
            )
            return
        self.body.setCurrentIndex(1)
        self._show(results)

    def _load_failed(self, job: Job, message: str) -> None:
        if job is self.job:
            self.job = None
            self._show_empty("The run could not be read", message)

    def _show_empty(self, title: str, text: str) -> None:
        self.empty_title.setText(title)
        self.empty_text.setText(text)
        self.rules_button.setVisible(self.project is not None)
        self.body.setCurrentIndex(0)
        self.run_combo.setEnabled(False)

    def _fill_runs(self, results: RunResults) -> None:
        self.run_combo.clear()
        for run in reversed(results.runs):
            flag = "  (current)" if run["current"] else ""
            self.run_combo.addItem(
                f"{run['run_id']}  ·  {run['rules']}  ·  {run['profiles']:,} profiles{flag}",
                run["run_id"],
            )
        self.run_combo.setCurrentIndex(max(self.run_combo.findData(results.run_id), 0))
        self.run_combo.setEnabled(bool(results.runs))

    # ---------------------------------------------------------------- showing
    def _show(self, r: RunResults) -> None:
        s = r.summary
        run = next((x for x in r.runs if x["run_id"] == r.run_id), {})
        when = _local(run.get("started_at", ""))
        took = (s.get("seconds") or {}).get("total")
        self.subtitle.setText(
            f"Rules '{r.rules_name}'  ·  resolved {when}"
            + (f" in {took:.1f} s" if took is not None else "")
            + ("  ·  the current run" if run.get("current") else "")
        )
        m = self.metrics
        m["profiles"].setText(f"{s.get('profiles', 0):,}")
        m["records"].setText(f"{s.get('records', 0):,}")
        m["merge_rate"].setText(f"{s.get('merge_rate', 0.0):.1%}")
        m["matched"].setText(f"{s.get('matched_pairs', 0):,}")
        m["refused"].setText(f"{s.get('refused_merges', 0):,}")
        self._show_quality(r)
        self.histogram.set_histogram(s.get("size_histogram") or {})
        self._show_rules(s)
        timings = r.timings()
        self.timings_model.set_rows(
            ["Stage", "Seconds"], [[label, round(sec, 2)] for label, sec in timings]
        )
        _fit(self.timings_view)
        self.timings_title.setText(
            f"Timings  ·  {took:.1f} s in all" if took is not None else "Timings"
        )
        self.threshold.set_run(self.project, r)

    def _show_quality(self, r: RunResults) -> None:
        e = r.evaluation
        labels = r.labels
        values: dict[str, float | None] = {"precision": None, "recall": None, "f1": None}
        if e is not None:
            values = {k: e.get(k) for k in values}
            note = (
                f"Quality against the truth ids of {e.get('records', 0):,} records: pairwise "
                f"precision and recall; {e.get('exact_clusters', 0):.1%} of people have "
                "exactly one profile."
            )
        elif labels is not None:
            values = {"precision": labels.precision, "recall": labels.recall, "f1": None}
            p, rc = labels.precision, labels.recall
            if p is not None and rc is not None and p + rc:
                values["f1"] = 2 * p * rc / (p + rc)
            note = ""
        else:
            note = (
                "No truth ids or labels: precision and recall appear once the data has a "
                "truth_id column or pairs are labelled in the review queue."
            )
        if labels is not None:
            p = "n/a" if labels.precision is None else f"{labels.precision:.1%}"
            rc = "n/a" if labels.recall is None else f"{labels.recall:.1%}"
            note = (note + "  " if note else "") + (
                f"On your {labels.labeled:,} sure labels ({labels.same:,} same, "
                f"{labels.different:,} different): precision {p}, recall {rc}."
            )
        for key, value in values.items():
            self.metrics[key].setText("—" if value is None else f"{value:.2%}")
            self.metric_frames[key].setVisible(e is not None or labels is not None)
        self.quality_note.setText(note)

    def _show_rules(self, s: dict) -> None:
        by_rule = s.get("matches_by_rule") or {}
        total = sum(by_rule.values()) or 1
        rows = [
            [rule, n, f"{n / total:.1%}"]
            for rule, n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        self.rules_model.set_rows(["Rule", "Pairs", "Share"], rows)
        _fit(self.rules_view)

    def clear(self) -> None:
        """The project is closing: stop every job reading it."""
        if self.job is not None:
            self.job.cancel()
            self.job = None
        self.threshold.clear()
