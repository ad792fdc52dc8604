"""What the app remembers between runs: recent projects, preferences, window geometry.

One small typed wrapper over ``QSettings`` (organisation and application name come from
the ``QApplication``), so keys and defaults live in one place.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from workbench.ui.theme import CHOICES, SYSTEM

ORGANISATION = "Personalization Workbench"
APPLICATION = "Workbench"
MAX_RECENT = 8
DEFAULT_PREVIEW_ROWS = 200


class AppSettings:
    """Typed access to the app's settings; each read goes to ``QSettings`` (no caching)."""

    def __init__(self) -> None:
        self._s = QSettings()

    # ---------------------------------------------------------------- recent files
    def recent_projects(self) -> list[Path]:
        value = self._s.value("recent/projects", [])
        if isinstance(value, str):
            value = [value]
        return [Path(v) for v in (value or []) if v]

    def add_recent(self, path: Path) -> None:
        path = Path(path).resolve()
        items = [p for p in self.recent_projects() if p != path]
        self._s.setValue("recent/projects", [str(p) for p in [path, *items][:MAX_RECENT]])

    def remove_recent(self, path: Path) -> None:
        items = [p for p in self.recent_projects() if p != Path(path)]
        self._s.setValue("recent/projects", [str(p) for p in items])

    def clear_recent(self) -> None:
        self._s.setValue("recent/projects", [])

    # ----------------------------------------------------------------- preferences
    @property
    def theme(self) -> str:
        value = str(self._s.value("prefs/theme", SYSTEM))
        return value if value in CHOICES else SYSTEM

    @theme.setter
    def theme(self, value: str) -> None:
        self._s.setValue("prefs/theme", value if value in CHOICES else SYSTEM)

    @property
    def preview_rows(self) -> int:
        try:
            return max(
                20, min(5000, int(self._s.value("prefs/preview_rows", DEFAULT_PREVIEW_ROWS)))
            )
        except (TypeError, ValueError):
            return DEFAULT_PREVIEW_ROWS

    @preview_rows.setter
    def preview_rows(self, value: int) -> None:
        self._s.setValue("prefs/preview_rows", int(value))

    # ------------------------------------------------------------------- geometry
    def geometry(self, key: str) -> QByteArray | None:
        value = self._s.value(f"geometry/{key}")
        return value if isinstance(value, QByteArray) else None

    def set_geometry(self, key: str, value: QByteArray) -> None:
        self._s.setValue(f"geometry/{key}", value)

    def last_step(self) -> str:
        return str(self._s.value("main/step", "data"))

    def set_last_step(self, key: str) -> None:
        self._s.setValue("main/step", key)

    def sync(self) -> None:
        self._s.sync()
