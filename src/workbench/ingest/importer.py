"""Import one file as a source of a project, all or nothing.

The whole import runs in one DuckDB transaction: staging, typing, the new raw
table, its rejects and its metadata. Cancelling (which interrupts the running
query) or a crash rolls everything back, so the project is exactly as before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from workbench import __version__
from workbench.ingest import formats
from workbench.ingest import roles as role_names
from workbench.ingest.errors import IngestError
from workbench.ingest.inference import (
    ISO,
    TEXT,
    ColumnType,
    cast_sql,
    failures,
    text_value,
)
from workbench.ingest.options import ImportOptions
from workbench.ingest.plan import ColumnPlan, plan_columns
from workbench.ingest.sqltext import ident, literal
from workbench.ingest.stage import STAGE_REJECTS, Staged, stage_file
from workbench.project.sources import drop_views_on, find_same_file, source_exists
from workbench.project.store import Project, utcnow
from workbench.tasks import Cancelled, Task, null_task

_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,62}")
_MOSTLY_BAD = 0.5
_TYPE_NOUNS = {
    "BIGINT": "an integer",
    "DOUBLE": "a number",
    "BOOLEAN": "true/false",
    "DATE": "a date",
    "TIMESTAMP": "a date/time",
}
KEY_ROLES_FOR_RECORD = ("customer_id", "device_id", "cookie_id", "national_id")


@dataclass
class ImportReport:
    source: str
    kind: str
    file: str
    file_format: str
    rows: int
    rejects: int
    seconds: float
    replaced: bool
    record_key: str | None
    columns: list[ColumnPlan]
    notes: list[str] = field(default_factory=list)
    options: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "kind": self.kind,
            "file": self.file,
            "format": self.file_format,
            "rows": self.rows,
            "rejects": self.rejects,
            "seconds": round(self.seconds, 3),
            "replaced": self.replaced,
            "record_key": self.record_key,
            "columns": [c.as_dict() for c in self.columns],
            "notes": self.notes,
            "options": self.options,
        }


def source_name_for(path: Path) -> str:
    """A valid source name from a file name (``Customers 2024.csv`` -> ``customers_2024``)."""
    stem = path.name.split(".")[0]
    name = re.sub(r"[^A-Za-z0-9]+", "_", stem).strip("_").lower()
    if not name or not name[0].isalpha():
        name = f"source_{name}" if name else "source"
    return name[:63]


def check_source_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise IngestError(
            f"source name '{name}' is not allowed: use letters, digits and '_', "
            "starting with a letter (at most 63 characters)."
        )


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(
    project: Project, path: str | Path, options: ImportOptions, task: Task | None = None
) -> ImportReport:
    """Import ``path`` as a source; raise IngestError (project unchanged) on bad input."""
    task = task or null_task()
    started = time.perf_counter()
    path = Path(path).resolve()
    name = options.name or source_name_for(path)
    check_source_name(name)
    if options.kind not in role_names.KINDS:
        raise IngestError(f"unknown kind '{options.kind}'; use 'profiles' or 'events'.")
    if not path.is_file():
        raise IngestError(f"{path}: no such file.")
    task.progress(0.0, f"Reading {path.name}")
    sha = file_sha256(path)
    exists = source_exists(project, name)
    # The same content may be re-imported into its own source (--replace), never into a
    # second one. A workbook's sheets are separate sources: compared once the sheet is known.
    replaced = name if options.replace else None
    if not _is_workbook(path, options):
        _refuse_same_content(find_same_file(project, sha, exclude=replaced), path.name)
    if not options.replace and exists:
        raise IngestError(
            f"a source named '{name}' already exists; choose another name (--name) or "
            "replace it (--replace)."
        )
    with (
        tempfile.TemporaryDirectory(prefix="workbench-import-") as tmp,
        project.transaction(task) as cur,
    ):
        try:
            report = _import(cur, path, name, options, sha, Path(tmp), task, started)
        except duckdb.InterruptException as exc:
            raise Cancelled() from exc
        report.replaced = exists
    report.seconds = time.perf_counter() - started
    task.progress(1.0, f"Imported {report.rows:,} rows")
    return report


def _import(
    cur: duckdb.DuckDBPyConnection,
    path: Path,
    name: str,
    options: ImportOptions,
    sha: str,
    workdir: Path,
    task: Task,
    started: float,
) -> ImportReport:
    cur.execute("SET TimeZone = 'UTC'")
    staged = stage_file(cur, path, options.read, workdir, task.sub(0.0, 0.5))
    if staged.file_format == formats.EXCEL:
        sheet = str(staged.options.get("sheet"))
        _refuse_same_content(
            find_same_file(cur, sha, sheet=sheet, exclude=name if options.replace else None),
            f"sheet '{sheet}' of {path.name}",
        )
    task.progress(0.5, "Checking columns")
    plans = plan_columns(cur, staged, options)
    _check_required(plans, options, path)
    task.progress(0.6, "Checking values")
    total = cur.execute(f"SELECT count(*) FROM {staged.relation}").fetchone()[0]
    structural = cur.execute(f"SELECT count(*) FROM {STAGE_REJECTS}").fetchone()[0]
    if total == 0:
        if structural:
            first = cur.execute(
                f"SELECT line, reason FROM {STAGE_REJECTS} ORDER BY line LIMIT 1"
            ).fetchone()
            raise IngestError(
                f"{path.name}: none of the {structural} rows could be read; "
                f"line {first[0]}: {first[1]}"
            )
        raise IngestError(f"{path.name} has a header but no data rows.")
    plans = _settle_attribute_types(cur, staged, plans)
    record_key, check_key = _record_key(cur, staged, plans)
    table = f"raw.{ident('__new_' + name)}"
    select, checks = _select_sql(plans, staged, record_key, options, check_key)
    valid = _valid_sql(checks)
    task.progress(0.7, "Writing the source table")
    cur.execute(f"DROP TABLE IF EXISTS {table}")
    cur.execute(
        f"CREATE TABLE {table} AS SELECT {select} FROM {staged.relation} "
        f"{_filter(checks, valid)} ORDER BY __record"
    )
    rows = cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    bad_rows = total - rows
    task.progress(0.85, "Recording rejects")
    cur.execute("DELETE FROM meta.rejects WHERE source = ?", [name])
    cur.execute(
        "INSERT INTO meta.rejects SELECT ?, ?, line, record, column_name, reason, raw "
        f"FROM {STAGE_REJECTS}",
        [name, str(path)],
    )
    if bad_rows:
        cur.execute(
            f"INSERT INTO meta.rejects SELECT ?, ?, __line, __record, "
            f"{_first_failure_sql(checks, 'column')}, {_first_failure_sql(checks, 'reason')}, "
            f"NULL FROM {staged.relation} {_filter(checks, f'NOT ({valid})')}",
            [name, str(path)],
        )
    if bad_rows > _MOSTLY_BAD * total:
        raise IngestError(
            f"{path.name}: {bad_rows:,} of {total:,} rows have values that do not fit their "
            f"column's role ({_worst(cur, name)}). Check the column mapping (--map) or the "
            "date format (--date-format)."
        )
    rejects = cur.execute("SELECT count(*) FROM meta.rejects WHERE source = ?", [name]).fetchone()[
        0
    ]
    _write_metadata(
        cur, name, path, options, staged, plans, (rows, rejects), sha, record_key, started
    )
    drop_views_on(cur, name)  # e.g. main.events, rebuilt by the next identity run
    cur.execute(f"DROP TABLE IF EXISTS raw.{ident(name)}")
    cur.execute(f"ALTER TABLE {table} RENAME TO {ident(name)}")
    notes = list(staged.notes)
    if (
        options.kind == role_names.EVENTS
        and options.event_type
        and not _has_role(plans, "event_type")
    ):
        notes.append(f"every row has event_type '{options.event_type}'")
    if record_key and not any(p.role == role_names.RECORD_ID for p in plans):
        notes.append(f"record key: '{record_key}' (unique on every row)")
    return ImportReport(
        source=name,
        kind=options.kind,
        file=str(path),
        file_format=staged.file_format,
        rows=rows,
        rejects=rejects,
        seconds=0.0,
        replaced=False,
        record_key=record_key,
        columns=plans,
        notes=notes,
        options=staged.options,
    )


def _is_workbook(path: Path, options: ImportOptions) -> bool:
    return (options.read.format or formats.detect_format(path)) == formats.EXCEL


def _refuse_same_content(same: tuple[str, dt.datetime] | None, what: str) -> None:
    if same is not None:
        raise IngestError(
            f"{what} was already imported as source '{same[0]}' on "
            f"{same[1]:%Y-%m-%d %H:%M} (same content). To import it again, replace that "
            f"source (--name {same[0]} --replace)."
        )


def _has_role(plans: list[ColumnPlan], role: str) -> bool:
    return any(p.role == role for p in plans)


def _check_required(plans: list[ColumnPlan], options: ImportOptions, path: Path) -> None:
    roles = {p.role for p in plans}
    if options.kind == role_names.PROFILES:
        if not roles & set(role_names.IDENTITY_ROLES):
            raise IngestError(
                f"{path.name}: no column is mapped to an identity role "
                f"({', '.join(role_names.IDENTITY_ROLES)}); map one with --map COLUMN=ROLE."
            )
        return
    if not roles & set(role_names.LINK_KEYS):
        raise IngestError(
            f"{path.name}: an event source needs a column that links events to people "
            f"({', '.join(role_names.LINK_KEYS)}); map one with --map COLUMN=ROLE."
        )
    if "timestamp" not in roles:
        raise IngestError(
            f"{path.name}: an event source needs a timestamp column; "
            "map one with --map COLUMN=timestamp."
        )
    if "event_type" not in roles and not options.event_type:
        raise IngestError(
            f"{path.name} has no event_type column; map one with --map COLUMN=event_type "
            "or give every row a type with --event-type NAME (e.g. purchase)."
        )


def _settle_attribute_types(
    cur: duckdb.DuckDBPyConnection, staged: Staged, plans: list[ColumnPlan]
) -> list[ColumnPlan]:
    """Attributes whose values do not all fit the sampled type stay text: no row is lost."""
    typed = {
        p.name: p.type
        for p in plans
        if p.role in (role_names.ATTRIBUTE, role_names.PROPERTY)
        and p.type.type != TEXT
        and not p.type_set
    }
    bad = failures(cur, staged.relation, typed, staged.types)
    for p in plans:
        if bad.get(p.name):
            p.type = type(p.type)(TEXT)
    return plans


def _record_key(
    cur: duckdb.DuckDBPyConnection, staged: Staged, plans: list[ColumnPlan]
) -> tuple[str | None, bool]:
    """The column naming each record (the record_id role, else a unique identity key),
    and whether it needs checking for missing or repeated values."""
    explicit = [p.name for p in plans if p.role == role_names.RECORD_ID]
    candidates = explicit or [
        p.name for role in KEY_ROLES_FOR_RECORD for p in plans if p.role == role
    ]
    for name in candidates:
        v = text_value(name) if staged.types[name] == TEXT else ident(name)
        total, distinct, present = cur.execute(
            f"SELECT count(*), count(DISTINCT {v}), count({v}) FROM {staged.relation}"
        ).fetchone()
        clean = bool(total) and distinct == total == present
        if explicit or clean:
            return name, not clean
    return None, False


@dataclass(frozen=True)
class _Check:
    """A condition every imported row meets, and what to tell the user when one does not."""

    condition: str
    column: str
    reason: str


def _select_sql(
    plans: list[ColumnPlan],
    staged: Staged,
    record_key: str | None,
    options: ImportOptions,
    check_key: bool,
) -> tuple[str, list[_Check]]:
    """The typed SELECT list and the checks a row must pass, in reporting order."""
    exprs = []
    checks: list[_Check] = []
    if record_key is not None:
        key_plan = next(p for p in plans if p.name == record_key)
        key = cast_sql(record_key, type(key_plan.type)(TEXT), staged.types[record_key])
        exprs.append(f"{key} AS _record_id")
    if record_key is not None and check_key:
        checks.append(_Check(f"{key} IS NOT NULL", record_key, literal("record key is missing")))
        checks.append(
            _Check(
                f"row_number() OVER (PARTITION BY {key} ORDER BY __record) = 1",
                record_key,
                f"'duplicate record key ' || {key}",
            )
        )
    if record_key is None:
        exprs.append("CAST(__record AS VARCHAR) AS _record_id")
    exprs.append("__line AS _line")
    for p in plans:
        expr = cast_sql(p.name, p.type, staged.types[p.name])
        exprs.append(f"{expr} AS {ident(p.name)}")
        raw = f"CAST({ident(p.name)} AS VARCHAR)"
        if p.role == "timestamp":
            shown = p.type.format if p.type.format not in (None, ISO) else None
            label = "a date/time" + (f" ({shown})" if shown else "")
            checks.append(
                _Check(
                    f"({expr}) IS NOT NULL",
                    p.name,
                    f"CASE WHEN {raw} IS NULL OR trim({raw}) = '' THEN 'timestamp is missing' "
                    f"ELSE {literal('not ' + label + ': ')} || {raw} END",
                )
            )
        elif p.role == "value":
            checks.append(
                _Check(
                    f"({raw} IS NULL OR trim({raw}) = '' OR ({expr}) IS NOT NULL)",
                    p.name,
                    f"{literal('not a number: ')} || {raw}",
                )
            )
        elif p.type_set and p.type.type != TEXT:
            checks.append(
                _Check(
                    f"({raw} IS NULL OR trim({raw}) = '' OR ({expr}) IS NOT NULL)",
                    p.name,
                    f"{literal('not ' + _type_noun(p.type) + ': ')} || {raw}",
                )
            )
    if (
        options.kind == role_names.EVENTS
        and options.event_type
        and not _has_role(plans, "event_type")
    ):
        taken = {p.name.lower() for p in plans}
        col = "event_type" if "event_type" not in taken else "_event_type"
        exprs.append(f"{literal(options.event_type)} AS {ident(col)}")
    return ", ".join(exprs), checks


def _type_noun(ctype: ColumnType) -> str:
    """``an integer``, ``a date (%d/%m/%Y)``: what a value should have been."""
    noun = _TYPE_NOUNS.get(ctype.type, ctype.label)
    if ctype.type in ("DATE", "TIMESTAMP") and ctype.format not in (None, ISO):
        noun += f" ({ctype.format})"
    return noun


def _valid_sql(checks: list[_Check]) -> str:
    return " AND ".join(c.condition for c in checks) if checks else "true"


def _filter(checks: list[_Check], condition: str) -> str:
    """WHERE, or QUALIFY when a check uses a window function (duplicate keys)."""
    windowed = any(" OVER (" in c.condition for c in checks)
    return f"{'QUALIFY' if windowed else 'WHERE'} {condition}"


def _first_failure_sql(checks: list[_Check], attr: str) -> str:
    """CASE picking the column (or reason) of the first check a row fails."""
    whens = " ".join(
        f"WHEN NOT ({c.condition}) THEN " + (literal(c.column) if attr == "column" else c.reason)
        for c in checks
    )
    return f"CASE {whens} END"


def _worst(cur: duckdb.DuckDBPyConnection, name: str) -> str:
    """The most common reject reason of this import, with where it first occurs."""
    row = cur.execute(
        "SELECT column_name, arg_min(reason, coalesce(line, record)), "
        "min(coalesce(line, record)), count(*) AS n FROM meta.rejects WHERE source = ? "
        "AND column_name IS NOT NULL GROUP BY column_name ORDER BY n DESC LIMIT 1",
        [name],
    ).fetchone()
    if row is None:
        return "unknown reason"
    return f"column '{row[0]}': {row[1]}, first at line/row {row[2]}"


def _write_metadata(
    cur: duckdb.DuckDBPyConnection,
    name: str,
    path: Path,
    options: ImportOptions,
    staged: Staged,
    plans: list[ColumnPlan],
    counts: tuple[int, int],
    sha: str,
    record_key: str | None,
    started: float,
) -> None:
    rows, rejects = counts
    cur.execute("DELETE FROM meta.sources WHERE name = ?", [name])
    cur.execute("DELETE FROM meta.source_columns WHERE source = ?", [name])
    cur.execute(
        "INSERT INTO meta.sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            name,
            options.kind,
            f"raw.{name}",
            str(path),
            staged.file_format,
            path.stat().st_size,
            sha,
            rows,
            rejects,
            record_key,
            options.event_type if not _has_role(plans, "event_type") else None,
            json.dumps({**staged.options, "roles": options.roles, "types": options.types}),
            json.dumps(staged.notes),
            utcnow(),
            time.perf_counter() - started,
            __version__,
        ],
    )
    cur.executemany(
        "INSERT INTO meta.source_columns VALUES (?, ?, ?, ?, ?, ?)",
        [[name, i, p.name, p.original_name, p.role, p.type.label] for i, p in enumerate(plans)],
    )
