"""Sniff how a delimited or whitespace-aligned text file is laid out.

DuckDB's own sniffer is good at quotes, headers and date formats but can pick
the wrong delimiter on messy files (a semicolon file with decimal commas, a
file whose first lines are ragged). We choose the delimiter by the most
consistent field count over the first lines, then let DuckDB sniff the rest
with that delimiter fixed.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_LINES = 2000
_SAMPLE_BYTES = 1 << 20


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    consistency: float
    fields: int


def sample_lines(path: Path, limit: int = _SAMPLE_LINES) -> list[str]:
    """The first non-blank lines of a UTF-8 text file (without line ends)."""
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
        text = fh.read(_SAMPLE_BYTES)
    lines = [line for line in text.splitlines() if line.strip()]
    if len(text) == _SAMPLE_BYTES and lines:
        lines = lines[:-1]  # the last one may be cut off
    return lines[:limit]


def first_line_too_long(path: Path) -> bool:
    """True when the first line of a file does not end within the sample size."""
    with path.open("rb") as fh:
        head = fh.read(_SAMPLE_BYTES)
    return len(head) == _SAMPLE_BYTES and b"\n" not in head and b"\r" not in head


def sniff_delimiter(lines: list[str]) -> Dialect | None:
    """The delimiter giving the most rows with one consistent field count (>1)."""
    if not lines:
        return None
    best: Dialect | None = None
    text = "\n".join(lines)
    for delimiter in DELIMITERS:
        if delimiter not in text:
            continue
        counts = Counter(len(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter))
        fields, hits = counts.most_common(1)[0]
        if fields < 2:
            continue
        candidate = Dialect(delimiter, hits / sum(counts.values()), fields)
        if best is None or (candidate.consistency, candidate.fields) > (
            best.consistency,
            best.fields,
        ):
            best = candidate
    return best


def fixed_width_columns(lines: list[str]) -> list[tuple[int, int]] | None:
    """Column spans of a whitespace-aligned table, or None if the lines are not one.

    A boundary is a run of positions that is blank on every sampled line; a
    real aligned export has at least two columns and gaps of two or more
    spaces somewhere (single spaces inside values such as "Mary Ann" are kept).
    """
    rows = [line.expandtabs(8).rstrip() for line in lines[:500] if line.strip()]
    rows = [r for r in rows if not _is_rule(r)]
    if len(rows) < 2:
        return None
    width = max(len(r) for r in rows)
    blank = [all(i >= len(r) or r[i] == " " for r in rows) for i in range(width)]
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for i, is_blank in enumerate([*blank, True]):
        if not is_blank and start is None:
            start = i
        elif is_blank and start is not None:
            spans.append((start, i))
            start = None
    if len(spans) < 2:
        return None
    gaps = [spans[i + 1][0] - spans[i][1] for i in range(len(spans) - 1)]
    if max(gaps) < 2:
        return None
    spans = _join_headless_spans(spans, rows[0])
    # Widen each span to reach the next one, so right-aligned numbers fit.
    return [
        (s, spans[i + 1][0] if i + 1 < len(spans) else 1 << 20) for i, (s, _) in enumerate(spans)
    ]


def _join_headless_spans(spans: list[tuple[int, int]], header: str) -> list[tuple[int, int]]:
    """Rejoin a value split at a single space where the header has no column.

    Values wider than their header (``2024-01-05 10:00:00`` under ``LAST_SEEN``)
    can have a space at the same place on every line; with no header text above
    the part after it, that part belongs to the column on its left.
    """
    joined = [spans[0]]
    for start, end in spans[1:]:
        prev_start, prev_end = joined[-1]
        if start - prev_end == 1 and not header[start:end].strip():
            joined[-1] = (prev_start, end)
        else:
            joined.append((start, end))
    return joined


def _is_rule(line: str) -> bool:
    """Separator lines such as ``-----  ------`` or ``+----+``."""
    stripped = line.strip()
    return bool(stripped) and set(stripped) <= set("-=+| ")
