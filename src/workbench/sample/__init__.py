"""Synthetic retail customer data for the demo project and benchmarks.

``generate`` is imported lazily so ``python -m workbench.sample.generator``
does not load the module twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.sample.manifest import SampleManifest, SampleSource

if TYPE_CHECKING:
    from workbench.sample.generator import generate

__all__ = ["SampleManifest", "SampleSource", "generate"]


def __getattr__(name: str) -> Any:
    if name == "generate":
        from workbench.sample.generator import generate  # noqa: PLC0415 - see module doc

        return generate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
