"""Preferences and themes: light and dark, following the system unless told otherwise."""

from __future__ import annotations

import pytest


@pytest.fixture
def restore_look(qapp):
    yield
    from PySide6.QtGui import QPalette

    qapp.setStyleSheet("")
    qapp.setPalette(QPalette())


def test_the_theme_follows_the_system_until_chosen(qapp, restore_look) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QPalette

    from workbench.ui.theme import DARK_COLORS, LIGHT_COLORS, ThemeManager

    system = [Qt.ColorScheme.Light]
    manager = ThemeManager(qapp, "system", scheme=lambda: system[0])
    manager.apply()
    window_color = lambda: qapp.palette().color(QPalette.ColorRole.Window)  # noqa: E731
    assert window_color() == QColor(LIGHT_COLORS.window)
    system[0] = Qt.ColorScheme.Dark
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert manager.colors.name == "dark"
    assert window_color() == QColor(DARK_COLORS.window)
    manager.apply("light")  # an explicit choice wins over the system
    qapp.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert manager.colors.name == "light"
    manager.deleteLater()


def test_preferences_switch_the_theme_and_remember_it(
    qtbot, make_window, qapp, restore_look
) -> None:
    from workbench.ui.settings import AppSettings
    from workbench.ui.theme import ThemeManager

    window = make_window()
    window.themes = ThemeManager(qapp, "light")
    dialog = window.show_preferences()
    assert dialog.isVisible()
    assert not dialog.isModal() or dialog.windowModality() != 0  # opened, not exec'd
    dialog.theme_combo.setCurrentIndex(dialog.theme_combo.findData("dark"))
    assert window.themes.colors.name == "dark"
    assert AppSettings().theme == "dark"
    dialog.rows_spin.setValue(500)
    assert AppSettings().preview_rows == 500
    dialog.close()
    assert window.actions.themes["dark"].isChecked()
    window.actions.themes["light"].trigger()
    assert AppSettings().theme == "light"
    assert window.themes.colors.name == "light"
    window.themes.deleteLater()


def test_clearing_recent_projects(qtbot, make_window, ui_project) -> None:
    from workbench.ui.settings import AppSettings

    window = make_window(ui_project)
    assert AppSettings().recent_projects()
    dialog = window.show_preferences()
    dialog.clear_recent.click()
    assert AppSettings().recent_projects() == []
    dialog.close()
