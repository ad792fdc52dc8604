"""The saved segments, with their member counts once known, a search box and the actions that
create, copy, rename and delete them.

The list reads ``store.list_segments`` (quick) and counts every saved segment in one
background job, so counts appear a moment after the names; a reload cancels the count
under way. Renaming is inline (double-click, F2 or Rename).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.signals import emit

if TYPE_CHECKING:
    from workbench.project import Project
    from workbench.segments.store import SegmentInfo
    from workbench.tasks import Task
    from workbench.ui.task_runner import Job, TaskRunner

NAME_ROLE = int(Qt.ItemDataRole.UserRole)


def count_all(project: Project, names: list[str], task: Task) -> dict[str, int]:
    """Member counts of saved segments (a job: one count after another, cancellable)."""
    from workbench.segments.errors import SegmentError  # noqa: PLC0415
    from workbench.segments.evaluate import count_segment  # noqa: PLC0415
    from workbench.segments.store import load_segment  # noqa: PLC0415

    counts: dict[str, int] = {}
    for i, name in enumerate(names):
        task.progress(i / max(len(names), 1), f"Counting {name}")
        try:
            counts[name] = count_segment(project, load_segment(project, name), task=task).members
        except SegmentError:
            continue  # shown as unknown; opening it says what is wrong
    return counts


class SegmentList(QFrame):
    """Saved segments and what can be done with them."""

    sig_selected = Signal(str)
    """The user picked this saved segment."""
    sig_new = Signal()
    """Start a new, empty segment."""
    sig_from_template = Signal()
    """Pick a template to start from."""
    sig_duplicate = Signal(str)
    """Copy this saved segment."""
    sig_rename = Signal(str, str)
    """Rename a saved segment: old name, new name."""
    sig_delete = Signal(str)
    """Delete this saved segment (after confirmation)."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="card")
        self.runner = runner
        self.project: Project | None = None
        self.infos: list[SegmentInfo] = []
        self.counts: dict[str, int] = {}
        self._count_job: Job | None = None
        self._renaming = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        head = QLabel("Saved segments", objectName="section")
        layout.addWidget(head)
        self.search = QLineEdit(objectName="search")
        self.search.setPlaceholderText("Search segments")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        layout.addWidget(self.search)
        self.view = QTreeWidget(objectName="segmentList")
        self.view.setColumnCount(2)
        self.view.setHeaderLabels(["Segment", "Members"])
        self.view.setRootIsDecorated(False)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(False)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.view.itemSelectionChanged.connect(self._selection_changed)
        self.view.itemChanged.connect(self._item_changed)
        layout.addWidget(self.view, 1)
        self.empty = QLabel(
            "No saved segments yet. Start with New, or pick a ready-made audience with "
            "From template.",
            objectName="muted",
        )
        self.empty.setWordWrap(True)
        layout.addWidget(self.empty, 1, Qt.AlignmentFlag.AlignTop)

        buttons = QGridLayout()
        buttons.setSpacing(6)
        self.new_button = QPushButton("New")
        self.new_button.setToolTip("Start an empty segment")
        self.template_button = QPushButton("From template…")
        self.template_button.setToolTip("Start from a ready-made audience")
        self.duplicate_button = QPushButton("Duplicate")
        self.rename_button = QPushButton("Rename")
        self.delete_button = QPushButton("Delete…", objectName="danger")
        self.new_button.clicked.connect(lambda: emit(self.sig_new))
        self.template_button.clicked.connect(lambda: emit(self.sig_from_template))
        self.duplicate_button.clicked.connect(self._duplicate)
        self.rename_button.clicked.connect(self.start_rename)
        self.delete_button.clicked.connect(self._delete)
        for button in (
            self.new_button,
            self.template_button,
            self.duplicate_button,
            self.rename_button,
            self.delete_button,
        ):
            button.setProperty("compact", True)
        buttons.addWidget(self.new_button, 0, 0)
        buttons.addWidget(self.template_button, 0, 1, 1, 2)
        buttons.addWidget(self.duplicate_button, 1, 0)
        buttons.addWidget(self.rename_button, 1, 1)
        buttons.addWidget(self.delete_button, 1, 2)
        layout.addLayout(buttons)
        self._update_buttons()

    # ------------------------------------------------------------------ state
    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.counts = {}
        self.reload()

    def reload(self, select: str = "") -> None:
        """Re-read the saved segments; select ``select`` (or keep the selection)."""
        keep = select or self.selected()
        self.infos = []
        if self.project is not None:
            from workbench.segments.store import list_segments  # noqa: PLC0415

            self.infos = list_segments(self.project)
        self._renaming = True
        self.view.blockSignals(True)
        self.view.clear()
        for info in self.infos:
            item = QTreeWidgetItem([info.name, self._count_text(info.name)])
            item.setData(0, NAME_ROLE, info.name)
            tip = info.description or "No description"
            item.setToolTip(
                0,
                f"{info.name}\n{tip}\n"
                f"Version {info.version}, saved {info.saved_at:%Y-%m-%d %H:%M} UTC",
            )
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            self.view.addTopLevelItem(item)
            if info.name == keep:
                item.setSelected(True)
                self.view.setCurrentItem(item)
        self.view.blockSignals(False)
        self._renaming = False
        self.empty.setVisible(not self.infos)
        self.view.setVisible(bool(self.infos))
        self._filter(self.search.text())
        self._update_buttons()
        self._count()

    def names(self) -> list[str]:
        return [info.name for info in self.infos]

    def selected(self) -> str:
        items = self.view.selectedItems()
        return str(items[0].data(0, NAME_ROLE)) if items else ""

    def select(self, name: str) -> None:
        for i in range(self.view.topLevelItemCount()):
            item = self.view.topLevelItem(i)
            if item.data(0, NAME_ROLE) == name:
                self.view.setCurrentItem(item)
                return
        self.view.clearSelection()

    def set_count(self, name: str, members: int) -> None:
        """A count learned elsewhere (the builder's live count of a saved segment)."""
        self.counts[name] = members
        for i in range(self.view.topLevelItemCount()):
            item = self.view.topLevelItem(i)
            if item.data(0, NAME_ROLE) == name:
                self._renaming = True
                item.setText(1, f"{members:,}")
                self._renaming = False

    def _count_text(self, name: str) -> str:
        return f"{self.counts[name]:,}" if name in self.counts else "…"

    def _count(self) -> None:
        if self._count_job is not None:
            self._count_job.cancel()
            self._count_job = None
        project = self.project
        names = [n for n in self.names() if n not in self.counts]
        if project is None or not names:
            return
        job = self.runner.start(
            "Counting saved segments",
            lambda task: count_all(project, names, task),
            report=False,
            background=True,
        )
        self._count_job = job
        job.sig_finished.connect(lambda counts, j=job: self._counted(j, counts))
        job.sig_failed.connect(lambda _m, _d, j=job: self._count_done(j))
        job.sig_cancelled.connect(lambda j=job: self._count_done(j))

    def _counted(self, job: Job, counts: dict[str, int]) -> None:
        self._count_done(job)
        for name, members in counts.items():
            self.set_count(name, members)

    def _count_done(self, job: Job) -> None:
        if self._count_job is job:
            self._count_job = None

    def forget_count(self, name: str) -> None:
        self.counts.pop(name, None)

    # ------------------------------------------------------------------ actions
    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        for i in range(self.view.topLevelItemCount()):
            item = self.view.topLevelItem(i)
            name = str(item.data(0, NAME_ROLE))
            info = self.infos[i] if i < len(self.infos) else None
            hay = f"{name} {info.description if info else ''}".lower()
            item.setHidden(bool(needle) and needle not in hay)

    def _selection_changed(self) -> None:
        self._update_buttons()
        name = self.selected()
        if name:
            emit(self.sig_selected, name)

    def _update_buttons(self) -> None:
        has = bool(self.selected())
        for button in (self.duplicate_button, self.rename_button, self.delete_button):
            button.setEnabled(has)
        enabled = self.project is not None
        self.new_button.setEnabled(enabled)
        self.template_button.setEnabled(enabled)

    def _duplicate(self) -> None:
        if self.selected():
            emit(self.sig_duplicate, self.selected())

    def _delete(self) -> None:
        if self.selected():
            emit(self.sig_delete, self.selected())

    def start_rename(self) -> None:
        items = self.view.selectedItems()
        if items:
            self.view.editItem(items[0], 0)

    def _item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._renaming or column != 0:
            return
        old = str(item.data(0, NAME_ROLE))
        new = item.text(0).strip()
        if new and new != old:
            emit(self.sig_rename, old, new)
        else:
            self._renaming = True
            item.setText(0, old)
            self._renaming = False

    def stop(self) -> None:
        if self._count_job is not None:
            self._count_job.cancel()
            self._count_job = None
