"""Data-entry noise: typos, casing, swapped fields, e-mail and phone variants.

Every function takes a boolean mask of the rows to disturb and only touches
that subset, so per-string Python work stays proportional to the (small)
noise rate while the untouched bulk stays in Arrow.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.sample.places import GMAIL_DOMAINS

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _adjacent_keys() -> dict[str, str]:
    """Keys physically next to each letter on a QWERTY keyboard."""
    pos = {ch: (r, c) for r, row in enumerate(_KEYBOARD_ROWS) for c, ch in enumerate(row)}
    out: dict[str, str] = {}
    for ch, (r, c) in pos.items():
        near = [
            other
            for other, (r2, c2) in pos.items()
            if other != ch and abs(r2 - r) <= 1 and abs(c2 - c) <= 1
        ]
        out[ch] = "".join(near)
    return out


ADJACENT_KEYS: dict[str, str] = _adjacent_keys()


def mask(rng: np.random.Generator, n: int, rate: float) -> np.ndarray:
    """Rows hit by a noise of the given rate."""
    return rng.random(n) < rate


def typo(text: str, rng: np.random.Generator) -> str:
    """One realistic slip: adjacent-key hit, dropped, doubled or transposed letter."""
    if len(text) < 3:
        return text
    kind = int(rng.integers(0, 4))
    i = int(rng.integers(1, len(text) - 1))  # first letters are rarely mistyped
    ch = text[i]
    if kind == 0 and ch.lower() in ADJACENT_KEYS:
        near = ADJACENT_KEYS[ch.lower()]
        sub = near[int(rng.integers(0, len(near)))]
        return text[:i] + (sub.upper() if ch.isupper() else sub) + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2:
        return text[:i] + ch + text[i:]
    return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]


def _replace(values: pa.Array, where: np.ndarray, new: list[str | None] | pa.Array) -> pa.Array:
    if not where.any():
        return values
    return pc.replace_with_mask(values, pa.array(where), pa.array(new, pa.string()))


def _valid_subset(values: pa.Array, where: np.ndarray) -> np.ndarray:
    return where & ~np.asarray(values.is_null().to_numpy(zero_copy_only=False))


def apply_typos(values: pa.Array, where: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """Mistype the non-null values selected by ``where``."""
    where = _valid_subset(values, where)
    subset = values.filter(pa.array(where)).to_pylist()
    return _replace(values, where, [typo(v, rng) for v in subset])


def set_null(values: pa.Array, where: np.ndarray) -> pa.Array:
    """Blank out the selected values (missing data)."""
    return pc.if_else(pa.array(where), pa.scalar(None, values.type), values)


def recase(values: pa.Array, rng: np.random.Generator, lower: float, upper: float) -> pa.Array:
    """Some people type in all lower case, a few in all capitals."""
    u = rng.random(len(values))
    out = pc.if_else(pa.array(u < lower), pc.utf8_lower(values), values)
    return pc.if_else(pa.array((u >= lower) & (u < lower + upper)), pc.utf8_upper(values), out)


def swap(a: pa.Array, b: pa.Array, where: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """First and last name entered into each other's fields."""
    w = pa.array(where)
    return pc.if_else(w, b, a), pc.if_else(w, a, b)


def pick(rng: np.random.Generator, options: pa.Array, n: int, weights: np.ndarray) -> np.ndarray:
    """Indices into ``options`` drawn with the given (unnormalised) weights."""
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(options), size=n, p=p / p.sum())


def _split_email(email: str) -> tuple[str, str]:
    local, _, domain = email.partition("@")
    return local, domain


def gmail_dots(email: str, rng: np.random.Generator) -> str:
    """Gmail ignores dots, so people write the same address with and without them."""
    local, domain = _split_email(email)
    if "." in local:
        return local.replace(".", "") + "@" + domain
    if len(local) < 4:
        return email
    i = int(rng.integers(1, len(local) - 1))
    return local[:i] + "." + local[i:] + "@" + domain


PLUS_TAGS: tuple[str, ...] = ("shop", "news", "deals", "promo", "harborpine", "store", "retail")


def plus_tag(email: str, rng: np.random.Generator) -> str:
    """Sub-addressing: ``jane+deals@...`` still reaches ``jane@...``."""
    local, domain = _split_email(email)
    return f"{local}+{PLUS_TAGS[int(rng.integers(0, len(PLUS_TAGS)))]}@{domain}"


def is_gmail_address(emails: pa.Array) -> np.ndarray:
    """Addresses at a provider that ignores dots in the local part."""
    pattern = "@(" + "|".join(sorted(GMAIL_DOMAINS)).replace(".", "\\.") + ")$"
    hit = pc.match_substring_regex(emails, pattern, ignore_case=True).fill_null(False)
    return np.asarray(hit.to_numpy(zero_copy_only=False))


def email_variants(
    emails: pa.Array,
    rng: np.random.Generator,
    *,
    case: float,
    dots: float,
    plus: float,
) -> pa.Array:
    """Spellings of the same mailbox as different systems capture them."""
    n = len(emails)
    is_gmail = is_gmail_address(emails)
    dot_rows = _valid_subset(emails, mask(rng, n, dots) & is_gmail)
    out = _replace(
        emails, dot_rows, [gmail_dots(e, rng) for e in emails.filter(dot_rows).to_pylist()]
    )
    plus_rows = _valid_subset(out, mask(rng, n, plus))
    out = _replace(out, plus_rows, [plus_tag(e, rng) for e in out.filter(plus_rows).to_pylist()])
    # Case: phone keyboards capitalise ("John.smith@gmail.com"), some forms title-case
    # ("John.Smith@Gmail.Com"), a few people shout ("JOHN.SMITH@GMAIL.COM").
    u = rng.random(n) / max(case, 1e-12)
    out = pc.if_else(pa.array(u < 0.6), pc.utf8_capitalize(out), out)
    out = pc.if_else(pa.array((u >= 0.6) & (u < 0.8)), pc.utf8_title(out), out)
    return pc.if_else(pa.array((u >= 0.8) & (u < 1.0)), pc.utf8_upper(out), out)


def _digits(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pa.array(values).cast(pa.string()), width, "0")


PHONE_STYLES = 6


def format_phones(numbers: np.ndarray, style: np.ndarray) -> pa.Array:
    """Ten-digit numbers rendered in the formats CRMs and web forms accept."""
    area = _digits(numbers // 10_000_000, 3)
    exch = _digits((numbers // 10_000) % 1000, 3)
    line = _digits(numbers % 10_000, 4)
    j = pc.binary_join_element_wise
    formats = [
        j(j("(", area, ""), j(") ", exch, ""), j("-", line, ""), ""),  # (555) 123-4567
        j(j("+1 ", area, ""), exch, line, " "),  # +1 555 123 4567
        j(area, exch, line, "."),  # 555.123.4567
        j(area, exch, line, "-"),  # 555-123-4567
        j(area, exch, line, ""),  # 5551234567
        j(j("1-", area, ""), exch, line, "-"),  # 1-555-123-4567
    ]
    return pc.choose(pa.array(style.astype(np.int8)), *formats)
