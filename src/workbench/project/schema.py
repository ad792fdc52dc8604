"""The project file's tables, its format version and the migrations between versions."""

from __future__ import annotations

from collections.abc import Callable

import duckdb

FORMAT_VERSION = 1
"""Bump when the layout of ``meta`` changes, and add a migration below."""

SCHEMAS = ("meta", "raw", "identity")

CREATE_META = [
    """CREATE TABLE meta.project (
        key VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL)""",
    """CREATE TABLE meta.sources (
        name VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,
        table_name VARCHAR NOT NULL,
        file_path VARCHAR NOT NULL,
        file_format VARCHAR NOT NULL,
        file_size BIGINT NOT NULL,
        file_sha256 VARCHAR NOT NULL,
        rows BIGINT NOT NULL,
        rejects BIGINT NOT NULL,
        record_key VARCHAR,
        event_type VARCHAR,
        options VARCHAR NOT NULL,
        notes VARCHAR NOT NULL,
        imported_at TIMESTAMP NOT NULL,
        import_seconds DOUBLE NOT NULL,
        app_version VARCHAR NOT NULL)""",
    """CREATE TABLE meta.source_columns (
        source VARCHAR NOT NULL,
        position INTEGER NOT NULL,
        name VARCHAR NOT NULL,
        original_name VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        type VARCHAR NOT NULL,
        PRIMARY KEY (source, position))""",
    """CREATE TABLE meta.rejects (
        source VARCHAR NOT NULL,
        file VARCHAR NOT NULL,
        line BIGINT,
        record BIGINT,
        column_name VARCHAR,
        reason VARCHAR NOT NULL,
        raw VARCHAR)""",
    """CREATE TABLE meta.definitions (
        kind VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        body VARCHAR NOT NULL,
        saved_at TIMESTAMP NOT NULL,
        app_version VARCHAR NOT NULL,
        PRIMARY KEY (kind, name, version))""",
    """CREATE TABLE meta.labels (
        a_source VARCHAR, a_record VARCHAR, b_source VARCHAR, b_record VARCHAR,
        label VARCHAR NOT NULL, labeled_at TIMESTAMP,
        PRIMARY KEY (a_source, a_record, b_source, b_record))""",
    """CREATE TABLE meta.runs (
        run_id VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        started_at TIMESTAMP NOT NULL,
        finished_at TIMESTAMP,
        summary VARCHAR NOT NULL)""",
]

Migration = Callable[[duckdb.DuckDBPyConnection], None]

MIGRATIONS: dict[int, Migration] = {}
"""``MIGRATIONS[n]`` upgrades a version ``n`` file to ``n + 1`` inside one transaction."""


def create_all(con: duckdb.DuckDBPyConnection) -> None:
    for schema in SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for ddl in CREATE_META:
        con.execute(ddl)
