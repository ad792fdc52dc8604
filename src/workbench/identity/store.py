"""Identity tables in the project and which run is current."""

from __future__ import annotations

import duckdb

CURRENT_KEY = "current_identity_run"


def ensure_tables(cur: duckdb.DuckDBPyConnection) -> None:
    cur.execute(
        "CREATE TABLE IF NOT EXISTS identity.clusters (run_id VARCHAR NOT NULL, "
        "rec INTEGER NOT NULL, source VARCHAR NOT NULL, record_id VARCHAR NOT NULL, "
        "profile_id VARCHAR NOT NULL)"
    )
    cur.execute(
        "CREATE TABLE IF NOT EXISTS identity.edges (run_id VARCHAR NOT NULL, a INTEGER NOT NULL, "
        "b INTEGER NOT NULL, score DOUBLE, probability DOUBLE, rule VARCHAR, levels TINYINT[])"
    )


def current_run(cur: duckdb.DuckDBPyConnection) -> str | None:
    row = cur.execute("SELECT value FROM meta.project WHERE key = ?", [CURRENT_KEY]).fetchone()
    return row[0] if row else None


def set_current_run(cur: duckdb.DuckDBPyConnection, run_id: str) -> None:
    cur.execute("INSERT OR REPLACE INTO meta.project VALUES (?, ?)", [CURRENT_KEY, run_id])
