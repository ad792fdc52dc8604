"""Table models of the import preview: the column mapping (editable) and the first rows.

Edits of the mapping go onto an undo stack as commands on the draft; the models only
read the draft, so undo, redo and a fresh engine preview all refresh them the same way.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QPalette, QUndoStack
from PySide6.QtWidgets import QApplication, QComboBox, QStyledItemDelegate, QWidget

from workbench.ingest.roles import roles_for
from workbench.ui.models import LEFT, MISSING, Index, muted_brush
from workbench.ui.panels.data.import_draft import TYPE_CHOICES, ImportDraft
from workbench.ui.panels.data.undo import SetRoleCommand, SetTypeCommand
from workbench.ui.signals import emit

COLUMN, ROLE, TYPE, WHY = range(4)
CHOICES_ROLE = Qt.ItemDataRole.UserRole + 1
"""Item role holding the (label, value) choices of an editable cell."""
VALUE_ROLE = Qt.ItemDataRole.UserRole + 2
"""Item role holding the cell's current choice value (a role, or a user type or None)."""


class _DraftModel(QAbstractTableModel):
    """A table over an import draft: reset when its preview changes, refreshed when only
    the chosen options (roles, types) change."""

    def __init__(self, draft: ImportDraft) -> None:
        super().__init__()
        self.draft = draft
        self.set_draft(draft)

    def set_draft(self, draft: ImportDraft) -> None:
        self.beginResetModel()
        self.draft = draft
        draft.sig_preview_changed.connect(self._reset)
        draft.sig_options_changed.connect(self._options_changed)
        self.endResetModel()

    def _reset(self) -> None:
        self.beginResetModel()
        self.endResetModel()

    def _options_changed(self) -> None:
        raise NotImplementedError


class MappingModel(_DraftModel):
    """One row per file column: name, role, type (both editable) and why it was suggested."""

    HEADERS = ("Column", "Role", "Type", "Why")

    def __init__(self, draft: ImportDraft, stack: QUndoStack) -> None:
        self.stack = stack
        self.editable = True
        super().__init__(draft)

    def _options_changed(self) -> None:
        if self.rowCount():
            emit(self.dataChanged, self.index(0, 0), self.index(self.rowCount() - 1, WHY))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.draft.columns())

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable and index.column() in (ROLE, TYPE):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        plan = self.draft.columns()[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == COLUMN:
                return plan.name
            if col == ROLE:
                return self.draft.role_of(plan)
            if col == TYPE:
                return self.draft.type_text(plan)
            return plan.reason
        if role == VALUE_ROLE:
            return self.draft.role_of(plan) if col == ROLE else self.draft.user_type(plan)
        if role == CHOICES_ROLE:
            if col == ROLE:
                return [(r, r) for r in roles_for(self.draft.kind)]
            if col == TYPE:
                return list(TYPE_CHOICES)
            return None
        changed = (col == ROLE and self.draft.role_overridden(plan)) or (
            col == TYPE and self.draft.user_type(plan) is not None
        )
        if role == Qt.ItemDataRole.FontRole and changed:
            font = QFont(QApplication.font())
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole:
            if changed:
                return QApplication.palette().brush(QPalette.ColorRole.Link)
            if col == WHY:
                return muted_brush()
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(index.row(), col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return LEFT
        return None

    def _tooltip(self, row: int, col: int) -> str | None:
        plan = self.draft.columns()[row]
        if col == COLUMN and plan.original_name != plan.name:
            return f"'{plan.original_name}' in the file"
        if col == ROLE:
            return f"Suggested: {plan.suggested_role} ({plan.reason}). Double-click to change."
        if col == TYPE:
            return (
                "Double-click to change. 'keep as text' keeps ids and codes exactly as written "
                "(leading zeros, long numbers)."
            )
        return None

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self.editable:
            return False
        plan = self.draft.columns()[index.row()]
        if index.column() == ROLE:
            new = None if value == plan.suggested_role else str(value)
            if self.draft.role_of(plan) == value and self.draft.roles.get(plan.name) == new:
                return False
            self.stack.push(SetRoleCommand(self.draft, plan.name, new))
            return True
        if index.column() == TYPE:
            new_type = None if value is None else str(value)
            if self.draft.types.get(plan.name) == new_type:
                return False
            self.stack.push(SetTypeCommand(self.draft, plan.name, new_type))
            return True
        return False

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box editor over the cell's (label, value) choices; commits on selection."""

    def createEditor(  # noqa: N802
        self, parent: QWidget, _option: object, index: QModelIndex | QPersistentModelIndex
    ) -> QWidget:
        combo = QComboBox(parent)
        for label, value in index.data(CHOICES_ROLE) or []:
            combo.addItem(label, value)
        combo.activated.connect(lambda _i, c=combo: self._commit(c))
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:  # noqa: N802
        assert isinstance(editor, QComboBox)
        editor.setCurrentIndex(max(editor.findData(index.data(VALUE_ROLE)), 0))

    def setModelData(  # noqa: N802
        self,
        editor: QWidget,
        model: QAbstractTableModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)

    def _commit(self, combo: QComboBox) -> None:
        emit(self.commitData, combo)
        emit(self.closeEditor, combo)


class PreviewModel(_DraftModel):
    """The first rows of the file as read, headed by each column's role and type."""

    def _options_changed(self) -> None:
        if self.columnCount():
            emit(self.headerDataChanged, Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        preview = self.draft.preview
        return 0 if parent.isValid() or preview is None else len(preview.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.draft.columns())

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        preview = self.draft.preview
        if not index.isValid() or preview is None:
            return None
        value = preview.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return MISSING if value is None else value
        if role == Qt.ItemDataRole.ForegroundRole and value is None:
            return muted_brush()
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        columns = self.draft.columns()
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if section >= len(columns) or role != Qt.ItemDataRole.DisplayRole:
            return None
        plan = columns[section]
        return f"{plan.name}\n{self.draft.role_of(plan)} · {self.draft.type_text(plan)}"
