"""The menu bar and its shortcuts, kept apart from the window that owns the slots."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu

from workbench.ui.panels.registry import STEPS
from workbench.ui.theme import DARK, LIGHT, SYSTEM

if TYPE_CHECKING:
    from workbench.ui.main_window import MainWindow


@dataclass
class Actions:
    new: QAction
    open: QAction
    demo: QAction
    import_files: QAction
    close_project: QAction
    preferences: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    recent_menu: QMenu
    steps: dict[str, QAction] = field(default_factory=dict)
    themes: dict[str, QAction] = field(default_factory=dict)

    def needs_project(self) -> list[QAction]:
        return [self.import_files, self.close_project, *self.steps.values()]


def _action(parent: MainWindow, text: str, slot: object, shortcut: object = None) -> QAction:
    action = QAction(text, parent)
    if shortcut is not None:
        keys = QKeySequence(shortcut)  # type: ignore[call-overload]
        action.setShortcut(keys)
    action.triggered.connect(slot)  # type: ignore[arg-type]
    return action


def _preferences_keys() -> QKeySequence:
    keys = QKeySequence(QKeySequence.StandardKey.Preferences)
    return keys if not keys.isEmpty() else QKeySequence("Ctrl+,")


def build_menus(w: MainWindow) -> Actions:
    bar = w.menuBar()
    file_menu = bar.addMenu("&File")
    new = _action(w, "&New Project…", w.new_project_dialog, QKeySequence.StandardKey.New)
    open_ = _action(w, "&Open Project…", w.open_project_dialog, QKeySequence.StandardKey.Open)
    recent = QMenu("Open &Recent", w)
    recent.aboutToShow.connect(lambda: _fill_recent(w, recent))
    demo = _action(w, "Open the &Demo Project", w.open_demo)
    import_files = _action(w, "&Import Files…", w.import_files_dialog, "Ctrl+I")
    close_project = _action(w, "&Close Project", w.close_project, QKeySequence.StandardKey.Close)
    preferences = _action(w, "&Preferences…", w.show_preferences, _preferences_keys())
    preferences.setMenuRole(QAction.MenuRole.PreferencesRole)
    quit_ = _action(w, "&Quit", w.close, QKeySequence.StandardKey.Quit)
    quit_.setMenuRole(QAction.MenuRole.QuitRole)
    for item in (
        new,
        open_,
        recent,
        demo,
        None,
        import_files,
        None,
        close_project,
        None,
        preferences,
        None,
        quit_,
    ):
        if item is None:
            file_menu.addSeparator()
        elif isinstance(item, QMenu):
            file_menu.addMenu(item)
        else:
            file_menu.addAction(item)

    edit_menu = bar.addMenu("&Edit")
    undo = w.undo_group.createUndoAction(w, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = w.undo_group.createRedoAction(w, "&Redo")
    redo.setShortcuts([QKeySequence(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Y")])
    edit_menu.addAction(undo)
    edit_menu.addAction(redo)

    view_menu = bar.addMenu("&View")
    steps: dict[str, QAction] = {}
    for number, spec in enumerate(STEPS, start=1):
        action = _action(
            w,
            f"&{number}  {spec.title}",
            lambda _c=False, k=spec.key: w.show_step(k),
            f"Ctrl+{number}",
        )
        view_menu.addAction(action)
        steps[spec.key] = action
    view_menu.addSeparator()
    theme_menu = view_menu.addMenu("&Theme")
    group = QActionGroup(w)
    themes: dict[str, QAction] = {}
    for key, label in ((SYSTEM, "Follow the System"), (LIGHT, "Light"), (DARK, "Dark")):
        action = _action(w, label, lambda _c=False, k=key: w.set_theme(k))
        action.setCheckable(True)
        action.setChecked(w.settings.theme == key)
        group.addAction(action)
        theme_menu.addAction(action)
        themes[key] = action

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(_action(w, "&Keyboard Shortcuts", w.show_shortcuts))
    about = _action(w, "&About Workbench", w.show_about)
    about.setMenuRole(QAction.MenuRole.AboutRole)
    help_menu.addAction(about)
    about_qt = _action(w, "About &Qt", QApplication.aboutQt)
    about_qt.setMenuRole(QAction.MenuRole.AboutQtRole)
    help_menu.addAction(about_qt)
    return Actions(
        new,
        open_,
        demo,
        import_files,
        close_project,
        preferences,
        quit_,
        undo,
        redo,
        recent,
        steps,
        themes,
    )


def _fill_recent(w: MainWindow, menu: QMenu) -> None:
    menu.clear()
    paths = w.settings.recent_projects()
    for path in paths:
        action = menu.addAction(f"{path.stem}  —  {path.parent}")
        action.setEnabled(path.is_file())
        action.triggered.connect(lambda _c=False, p=path: w.open_path(p))
    if not paths:
        menu.addAction("No recent projects").setEnabled(False)
