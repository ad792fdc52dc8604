"""Byte-stable file writers for the formats the importer must cope with."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROW_GROUP = 1_000_000


def write_parquet(table: pa.Table, path: Path) -> None:
    """Parquet with plain Arrow types on read (dictionary columns decode to strings)."""
    pq.write_table(
        table,
        path,
        row_group_size=ROW_GROUP,
        compression="zstd",
        store_schema=False,
        write_statistics=True,
    )


def write_csv(table: pa.Table, path: Path, delimiter: str = ",") -> None:
    """Header row, strings quoted, nulls as empty fields."""
    options = pacsv.WriteOptions(include_header=True, delimiter=delimiter, batch_size=65_536)
    pacsv.write_csv(table, path, options)


def write_ndjson(table: pa.Table, path: Path) -> None:
    """One JSON object per line, nulls as ``null``."""
    frame = table.to_pandas()
    frame.to_json(path, orient="records", lines=True, force_ascii=True)
