"""The segment definition: a versioned, validated tree of conditions stored as JSON.

A segment is a set of profiles of the current identity run. Its definition says *what*
holds for a member; the compiler (``workbench.segments.compiler``) turns it into DuckDB SQL,
and an exported rule set is evaluated from the same JSON elsewhere. Times are read against
an *as-of* instant (the "now" of the data), never the wall clock, so a definition gives the
same members on the same data every time.

Semantics every evaluator must share:

- Windows are half-open on the left and closed on the right in time: ``last_days N`` holds
  events with ``as_of - N days < ts <= as_of``; ``between`` holds whole calendar days from
  ``start`` to ``end`` (both inclusive) in the segment's time zone; ``since_first_event``
  holds events from the profile's first event of any type up to ``as_of``; ``all_time``
  holds every event up to ``as_of``. Events after ``as_of`` are never counted.
- Event timestamps are stored without a zone and are read as UTC.
- A profile with no matching events has count 0 and sum 0; its average is NULL, so
  average conditions do not hold for it; "days since" of something never done is NULL and
  a comparison with NULL does not hold (use ``has never done``: count = 0).
- An attribute that is NULL (empty) holds only for ``is_empty``; every other operator,
  ``not_equals`` and ``not_in`` included, does not hold for it.
- Text comparisons are case-sensitive unless ``ignore_case`` is set.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SEGMENT_FORMAT = 1

Scalar = str | int | float | bool | dt.date | dt.datetime


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- comparisons of a number -------------------------------------------------------------

NumberOp = Literal["at_least", "at_most", "exactly", "between", "more_than", "less_than"]


class NumberTest(_Model):
    """``value`` (and ``high`` for between, inclusive) compared with a per-profile number."""

    op: NumberOp = "at_least"
    value: float = 1
    high: float | None = None

    @model_validator(mode="after")
    def _between_has_high(self) -> NumberTest:
        if self.op == "between":
            if self.high is None:
                raise ValueError("'between' needs a high value")
            if self.high < self.value:
                raise ValueError(f"between {self.value} and {self.high}: high is below low")
        elif self.high is not None:
            raise ValueError(f"'{self.op}' takes one value, not a high value")
        return self


# -- time windows --------------------------------------------------------------------------


class Window(_Model):
    kind: Literal["all_time", "last_days", "between", "since_first_event"] = "all_time"
    days: int | None = Field(None, ge=1, description="for last_days")
    start: dt.date | None = Field(None, description="for between: first day, inclusive")
    end: dt.date | None = Field(None, description="for between: last day, inclusive")

    @model_validator(mode="after")
    def _fits_kind(self) -> Window:
        if self.kind == "last_days" and self.days is None:
            raise ValueError("a 'last N days' window needs days")
        if self.kind == "between":
            if self.start is None or self.end is None:
                raise ValueError("a 'between' window needs a start and an end date")
            if self.end < self.start:
                raise ValueError(f"window ends ({self.end}) before it starts ({self.start})")
        if self.kind != "last_days" and self.days is not None:
            raise ValueError(f"a '{self.kind}' window takes no days")
        if self.kind != "between" and (self.start is not None or self.end is not None):
            raise ValueError(f"a '{self.kind}' window takes no dates")
        return self


# -- filters on an event's properties ---------------------------------------------------

ValueOp = Literal[
    "equals",
    "not_equals",
    "in",
    "not_in",
    "contains",
    "starts_with",
    "between",
    "greater_than",
    "at_least",
    "less_than",
    "at_most",
    "is_empty",
    "is_not_empty",
    "within_last_days",
    "more_than_days_ago",
]
"""Operators on one value. ``within_last_days`` / ``more_than_days_ago`` compare a date or
timestamp with the as-of date: within the last N days means ``as_of_date - N <= date <=
as_of_date``; more than N days ago means ``date < as_of_date - N``."""

_NO_VALUE = ("is_empty", "is_not_empty")
_LIST_OPS = ("in", "not_in")


class ValueTest(_Model):
    """A test of one field's value; ``field`` is checked against the data by the compiler."""

    field: str
    op: ValueOp = "equals"
    value: Scalar | None = None
    values: list[Scalar] | None = Field(None, description="for in / not_in")
    high: Scalar | None = Field(None, description="for between (inclusive)")
    ignore_case: bool = False

    @model_validator(mode="after")
    def _operands_fit(self) -> ValueTest:
        name = f"'{self.field}' {self.op.replace('_', ' ')}"
        if self.op in _NO_VALUE:
            if self.value is not None or self.values is not None or self.high is not None:
                raise ValueError(f"{name} takes no value")
        elif self.op in _LIST_OPS:
            if not self.values:
                raise ValueError(f"{name} needs a non-empty list of values")
            if self.value is not None or self.high is not None:
                raise ValueError(f"{name} takes a list of values, not a single value")
        else:
            if self.value is None:
                raise ValueError(f"{name} needs a value")
            if self.values is not None:
                raise ValueError(f"{name} takes one value, not a list")
            if (self.op == "between") != (self.high is not None):
                need = "needs a high value" if self.op == "between" else "takes no high value"
                raise ValueError(f"{name} {need}")
            if self.op in ("within_last_days", "more_than_days_ago") and (
                isinstance(self.value, bool) or not isinstance(self.value, int) or self.value < 0
            ):
                raise ValueError(f"{name} needs a whole number of days >= 0")
        return self


# -- conditions ------------------------------------------------------------------------


class AttributeCondition(ValueTest):
    """A test on a profile attribute (a column of the unified profiles)."""

    type: Literal["attribute"] = "attribute"


class EventFilter(_Model):
    """Which events count: one event type (or any), narrowed by tests on their properties."""

    event_type: str | None = Field(None, description="None: any event type")
    where: list[ValueTest] = Field(default_factory=list)


Measure = Literal["count", "sum", "average"]


class EventCondition(EventFilter):
    """Did an event a number of times (or with a sum / average of its value) in a window.

    "Has never done" is ``count`` ``exactly 0``; profiles without events take part.
    """

    type: Literal["event"] = "event"
    measure: Measure = "count"
    test: NumberTest = Field(default_factory=NumberTest)
    window: Window = Field(default_factory=Window)
    value_field: str = Field(
        "value", description="the event field summed or averaged (a number): value or a property"
    )


class RecencyCondition(EventFilter):
    """Whole days since the last (or first) matching event, up to as-of."""

    type: Literal["recency"] = "recency"
    which: Literal["last", "first"] = "last"
    test: NumberTest = Field(default_factory=lambda: NumberTest(op="at_most", value=30))


class SequenceCondition(_Model):
    """Did ``first`` (in ``window``) and then, within ``within_hours`` after it, did (or did
    not, with ``then_not``) do ``then``. With ``then_not``: some ``first`` event has no
    ``then`` event in ``(first.ts, first.ts + within_hours]`` (cart abandonment). Without:
    some ``first`` event has a ``then`` event in that span."""

    type: Literal["sequence"] = "sequence"
    first: EventFilter
    then: EventFilter
    then_not: bool = True
    within_hours: float = Field(24, gt=0)
    window: Window = Field(default_factory=Window)


Metric = Literal[
    "lifetime_value",
    "order_count",
    "average_order_value",
    "days_since_last_purchase",
    "days_since_first_purchase",
    "recency_score",
    "frequency_score",
    "monetary_score",
    "rfm_score",
    "email_open_rate",
    "email_click_rate",
    "visits",
]
"""Computed per profile (``workbench.segments.metrics`` says how). RFM scores are quintiles
1..5 among purchasers (5 is best), 0 for profiles that never bought; ``rfm_score`` is
R*100 + F*10 + M. Rates are opens (clicks) over sends; NULL without sends."""


class MetricCondition(_Model):
    type: Literal["metric"] = "metric"
    metric: Metric
    test: NumberTest


class SegmentCondition(_Model):
    """Membership in another saved segment (cycles are an error)."""

    type: Literal["segment"] = "segment"
    segment: str


class BucketCondition(_Model):
    """A stable random split: bucket = first 8 hex digits of md5(salt + ':' + profile_id),
    read as an unsigned integer, modulo ``buckets``; holds for ``low <= bucket <= high``."""

    type: Literal["bucket"] = "bucket"
    salt: str = ""
    buckets: int = Field(100, ge=2, le=1_000_000)
    low: int = Field(0, ge=0)
    high: int = Field(49, ge=0)

    @model_validator(mode="after")
    def _range_fits(self) -> BucketCondition:
        if self.high < self.low:
            raise ValueError(f"bucket range {self.low}..{self.high} is empty")
        if self.high >= self.buckets:
            raise ValueError(f"bucket {self.high} is out of range 0..{self.buckets - 1}")
        return self


class Group(_Model):
    """All (``and``) or any (``or``) of the conditions; ``negate`` makes it NOT. An empty
    ``and`` group holds for everyone, an empty ``or`` group for no one."""

    type: Literal["group"] = "group"
    op: Literal["and", "or"] = "and"
    negate: bool = False
    conditions: list[Condition] = Field(default_factory=list)


Condition = Annotated[
    AttributeCondition
    | EventCondition
    | RecencyCondition
    | SequenceCondition
    | MetricCondition
    | SegmentCondition
    | BucketCondition
    | Group,
    Field(discriminator="type"),
]
Group.model_rebuild()


class Segment(_Model):
    format: Literal[1] = SEGMENT_FORMAT
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    root: Group = Field(default_factory=Group)
    timezone: str = Field("UTC", description="IANA zone for calendar days (between windows)")
    as_of: dt.datetime | None = Field(
        None, description="the instant 'now' is read as; None: the evaluation's as-of"
    )

    @model_validator(mode="after")
    def _known_zone(self) -> Segment:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # noqa: PLC0415

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone '{self.timezone}'") from exc
        return self
