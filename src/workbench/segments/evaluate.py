"""Counting and listing a segment's members on the project's current profiles and events.

Each query runs on a cursor of its own whose ``interrupt`` the task's cancel calls, so a
long count stops at once; a cancelled count raises :class:`~workbench.tasks.Cancelled`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from workbench.project.store import Project, utcnow
from workbench.segments import store
from workbench.segments.catalog import Catalog, load_catalog
from workbench.segments.compiler import CompiledSegment, compile_segment
from workbench.segments.events_table import EventsTable, ensure_event_types, find_events_table
from workbench.segments.metrics import ensure_metrics, metrics_query
from workbench.segments.model import Segment
from workbench.segments.timebounds import to_utc_naive
from workbench.tasks import Cancelled, Task, interrupting


@dataclass(frozen=True)
class SegmentCount:
    members: int
    profiles: int
    share: float
    """members / profiles (0 when there are no profiles)."""
    as_of: dt.datetime
    seconds: float


def resolve_as_of(
    project: Project, segment: Segment | None = None, as_of: dt.datetime | None = None
) -> dt.datetime:
    """The instant "now" is read as: ``as_of`` > the segment's own > the latest event in
    the data > the wall clock (no events). Naive UTC."""
    if as_of is not None:
        return to_utc_naive(as_of)
    if segment is not None and segment.as_of is not None:
        return to_utc_naive(segment.as_of)
    latest = load_catalog(project).latest_event
    return latest if latest is not None else utcnow().replace(microsecond=0)


def segment_sql(
    project: Project,
    segment: Segment,
    as_of: dt.datetime | None = None,
    task: Task | None = None,
    catalog: Catalog | None = None,
    *,
    prepare: bool = True,
) -> CompiledSegment:
    """The segment compiled against this project's data; saved segments it refers to are
    read from the project, metrics come from the cached metrics table, and the event types
    its conditions test are read from the compact events table (added to it on first use,
    with progress on ``task``; see :mod:`workbench.segments.events_table`).

    ``prepare=False`` adds nothing to the table (to check a definition against the data,
    or to show its SQL): conditions on types it does not hold read ``main.events``."""
    catalog = catalog or load_catalog(project)
    when = resolve_as_of(project, segment, as_of)
    if prepare:
        events = prepare_events(project, [segment], when, task, catalog)
    else:
        events = find_events_table(project, catalog)
    return compile_segment(
        segment,
        catalog,
        when,
        _lookup(project),
        metrics=lambda: ensure_metrics(project, catalog, when, task),
        events=events,
    )


def prepare_events(
    project: Project,
    segments: list[Segment],
    as_of: dt.datetime | None = None,
    task: Task | None = None,
    catalog: Catalog | None = None,
) -> EventsTable | None:
    """Add the event types these segments test to the compact events table (those it can
    answer; nothing when all are there): one pass of progress for all of them."""
    catalog = catalog or load_catalog(project)
    wanted: set[str] = set()
    for segment in segments:
        # A compile that computes no metrics finds the types the table can answer.
        when = resolve_as_of(project, segment, as_of)
        draft = compile_segment(
            segment, catalog, when, _lookup(project), metrics=metrics_query(catalog, when)
        )
        wanted.update(draft.event_types)
    return ensure_event_types(project, catalog, wanted, task)


def _lookup(project: Project) -> Callable[[str], Segment]:
    return lambda name: store.load_segment(project, name)


def run_query(project: Project, sql: str, params: list, task: Task | None = None) -> list[tuple]:
    """Fetch all rows of a query on a fresh cursor that ``task.cancel()`` interrupts
    (``interrupting`` also catches a cancel that lands while the query is being planned)."""
    cur = project.cursor()
    try:
        if task is not None:
            task.check()
        try:
            with interrupting(task, cur.interrupt):
                rows = cur.execute(sql, params).fetchall()
        except duckdb.InterruptException:
            if task is not None and task.cancelled():
                raise Cancelled() from None
            raise
        if task is not None:
            task.check()  # cancelled as the query finished: the caller still stops
        return rows
    finally:
        cur.close()


def count_segment(
    project: Project,
    segment: Segment,
    as_of: dt.datetime | None = None,
    task: Task | None = None,
) -> SegmentCount:
    """How many profiles are members, out of how many."""
    started = time.perf_counter()
    catalog = load_catalog(project)
    compiled = segment_sql(project, segment, as_of, task, catalog)
    rows = run_query(project, f"SELECT count(*) FROM ({compiled.sql})", compiled.params, task)
    members = int(rows[0][0])
    profiles = catalog.profiles
    assert compiled.as_of is not None
    return SegmentCount(
        members=members,
        profiles=profiles,
        share=members / profiles if profiles else 0.0,
        as_of=compiled.as_of,
        seconds=time.perf_counter() - started,
    )


def member_ids(
    project: Project,
    segment: Segment,
    as_of: dt.datetime | None = None,
    limit: int | None = None,
    offset: int = 0,
    task: Task | None = None,
) -> list[str]:
    """Member profile ids in id order (a page of them with ``limit``/``offset``)."""
    compiled = segment_sql(project, segment, as_of, task)
    page = " LIMIT ? OFFSET ?" if limit is not None else " OFFSET ?"
    params = [*compiled.params, *([int(limit)] if limit is not None else []), int(offset)]
    rows = run_query(
        project, f"SELECT profile_id FROM ({compiled.sql}) ORDER BY profile_id{page}", params, task
    )
    return [r[0] for r in rows]
