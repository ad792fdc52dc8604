"""Segments benchmark: counts, overlap, compare and export on a resolved sample project.

    python benchmarks/bench_segments.py --people 100000
    python benchmarks/bench_segments.py                  # 1,000,000 people, ~20M events

Builds (once, into benchmarks/data/, not committed) a project from the sample generator
with identities resolved (``--auto``), in a separate process, then measures in this one,
on a copy: a typical segment (two behaviour conditions in a 30-day window plus an
attribute) counted cold (project freshly opened) and warm, median of 5; other shapes
(cart abandonment, metric/RFM, recency); the 20-segment overlap matrix; a comparison of
3 segments; the export of a ~100,000-member segment; pages of a 500,000-member segment;
one profile in full. The first run of a figure also pays for what is computed once per
identity run and kept in the project (the catalog, each event type's rows in the compact
events table, the metrics at an as-of); the table's cost per type is printed at the end.
Prints each figure and this process's peak RSS.
Targets (issue 6, 1M profiles / 20M events): count < 1 s, 20-segment overlap < 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from workbench.project import Project
from workbench.segments.catalog import clear_cache, load_catalog
from workbench.segments.compare import compare_segments
from workbench.segments.evaluate import count_segment
from workbench.segments.export import export_members
from workbench.segments.members import members_page, profile_detail
from workbench.segments.model import (
    AttributeCondition,
    BucketCondition,
    EventCondition,
    EventFilter,
    Group,
    MetricCondition,
    NumberTest,
    RecencyCondition,
    Segment,
    SequenceCondition,
    ValueTest,
    Window,
)
from workbench.segments.overlap import overlap_matrix

DATA = Path(__file__).resolve().parent / "data"


def project_path(people: int, seed: int) -> Path:
    return DATA / f"segments_{people}_{seed}.wbproj"


def build(people: int, seed: int) -> Path:
    """The resolved sample project, built once in a child process (its memory is not ours)."""
    project = project_path(people, seed)
    if project.exists():
        return project
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--build-only", "--people", str(people), "--seed", str(seed)],
        check=True,
    )
    print(f"built {project.name} in {time.perf_counter() - started:.0f} s", flush=True)
    return project


def _build_here(people: int, seed: int) -> None:
    from workbench.sample.demo_project import build_project
    from workbench.sample.generator import generate

    project = project_path(people, seed)
    folder = project.with_suffix("")
    DATA.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    t0 = time.perf_counter()
    manifest = generate(folder, people, seed=seed)
    print(f"generated {people:,} people in {time.perf_counter() - t0:.0f} s", flush=True)
    t0 = time.perf_counter()
    build_project(project, folder, manifest, resolve_identities=True)
    print(f"imported and resolved in {time.perf_counter() - t0:.0f} s", flush=True)


# ----------------------------------------------------------------------------- segments
def _last(days: int) -> Window:
    return Window(kind="last_days", days=days)


def _did(event_type: str, days: int, at_least: int = 1, **where: str) -> EventCondition:
    return EventCondition(
        event_type=event_type,
        where=[ValueTest(field=f, value=v) for f, v in where.items()],
        test=NumberTest(op="at_least", value=at_least),
        window=_last(days),
    )


def _segment(name: str, *conditions: object, op: str = "and") -> Segment:
    return Segment(name=name, root=Group(op=op, conditions=list(conditions)))


TYPICAL = _segment(
    "Typical: bought and browsed in 30 days, loyalty tier",
    _did("purchase", 30),
    _did("page_view", 30, at_least=2),
    AttributeCondition(field="loyalty_tier", op="in", values=["Silver", "Gold", "Platinum"]),
)
SHAPES = {
    "cart abandonment (sequence, 7 days)": _segment(
        "Cart abandoners",
        SequenceCondition(
            first=EventFilter(event_type="cart_add"),
            then=EventFilter(event_type="purchase"),
            then_not=True,
            within_hours=24,
            window=_last(7),
        ),
    ),
    "RFM (metric)": _segment(
        "Best buyers",
        MetricCondition(metric="rfm_score", test=NumberTest(op="at_least", value=444)),
    ),
    "lifetime value (metric)": _segment(
        "High value",
        MetricCondition(metric="lifetime_value", test=NumberTest(op="at_least", value=500)),
    ),
    "recency (no e-mail open for 60 days)": _segment(
        "Lapsed readers",
        RecencyCondition(event_type="email_open", test=NumberTest(op="more_than", value=60)),
    ),
    "never purchased in a year (count = 0)": _segment(
        "Never bought",
        EventCondition(
            event_type="purchase", test=NumberTest(op="exactly", value=0), window=_last(365)
        ),
    ),
}


def twenty_segments() -> list[Segment]:
    """Twenty segments of the kinds an analyst overlaps: behaviour, attributes, metrics."""
    categories = ["Women", "Men", "Shoes", "Sport & Outdoor", "Home", "Accessories"]
    out = [_segment(f"Bought {c} in 90 days", _did("purchase", 90, category=c)) for c in categories]
    out += [
        _segment("Opened e-mail in 30 days", _did("email_open", 30)),
        _segment("Clicked e-mail in 30 days", _did("email_click", 30)),
        _segment("App user in 14 days", _did("app_session", 14)),
        _segment("Browsed 5+ pages in 30 days", _did("page_view", 30, at_least=5)),
        _segment("Added to cart in 7 days", _did("cart_add", 7)),
        SHAPES["cart abandonment (sequence, 7 days)"],
        SHAPES["RFM (metric)"],
        SHAPES["lifetime value (metric)"],
        SHAPES["recency (no e-mail open for 60 days)"],
        _segment(
            "Gold or platinum",
            AttributeCondition(field="loyalty_tier", op="in", values=["Gold", "Platinum"]),
        ),
        _segment("Opted in", AttributeCondition(field="opt_in", value=True)),
        _segment("iOS", AttributeCondition(field="platform", value="ios")),
        _segment("Test half", BucketCondition(salt="ab", buckets=2, low=0, high=0)),
        TYPICAL,
    ]
    assert len(out) == 20
    return out


EXPORT = _segment("Ten percent", BucketCondition(salt="export", buckets=10, low=0, high=0))


# ----------------------------------------------------------------------------- timing
def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def cold_and_warm(
    path: Path, fn: Callable[[Project], object], runs: int
) -> tuple[list[float], list[float], object]:
    """``runs`` timings on a freshly opened project (cold: DuckDB's buffers and the segment
    catalog cache empty, so a cold figure includes loading the catalog; the OS file cache
    is not dropped), then ``runs`` on one open project after a first call (warm)."""
    cold = []
    result = None
    for _ in range(runs):
        clear_cache()
        with Project.open(path) as project:
            seconds, result = _timed(lambda p=project: fn(p))
        cold.append(seconds)
    with Project.open(path) as project:
        fn(project)
        warm = [_timed(lambda p=project: fn(p))[0] for _ in range(runs)]
    return cold, warm, result


def _med(times: list[float]) -> str:
    return f"{statistics.median(times):.3f} s (min {min(times):.3f}, max {max(times):.3f})"


def _ram_gib() -> float:
    with open("/proc/meminfo", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    return 0.0


def measure(path: Path, runs: int) -> None:
    with Project.open(path) as project:
        cur = project.cursor()
        (profiles,) = cur.execute("SELECT count(*) FROM main.profiles").fetchone()
        events, linked, latest = cur.execute(
            "SELECT count(*), count(profile_id), max(ts) FROM main.events"
        ).fetchone()
        cur.close()
    print(f"profiles: {profiles:,}  events: {events:,} ({linked:,} linked)  as-of: {latest}")
    as_of: dt.datetime = latest
    cold, warm, _ = cold_and_warm(path, load_catalog, runs)
    print(f"segment catalog (fields, event types; once per project open): cold {_med(cold)}")

    cold, warm, count = cold_and_warm(path, lambda p: count_segment(p, TYPICAL, as_of=as_of), runs)
    print(f"typical segment: {count.members:,} members")  # type: ignore[attr-defined]
    print(f"  count, cold: {_med(cold)}  first run: {cold[0]:.3f} s")
    print(f"  count, warm: {_med(warm)}")
    for label, segment in SHAPES.items():
        cold, warm, count = cold_and_warm(
            path, lambda p, s=segment: count_segment(p, s, as_of=as_of), runs
        )
        print(f"{label}: {count.members:,} members")  # type: ignore[attr-defined]
        print(f"  count, cold: {_med(cold)}  warm: {_med(warm)}  first run: {cold[0]:.3f} s")

    segments = twenty_segments()
    cold, warm, overlap = cold_and_warm(
        path, lambda p: overlap_matrix(p, segments, as_of=as_of), max(1, runs // 2)
    )
    sizes = ", ".join(f"{n:,}" for n in overlap.sizes)  # type: ignore[attr-defined]
    print(f"overlap matrix of 20 segments (sizes {sizes})")
    print(f"  cold: {_med(cold)}  warm: {_med(warm)}")

    three = [TYPICAL, segments[0], segments[6]]
    for window in (None, 30):
        cold, warm, _ = cold_and_warm(
            path,
            lambda p, w=window: compare_segments(p, three, as_of=as_of, window_days=w),
            max(1, runs // 2),
        )
        label = "all time" if window is None else f"last {window} days"
        print(f"compare 3 segments + everyone ({label}): cold {_med(cold)}  warm {_med(warm)}")

    pages(path, as_of, runs)
    with tempfile.TemporaryDirectory(dir=DATA) as folder:
        for suffix in (".csv", ".parquet"):
            out = Path(folder) / f"members{suffix}"
            cold, warm, rows = cold_and_warm(
                path, lambda p, o=out: export_members(p, EXPORT, o, as_of=as_of), 3
            )
            size = out.stat().st_size / 1e6
            print(
                f"export {rows:,} members to {suffix[1:]} ({size:,.1f} MB): "
                f"cold {_med(cold)}  warm {_med(warm)}"
            )


OPTED_IN = _segment("Opted in", AttributeCondition(field="opt_in", value=True))


def pages(path: Path, as_of: dt.datetime, runs: int) -> None:
    """Members pages of a big segment (first, a deep one after it, sorted) and a profile."""
    first = lambda p: members_page(p, OPTED_IN, as_of=as_of)  # noqa: E731
    cold, warm, page = cold_and_warm(path, first, runs)
    total = page.total  # type: ignore[attr-defined]
    print(f"members page of {total:,} (200 rows by id): cold {_med(cold)}  warm {_med(warm)}")

    def deep(project: Project) -> object:
        members_page(project, OPTED_IN, as_of=as_of)
        started = time.perf_counter()
        members_page(project, OPTED_IN, as_of=as_of, offset=total - 1000)
        return time.perf_counter() - started

    with Project.open(path) as project:
        later = [float(deep(project)) for _ in range(runs)]  # type: ignore[arg-type]
    print(f"  a later page (offset {total - 1000:,}), after the first: {_med(later)}")
    by_name = lambda p: members_page(p, OPTED_IN, as_of=as_of, sort="last_name")  # noqa: E731
    cold, warm, _ = cold_and_warm(path, by_name, runs)
    print(f"  first page sorted by last name: cold {_med(cold)}  warm {_med(warm)}")
    with Project.open(path) as project:
        cur = project.cursor()
        (pid,) = cur.execute(
            "SELECT profile_id FROM main.profiles ORDER BY records DESC, profile_id LIMIT 1"
        ).fetchall()[0]
        cur.close()
    cold, warm, detail = cold_and_warm(path, lambda p: profile_detail(p, pid), runs)
    events = detail.events_total  # type: ignore[attr-defined]
    print(f"profile in full ({events:,} events): cold {_med(cold)}  warm {_med(warm)}")


def events_table_summary(path: Path) -> None:
    """What the compact events table cost to fill, per event type (once per run)."""
    with Project.open(path, read_only=True) as project:
        cur = project.cursor()
        try:
            rows = cur.execute(
                "SELECT event_type, rows, seconds FROM segments.events_types ORDER BY added_at"
            ).fetchall()
        except duckdb.CatalogException:  # no table: nothing was added
            rows = []
        cur.close()
    if not rows:
        print("compact events table: not used")
        return
    total = sum(r[2] for r in rows)
    each = ", ".join(f"{t} {n / 1e6:.1f}M {s:.1f} s" for t, n, s in rows)
    print(f"compact events table (filled on first use, once per run): {total:.1f} s ({each})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (median)")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        _build_here(args.people, args.seed)
        return 0
    source = build(args.people, args.seed)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {_ram_gib():.0f} GiB RAM, "
        f"python {platform.python_version()}"
    )
    print(f"project: {source.name} ({source.stat().st_size / 1e6:,.0f} MB)")
    work = source.with_name(source.stem + "_run.wbproj")
    shutil.copy(source, work)  # runs write the metrics cache; keep the built project clean
    try:
        measure(work, args.runs)
        events_table_summary(work)
    finally:
        work.unlink(missing_ok=True)
        work.with_name(work.name + ".wal").unlink(missing_ok=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of this process): {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
