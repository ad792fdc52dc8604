"""The engine's SQL against the plain-Python reference on random data and random segments.

Each seed makes a data set with the nasty parts (see random_data.py), writes it into a
real project as ``main.profiles`` / ``main.events``, saves a few segments to refer to, and
compares the members of many random definitions. A difference fails with the seed, the
segment's JSON, the smallest differing sub-condition and the rows of the profiles that
differ, so the bug can be reproduced by hand.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import get_args

import pytest

from tests.segments import reference
from tests.segments.random_data import (
    ZONES,
    Dataset,
    SegmentGenerator,
    generate_data,
    write_project,
)
from workbench.project import Project
from workbench.segments.model import (
    AttributeCondition,
    EventCondition,
    Group,
    Metric,
    MetricCondition,
    RecencyCondition,
    Segment,
    SequenceCondition,
    ValueOp,
)

SEEDS = range(12)
TREES_PER_SEED = 20
LEAVES_PER_KIND = 6
KINDS = ("attribute", "event", "recency", "sequence", "metric", "segment_ref", "bucket", "probe")
"""Condition kinds compared alone; "probe": events and sequences on the boundary events."""
METRICS = True
"""Metric conditions take part (both sides implement docs/segments.md's conventions)."""


@dataclass
class World:
    """One data set in one project, and the saved segments a definition may refer to."""

    data: Dataset
    project: Project
    saved: dict[str, Segment]

    def engine(self, segment: Segment) -> set[str]:
        from workbench.segments.evaluate import member_ids

        return set(member_ids(self.project, segment, as_of=self.data.as_of))

    def reference(self, segment: Segment) -> set[str]:
        return reference.evaluate(
            segment,
            self.data.profiles,
            self.data.events,
            self.data.as_of,
            lookup=self.saved.__getitem__,
        )

    def difference(self, segment: Segment) -> str | None:
        """None when both agree, else a report of the difference."""
        expected = self.reference(segment)
        got = self.engine(segment)
        if got == expected:
            return None
        return self._report(segment, expected, got)

    def _report(self, segment: Segment, expected: set[str], got: set[str]) -> str:
        lines = [
            f"{self.data.describe()}",
            f"segment: {segment.model_dump_json()}",
            f"engine only ({len(got - expected)}): {sorted(got - expected)[:10]}",
            f"reference only ({len(expected - got)}): {sorted(expected - got)[:10]}",
        ]
        smallest = self._smallest(segment)
        if smallest is not None and smallest.model_dump() != segment.model_dump():
            lines.append(f"smallest differing sub-condition: {smallest.model_dump_json()}")
        for pid in sorted(got ^ expected)[:3]:
            row = next(p for p in self.data.profiles if p["profile_id"] == pid)
            lines.append(f"profile {row}")
            events = sorted(
                (e for e in self.data.events if e["profile_id"] == pid),
                key=lambda e: e["ts"],  # type: ignore[arg-type,return-value]
            )
            lines.extend(f"    event {e}" for e in events[:15])
            if len(events) > 15:
                lines.append(f"    ... {len(events) - 15} more events")
        return "\n".join(lines)

    def _smallest(self, segment: Segment) -> Segment | None:
        """The deepest condition that, alone in a segment, still differs."""
        found: Segment | None = None
        for cond in segment.root.conditions:
            alone = segment.model_copy(
                update={"root": cond if isinstance(cond, Group) else Group(conditions=[cond])}
            )
            if self.engine(alone) != self.reference(alone):
                found = self._smallest(alone) if isinstance(cond, Group) else alone
                break
        if found is None and self.engine(segment) != self.reference(segment):
            return segment
        return found


def saved_segments(data: Dataset) -> list[Segment]:
    """Segments saved in each project for SegmentConditions to name (names with quotes)."""
    rng = random.Random(data.seed + 10_000)
    out: list[Segment] = []
    for k, name in enumerate(("saved plain", "saved 'quoted' \"name\"", "gespeichert ü")):
        gen = SegmentGenerator(rng, data, saved=[s.name for s in out], metrics=METRICS)
        out.append(gen.segment(name, depth=1 + k % 2))
    return out


def tree_segments(data: Dataset, saved: list[str]) -> list[Segment]:
    """Random trees: nested groups, negation, every condition type."""
    gen = SegmentGenerator(random.Random(data.seed), data, saved=saved, metrics=METRICS)
    return [gen.segment(f"random {k}") for k in range(TREES_PER_SEED)]


def leaf_segments(data: Dataset, saved: list[str], kind: str) -> list[Segment]:
    """Segments of one condition of ``kind``, every third one negated (NULLs land inside)."""
    rng = random.Random(f"{data.seed}:{kind}")
    gen = SegmentGenerator(rng, data, saved=saved, metrics=METRICS)
    metrics = get_args(Metric)
    out = []
    for k in range(LEAVES_PER_KIND * (3 if kind == "probe" else 1)):
        if kind == "metric":  # every metric in turn, across the seeds
            cond = gen.metric(metrics[(data.seed * LEAVES_PER_KIND + k) % len(metrics)])
        else:
            cond = getattr(gen, kind)()
        root = Group(conditions=[cond], negate=k % 3 == 2)
        out.append(Segment(name=f"{kind} {k}", root=root, timezone=gen.zone()))
    return out


@pytest.fixture(scope="module", params=list(SEEDS), ids=[f"seed{s}" for s in SEEDS])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    from workbench.segments.store import save_segment

    data = generate_data(request.param)
    project = Project.create(tmp_path_factory.mktemp("segref") / f"seed{data.seed}.wbproj")
    try:
        write_project(project, data)
        saved = saved_segments(data)
        for segment in saved:
            save_segment(project, segment)
        yield World(data=data, project=project, saved={s.name: s for s in saved})
    finally:
        project.close()


def _compare(world: World, segments: list[Segment]) -> None:
    failures = [r for s in segments if (r := world.difference(s)) is not None]
    assert not failures, f"{len(failures)} of {len(segments)} differ:\n\n" + "\n\n".join(
        failures[:3]
    )


def test_random_segments_match_the_reference(world: World) -> None:
    _compare(world, tree_segments(world.data, list(world.saved)))


@pytest.mark.parametrize("kind", KINDS)
def test_each_condition_type_alone_matches_the_reference(world: World, kind: str) -> None:
    _compare(world, leaf_segments(world.data, list(world.saved), kind))


def test_the_comparison_covers_every_condition_type_and_operator() -> None:
    """The comparisons above are only as good as their coverage: every condition type,
    negation, nesting, every window, measure and value operator appear in them."""
    kinds: Counter[str] = Counter()
    for seed in SEEDS:
        data = generate_data(seed)
        saved = [s.name for s in saved_segments(data)]
        segments = tree_segments(data, saved)
        segments += [s for kind in KINDS for s in leaf_segments(data, saved, kind)]
        for segment in segments:
            kinds["zone " + segment.timezone] += 1
            for cond in reference.conditions_of(segment.root):
                kinds[cond.type] += 1  # type: ignore[attr-defined]
                if isinstance(cond, Group):
                    kinds["negated group" if cond.negate else "group"] += 1
                    if any(isinstance(c, Group) for c in cond.conditions):
                        kinds["nested"] += 1
                if isinstance(cond, AttributeCondition):
                    kinds["op " + cond.op] += 1
                if isinstance(cond, EventCondition):
                    kinds["measure " + cond.measure] += 1
                if isinstance(cond, EventCondition | RecencyCondition):
                    kinds.update("where " + t.op for t in cond.where)
                if isinstance(cond, SequenceCondition):
                    kinds["then_not" if cond.then_not else "then"] += 1
                    kinds.update("where " + t.op for t in cond.first.where + cond.then.where)
                window = getattr(cond, "window", None)
                if window is not None:
                    kinds["window " + window.kind] += 1
                if isinstance(cond, MetricCondition):
                    kinds["metric " + cond.metric] += 1
    expected = {
        "attribute", "event", "recency", "sequence", "segment", "bucket", "group",
        "negated group", "nested", "window all_time", "window last_days", "window between",
        "window since_first_event", "measure count", "measure sum", "measure average",
        "then", "then_not", "where equals", "where in", "where is_empty", "where between",
        *(f"op {op}" for op in get_args(ValueOp)), *(f"zone {z}" for z in ZONES),
    }  # fmt: skip
    if METRICS:
        expected |= {"metric", *(f"metric {m}" for m in get_args(Metric))}
    missing = {k for k in expected if kinds[k] < 2}
    assert not missing, f"the comparisons rarely or never hold: {sorted(missing)}"


def test_random_data_has_the_nasty_parts() -> None:
    """The generator really makes the rows the edge cases are about."""
    seen: Counter[str] = Counter()
    for seed in SEEDS:
        data = generate_data(seed)
        with_events = {e["profile_id"] for e in data.events if e["profile_id"] is not None}
        seen["no events"] += sum(p["profile_id"] not in with_events for p in data.profiles)
        seen["null city"] += sum(p["city"] is None for p in data.profiles)
        seen["unlinked"] += sum(e["profile_id"] is None for e in data.events)
        seen["after as_of"] += sum(e["ts"] > data.as_of for e in data.events)  # type: ignore[operator]
        week = data.as_of - dt.timedelta(days=7)
        seen["at as_of - 7 days"] += sum(e["ts"] == week for e in data.events)
        keys = Counter((e["profile_id"], e["ts"]) for e in data.events)
        seen["same instant"] += sum(n > 1 for n in keys.values())
        seen["negative value"] += sum((e["value"] or 0) < 0 for e in data.events)  # type: ignore[operator]
        seen["quote"] += sum("'" in str(p["city"]) for p in data.profiles)
    assert all(seen[k] > 0 for k in seen), seen


# -- the comparisons have teeth ---------------------------------------------------------------


def _last_days_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    original = reference._Scope.in_window

    def in_window(self, event, window, first_ts):  # type: ignore[no-untyped-def]
        if window.kind == "last_days":
            return self.ev.as_of - dt.timedelta(days=window.days) <= event["ts"]
        return original(self, event, window, first_ts)

    monkeypatch.setattr(reference._Scope, "in_window", in_window)


def _between_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    original = reference._Scope.in_window

    def in_window(self, event, window, first_ts):  # type: ignore[no-untyped-def]
        if window.kind == "between":
            return window.start <= event["ts"].date() <= window.end
        return original(self, event, window, first_ts)

    monkeypatch.setattr(reference._Scope, "in_window", in_window)


def _elapsed_days(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reference, "calendar_days", lambda since, as_of, zone: (as_of - since).days)


def _null_not_equals(monkeypatch: pytest.MonkeyPatch) -> None:
    original = reference.value_holds

    def value_holds(test, value, as_of, zone):  # type: ignore[no-untyped-def]
        if value is None and test.op in ("not_equals", "not_in"):
            return True
        return original(test, value, as_of, zone)

    monkeypatch.setattr(reference, "value_holds", value_holds)


def _case_always(monkeypatch: pytest.MonkeyPatch) -> None:
    original = reference.value_holds

    def value_holds(test, value, as_of, zone):  # type: ignore[no-untyped-def]
        return original(test.model_copy(update={"ignore_case": False}), value, as_of, zone)

    monkeypatch.setattr(reference, "value_holds", value_holds)


def _span_end_open(monkeypatch: pytest.MonkeyPatch) -> None:
    original = reference._Scope.sequence
    microsecond = 1 / 3_600_000_000

    def sequence(self, cond):  # type: ignore[no-untyped-def]
        shorter = cond.model_copy(update={"within_hours": cond.within_hours - microsecond})
        return original(self, shorter)

    monkeypatch.setattr(reference._Scope, "sequence", sequence)


MISREADINGS = {
    "last_days closed on the left": _last_days_closed,
    "between windows in UTC days": _between_in_utc,
    "recency in elapsed 24 hours": _elapsed_days,
    "not_equals holds for NULL": _null_not_equals,
    "ignore_case ignored": _case_always,
    "sequence span open at the end": _span_end_open,
}


@functools.cache
def _suite(seed: int) -> tuple[Dataset, dict[str, Segment], list[Segment]]:
    """A seed's data, saved segments and every segment the comparisons above run."""
    data = generate_data(seed)
    saved = {s.name: s for s in saved_segments(data)}
    segments = tree_segments(data, list(saved))
    segments += [s for kind in KINDS for s in leaf_segments(data, list(saved), kind)]
    return data, saved, segments


def _members(seed: int) -> list[set[str]]:
    data, saved, segments = _suite(seed)
    return [
        reference.evaluate(s, data.profiles, data.events, data.as_of, saved.__getitem__)
        for s in segments
    ]


_right_members = functools.cache(_members)


@pytest.mark.parametrize("misreading", list(MISREADINGS))
def test_the_comparisons_catch_a_misreading(
    monkeypatch: pytest.MonkeyPatch, misreading: str
) -> None:
    """An evaluator that misreads one rule differs from the reference on the segments the
    comparisons above run in at least half the data sets, so a compiler with that bug fails."""
    needed, caught = len(SEEDS) // 2, 0
    for seed in SEEDS:
        right = _right_members(seed)
        with monkeypatch.context() as patch:
            MISREADINGS[misreading](patch)
            wrong = _members(seed)
        caught += right != wrong
        if caught >= needed:
            return
    pytest.fail(f"caught in only {caught} of {len(SEEDS)} data sets")
