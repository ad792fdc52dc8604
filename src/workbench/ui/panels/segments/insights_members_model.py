"""A segment's members as a lazily paged table, on the data browser's machinery.

The browser's :class:`LazyTableModel` and :class:`PageFetcher` read pages of a view through
its ``fetch(project, offset, rows)``; :class:`MembersView` gives them that over the engine's
``members_page``. Every page of a segment evaluates the segment, so pages are always read
on the fetcher's worker thread (never while painting), and the first page, which the job
that opened the view already read, is served from memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.project import Project
from workbench.segments.members import MembersPage, members_page
from workbench.segments.model import Segment
from workbench.tasks import Task
from workbench.ui.browser.table_model import PAGE_ROWS
from workbench.ui.models import is_number


@dataclass(frozen=True)
class MemberColumn:
    name: str
    type: str


@dataclass
class MembersView:
    """What the lazy model needs of a view, for the members of one segment."""

    segment: Segment
    columns: list[MemberColumn]
    total: int
    sort: str | None = None
    descending: bool = False
    first_rows: list[tuple] = field(default_factory=list)
    keyed: bool = True
    """Pages are never a cheap range read: the model asks the worker thread for them."""

    @property
    def table_total(self) -> int:
        return max(self.total, 1) << 40  # always "large": read pages off the GUI thread

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def _in_memory(self, offset: int, rows: int) -> bool:
        return offset == 0 and len(self.first_rows) >= min(rows, self.total)

    def cheap_page(self, offset: int, rows: int) -> bool:
        """Only the first page, already in memory, is read on the GUI thread."""
        return self._in_memory(offset, rows)

    def fetch(self, project: Project, offset: int, rows: int) -> list[tuple]:
        if self._in_memory(offset, rows):
            return self.first_rows[:rows]
        page = members_page(
            project,
            self.segment,
            offset=offset,
            limit=rows,
            columns=self.names,
            sort=self.sort,
            descending=self.descending,
        )
        return page.rows


def open_members(
    project: Project,
    segment: Segment,
    sort: str | None = None,
    descending: bool = False,
    columns: list[str] | None = None,
    task: Task | None = None,
) -> MembersView:
    """Read the first page (with the total) and describe the view (on a worker thread)."""
    page: MembersPage = members_page(
        project,
        segment,
        limit=PAGE_ROWS,
        columns=columns,
        sort=sort,
        descending=descending,
        task=task,
    )
    return MembersView(
        segment,
        [MemberColumn(name, _column_type(page.rows, i)) for i, name in enumerate(page.columns)],
        page.total,
        sort,
        descending,
        list(page.rows),
    )


def _column_type(rows: list[tuple], i: int) -> str:
    """Numbers align right: judge a column by its first value that is not empty."""
    for row in rows:
        if row[i] is not None:
            return "DOUBLE" if is_number(row[i]) else "VARCHAR"
    return "VARCHAR"
