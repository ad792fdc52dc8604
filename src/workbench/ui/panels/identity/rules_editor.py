"""Every part of a rule set on one scrolling page: keys and candidate pairs, match rules, the
probabilistic model, guardrails and normalisers. Edits go through the undo stack."""

from __future__ import annotations

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFrame, QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from workbench.ui.panels.identity.rules_binding import RulesEditing
from workbench.ui.panels.identity.rules_blocking import BlockingSection, GuardrailsSection
from workbench.ui.panels.identity.rules_draft import RulesDraft
from workbench.ui.panels.identity.rules_keys import KeysSection, NormalizersSection
from workbench.ui.panels.identity.rules_match import MatchRulesSection
from workbench.ui.panels.identity.rules_probabilistic import ProbabilisticSection
from workbench.ui.panels.identity.rules_widgets import error_label

EDITOR_STYLE = """
QFrame#ruleBox { background: palette(alternate-base); border: 1px solid palette(mid);
    border-radius: 8px; }
QPushButton#rowTool { padding: 0; border-radius: 6px; }
QCheckBox#sectionSwitch { font-size: 14px; font-weight: 600; }
QLineEdit[invalid="true"], QComboBox[invalid="true"], QSpinBox[invalid="true"],
QPushButton[invalid="true"] { border: 1px solid palette(bright-text); }
QFrame#problemBanner { border: 1px solid palette(mid); border-radius: 8px;
    background: palette(base); }
"""
"""Outlines and row tools of the editor; colours come from the theme's palette."""


class RulesEditor(QScrollArea):
    """The sections: keys, guardrails and candidate pairs side by side, then the rest."""

    def __init__(self, draft: RulesDraft, stack: QUndoStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editing = RulesEditing(draft, stack, self)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setStyleSheet(EDITOR_STYLE)
        content = QWidget(objectName="page")
        outer = QVBoxLayout(content)
        outer.setContentsMargins(0, 0, 6, 6)
        outer.setSpacing(12)
        self.problem = error_label()
        self.editing.errors_at((), self.problem)
        outer.addWidget(self.problem)

        self.keys = KeysSection(self.editing)
        self.blocking = BlockingSection(self.editing)
        self.rules = MatchRulesSection(self.editing)
        self.model = ProbabilisticSection(self.editing)
        self.guardrails = GuardrailsSection(self.editing)
        self.normalizers = NormalizersSection(self.editing)
        left = QVBoxLayout()
        left.setSpacing(12)
        left.addWidget(self.keys)
        left.addWidget(self.guardrails, 1)
        top = QHBoxLayout()
        top.setSpacing(12)
        top.addLayout(left, 2)
        top.addWidget(self.blocking, 3)
        outer.addLayout(top)
        outer.addWidget(self.rules)
        outer.addWidget(self.model)
        outer.addWidget(self.normalizers)
        outer.addStretch(1)
        self.setWidget(content)
        self.editing.show_problems()
