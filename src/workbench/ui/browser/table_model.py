"""A table model over an engine :class:`~workbench.project.browse.TableView`, a page at a time.

``rowCount`` is the view's full size (a million rows scroll as one grid), but only the
pages the grid has asked for are held, in a small LRU cache. In file order a page is a
keyed range read (about 10 ms for 256 rows of a million-row table), well under a frame, so
it is read on the GUI thread when ``data()`` first needs it. A sorted or filtered view of a
large table costs a scan per page (30-50 ms), so those pages are read on a worker thread
and the cells show a placeholder for the moment it takes.
"""

from __future__ import annotations

import time
from collections import OrderedDict

import duckdb
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal, Slot

from workbench.project import Project
from workbench.project.browse import TableView
from workbench.project.errors import WorkbenchError
from workbench.ui.browser.page_fetcher import PageFetcher
from workbench.ui.models import LEFT, RIGHT, Index, format_value, muted_brush
from workbench.ui.signals import emit

PAGE_ROWS = 256
CACHED_PAGES = 48
SYNC_SCAN_ROWS = 200_000
"""A keyed view over a table up to this size still reads its pages on the GUI thread."""
LOADING = "…"
_NUMERIC = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "FLOAT",
    "DOUBLE",
    "REAL",
)

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ROLES = frozenset({_DISPLAY, _ALIGN, _FOREGROUND, _TOOLTIP})


def _is_numeric(duck_type: str) -> bool:
    t = duck_type.upper()
    return t in _NUMERIC or t.startswith("DECIMAL")


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
        self._align: list[int] = []
        self._async = False
        self._failed = False
        self.fetch_seconds: list[float] = []
        """Time of each page read, newest last (kept short; for status and benchmarks)."""
        self.fetcher = PageFetcher(self)
        self.fetcher.sig_page.connect(self._page_arrived)
        self.fetcher.sig_failed.connect(self._page_failed)

    def set_view(self, project: Project | None, view: TableView | None) -> None:
        self.beginResetModel()
        self.fetcher.new_generation()
        self._project = project
        self.view = view
        self._pages.clear()
        self._failed = False
        self._align = [RIGHT if _is_numeric(c.type) else LEFT for c in view.columns] if view else []
        self._async = view is not None and view.keyed and view.table_total > SYNC_SCAN_ROWS
        self.endResetModel()

    def clear(self) -> None:
        self.set_view(None, None)

    # ---------------------------------------------------------------- paging
    def page(self, number: int) -> list[tuple]:
        """The rows of page ``number``, from the cache or read now (on this thread)."""
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
            self._fail(str(exc).splitlines()[0])
            return []
        self._store(number, page, time.perf_counter() - started)
        return page

    def _page_for_view(self, number: int) -> list[tuple] | None:
        """The page if cached; else read it now (cheap views) or ask the worker (None)."""
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        view = self.view
        if not self._async or (
            view is not None and view.cheap_page(number * self.page_rows, self.page_rows)
        ):
            return self.page(number)
        if self.view is not None and self._project is not None and not self._failed:
            self.fetcher.request(self._project, self.view, number, self.page_rows)
        return None

    def _store(self, number: int, page: list[tuple], seconds: float) -> None:
        self.fetch_seconds = [*self.fetch_seconds[-199:], seconds]
        self._pages[number] = page
        while len(self._pages) > self.cached_pages:
            self._pages.popitem(last=False)

    @Slot(int, int, object, float)
    def _page_arrived(self, generation: int, number: int, rows: object, seconds: float) -> None:
        if generation != self.fetcher.generation or self.view is None:
            return
        self._store(number, rows, seconds)  # type: ignore[arg-type]
        first = number * self.page_rows
        last = min(first + self.page_rows, self.view.total) - 1
        if last >= first:
            emit(self.dataChanged, self.index(first, 0), self.index(last, self.columnCount() - 1))

    @Slot(int, int, str)
    def _page_failed(self, generation: int, _number: int, message: str) -> None:
        if generation == self.fetcher.generation:
            self._fail(message)

    def _fail(self, message: str) -> None:
        if not self._failed:
            self._failed = True
            emit(self.sig_fetch_failed, message)

    def cached_page_numbers(self) -> list[int]:
        return list(self._pages)

    def value(self, row: int, column: int) -> object:
        """The raw value of a cell (reads its page now if needed)."""
        page = self.page(row // self.page_rows)
        offset = row % self.page_rows
        return page[offset][column] if offset < len(page) else None

    # ------------------------------------------------------------- Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.view is None else self.view.total

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.view is None else len(self.view.columns)

    def data(self, index: Index, role: int = _DISPLAY) -> object:
        role = int(role)
        if role not in _ROLES:
            return None
        row, col = index.row(), index.column()
        if role == _ALIGN:
            return self._align[col] if 0 <= col < len(self._align) else None
        page = self._page_for_view(row // self.page_rows)
        if page is None:
            if role == _FOREGROUND:
                return muted_brush()
            return LOADING if role == _DISPLAY else None
        offset = row % self.page_rows
        value = page[offset][col] if offset < len(page) else None
        if role == _DISPLAY:
            return format_value(value, grouping=False)
        if role == _FOREGROUND:
            return muted_brush() if value is None else None
        return value if isinstance(value, str) and len(value) > 40 else None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY
    ) -> object:
        if self.view is None:
            return None
        role = int(role)
        if orientation == Qt.Orientation.Vertical:
            if role == _DISPLAY:
                return str(section + 1)
            return RIGHT if role == _ALIGN else None
        if section >= len(self.view.columns):
            return None
        column = self.view.columns[section]
        if role == _DISPLAY:
            return column.name
        if role == _TOOLTIP:
            return f"{column.name} ({column.type.lower()}). Click to sort."
        return None
