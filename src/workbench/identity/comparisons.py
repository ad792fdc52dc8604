"""SQL for comparing a field of two records (``l`` and ``r``) by a method."""

from __future__ import annotations

import duckdb

from workbench.identity.ruleset import Comparison, FieldModel, Level, MatchRule

NULL_LEVEL = -1


def holds(field: str, method: str, threshold: float | None) -> str:
    """A boolean SQL expression: the comparison holds for l and r (false when a side is NULL)."""
    a, b = f"l.{field}", f"r.{field}"
    if method in ("exact", "normalized"):
        return f"({a} = {b})"
    if method == "jaro_winkler":
        return f"(jaro_winkler_similarity({a}, {b}) >= {float(threshold or 0)})"
    if method == "levenshtein":
        return f"(levenshtein({a}, {b}) <= {int(threshold or 0)})"
    if method == "token_set":
        sa, sb = f"list_distinct(string_split({a}, ' '))", f"list_distinct(string_split({b}, ' '))"
        return (
            f"(len(list_intersect({sa}, {sb})) / "
            f"greatest(len(list_distinct(list_concat({sa}, {sb}))), 1) >= {float(threshold or 0)})"
        )
    if method == "date":
        return (
            f"(abs(date_diff('day', TRY_CAST({a} AS DATE), TRY_CAST({b} AS DATE))) "
            f"<= {int(threshold or 0)})"
        )
    if method == "number":
        return (
            f"(abs(TRY_CAST({a} AS DOUBLE) - TRY_CAST({b} AS DOUBLE)) <= {float(threshold or 0)})"
        )
    if method == "phonetic":
        return f"(wb_soundex({a}) = wb_soundex({b}))"
    raise ValueError(f"unknown method {method}")


def comparison_sql(c: Comparison) -> str:
    return f"coalesce({holds(c.field, c.method, c.threshold)}, false)"


def rule_sql(rule: MatchRule) -> str:
    return "(" + " AND ".join(comparison_sql(c) for c in rule.comparisons) + ")"


def level_sql(model: FieldModel) -> str:
    """The level code of a field: -1 if a side is missing, 0.. for the first level that
    holds, len(levels) when none holds (the values disagree)."""
    f = model.field
    whens = " ".join(
        f"WHEN {holds(f, lv.method, lv.threshold)} THEN {i}" for i, lv in enumerate(model.levels)
    )
    return (
        f"CAST(CASE WHEN l.{f} IS NULL OR r.{f} IS NULL THEN {NULL_LEVEL} {whens} "
        f"ELSE {len(model.levels)} END AS TINYINT)"
    )


def level_label(levels: list[Level], code: int) -> str:
    if code == NULL_LEVEL:
        return "missing"
    if code >= len(levels):
        return "different"
    lv = levels[code]
    return (
        lv.method
        if lv.threshold is None
        else f"{lv.method} ≥ {lv.threshold:g}"
        if lv.method
        in (
            "jaro_winkler",
            "token_set",
        )
        else f"{lv.method} ≤ {lv.threshold:g}"
    )


def register_functions(cur: duckdb.DuckDBPyConnection) -> None:
    """Python functions the comparison SQL may call (``wb_soundex``), once per connection."""
    # Asked first: a failed re-registration would abort the surrounding transaction.
    exists = cur.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE function_name = 'wb_soundex'"
    ).fetchall()[0][0]  # fetchall: an open result would block create_function
    if not exists:
        cur.create_function("wb_soundex", soundex, ["VARCHAR"], "VARCHAR", null_handling="special")


def soundex(name: str | None) -> str | None:
    """American Soundex of a name (letters only), for the ``phonetic`` method."""
    if not name:
        return None
    letters = [c for c in name.lower() if c.isalpha()]
    if not letters:
        return None
    codes = {
        **dict.fromkeys("bfpv", "1"),
        **dict.fromkeys("cgjkqsxz", "2"),
        **dict.fromkeys("dt", "3"),
        "l": "4",
        **dict.fromkeys("mn", "5"),
        "r": "6",
    }
    out = letters[0].upper()
    last = codes.get(letters[0], "")
    for c in letters[1:]:
        code = codes.get(c, "")
        if code and code != last:
            out += code
        if c not in "hw":
            last = code
    return (out + "000")[:4]
