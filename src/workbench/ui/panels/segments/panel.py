"""The Segments step: saved segments and the builder, plus the Compare, Overlap and Members pages.

The panel reads the data's catalog (fields, event types) in the background when a project
opens or an identity run finishes; until there are unified profiles it says so. The
insight pages are built on first visit and keep themselves current through the session's
``sig_segments_changed``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from workbench.project.errors import WorkbenchError
from workbench.ui.panels.base import PanelContext, StepPanel
from workbench.ui.panels.segments.builder import BuilderPage
from workbench.ui.panels.segments.builder_style import builder_stylesheet
from workbench.ui.panels.segments.segment_list import SegmentList
from workbench.ui.widgets import page_header

if TYPE_CHECKING:
    from workbench.project import Project
    from workbench.segments.catalog import Catalog
    from workbench.segments.evaluate import SegmentCount
    from workbench.segments.model import Segment
    from workbench.tasks import Task
    from workbench.ui.task_runner import Job

PAGES = (("build", "Build"), ("compare", "Compare"), ("overlap", "Overlap"), ("members", "Members"))
PAGE_CLASSES = {
    "compare": "workbench.ui.panels.segments.compare_page:ComparePage",
    "overlap": "workbench.ui.panels.segments.overlap_page:OverlapPage",
    "members": "workbench.ui.panels.segments.members_page:MembersPage",
}


def unique_name(base: str, taken: list[str]) -> str:
    """``base``, or ``base 2``, ``base 3``... whichever is free."""
    if base not in taken:
        return base
    n = 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"


class SegmentsPanel(StepPanel):
    """Build, compare, overlap and browse segments of the current identity run."""

    key = "segments"
    title = "Segments"

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._stack = QUndoStack(self)
        self.catalog: Catalog | None = None
        self._catalog_job: Job | None = None
        self._events_job: Job | None = None
        self._pages: dict[str, QWidget] = {}
        self._style = ""
        self._build()
        session = ctx.session
        session.sig_project_changed.connect(self._project_changed)
        session.sig_about_to_close.connect(self._about_to_close)
        session.sig_identity_changed.connect(lambda _run: self._load_catalog())
        session.sig_segments_changed.connect(self._segments_changed)
        self._restyle()
        self._project_changed(session.project)

    # ------------------------------------------------------------------ layout
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 22, 28, 18)
        outer.setSpacing(14)
        top = QHBoxLayout()
        head, self.heading, self.subtitle = page_header("Segments", "")
        top.addLayout(head, 1)
        switch = QFrame(objectName="pageSwitch")
        self.page_switch = switch
        switch_box = QHBoxLayout(switch)
        switch_box.setContentsMargins(3, 3, 3, 3)
        switch_box.setSpacing(2)
        self.page_buttons: dict[str, QPushButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(True)
        for key, label in PAGES:
            button = QPushButton(label, objectName="pageTab")
            button.setCheckable(True)
            button.clicked.connect(lambda _c=False, k=key: self.show_page(k))
            group.addButton(button)
            switch_box.addWidget(button)
            self.page_buttons[key] = button
        self.page_buttons["build"].setChecked(True)
        top.addWidget(switch, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(top)

        self.body = QStackedWidget()
        self.notice = self._notice()
        self.body.addWidget(self.notice)
        self.pages = QStackedWidget()
        self.body.addWidget(self.pages)
        outer.addWidget(self.body, 1)

        self.segment_list = SegmentList(self.ctx.runner)
        self.segment_list.setMinimumWidth(250)
        self.segment_list.setMaximumWidth(420)
        self.builder = BuilderPage(self.ctx.runner, self._stack)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.segment_list)
        split.addWidget(self.builder)
        split.setStretchFactor(1, 1)
        split.setSizes([330, 900])
        split.setChildrenCollapsible(False)
        split.setHandleWidth(16)
        self.pages.addWidget(split)
        self._pages["build"] = split

        lst = self.segment_list
        lst.sig_selected.connect(self.open_saved)
        lst.sig_new.connect(self.new_segment)
        lst.sig_from_template.connect(self.pick_template)
        lst.sig_duplicate.connect(self.duplicate)
        lst.sig_rename.connect(self.rename)
        lst.sig_delete.connect(self.delete)
        b = self.builder
        b.sig_saved.connect(self._saved)
        b.sig_renamed.connect(lambda old, _new: lst.forget_count(old))
        b.sig_view_members.connect(self.view_members)
        b.sig_error.connect(self.error)
        b.counter.sig_counted.connect(self._live_counted)

    def _notice(self) -> QWidget:
        frame = QFrame(objectName="card")
        box = QVBoxLayout(frame)
        box.setContentsMargins(28, 24, 28, 26)
        box.setSpacing(8)
        self.notice_title = QLabel("", objectName="section")
        self.notice_text = QLabel("", objectName="muted")
        self.notice_text.setWordWrap(True)
        box.addWidget(self.notice_title)
        box.addWidget(self.notice_text)
        frame.setMaximumWidth(760)
        holder = QWidget()
        lay = QVBoxLayout(holder)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(frame)
        lay.addStretch(1)
        return holder

    def _say(self, title: str, text: str) -> None:
        self.notice_title.setText(title)
        self.notice_text.setText(text)
        self.body.setCurrentWidget(self.notice)
        self.page_switch.hide()

    def undo_stack(self) -> QUndoStack:
        return self._stack

    # ------------------------------------------------------------------ pages
    def page(self, key: str) -> QWidget:
        """The page ``key``, built on first use (a stand-in if it is not available)."""
        if key not in self._pages:
            module_name, _, class_name = PAGE_CLASSES[key].partition(":")
            try:
                cls = getattr(importlib.import_module(module_name), class_name)
                widget: QWidget = cls(self.ctx)
            except ImportError:
                widget = QLabel(
                    f"The {key} page is not available in this build.", objectName="muted"
                )
                widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.pages.addWidget(widget)
            self._pages[key] = widget
        return self._pages[key]

    def show_page(self, key: str) -> QWidget:
        widget = self.page(key)
        self.pages.setCurrentWidget(widget)
        self.page_buttons[key].setChecked(True)
        return widget

    def view_members(self, name: str) -> None:
        page = self.show_page("members")
        show = getattr(page, "show_segment", None)
        if callable(show):
            show(name)

    # ------------------------------------------------------------------ project
    @property
    def project(self) -> Project | None:
        return self.ctx.session.project

    def _project_changed(self, project: Project | None) -> None:
        self._stack.clear()
        self.segment_list.set_project(project)
        self.builder.set_project(None, None)
        if project is None:
            self.subtitle.setText("No project open")
            self._say("No project open", "Open or create a project to build segments.")
            return
        self._load_catalog()

    def _about_to_close(self, _project: Project) -> None:
        if self._catalog_job is not None:
            self._catalog_job.cancel()
            self._catalog_job = None
        if self._events_job is not None:
            self._events_job.cancel()
            self._events_job = None
        self.segment_list.stop()
        self.builder.set_project(None, None)
        self._stack.clear()

    def _load_catalog(self) -> None:
        project = self.project
        if project is None:
            return
        if self._catalog_job is not None:
            self._catalog_job.cancel()
        self.subtitle.setText("Reading the fields and events of the unified profiles…")

        def load(_task: object) -> Catalog:
            from workbench.segments.catalog import load_catalog  # noqa: PLC0415

            return load_catalog(project)

        job = self.ctx.runner.start(
            "Reading segment fields", load, determinate=False, report=False, background=True
        )
        self._catalog_job = job
        job.sig_finished.connect(lambda catalog, j=job: self._catalog_loaded(j, catalog))
        job.sig_failed.connect(lambda message, _d, j=job: self._catalog_failed(j, message))

    def _catalog_loaded(self, job: Job, catalog: Catalog) -> None:
        if job is not self._catalog_job or self.project is None:
            return
        self._catalog_job = None
        self.catalog = catalog
        self._prepare_events()
        events = sum(catalog.event_types.values())
        self.subtitle.setText(
            f"Audiences on {catalog.profiles:,} unified profiles and {events:,} events of "
            f"{self.project.name}"
        )
        self.body.setCurrentWidget(self.pages)
        self.page_switch.show()
        first = self.builder.catalog is None  # a new project, not a new identity run
        self.segment_list.counts.clear()
        self.segment_list.blockSignals(True)
        self.segment_list.reload(self.builder.saved_name)
        self.segment_list.blockSignals(False)
        self.builder.set_project(self.project, catalog)  # recounts what is on screen
        self.builder.set_saved_names(self.segment_list.names())
        if not first:
            return  # keep the definition being edited, unsaved changes and all
        if self.segment_list.names():
            self.segment_list.select(self.segment_list.names()[0])
        else:
            self.new_segment()

    def _prepare_events(self) -> None:
        """Fill the compact events table in the background (once per identity run), so
        first counts need not; counts meanwhile read main.events rather than wait."""
        project = self.project
        if project is None or project.read_only:
            return
        if self._events_job is not None:
            self._events_job.cancel()

        def prepare(task: Task) -> object:
            from workbench.segments.events_table import prepare_all_event_types  # noqa: PLC0415

            return prepare_all_event_types(project, task)

        self._events_job = self.ctx.runner.start(
            "Preparing events for segments", prepare, report=False, background=True
        )

    def _catalog_failed(self, job: Job, message: str) -> None:
        if job is not self._catalog_job:
            return
        self._catalog_job = None
        self.catalog = None
        self.subtitle.setText("Segments need unified profiles")
        text = (
            "Segments describe unified customer profiles, which an identity run builds from "
            "your profile sources. Import your sources in the Data step, then resolve them in "
            "the Identity step.\n\nFrom the command line: workbench resolve PROJECT --auto"
        )
        if "resolve identities first" not in message:
            text += f"\n\n{message}"  # something else went wrong: say what
        self._say("Resolve identities first", text)

    # ------------------------------------------------------------------ segments
    def _discard_ok(self) -> bool:
        b = self.builder
        if not b.dirty or (b.saved_draft is None and not b.draft["root"]["conditions"]):
            return True
        name = b.draft.get("name") or "this segment"
        return self.confirm(
            "Discard changes",
            f"'{name}' has changes that are not saved. Discard them?",
            "Discard",
        )

    def open_saved(self, name: str, force: bool = False) -> bool:
        """Open the saved segment ``name`` in the builder."""
        project = self.project
        if project is None or self.catalog is None:
            return False
        if not force and name == self.builder.saved_name:
            return True  # already open (perhaps with edits, which stay)
        if not force and not self._discard_ok():
            self.segment_list.blockSignals(True)
            self.segment_list.select(self.builder.saved_name)
            self.segment_list.blockSignals(False)
            return False
        from workbench.segments.store import load_segment  # noqa: PLC0415

        try:
            segment = load_segment(project, name)
        except WorkbenchError as exc:
            self.error("Could not open the segment", str(exc))
            return False
        self.builder.open(segment, saved=True)
        self.builder.set_saved_names(self.segment_list.names())
        self.show_page("build")
        return True

    def new_segment(self) -> None:
        if self.catalog is None or not self._discard_ok():
            return
        self.segment_list.view.clearSelection()
        self.builder.new(unique_name("New segment", self.segment_list.names()))
        self.show_page("build")

    def pick_template(self) -> None:
        if self.catalog is None:
            return
        from workbench.ui.panels.segments.templates_dialog import TemplatesDialog  # noqa: PLC0415

        dialog = TemplatesDialog(self.catalog, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.chosen() is not None:
            self.open_template(dialog.chosen())  # type: ignore[arg-type]

    def open_template(self, segment: Segment) -> bool:
        """Start editing a template's segment (unsaved, under a free name)."""
        if not self._discard_ok():
            return False
        name = unique_name(segment.name, self.segment_list.names())
        self.segment_list.view.clearSelection()
        self.builder.open(segment.model_copy(update={"name": name}), saved=False)
        self.show_page("build")
        return True

    def duplicate(self, name: str) -> str | None:
        project = self.project
        if project is None:
            return None
        from workbench.segments.store import duplicate_segment  # noqa: PLC0415

        new = unique_name(f"{name} copy", self.segment_list.names())
        try:
            duplicate_segment(project, name, new)
        except WorkbenchError as exc:
            self.error("Could not duplicate the segment", str(exc))
            return None
        self.ctx.session.segments_changed(new)
        self.segment_list.select(new)
        return new

    def rename(self, old: str, new: str) -> bool:
        project = self.project
        if project is None:
            return False
        from workbench.segments.store import rename_segment  # noqa: PLC0415

        try:
            rename_segment(project, old, new)
        except WorkbenchError as exc:
            self.error("Could not rename the segment", str(exc))
            self.segment_list.reload(old)
            return False
        self.builder.follow_rename(old, new)
        self.segment_list.forget_count(old)
        self.ctx.session.segments_changed(new)
        self.segment_list.blockSignals(True)
        self.segment_list.select(new)
        self.segment_list.blockSignals(False)
        return True

    def delete(self, name: str) -> bool:
        project = self.project
        if project is None or not self.confirm(
            "Delete segment",
            f"Delete the segment '{name}' and all its saved versions? This cannot be undone.",
            "Delete",
        ):
            return False
        from workbench.segments.store import delete_segment  # noqa: PLC0415

        try:
            delete_segment(project, name)
        except WorkbenchError as exc:
            self.error("Could not delete the segment", str(exc))
            return False
        self.segment_list.forget_count(name)
        was_open = self.builder.saved_name == name
        if was_open:
            self.builder.forget_saved()
        self.ctx.session.segments_changed(name)
        if was_open:
            names = self.segment_list.names()
            if names:
                self.open_saved(names[0], force=True)
                self.segment_list.blockSignals(True)
                self.segment_list.select(names[0])
                self.segment_list.blockSignals(False)
            else:
                self.builder.new(unique_name("New segment", names))
        return True

    def _saved(self, name: str) -> None:
        self.segment_list.forget_count(name)
        if self.builder.last_count is not None:
            self.segment_list.counts[name] = self.builder.last_count.members
        self.ctx.session.segments_changed(name)
        if self.builder.last_count is not None:
            self.segment_list.set_count(name, self.builder.last_count.members)

    def _live_counted(self, result: SegmentCount) -> None:
        b = self.builder
        if b.saved_name and not b.dirty:
            self.segment_list.set_count(b.saved_name, result.members)

    def _segments_changed(self, _name: str) -> None:
        """Another part of the app changed saved segments: refresh the list."""
        if self.project is None or self.catalog is None:
            return
        self.segment_list.blockSignals(True)
        self.segment_list.reload(self.builder.saved_name)
        self.segment_list.blockSignals(False)
        self.builder.set_saved_names(self.segment_list.names())

    # ------------------------------------------------------------------ theme
    def _restyle(self) -> None:
        """Apply the builder's styles in the application palette's colours (the theme's;
        not this widget's, which the stylesheet itself changes)."""
        sheet = builder_stylesheet(QApplication.palette())
        if sheet != self._style:
            self._style = sheet
            self.setStyleSheet(sheet)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self._restyle()
        super().changeEvent(event)
