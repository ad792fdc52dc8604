"""Profile ids that survive re-runs, golden records, and events linked to profiles."""

from __future__ import annotations

import duckdb

from workbench.identity.attributes import ATTRS
from workbench.identity.normalize import apply
from workbench.identity.records import RECORDS, normalizers_for
from workbench.identity.ruleset import RuleSet
from workbench.ingest.sqltext import ident, literal
from workbench.project.sources import Source

CLUSTERS = "identity.clusters"
PROFILES = "main.profiles"
EVENTS = "main.events"
LINKS = "identity.event_links"
LABELS = "__wb_labels"
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
        f"FROM {RECORDS} r JOIN {LABELS} l USING (rec)"
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


_MASK_BITS = 63


def _sources_mask(rank: str, known: int) -> str:
    """A bit per source a profile's records come from (integer work, no string lists);
    with more sources than bits, the list of names itself."""
    if known >= _MASK_BITS:
        return "list_sort(list_distinct(list(r.source)))"
    return f"bit_or(CAST(1 AS UBIGINT) << CAST({rank} AS UBIGINT))"


def _source_counts(mask: str, sources: list[str]) -> tuple[str, str]:
    """SQL for (number of sources, sorted source names) from the mask above."""
    if len(sources) >= _MASK_BITS:
        return f"len({mask})", mask
    names = "[" + ", ".join(literal(s) for s in sources) + "]"
    return (
        f"bit_count({mask})",
        f"list_sort(list_filter({names}, lambda x, i: ({mask} >> (i - 1)) & 1 = 1))",
    )


def build_profiles(
    cur: duckdb.DuckDBPyConnection,
    rules: RuleSet,
    source_priority: list[str],
    present: list[str],
    attributes: tuple[str, ...] | list[str] = (),
) -> int:
    """The current ``profiles`` table: one row per person with golden attributes.

    Survivorship per field: the most frequent value among the profile's records
    (ties to the higher-priority source), or the value from the highest-priority
    source. One wide pass finds, per profile and field, whether its records agree
    (smallest = largest value); only profiles whose records disagree go through the
    slower count of each value.
    """
    fields = [f for f in present if f != "full_name"]
    rank = (
        "CASE r.source "
        + " ".join(f"WHEN {literal(s)} THEN {i}" for i, s in enumerate(source_priority))
        + f" ELSE {len(source_priority)} END"
    )
    by_source = [f for f in fields if rules.survivorship.get(f) == "source_priority"]
    frequent = [f for f in fields if f not in by_source]
    wide = [f"min(r.{f}) AS {f}__lo, max(r.{f}) AS {f}__hi" for f in frequent]
    wide += [
        f"arg_min(r.{f}, {rank}) FILTER (WHERE r.{f} IS NOT NULL) AS {f}__src" for f in by_source
    ]
    # Grouped by the integer cluster label; profile ids are joined on at the end.
    cur.execute(
        f"""CREATE OR REPLACE TEMP TABLE __wb_wide AS
        SELECT l.label, count(*) AS records, {_sources_mask(rank, len(source_priority))} AS mask
               {"".join(", " + w for w in wide)}
        FROM {LABELS} l JOIN {RECORDS} r ON l.rec = r.rec GROUP BY l.label"""
    )
    chosen: dict[str, str] = {f: f"w.{f}__src" for f in by_source}
    joins = ""
    if frequent:
        disagree = " OR ".join(f"w.{f}__lo <> w.{f}__hi" for f in frequent)
        cur.execute(
            f"""CREATE OR REPLACE TEMP TABLE __wb_golden AS
            SELECT label, field, arg_max(value, n * 1000 - p) AS value FROM (
                SELECT x.label, v.field, v.value, count(*) AS n, min(v.p) AS p
                FROM (SELECT l.rec, l.label FROM {LABELS} l JOIN __wb_wide w USING (label)
                      WHERE {disagree}) x
                JOIN (UNPIVOT (SELECT r.rec, {rank} AS p, {", ".join(f"r.{f}" for f in frequent)}
                               FROM {RECORDS} r)
                      ON {", ".join(frequent)} INTO NAME field VALUE value) v ON v.rec = x.rec
                GROUP BY ALL)
            GROUP BY label, field"""
        )
        pivot = ", ".join(
            f"any_value(value) FILTER (WHERE field = {literal(f)}) AS {f}" for f in frequent
        )
        joins = (
            f" LEFT JOIN (SELECT label, {pivot} FROM __wb_golden GROUP BY label) g USING (label)"
        )
        for f in frequent:
            chosen[f] = f"CASE WHEN w.{f}__lo = w.{f}__hi THEN w.{f}__lo ELSE g.{f} END"
    golden = ", ".join(
        (_title(chosen[f]) if f in _NAME_FIELDS else chosen[f]) + f" AS {f}" for f in fields
    )
    if attributes:
        golden += "".join(f", x.{ident(a)}" for a in attributes)
        joins += f" LEFT JOIN {ATTRS} x USING (label)"
    n_sources, source_names = _source_counts("w.mask", source_priority)
    cur.execute(
        f"""CREATE OR REPLACE TABLE {PROFILES} AS
        SELECT p.profile_id, w.records, {n_sources} AS sources, {source_names} AS source_names
               {", " + golden if golden else ""}
        FROM __wb_wide w JOIN {PIDS} p USING (label){joins}"""
    )
    return cur.execute(f"SELECT count(*) FROM {PROFILES}").fetchone()[0]


def build_events(
    cur: duckdb.DuckDBPyConnection, run_id: str, sources: list[Source], rules: RuleSet
) -> tuple[int, int]:
    """The current ``events``, each event linked to a profile through its key.

    A key value several profiles share (a household e-mail) links to the profile
    with the most records holding it. Only the links (distinct raw key -> profile)
    are stored, in ``identity.event_links``; ``main.events`` is a view joining
    them to the raw event tables, so a run does not copy every event again, and
    filters on events are pushed down to the raw tables before the join.
    """
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
    cur.execute(
        f"CREATE OR REPLACE TABLE {LINKS} (source VARCHAR, key_column VARCHAR, raw VARCHAR, "
        "profile_id VARCHAR)"
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
            key = apply("raw", normalizers_for(rules, link))
            cur.execute(
                f"INSERT INTO {LINKS} SELECT ?, ?, k.raw, m.profile_id FROM "
                f"(SELECT raw, {key} AS v FROM (SELECT DISTINCT CAST({ident(column)} AS VARCHAR) "
                f"AS raw FROM {s.table})) k JOIN (SELECT value, profile_id FROM __wb_keymap "
                f"WHERE field = {literal(link)}) m ON m.value = k.v",
                [s.name, column],
            )
            alias = f"m{len(joins)}"
            joins.append(
                f" LEFT JOIN (SELECT raw, profile_id FROM {LINKS} WHERE source = "
                f"{literal(s.name)} AND key_column = {literal(column)}) {alias} "
                f"ON {alias}.raw = CAST(e.{ident(column)} AS VARCHAR)"
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
    was_table = cur.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' AND table_name = 'events'"
    ).fetchall()[0][0]
    if was_table:  # projects resolved before events became a view
        cur.execute(f"DROP TABLE {EVENTS}")
    if not selects:
        cur.execute(
            f"CREATE OR REPLACE VIEW {EVENTS} AS SELECT NULL::VARCHAR AS profile_id, "
            "NULL::VARCHAR AS source, NULL::VARCHAR AS event_type, NULL::TIMESTAMP AS ts, "
            "NULL::DOUBLE AS value, NULL::VARCHAR AS channel WHERE false"
        )
        return 0, 0
    cur.execute(f"CREATE OR REPLACE VIEW {EVENTS} AS {' UNION ALL BY NAME '.join(selects)}")
    total, linked = cur.execute(f"SELECT count(*), count(profile_id) FROM {EVENTS}").fetchone()
    return int(total), int(linked)
