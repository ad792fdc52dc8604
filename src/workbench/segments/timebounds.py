"""Time arithmetic shared by the compiler and the metrics: windows, calendar days, as-of.

Everything here is plain Python on ``datetime`` so the SQL only ever compares a timestamp
column with parameters: DuckDB pushes such filters into each raw table scan, and the
calendar-day rules in a segment's time zone are decided once, here, with ``zoneinfo``.

Stored timestamps are naive and read as UTC; every instant returned here is naive UTC too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from zoneinfo import ZoneInfo

from workbench.segments.model import NumberTest, Window

Bound = tuple[str, dt.datetime]
"""A comparison of an event timestamp: (operator, naive UTC instant), e.g. ('>', t)."""


def to_utc_naive(value: dt.datetime) -> dt.datetime:
    """A naive UTC datetime (aware values are converted, naive ones are taken as UTC)."""
    if value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


def local_date(instant: dt.datetime, tz: str) -> dt.date:
    """The calendar date of a naive UTC instant in time zone ``tz``."""
    return instant.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(tz)).date()


def day_start(day: dt.date, tz: str) -> dt.datetime:
    """The naive UTC instant at which calendar day ``day`` starts in ``tz``."""
    local = dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(tz))
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def shift_day(day: dt.date, days: int) -> dt.date | None:
    """``day + days``, or None when that falls outside the calendar."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return None


def window_bounds(window: Window, as_of: dt.datetime, tz: str) -> list[Bound]:
    """The bounds on ``ts`` of the events a window holds (see the model's docstring).

    ``since_first_event`` holds every event of a profile from its first event on; no event
    of a profile is before its first one, so its bounds are those of ``all_time``."""
    bounds: list[Bound] = [("<=", as_of)]
    if window.kind == "last_days":
        assert window.days is not None
        with contextlib.suppress(OverflowError):  # further back than the calendar: every event
            bounds.insert(0, (">", as_of - dt.timedelta(days=window.days)))
    elif window.kind == "between":
        assert window.start is not None
        assert window.end is not None
        bounds.insert(0, (">=", day_start(window.start, tz)))
        after = shift_day(window.end, 1)
        if after is not None:
            bounds.insert(1, ("<", day_start(after, tz)))
    return bounds


def lower_bound(bounds: list[Bound]) -> Bound | None:
    """The bound that limits how far back a window reaches, if any."""
    return next((b for b in bounds if b[0] in (">", ">=")), None)


def day_range(test: NumberTest) -> tuple[int | None, int | None] | None:
    """The whole numbers of days ``d`` (>= 0) a test holds for, as (low, high) inclusive
    (None: unbounded), or None when it holds for none."""
    low: int | None = None
    high: int | None = None
    v = test.value
    if test.op == "at_least":
        low = math.ceil(v)
    elif test.op == "more_than":
        low = math.floor(v) + 1
    elif test.op == "at_most":
        high = math.floor(v)
    elif test.op == "less_than":
        high = math.ceil(v) - 1
    elif test.op == "exactly":
        if v != math.floor(v):
            return None
        low = high = int(v)
    else:  # between
        assert test.high is not None
        low, high = math.ceil(v), math.floor(test.high)
    if low is not None and low <= 0:
        low = None
    if high is not None and (high < 0 or (low is not None and high < low)):
        return None
    return low, high


def days_since_bounds(test: NumberTest, as_of: dt.datetime, tz: str) -> list[Bound] | None:
    """Bounds on an instant ``t <= as_of`` equivalent to a test on the whole calendar days
    from ``t`` to ``as_of`` in ``tz`` (``local_date(as_of) - local_date(t)``), or None when
    the test holds for no number of days. An empty list: it holds for every ``t``."""
    days = day_range(test)
    if days is None:
        return None
    low, high = days
    today = local_date(as_of, tz)
    bounds: list[Bound] = []
    if low is not None:  # days >= low  <=>  t before the start of (today - low + 1)
        day = shift_day(today, -low + 1)
        if day is None:
            return None
        bounds.append(("<", day_start(day, tz)))
    if high is not None:  # days <= high  <=>  t at or after the start of (today - high)
        day = shift_day(today, -high)
        if day is not None:
            bounds.append((">=", day_start(day, tz)))
    return bounds


def number_holds(test: NumberTest, x: float) -> bool:
    """Whether a test holds for ``x`` (used to see whether 0 passes)."""
    v = test.value
    if test.op == "at_least":
        return x >= v
    if test.op == "at_most":
        return x <= v
    if test.op == "exactly":
        return x == v
    if test.op == "more_than":
        return x > v
    if test.op == "less_than":
        return x < v
    assert test.high is not None
    return v <= x <= test.high
