"""Clerical review: one record pair at a time, side by side, labelled with a key press.

S same person, D different people, U unsure, N or → skip, ← or Backspace back. Labels are
stored in the project (``meta.labels``) one after another off the GUI thread, and the run's
precision and recall on them are shown as they grow.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QPalette, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.identity.labels import LabelScore, label_score, set_label
from workbench.identity.review import (
    FieldRow,
    PairView,
    ReviewItem,
    ReviewQueue,
    label_counts,
    pair_view,
    review_queue,
)
from workbench.identity.runs import RunNotFoundError
from workbench.project import Project
from workbench.ui.models import LEFT, MISSING, RIGHT, Index
from workbench.ui.panels.base import PanelContext
from workbench.ui.panels.identity.requests import GraphRequest
from workbench.ui.signals import emit
from workbench.ui.task_runner import Job
from workbench.ui.widgets import card, metric, page_header

QUEUE_SIZE = 200
KIND_TEXT = {
    "bridge": "Weak bridge",
    "conflict": "Conflicting keys",
    "above": "Just above the threshold",
    "below": "Just below the threshold",
    "refused": "Refused merge",
}
LABEL_TEXT = {"same": "same person", "different": "different people", "unsure": "unsure"}
KEYS = {
    "same": ("S",),
    "different": ("D",),
    "unsure": ("U",),
    "skip": ("N", "Right"),
    "back": ("Left", "Backspace"),
}


class PairModel(QAbstractTableModel):
    """The fields of two records side by side; values that differ are highlighted."""

    HEADERS = ("Field", "", "", "Comparison", "Weight")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[FieldRow] = []
        self.sides = ("", "")

    def set_view(self, view: PairView | None) -> None:
        self.beginResetModel()
        self.rows = list(view.rows) if view is not None else []
        if view is not None:
            self.sides = (str(view.explanation.left), str(view.explanation.right))
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.sides[section - 1] if section in (1, 2) else self.HEADERS[section]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], index.column()
        value = (row.field.replace("_", " "), row.left, row.right, row.level, row.weight)[col]
        palette = QApplication.palette()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 4:
                return (
                    ""
                    if value is None or row.level == "missing"
                    else f"{value:+.2f}".replace("-", "\N{MINUS SIGN}")
                )
            return MISSING if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if col == 4 else LEFT
        if role == Qt.ItemDataRole.BackgroundRole and row.differs:
            tint = QColor(palette.color(QPalette.ColorRole.BrightText))
            tint.setAlpha(34)
            return tint
        if role == Qt.ItemDataRole.ForegroundRole:
            if value is None or (col == 3 and row.level == "missing"):
                return palette.color(QPalette.ColorRole.PlaceholderText)
            if row.differs and col in (1, 2):
                return palette.color(QPalette.ColorRole.BrightText)
        if role == Qt.ItemDataRole.FontRole and row.differs and col in (1, 2):
            font = QApplication.font()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and row.differs:
            return "The two records differ here"
        return None


class ReviewPage(QWidget):
    """The review queue of the current identity run, one pair at a time."""

    sig_open_profile = Signal(object)
    """Show this GraphRequest's profile in the identity graph."""
    sig_labels_changed = Signal()
    """A label was stored: evaluations on labels (the results page) are out of date."""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.ctx = ctx
        self.queue: ReviewQueue | None = None
        self.position = 0
        self.views: dict[int, PairView] = {}
        self.given: dict[int, str] = {}
        """Labels given on this page, by queue position (stored or on their way)."""
        self.queue_job: Job | None = None
        self.view_jobs: dict[int, Job] = {}
        self.score_job: Job | None = None
        self.label_job: Job | None = None
        self._stale = True
        """The queue is out of date; it is built when the page is next shown."""
        self._pending: list[tuple[int, ReviewItem, str]] = []
        self._build()
        for action, keys in KEYS.items():
            for key in keys:
                shortcut = QShortcut(QKeySequence(key), self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(lambda a=action: self._key(a))

    # ------------------------------------------------------------------- layout
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 22, 28, 18)
        outer.setSpacing(14)
        top = QHBoxLayout()
        head, self.title, self.subtitle = page_header(
            "Clerical review",
            "Label the pairs the run is least sure about; your labels score every run",
        )
        top.addLayout(head, 1)
        progress_box = QVBoxLayout()
        progress_box.setSpacing(6)
        self.progress_label = QLabel("", objectName="muted")
        self.progress_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.progress = QProgressBar()
        self.progress.setFixedWidth(220)
        self.progress.setTextVisible(False)
        progress_box.addWidget(self.progress_label)
        progress_box.addWidget(self.progress)
        progress_box.addStretch(1)
        top.addLayout(progress_box)
        outer.addLayout(top)

        metrics = QHBoxLayout()
        metrics.setSpacing(12)
        self.metrics: dict[str, QLabel] = {}
        for key, caption in (
            ("labels", "pairs labelled"),
            ("split", "same · different · unsure"),
            ("precision", "run precision on labels"),
            ("recall", "run recall on labels"),
        ):
            frame, number = metric("—", caption)
            self.metrics[key] = number
            metrics.addWidget(frame)
        metrics.addStretch(1)
        outer.addLayout(metrics)

        self.body = QStackedWidget()
        self.message = QLabel("", objectName="muted")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.body.addWidget(card(None, self.message))
        self.body.addWidget(self._build_pair())
        outer.addWidget(self.body, 1)

    def _build_pair(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        head = QHBoxLayout()
        head.setSpacing(10)
        self.pair_title = QLabel("", objectName="section")
        self.kind_badge = QLabel("", objectName="badge")
        self.probability = QLabel("", objectName="muted")
        head.addWidget(self.pair_title)
        head.addWidget(self.kind_badge)
        head.addStretch(1)
        head.addWidget(self.probability)
        self.reasons = QLabel("", objectName="muted")
        self.reasons.setWordWrap(True)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.model = PairModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(30)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        header.resizeSection(0, 150)
        header.resizeSection(1, 300)
        header.resizeSection(2, 300)
        header.resizeSection(3, 200)
        self.current_label = QLabel("", objectName="muted")
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(8)
        inner.addLayout(head)
        inner.addWidget(self.reasons)
        inner.addWidget(self.verdict)
        inner.addWidget(self.table, 1)
        inner.addWidget(self.current_label)
        layout.addWidget(card(None, content), 1)

        actions = QHBoxLayout()
        actions.setSpacing(8)
        self.buttons: dict[str, QPushButton] = {}
        for action, text, name, tip in (
            ("same", "Same person   S", "primary", "These records are one person"),
            ("different", "Different people   D", "", "These records are two people"),
            ("unsure", "Unsure   U", "", "Not enough to tell (not counted in scores)"),
            ("back", "←  Back", "", "The previous pair (← or Backspace)"),
            ("skip", "Skip  →", "", "The next pair without labelling (N or →)"),
            ("graph", "Open graph", "", "Show this pair in the identity graph"),
        ):
            button = QPushButton(text, objectName=name)
            button.setToolTip(tip)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _c=False, a=action: self._key(a))
            self.buttons[action] = button
            if action == "back":
                actions.addStretch(1)
            actions.addWidget(button)
        layout.addLayout(actions)
        return box

    # ------------------------------------------------------------------ loading
    @property
    def project(self) -> Project | None:
        return self.ctx.session.project

    def reload(self) -> Job | None:
        """Build the queue afresh for the current run (labelled pairs are left out).

        While the page is hidden the queue is only marked out of date and built when the
        page is shown: a million-record run takes seconds to scan.
        """
        for job in (self.queue_job, *self.view_jobs.values()):
            if job is not None and not job.done:
                job.cancel()
        self.queue_job = None
        self.view_jobs.clear()
        self.views.clear()
        self.given.clear()
        self.queue, self.position = None, 0
        self._update_progress()
        self._stale = True
        if self.project is None:
            self._stale = False
            for number in self.metrics.values():
                number.setText("—")
            self._show_message("Open a project to review its identity run.")
            return None
        self._show_message("Finding the pairs most worth labelling…")
        return self._load() if self.isVisible() else None

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _load(self) -> Job | None:
        project = self.project
        self._stale = False
        if project is None:
            return None
        job = self.ctx.runner.start(
            "Building the review queue",
            lambda task: review_queue(project, limit=QUEUE_SIZE, task=task),
            background=True,
            report=False,
        )
        job.sig_finished.connect(lambda queue, j=job: self._queue_done(j, queue))
        job.sig_failed.connect(lambda message, _d, j=job: self._queue_failed(j, message))
        self.queue_job = job
        self.refresh_score()
        return job

    def _queue_done(self, job: Job, queue: ReviewQueue) -> None:
        if job is not self.queue_job:
            return
        self.queue_job = None
        self.queue = queue
        self.position = 0
        self._update_progress()
        self._show_current()
        self.setFocus()

    def _queue_failed(self, job: Job, message: str) -> None:
        if job is not self.queue_job:
            return
        self.queue_job = None
        self._show_message(
            "No identity run yet: run the matching rules, then review the pairs they were "
            "least sure about."
            if "no identity run" in message
            else f"The review queue could not be built: {message}"
        )

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.body.setCurrentIndex(0)

    # ------------------------------------------------------------------ showing
    def current(self) -> ReviewItem | None:
        if self.queue is None or not 0 <= self.position < len(self.queue.items):
            return None
        return self.queue.items[self.position]

    def _show_current(self) -> None:
        queue = self.queue
        if queue is None:
            return
        if not queue.items:
            self._show_message(
                "Nothing to review: every pair worth a look is labelled."
                if queue.labelled
                else "Nothing to review: the run has no pairs near its threshold, no weak "
                "bridges and no conflicting keys."
            )
            return
        if self.position >= len(queue.items):
            self._show_message(
                f"You reached the end of the queue ({len(self.given):,} labelled here). "
                "Press ← to go back, or re-run the rules and review again."
            )
            return
        item = queue.items[self.position]
        self.body.setCurrentIndex(1)
        self.pair_title.setText(f"Pair {self.position + 1:,} of {len(queue.items):,}")
        self.kind_badge.setText(KIND_TEXT.get(item.kind, item.kind))
        self.reasons.setText(" · ".join(r[:1].upper() + r[1:] for r in item.reasons))
        self.probability.setText(
            "" if item.probability is None else f"match probability {item.probability:.3f}"
        )
        self.buttons["back"].setEnabled(self.position > 0)
        view = self.views.get(self.position)
        self.model.set_view(view)
        if view is None:
            self.verdict.setText("Comparing the records…")
            self._fetch(self.position)
        else:
            self.verdict.setText(_verdict(view))
            self.table.resizeColumnToContents(0)
        label = self.given.get(self.position) or (view.label if view else None)
        self.current_label.setText(f"Labelled: {LABEL_TEXT[label]}" if label else "")
        self._fetch(self.position + 1)  # ready before the user gets there

    def _fetch(self, position: int) -> None:
        queue, project = self.queue, self.project
        if (
            queue is None
            or project is None
            or not 0 <= position < len(queue.items)
            or position in self.views
            or position in self.view_jobs
        ):
            return
        item, run = queue.items[position], queue.run_id
        job = self.ctx.runner.start(
            f"Comparing {item.left} and {item.right}",
            lambda _task: pair_view(project, item.left, item.right, run),
            determinate=False,
            background=True,
            report=False,
        )
        job.sig_finished.connect(lambda view, j=job, p=position: self._view_done(j, p, view))
        job.sig_failed.connect(lambda m, _d, j=job, p=position: self._view_failed(j, p, m))
        self.view_jobs[position] = job

    def _view_done(self, job: Job, position: int, view: PairView) -> None:
        if self.view_jobs.get(position) is not job:
            return  # a comparison for a queue that has been replaced
        del self.view_jobs[position]
        self.views[position] = view
        if position == self.position:
            self._show_current()

    def _view_failed(self, job: Job, position: int, message: str) -> None:
        if self.view_jobs.get(position) is not job:
            return
        del self.view_jobs[position]
        if position == self.position:
            self.verdict.setText(f"The records could not be compared: {message}")

    # -------------------------------------------------------------- labelling
    def _key(self, action: str) -> None:
        if action in LABEL_TEXT:
            self.label(action)
        elif action == "skip":
            self.go(self.position + 1)
        elif action == "back":
            self.go(self.position - 1)
        elif action == "graph":
            self.open_graph()

    def go(self, position: int) -> None:
        if self.queue is None or not 0 <= position <= len(self.queue.items):
            return
        self.position = position
        self._show_current()

    def label(self, label: str) -> None:
        """Label the pair shown, then show the next one (the label is stored meanwhile)."""
        item = self.current()
        if item is None:
            return
        self.given[self.position] = label
        self._pending.append((self.position, item, label))
        self._store_next()
        self._update_progress()
        self.go(self.position + 1)

    def _store_next(self) -> None:
        """Store pending labels one at a time, in the order given."""
        project = self.project
        if self.label_job is not None or not self._pending or project is None:
            return
        _position, item, label = self._pending.pop(0)
        job = self.ctx.runner.start(
            f"Labelling {item.left} / {item.right}",
            lambda _task: set_label(project, item.left, item.right, label),
            determinate=False,
        )
        job.sig_finished.connect(lambda _r: self._stored(True))
        job.sig_failed.connect(lambda *_a: self._stored(False))
        job.sig_cancelled.connect(lambda: self._stored(False))
        self.label_job = job

    def _stored(self, ok: bool) -> None:
        self.label_job = None
        if ok:
            emit(self.sig_labels_changed)
        if self._pending:
            self._store_next()
        else:
            self.refresh_score()

    def busy(self) -> bool:
        """Labels are still on their way to the project."""
        return self.label_job is not None or bool(self._pending)

    def open_graph(self) -> None:
        item = self.current()
        if item is None or self.queue is None:
            return
        focus = (str(item.left), str(item.right))
        emit(self.sig_open_profile, GraphRequest(item.left_profile, self.queue.run_id, None, focus))

    # --------------------------------------------------------------- progress
    def _update_progress(self) -> None:
        queue = self.queue
        if queue is None:
            self.progress_label.setText("")
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            return
        total = queue.labelled + len(queue.items)
        done = queue.labelled + len(self.given)
        self.progress_label.setText(f"{done:,} of {total:,} labelled")
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def refresh_score(self) -> Job | None:
        """Re-read the label counts and the run's precision and recall on them."""
        project = self.project
        if project is None:
            return None
        if self.score_job is not None and not self.score_job.done:
            self.score_job.cancel()
        run = self.queue.run_id if self.queue is not None else None

        def read(_task: object) -> tuple[dict[str, int], LabelScore | None]:
            counts = label_counts(project)
            try:
                return counts, label_score(project, run)
            except RunNotFoundError:  # no run yet: counts only
                return counts, None

        job = self.ctx.runner.start(
            "Scoring the run on labels", read, determinate=False, background=True, report=False
        )
        job.sig_finished.connect(lambda result, j=job: self._score_done(j, result))
        self.score_job = job
        return job

    def _score_done(self, job: Job, result: tuple[dict[str, int], LabelScore | None]) -> None:
        if job is not self.score_job:
            return
        self.score_job = None
        counts, score = result
        self.metrics["labels"].setText(f"{counts['total']:,}")
        self.metrics["split"].setText(
            f"{counts['same']:,} · {counts['different']:,} · {counts['unsure']:,}"
        )
        for key in ("precision", "recall"):
            value = getattr(score, key) if score is not None else None
            self.metrics[key].setText("—" if value is None else f"{value:.1%}")


def _verdict(view: PairView) -> str:
    """What the run did with the pair, with the profile(s) it is in."""
    e = view.explanation
    if e.same_profile:
        return f"In profile {e.left_profile}: {e.verdict.removeprefix('in one profile: ')}"
    return f"In profiles {e.left_profile} and {e.right_profile}: {e.verdict}"
