"""A layout that wraps its items onto the next line when the row is full."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidget


class FlowLayout(QLayout):
    """Items left to right, wrapping onto the next line when the width runs out (a long
    condition or legend stays readable in a narrow window instead of scrolling sideways);
    hidden widgets take no room, and each line's items are centred vertically."""

    def __init__(
        self, parent: QWidget | None = None, spacing: int = 6, line_spacing: int | None = None
    ) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._gap = spacing
        self._line_gap = spacing if line_spacing is None else line_spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:  # noqa: N802
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:  # noqa: N802
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:  # noqa: N802
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:  # noqa: N802
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.minimumSize()

    def minimumSize(self) -> QSize:  # noqa: N802
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        return size

    def _place(self, rect: QRect, move: bool) -> int:
        x, y, line_height = rect.x(), rect.y(), 0
        visible = [i for i in self._items if i.widget() is None or not i.widget().isHidden()]
        rows: list[list[tuple[QLayoutItem, QSize]]] = [[]]
        for item in visible:
            hint = item.sizeHint().boundedTo(item.maximumSize()).expandedTo(item.minimumSize())
            if x + hint.width() > rect.right() + 1 and rows[-1]:
                x = rect.x()
                y += line_height + self._line_gap
                line_height = 0
                rows.append([])
            rows[-1].append((item, hint))
            x += hint.width() + self._gap
            line_height = max(line_height, hint.height())
        if move:
            top = rect.y()
            for row in rows:
                height = max((h.height() for _i, h in row), default=0)
                left = rect.x()
                for item, hint in row:
                    offset = (height - hint.height()) // 2  # centre each line's items
                    item.setGeometry(QRect(QPoint(left, top + offset), hint))
                    left += hint.width() + self._gap
                top += height + self._line_gap
        return y + line_height - rect.y()
