"""A segment's members in display order, kept between pages.

Paging a big segment with ``LIMIT/OFFSET`` evaluates it again for every page and sorts
all its members each time (a deep page of half a million members took 0.4 s plus the
segment's own evaluation). The first page instead reads every member's row in
``main.profiles`` in the page order once (a numpy array: 8 bytes a member); later pages
slice it and read just their rows. Arrays are kept per project, catalog signature (so a
new identity run or import never reuses one), compiled query with its parameters (which
inline referenced segments and the as-of) and order, for the few most recent, within a
bound on members held.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import duckdb
import numpy as np

MAX_ENTRIES = 8
MAX_ROWS = 8_000_000
"""Members held over all entries (64 MB); the oldest entries go first."""

_cache: OrderedDict[tuple, np.ndarray] = OrderedDict()
_lock = threading.Lock()


def cached(key: tuple) -> np.ndarray | None:
    with _lock:
        rows = _cache.get(key)
        if rows is not None:
            _cache.move_to_end(key)
        return rows


def remember(key: tuple, rows: np.ndarray) -> None:
    """Keep ``rows`` under ``key``, dropping the oldest entries beyond the bounds."""
    if len(rows) > MAX_ROWS:
        return
    with _lock:
        _cache[key] = rows
        _cache.move_to_end(key)
        while len(_cache) > MAX_ENTRIES or sum(len(r) for r in _cache.values()) > MAX_ROWS:
            _cache.popitem(last=False)


def clear() -> None:
    """Forget every kept order (tests)."""
    with _lock:
        _cache.clear()


def ordered_rows(
    cur: duckdb.DuckDBPyConnection, key: tuple, frame: str, order: str, params: list
) -> np.ndarray:
    """Row ids in ``main.profiles`` of the members (``frame``: ``main.profiles p WHERE
    ...``) in ``order``; read once per key, then from memory."""
    rows = cached(key)
    if rows is None:
        result = cur.execute(
            f"SELECT p.rowid AS __wb_row FROM {frame} ORDER BY {order}", params
        ).fetchnumpy()
        rows = np.asarray(result["__wb_row"], dtype=np.int64)
        remember(key, rows)
    return rows


def read_rows(cur: duckdb.DuckDBPyConnection, select: str, rows: np.ndarray) -> list[tuple]:
    """``select`` (columns of ``main.profiles``) of these rows, in their order."""
    if len(rows) == 0:
        return []
    wanted = [int(r) for r in rows]
    found = cur.execute(
        f"SELECT rowid AS __wb_row, {select} FROM main.profiles "
        "WHERE rowid IN (SELECT unnest(?::BIGINT[]))",
        [wanted],
    ).fetchall()
    by_row = {r[0]: tuple(r[1:]) for r in found}
    return [by_row[r] for r in wanted if r in by_row]
