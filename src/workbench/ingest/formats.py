"""Which reader a file needs, judged by its content first and its name second."""

from __future__ import annotations

from pathlib import Path

from workbench.ingest.encoding import utf16_without_bom
from workbench.ingest.errors import IngestError

DELIMITED = "delimited"
FIXED_WIDTH = "fixed_width"
PARQUET = "parquet"
JSON = "json"
NDJSON = "ndjson"
EXCEL = "excel"
FORMATS = (DELIMITED, FIXED_WIDTH, PARQUET, JSON, NDJSON, EXCEL)

_EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
_HEAD_BYTES = 65536


def read_head(path: Path, size: int = _HEAD_BYTES) -> bytes:
    with path.open("rb") as fh:
        return fh.read(size)


def detect_format(path: Path) -> str:
    """Name the reader for ``path``; raise a clear error for files no reader takes."""
    if not path.exists():
        raise IngestError(f"{path}: no such file.")
    if path.is_dir():
        raise IngestError(f"{path} is a folder; give a file.")
    if path.stat().st_size == 0:
        raise IngestError(f"{path} is empty (0 bytes); there is nothing to import.")
    head = read_head(path)
    suffix = path.suffix.lower()
    if head.startswith(b"PAR1"):
        return PARQUET
    if head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        if suffix in _EXCEL_SUFFIXES or _zip_is_spreadsheet(path):
            return EXCEL
        raise IngestError(f"{path} is a zip or Office archive but not a spreadsheet.")
    if head.startswith(b"\x1f\x8b"):
        raise IngestError(f"{path} is gzip-compressed; decompress it first (e.g. gunzip).")
    if head.startswith(b"DUCK", 8):
        raise IngestError(f"{path} is a DuckDB database, not a data file.")
    text = _text_head(head)
    if text is None:
        raise IngestError(
            f"{path} does not look like text: it holds binary data "
            f"(first at byte {_first_binary(head)}). Is it the file you meant?"
        )
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("["):
        return JSON
    if stripped.startswith("{"):
        return NDJSON if suffix in {".ndjson", ".jsonl", ".json"} or "\n{" in stripped else JSON
    if suffix in {".json", ".ndjson", ".jsonl"}:
        raise IngestError(f"{path}: expected JSON but the file does not start with '[' or '{{'.")
    return DELIMITED


def _zip_is_spreadsheet(path: Path) -> bool:
    import zipfile  # noqa: PLC0415 - only needed for zip files

    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        return False
    return "xl/workbook.xml" in names or "content.xml" in names


def _text_head(head: bytes) -> str | None:
    """Decode the start of a file if it is text in any common encoding, else None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if (utf16 := utf16_without_bom(head)) is not None:
        return head[: len(head) - len(head) % 2].decode(utf16, errors="replace")
    if b"\x00" in head:
        return None
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if head and controls / len(head) > 0.01:
        return None
    return head.decode("utf-8", errors="replace")


def _first_binary(head: bytes) -> int:
    for i, b in enumerate(head):
        if b == 0 or b < 9 or 13 < b < 32:
            return i
    return 0
