"""Preferences: theme (system, light, dark), rows in the import preview, recent projects.

Changes apply at once and are saved as they are made; the dialog opens without blocking.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workbench.ui.settings import AppSettings
from workbench.ui.theme import DARK, LIGHT, SYSTEM, ThemeManager

THEME_LABELS = ((SYSTEM, "Follow the system"), (LIGHT, "Light"), (DARK, "Dark"))


class PreferencesDialog(QDialog):
    """Edits :class:`AppSettings`; the theme is applied through the ThemeManager."""

    def __init__(
        self,
        settings: AppSettings,
        themes: ThemeManager | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.setMinimumWidth(440)
        self.settings = settings
        self.themes = themes
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 20, 22, 16)
        layout.setSpacing(14)
        layout.addWidget(QLabel("Preferences", objectName="title"))
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(10)
        self.theme_combo = QComboBox()
        for key, label in THEME_LABELS:
            self.theme_combo.addItem(label, key)
        self.theme_combo.setCurrentIndex(max(self.theme_combo.findData(settings.theme), 0))
        self.theme_combo.currentIndexChanged.connect(self._theme_changed)
        form.addRow("Theme", self.theme_combo)
        self.rows_spin = QSpinBox()
        self.rows_spin.setRange(20, 5000)
        self.rows_spin.setSingleStep(50)
        self.rows_spin.setValue(settings.preview_rows)
        self.rows_spin.setSuffix(" rows")
        self.rows_spin.valueChanged.connect(self._rows_changed)
        form.addRow("Import preview", self.rows_spin)
        self.clear_recent = QPushButton("Clear the list")
        self.clear_recent.clicked.connect(self._clear_recent)
        self.clear_recent.setEnabled(bool(settings.recent_projects()))
        form.addRow("Recent projects", self.clear_recent)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        buttons.accepted.connect(self.close)
        layout.addWidget(buttons)

    def _theme_changed(self, _index: int) -> None:
        choice = self.theme_combo.currentData()
        self.settings.theme = choice
        if self.themes is not None:
            self.themes.apply(choice)

    def _rows_changed(self, value: int) -> None:
        self.settings.preview_rows = value

    def _clear_recent(self) -> None:
        self.settings.clear_recent()
        self.clear_recent.setEnabled(False)
