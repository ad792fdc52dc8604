"""A new condition of each kind, filled in from the data so it reads sensibly and counts at once.

A fresh behaviour condition picks the purchase event when there is one, a fresh attribute
the first customer field; the user then narrows it. Everything here is a plain dict in the
shape of the model (``workbench.segments.model``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, get_args

from workbench.segments.model import Metric
from workbench.ui.panels.segments.condition_draft import field_kind, profile_fields

if TYPE_CHECKING:
    from workbench.segments.catalog import Catalog

METRIC_NAMES: tuple[str, ...] = get_args(Metric)

_PREFERRED_EVENTS = ("purchase", "order", "checkout", "transaction")
_PREFERRED_FIELDS = ("loyalty_tier", "country", "city", "gender", "platform")


def _event_type(catalog: Catalog, wanted: Sequence[str] = _PREFERRED_EVENTS) -> str | None:
    types = list(catalog.event_types)
    for name in wanted:
        for t in types:
            if t == name or name in t:
                return t
    return types[0] if types else None


def _attribute_field(catalog: Catalog) -> str:
    fields = profile_fields(catalog)
    for name in _PREFERRED_FIELDS:
        if name in fields:
            return name
    for name, kind in fields.items():
        if field_kind(kind) == "text":
            return name
    return next(iter(fields), "email")


def metric_label(name: str) -> str:
    """The metric's label from the engine's table, or its name made readable."""
    try:
        from workbench.segments.metrics import METRICS  # noqa: PLC0415
    except ImportError:  # pragma: no cover - the engine module ships with the model
        return name.replace("_", " ").capitalize()
    info = METRICS.get(name)
    return info.label if info is not None else name.replace("_", " ").capitalize()


def metric_unit(name: str) -> str:
    """The engine's unit of a metric: money, count, days, score or rate."""
    try:
        from workbench.segments.metrics import METRICS  # noqa: PLC0415
    except ImportError:  # pragma: no cover
        return ""
    info = METRICS.get(name)
    return str(getattr(info, "unit", "") or "") if info is not None else ""


UNIT_WORDS = {"days": "days", "rate": "(0 to 1)"}
"""Words after a metric's value, by unit."""


def default_condition(
    kind: str, catalog: Catalog, segments: Sequence[str] = (), salt: str = ""
) -> dict:
    """A valid condition of ``kind`` that fits the data in ``catalog``."""
    event = _event_type(catalog)
    if kind == "attribute":
        return {"type": "attribute", "field": _attribute_field(catalog), "op": "is_not_empty"}
    if kind == "event":
        return {
            "type": "event",
            "event_type": event,
            "where": [],
            "measure": "count",
            "test": {"op": "at_least", "value": 1},
            "window": {"kind": "last_days", "days": 30},
            "value_field": "value",
        }
    if kind == "recency":
        return {
            "type": "recency",
            "event_type": event,
            "where": [],
            "which": "last",
            "test": {"op": "at_most", "value": 30},
        }
    if kind == "sequence":
        first = _event_type(catalog, ("cart_add", "add_to_cart", "cart", "product_view"))
        return {
            "type": "sequence",
            "first": {"event_type": first, "where": []},
            "then": {"event_type": event, "where": []},
            "then_not": True,
            "within_hours": 24,
            "window": {"kind": "last_days", "days": 7},
        }
    if kind == "metric":
        return {
            "type": "metric",
            "metric": "lifetime_value",
            "test": {"op": "at_least", "value": 100},
        }
    if kind == "segment":
        return {"type": "segment", "segment": segments[0] if segments else ""}
    if kind == "bucket":
        return {"type": "bucket", "salt": salt, "buckets": 100, "low": 0, "high": 49}
    if kind == "group":
        return {"type": "group", "op": "or", "negate": False, "conditions": []}
    raise ValueError(f"no condition kind '{kind}'")


def new_segment(name: str) -> dict:
    """An empty segment (everyone) as a draft."""
    return {
        "format": 1,
        "name": name,
        "description": "",
        "root": {"type": "group", "op": "and", "negate": False, "conditions": []},
        "timezone": "UTC",
        "as_of": None,
    }
