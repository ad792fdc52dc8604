"""One unified profile in full: who it is (golden attributes), every source record merged
into it with its original values, and what it did (an event timeline and counts by type)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.segments.members import BOOKKEEPING, ProfileDetail, SourceRecord
from workbench.ui.browser.browser import data_grid
from workbench.ui.models import MISSING, RowsModel, format_value
from workbench.ui.panels.segments.insights_timeline import TimelineChart

ATTRIBUTES_TAB, RECORDS_TAB, TIMELINE_TAB = range(3)
_NAME_FIELDS = ("first_name", "last_name")


def display_name(detail: ProfileDetail) -> str:
    """The person's name, else their e-mail, else the profile id."""
    attrs = detail.attributes
    if not attrs:
        for record in detail.records:
            attrs = {**record.values(), **{k: v for k, v in attrs.items() if v}}
    name = " ".join(str(attrs[k]) for k in _NAME_FIELDS if attrs.get(k))
    return name or str(attrs.get("email") or detail.profile_id)


def _text(value: object) -> str:
    """An attribute as written; lists (several values kept) joined by commas."""
    if isinstance(value, list | tuple):
        return ", ".join(format_value(v, grouping=False) for v in value) or MISSING
    return format_value(value, grouping=False)


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%d %b %Y") if value is not None else MISSING


def record_title(record: SourceRecord) -> str:
    if not record.found:
        return f"record {record.record_id} (no longer in the source)"
    return f"record {record.record_id}"


class ProfileView(QWidget):
    """Shows a :class:`ProfileDetail`; empty until one is set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: ProfileDetail | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack)
        self.placeholder = QLabel(
            "Select a member to see the unified profile: its attributes, the source "
            "records merged into it and its events.",
            objectName="muted",
            alignment=Qt.AlignmentFlag.AlignCenter,
        )
        self.placeholder.setWordWrap(True)
        self.placeholder.setContentsMargins(24, 24, 24, 24)
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(self._build_detail())

    def _build_detail(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        self.name_label = QLabel("", objectName="title")
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.id_label = QLabel("", objectName="muted")
        self.id_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.id_label.setWordWrap(True)
        layout.addWidget(self.name_label)
        layout.addWidget(self.id_label)
        facts = QHBoxLayout()
        facts.setSpacing(8)
        self.facts: dict[str, QLabel] = {}
        for key in ("records", "events", "seen"):
            label = QLabel("", objectName="badge")
            self.facts[key] = label
            facts.addWidget(label)
        facts.addStretch(1)
        layout.addLayout(facts)
        self.sources_label = QLabel("", objectName="muted")
        self.sources_label.setWordWrap(True)
        layout.addWidget(self.sources_label)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.attributes_model = RowsModel()
        self.attributes_view = _key_value_grid(self.attributes_model)
        self.records_tree = QTreeWidget()
        self.records_tree.setColumnCount(3)
        self.records_tree.setHeaderLabels(["Field", "Value", "In the file"])
        self.records_tree.setAlternatingRowColors(True)
        self.records_tree.setUniformRowHeights(True)
        self.records_tree.setRootIsDecorated(True)
        self.records_tree.setObjectName("records")
        self.records_tree.setStyleSheet("QTreeWidget#records::item { padding: 3px 2px; }")
        header = self.records_tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.records_tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tabs.addTab(_padded(self.attributes_view), "Attributes")
        self.tabs.addTab(_padded(self.records_tree), "Source records")
        self.tabs.addTab(_padded(self._build_timeline()), "Timeline")
        layout.addWidget(self.tabs, 1)
        return box

    def _build_timeline(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.timeline = TimelineChart()
        self.timeline.setMinimumHeight(200)
        layout.addWidget(self.timeline, 3)
        self.events_note = QLabel("", objectName="muted")
        layout.addWidget(self.events_note)
        self.events_model = RowsModel()
        self.events_view = data_grid(self.events_model)
        self.events_view.verticalHeader().setVisible(False)
        self.events_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.events_view.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.events_view, 4)
        return box

    # ------------------------------------------------------------------ state
    def clear(self, message: str = "") -> None:
        self.detail = None
        if message:
            self.placeholder.setText(message[:1].upper() + message[1:])
        self.stack.setCurrentWidget(self.placeholder)

    def set_detail(self, detail: ProfileDetail) -> None:
        self.detail = detail
        self.name_label.setText(display_name(detail))
        run_note = "" if detail.current else f" · identity run {detail.run_id} (not current)"
        self.id_label.setText(f"Profile {detail.profile_id}{run_note}")
        n_records = len(detail.records)
        self.facts["records"].setText(f"{n_records:,} source record{'s' * (n_records != 1)}")
        self.sources_label.setText("Merged from " + (", ".join(detail.sources) or "no source"))
        self.facts["events"].setText(f"{detail.events_total:,} events")
        self.facts["seen"].setText(
            f"{_when(detail.first_seen)} to {_when(detail.last_seen)}"
            if detail.first_seen is not None
            else "no events"
        )
        self._show_attributes(detail)
        self._show_records(detail)
        self._show_timeline(detail)
        self.tabs.setTabText(RECORDS_TAB, f"Source records ({n_records})")
        self.tabs.setTabText(TIMELINE_TAB, f"Timeline ({detail.events_total:,})")
        self.stack.setCurrentIndex(1)

    def _show_attributes(self, detail: ProfileDetail) -> None:
        rows = [
            [k, _text(v)]
            for k, v in detail.attributes.items()
            if k != "profile_id" and k not in BOOKKEEPING
        ]
        if not rows:
            rows = [["(none)", "Attributes are kept for profiles of the current run only."]]
        self.attributes_model.set_rows(["Attribute", "Value"], rows)
        self.attributes_view.resizeColumnToContents(0)

    def _show_records(self, detail: ProfileDetail) -> None:
        tree = self.records_tree
        tree.clear()
        by_source: dict[str, list[SourceRecord]] = {}
        for record in detail.records:
            by_source.setdefault(record.source, []).append(record)
        for source, records in by_source.items():
            count = f"{len(records)} record{'s' * (len(records) != 1)}"
            top = QTreeWidgetItem([source, count, ""])
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            tree.addTopLevelItem(top)
            for record in records:
                item = QTreeWidgetItem([record_title(record), "", ""])
                top.addChild(item)
                item.setFirstColumnSpanned(True)
                for f in record.fields:
                    if f.role in ("ignore",):
                        continue
                    original = f.original_name if f.original_name != f.name else ""
                    child = QTreeWidgetItem(
                        [f.name, format_value(f.value, grouping=False), original]
                    )
                    child.setToolTip(1, format_value(f.value, grouping=False))
                    if f.role and f.role not in ("attribute", "ignore"):
                        child.setToolTip(0, f"{f.name}: {f.role.replace('_', ' ')}")
                    item.addChild(child)
        tree.expandAll()
        metrics = tree.fontMetrics()
        names = [f.name for r in detail.records for f in r.fields] + list(by_source)
        widest = max((metrics.horizontalAdvance(n) for n in names), default=100)
        tree.setColumnWidth(0, widest + 2 * tree.indentation() + 28)

    def _show_timeline(self, detail: ProfileDetail) -> None:
        self.timeline.set_events(detail.events, detail.event_counts)
        shown = len(detail.events)
        if detail.events_total > shown:
            self.events_note.setText(f"The newest {shown:,} of {detail.events_total:,} events")
        elif shown:
            self.events_note.setText(f"{shown:,} events, newest first")
        else:
            self.events_note.setText("No events are linked to this profile.")
        self.events_model.set_rows(
            ["When (UTC)", "Event", "Value", "Channel", "Details"],
            [
                [
                    e.ts.strftime("%Y-%m-%d %H:%M") if e.ts is not None else None,
                    e.event_type,
                    e.value,
                    e.channel,
                    ", ".join(
                        f"{k}={format_value(v, grouping=False)}" for k, v in e.properties.items()
                    )
                    or None,
                ]
                for e in detail.events
            ],
        )
        self.events_view.resizeColumnsToContents()
        header = self.events_view.horizontalHeader()
        for i in range(header.count() - 1):
            header.resizeSection(i, min(header.sectionSize(i) + 12, 220))


def _key_value_grid(model: RowsModel) -> QTableView:
    view = data_grid(model)
    view.verticalHeader().setVisible(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def _padded(widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(2, 10, 2, 2)
    layout.addWidget(widget)
    return box
