"""Steps that are planned but not built: each says plainly what it will hold, and offers nothing
that would pretend to work."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from workbench.ui.panels.base import PanelContext, StepPanel
from workbench.ui.panels.registry import KEYS, step


class PlannedPanel(StepPanel):
    """A step's future contents, stated as plain text."""

    lead = ""
    will_hold: tuple[str, ...] = ()
    until_then = ""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        spec = step(self.key)
        self.title = spec.title
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 28, 32, 28)
        outer.setSpacing(16)
        eyebrow = QLabel(f"Step {KEYS.index(self.key) + 1} of {len(KEYS)}", objectName="eyebrow")
        outer.addWidget(eyebrow)
        head = QHBoxLayout()
        head.addWidget(QLabel(spec.title, objectName="title"))
        badge = QLabel("Not built yet", objectName="badge")
        head.addWidget(badge, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addStretch(1)
        outer.addLayout(head)
        lead = QLabel(self.lead or spec.summary, objectName="subtitle")
        lead.setWordWrap(True)
        lead.setMaximumWidth(760)
        outer.addWidget(lead)

        card = QFrame(objectName="card")
        body = QVBoxLayout(card)
        body.setContentsMargins(24, 20, 24, 22)
        body.setSpacing(10)
        body.addWidget(QLabel("This step will let you", objectName="section"))
        for item in self.will_hold:
            row = QLabel(f"•  {item}")
            row.setWordWrap(True)
            body.addWidget(row)
        card.setMaximumWidth(760)
        outer.addWidget(card)

        note = QFrame(objectName="card")
        nl = QVBoxLayout(note)
        nl.setContentsMargins(24, 16, 24, 18)
        nl.addWidget(QLabel("Until then", objectName="section"))
        text = QLabel(self.until_then, objectName="muted")
        text.setWordWrap(True)
        nl.addWidget(text)
        note.setMaximumWidth(760)
        outer.addWidget(note)
        outer.addStretch(1)


class DecisionsPanel(PlannedPanel):
    key = "decisions"
    lead = "Decide what each customer gets, and simulate it before it goes live."
    will_hold = (
        "define strategies: eligibility, rules, content, arbitration and caps",
        "add control groups and A/B splits",
        "simulate a strategy on the resolved population and compare outcomes",
    )
    until_then = "Decision strategies work on segments, which come after identity resolution."


class ExportPanel(PlannedPanel):
    key = "export"
    lead = "Hand everything defined here to production, unchanged."
    will_hold = (
        "export identity rules, segments and strategies as one versioned rule set (JSON)",
        "export the same logic as SQL for your warehouse",
        "check that the small production runtime gives the same answers as the workbench",
    )
    until_then = "There is nothing to export until identity rules or segments are defined."
