"""The segment builder: one definition's name, conditions, live count, JSON, and Save.

The page keeps the definition as a draft dict (see ``condition_draft``). Every edit is an
undoable command that swaps the draft; after each, the draft is validated (pydantic, then
the engine's compiler for fields and types, on the GUI thread: both are pure and quick),
each message is shown on the row it belongs to, and a valid definition is counted in the
background (``builder_count.LiveCount``).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import TYPE_CHECKING

from pydantic import ValidationError
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.project.errors import WorkbenchError
from workbench.segments.model import Segment
from workbench.ui.panels.segments import condition_draft as drafts
from workbench.ui.panels.segments.builder_count import CountCard, LiveCount
from workbench.ui.panels.segments.builder_tree import ConditionTree
from workbench.ui.panels.segments.builder_undo import DraftCommand
from workbench.ui.panels.segments.condition_defaults import default_condition, new_segment
from workbench.ui.panels.segments.condition_draft import KIND_LABELS, Draft, Path
from workbench.ui.panels.segments.condition_rows import EditorEnv
from workbench.ui.panels.segments.condition_values import ValueSource
from workbench.ui.signals import emit

if TYPE_CHECKING:
    from workbench.project import Project
    from workbench.segments.catalog import Catalog
    from workbench.segments.evaluate import SegmentCount
    from workbench.ui.task_runner import TaskRunner


def as_of_instant(segment: Segment | None, catalog: Catalog) -> tuple[dt.datetime, str]:
    """The instant "now" is read as, and where it comes from (see the model's docstring)."""
    if segment is not None and segment.as_of is not None:
        return segment.as_of, "set in the segment"
    if catalog.latest_event is not None:
        return catalog.latest_event, "latest event"
    return dt.datetime.now(dt.UTC).replace(tzinfo=None), "today"


class BuilderPage(QWidget):
    """Edits one segment definition at a time."""

    sig_saved = Signal(str)
    """The definition was saved under this name (a new version)."""
    sig_renamed = Signal(str, str)
    """Saving renamed a stored segment: old name, new name."""
    sig_view_members = Signal(str)
    """Show the members of this saved segment."""
    sig_dirty = Signal(bool)
    """Whether the draft differs from what is stored."""
    sig_error = Signal(str, str)
    """Saving failed: title and message."""

    def __init__(
        self, runner: TaskRunner, stack: QUndoStack, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self.stack = stack
        self.project: Project | None = None
        self.catalog: Catalog | None = None
        self.values = ValueSource(runner, self)
        self.counter = LiveCount(runner)
        self.counter.sig_counting.connect(self._counting)
        self.counter.sig_counted.connect(self._counted)
        self.counter.sig_failed.connect(self._count_failed)
        self.draft: Draft = new_segment("New segment")
        self.saved_draft: Draft | None = None
        self.saved_name = ""
        self.saved_names: list[str] = []
        self.current: Segment | None = None
        """The draft as a valid Segment (None while it is not valid)."""
        self.errors: dict[Path | str, str] = {}
        self.last_count: SegmentCount | None = None
        self._build()

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(12)

        head = QHBoxLayout()
        head.setSpacing(10)
        names = QVBoxLayout()
        names.setSpacing(2)
        title_row = QHBoxLayout()
        title_row.setSpacing(10)
        self.name_edit = QLineEdit(objectName="segmentName")
        self.name_edit.setPlaceholderText("Segment name")
        self.name_edit.textEdited.connect(lambda t: self._edit_field("name", t))
        self.unsaved = QLabel("Unsaved changes", objectName="unsavedBadge")
        self.unsaved.hide()
        title_row.addWidget(self.name_edit, 1)
        title_row.addWidget(self.unsaved, 0, Qt.AlignmentFlag.AlignVCenter)
        names.addLayout(title_row)
        self.description_edit = QLineEdit(objectName="segmentDescription")
        self.description_edit.setPlaceholderText("Add a description: who is this audience for?")
        self.description_edit.textEdited.connect(lambda t: self._edit_field("description", t))
        names.addWidget(self.description_edit)
        self.head_error = QLabel(objectName="rowError")
        self.head_error.hide()
        names.addWidget(self.head_error)
        head.addLayout(names, 1)
        self.members_button = QPushButton("View members")
        self.members_button.clicked.connect(self._view_members)
        self.save_button = QPushButton("Save", objectName="primary")
        self.save_button.setToolTip("Save a new version of this segment (Ctrl+S)")
        self.save_button.setShortcut("Ctrl+S")
        self.save_button.clicked.connect(self.save)
        head.addWidget(self.members_button, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(head)

        self.count_card = CountCard()
        outer.addWidget(self.count_card)

        self.tree = ConditionTree()
        self.tree.sig_edited.connect(self._condition_edited)
        self.tree.sig_group_edited.connect(self._group_edited)
        self.tree.sig_add.connect(self.add_condition)
        self.tree.sig_remove.connect(self.remove_condition)
        self.tree.sig_move.connect(self.move_condition)
        holder = QWidget(objectName="treeHolder")
        holder_box = QVBoxLayout(holder)
        holder_box.setContentsMargins(18, 16, 18, 18)
        holder_box.addWidget(self.tree)
        holder_box.addStretch(1)
        self.scroll = QScrollArea(objectName="treeScroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(holder)

        self.json_view = QPlainTextEdit(objectName="jsonView")
        self.json_view.setReadOnly(True)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.json_view.setFont(mono)
        self.tabs = QTabWidget(objectName="builderTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.scroll, "Conditions")
        self.tabs.addTab(self.json_view, "JSON")
        self.tabs.currentChanged.connect(lambda _i: self._update_json())
        outer.addWidget(self.tabs, 1)

    # ------------------------------------------------------------------ state
    def set_project(self, project: Project | None, catalog: Catalog | None) -> None:
        """Work on ``project`` with its ``catalog`` (None: nothing to build on)."""
        self.counter.stop()
        self.project = project
        self.catalog = catalog
        self.values.reset(project if catalog is not None else None)
        self.setEnabled(catalog is not None)
        if catalog is not None:
            self._refresh_env()

    def set_saved_names(self, names: list[str]) -> None:
        """The saved segments (membership conditions pick from the others)."""
        self.saved_names = list(names)
        if self.catalog is not None:
            self._refresh_env()

    def _refresh_env(self) -> None:
        assert self.catalog is not None
        today = as_of_instant(self.current, self.catalog)[0].date()
        others = [n for n in self.saved_names if n not in (self.saved_name, self.draft["name"])]
        self.tree.set_env(EditorEnv(self.catalog, self.values, today, others))
        self.tree.display(self.draft["root"])
        self._validate()

    def open(self, segment: Segment | Draft, saved: bool) -> None:
        """Edit ``segment``; ``saved`` says it is the stored version (no unsaved changes)."""
        draft = segment.model_dump() if isinstance(segment, Segment) else copy.deepcopy(segment)
        self.stack.clear()
        self.saved_draft = copy.deepcopy(draft) if saved else None
        self.saved_name = draft["name"] if saved else ""
        self.last_count = None
        self.apply_draft(draft, redisplay=True)
        if self.catalog is not None:
            self._refresh_env()

    def new(self, name: str) -> None:
        self.open(new_segment(name), saved=False)

    @property
    def dirty(self) -> bool:
        return self.saved_draft is None or self.draft != self.saved_draft

    def segment(self) -> Segment | None:
        """The definition on screen, if it is valid."""
        return self.current

    # ------------------------------------------------------------------ edits
    def apply_draft(self, draft: Draft, redisplay: bool) -> None:
        """Make ``draft`` the definition (undo commands call this)."""
        self.draft = copy.deepcopy(draft)
        if redisplay:
            for edit, key in ((self.name_edit, "name"), (self.description_edit, "description")):
                if edit.text() != str(draft.get(key) or ""):
                    edit.setText(str(draft.get(key) or ""))
            if self.catalog is not None:
                self.tree.display(self.draft["root"])
        self._validate()
        self._update_dirty()
        self._update_json()

    def _push(self, after: Draft, text: str, merge: str = "", shown: bool = False) -> None:
        if after == self.draft:
            return
        self.stack.push(DraftCommand(self, copy.deepcopy(self.draft), after, text, merge, shown))

    def _edit_field(self, key: str, text: str) -> None:
        after = dict(copy.deepcopy(self.draft), **{key: text})
        self._push(after, f"Edit {key}", merge=key, shown=True)

    def _condition_edited(self, path: Path, cond: dict, merge: str) -> None:
        after = drafts.replaced(self.draft, path, cond)
        label = KIND_LABELS.get(cond.get("type", ""), "condition").lower()
        self._push(after, f"Edit {label}", f"{path}:{merge}" if merge else "", shown=True)

    def _group_edited(self, path: Path, change: dict) -> None:
        group = dict(drafts.conditions_at(self.draft, path), **change)
        after = drafts.replaced(self.draft, path, group)
        what = "Negate group" if "negate" in change else "Change all / any"
        self._push(after, what, shown=True)

    def add_condition(self, group: Path, kind: str) -> Path:
        """Add a new condition of ``kind`` at the end of ``group``; returns its path."""
        assert self.catalog is not None
        cond = default_condition(
            kind,
            self.catalog,
            [n for n in self.saved_names if n != self.draft["name"]],
            salt=str(self.draft["name"]),
        )
        index = len(drafts.conditions_at(self.draft, group)["conditions"])
        self._push(drafts.inserted(self.draft, group, cond), f"Add {KIND_LABELS[kind].lower()}")
        return (*group, index)

    def remove_condition(self, path: Path) -> None:
        self._push(drafts.removed(self.draft, path), "Remove condition")

    def move_condition(self, path: Path, delta: int) -> None:
        after = drafts.moved(self.draft, path, delta)
        if after is not None:
            self._push(after, "Move condition")

    # ------------------------------------------------------------------ checks
    def _validate(self) -> None:
        self.errors = {}
        self.current = None
        try:
            segment = Segment.model_validate(self.draft)
        except ValidationError as exc:
            self.errors = dict(drafts.validation_errors(exc))
        else:
            problem = self._compile_problem(segment)
            if problem is None:
                self.current = segment
            else:
                self.errors[problem[0]] = problem[1]
        self._show_errors()
        self._update_buttons()
        if self.current is not None and self.project is not None and self.catalog is not None:
            self.counter.request(self.project, self.current)
        else:
            self.counter.stop()
            if self.catalog is not None:
                self.count_card.show_problem(self._first_error())

    def _compile_problem(self, segment: Segment) -> tuple[Path, str] | None:
        """The compiler's objection (fields, types, unknown segments), or None."""
        if self.catalog is None or self.project is None:
            return None
        from workbench.segments.compiler import compile_segment  # noqa: PLC0415
        from workbench.segments.errors import SegmentError  # noqa: PLC0415
        from workbench.segments.store import load_segment  # noqa: PLC0415

        project = self.project
        as_of = as_of_instant(segment, self.catalog)[0]
        try:
            compile_segment(segment, self.catalog, as_of, lambda n: load_segment(project, n))
        except SegmentError as exc:
            return drafts.engine_error(str(exc))
        except KeyError as exc:
            return (), f"No saved segment named {exc}"
        return None

    def _show_errors(self) -> None:
        rows = list(self.tree.rows)
        on_rows: dict[Path, str] = {}
        head: list[str] = []
        for key, message in self.errors.items():
            if isinstance(key, tuple):
                row = drafts.nearest_row(key, rows)
                on_rows.setdefault(row, message)
            else:
                head.append(f"{key.capitalize()}: {message}" if key != "name" else message)
        self.tree.show_errors(on_rows)
        self.head_error.setText("  ".join(head))
        self.head_error.setVisible(bool(head))
        self.name_edit.setProperty("invalid", "name" in self.errors)
        self.name_edit.style().unpolish(self.name_edit)
        self.name_edit.style().polish(self.name_edit)

    def _first_error(self) -> str:
        return next(iter(self.errors.values()), "")

    def row_error(self, path: Path) -> str:
        """The message shown on the row at ``path`` ('' when none)."""
        widget = self.tree.rows.get(path)
        label = getattr(widget, "error", None)
        return label.text() if isinstance(label, QLabel) and not label.isHidden() else ""

    # ------------------------------------------------------------------ count
    def _counting(self) -> None:
        self.last_count = None
        self.count_card.counting()

    def _counted(self, result: SegmentCount) -> None:
        self.last_count = result
        source = "set in the segment" if self.current and self.current.as_of else "latest event"
        if (
            self.catalog is not None
            and self.catalog.latest_event is None
            and not (self.current and self.current.as_of)
        ):
            source = "today"
        self.count_card.show_count(result, source)

    def _count_failed(self, message: str) -> None:
        path, text = drafts.engine_error(message)
        self.errors[path] = text
        self._show_errors()
        self.count_card.show_problem(text)

    # ------------------------------------------------------------------ saving
    def _update_dirty(self) -> None:
        self.unsaved.setVisible(self.dirty)
        self._update_buttons()
        emit(self.sig_dirty, self.dirty)

    def _update_buttons(self) -> None:
        self.save_button.setEnabled(self.current is not None and self.dirty)
        can_view = bool(self.saved_name) and not self.dirty
        self.members_button.setEnabled(can_view)
        self.members_button.setToolTip(
            "Browse the members of this segment"
            if can_view
            else "Save the segment first: members are listed for saved segments"
        )

    def save(self) -> int | None:
        """Store the definition as a new version; returns it (None if it was not saved)."""
        segment = self.current
        project = self.project
        if segment is None or project is None:
            return None
        from workbench.segments.store import rename_segment, save_segment  # noqa: PLC0415

        old = self.saved_name
        try:
            if old and old != segment.name:
                if segment.name in self.saved_names:
                    raise WorkbenchError(f"a segment named '{segment.name}' already exists")
                rename_segment(project, old, segment.name)
            version = save_segment(project, segment)
        except WorkbenchError as exc:
            emit(self.sig_error, "Could not save the segment", str(exc))
            return None
        self.saved_draft = copy.deepcopy(self.draft)
        self.saved_name = segment.name
        self._update_dirty()
        if old and old != segment.name:
            emit(self.sig_renamed, old, segment.name)
        emit(self.sig_saved, segment.name)
        return version

    def follow_rename(self, old: str, new: str) -> None:
        """The stored segment open here was renamed in the list: show the new name."""
        if self.saved_name != old:
            return
        self.saved_name = new
        self.draft = dict(self.draft, name=new)
        if self.saved_draft is not None:
            self.saved_draft = dict(self.saved_draft, name=new)
        self.stack.clear()  # older drafts carry the old name
        self.name_edit.setText(new)
        self._validate()
        self._update_dirty()

    def forget_saved(self) -> None:
        """The stored segment open here was deleted: what is on screen is unsaved now."""
        self.saved_name = ""
        self.saved_draft = None
        self._update_dirty()

    def _view_members(self) -> None:
        if self.saved_name and not self.dirty:
            emit(self.sig_view_members, self.saved_name)

    # ------------------------------------------------------------------ JSON
    def _update_json(self) -> None:
        if self.tabs.currentIndex() != 1:
            return
        if self.current is not None:
            text = self.current.model_dump_json(indent=2, exclude_defaults=False)
        else:
            text = json.dumps(self.draft, indent=2, default=str)
            text = "// Not valid yet: " + self._first_error() + "\n" + text
        self.json_view.setPlainText(text)
