"""Generate the retail sample: four profile sources, four event sources, a manifest.

Deterministic: the same ``people``, ``seed`` and ``events_per_person`` give
byte-identical files, because every stage draws from its own child of one
``SeedSequence`` and nothing depends on the wall clock.

Run ``python -m workbench.sample.generator --people 100000 --out /tmp/sample``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa

from workbench.sample import events, profiles
from workbench.sample.manifest import MANIFEST_NAME, SampleManifest, SampleSource
from workbench.sample.people import People, generate_people
from workbench.sample.timeline import REFERENCE_DATE
from workbench.sample.writers import write_csv, write_ndjson, write_parquet
from workbench.tasks import Task, null_task

_STAGES = ("people", "crm", "ecom", "subs", "app", "email", "web", "purchases", "sessions")

_ROLES: dict[str, dict[str, str]] = {
    "crm_customers": {
        "crm_id": "record_id", "customer_id": "customer_id", "first_name": "first_name",
        "last_name": "last_name", "email": "email", "phone": "phone",
        "street_number": "street_number", "street": "street", "city": "city",
        "postcode": "postcode", "state": "state", "country": "country", "dob": "dob",
        "gender": "attribute", "loyalty_tier": "attribute", "signup_date": "attribute",
        "truth_id": "truth_id",
    },
    "ecommerce_accounts": {
        "account_id": "record_id", "email": "email", "first_name": "first_name",
        "last_name": "last_name", "full_name": "full_name", "cookie_id": "cookie_id",
        "created_at": "attribute", "truth_id": "truth_id",
    },
    "email_subscribers": {
        "subscriber_id": "record_id", "email": "email", "first_name": "first_name",
        "subscribed_at": "attribute", "opt_in": "attribute", "truth_id": "truth_id",
    },
    "app_installs": {
        "install_id": "record_id", "device_id": "device_id", "email": "email",
        "platform": "attribute", "installed_at": "attribute", "truth_id": "truth_id",
    },
    "email_events": {
        "email": "email", "event_type": "event_type", "timestamp": "timestamp",
        "campaign_id": "property", "channel": "channel",
    },
    "web_events": {
        "cookie_id": "cookie_id", "event_type": "event_type", "timestamp": "timestamp",
        "url": "property", "category": "property", "channel": "channel",
    },
    "purchases": {
        "customer_id": "customer_id", "order_id": "property", "timestamp": "timestamp",
        "amount": "value", "category": "property", "channel": "channel",
    },
    "app_sessions": {
        "device_id": "device_id", "event_type": "event_type", "timestamp": "timestamp",
        "session_seconds": "property", "channel": "channel",
    },
}  # fmt: skip

_FILES = {
    "crm_customers": "crm_customers.csv",
    "ecommerce_accounts": "ecommerce_accounts.parquet",
    "email_subscribers": "email_subscribers.csv",
    "app_installs": "app_installs.ndjson",
    "email_events": "email_events.parquet",
    "web_events": "web_events.parquet",
    "purchases": "purchases.csv",
    "app_sessions": "app_sessions.parquet",
}


_ProfileBuilder = Callable[[People, np.random.Generator], tuple[pa.Table, profiles.Keys]]
# Event sources, with the event type for files that have no event_type column.
_EVENT_TYPES: dict[str, str | None] = {
    "email_events": None,
    "web_events": None,
    "purchases": "purchase",
    "app_sessions": None,
}


# Where each file's work starts on the progress bar (measured at 1M people).
_PROGRESS = {
    "crm_customers": 0.14,
    "ecommerce_accounts": 0.25,
    "email_subscribers": 0.29,
    "app_installs": 0.33,
    "email_events": 0.40,
    "web_events": 0.64,
    "purchases": 0.83,
    "app_sessions": 0.91,
}
_PROFILE_BUILDERS: dict[str, tuple[str, _ProfileBuilder]] = {
    "crm_customers": ("crm", profiles.crm_customers),
    "ecommerce_accounts": ("ecom", profiles.ecommerce_accounts),
    "email_subscribers": ("subs", profiles.email_subscribers),
    "app_installs": ("app", profiles.app_installs),
}


def _build(
    name: str,
    truth: People,
    rngs: dict[str, np.random.Generator],
    keys: dict[str, profiles.Keys],
    total: float,
) -> pa.Table:
    """One source's table; profile builders also record the keys events may use."""
    if name in _PROFILE_BUILDERS:
        stage, build = _PROFILE_BUILDERS[name]
        table, keys[stage] = build(truth, rngs[stage])
        return table
    share = events.SHARES
    if name == "email_events":
        return events.email_events(keys["subs"], rngs["email"], total * share["email"])
    if name == "web_events":
        return events.web_events(keys["ecom"], truth, rngs["web"], total * share["web"])
    if name == "purchases":
        return events.purchases(keys["crm"], truth, rngs["purchases"], total * share["purchases"])
    return events.app_sessions(keys["app"], rngs["sessions"], total * share["app"])


def _write(table: pa.Table, path: Path) -> None:
    if path.suffix == ".parquet":
        write_parquet(table, path)
    elif path.suffix == ".ndjson":
        write_ndjson(table, path)
    else:
        write_csv(table, path, delimiter=";" if path.stem == "email_subscribers" else ",")


def _source(name: str, table: pa.Table, kind: str, event_type: str | None = None) -> SampleSource:
    roles = _ROLES[name]
    if list(roles) != table.column_names:  # the manifest must describe the file exactly
        raise AssertionError(f"{name}: roles {list(roles)} != columns {table.column_names}")
    return SampleSource(
        file=_FILES[name],
        name=name,
        kind=kind,  # type: ignore[arg-type]
        roles=dict(roles),
        event_type=event_type,
        rows=table.num_rows,
    )


def generate(
    out_dir: Path,
    people: int,
    seed: int = 7,
    events_per_person: float = 20.0,
    task: Task | None = None,
) -> SampleManifest:
    """Write the sample files and ``manifest.json`` into ``out_dir``; return the manifest.

    ``people`` true persons yield ~1.9 profile records each and about
    ``people * events_per_person`` events over the 12 months before
    :data:`REFERENCE_DATE`. Every profile row carries its person's ``truth_id``.
    """
    if people < 10:
        raise ValueError("people must be at least 10")
    if events_per_person < 0:
        raise ValueError("events_per_person must not be negative")
    task = task or null_task()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST_NAME).unlink(missing_ok=True)  # no stale manifest if we are cancelled
    children = np.random.SeedSequence(seed).spawn(len(_STAGES))
    rngs = {stage: np.random.default_rng(c) for stage, c in zip(_STAGES, children, strict=True)}
    task.progress(0.0, "Drawing people")
    truth = generate_people(rngs["people"], people)
    keys: dict[str, profiles.Keys] = {}
    total = people * events_per_person
    sources: list[SampleSource] = []
    starts = [*_PROGRESS.values(), 1.0]
    for k, name in enumerate(_PROGRESS):
        start, end = starts[k], starts[k + 1]
        task.progress(start, f"Generating {_FILES[name]}")
        table = _build(name, truth, rngs, keys, total)
        task.progress(start + 0.6 * (end - start), f"Writing {_FILES[name]}")
        _write(table, out / _FILES[name])
        kind = "events" if name in _EVENT_TYPES else "profiles"
        sources.append(_source(name, table, kind, _EVENT_TYPES.get(name)))
        del table

    manifest = SampleManifest(
        sources=tuple(sources),
        people=people,
        seed=seed,
        reference_date=REFERENCE_DATE,
        events_per_person=events_per_person,
    )
    manifest.save(out / MANIFEST_NAME)
    task.progress(1.0, "Sample ready")
    return manifest


def main(argv: list[str] | None = None) -> int:
    """Command line: generate a sample folder and print where its manifest is."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, required=True, help="number of true persons")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--events-per-person", type=float, default=20.0)
    args = parser.parse_args(argv)

    def show(fraction: float, message: str) -> None:
        print(f"\r{fraction:6.1%} {message:<40}", end="", file=sys.stderr, flush=True)

    started = time.perf_counter()
    manifest = generate(args.out, args.people, args.seed, args.events_per_person, Task(show))
    elapsed = time.perf_counter() - started
    print(file=sys.stderr)
    for s in manifest.sources:
        print(f"{s.file:<28} {s.rows:>12,} rows")
    print(f"manifest: {Path(args.out) / MANIFEST_NAME}")
    print(f"generated {args.people:,} people in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
