"""Bring any text file to UTF-8 so DuckDB's readers can take it.

DuckDB reads UTF-8 (and a few others); real exports arrive as Windows-1252,
UTF-16 from Excel, or a mix where some lines were pasted from elsewhere. A file
that is valid UTF-8 is read in place; anything else is transcoded line by line
into a temporary UTF-8 copy, each line decoded as UTF-8 when it can be and in
the file's detected legacy encoding otherwise.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from charset_normalizer import from_bytes

from workbench.tasks import Task

_CHUNK = 1 << 22
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass
class TextFile:
    """The UTF-8 file to read and what was done to get it."""

    path: Path
    encoding: str
    transcoded: bool = False
    mixed_lines: list[int] = field(default_factory=list)
    """Line numbers decoded with the fallback encoding in an otherwise UTF-8 file."""


def is_utf8(path: Path, task: Task | None = None) -> bool:
    """True when the whole file decodes as UTF-8 (a BOM counts as UTF-8)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    size = max(path.stat().st_size, 1)
    done = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
            done += len(chunk)
            if task is not None:
                task.progress(done / size, "Checking text encoding")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def guess_legacy(sample: bytes) -> str:
    """The most likely non-UTF-8 encoding of ``sample``; cp1252 when unsure."""
    best = from_bytes(sample).best()
    if best is None or best.encoding in {"ascii", "utf_8"}:
        return "cp1252"
    return best.encoding


def utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the bytes look like UTF-16 text without a BOM.

    Mostly-ASCII text in UTF-16 has a zero byte in every other position; which
    half holds the zeros gives the byte order.
    """
    sample = head[: len(head) - len(head) % 2][:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    zeros_even = even.count(0) / len(even)
    zeros_odd = odd.count(0) / len(odd)
    if zeros_odd > 0.7 and zeros_even < 0.05:
        return "utf-16-le"
    if zeros_even > 0.7 and zeros_odd < 0.05:
        return "utf-16-be"
    return None


def to_utf8(
    path: Path,
    workdir: Path,
    encoding: str | None = None,
    task: Task | None = None,
) -> TextFile:
    """Return a UTF-8 readable version of ``path`` (the file itself when it already is)."""
    with path.open("rb") as fh:
        head = fh.read(_CHUNK)
    bom_encoding = next((enc for bom, enc in _BOMS if head.startswith(bom)), None)
    if encoding is None:
        if bom_encoding == "utf-16":
            encoding = "utf-16"
        elif (bomless := utf16_without_bom(head)) is not None:
            encoding = bomless
        elif is_utf8(path, task):
            return TextFile(path, "utf-8-sig" if bom_encoding else "utf-8")
    if encoding is not None and codecs.lookup(encoding).name in {"utf-8", "utf-8-sig"}:
        return TextFile(path, encoding)
    target = workdir / (path.stem + ".utf8.txt")
    if encoding is not None:
        _transcode_whole(path, target, encoding, task)
        return TextFile(target, encoding, transcoded=True)
    fallback = guess_legacy(_non_utf8_sample(path))
    mixed = _transcode_mixed(path, target, fallback, task)
    return TextFile(target, fallback, transcoded=True, mixed_lines=mixed)


def _transcode_whole(path: Path, target: Path, encoding: str, task: Task | None) -> None:
    size = max(path.stat().st_size, 1)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    done = 0
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(_CHUNK):
            dst.write(
                decoder.decode(chunk).lstrip("\ufeff") if done == 0 else decoder.decode(chunk)
            )
            done += len(chunk)
            if task is not None:
                task.progress(done / size, f"Converting from {encoding}")
        dst.write(decoder.decode(b"", final=True))


def _non_utf8_sample(path: Path, limit: int = 200) -> bytes:
    """Lines that are not UTF-8, for the legacy-encoding guess."""
    bad: list[bytes] = []
    with path.open("rb") as fh:
        for raw in fh:
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                bad.append(raw)
                if len(bad) >= limit:
                    break
    return b"".join(bad)


def _transcode_mixed(path: Path, target: Path, fallback: str, task: Task | None) -> list[int]:
    size = max(path.stat().st_size, 1)
    mixed: list[int] = []
    done = 0
    with path.open("rb") as src, target.open("w", encoding="utf-8", newline="") as dst:
        for number, raw in enumerate(src, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                line = raw.decode(fallback, errors="replace")
                mixed.append(number)
            if number == 1:
                line = line.lstrip("\ufeff")
            dst.write(line)
            done += len(raw)
            if task is not None and number % 50000 == 0:
                task.progress(done / size, f"Converting lines from {fallback}")
    return mixed
