"""The condition tree on screen: groups (all / any of, or not) holding condition rows and
nested groups, each with its own "+ Add condition" menu.

The tree shows a draft's root group and reports what the user does (an edited condition,
a toggled group, an added, removed or moved condition) as signals carrying paths; the
builder turns them into undoable edits and hands the new draft back through
:meth:`ConditionTree.show`, which updates rows in place when only values changed (so the
field being typed in keeps its focus) and rebuilds when the structure changed.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.panels.segments.condition_draft import (
    CONDITION_KINDS,
    KIND_HINTS,
    KIND_LABELS,
    Path,
    shape,
)
from workbench.ui.panels.segments.condition_event_rows import EventRow, RecencyRow, SequenceRow
from workbench.ui.panels.segments.condition_rows import (
    AttributeRow,
    BucketRow,
    ConditionRow,
    EditorEnv,
    MetricRow,
    SegmentRow,
    action_button,
)
from workbench.ui.signals import emit

ROWS: dict[str, type[ConditionRow]] = {
    "attribute": AttributeRow,
    "event": EventRow,
    "recency": RecencyRow,
    "sequence": SequenceRow,
    "metric": MetricRow,
    "segment": SegmentRow,
    "bucket": BucketRow,
}


def group_sentence(op: str, negate: bool) -> str:
    if negate:
        return "none of these hold" if op == "or" else "not all of these hold"
    return "all of these hold" if op == "and" else "any of these holds"


class GroupBox(QFrame):
    """A group: its all/any toggle, its NOT toggle, its children and its add menu."""

    def __init__(self, tree: ConditionTree, group: dict, path: Path) -> None:
        super().__init__(objectName="rootGroup" if not path else "group")
        self.tree = tree
        self.path = path
        self.group = group
        outer = QVBoxLayout(self)
        margin = 0 if not path else 12
        outer.setContentsMargins(margin, 10 if path else 0, margin if path else 0, margin)
        outer.setSpacing(8)

        head = QHBoxLayout()
        head.setSpacing(6)
        self.negate = QPushButton("Not", objectName="notToggle")
        self.negate.setCheckable(True)
        self.negate.setChecked(bool(group.get("negate")))
        self.negate.setToolTip("Negate: members are those for whom this group does not hold")
        self.negate.toggled.connect(lambda on: self._edit(negate=on))
        self.all_button = QPushButton("All", objectName="segLeft")
        self.any_button = QPushButton("Any", objectName="segRight")
        self.ops = QButtonGroup(self)
        for button, op in ((self.all_button, "and"), (self.any_button, "or")):
            button.setCheckable(True)
            button.setChecked(group.get("op", "and") == op)
            button.setToolTip("Every condition must hold" if op == "and" else "One is enough")
            self.ops.addButton(button)
            button.clicked.connect(lambda _c=False, op=op: self._edit(op=op))
        self.ops.setExclusive(True)
        self.sentence = QLabel(objectName="groupSentence")
        head.addWidget(QLabel("Members where" if not path else "Where", objectName="groupLead"))
        head.addWidget(self.negate)
        pair = QHBoxLayout()
        pair.setSpacing(0)
        pair.addWidget(self.all_button)
        pair.addWidget(self.any_button)
        head.addLayout(pair)
        head.addWidget(self.sentence)
        head.addStretch(1)
        if path:
            self.up = action_button("↑", "Move the group up")
            self.down = action_button("↓", "Move the group down")
            self.remove = action_button("✕", "Remove the group and its conditions")
            self.up.clicked.connect(lambda: emit(tree.sig_move, self.path, -1))
            self.down.clicked.connect(lambda: emit(tree.sig_move, self.path, 1))
            self.remove.clicked.connect(lambda: emit(tree.sig_remove, self.path))
            for button in (self.up, self.down, self.remove):
                head.addWidget(button)
        outer.addLayout(head)
        self.error = QLabel(objectName="rowError")
        self.error.setWordWrap(True)
        self.error.hide()
        outer.addWidget(self.error)

        self.children_box = QVBoxLayout()
        self.children_box.setSpacing(6)
        outer.addLayout(self.children_box)
        self.child_widgets: list[QWidget] = []
        for i, cond in enumerate(group.get("conditions", [])):
            if i:
                self.children_box.addWidget(self._joiner())
            child = tree.make(cond, (*path, i), i, len(group["conditions"]))
            self.child_widgets.append(child)
            self.children_box.addWidget(child)
        self.empty = QLabel(objectName="emptyGroup")
        self.empty.setWordWrap(True)
        if not self.child_widgets:
            self.children_box.addWidget(self.empty)
        add = QPushButton("+ Add condition", objectName="addCondition")
        add.setMenu(tree.add_menu(path, add))
        foot = QHBoxLayout()
        foot.addWidget(add)
        foot.addStretch(1)
        outer.addLayout(foot)
        self.add_button = add
        self._update_words()

    def _joiner(self) -> QLabel:
        label = QLabel(objectName="joiner")
        label.setProperty("role", "joiner")
        label.setContentsMargins(12, 0, 0, 0)
        return label

    def _update_words(self) -> None:
        op = self.group.get("op", "and")
        negate = bool(self.group.get("negate"))
        self.sentence.setText(group_sentence(op, negate))
        for i in range(self.children_box.count()):
            widget = self.children_box.itemAt(i).widget()
            if isinstance(widget, QLabel) and widget.property("role") == "joiner":
                widget.setText("AND" if op == "and" else "OR")
        everyone = (op == "and") != negate
        self.empty.setText(
            "No conditions yet: "
            + ("everyone matches." if everyone else "no one matches.")
            + " Add a condition below."
        )

    def set_group(self, group: dict) -> None:
        """Show the group's own settings (children are updated by the tree)."""
        self.group = group
        for widget, on in (
            (self.negate, bool(group.get("negate"))),
            (self.all_button, group.get("op", "and") == "and"),
            (self.any_button, group.get("op", "and") == "or"),
        ):
            widget.blockSignals(True)
            widget.setChecked(on)
            widget.blockSignals(False)
        self._update_words()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _edit(self, **change: object) -> None:
        if all(self.group.get(k) == v for k, v in change.items()):
            return
        self.group = dict(self.group, **change)
        self._update_words()
        emit(self.tree.sig_group_edited, self.path, change)


class ConditionTree(QWidget):
    """The whole definition's condition tree."""

    sig_edited = Signal(object, object, str)
    """A condition at a path has a new dict; a merge key for undo ('' never merges)."""
    sig_group_edited = Signal(object, object)
    """A group at a path changed its op or negate: the path and the changed keys."""
    sig_add = Signal(object, str)
    """Add a condition of a kind to the group at a path."""
    sig_remove = Signal(object)
    """Remove the condition (or group) at a path."""
    sig_move = Signal(object, int)
    """Move the condition at a path up (-1) or down (+1)."""

    def __init__(self, env: EditorEnv | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.root_box: GroupBox | None = None
        self.rows: dict[Path, QWidget] = {}
        self._shape: tuple | None = None
        self._root: dict = {}

    def set_env(self, env: EditorEnv) -> None:
        self.env = env
        self._shape = None

    def display(self, root: dict) -> None:
        """Display ``root``: in place when only values changed, else rebuilt."""
        new_shape = shape(root)
        if self.root_box is not None and new_shape == self._shape:
            self._update(root, ())
        else:
            self._rebuild(root)
        self._root = copy.deepcopy(root)
        self._shape = new_shape

    def _rebuild(self, root: dict) -> None:
        if self.root_box is not None:
            self.root_box.hide()
            self.root_box.deleteLater()
        self.rows = {}
        assert self.env is not None
        self.root_box = GroupBox(self, root, ())
        self.rows[()] = self.root_box
        self.box.addWidget(self.root_box)

    def _update(self, group: dict, path: Path) -> None:
        box = self.rows[path]
        assert isinstance(box, GroupBox)
        box.set_group(group)
        for i, cond in enumerate(group.get("conditions", [])):
            child_path = (*path, i)
            if cond.get("type") == "group":
                self._update(cond, child_path)
            else:
                row = self.rows[child_path]
                assert isinstance(row, ConditionRow)
                row.set_condition(cond)

    def make(self, cond: dict, path: Path, index: int, count: int) -> QWidget:
        """The widget for one child of a group (a row, or a nested group)."""
        assert self.env is not None
        if cond.get("type") == "group":
            widget: QWidget = GroupBox(self, cond, path)
            widget.up.setEnabled(index > 0)
            widget.down.setEnabled(index < count - 1)
        else:
            row = ROWS[cond["type"]](cond, self.env, path)
            row.set_position(index, count)
            row.sig_edited.connect(lambda c, key, p=path: emit(self.sig_edited, p, c, key))
            row.sig_remove.connect(lambda p=path: emit(self.sig_remove, p))
            row.sig_move.connect(lambda d, p=path: emit(self.sig_move, p, d))
            widget = row
        self.rows[path] = widget
        return widget

    def add_menu(self, path: Path, parent: QWidget) -> QMenu:
        menu = QMenu(parent)
        for kind in (*CONDITION_KINDS, "group"):
            if kind == "group":
                menu.addSeparator()
            action = menu.addAction(KIND_LABELS[kind])
            action.setStatusTip(KIND_HINTS[kind])
            action.setToolTip(KIND_HINTS[kind])
            action.setData(kind)
            if kind == "segment" and self.env is not None and not self.env.segments:
                action.setEnabled(False)
                action.setText(f"{KIND_LABELS[kind]} (save another segment first)")
            action.triggered.connect(lambda _c=False, k=kind, p=path: emit(self.sig_add, p, k))
        menu.setToolTipsVisible(True)
        return menu

    def row(self, path: Path) -> QWidget:
        return self.rows[path]

    def show_errors(self, errors: dict[Path, str]) -> None:
        for path, widget in self.rows.items():
            message = errors.get(path, "")
            if isinstance(widget, ConditionRow | GroupBox):
                widget.show_error(message)
