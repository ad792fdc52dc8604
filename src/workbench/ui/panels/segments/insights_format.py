"""How the insight pages write numbers: counts with thousands separators, shares as percent,
amounts with two decimals and no currency sign (the data carries none)."""

from __future__ import annotations

import math
from decimal import Decimal

from workbench.ui.models import MISSING

COUNT, PERCENT, AMOUNT, NUMBER = "count", "percent", "amount", "number"
Number = int | float | Decimal | None


def _missing(value: Number) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def count(value: Number) -> str:
    return MISSING if value is None or _missing(value) else f"{round(float(value)):,}"


def percent(fraction: Number, decimals: int = 1) -> str:
    """A fraction (0..1) as a percentage; tiny non-zero shares do not round to a bare 0."""
    if fraction is None or _missing(fraction):
        return MISSING
    value = float(fraction) * 100
    if 0 < abs(value) < 0.05 and decimals <= 1:
        return "<0.1%"
    return f"{value:,.{decimals}f}%"


def amount(value: Number) -> str:
    return MISSING if value is None or _missing(value) else f"{float(value):,.2f}"


def number(value: Number) -> str:
    """A plain measure (visits per profile): two decimals under 100, whole numbers above."""
    if value is None or _missing(value):
        return MISSING
    v = float(value)
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}"


def sentence(text: str) -> str:
    """An engine message as a sentence: capital first letter."""
    return text[:1].upper() + text[1:]


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
