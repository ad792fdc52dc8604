"""The empty Data step: where to drop the first files, and what can be read."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

PROFILES_OR_EVENTS = (
    "Profiles (CRM, web accounts, subscribers, app installs) or events "
    "(sends, opens, clicks, page views, purchases)"
)
FORMATS = "CSV and TSV (any delimiter)  ·  Excel  ·  Parquet  ·  JSON and NDJSON"


class DropZone(QFrame):
    """A dashed target with one clear action; the panel itself receives the drop."""

    sig_import_requested = Signal()
    """The user clicked "Import files…"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropZone")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 40, 40, 40)
        layout.setSpacing(10)
        layout.addStretch(1)
        for text, name in (
            ("Drop customer data files here", "hero"),
            (PROFILES_OR_EVENTS, "subtitle"),
            (FORMATS, "muted"),
        ):
            label = QLabel(text, objectName=name)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addSpacing(8)
        button = QPushButton("Import files…", objectName="primary")
        button.clicked.connect(self.sig_import_requested)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
