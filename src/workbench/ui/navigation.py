"""The left sidebar: the app's mark and the workflow steps, in order."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPaintEvent, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.panels.registry import STEPS, StepSpec
from workbench.ui.signals import emit

BRAND_BLUE = "#2f6fde"


def draw_mark(painter: QPainter, rect: QRectF) -> None:
    """The app's mark: two overlapping profiles resolving into one."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(BRAND_BLUE))
    radius = rect.width() * 0.24
    painter.drawRoundedRect(rect, radius, radius)
    d = rect.width() * 0.42
    cy = rect.center().y()
    painter.setBrush(QColor(255, 255, 255, 150))
    painter.drawEllipse(QRectF(rect.center().x() - d * 0.85, cy - d / 2, d, d))
    painter.setBrush(QColor(255, 255, 255, 235))
    painter.drawEllipse(QRectF(rect.center().x() - d * 0.15, cy - d / 2, d, d))
    painter.restore()


def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 32, 64, 128):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        draw_mark(painter, QRectF(0, 0, size, size))
        painter.end()
        icon.addPixmap(pixmap)
    return icon


class Mark(QWidget):
    def __init__(self, size: int = 28, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(size, size)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        draw_mark(painter, QRectF(self.rect()))
        painter.end()


class StepButton(QAbstractButton):
    """One step: its number, title and a line saying what it holds."""

    def __init__(self, number: int, spec: StepSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.number = number
        self.spec = spec
        self.setCheckable(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(spec.summary + ("" if spec.ready else " (not built yet)"))
        self.setAccessibleName(spec.title)
        self.setText(spec.title)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(236, 58)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        accent = pal.color(QPalette.ColorRole.Highlight)
        ink = pal.color(QPalette.ColorRole.WindowText)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        rect = QRectF(self.rect()).adjusted(8, 3, -8, -3)
        if self.isChecked() or self.underMouse():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(pal.color(QPalette.ColorRole.Base))
            painter.drawRoundedRect(rect, 8, 8)
        if self.isChecked():
            painter.setBrush(accent)
            painter.drawRoundedRect(
                QRectF(rect.left(), rect.top() + 10, 3, rect.height() - 20), 1.5, 1.5
            )
        circle = QRectF(rect.left() + 14, rect.center().y() - 13, 26, 26)
        if self.isChecked():
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(accent)
        else:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(muted if not self.spec.ready else ink)
        painter.drawEllipse(circle)
        font = QFont(self.font())
        font.setBold(True)
        font.setPixelSize(12)
        painter.setFont(font)
        painter.setPen(
            pal.color(QPalette.ColorRole.HighlightedText)
            if self.isChecked()
            else (ink if self.spec.ready else muted)
        )
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, str(self.number))
        text_left = circle.right() + 12
        font.setPixelSize(14)
        painter.setFont(font)
        painter.setPen(ink if self.spec.ready or self.isChecked() else muted)
        painter.drawText(QRectF(text_left, rect.top() + 9, rect.width(), 20), self.spec.title)
        if not self.spec.ready:
            title_w = painter.fontMetrics().horizontalAdvance(self.spec.title)
            small = QFont(self.font())
            small.setPixelSize(10)
            small.setBold(True)
            painter.setFont(small)
            tag = QRectF(text_left + title_w + 8, rect.top() + 11, 38, 16)
            painter.setPen(muted)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(tag, 8, 8)
            painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, "soon")
        small = QFont(self.font())
        small.setPixelSize(11)
        painter.setFont(small)
        painter.setPen(muted)
        summary = painter.fontMetrics().elidedText(
            self.spec.summary, Qt.TextElideMode.ElideRight, int(rect.right() - text_left - 8)
        )
        painter.drawText(QRectF(text_left, rect.top() + 29, rect.width(), 18), summary)
        painter.end()

    def enterEvent(self, event: object) -> None:  # noqa: N802
        self.update()
        super().enterEvent(event)  # type: ignore[arg-type]

    def leaveEvent(self, event: object) -> None:  # noqa: N802
        self.update()
        super().leaveEvent(event)  # type: ignore[arg-type]


class StepNavigator(QFrame):
    """The sidebar with the workflow steps; emits the chosen step's key."""

    sig_step_chosen = Signal(str)
    """The user picked a step (its registry key)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setFixedWidth(252)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 18, 0, 14)
        layout.setSpacing(2)
        brand = QHBoxLayout()
        brand.setContentsMargins(22, 0, 16, 0)
        brand.setSpacing(10)
        brand.addWidget(Mark(28))
        brand.addWidget(QLabel("Workbench", objectName="brand"))
        brand.addStretch(1)
        layout.addLayout(brand)
        self.project_label = QLabel("", objectName="muted")
        self.project_label.setContentsMargins(22, 8, 16, 12)
        self.project_label.setWordWrap(True)
        layout.addWidget(self.project_label)
        caption = QLabel("Workflow", objectName="eyebrow")
        caption.setContentsMargins(22, 6, 0, 6)
        layout.addWidget(caption)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, StepButton] = {}
        for number, spec in enumerate(STEPS, start=1):
            button = StepButton(number, spec)
            button.clicked.connect(lambda _c=False, key=spec.key: emit(self.sig_step_chosen, key))
            self.group.addButton(button)
            self.buttons[spec.key] = button
            layout.addWidget(button)
        layout.addStretch(1)
        self.footer = QLabel("Everything stays on this computer.", objectName="muted")
        self.footer.setContentsMargins(22, 0, 16, 0)
        self.footer.setWordWrap(True)
        layout.addWidget(self.footer)

    def set_current(self, key: str) -> None:
        self.buttons[key].setChecked(True)

    def current(self) -> str:
        for key, button in self.buttons.items():
            if button.isChecked():
                return key
        return STEPS[0].key

    def set_project_name(self, name: str) -> None:
        self.project_label.setText(name)
