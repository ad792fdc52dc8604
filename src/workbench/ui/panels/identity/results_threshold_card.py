"""The Match threshold card of the Results page: precision and recall against the threshold,
the line to drag, and how many profiles would merge or split where the line rests."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workbench.identity.threshold import ThresholdResult
from workbench.project import Project
from workbench.ui.panels.identity.results_charts import ThresholdChart, threshold_label
from workbench.ui.panels.identity.results_data import RunResults
from workbench.ui.panels.identity.results_threshold import ThresholdExplorer
from workbench.ui.signals import emit
from workbench.ui.task_runner import TaskRunner
from workbench.ui.widgets import card

CURVE_NOTE = "Precision and recall of the match score on candidate pairs, before guardrails."
NO_CURVE_NOTE = "Precision and recall at each threshold need truth ids in the data."


class ThresholdCard(QWidget):
    """The chart and what the threshold under the line would do to one run's profiles."""

    sig_use_threshold = Signal(float)
    """The user wants this match threshold in the rule set being edited."""

    def __init__(self, runner: TaskRunner, chart_height: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.results: RunResults | None = None
        self.result: ThresholdResult | None = None
        self.explorer = ThresholdExplorer(runner, self)
        self.explorer.sig_result.connect(self._show_result)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._build(chart_height))
        self.explorer.sig_failed.connect(self.detail.setText)

    def _build(self, chart_height: int) -> QFrame:
        self.chart = ThresholdChart()
        self.chart.setFixedHeight(chart_height)
        self.chart.sig_threshold_moved.connect(self._moved)
        self.profiles = QLabel("", objectName="metricValue")
        self.at = QLabel("", objectName="muted")
        self.detail = QLabel("", objectName="muted")
        self.detail.setWordWrap(True)
        self.note = QLabel("", objectName="muted")
        self.note.setWordWrap(True)
        self.use_button = QPushButton("Use in the rules")
        self.use_button.setToolTip("Set this as the probabilistic threshold of the rules")
        self.use_button.clicked.connect(lambda: emit(self.sig_use_threshold, self.chart.threshold))
        self.reset_button = QPushButton("Back to the run's", objectName="link")
        self.reset_button.setToolTip("Put the line back at the run's own threshold")
        self.reset_button.clicked.connect(self.reset)
        head = QHBoxLayout()
        head.setSpacing(10)
        head.addWidget(self.profiles)
        head.addWidget(self.at, 0, Qt.AlignmentFlag.AlignBottom)
        head.addStretch(1)
        head.addWidget(self.reset_button)
        head.addWidget(self.use_button)
        content = QWidget()
        box = QVBoxLayout(content)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        box.addWidget(self.chart)
        box.addLayout(head)
        box.addWidget(self.detail)
        box.addWidget(self.note)
        return card("Match threshold", content, hint="Drag the line: what would merge or split?")

    # ------------------------------------------------------------------ state
    def set_run(self, project: Project | None, results: RunResults) -> None:
        """Show ``results``' curve and threshold; load its graph for the explorer."""
        self.results = results
        self.result = None
        threshold = results.threshold
        self.setVisible(threshold is not None)
        if threshold is None:
            self.explorer.clear()
            return
        self.chart.set_curve(results.threshold_curve, threshold)
        self.explorer.set_run(project, results.run_id)
        self._describe(None)

    def clear(self) -> None:
        self.results = self.result = None
        self.explorer.clear()

    def reset(self) -> None:
        """The line back at the run's threshold."""
        if self.results is not None and self.results.threshold is not None:
            self.chart.set_threshold(self.results.threshold)
            self.explorer.request(self.results.threshold)
            self._describe(None)

    def _moved(self, threshold: float) -> None:
        self.at.setText(f"At {threshold_label(threshold)}")
        self.detail.setText("Counting profiles…")
        self.explorer.request(threshold)
        run = self.results.threshold if self.results else None
        self.use_button.setEnabled(run is not None and abs(threshold - run) > 1e-9)

    def _show_result(self, result: ThresholdResult) -> None:
        self.result = result
        self._describe(result)

    def _describe(self, result: ThresholdResult | None) -> None:
        r = self.results
        if r is None or r.threshold is None:
            return
        if result is None:
            self.at.setText(f"At the run's threshold, {threshold_label(r.threshold)}")
            self.profiles.setText(f"{r.summary.get('profiles', 0):,} profiles")
            self.detail.setText(
                f"{r.summary.get('matched_pairs', 0):,} matched pairs. Drag the line to the "
                "right to see which profiles a stricter threshold would split."
            )
            self.note.setText(CURVE_NOTE if r.threshold_curve else NO_CURVE_NOTE)
            self.use_button.setEnabled(False)
            self.reset_button.hide()
            return
        delta = result.profiles - result.run_profiles
        change = f"{delta:+,}" if delta else "no change"
        self.at.setText(f"At {threshold_label(result.threshold)}")
        self.profiles.setText(f"{result.profiles:,} profiles  ({change})")
        self.detail.setText(
            f"{result.merges:,} would merge, {result.splits:,} would split, "
            f"{result.records_moved:,} records move; {result.edges:,} matched pairs hold."
        )
        notes = []
        if not result.exact:
            notes.append(
                f"Pairs below the run's threshold ({threshold_label(r.threshold)}) were not "
                "kept, so nothing new can merge here: use this threshold and run again."
            )
        if not result.guardrails:
            notes.append("Estimate: this run's records were rebuilt since, guardrails left out.")
        self.note.setText(" ".join(notes))
        self.reset_button.setVisible(abs(result.threshold - r.threshold) > 1e-9)
