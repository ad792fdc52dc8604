"""A list of saved segments to tick, with "Select all" and "Clear".

The check boxes are painted here from the palette: the platform style outlines them in a
shade of the window colour, which disappears on the dark theme's surface.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.signals import emit

BOX = 14
INDENT = 28
ROW_HEIGHT = 28

Index = QModelIndex | QPersistentModelIndex


def _checked(index: Index) -> bool:
    state = index.data(Qt.ItemDataRole.CheckStateRole)
    return state in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)


class CheckDelegate(QStyledItemDelegate):
    """Paints a rounded check box in palette colours; a click anywhere on a row toggles it."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        palette = option.palette  # type: ignore[attr-defined]
        rect = option.rect  # type: ignore[attr-defined]
        box = QRectF(rect.left() + 7, rect.center().y() - BOX / 2 + 1, BOX, BOX)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if _checked(index):
            accent = palette.color(QPalette.ColorRole.Link)  # the theme's accent
            painter.setPen(QPen(accent, 1))
            painter.setBrush(accent)
            painter.drawRoundedRect(box, 3, 3)
            tick = QPainterPath(QPointF(box.left() + 3.2, box.center().y() + 0.2))
            tick.lineTo(box.left() + 6, box.bottom() - 3.6)
            tick.lineTo(box.right() - 3, box.top() + 3.8)
            pen = QPen(palette.color(QPalette.ColorRole.Base), 1.8)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(tick)
        else:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.PlaceholderText), 1))
            painter.setBrush(palette.color(QPalette.ColorRole.Base))
            painter.drawRoundedRect(box, 3, 3)
        painter.restore()
        text = QStyleOptionViewItem(option)
        text.rect = rect.adjusted(INDENT, 0, 0, 0)  # type: ignore[attr-defined]
        super().paint(painter, text, index)

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:  # noqa: N802
        """Everything but the platform's check box (painted above)."""
        super().initStyleOption(option, index)
        option.features &= ~QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator  # type: ignore[attr-defined]

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> object:  # noqa: N802
        size = super().sizeHint(option, index)
        size.setHeight(max(size.height(), ROW_HEIGHT))
        size.setWidth(size.width() + INDENT)
        return size

    def editorEvent(self, event: QEvent, model: object, option: object, index: Index) -> bool:  # noqa: N802
        toggle = (
            isinstance(event, QMouseEvent)
            and event.type() == QEvent.Type.MouseButtonRelease
            and event.button() == Qt.MouseButton.LeftButton
        ) or (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Select)
        )
        if not toggle:
            return False
        state = Qt.CheckState.Unchecked if _checked(index) else Qt.CheckState.Checked
        return bool(model.setData(index, state, Qt.ItemDataRole.CheckStateRole))  # type: ignore[attr-defined]


class SegmentChecklist(QWidget):
    """Saved segments with a check box each, plus "Select all" and "Clear"."""

    sig_changed = Signal()
    """The set of checked segments changed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        row = QHBoxLayout()
        row.setSpacing(10)
        self.count_label = QLabel("", objectName="muted")
        self.all_button = QPushButton("Select all", objectName="link")
        self.none_button = QPushButton("Clear", objectName="link")
        self.all_button.clicked.connect(lambda: self.set_all(True))
        self.none_button.clicked.connect(lambda: self.set_all(False))
        row.addWidget(self.count_label)
        row.addStretch(1)
        row.addWidget(self.all_button)
        row.addWidget(self.none_button)
        layout.addLayout(row)
        self.list = QListWidget()
        self.list.setObjectName("checklist")
        self.list.setItemDelegate(CheckDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.list.itemChanged.connect(self._item_changed)
        layout.addWidget(self.list, 1)

    def set_segments(self, segments: Sequence[tuple[str, str]], checked: Sequence[str]) -> None:
        """Show ``segments`` (name, description); those named in ``checked`` start checked."""
        self.list.blockSignals(True)
        self.list.clear()
        for name, description in segments:
            item = QListWidgetItem(name)
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(
                Qt.CheckState.Checked if name in checked else Qt.CheckState.Unchecked
            )
            item.setToolTip(description or name)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._update_count()

    def names(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def checked(self) -> list[str]:
        return [
            self.list.item(i).text()
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_checked(self, names: Sequence[str]) -> None:
        """Check exactly ``names`` (one change signal)."""
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            state = Qt.CheckState.Checked if item.text() in names else Qt.CheckState.Unchecked
            item.setCheckState(state)
        self.list.blockSignals(False)
        self._item_changed()

    def set_all(self, on: bool) -> None:
        self.set_checked(self.names() if on else [])

    def _item_changed(self, *_args: object) -> None:
        self._update_count()
        emit(self.sig_changed)

    def _update_count(self) -> None:
        n, total = len(self.checked()), self.list.count()
        self.count_label.setText(f"{n} of {total} chosen" if total else "None saved yet")
        self.all_button.setVisible(total > 0)
        self.none_button.setVisible(total > 0)
