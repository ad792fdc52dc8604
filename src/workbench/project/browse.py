"""Browse project tables for display: ordered, filtered views read one page at a time.

A view never holds its table. In natural order it reads rows by ``rowid`` range: the
raw tables are written once, in file order, so their row ids are a dense ``0..n-1``
key and any page is a cheap range read, however deep. Sorted or filtered, a view keeps
only the row ids in view order (8 bytes a row) and reads a page with ``rowid = ANY(?)``,
so jumping to row 900,000 costs the same as reading row 0 (no ``OFFSET`` scan).

Identifiers (schema, table, columns) are checked against the database's own catalog
before they are quoted into SQL; filter text and fixed filter values are parameters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

import duckdb
import numpy as np

from workbench.project.errors import ProjectError
from workbench.tasks import Cancelled, Task, null_task

if TYPE_CHECKING:
    from workbench.project.store import Project

TOP_VALUES = 8
_VECTOR = 2048
"""Rows per DuckDB storage vector: a page read decompresses every vector it touches."""
_CHEAP_VECTORS = 24
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE", "REAL")


# --------------------------------------------------------------------- what to browse
@dataclass(frozen=True)
class TableRef:
    """A table (or a fixed slice of one) that the user can open in a grid."""

    schema: str
    name: str
    label: str
    where: tuple[tuple[str, object], ...] = ()
    """Fixed ``column = value`` conditions, e.g. the rejects of one source."""
    hidden: tuple[str, ...] = ()
    """Columns not shown (the fixed-condition columns, which hold one value)."""


def source_ref(project: Project, source: str) -> TableRef:
    """The raw table of a source, as the project's metadata names it."""
    cur = project.cursor()
    try:
        row = cur.execute("SELECT table_name FROM meta.sources WHERE name = ?", [source]).fetchone()
    finally:
        cur.close()
    if row is None:
        raise ProjectError(f"no source named '{source}'.")
    schema, _, table = str(row[0]).partition(".")
    return TableRef(schema, table, source)


def rejects_ref(source: str) -> TableRef:
    """The rejected rows of one source, with the reason each was rejected."""
    return TableRef(
        "meta", "rejects", f"{source}: rejected rows", (("source", source),), ("source",)
    )


def project_tables(project: Project) -> list[TableRef]:
    """Every table a user may browse: each source's rows and its rejected rows."""
    cur = project.cursor()
    try:
        names = [
            r[0] for r in cur.execute("SELECT name FROM meta.sources ORDER BY name").fetchall()
        ]
    finally:
        cur.close()
    out: list[TableRef] = []
    for name in names:
        out += [source_ref(project, name), rejects_ref(name)]
    return out


# ------------------------------------------------------------------------ view spec
@dataclass(frozen=True)
class Sort:
    column: str
    descending: bool = False


@dataclass(frozen=True)
class ViewSpec:
    """How the user wants to see a table: sort keys and a quick filter."""

    sort: tuple[Sort, ...] = ()
    filter_text: str = ""
    filter_column: str | None = None
    """Search only this column; None searches every shown column."""

    @property
    def natural(self) -> bool:
        return not self.sort and not self.filter_text.strip()


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str


def table_columns(project: Project, ref: TableRef) -> list[ColumnInfo]:
    """The table's real columns (all of them), from the catalog; raises if no such table."""
    cur = project.cursor()
    try:
        rows = cur.execute(
            "SELECT column_name, data_type FROM duckdb_columns() "
            "WHERE database_name = current_database() AND schema_name = ? AND table_name = ? "
            "ORDER BY column_index",
            [ref.schema, ref.name],
        ).fetchall()
    finally:
        cur.close()
    if not rows:
        raise ProjectError(f"no table {ref.schema}.{ref.name} in the project.")
    return [ColumnInfo(name, str(kind)) for name, kind in rows]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Checked:
    """A table reference whose identifiers were checked against the catalog."""

    def __init__(self, project: Project, ref: TableRef) -> None:
        self.all_columns = table_columns(project, ref)
        known = {c.name for c in self.all_columns}
        for column, _value in ref.where:
            self.check(column, known)
        self.table = f"{_ident(ref.schema)}.{_ident(ref.name)}"
        self.columns = [c for c in self.all_columns if c.name not in ref.hidden]
        self.known = known
        self.ref = ref

    @staticmethod
    def check(column: str, known: set[str]) -> None:
        if column not in known:
            raise ProjectError(f"no column '{column}' in this table.")

    def where(self, spec: ViewSpec) -> tuple[str, list[object]]:
        """WHERE clause (possibly empty) and its parameters."""
        parts: list[str] = []
        params: list[object] = []
        for column, value in self.ref.where:
            parts.append(f"{_ident(column)} = ?")
            params.append(value)
        text = spec.filter_text.strip().lower()
        if text:
            if spec.filter_column is not None:
                self.check(spec.filter_column, {c.name for c in self.columns})
                searched = [spec.filter_column]
            else:
                searched = [c.name for c in self.columns]
            parts.append(
                "("
                + " OR ".join(f"contains(lower(CAST({_ident(c)} AS VARCHAR)), ?)" for c in searched)
                + ")"
            )
            params += [text] * len(searched)
        return (" WHERE " + " AND ".join(parts) if parts else ""), params

    def order(self, spec: ViewSpec) -> str:
        keys = []
        for sort in spec.sort:
            self.check(sort.column, self.known)
            keys.append(f"{_ident(sort.column)} {'DESC' if sort.descending else 'ASC'} NULLS LAST")
        return " ORDER BY " + ", ".join([*keys, "rowid"])


# ---------------------------------------------------------------------------- views
@dataclass
class TableView:
    """An ordered, filtered view of a table; :meth:`fetch` reads any page of it."""

    ref: TableRef
    spec: ViewSpec
    columns: list[ColumnInfo]
    total: int
    table_total: int
    _shown: str = field(repr=False)
    _table: str = field(repr=False)
    _first_rowid: int = 0
    _ids: np.ndarray | None = field(default=None, repr=False)

    @property
    def keyed(self) -> bool:
        """Pages are read by row id (sorted or filtered): each read scans the table once."""
        return self._ids is not None

    def cheap_page(self, start: int, count: int) -> bool:
        """Whether reading this page touches few storage vectors (well under a frame):
        always in file order; in a keyed view when the page's row ids cluster."""
        if self._ids is None:
            return True
        ids = self._ids[max(0, start) : max(0, start) + count]
        if len(ids) == 0:
            return True
        span = int(ids.max()) - int(ids.min())
        return min(len(ids), span // _VECTOR + 1) <= _CHEAP_VECTORS

    def fetch(self, project: Project, start: int, count: int) -> list[tuple]:
        """Rows ``start .. start+count`` of the view (fewer at the end)."""
        start = max(0, int(start))
        stop = min(self.total, start + max(0, int(count)))
        if stop <= start:
            return []
        cur = project.cursor()
        try:
            if self._ids is None:
                first = self._first_rowid + start
                return cur.execute(
                    f"SELECT {self._shown} FROM {self._table} "
                    "WHERE rowid BETWEEN ? AND ? ORDER BY rowid",
                    [first, first + (stop - start) - 1],
                ).fetchall()
            ids = self._ids[start:stop].tolist()
            # The range lets the scan skip row groups when the ids cluster (a filter in file
            # order, a sort on a column with few values); the list picks the rows.
            rows = cur.execute(
                f"SELECT rowid, {self._shown} FROM {self._table} "
                "WHERE rowid BETWEEN ? AND ? AND rowid = ANY(?::BIGINT[])",
                [min(ids), max(ids), ids],
            ).fetchall()
        finally:
            cur.close()
        by_id = {row[0]: row[1:] for row in rows}
        return [by_id[i] for i in ids if i in by_id]


def open_view(
    project: Project, ref: TableRef, spec: ViewSpec | None = None, task: Task | None = None
) -> TableView:
    """Resolve ``spec`` on ``ref``: count rows, and order row ids if sorted or filtered.

    In natural order this is two small queries (fine on the GUI thread); a sort or a
    filter scans the table, so callers run it as a job (cancel interrupts the query).
    """
    spec = spec or ViewSpec()
    task = task or null_task()
    checked = _Checked(project, ref)
    shown = ", ".join(_ident(c.name) for c in checked.columns)
    fixed_where, fixed_params = checked.where(ViewSpec())
    cur = project.cursor()
    interrupt = cur.interrupt  # one bound method: a fresh one would not compare equal
    task.add_interrupter(interrupt)
    try:
        count, low, high = cur.execute(
            f"SELECT count(*), min(rowid), max(rowid) FROM {checked.table}{fixed_where}",
            fixed_params,
        ).fetchone() or (0, None, None)
        dense = not ref.where and (count == 0 or high - low + 1 == count)
        if spec.natural and dense:
            return TableView(
                ref, spec, checked.columns, count, count, shown, checked.table, low or 0
            )
        task.progress(0.0, f"Ordering {ref.label}")
        where, params = checked.where(spec)
        ids = cur.execute(
            f"SELECT rowid FROM {checked.table}{where}{checked.order(spec)}", params
        ).fetchnumpy()["rowid"]
    except duckdb.InterruptException as exc:
        raise Cancelled() from exc
    finally:
        task.remove_interrupter(interrupt)
        cur.close()
    ids = np.asarray(ids, dtype=np.int64)
    return TableView(ref, spec, checked.columns, len(ids), count, shown, checked.table, 0, ids)


# ---------------------------------------------------------------------- column stats
@dataclass
class ColumnStats:
    """What a column holds, over the rows of a view (its filter applies)."""

    column: str
    type: str
    rows: int
    nulls: int
    distinct: int
    minimum: object
    maximum: object
    mean: float | None
    top: list[tuple[object, int]]

    @property
    def null_share(self) -> float:
        return self.nulls / self.rows if self.rows else 0.0


def column_stats(
    project: Project,
    ref: TableRef,
    column: str,
    spec: ViewSpec | None = None,
    task: Task | None = None,
    top: int = TOP_VALUES,
) -> ColumnStats:
    """Type, nulls, distinct count, min/max (and mean of numbers), most frequent values."""
    spec = spec or ViewSpec()
    task = task or null_task()
    checked = _Checked(project, ref)
    checked.check(column, checked.known)
    ctype = next(c.type for c in checked.all_columns if c.name == column)
    col = _ident(column)
    where, params = checked.where(spec)
    numeric = ctype.upper() in _NUMERIC or ctype.upper().startswith("DECIMAL")
    mean = f"avg({col})::DOUBLE" if numeric else "NULL"
    cur = project.cursor()
    interrupt = cur.interrupt
    task.add_interrupter(interrupt)
    try:
        task.progress(0.0, f"Statistics of {column}")
        rows, present, distinct, low, high, avg = cur.execute(
            f"SELECT count(*), count({col}), count(DISTINCT {col}), min({col}), max({col}), "
            f"{mean} FROM {checked.table}{where}",
            params,
        ).fetchone() or (0, 0, 0, None, None, None)
        task.progress(0.6)
        extra = f"{' AND' if where else ' WHERE'} {col} IS NOT NULL"
        frequent = cur.execute(
            f"SELECT {col}, count(*) AS n FROM {checked.table}{where}{extra} "
            f"GROUP BY {col} ORDER BY n DESC, {col} LIMIT ?",
            [*params, int(top)],
        ).fetchall()
    except duckdb.InterruptException as exc:
        raise Cancelled() from exc
    finally:
        task.remove_interrupter(interrupt)
        cur.close()
    return ColumnStats(
        column,
        ctype,
        rows,
        rows - present,
        distinct,
        _plain(low),
        _plain(high),
        avg,
        [(_plain(v), n) for v, n in frequent],
    )


def _plain(value: object) -> object:
    """Decimals as floats, so a display layer formats one kind of number."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.time):
        return value.isoformat()
    return value


# ----------------------------------------------------------------- simple first page
@dataclass
class Page:
    columns: list[str]
    types: list[str]
    rows: list[tuple]
    offset: int
    total: int


def source_table(project: Project, source: str) -> str:
    """The quoted raw table of a source, checked against the project's metadata."""
    ref = source_ref(project, source)
    return f"{_ident(ref.schema)}.{_ident(ref.name)}"


def read_page(project: Project, source: str, offset: int = 0, limit: int = 200) -> Page:
    """Rows ``offset .. offset+limit`` of a source's table, in file order."""
    view = open_view(project, source_ref(project, source))
    rows = view.fetch(project, offset, limit)
    return Page(
        [c.name for c in view.columns], [c.type for c in view.columns], rows, offset, view.total
    )
