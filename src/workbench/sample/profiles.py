"""Profile sources: four noisy, overlapping views of the true people.

Each builder returns the table to write plus the identity keys it exposes, so
event sources can only reference keys that really exist. Noise is chosen so a
good resolver can still reach every true match: a record only loses its
e-mail when something else (a shared device id, or no other record at all)
keeps the person resolvable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from workbench.sample import noise
from workbench.sample.names import FIRST_NAMES, LAST_NAMES
from workbench.sample.people import CITIES, Address, People, old_emails, strings, to_str
from workbench.sample.places import STREET_NAMES, STREET_SUFFIXES
from workbench.sample.timeline import DAY, END, format_dates, format_times, past_times, timestamps

_join = pc.binary_join_element_wise


@dataclass
class Keys:
    """The identity keys one source exposes, for event sources to reference."""

    values: pa.Array  # key exactly as written in the profile source
    person: np.ndarray  # index of the true person
    since: np.ndarray  # int64 seconds: the key exists from this moment
    weight: np.ndarray  # relative activity of the key


def _order(since: np.ndarray) -> np.ndarray:
    """Rows in creation order, the way systems export them."""
    return np.argsort(since, kind="stable")


def _first_names(people: People, person: np.ndarray, nick: np.ndarray) -> pa.Array:
    """Canonical first name, or the person's nickname where ``nick`` says so."""
    canonical = strings(FIRST_NAMES, people.first[person])
    nickname = people.nickname.take(pa.array(person))
    use = pc.and_(pa.array(nick), pc.is_valid(nickname))
    return pc.if_else(use, nickname, canonical)


def _street(address: Address, long_form: np.ndarray) -> pa.Array:
    suffix = pc.if_else(
        pa.array(long_form),
        strings([s[1] for s in STREET_SUFFIXES], address.suffix),
        strings([s[0] for s in STREET_SUFFIXES], address.suffix),
    )
    return _join(strings(STREET_NAMES, address.street), suffix, " ")


def _at(n: int, rows: np.ndarray) -> np.ndarray:
    """Boolean mask of length ``n`` that is true at ``rows``."""
    out = np.zeros(n, bool)
    out[rows] = True
    return out


def _loyalty(activity: np.ndarray) -> np.ndarray:
    """Tier from the activity percentile: a few Platinum, many Bronze."""
    rank = np.argsort(np.argsort(activity)) / max(len(activity) - 1, 1)
    return np.searchsorted([0.63, 0.88, 0.97], rank, side="right")


_TIERS = ("Bronze", "Silver", "Gold", "Platinum")


def crm_customers(people: People, rng: np.random.Generator) -> tuple[pa.Table, Keys]:
    """The CRM: the richest source, with a few duplicate (older, typo'd) records."""
    primary = np.flatnonzero(people.in_crm)
    dups = np.flatnonzero(people.crm_dup)
    person = np.concatenate([primary, dups])
    dup = np.concatenate([np.zeros(len(primary), bool), np.ones(len(dups), bool)])
    signup = past_times(rng, len(person), 1100.0, 4200.0)
    order = _order(signup)
    person, dup, signup = person[order], dup[order], signup[order]
    m = len(person)
    r = lambda rate: noise.mask(rng, m, rate)  # noqa: E731 - terse noise rates read best

    first = _first_names(people, person, dup & r(0.25))
    last = strings(LAST_NAMES, people.last[person])
    first = noise.apply_typos(first, r(0.015) | (dup & r(0.2)), rng)
    last = noise.apply_typos(last, r(0.012) | (dup & r(0.15)), rng)
    first, last = noise.recase(first, rng, 0.015, 0.015), noise.recase(last, rng, 0.015, 0.015)
    first, last = noise.swap(first, last, r(0.01))

    others = people.in_ecom | people.in_sub | people.in_app | people.crm_dup
    email = people.email.take(pa.array(person))
    email = noise.email_variants(email, rng, case=0.06, dots=0.0, plus=0.0)
    dup_email = noise.email_variants(email, rng, case=0.3, dots=0.3, plus=0.05)
    email = pc.if_else(pa.array(dup), dup_email, email)
    email = noise.set_null(email, ~others[person] & r(0.15))
    # A quarter of the duplicates predate the customer's current e-mail address; then
    # only name, birth date and phone tie them to the person, so those stay filled in
    # on both of the person's CRM records.
    old_mail = np.flatnonzero(dup & r(0.25))
    email = pc.replace_with_mask(
        email, pa.array(_at(m, old_mail)), old_emails(rng, people, person[old_mail])
    )
    primary_row = np.full(people.n, -1)
    primary_row[person[~dup]] = np.flatnonzero(~dup)
    protect = _at(m, np.concatenate([old_mail, primary_row[person[old_mail]]]))

    phone_no = people.phone[person].copy()
    old_no = dup & r(0.15) & ~people.recycled_phone[person] & ~protect
    phone_no[old_no] = people.phone[rng.integers(0, people.n, int(old_no.sum()))] + 1
    style = rng.choice(noise.PHONE_STYLES, size=m, p=[0.35, 0.1, 0.1, 0.25, 0.15, 0.05])
    phone = noise.format_phones(phone_no, np.where(dup, rng.integers(0, 6, m), style))
    keep = people.recycled_phone[person]
    phone = noise.set_null(phone, ~keep & ~protect & (r(0.07) | (dup & r(0.25))))

    stale = dup & people.moved[person] & r(0.7)
    address = people.address.take(person).where(stale, people.old_address.take(person))
    street = _street(address, r(0.05) | (dup & r(0.35)))
    number = pa.array(address.number, pa.int32())
    inline = r(0.02)  # house number typed into the street field
    street = pc.if_else(pa.array(inline), _join(to_str(address.number), street, " "), street)
    number = noise.set_null(number, inline)
    postcode = pc.utf8_lpad(to_str(address.zip), 5, "0")
    plus4 = _join(postcode, pc.utf8_lpad(to_str(rng.integers(1, 10_000, m)), 4, "0"), "-")
    postcode = pc.if_else(pa.array(r(0.03)), plus4, postcode)
    city = noise.recase(strings([c[0] for c in CITIES], address.city), rng, 0.01, 0.02)
    state = strings([c[1] for c in CITIES], address.city)
    country = strings(["US", "USA", "United States"], rng.choice(3, m, p=[0.88, 0.08, 0.04]))
    no_address = r(0.02)
    cols = [number, street, city, postcode, state, country]
    number, street, city, postcode, state, country = (noise.set_null(c, no_address) for c in cols)

    dob = noise.set_null(format_dates(people.dob[person]), ~protect & (r(0.08) | (dup & r(0.35))))
    gender = noise.set_null(strings(["M", "F"], people.female[person].astype(np.int8)), r(0.1))
    tier = strings(_TIERS, _loyalty(people.activity)[person])
    tier = pc.if_else(
        pa.array(dup), noise.set_null(strings(_TIERS, np.zeros(m, int)), r(0.4)), tier
    )
    customer_no = 10_000_000 + np.cumsum(rng.integers(1, 9, m))
    customer_id = _join("C", to_str(customer_no), "")
    table = pa.table(
        {
            "crm_id": pa.array(100_001 + np.arange(m), pa.int64()),
            "customer_id": customer_id,
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone": phone,
            "street_number": number,
            "street": street,
            "city": city,
            "postcode": postcode,
            "state": state,
            "country": country,
            "dob": dob,
            "gender": gender,
            "loyalty_tier": tier,
            "signup_date": format_dates(signup // DAY),
            "truth_id": people.truth_id.take(pa.array(person)),
        }
    )
    weight = people.activity[person] * np.where(dup, 0.25, 1.0)
    return table, Keys(customer_id, person, signup, weight)


def ecommerce_accounts(people: People, rng: np.random.Generator) -> tuple[pa.Table, Keys]:
    """Web shop logins: one per mailbox, names as typed by the customer."""
    person = np.flatnonzero(people.in_ecom)
    created = past_times(rng, len(person), 800.0, 3000.0)
    order = _order(created)
    person, created = person[order], created[order]
    m = len(person)
    r = lambda rate: noise.mask(rng, m, rate)  # noqa: E731

    first = _first_names(people, person, r(0.3))
    last = strings(LAST_NAMES, people.last[person])
    first, last = noise.apply_typos(first, r(0.02), rng), noise.apply_typos(last, r(0.02), rng)
    first, last = noise.recase(first, rng, 0.06, 0.01), noise.recase(last, rng, 0.06, 0.01)
    first, last = noise.swap(first, last, r(0.01))
    full_only = r(0.08)
    comma = _join(last, first, ", ")
    full = pc.if_else(pa.array(r(0.1)), comma, _join(first, last, " "))
    full_name = noise.set_null(full, ~full_only)
    no_name = r(0.02)
    first = noise.set_null(first, full_only | no_name)
    last = noise.set_null(last, full_only | no_name)

    email = people.email.take(pa.array(person))
    email = noise.email_variants(email, rng, case=0.05, dots=0.06, plus=0.04)
    cookie = _join(
        "GA1.2", to_str(rng.integers(100_000_000, 2_147_483_647, m)), to_str(created), "."
    )
    table = pa.table(
        {
            "account_id": pa.array(5_000_000 + np.cumsum(rng.integers(1, 4, m)), pa.int64()),
            "email": email,
            "first_name": first,
            "last_name": last,
            "full_name": full_name,
            "cookie_id": cookie,
            "created_at": timestamps(created),
            "truth_id": people.truth_id.take(pa.array(person)),
        }
    )
    weight = people.activity[person] * rng.lognormal(0.0, 0.4, m)
    return table, Keys(cookie, person, created, weight)


def email_subscribers(people: People, rng: np.random.Generator) -> tuple[pa.Table, Keys]:
    """Newsletter list: an e-mail and rarely a name; a few people signed up twice."""
    once = np.flatnonzero(people.in_sub)
    twice = once[rng.random(len(once)) < 0.015]
    person = np.concatenate([once, twice])
    second = np.concatenate([np.zeros(len(once), bool), np.ones(len(twice), bool)])
    base = people.email.take(pa.array(person))
    email = noise.email_variants(base, rng, case=0.03, dots=0.03, plus=0.02)
    # The second sign-up uses another spelling of the same mailbox.
    gmail = noise.is_gmail_address(base)
    alt = [
        noise.gmail_dots(e, rng) if g else noise.plus_tag(e, rng)
        for e, g in zip(base.filter(pa.array(second)).to_pylist(), gmail[second], strict=True)
    ]
    email = pc.replace_with_mask(email, pa.array(second), pa.array(alt, pa.string()))
    first_row = np.searchsorted(once, twice)
    clash = pc.equal(
        pc.utf8_lower(email.take(pa.array(first_row))), pc.utf8_lower(pa.array(alt, pa.string()))
    ).to_numpy(zero_copy_only=False)
    keep = np.ones(len(person), bool)
    keep[np.flatnonzero(second)[clash]] = False
    person, email = person[keep], email.filter(pa.array(keep))

    m = len(person)
    since = past_times(rng, m, 700.0, 3500.0)
    order = _order(since)
    person, since, email = person[order], since[order], email.take(pa.array(order))
    first = _first_names(people, person, noise.mask(rng, m, 0.25))
    first = noise.recase(noise.apply_typos(first, noise.mask(rng, m, 0.01), rng), rng, 0.1, 0.0)
    first = noise.set_null(first, noise.mask(rng, m, 0.45))
    opt_in = rng.random(m) < 0.92
    table = pa.table(
        {
            "subscriber_id": pa.array(1 + np.arange(m), pa.int64()),
            "email": email,
            "first_name": first,
            "subscribed_at": format_times(since),
            "opt_in": pa.array(opt_in),
            "truth_id": people.truth_id.take(pa.array(person)),
        }
    )
    weight = rng.lognormal(0.0, 0.4, m) * np.where(opt_in, 1.0, 0.0)
    return table, Keys(email, person, since, weight)


def _uuids(rng: np.random.Generator, n: int) -> pa.Array:
    """Random version-4 UUID strings, deterministic under the seed."""
    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    lut = np.array([f"{i:02x}".encode() for i in range(256)], dtype="S2")
    hexed = pa.array(np.ascontiguousarray(lut[raw]).view("S32").ravel()).cast(pa.string())
    parts = [
        pc.utf8_slice_codeunits(hexed, a, b)
        for a, b in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))
    ]
    return _join(*parts, "-")


def app_installs(people: People, rng: np.random.Generator) -> tuple[pa.Table, Keys]:
    """Mobile app installs; a login e-mail unless the user never signed in."""
    once = np.flatnonzero(people.in_app)
    again = once[rng.random(len(once)) < 0.15]
    reinstall = rng.random(len(again)) < 0.45  # same phone, new install
    person = np.concatenate([once, again])
    n1, m = len(once), len(once) + len(again)
    ios_person = rng.random(people.n) < 0.57
    ios = ios_person[person]
    ios[n1:] ^= ~reinstall & (rng.random(len(again)) < 0.2)  # switched phone brand
    device = _uuids(rng, m)
    device = pc.if_else(pa.array(ios), pc.utf8_upper(device), device)  # IDFA vs GAID
    src = np.searchsorted(once, again)  # each repeat's first install row
    rows = np.arange(m)
    rows[n1:][reinstall] = src[reinstall]
    device = device.take(pa.array(rows))
    ios = ios[rows]
    installed = past_times(rng, m, 500.0, 2500.0)
    first_at = installed[src]
    gap = rng.random(len(again)) * (END - DAY - first_at)
    installed[n1:] = first_at + gap.astype(np.int64)

    only_app = ~(people.in_crm | people.in_ecom | people.in_sub)[person]
    single = np.bincount(person, minlength=people.n)[person] == 1
    no_login = np.zeros(m, bool)
    no_login[n1:] = reinstall & (rng.random(len(again)) < 0.5)
    no_login |= only_app & single & (rng.random(m) < 0.35)
    email = people.email.take(pa.array(person))
    email = noise.email_variants(email, rng, case=0.01, dots=0.02, plus=0.0)
    email = noise.set_null(email, no_login)

    order = _order(installed)
    person, installed = person[order], installed[order]
    device, ios, email = device.take(pa.array(order)), ios[order], email.take(pa.array(order))
    table = pa.table(
        {
            "install_id": _uuids(rng, m),
            "device_id": device,
            "email": email,
            "platform": strings(["android", "ios"], ios.astype(np.int8)),
            "installed_at": format_times(installed, "%Y-%m-%dT%H:%M:%SZ"),
            "truth_id": people.truth_id.take(pa.array(person)),
        }
    )
    # Sessions hang off devices: the first install row of each device owns its key.
    codes = pc.dictionary_encode(device).indices.to_numpy()
    _, first_row = np.unique(codes, return_index=True)
    first_row.sort()
    weight = people.activity[person[first_row]] * rng.lognormal(0.0, 0.5, len(first_row))
    keys = Keys(device.take(pa.array(first_row)), person[first_row], installed[first_row], weight)
    return table, keys
