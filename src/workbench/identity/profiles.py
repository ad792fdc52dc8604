"""Profile ids that survive re-runs, golden records, and events linked to profiles."""

from __future__ import annotations

import duckdb

from workbench.identity.normalize import apply
from workbench.identity.records import RECORDS
from workbench.identity.ruleset import RuleSet
from workbench.ingest.sqltext import ident, literal
from workbench.project.sources import Source

CLUSTERS = "identity.clusters"
PROFILES = "main.profiles"
EVENTS = "main.events"
_LABELS = "__wb_labels"
PIDS = "__wb_pids"
"""Temp table: cluster label -> profile id, for the current run being built."""
_CORE = {"profile_id", "source", "event_type", "ts", "value", "channel"}
"""Columns every events row has; a property of the same name is left out."""
_NAME_FIELDS = ("first_name", "last_name", "full_name", "city", "street", "address")


def assign_profile_ids(
    cur: duckdb.DuckDBPyConnection, run_id: str, previous_run: str | None
) -> None:
    """Write identity.clusters for ``run_id`` from the temp label table.

    A cluster keeps the profile id of the previous run's profile when each is the
    other's best overlap; otherwise its id is derived from its smallest member,
    so an unchanged cluster keeps its id even across runs in between.
    """
    cur.execute(
        f"CREATE OR REPLACE TEMP TABLE __wb_new AS SELECT r.rec, r.source, r.record_id, l.label "
        f"FROM {RECORDS} r JOIN {_LABELS} l USING (rec)"
    )
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE __wb_fresh AS SELECT label, "
        "'P' || upper(substr(md5(min(source || '/' || record_id)), 1, 12)) AS pid "
        "FROM __wb_new GROUP BY label"
    )
    if previous_run is not None:
        cur.execute(
            f"""CREATE OR REPLACE TEMP TABLE __wb_inherit AS
            WITH o AS (
                SELECT n.label, c.profile_id, count(*) AS k FROM __wb_new n
                JOIN {CLUSTERS} c ON c.run_id = ? AND c.source = n.source
                    AND c.record_id = n.record_id
                GROUP BY n.label, c.profile_id),
            best_new AS (SELECT label, arg_max(profile_id, k * 1e9 - hash(profile_id) % 1e9) AS pid
                         FROM o GROUP BY label),
            best_old AS (SELECT profile_id, arg_max(label, k * 1e9 - label) AS label
                         FROM o GROUP BY profile_id)
            SELECT b.label, b.pid FROM best_new b JOIN best_old o
                ON o.profile_id = b.pid AND o.label = b.label""",
            [previous_run],
        )
    else:
        cur.execute("CREATE OR REPLACE TEMP TABLE __wb_inherit (label BIGINT, pid VARCHAR)")
    cur.execute(
        f"""CREATE OR REPLACE TEMP TABLE {PIDS} AS SELECT f.label, coalesce(i.pid,
            CASE WHEN f.pid IN (SELECT pid FROM __wb_inherit)
                 THEN 'P' || upper(substr(md5(f.pid || ?), 1, 12)) ELSE f.pid END) AS profile_id
        FROM __wb_fresh f LEFT JOIN __wb_inherit i USING (label)""",
        [run_id],
    )
    cur.execute(
        f"INSERT INTO {CLUSTERS} SELECT ?, n.rec, n.source, n.record_id, p.profile_id "
        f"FROM __wb_new n JOIN {PIDS} p USING (label)",
        [run_id],
    )


def _title(expr: str) -> str:
    """Capitalise each word (DuckDB has no initcap)."""
    return (
        f"array_to_string(list_transform(string_split({expr}, ' '), "
        "lambda w: upper(w[1]) || w[2:]), ' ')"
    )


def build_profiles(
    cur: duckdb.DuckDBPyConnection,
    rules: RuleSet,
    source_priority: list[str],
    present: list[str],
) -> int:
    """The current ``profiles`` table: one row per person with golden attributes.

    Survivorship per field: the most frequent value among the profile's records
    (ties to the higher-priority source), or the value from the highest-priority
    source. Computed on the long form (profile, field, value) in one pass.
    """
    fields = [f for f in present if f != "full_name"]
    rank = (
        "CASE r.source "
        + " ".join(f"WHEN {literal(s)} THEN {i}" for i, s in enumerate(source_priority))
        + f" ELSE {len(source_priority)} END"
    )
    by_source = [f for f in fields if rules.survivorship.get(f) == "source_priority"]
    order = (
        f"CASE WHEN field IN ({', '.join(literal(f) for f in by_source)}) THEN -p "
        "ELSE n * 1000 - p END"
        if by_source
        else "n * 1000 - p"
    )
    # Grouped by the integer cluster label; profile ids are joined on at the end.
    cur.execute(
        f"""CREATE OR REPLACE TEMP TABLE __wb_golden AS
        SELECT label, field, arg_max(value, {order}) AS value FROM (
            SELECT l.label, v.field, v.value, count(*) AS n, min(v.p) AS p
            FROM {_LABELS} l JOIN (
                UNPIVOT (SELECT r.rec, {rank} AS p, {", ".join(f"r.{f}" for f in fields)}
                         FROM {RECORDS} r)
                ON {", ".join(fields)} INTO NAME field VALUE value) v ON v.rec = l.rec
            GROUP BY ALL)
        GROUP BY label, field"""
    )
    golden = ", ".join(
        (_title(f"g.{f}") if f in _NAME_FIELDS else f"g.{f}") + f" AS {f}" for f in fields
    )
    pivot = ", ".join(
        f"any_value(value) FILTER (WHERE field = {literal(f)}) AS {f}" for f in fields
    )
    cur.execute(
        f"""CREATE OR REPLACE TABLE {PROFILES} AS
        WITH base AS (
            SELECT l.label, count(*) AS records, count(DISTINCT r.source) AS sources,
                   list_sort(list_distinct(list(r.source))) AS source_names
            FROM {_LABELS} l JOIN {RECORDS} r ON l.rec = r.rec GROUP BY l.label),
        g AS (SELECT label, {pivot} FROM __wb_golden GROUP BY label)
        SELECT p.profile_id, base.records, base.sources, base.source_names, {golden}
        FROM base JOIN {PIDS} p USING (label) LEFT JOIN g USING (label)"""
    )
    return cur.execute(f"SELECT count(*) FROM {PROFILES}").fetchone()[0]


def build_events(
    cur: duckdb.DuckDBPyConnection, run_id: str, sources: list[Source], rules: RuleSet
) -> tuple[int, int]:
    """The current ``events`` table, each event linked to a profile through its key.

    A key value several profiles share (a household e-mail) links to the profile
    with the most records holding it.
    """
    from workbench.identity.records import normalizers_for  # noqa: PLC0415

    cur.execute(
        f"""CREATE OR REPLACE TEMP TABLE __wb_keymap AS
        SELECT field, value, arg_max(profile_id, n * 1e6 - hash(profile_id) % 1e6) AS profile_id
        FROM (
            SELECT k.field, k.value, c.profile_id, count(*) AS n FROM {CLUSTERS} c
            JOIN (UNPIVOT (SELECT rec, email, phone, customer_id, device_id, cookie_id,
                  national_id FROM {RECORDS}) ON COLUMNS(* EXCLUDE rec)
                  INTO NAME field VALUE value) k ON k.rec = c.rec
            WHERE c.run_id = ? GROUP BY ALL)
        GROUP BY field, value""",
        [run_id],
    )
    selects = []
    for s in sources:
        if s.kind != "events":
            continue
        roles: dict[str, list[str]] = {}
        for c in s.columns:
            roles.setdefault(c.role, []).append(c.name)
        links = [
            f
            for f in ("customer_id", "email", "device_id", "cookie_id", "phone", "national_id")
            if f in roles
        ]
        if not links:
            continue
        # Every key column links, in priority order: an event with no customer id but a
        # known e-mail still finds its profile. Each distinct raw key is normalised and
        # looked up once; the events then join on the raw value.
        joins, found = [], []
        for link, column in ((f, c) for f in links for c in roles[f]):
            table = f"__wb_link_{len(selects)}_{len(joins)}"
            key = apply("raw", normalizers_for(rules, link))
            cur.execute(
                f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT k.raw, m.profile_id FROM "
                f"(SELECT raw, {key} AS v FROM (SELECT DISTINCT CAST({ident(column)} AS VARCHAR) "
                f"AS raw FROM {s.table})) k JOIN (SELECT value, profile_id FROM __wb_keymap "
                f"WHERE field = {literal(link)}) m ON m.value = k.v"
            )
            alias = f"m{len(joins)}"
            joins.append(
                f" LEFT JOIN {table} {alias} ON {alias}.raw = CAST(e.{ident(column)} AS VARCHAR)"
            )
            found.append(f"{alias}.profile_id")
        event_type = (
            f"CAST({ident(roles['event_type'][0])} AS VARCHAR)"
            if "event_type" in roles
            else literal(s.event_type or "event")
        )
        value = (
            f"CAST({ident(roles['value'][0])} AS DOUBLE)" if "value" in roles else "NULL::DOUBLE"
        )
        channel = (
            f"CAST({ident(roles['channel'][0])} AS VARCHAR)"
            if "channel" in roles
            else "NULL::VARCHAR"
        )
        props = [c.name for c in s.columns if c.role == "property" and c.name.lower() not in _CORE]
        properties = "".join(f", e.{ident(p)}" for p in props)
        selects.append(
            f"SELECT {found[0] if len(found) == 1 else 'coalesce(' + ', '.join(found) + ')'} "
            f"AS profile_id, {literal(s.name)} AS source, "
            f"{event_type} AS event_type, "
            f"CAST(e.{ident(roles['timestamp'][0])} AS TIMESTAMP) AS ts, "
            f"{value} AS value, {channel} AS channel{properties} "
            f"FROM {s.table} e{''.join(joins)}"
        )
    if not selects:
        cur.execute(
            f"CREATE OR REPLACE TABLE {EVENTS} (profile_id VARCHAR, source VARCHAR, "
            "event_type VARCHAR, ts TIMESTAMP, value DOUBLE, channel VARCHAR)"
        )
        return 0, 0
    cur.execute(f"CREATE OR REPLACE TABLE {EVENTS} AS {' UNION ALL BY NAME '.join(selects)}")
    total, linked = cur.execute(f"SELECT count(*), count(profile_id) FROM {EVENTS}").fetchone()
    return int(total), int(linked)
