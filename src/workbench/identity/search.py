"""Find a person's profile from what an analyst knows: an e-mail, a name, a phone, an id.

The text is normalised with the same normalisers the records were built with (the
current run's rule set), so "José  GARCÍA" finds ``jose garcia`` and "(213) 398-5189"
finds ``2133985189``. One scan of ``identity.records`` checks every interpretation at
once; the user's text only ever reaches SQL as parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from workbench.identity.nicknames import nickname_pairs
from workbench.identity.normalize import apply
from workbench.identity.records import RECORDS, normalizers_for
from workbench.identity.ruleset import RuleSet
from workbench.identity.runs import resolve_run, run_rules
from workbench.identity.store import current_run
from workbench.project.store import Project
from workbench.tasks import Task, interrupting

MAX_HITS = 5000
"""Matching records read back at most (a one-letter prefix must not read a million)."""
_PROFILE_ID = re.compile(r"P[0-9A-F]{4,12}", re.IGNORECASE)
_ID_FIELDS = ("customer_id", "national_id", "device_id", "cookie_id")


@dataclass
class ProfileMatch:
    """A profile that matches the search, with what matched and how well."""

    profile_id: str
    records: int
    """Records in the profile."""
    matched: list[str]
    """What matched, best first, e.g. ``email (exact)`` or ``last_name (starts with)``."""
    matched_records: list[str]
    """The records that matched (``source:record_id``), at most ten."""
    strength: int
    """How strong the best match is (100 an id, 90 an e-mail, 30 a first name alone, ...)."""
    name: str | None = None
    email: str | None = None

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class _Condition:
    label: str
    strength: int
    sql: str
    params: list[object] = field(default_factory=list)


def find_profiles(
    project: Project,
    text: str,
    run_id: str | None = None,
    limit: int = 50,
    task: Task | None = None,
) -> list[ProfileMatch]:
    """Profiles whose records match ``text`` (e-mail, name, phone, any id), best first.

    ``task``: a cancel interrupts the search (a newer search replaces an older one).
    """
    text = " ".join(text.split())
    if not text:
        return []
    cur = project.cursor()
    try:
        with interrupting(task, cur.interrupt):
            run = resolve_run(cur, run_id)
            built_with = current_run(cur) or run
            rules = run_rules(cur, built_with)  # identity.records holds the current run's values
            conditions = _conditions(cur, rules, text)
            hits = _record_hits(cur, run, conditions)
            hits += _profile_id_hits(cur, run, text)
            if not hits:
                return []
            matches = _by_profile(hits, conditions)[:limit]
            _add_sizes_and_names(cur, run, run == built_with, matches)
    finally:
        cur.close()
    return matches


# ------------------------------------------------------------------ interpreting the text
class _Normaliser:
    """The text and its words as identity.records holds each field (same normalisers,
    nicknames mapped), computed in one query."""

    def __init__(
        self, cur: duckdb.DuckDBPyConnection, rules: RuleSet, wanted: list[tuple[str, str]]
    ) -> None:
        exprs = [apply(f"v{i}", normalizers_for(rules, fld)) for i, (fld, _v) in enumerate(wanted)]
        inputs = ", ".join(f"?::VARCHAR AS v{i}" for i in range(len(wanted)))
        row = cur.execute(
            f"SELECT {', '.join(exprs)} FROM (SELECT {inputs})", [v for _f, v in wanted]
        ).fetchone()
        nicknames = dict(nickname_pairs())
        self.values: dict[tuple[str, str], str | None] = {}
        for (fld, value), normal in zip(wanted, row, strict=True):
            nick = normal is not None and "nickname" in normalizers_for(rules, fld)
            self.values[(fld, value)] = nicknames.get(normal, normal) if nick else normal

    def __call__(self, fld: str, value: str) -> str | None:
        return self.values[(fld, value)]


def _conditions(cur: duckdb.DuckDBPyConnection, rules: RuleSet, text: str) -> list[_Condition]:
    """Every reading of the text worth checking, strongest first."""
    words = text.split()
    wanted = [(f, text) for f in ("email", "phone", "full_name", *_ID_FIELDS)]
    wanted += [(f, w) for w in words for f in ("first_name", "last_name")]
    norm = _Normaliser(cur, rules, wanted)
    out: list[_Condition] = []
    lower = text.lower()
    # Ids are matched by their start only when the text could be one: one word of four or
    # more characters, not letters only (a name's start would scan every id column in vain).
    id_like = len(text) >= 4 and len(words) == 1 and "@" not in text and not text.isalpha()
    has_letters = any(c.isalpha() for c in text)
    digits = re.sub(r"\D", "", text)

    source, sep, record = text.partition(":")
    if sep and source and record:
        out.append(
            _Condition("record", 100, "(source = ? AND record_id = ?)", [source, record.strip()])
        )
    out.append(_Condition("record id", 90, "record_id = ?", [text]))
    if id_like:
        out.append(_Condition("record id (starts with)", 45, "starts_with(record_id, ?)", [text]))
    if "@" in text:
        email = norm("email", text)
        if email:
            out.append(_Condition("email", 90, "email = ?", [email]))
        out.append(_Condition("email (starts with)", 50, "starts_with(email, ?)", [lower]))
    for fld in _ID_FIELDS:
        value = norm(fld, text)
        if value:
            out.append(_Condition(fld, 90 if fld in _ID_FIELDS[:2] else 80, f"{fld} = ?", [value]))
        if id_like:
            out.append(
                _Condition(f"{fld} (starts with)", 45, f"starts_with(lower({fld}), ?)", [lower])
            )
    if not has_letters and len(digits) >= 4:
        phone = norm("phone", text) if len(digits) >= 7 else None
        if phone:
            out.append(_Condition("phone", 80, "phone = ?", [phone]))
        out.append(_Condition("phone (starts with)", 40, "starts_with(phone, ?)", [digits]))
    if has_letters and "@" not in text:
        out += _name_conditions(norm, text)
        if len(text) >= 3 and len(words) == 1:
            out.append(_Condition("email (starts with)", 20, "starts_with(email, ?)", [lower]))
    return sorted(out, key=lambda c: -c.strength)


def _name_conditions(norm: _Normaliser, text: str) -> list[_Condition]:
    words = text.split()
    firsts = [norm("first_name", w) for w in words]
    lasts = [norm("last_name", w) for w in words]
    out: list[_Condition] = []
    full = norm("full_name", text)
    if full and len(words) > 1:
        out.append(_Condition("full_name", 70, "full_name = ?", [full]))
    if len(words) == 1:
        first, last = firsts[0], lasts[0]
        if first:
            out.append(_Condition("first_name", 30, "first_name = ?", [first]))
        if last:
            out.append(_Condition("last_name", 30, "last_name = ?", [last]))
            if len(last) >= 3:
                out.append(
                    _Condition("last_name (starts with)", 25, "starts_with(last_name, ?)", [last])
                )
        return out
    first, last = firsts[0], lasts[-1]
    swapped_first, swapped_last = firsts[-1], lasts[0]
    both = "(first_name = ? AND last_name = ?)"
    if first and last:
        out.append(_Condition("first_name and last_name", 70, both, [first, last]))
        out.append(
            _Condition(
                "first_name and last_name (starts with)",
                40,
                "(first_name = ? AND starts_with(last_name, ?))",
                [first, last],
            )
        )
    if swapped_first and swapped_last:
        swapped = [swapped_first, swapped_last]
        out.append(_Condition("first_name and last_name (swapped)", 60, both, swapped))
    return out


# ----------------------------------------------------------------------------- querying
Hit = tuple[str, str, str, int]
"""(profile id, source, record id, index of the strongest condition that holds)."""


def _record_hits(
    cur: duckdb.DuckDBPyConnection, run: str, conditions: list[_Condition]
) -> list[Hit]:
    if not conditions:
        return []
    which = " ".join(f"WHEN {c.sql} THEN {i}" for i, c in enumerate(conditions))
    where = " OR ".join(c.sql for c in conditions)
    params = [p for c in conditions for p in c.params] * 2
    rows = cur.execute(
        f"""SELECT c.profile_id, h.source, h.record_id, h.best FROM (
            SELECT source, record_id, CASE {which} END AS best FROM {RECORDS} WHERE {where}
            ORDER BY best LIMIT {MAX_HITS}) h
        JOIN identity.clusters c ON c.run_id = ? AND c.source = h.source
            AND c.record_id = h.record_id""",
        [*params, run],
    ).fetchall()
    return [(p, s, r, int(b)) for p, s, r, b in rows]


_PROFILE_CONDITION = -1


def _profile_id_hits(cur: duckdb.DuckDBPyConnection, run: str, text: str) -> list[Hit]:
    if not _PROFILE_ID.fullmatch(text):
        return []
    rows = cur.execute(
        "SELECT profile_id, source, record_id FROM identity.clusters WHERE run_id = ? "
        "AND starts_with(profile_id, ?) ORDER BY profile_id LIMIT ?",
        [run, text.upper(), MAX_HITS],
    ).fetchall()
    return [(p, s, r, _PROFILE_CONDITION) for p, s, r in rows]


def _by_profile(hits: list[Hit], conditions: list[_Condition]) -> list[ProfileMatch]:
    found: dict[str, ProfileMatch] = {}
    for pid, source, record, best in sorted(hits, key=lambda h: (h[3], h[1], h[2])):
        if best == _PROFILE_CONDITION:
            label = "profile id" if len(pid) == 13 else "profile id (starts with)"
            strength = 100
        else:
            label, strength = conditions[best].label, conditions[best].strength
        m = found.setdefault(pid, ProfileMatch(pid, 0, [], [], strength))
        m.strength = max(m.strength, strength)
        if label not in m.matched:
            m.matched.append(label)
        if best != _PROFILE_CONDITION and len(m.matched_records) < 10:
            m.matched_records.append(f"{source}:{record}")
    return sorted(
        found.values(), key=lambda m: (-m.strength, -len(m.matched_records), m.profile_id)
    )


def _add_sizes_and_names(
    cur: duckdb.DuckDBPyConnection, run: str, is_current: bool, matches: list[ProfileMatch]
) -> None:
    """Records per profile, and its golden name and e-mail (from the records if the run is
    not the current one, whose golden records are the only ones kept)."""
    pids = [m.profile_id for m in matches]
    sizes = dict(
        cur.execute(
            "SELECT profile_id, count(*) FROM identity.clusters WHERE run_id = ? "
            "AND profile_id IN (SELECT unnest(?)) GROUP BY profile_id",
            [run, pids],
        ).fetchall()
    )
    columns = {
        name
        for (name,) in cur.execute(
            "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' "
            "AND table_name = 'profiles'"
        ).fetchall()
    }
    golden = ("first_name", "last_name", "email")
    if is_current and {"profile_id"} <= columns:
        picks = ", ".join(f"{f}" if f in columns else "NULL" for f in golden)
        rows = cur.execute(
            f"SELECT profile_id, {picks} FROM main.profiles WHERE profile_id IN (SELECT unnest(?))",
            [pids],
        ).fetchall()
        titled = False
    else:
        rows = cur.execute(
            f"""SELECT c.profile_id, mode(r.first_name), mode(r.last_name), mode(r.email)
            FROM identity.clusters c JOIN {RECORDS} r ON r.source = c.source
                AND r.record_id = c.record_id
            WHERE c.run_id = ? AND c.profile_id IN (SELECT unnest(?)) GROUP BY c.profile_id""",
            [run, pids],
        ).fetchall()
        titled = True
    names = {pid: (first, last, email) for pid, first, last, email in rows}
    for m in matches:
        m.records = int(sizes.get(m.profile_id, 0))
        first, last, email = names.get(m.profile_id, (None, None, None))
        name = " ".join(x for x in (first, last) if x) or None
        m.name = name.title() if name and titled else name
        m.email = email
