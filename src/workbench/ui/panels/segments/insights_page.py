"""What the Compare, Overlap and Members pages share: the saved segments of the open project,
pickers for them, and a page that keeps itself current as the project changes.

A page reloads its lists whenever a segment is saved, an identity run finishes or another
project opens; its computation re-runs only while it is on screen (a hidden page remembers
that it is stale and catches up when shown).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QWidget

from workbench.project import Project
from workbench.project.errors import WorkbenchError
from workbench.segments.model import Segment
from workbench.segments.store import list_segments, load_segment
from workbench.ui.panels.base import PanelContext
from workbench.ui.panels.segments.insights_jobs import JobStatus, LatestJob

RECOMPUTE_DELAY_MS = 350


def saved_segments(project: Project | None) -> list[tuple[str, str]]:
    """(name, description) of every saved segment, by name."""
    if project is None:
        return []
    try:
        infos = list_segments(project)
    except WorkbenchError:
        return []
    return sorted(((i.name, i.description or "") for i in infos), key=lambda x: x[0].lower())


def load_segments(project: Project, names: Sequence[str]) -> list[Segment]:
    """The latest saved definition of each name (called on the worker thread)."""
    return [load_segment(project, name) for name in names]


class InsightsPage(QWidget):
    """A page of the segments panel that lists saved segments and computes something."""

    title = ""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("page")
        self.segments: list[tuple[str, str]] = []
        self._stale = True
        self.status = JobStatus()
        self.jobs = LatestJob(ctx.runner, self.status)
        self._timer = QTimer(self, singleShot=True, interval=RECOMPUTE_DELAY_MS)
        self._timer.timeout.connect(self._compute_if_shown)
        # bound methods, not lambdas: Qt drops the connections when the page is deleted
        session = ctx.session
        session.sig_segments_changed.connect(self._changed)
        session.sig_identity_changed.connect(self._changed)
        session.sig_project_changed.connect(self._changed)
        session.sig_about_to_close.connect(self._about_to_close)

    @property
    def project(self) -> Project | None:
        return self.ctx.session.project

    def reload(self) -> None:
        """Re-read the saved segments and recompute (now if shown, else when shown)."""
        self.segments = saved_segments(self.project)
        self.segments_loaded()
        self.schedule()

    def segments_loaded(self) -> None:
        """Refresh the pickers from ``self.segments`` (subclasses)."""

    def compute(self) -> object:
        """Start the page's computation (subclasses); returns the job or None."""
        return None

    def schedule(self) -> None:
        """Recompute after a short pause (edits come in bursts), if the page is shown."""
        self._stale = True
        self._timer.start()

    def _compute_if_shown(self) -> None:
        if self.isVisible():
            self._stale = False
            self.compute()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self._timer.start()

    def _changed(self, _what: object = None) -> None:
        self.reload()

    def _about_to_close(self, _project: object = None) -> None:
        self._timer.stop()
        self.jobs.cancel(quiet=True)
        self.project_closing()

    def project_closing(self) -> None:
        """Drop whatever reads from the project (subclasses); it is about to close."""


class SegmentCombo(QComboBox):
    """One saved segment; keeps the current choice across reloads when it still exists."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(220)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

    def set_segments(self, segments: Sequence[tuple[str, str]], keep: str = "") -> None:
        keep = keep or self.currentText()
        self.blockSignals(True)
        self.clear()
        for name, description in segments:
            self.addItem(name, name)
            if description:
                self.setItemData(self.count() - 1, description, Qt.ItemDataRole.ToolTipRole)
        index = self.findData(keep)
        self.setCurrentIndex(index if index >= 0 else (0 if self.count() else -1))
        self.setPlaceholderText("No saved segments")
        self.setEnabled(self.count() > 0)
        self.blockSignals(False)

    def name(self) -> str:
        data = self.currentData()
        return data if isinstance(data, str) else ""
