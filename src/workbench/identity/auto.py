"""A good first rule set from the mapped identity roles, with nothing hand-written.

Blocking on every identity key and on last name + birth date; a probabilistic
model over every field present; birth date and first name as conflict fields so
a shared household e-mail or a recycled phone number cannot merge two people.
"""

from __future__ import annotations

from workbench.identity.ruleset import (
    Blocking,
    FieldModel,
    Guardrails,
    IdentityKey,
    Level,
    Probabilistic,
    RuleSet,
)

_KEY_PRIORITY = {
    "national_id": 1,
    "customer_id": 1,
    "email": 2,
    "device_id": 2,
    "phone": 3,
    "cookie_id": 3,
}
_EXACT = [Level(method="exact")]
_LEVELS: dict[str, list[Level]] = {
    "first_name": [
        Level(method="exact"),
        Level(method="jaro_winkler", threshold=0.92),
        Level(method="jaro_winkler", threshold=0.8),
    ],
    "last_name": [Level(method="exact"), Level(method="jaro_winkler", threshold=0.92)],
    "dob": [Level(method="exact"), Level(method="levenshtein", threshold=1)],
    "street": [Level(method="exact"), Level(method="jaro_winkler", threshold=0.9)],
}
_TF = {"first_name", "last_name", "city", "postcode"}
_MODEL_ORDER = (
    "email",
    "phone",
    "customer_id",
    "device_id",
    "cookie_id",
    "national_id",
    "first_name",
    "last_name",
    "dob",
    "postcode",
    "city",
    "street",
)


def auto_ruleset(fields: set[str]) -> RuleSet:
    keys = [
        IdentityKey(field=f, priority=p, unique=(f == "national_id"))
        for f, p in sorted(_KEY_PRIORITY.items(), key=lambda kv: kv[1])
        if f in fields
    ]
    blocking = [Blocking(name=f"same {k.field}", fields=[k.field]) for k in keys]
    if {"last_name", "dob"} <= fields:
        blocking.append(Blocking(name="same last name and dob", fields=["last_name", "dob"]))
    if {"first_name", "last_name", "postcode"} <= fields:
        blocking.append(
            Blocking(name="same name and postcode", fields=["first_name", "last_name", "postcode"])
        )
    if not blocking:
        raise ValueError(
            "no identity key is mapped (email, phone, customer_id, device_id, cookie_id, "
            "national_id); map one on import before resolving"
        )
    models = [
        FieldModel(field=f, levels=_LEVELS.get(f, _EXACT), tf_adjust=f in _TF)
        for f in _MODEL_ORDER
        if f in fields
    ]
    conflicts = [f for f in ("dob", "first_name") if f in fields]
    return RuleSet(
        name="auto",
        keys=keys,
        blocking=blocking,
        probabilistic=Probabilistic(fields=models, threshold=0.95),
        guardrails=Guardrails(conflict_fields=conflicts, max_block_size=100),
    )
