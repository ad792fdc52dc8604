"""Printing results as aligned text tables or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence


def print_json(data: object) -> None:
    json.dump(data, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], indent: str = "") -> None:
    """Columns padded to their widest cell; long cells cut at 40 characters."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, v in enumerate(row):
            widths[i] = max(widths[i], len(v))
    print(indent + "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    print(indent + "  ".join("-" * w for w in widths))
    for row in cells:
        print(indent + "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    text = str(value).replace("\n", " ")
    return text if len(text) <= 40 else text[:39] + "…"
