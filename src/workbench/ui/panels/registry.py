"""The workflow's steps, in order: the main window builds its navigation and panels from here.

A panel class is named by import path and loaded on first use, so adding a step means
adding a line here, and starting the app does not import panels nobody looked at yet.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.ui.panels.base import PanelContext, StepPanel


@dataclass(frozen=True)
class StepSpec:
    key: str
    title: str
    summary: str
    """One line under the title in the navigation."""
    panel: str
    """``module:Class`` of the panel."""
    ready: bool
    """False: the step is planned; its panel says plainly what it will hold."""


STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        "data",
        "Data",
        "Import sources, check rejects",
        "workbench.ui.panels.data.panel:DataPanel",
        ready=True,
    ),
    StepSpec(
        "identity",
        "Identity",
        "Match records into profiles",
        "workbench.ui.panels.identity.panel:IdentityPanel",
        ready=True,
    ),
    StepSpec(
        "segments",
        "Segments",
        "Audiences from behaviour",
        "workbench.ui.panels.segments.panel:SegmentsPanel",
        ready=True,
    ),
    StepSpec(
        "decisions",
        "Decisions",
        "Simulate strategies",
        "workbench.ui.panels.planned:DecisionsPanel",
        ready=False,
    ),
    StepSpec(
        "export",
        "Export",
        "Rules for production",
        "workbench.ui.panels.planned:ExportPanel",
        ready=False,
    ),
)
KEYS = tuple(s.key for s in STEPS)


def step(key: str) -> StepSpec:
    for spec in STEPS:
        if spec.key == key:
            return spec
    raise KeyError(f"no step '{key}'; steps are: {', '.join(KEYS)}")


def create_panel(spec: StepSpec, ctx: PanelContext) -> StepPanel:
    module_name, _, class_name = spec.panel.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls(ctx)
