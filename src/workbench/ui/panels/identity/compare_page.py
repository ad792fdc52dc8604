"""Compare two identity runs: how many profiles were kept, merged, split or otherwise changed,
and which; a changed profile opens in the graph with the edges that appeared or went."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.identity.diff import RunDiff, diff_runs
from workbench.identity.runs import list_identity_runs
from workbench.ui.models import RowsModel
from workbench.ui.panels.base import PanelContext
from workbench.ui.panels.identity.profiles_page import fit_columns, list_view
from workbench.ui.panels.identity.requests import GraphRequest
from workbench.ui.signals import emit
from workbench.ui.task_runner import Job
from workbench.ui.widgets import card, metric, page_header

TABLE_ROWS = 200
"""Merged and split profiles listed at most (largest first)."""
COUNTS = (
    ("kept", "profiles kept"),
    ("merged", "merged in B"),
    ("split", "split in B"),
    ("changed", "other changes"),
    ("records_moved", "records moved"),
)


def run_text(run: dict) -> str:
    """A run as the analyst tells runs apart: when, which rules, how many profiles, F1."""
    when = run["started_at"].strftime("%Y-%m-%d %H:%M:%S")
    f1 = f" · F1 {run['f1']:.3f}" if run.get("f1") is not None else ""
    current = " · current" if run.get("current") else ""
    return f"{when} · {run['rules']} · {run['profiles']:,} profiles{f1}{current}"


class ComparePage(QWidget):
    """Pick run A and run B; see what B did to A's profiles."""

    sig_open_profile = Signal(object)
    """Show this GraphRequest's profile in the identity graph (B against A)."""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.runs: list[dict] = []
        self.diff: RunDiff | None = None
        self.job: Job | None = None
        self._stale = True
        """The runs are out of date; they are read when the page is next shown."""
        self._build()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 22, 28, 18)
        outer.setSpacing(14)
        head, self.title, self.subtitle = page_header(
            "Compare runs", "What changed between two runs of the matching rules"
        )
        outer.addLayout(head)

        pick = QHBoxLayout()
        pick.setSpacing(8)
        self.run_a = QComboBox()
        self.run_b = QComboBox()
        for combo in (self.run_a, self.run_b):
            combo.setMinimumWidth(380)
            combo.currentIndexChanged.connect(lambda _i: self.compare())
        self.swap_button = QPushButton("Swap")
        self.swap_button.setToolTip("Compare the other way round")
        self.swap_button.clicked.connect(self.swap)
        pick.addWidget(QLabel("Run A", objectName="muted"))
        pick.addWidget(self.run_a)
        pick.addSpacing(8)
        pick.addWidget(QLabel("→  run B", objectName="muted"))
        pick.addWidget(self.run_b)
        pick.addWidget(self.swap_button)
        pick.addStretch(1)
        outer.addLayout(pick)

        metrics = QHBoxLayout()
        metrics.setSpacing(12)
        self.metrics: dict[str, QLabel] = {}
        for key, caption in COUNTS:
            frame, number = metric("—", caption)
            self.metrics[key] = number
            metrics.addWidget(frame)
        metrics.addStretch(1)
        outer.addLayout(metrics)

        self.merged_model = RowsModel()
        self.merged_view = list_view(self.merged_model)
        self.merged_view.activated.connect(lambda i: self._open(self.merged_model, i))
        self.split_model = RowsModel()
        self.split_view = list_view(self.split_model)
        self.split_view.activated.connect(lambda i: self._open(self.split_model, i))
        self.merged_title = QLabel("Merged in B", objectName="section")
        self.split_title = QLabel("Split in B", objectName="section")
        tables = QSplitter(Qt.Orientation.Horizontal)
        tables.setChildrenCollapsible(False)
        self.merged_box = _or_empty(self.merged_view, "No profile of run B joins profiles of A.")
        self.split_box = _or_empty(self.split_view, "No profile of run A was split in run B.")
        tables.addWidget(
            card(self.merged_title, self.merged_box, hint="profiles of B made of several of A")
        )
        tables.addWidget(
            card(self.split_title, self.split_box, hint="profiles of A now in several of B")
        )
        self.message = QLabel("", objectName="muted")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.body = QStackedWidget()
        self.body.addWidget(card(None, self.message))
        self.body.addWidget(tables)
        outer.addWidget(self.body, 1)
        hint = QLabel(
            "Double-click or Enter opens a profile's graph, with the edges that appeared or "
            "disappeared since run A marked",
            objectName="muted",
        )
        outer.addWidget(hint)

    # ------------------------------------------------------------------ loading
    def reload(self) -> None:
        """Re-read the runs; keep the chosen pair if both still exist (else the current run
        and the one before it). While the page is hidden, when it is next shown."""
        self._stale = not self.isVisible()
        if self._stale:
            if self.job is not None and not self.job.done:
                self.job.cancel()
            self.job, self.diff = None, None
            return
        project = self.ctx.session.project
        keep = (self.run_a.currentData(), self.run_b.currentData())
        self.runs = list_identity_runs(project) if project is not None else []
        ids = [r["run_id"] for r in self.runs]
        if keep[0] in ids and keep[1] in ids:
            a, b = keep
        elif len(ids) >= 2:
            current = next((r["run_id"] for r in self.runs if r["current"]), ids[-1])
            b = current
            a = ids[ids.index(current) - 1] if ids.index(current) > 0 else ids[1]
        else:
            a = b = None
        for combo, chosen in ((self.run_a, a), (self.run_b, b)):
            combo.blockSignals(True)
            combo.clear()
            for run in reversed(self.runs):  # newest first
                combo.addItem(run_text(run), run["run_id"])
                combo.setItemData(combo.count() - 1, run["run_id"], Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(max(combo.findData(chosen), 0))
            combo.setEnabled(len(ids) >= 2)
            combo.blockSignals(False)
        self.swap_button.setEnabled(len(ids) >= 2)
        self.compare()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.reload()

    def select(self, run_a: str, run_b: str) -> Job | None:
        """Compare ``run_a`` (before) with ``run_b`` (after)."""
        for combo, run in ((self.run_a, run_a), (self.run_b, run_b)):
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(run))
            combo.blockSignals(False)
        return self.compare()

    def swap(self) -> None:
        self.select(self.run_b.currentData(), self.run_a.currentData())

    def compare(self) -> Job | None:
        """Diff the two chosen runs off the GUI thread."""
        if self.job is not None and not self.job.done:
            self.job.cancel()
        self.job = None
        self.diff = None
        self._show_counts(None)
        project = self.ctx.session.project
        a, b = self.run_a.currentData(), self.run_b.currentData()
        if project is None:
            self._show_message("Open a project to compare its identity runs.")
            return None
        if len(self.runs) < 2:
            self._show_message(
                "Compare runs needs two identity runs. Change a rule or the threshold, run "
                "again, and see here which profiles merged or split."
            )
            return None
        if a == b:
            self._show_message("Pick two different runs to compare.")
            return None
        self._show_message("Comparing the runs…")
        job = self.ctx.runner.start(
            "Comparing identity runs",
            lambda _task: diff_runs(project, a, b, limit=TABLE_ROWS),
            determinate=False,
            background=True,
            report=False,
        )
        job.sig_finished.connect(lambda d, j=job: self._done(j, d))
        job.sig_failed.connect(lambda message, _d, j=job: self._failed(j, message))
        self.job = job
        return job

    def _done(self, job: Job, diff: RunDiff) -> None:
        if job is not self.job:
            return
        self.job = None
        self.diff = diff
        self._show_counts(diff)
        self.merged_model.set_rows(
            ["Profile in B", "Records", "Made of A's profiles"],
            [[m["profile"], m["records"], ", ".join(m["from"])] for m in diff.merges],
        )
        self.split_model.set_rows(
            ["Profile in A", "Records", "Now B's profiles"],
            [[s["profile"], s["records"], ", ".join(s["into"])] for s in diff.splits],
        )
        for view, box in ((self.merged_view, self.merged_box), (self.split_view, self.split_box)):
            fit_columns(view, [150, 80])
            box.setCurrentIndex(0 if view.model().rowCount() else 1)
        self.merged_title.setText(_title("Merged in B", len(diff.merges)))
        self.split_title.setText(_title("Split in B", len(diff.splits)))
        if not diff.merges and not diff.splits:
            self._show_message(
                f"No profile merged or split: {diff.kept:,} of {diff.profiles_b:,} profiles are "
                "the same in both runs."
                + (f" {diff.changed:,} changed otherwise." if diff.changed else "")
            )
            return
        self.body.setCurrentIndex(1)

    def _failed(self, job: Job, message: str) -> None:
        if job is not self.job:
            return
        self.job = None
        self._show_message(f"The runs could not be compared: {message}")

    def _show_counts(self, diff: RunDiff | None) -> None:
        for key, _caption in COUNTS:
            self.metrics[key].setText("—" if diff is None else f"{getattr(diff, key):,}")

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.body.setCurrentIndex(0)

    def _open(self, model: RowsModel, index: QModelIndex) -> None:
        if self.diff is None or not index.isValid():
            return
        profile = str(model.row(index.row())[0])
        emit(
            self.sig_open_profile,
            GraphRequest(profile, run_id=self.diff.run_b, compare_run=self.diff.run_a),
        )


def _or_empty(view: QWidget, text: str) -> QStackedWidget:
    """The view, or (page 1) a quiet line saying there is nothing to list."""
    box = QStackedWidget()
    box.addWidget(view)
    label = QLabel(text, objectName="muted")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    box.addWidget(label)
    return box


def _title(name: str, shown: int) -> str:
    return f"{name} ({shown:,})" if shown < TABLE_ROWS else f"{name} (the largest {shown:,})"
