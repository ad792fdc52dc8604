"""Normalisers: SQL expressions that bring a field's values to one comparable form."""

from __future__ import annotations

from workbench.ingest.sqltext import literal

DEFAULT_NORMALIZERS: dict[str, list[str]] = {
    "email": ["trim", "lower", "email", "email_provider_rules"],
    "phone": ["phone"],
    "first_name": ["trim", "lower", "accents", "letters", "nickname"],
    "last_name": ["trim", "lower", "accents", "letters"],
    "full_name": ["spaces", "lower", "accents"],
    "dob": ["date"],
    "postcode": ["postcode"],
    "street": ["spaces", "lower", "accents"],
    "address": ["spaces", "lower", "accents"],
    "street_number": ["trim", "lower"],
    "city": ["spaces", "lower", "accents"],
    "state": ["trim", "lower"],
    "country": ["trim", "lower"],
    "customer_id": ["trim"],
    "device_id": ["trim", "lower"],
    "cookie_id": ["trim"],
    "national_id": ["digits"],
}

# Gmail ignores dots in the local part; nearly every provider and mail server
# delivers "name+tag@" to "name@", so tags are removed for all domains.
_DOTLESS = ("gmail.com", "googlemail.com")
DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d", "%d-%b-%Y", "%b %d %Y"]

NICKNAME_TABLE = "__wb_nicknames"


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(literal(v) for v in values) + ")"


def apply(expr: str, names: list[str]) -> str:
    """Wrap ``expr`` (text) in each normaliser in turn; empty results become NULL."""
    for name in names:
        expr = _one(expr, name)
    return f"NULLIF({expr}, '')"


def _trim(e: str) -> str:
    """Trim spaces, tabs and line breaks (DuckDB's trim() alone strips spaces only)."""
    return f"trim({e}, ' \t\r\n')"


_LIGATURES = (("ß", "ss"), ("æ", "ae"), ("œ", "oe"), ("þ", "th"))
_SINGLE = ("øłđħı", "oldhi")
"""Letters strip_accents cannot decompose, written as plain ASCII instead of dropped."""


def _transliterate(e: str) -> str:
    for a, b in _LIGATURES:
        e = f"replace({e}, '{a}', '{b}')"
    return f"translate({e}, '{_SINGLE[0]}', '{_SINGLE[1]}')"


def _one(e: str, name: str) -> str:
    if name == "trim":
        return _trim(e)
    if name == "spaces":
        return f"regexp_replace({_trim(e)}, '\\s+', ' ', 'g')"
    if name == "lower":
        return f"lower({e})"
    if name == "accents":
        return f"strip_accents({e})"
    if name == "letters":
        return f"regexp_replace({_transliterate(f'lower({e})')}, '[^a-z]', '', 'g')"
    if name == "digits":
        return f"regexp_replace({e}, '[^0-9]', '', 'g')"
    if name == "email":
        bare = f"regexp_replace(lower({_trim(e)}), '^mailto:', '')"
        valid = f"regexp_full_match({bare}, '[^@\\s]+@[^@\\s]+\\.[a-z]{{2,}}')"
        return f"CASE WHEN {valid} THEN {bare} END"
    if name == "email_provider_rules":
        local = f"split_part({e}, '@', 1)"
        domain = f"split_part({e}, '@', 2)"
        untagged = f"split_part({local}, '+', 1)"
        dotless = (
            f"CASE WHEN {domain} IN {_in(_DOTLESS)} THEN replace({untagged}, '.', '') "
            f"ELSE {untagged} END"
        )
        canon = f"CASE WHEN {domain} = 'googlemail.com' THEN 'gmail.com' ELSE {domain} END"
        return f"CASE WHEN {e} IS NULL THEN NULL ELSE {dotless} || '@' || {canon} END"
    if name == "phone":
        digits = f"regexp_replace({e}, '[^0-9]', '', 'g')"
        national = (
            f"CASE WHEN length({digits}) = 11 AND starts_with({digits}, '1') THEN {digits}[2:] "
            f"WHEN starts_with({digits}, '00') THEN {digits}[3:] ELSE {digits} END"
        )
        return f"CASE WHEN length({digits}) >= 7 THEN {national} END"
    if name == "nickname":
        return e  # applied as a join on the nickname table when records are built
    if name == "date":
        formats = "[" + ", ".join(literal(f) for f in DATE_FORMATS) + "]"
        parsed = (
            f"coalesce(TRY_CAST(trim({e}) AS DATE), "
            f"CAST(try_strptime(trim({e}), {formats}) AS DATE))"
        )
        return f"strftime({parsed}, '%Y-%m-%d')"
    if name == "postcode":
        alnum = f"upper(regexp_replace({e}, '[^0-9A-Za-z]', '', 'g'))"
        return (
            f"CASE WHEN regexp_full_match({alnum}, '[0-9]{{9}}') THEN {alnum}[1:5] ELSE {alnum} END"
        )
    raise ValueError(f"unknown normalizer '{name}'")
