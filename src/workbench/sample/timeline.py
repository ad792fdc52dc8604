"""When things happen: the 12-month event window and its seasonality.

Event times are drawn from an hourly intensity over the 365 days before the
reference date: busier evenings and weekends, a November/December peak with
Black Friday and Cyber Monday spikes, a post-Christmas lull. Times are naive
local wall-clock seconds since the epoch.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

REFERENCE_DATE = date(2026, 6, 30)
""""Today" of the data set: events cover the 365 days before it."""
REFERENCE_DAY = np.datetime64(REFERENCE_DATE.isoformat(), "D")
WINDOW_DAYS = 365
DAY = 86_400
END = int(REFERENCE_DAY.astype("datetime64[s]").astype(np.int64))
"""Exclusive upper bound of every timestamp: midnight starting the reference date."""
START = END - WINDOW_DAYS * DAY

# fmt: off
_MONTH = {1: 0.86, 2: 0.84, 3: 0.92, 4: 0.95, 5: 1.0, 6: 0.97,
          7: 0.95, 8: 1.02, 9: 0.94, 10: 1.0, 11: 1.15, 12: 1.55}
_WEEKDAY = np.array([0.92, 0.9, 0.92, 0.97, 1.06, 1.22, 1.18])  # Monday first
_HOUR_WEEKDAY = np.array([0.25, 0.14, 0.09, 0.07, 0.08, 0.14, 0.3, 0.5, 0.62, 0.7, 0.75, 0.82,
                          0.92, 0.86, 0.8, 0.8, 0.86, 0.98, 1.15, 1.4, 1.55, 1.42, 1.0, 0.55])
_HOUR_WEEKEND = np.array([0.38, 0.24, 0.14, 0.09, 0.07, 0.08, 0.15, 0.28, 0.5, 0.78, 0.98, 1.08,
                          1.12, 1.1, 1.05, 1.0, 1.0, 1.06, 1.22, 1.48, 1.6, 1.45, 1.08, 0.65])
_HOUR_STORE = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0.45, 0.75, 0.95,
                        1.15, 1.1, 1.05, 1.05, 1.12, 1.25, 1.3, 1.15, 0.8, 0.45, 0, 0.0])
# fmt: on


def thanksgiving(year: int) -> date:
    first = date(year, 11, 1)
    first_thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + timedelta(weeks=3)


def day_factors(start_day: date | None = None, days: int = WINDOW_DAYS) -> np.ndarray:
    """Relative retail demand for each day of the window (yearly seasonality)."""
    start_day = start_day or REFERENCE_DATE - timedelta(days=days)
    out = np.empty(days)
    specials: dict[date, float] = {}
    for year in (start_day.year, start_day.year + 1):
        tg = thanksgiving(year)
        specials |= {
            tg: 1.7,
            tg + timedelta(days=1): 3.4,
            tg + timedelta(days=2): 2.2,
            tg + timedelta(days=3): 2.0,
            tg + timedelta(days=4): 3.0,
            date(year, 12, 24): 0.9,
            date(year, 12, 25): 0.45,
            date(year, 12, 26): 1.6,
        }
    for i in range(days):
        d = start_day + timedelta(days=i)
        f = _MONTH[d.month]
        if d.month == 11:
            f *= 0.9 + 0.4 * d.day / 30  # ramp towards the holidays
        elif d.month == 12 and d.day <= 23:
            f *= 1.2 - 0.01 * d.day
        elif d.month == 2 and 7 <= d.day <= 13:
            f *= 1.15  # Valentine's
        elif d.month == 8 and d.day <= 20:
            f *= 1.1  # back to school
        out[i] = specials.get(d, f)
    return out


def hour_weights(profile: str = "online") -> np.ndarray:
    """Intensity per hour of the window for ``online`` (web/app/e-mail opens) or ``store``."""
    day_of_week = (np.arange(WINDOW_DAYS) + START // DAY + 3) % 7  # 1970-01-01 was a Thursday
    weekend = day_of_week >= 5
    if profile == "store":
        hours = np.tile(_HOUR_STORE, (WINDOW_DAYS, 1)) * np.where(weekend, 1.25, 1.0)[:, None]
    else:
        hours = np.where(weekend[:, None], _HOUR_WEEKEND, _HOUR_WEEKDAY)
    w = hours * (day_factors() * _WEEKDAY[day_of_week])[:, None]
    return w.ravel()


def sampler(profile: str = "online") -> np.ndarray:
    """Cumulative distribution over the window's hours, for :func:`sample_times`."""
    w = hour_weights(profile)
    return np.cumsum(w) / w.sum()


def sample_times(rng: np.random.Generator, n: int, cdf: np.ndarray) -> np.ndarray:
    """``n`` event times (int64 seconds) following the hourly intensity ``cdf``."""
    hour = np.searchsorted(cdf, rng.random(n), side="right")
    hour = np.minimum(hour, len(cdf) - 1)
    return START + hour.astype(np.int64) * 3600 + rng.integers(0, 3600, n)


def not_before(ts: np.ndarray, since: np.ndarray) -> np.ndarray:
    """Move times that precede the key's creation onto a day after it.

    The day is picked by folding the original day into the days the key exists,
    and the time of day is kept, so store hours and evening peaks survive; a
    customer who signed up last month simply has all their activity in it.
    """
    out = ts.copy()
    early = np.flatnonzero(ts < since)
    first_day = (since[early] // DAY + 1) * DAY
    days = (END - first_day) // DAY
    fold = first_day + ((ts[early] - START) // DAY) % np.maximum(days, 1) * DAY + ts[early] % DAY
    out[early] = np.where(days >= 1, fold, np.clip(since[early], START, END - 1))
    return out


def past_times(
    rng: np.random.Generator, n: int, mean_days: float, max_days: float, min_days: float = 0.0
) -> np.ndarray:
    """Creation times before the reference date, denser in the recent past."""
    days = rng.exponential(mean_days, n) + min_days
    over = days > max_days  # spread the tail instead of piling it onto one date
    days[over] = rng.uniform(min_days, max_days, int(over.sum()))
    days = days.astype(np.int64)
    hour = np.searchsorted(np.cumsum(_HOUR_WEEKDAY) / _HOUR_WEEKDAY.sum(), rng.random(n))
    return END - (days + 1) * DAY + hour * 3600 + rng.integers(0, 3600, n)


def timestamps(seconds: np.ndarray) -> pa.Array:
    """Naive millisecond timestamps, the type DuckDB and pandas read most plainly."""
    return pa.array(seconds.astype("datetime64[s]")).cast(pa.timestamp("ms"))


def format_times(seconds: np.ndarray, fmt: str = "%Y-%m-%d %H:%M:%S") -> pa.Array:
    return pc.strftime(pa.array(seconds.astype("datetime64[s]")), fmt)


def format_dates(days: np.ndarray) -> pa.Array:
    """ISO dates (``1984-03-07``) from ``datetime64[D]`` values."""
    return pa.array(days.astype("datetime64[D]")).cast(pa.string())
