"""The Identity panel's rules editor: suggest, edit with undo and redo, validation next to the
field, candidate pairs per blocking rule, save and load, and a run whose results show."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPushButton, QWidget

from tests.helpers import csv_text, import_profiles, write_text
from workbench.identity.runs import list_identity_runs
from workbench.project import Project
from workbench.project.definitions import list_definitions
from workbench.ui.panels.base import PanelContext
from workbench.ui.session import ProjectSession
from workbench.ui.task_runner import TaskRunner

CUSTOMERS = csv_text(
    "customer_id,first_name,last_name,email",
    "C01,Ann,Lee,ann@x.com",
    "C01,Ann,Lee,ann.lee@x.com",
    "C02,Bob,Ray,bob@x.com",
    "C03,Bob,Ray,bob@x.com",
    "C04,Cy,Fox,cy@x.com",
    "C05,Di,Lu,di@x.com",
    "C06,Di,Lu,di@x.com",
    "C07,Di,Lu,di@x.com",
)
"""Same customer id: 1 pair. Same e-mail: bob 1 pair, di 3 pairs."""


class FakePage(QWidget):
    """Stands in for a page another part of the panel provides (profiles, graph, ...)."""

    sig_open_profile = Signal(object)
    """Open this GraphRequest."""
    sig_labels_changed = Signal()
    """The analyst labelled a pair."""

    def __init__(self, ctx: PanelContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.reloads = 0
        self.requests: list[object] = []

    def reload(self) -> None:
        self.reloads += 1

    def show_request(self, request: object) -> None:
        self.requests.append(request)


FAKES = dict.fromkeys(("Profiles", "Graph", "Review", "Compare runs"), FakePage)


class PanelMaker:
    """Builds IdentityPanels on projects, with stand-ins for the pages built elsewhere;
    ``close`` cancels and joins their jobs and closes their sessions."""

    def __init__(self, qtbot) -> None:
        self.qtbot = qtbot
        self.made: list[tuple[TaskRunner, ProjectSession]] = []
        self.errors: list[tuple[str, str]] = []

    def __call__(self, project: Project | None, pages: dict | None = None):
        from workbench.ui.panels.identity.panel import IdentityPanel

        runner = TaskRunner()
        session = ProjectSession()
        session.set_project(project)
        ctx = PanelContext(
            session,
            runner,
            confirm=lambda *_a: True,
            show_error=lambda t, m, _d="": self.errors.append((t, m)),
        )
        panel = IdentityPanel(ctx, pages=FAKES if pages is None else pages)
        self.qtbot.addWidget(panel)
        panel.resize(1150, 800)
        panel.show()
        self.made.append((runner, session))
        return panel

    def close(self) -> None:
        for runner, session in self.made:
            runner.cancel_all()
            runner.pool.waitForDone()
            session.close(announce=False)


@pytest.fixture
def make_panel(qtbot) -> Iterator[PanelMaker]:
    maker = PanelMaker(qtbot)
    yield maker
    maker.close()


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    project = Project.create(tmp_path / "rules.wbproj")
    import_profiles(project, write_text(tmp_path / "crm.csv", CUSTOMERS), name="crm")
    yield project
    project.close()


@pytest.fixture
def panel(make_panel, project):
    return make_panel(project)


def rules_of(panel):
    return panel.rules_page


def live(parent: QWidget, cls: type, name: str | None = None) -> list:
    """Children of ``parent`` of a class that are part of the current rows (a rebuild hides
    the old rows before deleting them)."""
    return [w for w in parent.findChildren(cls, name) if not w.isHidden()]


def choose(combo, value: str) -> None:
    """Pick ``value`` in a combo box as a user would (activated is what the editor hears)."""
    index = combo.findData(value)
    assert index >= 0, value
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def type_into(qtbot, edit, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(edit, text)


def wait_idle(qtbot, page) -> None:
    qtbot.waitUntil(lambda: not page.busy(), timeout=60_000)


# ----------------------------------------------------------------------------- suggest


def test_a_project_without_a_run_starts_from_the_suggested_rules(panel) -> None:
    page = rules_of(panel)
    assert page.origin.text() == "Suggested from the mapped roles"
    keys = page.editor.keys
    data = page.draft.data
    assert [k["field"] for k in data["keys"]] == ["customer_id", "email"]
    assert [b["name"] for b in data["blocking"]] == ["same customer_id", "same email"]
    assert {f["field"] for f in data["probabilistic"]["fields"]} >= {"email", "first_name"}
    # The widgets show the draft: one row per key, the model's threshold, no problems.
    assert [c.currentData() for c in live(keys, QComboBox)] == ["customer_id", "email"]
    assert page.editor.model.threshold.text() == "0.95"
    assert page.draft.ruleset is not None
    assert page.run_button.isEnabled()
    assert not panel.undo_stack().canUndo()  # loading is not an edit


def test_suggest_fills_the_editor_again_and_is_undoable(qtbot, panel) -> None:
    page = rules_of(panel)
    keys = page.editor.keys
    qtbot.mouseClick(live(keys, QPushButton, "rowTool")[0], Qt.MouseButton.LeftButton)
    assert [k["field"] for k in page.draft.data["keys"]] == ["email"]
    page.editing.replace({"name": "empty", "blocking": [], "rules": []}, "Clear")
    assert page.draft.ruleset is None
    assert not page.run_button.isEnabled()
    qtbot.mouseClick(page.suggest_button, Qt.MouseButton.LeftButton)
    assert [k["field"] for k in page.draft.data["keys"]] == ["customer_id", "email"]
    assert page.draft.data["name"] == "auto"
    assert page.name_edit.text() == "auto"
    assert page.run_button.isEnabled()
    stack = panel.undo_stack()
    stack.undo()
    assert page.draft.data["name"] == "empty"
    assert page.name_edit.text() == "empty"
    stack.undo()
    stack.undo()
    assert [k["field"] for k in page.draft.data["keys"]] == ["customer_id", "email"]


# ------------------------------------------------------------------------------- edits


def test_rules_are_added_reordered_switched_off_removed_and_undone(qtbot, panel) -> None:
    page = rules_of(panel)
    section = page.editor.rules
    stack = panel.undo_stack()
    qtbot.mouseClick(section.add, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(section.add, Qt.MouseButton.LeftButton)
    assert [b.name.text() for b in section.boxes] == ["rule 1", "rule 2"]
    type_into(qtbot, section.boxes[0].name, "same customer")
    choose(section.boxes[0].rows[0].field, "customer_id")
    choose(section.boxes[0].rows[0].method, "exact")
    assert page.draft.ruleset is not None
    assert page.draft.ruleset.rules[0].name == "same customer"
    assert page.draft.ruleset.rules[0].comparisons[0].field == "customer_id"

    # Reorder: rule 2 moves up; the buttons of the first and last rule say what they can do.
    assert not section.boxes[0].up.isEnabled()
    assert not section.boxes[1].down.isEnabled()
    qtbot.mouseClick(section.boxes[1].up, Qt.MouseButton.LeftButton)
    assert [r.name for r in page.draft.ruleset.rules] == ["rule 2", "same customer"]
    assert [b.name.text() for b in section.boxes] == ["rule 2", "same customer"]

    # Switch one off: it stays in the rule set, disabled, and its rows are greyed.
    section.boxes[1].enabled.click()
    assert page.draft.ruleset.rules[1].enabled is False
    assert not section.boxes[1].body.isEnabled()

    # Add a comparison to a rule, then remove the other rule.
    qtbot.mouseClick(section.boxes[0].add, Qt.MouseButton.LeftButton)
    assert len(page.draft.ruleset.rules[0].comparisons) == 2
    qtbot.mouseClick(section.boxes[1].remove, Qt.MouseButton.LeftButton)
    assert [r.name for r in page.draft.ruleset.rules] == ["rule 2"]
    assert len(section.boxes) == 1

    # Undo walks back through every step, the widgets following; redo goes forward again.
    stack.undo()  # the removed rule comes back, switched off
    assert [r.name for r in page.draft.ruleset.rules] == ["rule 2", "same customer"]
    assert not section.boxes[1].enabled.isChecked()
    stack.undo()  # the added comparison goes
    assert len(page.draft.ruleset.rules[0].comparisons) == 1
    stack.undo()  # switched on again
    assert section.boxes[1].enabled.isChecked()
    stack.undo()  # the move
    assert [b.name.text() for b in section.boxes] == ["same customer", "rule 2"]
    stack.undo()
    stack.undo()
    stack.undo()  # the rename (one step for the whole word)
    assert section.boxes[0].name.text() == "rule 1"
    stack.redo()
    assert section.boxes[0].name.text() == "same customer"
    while stack.canRedo():
        stack.redo()
    assert [r.name for r in page.draft.ruleset.rules] == ["rule 2"]


def test_an_invalid_threshold_is_shown_next_to_it_and_blocks_the_run(qtbot, panel) -> None:
    page = rules_of(panel)
    section = page.editor.rules
    qtbot.mouseClick(section.add, Qt.MouseButton.LeftButton)
    row = section.boxes[0].rows[0]
    choose(row.field, "first_name")
    choose(row.method, "jaro_winkler")
    assert row.threshold.text() == "0.9"  # a method that needs a threshold proposes one
    assert row.problem.isHidden()

    type_into(qtbot, row.threshold, "1.5")
    assert page.draft.get(("rules", 0, "comparisons", 0, "threshold")) == 1.5
    assert row.problem.isVisible()
    assert "needs a threshold in (0, 1]" in row.problem.text()
    assert row.threshold.property("invalid") is True
    assert not page.run_button.isEnabled()
    assert not page.count_button.isEnabled()
    assert page.status.objectName() == "error"
    assert "threshold" in page.status.text()

    type_into(qtbot, row.threshold, "0.8x")
    assert row.problem.text() == "Enter a number"

    type_into(qtbot, row.threshold, "0.85")
    assert row.problem.isHidden()
    assert row.threshold.property("invalid") is False
    assert page.run_button.isEnabled()
    assert page.draft.ruleset.rules[0].comparisons[0].threshold == 0.85

    # The model's threshold must be a probability: its message sits beside it.
    model = page.editor.model
    type_into(qtbot, model.threshold, "1.2")
    problem = page.editing._targets[("probabilistic", "threshold")].label
    assert problem.isVisible()
    assert "less than 1" in problem.text()
    assert not page.run_button.isEnabled()
    panel.undo_stack().undo()
    assert model.threshold.text() == "0.95"
    assert page.run_button.isEnabled()


def test_a_field_no_source_maps_is_refused_where_it_is_used(qtbot, panel) -> None:
    page = rules_of(panel)
    section = page.editor.rules
    qtbot.mouseClick(section.add, Qt.MouseButton.LeftButton)
    choose(section.boxes[0].rows[0].field, "phone")
    assert (
        "No profile source has a column with role phone" in section.boxes[0].rows[0].problem.text()
    )
    assert section.boxes[0].rows[0].field.property("invalid") is True
    assert not page.run_button.isEnabled()


def test_nothing_to_match_is_said_at_the_top(qtbot, panel) -> None:
    page = rules_of(panel)
    qtbot.mouseClick(page.editor.model.switch, Qt.MouseButton.LeftButton)
    assert page.draft.get(("probabilistic",)) is None
    assert "no enabled rule and no probabilistic model" in page.editor.problem.text()
    assert page.editor.problem.isVisible()
    assert not page.run_button.isEnabled()
    qtbot.mouseClick(page.editor.model.switch, Qt.MouseButton.LeftButton)
    assert page.editor.model.threshold.text() == "0.95"  # the model it had comes back
    assert page.run_button.isEnabled()


def test_keys_normalisers_and_guardrails_edit_the_rule_set(qtbot, panel) -> None:
    page = rules_of(panel)
    keys = page.editor.keys
    qtbot.mouseClick(keys.add, Qt.MouseButton.LeftButton)
    assert page.draft.ruleset is None  # the only key left to add is not mapped (phone)
    panel.undo_stack().undo()
    email_unique = [b for b in live(keys, QCheckBox) if b.text() == "two people"][1]
    email_unique.click()
    assert page.draft.ruleset.keys[1].unique is True

    normalizers = page.editor.normalizers
    edits = dict(zip(normalizers._fields, live(normalizers, QLineEdit), strict=True))
    type_into(qtbot, edits["email"], "trim, lower, shout")
    assert page.draft.ruleset is None
    problem = page.editing._targets[("normalizers", "email")].label
    assert "normalizer 'shout' for 'email' is unknown" in problem.text().lower()
    type_into(qtbot, edits["email"], "trim, lower")
    assert page.draft.ruleset.normalizers["email"] == ["trim", "lower"]
    type_into(qtbot, edits["email"], "")
    assert "email" not in page.draft.ruleset.normalizers  # empty: the engine default

    guard = page.editor.guardrails
    boxes = {b.text(): b for b in live(guard, QCheckBox)}
    assert boxes["First names must agree (first_name)"].isChecked()
    assert not boxes["Birth dates must agree (dob)"].isChecked()  # no source has a dob
    boxes["First names must agree (first_name)"].click()
    assert page.draft.ruleset.guardrails.conflict_fields == []
    boxes["Birth dates must agree (dob)"].click()
    problem = page.editing._targets[("guardrails", "conflict_fields")].label
    assert problem.text() == "No profile source has a column with role dob"
    assert not page.run_button.isEnabled()


# ----------------------------------------------------------------------- pairs and run


def test_candidate_pairs_are_counted_per_blocking_rule(qtbot, panel) -> None:
    page = rules_of(panel)
    qtbot.mouseClick(page.count_button, Qt.MouseButton.LeftButton)
    assert page.busy()
    wait_idle(qtbot, page)
    labels = [label.text() for label in page.editor.blocking._count_labels]
    assert labels == ["1", "4"]
    assert "5 candidate pairs from 2 blocking rules" in page.status.text()

    # Counts belong to the rules they were made for: an edit clears them.
    page.editing.set(("guardrails", "max_pairs"), 3, "Lower the pair limit")
    assert [label.text() for label in page.editor.blocking._count_labels] == ["—", "—"]
    qtbot.mouseClick(page.count_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)
    over = page.editor.blocking._count_labels[1]
    assert over.text() == "4  over limit"
    assert over.objectName() == "error"
    assert "over the limit of 3" in page.status.text()


def test_save_stores_a_definition_and_load_brings_it_back(qtbot, panel, project) -> None:
    page = rules_of(panel)
    type_into(qtbot, page.name_edit, "strict")
    type_into(qtbot, page.editor.model.threshold, "0.99")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    saved = [(d.kind, d.name, d.version) for d in list_definitions(project)]
    assert ("identity", "strict", 1) in saved
    assert "Saved 'strict' as version 1" in page.status.text()
    page.suggest()
    assert page.draft.data["name"] == "auto"
    page.load_saved("strict")
    assert page.draft.data["name"] == "strict"
    assert page.editor.model.threshold.text() == "0.99"


def test_run_makes_a_run_current_and_the_results_show_its_counts(qtbot, panel, project) -> None:
    page = rules_of(panel)
    page.editor.rules.add_rule()
    choose(page.editor.rules.boxes[0].rows[0].field, "customer_id")
    choose(page.editor.rules.boxes[0].rows[0].method, "exact")
    session = panel.ctx.session
    profiles = panel.page("Profiles")  # built before the run: it must hear about it
    with qtbot.waitSignal(session.sig_identity_changed, timeout=60_000) as announced:
        qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
        assert not page.run_button.isEnabled()
        assert page.cancel_button.isVisible()
    runs = list_identity_runs(project)
    assert [r["run_id"] for r in runs] == [announced.args[0]]
    assert runs[0]["current"]
    assert page.status.text().startswith(f"Run {runs[0]['run_id']}: 8 records")
    assert page.origin.text().endswith(runs[0]["run_id"])
    assert any(d.kind == "identity" and d.name == "auto" for d in list_definitions(project))

    assert panel.current_page() == "Results"
    results = panel.pages["Results"]
    qtbot.waitUntil(lambda: results.results is not None and results.job is None, timeout=30_000)
    assert results.results.run_id == runs[0]["run_id"]
    assert results.metrics["records"].text() == "8"
    assert results.metrics["profiles"].text() == f"{runs[0]['profiles']:,}"
    by_rule = {results.rules_model.row(i)[0] for i in range(results.rules_model.rowCount())}
    assert "rule 1" in by_rule  # the same customer id pair matched by the new rule
    assert profiles.reloads == 1  # the other pages hear about the new run


def test_a_failing_run_shows_the_engines_message(qtbot, panel, project) -> None:
    from workbench.project.sources import remove_source

    page = rules_of(panel)
    remove_source(project, "crm")  # behind the editor's back: the run must refuse
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)
    assert page.status.objectName() == "error"
    assert "no profile source" in page.status.text().lower()
    assert list_identity_runs(project) == []


def test_cancel_stops_the_run_and_keeps_the_project_as_it_was(qtbot, panel, project) -> None:
    page = rules_of(panel)
    qtbot.mouseClick(page.run_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)  # long before it can end
    assert page.status.text() == "Cancelling…"
    wait_idle(qtbot, page)
    assert page.status.text() == "Run cancelled; the previous run is still current."
    assert list_identity_runs(project) == []
    assert page.run_button.isEnabled()
    assert not page.cancel_button.isVisible()
