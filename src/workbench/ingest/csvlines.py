"""Line numbers of delimited records as a text editor shows them.

DuckDB numbers CSV rows, not lines: a record whose quoted field spans three
lines counts as one, and blank lines it skips are gone from the output. When a
file has either, the rows' own numbers no longer match the file, so we walk it
once with Python's csv module (same delimiter and quoting) to find the line on
which each row starts.
"""

from __future__ import annotations

import csv
from array import array
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 22


def count_lines(path: Path) -> int:
    """Lines in the file, counting a last line without a line end."""
    count = 0
    last = b"\n"
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (0 if last == b"\n" else 1)


@dataclass
class RowStarts:
    """Where each row of a delimited file starts; rows are numbered as DuckDB numbers them."""

    lines: array
    """1-based line on which row ``i + 1`` starts (blank lines count as rows); int64."""
    blank: array
    """1 where row ``i + 1`` is an empty line, which DuckDB skips; int8."""
    last_line: int
    """The file's last line."""


def row_starts(
    path: Path,
    delimiter: str,
    quote: str,
    escape: str,
    until: tuple[int, int] | None = None,
) -> RowStarts | None:
    """Walk the file's rows; None if Python's csv module cannot read it.

    ``until`` = (non-blank rows, rows) stops the walk once both counts are reached.
    """
    lines = array("q")
    blank = array("b")
    quoting = csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE
    escapechar = escape if escape and escape != quote else None
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.reader(
            fh,
            delimiter=delimiter,
            quotechar=quote or None,
            escapechar=escapechar,
            doublequote=bool(quote) and escapechar is None,
            quoting=quoting,
            strict=False,
        )
        previous = 0
        filled = 0
        try:
            for row in reader:
                lines.append(previous + 1)
                blank.append(0 if row else 1)
                filled += 1 if row else 0
                previous = reader.line_num
                if until is not None and filled >= until[0] and len(lines) >= until[1]:
                    break
        except csv.Error:
            return None
    return RowStarts(lines, blank, previous)
