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


class IdentityPanel(PlannedPanel):
    key = "identity"
    lead = "Resolve the records of every profile source into unified customer profiles."
    will_hold = (
        (
            "choose identity keys (e-mail, phone, customer id, device and cookie ids, name and "
            "address) and how each is compared: exact, normalised, fuzzy or probabilistic"
        ),
        "see how many candidate pairs a rule set produces before running it",
        "resolve every source's records into unified profiles with stable profile ids",
        "inspect a profile's identity graph: which records joined, by which rule and score",
        "find and fix over-merges and missed matches, and measure them against known truth ids",
    )
    until_then = (
        "Import and check your profile and event sources in the Data step; the identity "
        "roles you map there (email, phone, customer_id, ...) are what matching will use. "
        "The identity engine already runs from the command line "
        "(workbench resolve PROJECT --auto); the status bar shows the current run."
    )


class SegmentsPanel(PlannedPanel):
    key = "segments"
    lead = "Describe audiences by who customers are and what they did."
    will_hold = (
        (
            "build segments from profile attributes and behaviour: counts, sums, recency, "
            "time windows and sequences of events"
        ),
        "see live counts while editing, and overlaps between segments",
        "compare engagement between segments and drill down to members",
        "export segment membership",
    )
    until_then = "Segments need unified profiles, which come from an identity run."


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
