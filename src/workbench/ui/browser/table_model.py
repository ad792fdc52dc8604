"""A table model over an engine :class:`~workbench.project.browse.TableView`, a page at a time.

``rowCount`` is the view's full size (a million rows scroll as one grid), but only the
pages the view has asked for are held, in a small LRU cache. A page is read on demand from
``data()``: reading one is a keyed range read in the engine (about 10 ms for 256 rows of a
million-row table), well under a frame, so it runs on the GUI thread without a stall.
"""

from __future__ import annotations

import time
from collections import OrderedDict

import duckdb
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal

from workbench.project import Project
from workbench.project.browse import TableView
from workbench.project.errors import WorkbenchError
from workbench.ui.models import LEFT, RIGHT, Index, format_value, is_number, muted_brush

PAGE_ROWS = 256
CACHED_PAGES = 48


class LazyTableModel(QAbstractTableModel):
    """Rows of a view, fetched by page as the grid shows them."""

    sig_fetch_failed = Signal(str)
    """A page could not be read (the table changed or the project closed)."""

    def __init__(self, page_rows: int = PAGE_ROWS, cached_pages: int = CACHED_PAGES) -> None:
        super().__init__()
        self.page_rows = page_rows
        self.cached_pages = cached_pages
        self.view: TableView | None = None
        self._project: Project | None = None
        self._pages: OrderedDict[int, list[tuple]] = OrderedDict()
        self.fetch_seconds: list[float] = []
        """Time of each page read, newest last (kept short; for status and benchmarks)."""
        self._failed = False

    def set_view(self, project: Project | None, view: TableView | None) -> None:
        self.beginResetModel()
        self._project = project
        self.view = view
        self._pages.clear()
        self._failed = False
        self.endResetModel()

    def clear(self) -> None:
        self.set_view(None, None)

    # ---------------------------------------------------------------- paging
    def page(self, number: int) -> list[tuple]:
        """The rows of page ``number``, from the cache or read now."""
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        if self.view is None or self._project is None or self._failed:
            return []
        started = time.perf_counter()
        try:
            page = self.view.fetch(self._project, number * self.page_rows, self.page_rows)
        except (duckdb.Error, WorkbenchError) as exc:
            self._failed = True
            self.sig_fetch_failed.emit(str(exc).splitlines()[0])
            return []
        self.fetch_seconds = [*self.fetch_seconds[-99:], time.perf_counter() - started]
        self._pages[number] = page
        while len(self._pages) > self.cached_pages:
            self._pages.popitem(last=False)
        return page

    def cached_page_numbers(self) -> list[int]:
        return list(self._pages)

    def value(self, row: int, column: int) -> object:
        page = self.page(row // self.page_rows)
        offset = row % self.page_rows
        if offset >= len(page):
            return None
        return page[offset][column]

    # ------------------------------------------------------------- Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.view is None else self.view.total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.view is None else len(self.view.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.TextAlignmentRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        value = self.value(index.row(), index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(value, grouping=False)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if is_number(value) else LEFT
        if role == Qt.ItemDataRole.ForegroundRole:
            return muted_brush() if value is None else None
        if isinstance(value, str) and len(value) > 40:
            return value
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if self.view is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(section + 1)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return RIGHT
            return None
        if section >= len(self.view.columns):
            return None
        column = self.view.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{column.name} ({column.type.lower()}). Click to sort."
        return None
