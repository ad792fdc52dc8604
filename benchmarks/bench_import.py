"""Import benchmark: a generated profile CSV of N rows through ``workbench import``.

Prints wall time and peak memory of the import process. Usage:

    python benchmarks/bench_import.py --rows 1000000

The CSV is generated once into benchmarks/data/ (not committed) with numpy,
about 150 bytes a row, with typical profile columns: ids, names, e-mail, phone,
address, dates, a timestamp, amounts and flags.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from measure import run_measured

DATA = Path(__file__).parent / "data"
FIRST = np.array(
    [
        "James",
        "Mary",
        "Robert",
        "Patricia",
        "John",
        "Jennifer",
        "Michael",
        "Linda",
        "David",
        "Elizabeth",
        "William",
        "Barbara",
        "José",
        "Zoë",
    ]
)
LAST = np.array(
    [
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Jones",
        "Garcia",
        "Miller",
        "Davis",
        "Rodriguez",
        "Martinez",
        "Hernández",
        "O'Neil",
        "Nguyen",
        "Kim",
    ]
)
CITIES = np.array(["Springfield", "Portland", "Austin", "Denver", "Boston", "Madison"])


def make_csv(rows: int, path: Path, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    ids = np.arange(1, rows + 1)
    first = FIRST[rng.integers(0, len(FIRST), rows)]
    last = LAST[rng.integers(0, len(LAST), rows)]
    email = (
        pd.Series(first).str.lower()
        + "."
        + pd.Series(last).str.lower().str.replace("'", "")
        + pd.Series(ids).astype(str)
        + "@example.com"
    )
    df = pd.DataFrame(
        {
            "customer_id": pd.Series(ids).map("C{:08d}".format),
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone": pd.Series(rng.integers(2_000_000_000, 9_999_999_999, rows)).astype(str),
            "street": pd.Series(rng.integers(1, 9999, rows)).astype(str) + " Main Street",
            "city": CITIES[rng.integers(0, len(CITIES), rows)],
            "postcode": pd.Series(rng.integers(0, 99999, rows)).map("{:05d}".format),
            "dob": pd.to_datetime(rng.integers(-10_000, 12_000, rows), unit="D").strftime(
                "%Y-%m-%d"
            ),
            "last_seen": pd.to_datetime(
                1_600_000_000 + rng.integers(0, 100_000_000, rows), unit="s"
            ).strftime("%Y-%m-%d %H:%M:%S"),
            "lifetime_value": np.round(rng.gamma(2.0, 150.0, rows), 2),
            "orders": rng.poisson(3, rows),
            "opted_in": np.where(rng.random(rows) < 0.6, "true", "false"),
            "tier": np.array(["bronze", "silver", "gold"])[rng.integers(0, 3, rows)],
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    csv = DATA / f"profiles_{args.rows}.csv"
    if not csv.exists():
        started = time.perf_counter()
        make_csv(args.rows, csv)
        print(f"generated {csv} in {time.perf_counter() - started:.1f} s")
    size_mb = csv.stat().st_size / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "bench.wbproj"
        subprocess.run(
            [sys.executable, "-m", "workbench", "new", str(project)],
            check=True,
            capture_output=True,
        )
        measured = run_measured(
            [
                sys.executable,
                "-m",
                "workbench",
                "import",
                str(project),
                str(csv),
                "--kind",
                "profiles",
                "--name",
                "crm",
            ]
        )
    seconds, peak_mb = measured.seconds, measured.peak_mb
    print(f"machine: {platform.machine()}, {platform.system()}, python {platform.python_version()}")
    print(f"file: {csv.name}, {args.rows:,} rows, {size_mb:,.0f} MB")
    print(f"import wall time: {seconds:.2f} s  (target < 10 s at 1,000,000 rows)")
    print(f"import peak memory (max RSS): {peak_mb:,.0f} MB  (target < 2,048 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
