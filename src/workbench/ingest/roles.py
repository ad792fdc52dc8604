"""Column roles: the vocabulary, and suggestions from column names and content."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

PROFILES = "profiles"
EVENTS = "events"
KINDS = (PROFILES, EVENTS)

ATTRIBUTE = "attribute"
PROPERTY = "property"
RECORD_ID = "record_id"
TRUTH_ID = "truth_id"

IDENTITY_ROLES = (
    "email",
    "phone",
    "customer_id",
    "device_id",
    "cookie_id",
    "first_name",
    "last_name",
    "full_name",
    "dob",
    "street_number",
    "street",
    "address",
    "city",
    "postcode",
    "state",
    "country",
    "national_id",
)
LINK_KEYS = ("email", "phone", "customer_id", "device_id", "cookie_id", "national_id")
"""Identity roles that can link an event to a profile."""

EVENT_FIELD_ROLES = ("event_type", "timestamp", "value", "channel")

PROFILE_ROLES = (RECORD_ID, *IDENTITY_ROLES, TRUTH_ID, ATTRIBUTE)
EVENT_ROLES = (*LINK_KEYS, *EVENT_FIELD_ROLES, RECORD_ID, PROPERTY)

SINGLE_ROLES = frozenset({RECORD_ID, TRUTH_ID, *EVENT_FIELD_ROLES})
"""Roles at most one column of a source may hold."""

TEXT_ROLES = frozenset({RECORD_ID, TRUTH_ID, *IDENTITY_ROLES, "event_type", "channel"})
"""Roles whose values are kept exactly as text (ids, codes, phone numbers, names)."""


def roles_for(kind: str) -> tuple[str, ...]:
    return PROFILE_ROLES if kind == PROFILES else EVENT_ROLES


def default_role(kind: str) -> str:
    return ATTRIBUTE if kind == PROFILES else PROPERTY


# Patterns on the normalised column name (lower case, separators removed), most
# specific first. Each is (role, regex, kinds it applies to).
_NAME_RULES: list[tuple[str, str, tuple[str, ...]]] = [
    (TRUTH_ID, r"(truth|true|gold|golden)(id|entity|person|cluster)?(id)?", KINDS),
    ("event_type", r"(event|action|activity|interaction)(type|name)?|eventtype|type", (EVENTS,)),
    (
        "timestamp",
        r"(event)?(timestamp|time|datetime|ts|date|occurredat|createdat|eventtime|eventdate)",
        (EVENTS,),
    ),
    (
        "value",
        r"(amount|value|revenue|price|total|ordertotal|spend|sales)(usd|eur|gbp)?",
        (EVENTS,),
    ),
    ("channel", r"channel|medium|touchpoint", (EVENTS,)),
    ("email", r"(e)?mail(address|addr)?|(user|contact|primary|personal)?email(address)?", KINDS),
    ("phone", r"(phone|mobile|cell|tel|telephone|msisdn)(number|no|nr)?|(mobile|home)phone", KINDS),
    ("customer_id", r"(customer|cust|client|member|loyalty)(id|no|number|nr|key)", KINDS),
    ("device_id", r"(device|idfa|gaid|adid|advertising)(id)?|(mobile)?deviceid", KINDS),
    ("cookie_id", r"(cookie|visitor|anonymous|anon|browser|session)(id)?|cid", KINDS),
    (
        "national_id",
        r"ssn|nationalid|(social)?securitynumber|nin|taxid|passport(no|number)?",
        KINDS,
    ),
    ("first_name", r"(first|given|fore)(name)?|fname|firstname", (PROFILES,)),
    ("last_name", r"(last|family|sur)(name)?|lname|lastname|surname", (PROFILES,)),
    ("full_name", r"(full|display|customer|contact)?name", (PROFILES,)),
    ("dob", r"dob|(date)?(of)?birth(date|day)?|birthday", (PROFILES,)),
    ("street_number", r"(street|house|building)(number|no|nr)|housenumber", (PROFILES,)),
    ("street", r"street(name)?|road", (PROFILES,)),
    ("address", r"(street|postal|mailing|home)?address(line)?\d?|addr\d?", (PROFILES,)),
    ("city", r"city|town|locality", (PROFILES,)),
    ("postcode", r"(post|postal|zip)(code)?|zipcode|plz", (PROFILES,)),
    ("state", r"state|province|region|county", (PROFILES,)),
    ("country", r"country(code)?|nation", (PROFILES,)),
    (
        RECORD_ID,
        r"[a-z]*(id|key)|(record|row|account|order|contact|user)(no|number)",
        KINDS,
    ),
]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^\+?[\d\s().\-]{7,20}$")
_DATE_LIKE = re.compile(r"^\d{1,4}([-/.])\d{1,2}\1\d{1,4}([ T][\d:.]+)?$")
"""Dates (2023-05-01, 01.05.2023) also fit the phone pattern; they are not phones."""
_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)


@dataclass(frozen=True)
class RoleSuggestion:
    role: str
    reason: str


def normalise_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _share(values: Sequence[str], pattern: re.Pattern[str]) -> float:
    present = [v for v in values if v]
    if not present:
        return 0.0
    return sum(1 for v in present if pattern.match(v.strip())) / len(present)


def _phone_share(values: Sequence[str]) -> float:
    """Share of values that look like phone numbers (and not like dates)."""
    present = [v.strip() for v in values if v]
    if not present:
        return 0.0
    hits = sum(
        1
        for v in present
        if _PHONE.match(v) and not _DATE_LIKE.match(v) and sum(c.isdigit() for c in v) >= 7
    )
    return hits / len(present)


def suggest_role(
    name: str, values: Sequence[str], kind: str, unique: bool = False
) -> RoleSuggestion:
    """Best role for one column from its name, then its content.

    ``values`` is a sample of the column as text; ``unique`` says whether the
    sampled values were all distinct (needed before calling a column a key).
    """
    key = normalise_name(name)
    if _share(values, _EMAIL) >= 0.8:
        return RoleSuggestion("email", "most values are e-mail addresses")
    for role, pattern, kinds in _NAME_RULES:
        if kind in kinds and re.fullmatch(pattern, key):
            if role == RECORD_ID and not unique:
                continue
            if role == "phone" and values and _phone_share(values) < 0.5:
                continue
            return RoleSuggestion(role, f"column name '{name}'")
    if kind == PROFILES and _phone_share(values) >= 0.9 and not unique_numeric(values):
        return RoleSuggestion("phone", "most values look like phone numbers")
    if _share(values, _UUID) >= 0.9 and key.endswith("id"):
        return RoleSuggestion("device_id" if "dev" in key else "cookie_id", "values are UUIDs")
    return RoleSuggestion(default_role(kind), "no identity or event meaning recognised")


def unique_numeric(values: Sequence[str]) -> bool:
    """Plain integers of varying length look like counters, not phone numbers."""
    present = [v for v in values if v]
    return (
        bool(present) and all(v.isdigit() for v in present) and len({len(v) for v in present}) > 2
    )


def suggest_roles(
    columns: Sequence[str],
    samples: dict[str, Sequence[str]],
    kind: str,
    unique: dict[str, bool],
) -> dict[str, RoleSuggestion]:
    """Suggest a role for each column, keeping single-use roles on one column only."""
    out: dict[str, RoleSuggestion] = {}
    taken: set[str] = set()
    for column in columns:
        suggestion = suggest_role(column, samples.get(column, []), kind, unique.get(column, False))
        if suggestion.role in SINGLE_ROLES and suggestion.role in taken:
            suggestion = RoleSuggestion(default_role(kind), f"another column is {suggestion.role}")
        taken.add(suggestion.role)
        out[column] = suggestion
    return out


def check_role(role: str, kind: str) -> None:
    """Raise ValueError with the valid roles if ``role`` is not one for ``kind``."""
    if role not in roles_for(kind):
        raise ValueError(
            f"unknown role '{role}' for a {kind} source; valid roles: " + ", ".join(roles_for(kind))
        )
