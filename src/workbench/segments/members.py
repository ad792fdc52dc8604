"""Who is in a segment: a page of members, membership arrays, and one profile in full.

Membership arrays index profiles by their row in ``main.profiles`` (a table the identity
run writes once, so its row ids are a dense key): overlap and comparison then work on
numpy booleans instead of joining string ids once per pair of segments.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import duckdb
import numpy as np

from workbench.identity.runs import resolve_run
from workbench.identity.store import current_run
from workbench.ingest.roles import IDENTITY_ROLES
from workbench.ingest.sqltext import ident
from workbench.project.sources import list_sources
from workbench.project.store import Project
from workbench.segments import member_order
from workbench.segments.catalog import load_catalog
from workbench.segments.compiler import PROFILES, CompiledSegment
from workbench.segments.errors import SegmentError
from workbench.segments.evaluate import prepare_events, resolve_as_of, segment_sql
from workbench.segments.model import Segment
from workbench.tasks import Cancelled, Task, interrupting, null_task

BOOKKEEPING = ("profile_id", "records", "sources", "source_names")
"""Columns of main.profiles that describe the profile rather than the person."""
_PREFERRED = ("profile_id", "first_name", "last_name", "email", "country")
_DEFAULT_ATTRIBUTES = 4


@contextlib.contextmanager
def query_cursor(project: Project, task: Task) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor of its own whose running query ``task.cancel()`` interrupts (then Cancelled)."""
    cur = project.cursor()
    try:
        with interrupting(task, cur.interrupt):
            yield cur
    except duckdb.InterruptException as exc:
        raise Cancelled() from exc
    finally:
        cur.close()


def profile_columns(cur: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Column name -> type of main.profiles, in table order (the check for user columns)."""
    rows = cur.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_catalog = current_database() AND table_schema = 'main' "
        "AND table_name = 'profiles' ORDER BY ordinal_position"
    ).fetchall()
    if not rows:
        raise SegmentError("the project has no profiles yet: resolve identities first")
    return dict(rows)


def attribute_columns(columns: Sequence[str]) -> list[str]:
    """The profile sources' attribute columns (neither bookkeeping nor identity fields)."""
    return [c for c in columns if c not in BOOKKEEPING and c not in IDENTITY_ROLES]


def _check_columns(wanted: Sequence[str], known: dict[str, str], what: str) -> None:
    for name in wanted:
        if name not in known:
            raise SegmentError(
                f"{what}: profiles have no column '{name}' (known: {', '.join(known)})"
            )


# ------------------------------------------------------------------------ membership
@dataclass(frozen=True)
class Membership:
    """Each segment's members as a boolean array over the rows of main.profiles."""

    names: list[str]
    members: list[np.ndarray]
    profiles: int
    as_of: dt.datetime

    @property
    def sizes(self) -> list[int]:
        return [int(m.sum()) for m in self.members]


def members_frame(compiled: CompiledSegment) -> str:
    """``main.profiles p WHERE <members only>``, to read member rows from (same parameters).

    The compiler gives its predicate over ``main.profiles p`` (``where``); reading other
    columns (or ``p.rowid``) from that same frame saves joining every member id back to
    the profiles (up to a second per query at a million profiles). A query known only as
    SQL is joined back.
    """
    if compiled.where is not None:
        return f"{PROFILES} p WHERE {compiled.where}"
    return f"{PROFILES} p WHERE p.profile_id IN ({compiled.sql})"


def member_rows_sql(compiled: CompiledSegment) -> str:
    """A SELECT of the members' row ids in main.profiles (column ``r``)."""
    return f"SELECT p.rowid AS r FROM {members_frame(compiled)}"


def membership(
    project: Project,
    segments: Sequence[Segment],
    as_of: dt.datetime | None = None,
    task: Task | None = None,
) -> Membership:
    """Evaluate every segment once; progress per segment; cancel interrupts the query."""
    task = task or null_task()
    catalog = load_catalog(project)
    # Each segment reads "now" as the argument, else its own as-of, else the data's latest
    # event; the result reports the common one.
    common = resolve_as_of(project, None, as_of)
    prepare_events(project, list(segments), as_of, task.sub(0.0, 0.3), catalog)
    compiled = [segment_sql(project, s, as_of, task, catalog, prepare=False) for s in segments]
    members: list[np.ndarray] = []
    with query_cursor(project, task) as cur:
        profiles, size = cur.execute(
            "SELECT count(*), coalesce(max(rowid), -1) + 1 FROM main.profiles"
        ).fetchone()
        for i, (segment, sql) in enumerate(zip(segments, compiled, strict=True)):
            task.progress(0.3 + 0.7 * i / max(len(segments), 1), f"Members of {segment.name}")
            rows = cur.execute(member_rows_sql(sql), sql.params).fetchnumpy()["r"]
            hit = np.zeros(size, dtype=bool)
            hit[np.asarray(rows, dtype=np.int64)] = True
            members.append(hit)
    task.progress(1.0, "Members found")
    return Membership([s.name for s in segments], members, int(profiles), common)


# ------------------------------------------------------------------------ member page
@dataclass(frozen=True)
class MembersPage:
    """``rows`` of ``columns`` from ``offset``; ``total`` members in all."""

    columns: list[str]
    rows: list[tuple]
    total: int
    offset: int = 0


def default_columns(known: Sequence[str]) -> list[str]:
    """profile_id, names, e-mail, country (those present) and the first few attributes."""
    chosen = [c for c in _PREFERRED if c in known]
    return chosen + attribute_columns(known)[:_DEFAULT_ATTRIBUTES]


def members_page(
    project: Project,
    segment: Segment,
    as_of: dt.datetime | None = None,
    offset: int = 0,
    limit: int = 200,
    columns: Sequence[str] | None = None,
    sort: str | None = None,
    descending: bool = False,
    task: Task | None = None,
) -> MembersPage:
    """One page of members, ordered by ``sort`` (a profile column; empties last), then id.

    The members' order is read once and kept (:mod:`workbench.segments.member_order`), so
    the next pages of the same segment, as-of and order only read their own rows."""
    if offset < 0 or limit < 0:
        raise SegmentError(f"members: offset {offset} and limit {limit} must not be negative")
    task = task or null_task()
    catalog = load_catalog(project)
    compiled = segment_sql(project, segment, as_of, task, catalog)
    with query_cursor(project, task) as cur:
        known = profile_columns(cur)
        shown = list(columns) if columns is not None else default_columns(list(known))
        _check_columns(shown, known, f"members of '{segment.name}'")
        if sort is not None:
            _check_columns([sort], known, f"members of '{segment.name}', sort")
        if not shown:
            raise SegmentError(f"members of '{segment.name}': choose at least one column")
        order = "p.profile_id"
        if sort is not None and sort != "profile_id":
            order = f"p.{ident(sort)} {'DESC' if descending else 'ASC'} NULLS LAST, p.profile_id"
        elif descending:
            order = "p.profile_id DESC"
        key = (
            str(project.path),
            catalog.signature,
            compiled.sql,
            repr(compiled.params),
            repr(compiled.as_of),
            order,
        )
        members = member_order.ordered_rows(
            cur, key, members_frame(compiled), order, compiled.params
        )
        page = members[int(offset) : int(offset) + int(limit)]
        rows = member_order.read_rows(cur, ", ".join(ident(c) for c in shown), page)
    return MembersPage(shown, rows, len(members), offset)


# ------------------------------------------------------------------------ one profile
@dataclass(frozen=True)
class RecordField:
    """One column of a source record: its name in the project, in the file, and its role."""

    name: str
    original_name: str
    role: str
    value: object


@dataclass(frozen=True)
class SourceRecord:
    """A profile-source row merged into the profile, with every original column."""

    source: str
    record_id: str
    fields: list[RecordField]
    found: bool = True
    """False when the record is no longer in its source (the source was removed, or
    re-imported without it, since the run): only its source and id are known."""

    def values(self) -> dict[str, object]:
        return {f.name: f.value for f in self.fields}


@dataclass(frozen=True)
class ProfileEvent:
    ts: dt.datetime
    event_type: str
    source: str
    value: float | None
    channel: str | None
    properties: dict[str, object]


@dataclass(frozen=True)
class ProfileDetail:
    """The unified profile: golden attributes, its source records, its events."""

    profile_id: str
    run_id: str
    current: bool
    """Whether ``run_id`` is the current run: only its profiles have attributes and events."""
    attributes: dict[str, object]
    records: list[SourceRecord]
    events: list[ProfileEvent]
    """Newest first, at most ``events_limit``."""
    event_counts: dict[str, int]
    events_total: int
    first_seen: dt.datetime | None
    last_seen: dt.datetime | None
    sources: list[str] = field(default_factory=list)


def profile_detail(
    project: Project,
    profile_id: str,
    run_id: str | None = None,
    events_limit: int = 500,
    task: Task | None = None,
) -> ProfileDetail:
    """Everything known about one profile of ``run_id`` (default: the current run)."""
    task = task or null_task()
    with query_cursor(project, task) as cur:
        run = resolve_run(cur, run_id)
        refs = cur.execute(
            "SELECT source, record_id FROM identity.clusters WHERE run_id = ? AND profile_id = ? "
            "ORDER BY source, record_id",
            [run, profile_id],
        ).fetchall()
        if not refs:
            raise SegmentError(f"no profile '{profile_id}' in identity run {run}")
        records = _source_records(project, cur, refs)
        current = current_run(cur) == run
        attributes: dict[str, object] = {}
        events: list[ProfileEvent] = []
        counts: dict[str, int] = {}
        first = last = None
        if current:
            task.progress(0.3, "Profile attributes")
            attributes = _attributes(cur, profile_id)
            task.progress(0.5, "Events")
            if _has_events(cur):
                # main.events is a view over the raw tables: read the profile's events
                # once (a scan of every event source), then summarise and page them.
                cur.execute(
                    f"CREATE OR REPLACE TEMP TABLE {_OWN_EVENTS} AS "
                    "SELECT * FROM main.events WHERE profile_id = ?",
                    [profile_id],
                )
                try:
                    task.progress(0.9, "Event timeline")
                    counts, first, last = _event_summary(cur)
                    events = _timeline(cur, events_limit)
                finally:
                    cur.execute(f"DROP TABLE IF EXISTS {_OWN_EVENTS}")
    task.progress(1.0, "Profile ready")
    return ProfileDetail(
        profile_id,
        run,
        current,
        attributes,
        records,
        events,
        counts,
        sum(counts.values()),
        first,
        last,
        sorted({r.source for r in records}),
    )


def _source_records(
    project: Project, cur: duckdb.DuckDBPyConnection, refs: list[tuple[str, str]]
) -> list[SourceRecord]:
    sources = {s.name: s for s in list_sources(project) if s.kind == "profiles"}
    wanted: dict[str, list[str]] = {}
    for source, record_id in refs:
        wanted.setdefault(source, []).append(record_id)
    found: dict[tuple[str, str], SourceRecord] = {}
    for name, ids in wanted.items():
        source = sources.get(name)
        if source is None:
            continue
        select = ", ".join(ident(c.name) for c in source.columns)
        rows = cur.execute(
            f"SELECT _record_id{', ' + select if select else ''} FROM {source.table} "
            "WHERE _record_id IN (SELECT unnest(?::VARCHAR[]))",
            [ids],
        ).fetchall()
        for record_id, *values in rows:
            found[(name, str(record_id))] = SourceRecord(
                name,
                str(record_id),
                [
                    RecordField(c.name, c.original_name, c.role, v)
                    for c, v in zip(source.columns, values, strict=True)
                ],
            )
    return [found.get((s, r), SourceRecord(s, r, [], found=False)) for s, r in refs]


def _attributes(cur: duckdb.DuckDBPyConnection, profile_id: str) -> dict[str, object]:
    result = cur.execute("SELECT * FROM main.profiles WHERE profile_id = ?", [profile_id])
    row = result.fetchone()
    if row is None:
        return {}
    names = [d[0] for d in result.description]
    return dict(zip(names, row, strict=True))


def _has_events(cur: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        cur.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_catalog = "
            "current_database() AND table_schema = 'main' AND table_name = 'events'"
        ).fetchone()[0]
    )


_OWN_EVENTS = "temp.__wb_profile_events"


def _event_summary(
    cur: duckdb.DuckDBPyConnection,
) -> tuple[dict[str, int], dt.datetime | None, dt.datetime | None]:
    rows = cur.execute(
        f"SELECT event_type, count(*) AS n, min(ts), max(ts) FROM {_OWN_EVENTS} "
        "GROUP BY event_type ORDER BY n DESC, event_type"
    ).fetchall()
    counts = {str(t): int(n) for t, n, _, _ in rows}
    firsts = [f for _, _, f, _ in rows if f is not None]
    lasts = [x for _, _, _, x in rows if x is not None]
    return counts, min(firsts, default=None), max(lasts, default=None)


_EVENT_CORE = ("profile_id", "source", "event_type", "ts", "value", "channel")


def _timeline(cur: duckdb.DuckDBPyConnection, limit: int) -> list[ProfileEvent]:
    result = cur.execute(
        f"SELECT * FROM {_OWN_EVENTS} ORDER BY ts DESC NULLS LAST, event_type, source LIMIT ?",
        [int(limit)],
    )
    names = [d[0] for d in result.description]
    out = []
    for row in result.fetchall():
        values = dict(zip(names, row, strict=True))
        props = {k: v for k, v in values.items() if k not in _EVENT_CORE and v is not None}
        out.append(
            ProfileEvent(
                values["ts"],
                values["event_type"],
                values["source"],
                values["value"],
                values["channel"],
                props,
            )
        )
    return out
