"""Behaviour rows: an event done N times (or with a total / average) in a window, days since
the last or first time, and sequences ("added to cart, then did not buy within 24 hours").

Each event clause can be narrowed by property filters ("where category is shoes"), one
line each under the main clause, with the properties and values that event type has.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from workbench.ui.panels.segments.condition_draft import event_properties, numeric_event_fields
from workbench.ui.panels.segments.condition_rows import ConditionRow, EditorEnv, action_button
from workbench.ui.panels.segments.condition_value_test import ValueTestEditor
from workbench.ui.panels.segments.condition_widgets import (
    Line,
    NumberTestEditor,
    WindowEditor,
    number_spin,
    picker,
    words,
)
from workbench.ui.signals import emit

MEASURES = (("number of times", "count"), ("total of", "sum"), ("average of", "average"))


def event_choices(env: EditorEnv, any_label: str = "any event") -> list[tuple[str, object]]:
    """Event types with their counts, most common first, and "any event"."""
    choices: list[tuple[str, object]] = [
        (f"{name}  ·  {count:,}", name) for name, count in env.catalog.event_types.items()
    ]
    return [*choices, (any_label, None)]


class WhereList(QWidget):
    """Property filters of one event clause: ``where [category ▾] [is ▾] [shoes]``."""

    sig_changed = Signal(object, str, bool)
    """The new list of filters, a merge key, whether the list's shape changed."""

    def __init__(
        self,
        where: list[dict],
        event_type: str | None,
        env: EditorEnv,
        add_label: str = "+ where…",
    ) -> None:
        super().__init__()
        self.tests = copy.deepcopy(where)
        self.env = env
        self.event_type = event_type
        self.fields = event_properties(env.catalog, event_type)
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(4)
        self.add_label = add_label
        self._build()

    def _build(self) -> None:
        while self.box.count():
            widget = self.box.takeAt(0).widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.editors: list[ValueTestEditor] = []
        for i, test in enumerate(self.tests):
            line = Line()
            line.add(words("where" if i == 0 else "and", "joiner"))
            editor = ValueTestEditor(
                test,
                self.fields,
                self.env.values,
                ("events", self.event_type or ""),
                self.env.today,
            )
            editor.sig_changed.connect(
                lambda t, key, reshape, i=i: self._edited(i, t, key, reshape)
            )
            drop = action_button("✕", "Remove this filter", "filterAction")
            drop.clicked.connect(lambda _c=False, i=i: self._remove(i))
            line.add(editor, drop)
            line.box.addStretch(1)
            self.editors.append(editor)
            self.box.addWidget(line)
        if self.fields:
            self.add_button = QPushButton(self.add_label, objectName="link")
            self.add_button.setToolTip("Count only events whose property matches")
            self.add_button.clicked.connect(self.add_filter)
            holder = Line()
            holder.add(self.add_button)
            holder.box.addStretch(1)
            self.box.addWidget(holder)
        self.setVisible(bool(self.fields) or bool(self.tests))

    def add_filter(self) -> None:
        name = next((n for n in ("category", "channel", "url") if n in self.fields), None)
        name = name or next(iter(self.fields))
        self.tests.append({"field": name, "op": "equals", "value": None})
        self._build()
        emit(self.sig_changed, copy.deepcopy(self.tests), "", True)

    def _remove(self, index: int) -> None:
        del self.where[index]
        self._build()
        emit(self.sig_changed, copy.deepcopy(self.tests), "", True)

    def _edited(self, index: int, test: dict, key: str, reshape: bool) -> None:
        self.where[index] = test
        emit(
            self.sig_changed,
            copy.deepcopy(self.tests),
            "" if reshape else f"{index}.{key}",
            reshape,
        )


class EventRow(ConditionRow):
    """``[purchase ▾] [number of times ▾] [at least ▾] [2] [in the last ▾] [30] days``."""

    def fill(self) -> None:
        c = self.cond
        line = self.line()
        self.event_pick = picker(event_choices(self.env), c.get("event_type"), self._event)
        measure = c.get("measure", "count")
        self.measure = picker(MEASURES, measure, lambda m: self.edit("measure", m, rebuild=True))
        line.add(self.event_pick, self.measure)
        if measure != "count":
            fields = numeric_event_fields(self.env.catalog, c.get("event_type"))
            self.value_field = picker(
                [(f, f) for f in fields],
                c.get("value_field", "value"),
                lambda f: self.edit("value_field", f),
            )
            line.add(self.value_field)
        self.test_editor = NumberTestEditor(
            c.get("test", {}), "times" if measure == "count" else "", integer=measure == "count"
        )
        self.test_editor.sig_changed.connect(
            lambda t, key, reshape: self.edit("test", t, "" if reshape else f"test.{key}")
        )
        self.window_editor = WindowEditor(c.get("window", {}), self.env.today)
        self.window_editor.sig_changed.connect(
            lambda w, key, reshape: self.edit("window", w, "" if reshape else f"window.{key}")
        )
        line.add(self.test_editor, self.window_editor)
        self.where_list = WhereList(c.get("where", []), c.get("event_type"), self.env)
        self.where_list.sig_changed.connect(self._where)
        self.body.addWidget(self.where_list)
        self.lines.append(self.where_list)

    def _event(self, event_type: object) -> None:
        if event_type == self.cond.get("event_type"):
            return
        known = event_properties(self.env.catalog, event_type)  # type: ignore[arg-type]
        where = [w for w in self.cond.get("where", []) if w.get("field") in known]
        self.cond = dict(self.cond, event_type=event_type, where=where)
        if self.cond.get("value_field", "value") not in known:
            self.cond["value_field"] = "value"
        self._build()
        emit(self.sig_edited, copy.deepcopy(self.cond), "")

    def _where(self, where: list, key: str, _reshape: bool) -> None:
        self.edit("where", where, f"where.{key}" if key else "")


class RecencyRow(ConditionRow):
    """``the [last ▾] [purchase ▾] was [at most ▾] [30] days ago``."""

    def fill(self) -> None:
        c = self.cond
        line = self.line()
        self.which_pick = picker(
            [("last", "last"), ("first", "first")],
            c.get("which", "last"),
            lambda w: self.edit("which", w),
        )
        self.event_pick = picker(event_choices(self.env), c.get("event_type"), self._event)
        self.test_editor = NumberTestEditor(c.get("test", {}), "days ago", integer=True)
        self.test_editor.sig_changed.connect(
            lambda t, key, reshape: self.edit("test", t, "" if reshape else f"test.{key}")
        )
        line.add(words("the"), self.which_pick, self.event_pick, words("was"), self.test_editor)
        self.where_list = WhereList(c.get("where", []), c.get("event_type"), self.env)
        self.where_list.sig_changed.connect(
            lambda w, key, _r: self.edit("where", w, f"where.{key}" if key else "")
        )
        self.body.addWidget(self.where_list)
        self.lines.append(self.where_list)

    def _event(self, event_type: object) -> None:
        if event_type == self.cond.get("event_type"):
            return
        known = event_properties(self.env.catalog, event_type)  # type: ignore[arg-type]
        where = [w for w in self.cond.get("where", []) if w.get("field") in known]
        self.cond = dict(self.cond, where=where)
        self.edit("event_type", event_type, rebuild=True)


class SequenceRow(ConditionRow):
    """``did [cart_add ▾], then [did not do ▾] [purchase ▾] within [24] hours``, with the
    first event's window and filters on either event."""

    def fill(self) -> None:
        c = self.cond
        first = c.get("first", {"event_type": None, "where": []})
        then = c.get("then", {"event_type": None, "where": []})
        line = self.line()
        self.first_pick = picker(
            event_choices(self.env), first.get("event_type"), lambda t: self._event("first", t)
        )
        self.then_not = picker(
            [("did not do", True), ("did", False)],
            c.get("then_not", True),
            lambda v: self.edit("then_not", v),
        )
        self.then_pick = picker(
            event_choices(self.env), then.get("event_type"), lambda t: self._event("then", t)
        )
        self.hours = number_spin(
            c.get("within_hours", 24),
            lambda v: self.edit("within_hours", v, "within_hours"),
            decimals=1,
        )
        self.hours.setMinimumWidth(64)
        line.add(
            words("did"),
            self.first_pick,
            words("then"),
            self.then_not,
            self.then_pick,
            words("within"),
            self.hours,
            words("hours"),
        )
        second = self.line()
        self.window_editor = WindowEditor(c.get("window", {}), self.env.today)
        self.window_editor.sig_changed.connect(
            lambda w, key, reshape: self.edit("window", w, "" if reshape else f"window.{key}")
        )
        second.add(words("first event"), self.window_editor)
        self.first_where = self._where_list("first", first, "+ where (first event)…")
        self.then_where = self._where_list("then", then, "+ where (second event)…")

    def _where_list(self, which: str, clause: dict, label: str) -> WhereList:
        where = WhereList(clause.get("where", []), clause.get("event_type"), self.env, label)
        where.sig_changed.connect(
            lambda w, key, _r: self.edit(
                which, dict(self.cond.get(which, {}), where=w), f"{which}.{key}" if key else ""
            )
        )
        self.body.addWidget(where)
        self.lines.append(where)
        return where

    def _event(self, which: str, event_type: object) -> None:
        clause = dict(self.cond.get(which, {}))
        if event_type == clause.get("event_type"):
            return
        known = event_properties(self.env.catalog, event_type)  # type: ignore[arg-type]
        clause["where"] = [w for w in clause.get("where", []) if w.get("field") in known]
        clause["event_type"] = event_type
        self.edit(which, clause, rebuild=True)
