"""The hidden truth: one row per real person, before any source system sees them.

Sources are later built as noisy, partial views of this table, and every source
record keeps the person's ``truth_id`` so resolvers can be scored against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.sample import catalog
from workbench.sample.names import FEMALE_FIRST_NAMES, FIRST_NAMES, LAST_NAMES, NICKNAMES
from workbench.sample.places import CITIES, EMAIL_DOMAINS, STREET_NAMES, STREET_SUFFIXES
from workbench.sample.timeline import REFERENCE_DAY


def zipf_weights(n: int, offset: float, exponent: float = 1.0) -> np.ndarray:
    """Zipf-Mandelbrot weights: popular ranks dominate but the top stays plausible."""
    w = 1.0 / (np.arange(n) + offset) ** exponent
    return w / w.sum()


def strings(values: tuple[str, ...] | list[str], idx: np.ndarray) -> pa.Array:
    """Vocabulary lookup without leaving Arrow."""
    return pa.array(values).take(pa.array(idx))


def to_str(values: np.ndarray) -> pa.Array:
    return pa.array(values).cast(pa.string())


@dataclass
class Address:
    """Columnar addresses as vocabulary indices plus house number and ZIP."""

    number: np.ndarray
    street: np.ndarray
    suffix: np.ndarray
    city: np.ndarray
    zip: np.ndarray

    def take(self, idx: np.ndarray) -> Address:
        return Address(*(getattr(self, f)[idx] for f in _ADDRESS_FIELDS))

    def where(self, cond: np.ndarray, other: Address) -> Address:
        """Row-wise choice: ``other`` where ``cond`` holds."""
        return Address(
            *(np.where(cond, getattr(other, f), getattr(self, f)) for f in _ADDRESS_FIELDS)
        )


_ADDRESS_FIELDS = ("number", "street", "suffix", "city", "zip")
_CITY_WEIGHTS = np.array([c[4] for c in CITIES], dtype=np.float64)
_CITY_ZIP3 = np.array([int(c[2]) for c in CITIES], dtype=np.int32)
_CITY_AREA = np.array([c[3] for c in CITIES], dtype=np.int64)


def random_addresses(rng: np.random.Generator, n: int) -> Address:
    city = rng.choice(len(CITIES), size=n, p=_CITY_WEIGHTS / _CITY_WEIGHTS.sum())
    suffix_w = np.array([s[2] for s in STREET_SUFFIXES])
    return Address(
        number=np.exp(rng.uniform(0.0, np.log(25_000), n)).astype(np.int32) + 1,
        street=rng.choice(len(STREET_NAMES), size=n, p=zipf_weights(len(STREET_NAMES), 6.0)),
        suffix=rng.choice(len(STREET_SUFFIXES), size=n, p=suffix_w / suffix_w.sum()),
        city=city,
        zip=_CITY_ZIP3[city] * 100 + rng.integers(1, 100, n, dtype=np.int32),
    )


@dataclass
class People:
    """Ground truth attributes and the plan of which sources will see whom."""

    n: int
    truth_id: pa.Array
    female: np.ndarray
    first: np.ndarray  # index into FIRST_NAMES
    last: np.ndarray  # index into LAST_NAMES
    nickname: pa.Array  # a nickname the person goes by, or null
    dob: np.ndarray  # datetime64[D]
    address: Address
    old_address: Address
    moved: np.ndarray
    email: pa.Array  # canonical lower-case address
    phone: np.ndarray  # int64 ten-digit number
    recycled_phone: np.ndarray  # phone was previously another customer's
    activity: np.ndarray  # heavy-tailed event intensity
    category: np.ndarray  # favourite catalogue category
    household: np.ndarray  # index of the household's primary member, or -1
    shares_email: np.ndarray  # uses the primary member's e-mail address
    in_crm: np.ndarray
    in_ecom: np.ndarray
    in_sub: np.ndarray
    in_app: np.ndarray
    crm_dup: np.ndarray  # has a second, older CRM record


def _first_names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    nf, nm = len(FEMALE_FIRST_NAMES), len(FIRST_NAMES) - len(FEMALE_FIRST_NAMES)
    f = rng.choice(nf, size=len(female), p=zipf_weights(nf, 12.0))
    m = rng.choice(nm, size=len(female), p=zipf_weights(nm, 12.0)) + nf
    return np.where(female, f, m).astype(np.int16)


def _next_name(first: np.ndarray) -> np.ndarray:
    """The next name of the same gender (wrapping around within the gender's list)."""
    nf, nm = len(FEMALE_FIRST_NAMES), len(FIRST_NAMES) - len(FEMALE_FIRST_NAMES)
    female = first < nf
    return np.where(female, (first + 1) % nf, nf + (first - nf + 1) % nm).astype(first.dtype)


def _nicknames(rng: np.random.Generator, first: np.ndarray) -> pa.Array:
    flat: list[str] = []
    start = np.zeros(len(FIRST_NAMES), dtype=np.int64)
    count = np.zeros(len(FIRST_NAMES), dtype=np.int64)
    for i, name in enumerate(FIRST_NAMES):
        start[i], count[i] = len(flat), len(NICKNAMES.get(name, ()))
        flat.extend(NICKNAMES.get(name, ()))
    c = count[first]
    pos = start[first] + (rng.random(len(first)) * np.maximum(c, 1)).astype(np.int64)
    return pa.array(flat).take(pa.array(pos, mask=c == 0))


def _dedupe_keys(keys: pa.Array) -> np.ndarray:
    """True for rows whose key already occurred earlier."""
    codes = pc.dictionary_encode(keys).indices.to_numpy()
    _, first = np.unique(codes, return_index=True)
    dup = np.ones(len(keys), dtype=bool)
    dup[first] = False
    return dup


def _alnum_lower(values: tuple[str, ...]) -> list[str]:
    """E-mail-safe spelling of a name ("O'Brien" -> "obrien")."""
    return ["".join(ch for ch in v.lower() if ch.isalpha()) for v in values]


_HANDLE_A = ("sunny", "blue", "happy", "lucky", "wild", "coffee", "beach", "city", "quiet")
_HANDLE_B = ("runner", "reader", "girl", "guy", "fan", "mama", "dad", "cat", "rider", "chef")


def _emails(
    rng: np.random.Generator,
    first: np.ndarray,
    last: np.ndarray,
    dob: np.ndarray,
    household: np.ndarray,
    shares: np.ndarray,
) -> pa.Array:
    """Unique canonical addresses; unique even after dropping dots and plus tags."""
    n = len(first)
    fl = strings(_alnum_lower(FIRST_NAMES), first)
    ll = strings(_alnum_lower(LAST_NAMES), last)
    fi = pc.utf8_slice_codeunits(fl, 0, 1)
    num = to_str(rng.integers(1, 1000, n))
    yy = pc.utf8_lpad(to_str(dob.astype("datetime64[Y]").astype(np.int64) % 100), 2, "0")
    handle = strings(_HANDLE_A, rng.integers(0, len(_HANDLE_A), n))
    handle = pc.binary_join_element_wise(
        handle, strings(_HANDLE_B, rng.integers(0, len(_HANDLE_B), n)), num, ""
    )
    j = pc.binary_join_element_wise
    patterns = [
        (j(fl, ll, "."), 0.27),
        (j(fl, ll, ""), 0.12),
        (j(fi, ll, ""), 0.12),
        (j(j(fl, ll, "."), num, ""), 0.08),
        (j(fl, yy, ""), 0.08),
        (j(fl, ll, num, ""), 0.08),
        (j(fl, ll, "_"), 0.05),
        (j(ll, fl, "."), 0.04),
        (j(fi, ll, "."), 0.05),
        (j(fl, num, ""), 0.05),
        (handle, 0.06),
    ]
    w = np.array([p[1] for p in patterns])
    local = pc.choose(
        pa.array(rng.choice(len(w), size=n, p=w / w.sum()).astype(np.int8)),
        *[p[0] for p in patterns],
    )
    # Families sharing one mailbox often name it after the household.
    primaries = np.unique(household[shares])
    fam = np.zeros(n, dtype=bool)
    fam[primaries[rng.random(len(primaries)) < 0.45]] = True
    family = pc.choose(
        pa.array(rng.integers(0, 3, n).astype(np.int8)),
        j(ll, "family", ""),
        j("the", ll, "s", ""),
        j(ll, "house", ""),
    )
    local = pc.if_else(pa.array(fam), family, local)
    dom_w = np.array([d[1] for d in EMAIL_DOMAINS])
    domain = strings(
        [d[0] for d in EMAIL_DOMAINS], rng.choice(len(dom_w), n, p=dom_w / dom_w.sum())
    )
    for _ in range(50):
        dup = _dedupe_keys(j(pc.replace_substring(local, ".", ""), domain, "@"))
        if not dup.any():
            break
        extra = to_str(rng.integers(1, 10_000, n))
        local = pc.if_else(pa.array(dup), j(local, extra, ""), local)
    return j(local, domain, "@")


_OLD_DOMAINS = ("aol.com", "yahoo.com", "hotmail.com", "earthlink.net", "comcast.net", "msn.com")


def old_emails(rng: np.random.Generator, people: People, person: np.ndarray) -> pa.Array:
    """Addresses people used before their current one, unique among everyone's."""
    j = pc.binary_join_element_wise
    fl = strings(_alnum_lower(FIRST_NAMES), people.first[person])
    li = pc.utf8_slice_codeunits(strings(_alnum_lower(LAST_NAMES), people.last[person]), 0, 1)
    domain = strings(_OLD_DOMAINS, rng.integers(0, len(_OLD_DOMAINS), len(person)))
    taken = pc.replace_substring(people.email, ".", "")
    local = j(fl, li, to_str(rng.integers(10, 10_000, len(person))), "")
    for _ in range(50):
        key = pa.concat_arrays([taken, j(local, domain, "@")])
        dup = _dedupe_keys(key)[len(taken) :]
        if not dup.any():
            break
        local = pc.if_else(
            pa.array(dup), j(local, to_str(rng.integers(0, 10, len(person))), ""), local
        )
    return j(local, domain, "@")


def _phones(rng: np.random.Generator, city: np.ndarray) -> np.ndarray:
    """Unique ten-digit numbers, mostly with the home city's area code."""
    n = len(city)
    area = np.where(
        rng.random(n) < 0.75, _CITY_AREA[city], _CITY_AREA[rng.integers(0, len(CITIES), n)]
    )
    phone = np.zeros(n, dtype=np.int64)
    todo = np.ones(n, dtype=bool)
    while todo.any():
        k = int(todo.sum())
        exch = rng.integers(201, 1000, k)
        exch = np.where((exch % 100 == 11) | (exch == 555), exch + 1, exch)
        phone[todo] = area[todo] * 10_000_000 + exch * 10_000 + rng.integers(0, 10_000, k)
        _, first = np.unique(phone, return_index=True)
        todo = np.ones(n, dtype=bool)
        todo[first] = False
    return phone


def _memberships(rng: np.random.Generator, engagement: np.ndarray) -> dict[str, np.ndarray]:
    """Correlated source membership (engaged people are everywhere), nobody in none."""
    n = len(engagement)
    base = {"crm": 0.475, "ecom": 0.46, "sub": 0.475, "app": 0.255}
    out = {}
    for key, rate in base.items():
        score = 0.7 * engagement + 0.714 * rng.standard_normal(n)
        out[key] = score > NormalDist().inv_cdf(1.0 - rate)
    none = ~(out["crm"] | out["ecom"] | out["sub"] | out["app"])
    where = rng.choice(3, size=n, p=[0.45, 0.2, 0.35])
    for k, key in enumerate(("crm", "ecom", "sub")):
        out[key] |= none & (where == k)
    return out


def generate_people(rng: np.random.Generator, n: int) -> People:
    """Draw ``n`` people with households, movers, contacts and source plans."""
    female = rng.random(n) < 0.51
    first = _first_names(rng, female)
    last = rng.choice(len(LAST_NAMES), size=n, p=zipf_weights(len(LAST_NAMES), 25.0)).astype(
        np.int16
    )
    age_days = (np.minimum(18.0 + rng.gamma(3.0, 8.5, n), 95.0) * 365.25).astype(np.int64)
    dob = REFERENCE_DAY - age_days.astype("timedelta64[D]")
    address = random_addresses(rng, n)

    # Households: ~9% of people live with a "primary" member, share the address and
    # mostly the last name; about a fifth of them also share the primary's e-mail.
    secondary = rng.random(n) < 0.09
    candidates = np.flatnonzero(~secondary)
    household = np.full(n, -1, dtype=np.int64)
    sec = np.flatnonzero(secondary)
    prim = candidates[rng.integers(0, len(candidates), len(sec))]
    household[sec] = prim
    shares = np.zeros(n, dtype=bool)
    shares[sec] = rng.random(len(sec)) < 0.22
    same_last = shares[sec] | (rng.random(len(sec)) < 0.85)
    last[sec] = np.where(same_last, last[prim], last[sec])
    hh = address.take(prim)
    for f in _ADDRESS_FIELDS:
        getattr(address, f)[sec] = getattr(hh, f)
    clash = sec[first[sec] == first[prim]]  # two Johns in one household would be unfair
    first[clash] = _next_name(first[clash])

    moved = rng.random(n) < 0.15
    old_address = random_addresses(rng, n)
    stay_city = rng.random(n) < 0.5
    old_address.city = np.where(stay_city, address.city, old_address.city)
    old_address.zip = np.where(
        stay_city, _CITY_ZIP3[address.city] * 100 + old_address.zip % 100, old_address.zip
    )

    email = _emails(rng, first, last, dob, household, shares)
    email = pc.if_else(pa.array(shares), email.take(pa.array(np.maximum(household, 0))), email)
    phone = _phones(rng, address.city)

    engagement = rng.standard_normal(n)
    activity = np.exp(0.6 * engagement + 1.0 * rng.standard_normal(n))
    member = _memberships(rng, engagement)
    # Mailbox sharers only surface in the CRM (lists and logins are unique per address),
    # next to their primary member's CRM record.
    for key in ("ecom", "sub", "app"):
        member[key] &= ~shares
    member["crm"] |= shares
    member["crm"][household[shares]] = True
    crm_dup = member["crm"] & (rng.random(n) < 0.03)

    # Recycled numbers: the carrier gave person X a number an older customer Y still has
    # on file, so two unrelated CRM records carry the same phone.
    crm_people = rng.permutation(np.flatnonzero(member["crm"] & (household < 0)))
    k = min(round(0.01 * n), len(crm_people) // 2)
    recycled = np.zeros(n, dtype=bool)
    recycled[crm_people[:k]] = True
    recycled[crm_people[k : 2 * k]] = True
    phone[crm_people[:k]] = phone[crm_people[k : 2 * k]]

    female_weights = catalog.interest_weights(True)
    male_weights = catalog.interest_weights(False)
    category = np.where(
        female,
        rng.choice(len(female_weights), size=n, p=female_weights),
        rng.choice(len(male_weights), size=n, p=male_weights),
    ).astype(np.int8)
    truth_id = pc.binary_join_element_wise(
        "P", pc.utf8_lpad(to_str(np.arange(1, n + 1)), 7, "0"), ""
    )
    return People(
        n=n,
        truth_id=truth_id,
        female=female,
        first=first,
        last=last,
        nickname=_nicknames(rng, first),
        dob=dob,
        address=address,
        old_address=old_address,
        moved=moved,
        email=email,
        phone=phone,
        recycled_phone=recycled,
        activity=activity,
        category=category,
        household=household,
        shares_email=shares,
        in_crm=member["crm"],
        in_ecom=member["ecom"],
        in_sub=member["sub"],
        in_app=member["app"],
        crm_dup=crm_dup,
    )
