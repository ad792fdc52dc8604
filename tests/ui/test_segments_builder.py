"""The Segments panel's builder: editing through the widgets, live counts, undo, validation,
the saved-segment list and templates, on a small resolved sample project."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

SAMPLE_PEOPLE = 300
SAMPLE_SEED = 5


@pytest.fixture(scope="module")
def resolved_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated sample, imported and resolved once for this module (tests open copies)."""
    from workbench.sample import generate
    from workbench.sample.demo_project import build_project

    folder = tmp_path_factory.mktemp("segments_ui")
    manifest = generate(folder / "data", SAMPLE_PEOPLE, seed=SAMPLE_SEED)
    return build_project(folder / "s.wbproj", folder / "data", manifest, resolve_identities=True)


def _copy(resolved_sample: Path, tmp_path: Path, keep_segments: bool) -> Path:
    """A copy of the sample; without its saved (template) segments unless kept."""
    from workbench.project import Project
    from workbench.segments.catalog import clear_cache
    from workbench.segments.store import delete_segment, list_segments

    path = tmp_path / "s.wbproj"
    shutil.copyfile(resolved_sample, path)
    clear_cache()
    if not keep_segments:
        project = Project.open(path)
        try:
            for info in list_segments(project):
                delete_segment(project, info.name)
        finally:
            project.close()
    return path


@pytest.fixture
def keep_segments() -> bool:
    return False


@pytest.fixture
def panel(
    qtbot, resolved_sample: Path, tmp_path: Path, confirmations, keep_segments: bool
) -> Iterator:
    """The Segments panel on a fresh copy of the sample, with its catalog loaded."""
    from workbench.ui.panels.base import PanelContext
    from workbench.ui.panels.segments.panel import SegmentsPanel
    from workbench.ui.session import ProjectSession
    from workbench.ui.task_runner import TaskRunner

    path = _copy(resolved_sample, tmp_path, keep_segments)
    session = ProjectSession()
    runner = TaskRunner()
    assert session.open(path)
    errors: list[tuple[str, str, str]] = []
    ctx = PanelContext(
        session, runner, confirm=confirmations, show_error=lambda *a: errors.append(a)
    )
    widget = SegmentsPanel(ctx)
    widget.errors_shown = errors
    qtbot.addWidget(widget)
    widget.resize(1300, 900)
    qtbot.waitUntil(lambda: widget.catalog is not None, timeout=20000)
    yield widget
    runner.cancel_all()
    session.close(announce=False)


# ---------------------------------------------------------------------- helpers
def add(builder, group_path: tuple, kind: str) -> tuple:
    """Click "+ Add condition" in a group and choose ``kind``; the new row's path."""
    box = builder.tree.rows[group_path]
    before = len(box.group["conditions"])
    actions = [a for a in box.add_button.menu().actions() if a.data() == kind]
    assert actions, f"no '{kind}' in the add menu"
    actions[0].trigger()
    return (*group_path, before)


def pick(combo, value) -> None:
    """Choose the item holding ``value``, as a user would."""
    from workbench.ui.signals import emit

    index = combo.findData(value)
    assert index >= 0, f"{value!r} is not offered"
    combo.setCurrentIndex(index)
    emit(combo.activated, index)


def wait_count(qtbot, builder) -> None:
    qtbot.waitUntil(
        lambda: builder.last_count is not None and builder.counter.job is None, timeout=20000
    )


def build_example(qtbot, builder) -> None:
    """Purchase at least twice in the last 30 days, and NOT (any of: tier is Gold)."""
    event = add(builder, (), "event")
    row = builder.tree.rows[event]
    pick(row.event_pick, "purchase")
    row.test_editor.low.setValue(2)
    group = add(builder, (), "group")
    attribute = add(builder, group, "attribute")
    attr_row = builder.tree.rows[attribute]
    pick(attr_row.editor.field, "loyalty_tier")
    pick(attr_row.editor.op, "equals")
    qtbot.keyClicks(attr_row.editor.text_box.lineEdit(), "Gold")
    group_box = builder.tree.rows[group]
    assert group_box.any_button.isChecked()  # a new nested group starts as "any of"
    group_box.negate.click()


def expected_example(name: str):
    from workbench.segments.model import (
        AttributeCondition,
        EventCondition,
        Group,
        NumberTest,
        Segment,
        Window,
    )

    return Segment(
        name=name,
        root=Group(
            op="and",
            conditions=[
                EventCondition(
                    event_type="purchase",
                    test=NumberTest(op="at_least", value=2),
                    window=Window(kind="last_days", days=30),
                ),
                Group(
                    op="or",
                    negate=True,
                    conditions=[AttributeCondition(field="loyalty_tier", value="Gold")],
                ),
            ],
        ),
    )


# ---------------------------------------------------------------------- tests
def test_widgets_build_the_expected_definition(qtbot, panel) -> None:
    from workbench.ui.panels.segments.condition_event_rows import EventRow

    builder = panel.builder
    assert builder.draft["name"] == "New segment"  # no saved segments: a new one is open
    build_example(qtbot, builder)
    assert isinstance(builder.tree.rows[(0,)], EventRow)
    assert builder.segment() == expected_example("New segment")
    assert builder.dirty
    assert builder.unsaved.isVisibleTo(builder)
    builder.tree.rows[(1,)].all_button.click()  # toggle the group to "all of"
    assert builder.segment().root.conditions[1].op == "and"


def test_live_count_lands_and_matches_the_engine(qtbot, panel) -> None:
    from workbench.segments.evaluate import count_segment

    builder = panel.builder
    build_example(qtbot, builder)
    wait_count(qtbot, builder)
    segment = builder.segment()
    expected = count_segment(panel.project, segment)
    assert builder.last_count.members == expected.members
    assert builder.last_count.profiles == expected.profiles > 0
    card = builder.count_card
    assert card.members.text() == f"{expected.members:,}"
    assert f"of {expected.profiles:,} profiles" in card.share.text()
    assert card.as_of.text().startswith("as of ")
    assert "latest event" in card.as_of.text()

    # two quick edits: only the last definition's count is shown
    row = builder.tree.rows[(0,)]
    row.test_editor.low.setValue(3)
    row.test_editor.low.setValue(1)
    assert card.state.text() == "counting…"
    wait_count(qtbot, builder)
    assert builder.segment().root.conditions[0].test.value == 1
    assert builder.last_count.members == count_segment(panel.project, builder.segment()).members


def test_undo_and_redo_restore_definitions_and_widgets(qtbot, panel) -> None:
    builder = panel.builder
    stack = panel.undo_stack()
    event = add(builder, (), "event")
    builder.tree.rows[event].test_editor.low.setValue(2)
    builder.tree.rows[event].test_editor.low.setValue(5)  # merges with the edit before
    assert builder.segment().root.conditions[0].test.value == 5
    stack.undo()
    assert builder.segment().root.conditions[0].test.value == 1
    assert builder.tree.rows[event].test_editor.low.value() == 1
    stack.undo()
    assert builder.segment().root.conditions == []
    assert event not in builder.tree.rows
    stack.redo()
    stack.redo()
    assert builder.segment().root.conditions[0].test.value == 5
    assert builder.tree.rows[event].test_editor.low.value() == 5


def test_an_invalid_value_is_explained_on_its_own_row(qtbot, panel) -> None:
    builder = panel.builder
    event = add(builder, (), "event")
    group = add(builder, (), "group")
    attribute = add(builder, group, "attribute")
    row = builder.tree.rows[event]
    pick(row.test_editor.op, "between")
    row.test_editor.low.setValue(5)
    row.test_editor.high.setValue(2)
    assert "high is below low" in builder.row_error(event)
    assert builder.row_error(attribute) == ""
    assert builder.segment() is None
    assert builder.count_card.state.text() == "not counted"
    assert not builder.save_button.isEnabled()

    row.test_editor.high.setValue(9)
    assert builder.row_error(event) == ""
    attr = builder.tree.rows[attribute]
    pick(attr.editor.op, "in")  # "is one of" with nothing chosen yet
    assert "non-empty list" in builder.row_error(attribute)
    assert builder.row_error(event) == ""
    qtbot.keyClicks(attr.editor.list_edit, "Gold, Silver")
    assert builder.row_error(attribute) == ""
    assert builder.segment().root.conditions[1].conditions[0].values == ["Gold", "Silver"]


def test_text_values_are_offered_from_the_data(qtbot, panel) -> None:
    builder = panel.builder
    path = add(builder, (), "attribute")
    row = builder.tree.rows[path]
    pick(row.editor.field, "loyalty_tier")
    pick(row.editor.op, "equals")
    box = row.editor.text_box
    qtbot.waitUntil(lambda: box.count() > 0, timeout=20000)
    offered = {box.itemText(i) for i in range(box.count())}
    assert {"Gold", "Silver", "Bronze"} <= offered


def test_save_duplicate_rename_delete_round_trip(qtbot, panel, confirmations) -> None:
    from workbench.segments.store import list_segments, load_segment, segment_versions

    project = panel.project
    builder = panel.builder
    changed: list[str] = []
    panel.ctx.session.sig_segments_changed.connect(changed.append)
    build_example(qtbot, builder)
    builder.name_edit.clear()
    qtbot.keyClicks(builder.name_edit, "Lapsed buyers")
    assert builder.save() == 1
    assert load_segment(project, "Lapsed buyers") == expected_example("Lapsed buyers")
    assert not builder.dirty
    assert not builder.unsaved.isVisibleTo(builder)
    assert panel.segment_list.names() == ["Lapsed buyers"]
    assert changed[-1] == "Lapsed buyers"

    builder.tree.rows[(0,)].test_editor.low.setValue(4)
    assert builder.dirty
    builder.save_button.click()
    assert [v.version for v in segment_versions(project, "Lapsed buyers")] == [1, 2]
    assert load_segment(project, "Lapsed buyers").root.conditions[0].test.value == 4

    panel.segment_list.select("Lapsed buyers")
    panel.segment_list.duplicate_button.click()
    assert {i.name for i in list_segments(project)} == {"Lapsed buyers", "Lapsed buyers copy"}
    copy = load_segment(project, "Lapsed buyers copy")
    assert copy.root == load_segment(project, "Lapsed buyers").root

    item = panel.segment_list.view.currentItem()
    assert item.text(0) == "Lapsed buyers copy"
    item.setText(0, "Lapsed, copy")  # what the inline editor does
    assert {i.name for i in list_segments(project)} == {"Lapsed buyers", "Lapsed, copy"}
    assert "Lapsed, copy" in panel.segment_list.names()
    assert changed[-1] == "Lapsed, copy"

    panel.segment_list.select("Lapsed, copy")
    assert builder.saved_name == "Lapsed, copy"
    panel.segment_list.delete_button.click()
    assert confirmations.asked[-1][0] == "Delete segment"
    assert [i.name for i in list_segments(project)] == ["Lapsed buyers"]
    assert panel.segment_list.names() == ["Lapsed buyers"]
    assert builder.saved_name == "Lapsed buyers"  # the remaining segment is open
    assert panel.errors_shown == []


def test_a_refused_delete_keeps_the_segment(qtbot, panel, confirmations) -> None:
    from workbench.segments.store import list_segments

    builder = panel.builder
    add(builder, (), "event")
    builder.save()
    confirmations.answer = False
    assert not panel.delete("New segment")
    assert [i.name for i in list_segments(panel.project)] == ["New segment"]


def test_a_template_becomes_an_editable_segment(qtbot, panel) -> None:
    from workbench.segments.store import load_segment
    from workbench.ui.panels.segments.templates_dialog import TemplatesDialog

    dialog = TemplatesDialog(panel.catalog, panel)
    qtbot.addWidget(dialog)
    usable = [k for k, r in dialog.results.items() if not isinstance(r, str)]
    assert usable
    dialog.select(usable[0])
    assert dialog.use_button.isEnabled()
    segment = dialog.chosen()
    assert segment is not None
    assert panel.open_template(segment)
    builder = panel.builder
    assert builder.segment().root == segment.root
    assert builder.dirty
    assert len(builder.tree.rows) > 1  # the template's conditions are rows to edit
    builder.remove_condition((0,))
    assert builder.segment().root.conditions == segment.root.conditions[1:]
    builder.save()
    assert (
        load_segment(panel.project, segment.name).root.conditions == (segment.root.conditions[1:])
    )
    for key, result in dialog.results.items():
        if isinstance(result, str):  # not applicable: greyed, with the reason
            dialog.select(key)
            assert not dialog.use_button.isEnabled()
            assert result in dialog.reason.text()


def test_json_view_and_view_members(qtbot, panel) -> None:
    builder = panel.builder
    build_example(qtbot, builder)
    builder.tabs.setCurrentIndex(1)
    shown = json.loads(builder.json_view.toPlainText())
    assert shown == builder.segment().model_dump(mode="json")
    assert not builder.members_button.isEnabled()  # not saved yet
    builder.save()
    assert builder.members_button.isEnabled()
    opened: list[str] = []
    members = panel.page("members")
    if hasattr(members, "show_segment"):
        original = members.show_segment
        members.show_segment = lambda name: (opened.append(name), original(name))
    builder.members_button.click()
    assert panel.pages.currentWidget() is members
    assert panel.page_buttons["members"].isChecked()
    if hasattr(members, "show_segment"):
        assert opened == ["New segment"]


@pytest.mark.parametrize("keep_segments", [True])
def test_saved_segments_are_listed_with_counts(qtbot, panel) -> None:
    from workbench.segments.evaluate import count_segment
    from workbench.segments.store import list_segments, load_segment

    saved = [i.name for i in list_segments(panel.project)]
    assert saved  # the sample is built with the templates that fit it
    listed = panel.segment_list
    assert listed.names() == saved
    assert panel.builder.saved_name == saved[0]  # the first one is open
    assert not panel.builder.dirty
    qtbot.waitUntil(lambda: set(listed.counts) >= set(saved), timeout=30000)
    first = listed.view.topLevelItem(0)
    members = count_segment(panel.project, load_segment(panel.project, saved[0])).members
    assert first.text(1) == f"{members:,}"
    listed.search.setText(saved[-1][:6])
    hidden = [listed.view.topLevelItem(i).isHidden() for i in range(len(saved))]
    assert not hidden[-1]
    assert any(hidden)


@pytest.mark.parametrize("keep_segments", [True])
def test_unsaved_changes_are_kept_unless_discarded(qtbot, panel, confirmations) -> None:
    builder = panel.builder
    names = panel.segment_list.names()
    first, second = names[0], names[1]
    add(builder, (), "bucket")
    assert builder.dirty
    confirmations.answer = False
    panel.segment_list.select(second)
    assert confirmations.asked[-1][0] == "Discard changes"
    assert builder.saved_name == first
    assert builder.dirty
    assert panel.segment_list.selected() == first

    panel.ctx.session.identity_changed("run")  # a new run: counts refresh, edits stay
    qtbot.waitUntil(lambda: panel._catalog_job is None, timeout=20000)
    assert builder.dirty
    assert builder.draft["root"]["conditions"][-1]["type"] == "bucket"

    confirmations.answer = True
    panel.segment_list.select(second)
    assert builder.saved_name == second
    assert not builder.dirty
