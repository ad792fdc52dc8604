"""The rule set being edited: its JSON as the user left it, and what pydantic says about it.

The editor never holds a half-valid ``RuleSet``: it edits plain JSON (a threshold may be
"0.9x" while the user types) and builds the engine's model from it after every change, so
each problem comes back with the ``loc`` of the value at fault and is shown next to it.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QObject, Signal

from workbench.identity.ruleset import FIELDS, RuleSet
from workbench.ui.signals import emit

Path = tuple[str | int, ...]


class _Delete:
    """Set a path to DELETE to remove a dict key (a normaliser override); copies are itself."""

    def __copy__(self) -> _Delete:
        return self

    def __deepcopy__(self, _memo: object) -> _Delete:
        return self

    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()

TRAINED = ("m", "u", "prior")
"""Values a run trains again each time; not edited, so dropped on load."""

_NORMALIZER_FIELD = re.compile(r"normalizer '.*' for '(?P<field>[^']+)' is unknown")


@dataclass(frozen=True)
class Problem:
    loc: Path
    message: str


def untrained(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of rule-set JSON without trained m/u/prior (each run trains them again)."""
    out = copy.deepcopy(data)
    model = out.get("probabilistic")
    if isinstance(model, dict):
        model.pop("prior", None)
        for f in model.get("fields", []):
            for key in TRAINED:
                f.pop(key, None)
    return out


def friendly(message: str) -> str:
    """Pydantic's message, as a sentence for the person typing."""
    message = message.removeprefix("Value error, ")
    if message.startswith("Input should be a valid number"):
        return "Enter a number"
    if message.startswith("Input should be a valid integer"):
        return "Enter a whole number"
    if message.startswith("List should have at least 1 item"):
        return "Add at least one"
    return message  # the engine's own words (they name fields and methods as written)


class RulesDraft(QObject):
    """Rule-set JSON under edit; every change is announced and re-validated."""

    sig_value_changed = Signal(object)
    """A value was set: its path (a tuple)."""
    sig_structure_changed = Signal(object)
    """Items were added, removed or moved in the list or dict at this path (() is all)."""
    sig_validated = Signal()
    """Validation ran again: ``ruleset`` and ``problems`` are up to date."""

    def __init__(self, data: dict[str, Any] | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data: dict[str, Any] = {}
        self.available: set[str] | None = None
        """Fields the project's profile sources provide (None: no project to check against)."""
        self.ruleset: RuleSet | None = None
        self.problems: list[Problem] = []
        self.replace(data or {})

    # ------------------------------------------------------------------ reading
    def get(self, path: Path, default: Any = None) -> Any:
        node: Any = self.data
        for key in path:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                return default
        return node

    def items(self, path: Path) -> list[Any]:
        value = self.get(path)
        return value if isinstance(value, list) else []

    # ------------------------------------------------------------------ editing
    def set(self, path: Path, value: Any) -> None:
        parent = self._container(path[:-1], create=True)
        key = path[-1]
        if value is DELETE:
            if isinstance(parent, dict):
                parent.pop(key, None)
        else:
            parent[key] = copy.deepcopy(value)
        emit(self.sig_value_changed, path)
        self.validate()

    def insert(self, path: Path, index: int, item: Any) -> None:
        items = self._container(path, create=True, kind=list)
        items.insert(index, copy.deepcopy(item))
        self._structure(path)

    def remove(self, path: Path, index: int) -> Any:
        item = self._container(path).pop(index)
        self._structure(path)
        return item

    def move(self, path: Path, index: int, to: int) -> None:
        items = self._container(path)
        items.insert(to, items.pop(index))
        self._structure(path)

    def replace(self, data: dict[str, Any]) -> None:
        self.data = copy.deepcopy(data)
        self._structure(())

    def set_available(self, fields: set[str] | None) -> None:
        self.available = fields
        self.validate()

    def _container(self, path: Path, create: bool = False, kind: type = dict) -> Any:
        node: Any = self.data
        for i, key in enumerate(path):
            if isinstance(node, dict) and create and node.get(key) is None:
                node[key] = [] if (i == len(path) - 1 and kind is list) else {}
            node = node[key]
        return node

    def _structure(self, path: Path) -> None:
        emit(self.sig_structure_changed, path)
        self.validate()

    # --------------------------------------------------------------- validation
    def validate(self) -> None:
        problems: list[Problem] = []
        try:
            self.ruleset = RuleSet.model_validate(self.data)
        except ValidationError as exc:
            self.ruleset = None
            problems = [Problem(_where(err), friendly(err["msg"])) for err in exc.errors()]
        problems += self._unmapped_fields()
        if problems:
            self.ruleset = None
        self.problems = problems
        emit(self.sig_validated)

    def _unmapped_fields(self) -> list[Problem]:
        """Fields that are identity roles but no profile source maps (the run would refuse)."""
        if self.available is None:
            return []
        out = []
        for path, field in self.field_uses():
            if field in FIELDS and field not in self.available:
                out.append(Problem(path, f"No profile source has a column with role {field}"))
        return out

    def field_uses(self) -> list[tuple[Path, str]]:
        """Every place the rule set names a field, with its path."""
        uses: list[tuple[Path, str]] = []
        for i, key in enumerate(self.items(("keys",))):
            uses.append((("keys", i, "field"), key.get("field")))
        for i, block in enumerate(self.items(("blocking",))):
            uses += [(("blocking", i, "fields"), f) for f in block.get("fields") or []]
        for i, rule in enumerate(self.items(("rules",))):
            for j, c in enumerate(rule.get("comparisons") or []):
                uses.append((("rules", i, "comparisons", j, "field"), c.get("field")))
        for i, f in enumerate(self.items(("probabilistic", "fields"))):
            uses.append((("probabilistic", "fields", i, "field"), f.get("field")))
        conflicts = ("guardrails", "conflict_fields")
        uses += [(conflicts, f) for f in self.items(conflicts)]
        return [(p, f) for p, f in uses if isinstance(f, str)]

    def fields_used(self) -> list[str]:
        """Fields the rule set uses, in the engine's order of fields."""
        used = {f for _p, f in self.field_uses()} | set(self.get(("normalizers",)) or {})
        return [f for f in FIELDS if f in used]

    def problems_at(self, prefix: Path) -> list[Problem]:
        return [p for p in self.problems if p.loc[: len(prefix)] == prefix]


def _where(err: dict[str, Any]) -> Path:
    """The error's loc; a normaliser problem goes to the field it names."""
    loc = tuple(err["loc"])
    if loc == ("normalizers",):
        found = _NORMALIZER_FIELD.search(str(err["msg"]))
        if found:
            return ("normalizers", found.group("field"))
    return loc
