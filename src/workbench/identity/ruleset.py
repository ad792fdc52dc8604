"""The identity rule set: a versioned, validated definition stored as JSON.

A pair of records is a match when any enabled deterministic rule holds, or when
the probabilistic model's match probability reaches its threshold. Guardrails
then decide which matches may join clusters: records whose conflict fields
disagree (two birth dates, two unique customer ids) never share a profile.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from workbench.ingest.roles import IDENTITY_ROLES

SCHEMA_VERSION = 1

FIELDS = IDENTITY_ROLES
"""Fields a rule set can use: the identity roles of profile sources."""

Method = Literal[
    "exact",
    "normalized",
    "jaro_winkler",
    "levenshtein",
    "token_set",
    "date",
    "number",
    "phonetic",
]
NORMALIZERS = (
    "trim",
    "spaces",
    "lower",
    "accents",
    "letters",
    "email",
    "email_provider_rules",
    "phone",
    "nickname",
    "date",
    "postcode",
    "digits",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class IdentityKey(_Model):
    """A field that identifies people on its own, with its trust."""

    field: str
    priority: int = Field(1, ge=1, description="1 is the most trusted key")
    unique: bool = Field(
        False, description="two different values mean two different people (a customer id)"
    )


class Comparison(_Model):
    field: str
    method: Method = "normalized"
    threshold: float | None = Field(
        None,
        description="similarity in 0..1 for fuzzy methods, edit distance for levenshtein, "
        "days for date, absolute difference for number",
    )

    @model_validator(mode="after")
    def _threshold_fits(self) -> Comparison:
        t = self.threshold
        if self.method in ("jaro_winkler", "token_set"):
            if t is None or not 0.0 < t <= 1.0:
                raise ValueError(f"{self.method} on '{self.field}' needs a threshold in (0, 1]")
        elif self.method in ("levenshtein", "date", "number"):
            if t is None or t < 0:
                raise ValueError(f"{self.method} on '{self.field}' needs a threshold >= 0")
        elif t is not None:
            raise ValueError(f"{self.method} on '{self.field}' takes no threshold")
        return self


class MatchRule(_Model):
    """Records match when every comparison holds (an AND)."""

    name: str
    comparisons: list[Comparison] = Field(min_length=1)
    enabled: bool = True


class Level(_Model):
    """One comparison level of a probabilistic field, strongest first."""

    method: Method
    threshold: float | None = None


class FieldModel(_Model):
    field: str
    levels: list[Level] = Field(min_length=1)
    tf_adjust: bool = Field(False, description="weight rare agreeing values more")
    m: list[float] | None = Field(None, description="trained: P(level | match)")
    u: list[float] | None = Field(None, description="trained: P(level | non-match)")


class Probabilistic(_Model):
    fields: list[FieldModel] = Field(min_length=1)
    threshold: float = Field(0.95, gt=0.0, lt=1.0, description="match probability")
    prior: float | None = Field(None, description="trained: share of matches among pairs")


class Blocking(_Model):
    """Candidate pairs agree exactly on all these (normalised) fields."""

    name: str
    fields: list[str] = Field(min_length=1)


CONFLICT_FIELDS = ("dob", "first_name")


class Guardrails(_Model):
    conflict_fields: list[str] = Field(
        default_factory=list,
        description="fields a person has one value of (dob, first_name): a clear "
        "disagreement keeps two records apart, even through a chain of matches",
    )
    max_profile_size: int | None = Field(None, ge=2)
    max_block_size: int = Field(
        100, ge=2, description="a key value shared by more records is not used for blocking"
    )
    max_pairs: int = Field(
        50_000_000, ge=1, description="refuse a blocking rule producing more pairs"
    )

    @field_validator("conflict_fields")
    @classmethod
    def _known_conflicts(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in CONFLICT_FIELDS:
                raise ValueError(
                    f"'{name}' cannot be a conflict field (use {' or '.join(CONFLICT_FIELDS)}); "
                    "for an id that means two people when it differs, set unique: true on "
                    "its identity key"
                )
        return value


Survivorship = Literal["most_frequent", "source_priority"]


class RuleSet(_Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    name: str = "rules"
    normalizers: dict[str, list[str]] = Field(default_factory=dict)
    keys: list[IdentityKey] = Field(default_factory=list)
    blocking: list[Blocking] = Field(min_length=1)
    rules: list[MatchRule] = Field(default_factory=list)
    probabilistic: Probabilistic | None = None
    guardrails: Guardrails = Field(default_factory=Guardrails)
    survivorship: dict[str, Survivorship] = Field(
        default_factory=dict,
        description="per field: how a profile's golden value is chosen (default most_frequent)",
    )
    source_priority: list[str] = Field(
        default_factory=list, description="sources in order of trust, for source_priority"
    )

    @field_validator("normalizers")
    @classmethod
    def _known_normalizers(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for field, names in value.items():
            for name in names:
                if name not in NORMALIZERS:
                    raise ValueError(
                        f"normalizer '{name}' for '{field}' is unknown; known: "
                        + ", ".join(NORMALIZERS)
                    )
        return value

    @model_validator(mode="after")
    def _something_matches(self) -> RuleSet:
        if not any(r.enabled for r in self.rules) and self.probabilistic is None:
            raise ValueError("the rule set has no enabled rule and no probabilistic model")
        return self

    def fields_used(self) -> set[str]:
        used = {k.field for k in self.keys} | set(self.guardrails.conflict_fields)
        used |= {f for b in self.blocking for f in b.fields}
        used |= {c.field for r in self.rules for c in r.comparisons}
        if self.probabilistic is not None:
            used |= {f.field for f in self.probabilistic.fields}
        return used

    def check_fields(self, available: set[str]) -> None:
        """Raise ValueError naming every field no source provides."""
        unknown = sorted(f for f in self.fields_used() if f not in FIELDS)
        if unknown:
            raise ValueError(
                f"unknown field(s) {', '.join(unknown)}; fields are: {', '.join(FIELDS)}"
            )
        missing = sorted(f for f in self.fields_used() if f not in available)
        if missing:
            raise ValueError(
                f"no profile source has a column with role {', '.join(missing)}; "
                f"mapped identity roles are: {', '.join(sorted(available)) or 'none'}"
            )
