"""Identity benchmark: ``workbench resolve --auto`` on the sample generator's data.

    python benchmarks/bench_identity.py --records 100000
    python benchmarks/bench_identity.py --records 1000000

Builds (once, into benchmarks/data/, not committed) a sample project whose
profile sources hold about ``--records`` records (the generator gives ~1.97
profile records per person), then times the resolve command in a fresh
process and prints wall time, peak memory, the stage timings and pairwise
precision / recall / F1 of the final profiles against truth_id.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from measure import run_measured

DATA = Path(__file__).parent / "data"
RECORDS_PER_PERSON = 1.975


def build(records: int, seed: int) -> Path:
    people = max(10, round(records / RECORDS_PER_PERSON))
    folder = DATA / f"identity_{people}_{seed}"
    project = folder.with_suffix(".wbproj")
    if not project.exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "workbench",
                "sample",
                "--people",
                str(people),
                "--seed",
                str(seed),
                "--out",
                str(folder),
                "--project",
                str(project),
            ],
            check=True,
        )
        print(f"built {project.name} ({people:,} people) in {time.perf_counter() - started:.0f} s")
    return project


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    source = build(args.records, args.seed)
    work = source.with_name(source.stem + "_run.wbproj")
    shutil.copy(source, work)
    try:
        measured = run_measured(
            [sys.executable, "-m", "workbench", "resolve", str(work), "--auto", "--json"]
        )
    finally:
        work.unlink(missing_ok=True)
        work.with_name(work.name + ".wal").unlink(missing_ok=True)
    report = json.loads(measured.stdout)
    ev = report.get("evaluation") or {}
    print(f"machine: {platform.machine()}, {platform.system()}, python {platform.python_version()}")
    print(
        f"records: {report['records']:,}  candidate pairs: {report['candidate_pairs']:,}  "
        f"profiles: {report['profiles']:,}"
    )
    print(
        f"resolve wall time (process, incl. start-up): {measured.seconds:.1f} s; engine total "
        f"{report['seconds']['total']:.1f} s"
    )
    print(
        "stages: "
        + ", ".join(f"{k} {v:.1f}s" for k, v in report["seconds"].items() if k != "total")
    )
    print(f"peak memory (max RSS of the resolve process): {measured.peak_mb:,.0f} MB")
    if ev:
        print(
            f"pairwise precision {ev['precision']:.4f}  recall {ev['recall']:.4f}  "
            f"F1 {ev['f1']:.4f}  (people with exactly one profile: {ev['exact_clusters']:.2%})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
