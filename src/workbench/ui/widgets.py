"""Small building blocks that give every panel the same look: cards, metrics, headers."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget


def card(
    title: str | QLabel | None,
    content: QWidget,
    hint: str = "",
    actions: list[QWidget] | None = None,
    margins: int = 14,
) -> QFrame:
    """A white (or dark) rounded surface with a title row, optional actions and content."""
    frame = QFrame(objectName="card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(margins, margins - 2, margins, margins)
    layout.setSpacing(8)
    if title is not None or actions:
        row = QHBoxLayout()
        row.setSpacing(8)
        if title is not None:
            label = title if isinstance(title, QLabel) else QLabel(title, objectName="section")
            row.addWidget(label)
        if hint:
            row.addSpacing(6)
            row.addWidget(QLabel(hint, objectName="muted"))
        row.addStretch(1)
        for widget in actions or []:
            row.addWidget(widget)
        layout.addLayout(row)
    layout.addWidget(content, 1)
    return frame


def metric(value: str, label: str) -> tuple[QFrame, QLabel]:
    """A figure with its caption; returns the frame and the label to update."""
    frame = QFrame(objectName="card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 10, 16, 10)
    layout.setSpacing(0)
    number = QLabel(value, objectName="metricValue")
    layout.addWidget(number)
    layout.addWidget(QLabel(label, objectName="metricLabel"))
    frame.setMinimumWidth(150)
    return frame, number


def h_line() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setStyleSheet("color: palette(mid);")
    line.setFixedHeight(1)
    return line


def page_header(title: str, subtitle: str = "") -> tuple[QVBoxLayout, QLabel, QLabel]:
    """Title and subtitle of a page; returns the layout and both labels."""
    box = QVBoxLayout()
    box.setSpacing(2)
    head = QLabel(title, objectName="title")
    sub = QLabel(subtitle, objectName="subtitle")
    sub.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.addWidget(head)
    box.addWidget(sub)
    return box, head, sub
