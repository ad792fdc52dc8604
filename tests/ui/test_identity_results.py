"""The Identity panel's results: a run's figures, charts and quality, the run picker, the
threshold line and what it would merge or split; and the routes between the panel's pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.identity.builders import add_tables, block, profiles_table, rules
from tests.ui.test_identity_rules import FakePage, PanelMaker
from workbench.identity.labels import set_label
from workbench.identity.pipeline import RunReport, resolve
from workbench.identity.runs import RecordRef, list_identity_runs
from workbench.identity.threshold import load_run_graph, profiles_at
from workbench.project import Project
from workbench.sample import generate
from workbench.sample.demo_project import build_project
from workbench.ui.panels.identity.requests import GraphRequest
from workbench.ui.panels.identity.results_charts import nines

SAMPLE_PEOPLE = 300

PEOPLE = profiles_table(
    "crm",
    "id,email,first_name,last_name,dob,person",
    "1,ann@x.com,Ann,Lee,1980-01-01,A",
    "2,ann@x.com,Ann,Lee,1980-01-01,A",
    "3,ann@x.com,Anne,Lee,1980-01-01,A",
    "4,bob@x.com,Bob,Ray,1970-02-02,B",
    "5,bob@x.com,Bob,Ray,,B",
    "6,cy@x.com,Cy,Fox,1990-03-03,C",
    "7,di@x.com,Di,Lu,1985-05-05,D",
    "8,di@y.com,Di,Lu,1985-05-05,D",
    person="truth_id",
)
MODEL = {
    "threshold": 0.9,
    "fields": [
        {"field": "email", "levels": [{"method": "exact"}]},
        {"field": "first_name", "levels": [{"method": "exact"}]},
        {"field": "last_name", "levels": [{"method": "exact"}]},
        {"field": "dob", "levels": [{"method": "exact"}]},
    ],
}


def run(project: Project, name: str, threshold: float = 0.9) -> RunReport:
    ruleset = rules(
        name=name,
        blocking=[block("email"), block("last_name", "dob")],
        probabilistic={**MODEL, "threshold": threshold},
    )
    return resolve(project, ruleset)


@pytest.fixture
def make_panel(qtbot) -> Iterator[PanelMaker]:
    maker = PanelMaker(qtbot)
    yield maker
    maker.close()


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, RunReport]:
    """A generated sample with truth ids, resolved once with the automatic rules (the file
    is opened afresh by each test, which must leave it as it is)."""
    folder = tmp_path_factory.mktemp("sample")
    manifest = generate(folder / "data", SAMPLE_PEOPLE, seed=3)
    path = build_project(folder / "sample.wbproj", folder / "data", manifest)
    with Project.open(path) as project:
        report = resolve(project)
    return path, report


@pytest.fixture
def resolved(sample_run: tuple[Path, RunReport]) -> Iterator[tuple[Project, RunReport]]:
    path, report = sample_run
    project = Project.open(path)
    yield project, report
    project.close()


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Project]:
    """Eight records of four people with truth ids, resolved once."""
    project = Project.create(tmp_path / "results.wbproj")
    add_tables(project, tmp_path, PEOPLE)
    run(project, "people")
    yield project
    project.close()


def results_of(qtbot, panel):
    """The Results page, shown and loaded."""
    page = panel.show_page("Results")
    qtbot.waitUntil(lambda: page.job is None and page.results is not None, timeout=30_000)
    return page


def test_the_results_show_the_runs_figures_charts_and_quality(qtbot, make_panel, resolved):
    project, report = resolved
    panel = make_panel(project)
    page = results_of(qtbot, panel)
    assert page.results.run_id == report.run_id
    assert page.metrics["records"].text() == f"{report.records:,}"
    assert page.metrics["profiles"].text() == f"{report.profiles:,}"
    assert page.metrics["merge_rate"].text() == f"{report.merge_rate:.1%}"
    assert page.metrics["matched"].text() == f"{report.matched_pairs:,}"
    e = report.evaluation
    assert e is not None
    assert page.metrics["precision"].text() == f"{e['precision']:.2%}"
    assert page.metrics["recall"].text() == f"{e['recall']:.2%}"
    assert page.metrics["f1"].text() == f"{e['f1']:.2%}"
    assert page.metric_frames["f1"].isVisible()
    assert f"truth ids of {report.records:,} records" in page.quality_note.text()
    # Profile sizes as bars, matched pairs by rule, timings of every stage.
    assert page.histogram.labels == list(report.size_histogram)
    assert page.histogram.counts == list(report.size_histogram.values())
    assert page.rules_model.row(0)[:2] == ["probabilistic", report.matched_pairs]
    stages = [page.timings_model.row(i)[0] for i in range(page.timings_model.rowCount())]
    assert stages[0] == "Normalising records"
    assert "Training the model" in stages
    # The precision/recall curve of the run, and the threshold line at the run's threshold.
    curve = e["threshold_curve"]
    xs, ys = page.threshold.chart.precision.getData()
    assert list(ys) == [p["precision"] for p in curve]
    assert list(xs) == pytest.approx([nines(p["threshold"]) for p in curve])
    assert page.threshold.chart.threshold == pytest.approx(0.95)
    assert page.threshold.isVisible()
    assert page.threshold.profiles.text() == f"{report.profiles:,} profiles"


def test_dragging_the_threshold_shows_what_would_split(qtbot, make_panel, resolved):
    project, report = resolved
    panel = make_panel(project)
    page = results_of(qtbot, panel)
    expected = profiles_at(load_run_graph(project), 0.99999)
    assert expected.splits > 0  # the data has matches weaker than that
    with qtbot.waitSignal(page.threshold.explorer.sig_result, timeout=30_000) as answer:
        page.threshold.chart.line.setValue(nines(0.99999))  # what a drag does
        assert page.threshold.detail.text() == "Counting profiles…"
    result = answer.args[0]
    assert result.threshold == pytest.approx(0.99999)
    assert (result.profiles, result.splits) == (expected.profiles, expected.splits)
    delta = expected.profiles - report.profiles
    assert page.threshold.profiles.text() == f"{expected.profiles:,} profiles  ({delta:+,})"
    assert f"{expected.splits:,} would split" in page.threshold.detail.text()
    assert page.threshold.use_button.isEnabled()

    # Below the run's threshold nothing new is known, and the page says so.
    with qtbot.waitSignal(page.threshold.explorer.sig_result, timeout=30_000):
        page.threshold.chart.line.setValue(nines(0.6))
    assert page.threshold.profiles.text() == f"{report.profiles:,} profiles  (no change)"
    assert "were not kept" in page.threshold.note.text()


def test_only_the_latest_threshold_is_answered(qtbot, make_panel, resolved):
    project, _report = resolved
    panel = make_panel(project)
    page = results_of(qtbot, panel)
    answers = []
    page.threshold.explorer.sig_result.connect(answers.append)
    for t in (0.95, 0.99, 0.999, 0.99999):
        page.threshold.chart.line.setValue(nines(t))
    qtbot.waitUntil(lambda: not page.threshold.explorer.busy(), timeout=30_000)
    assert [a.threshold for a in answers] == [pytest.approx(0.99999)]


def test_an_answer_for_an_older_threshold_is_dropped(qtbot, make_panel, resolved):
    project, _report = resolved
    panel = make_panel(project)
    page = results_of(qtbot, panel)
    explorer = page.threshold.explorer
    qtbot.waitUntil(lambda: explorer.graph is not None, timeout=30_000)
    answers = []
    explorer.sig_result.connect(answers.append)
    explorer.request(0.99)
    explorer.flush()  # its job starts ...
    older = explorer.job
    explorer.request(0.99999)
    explorer.flush()  # ... and a newer question replaces it before its answer is shown
    assert older is not explorer.job
    qtbot.waitUntil(lambda: not explorer.busy(), timeout=30_000)
    assert [a.threshold for a in answers] == [pytest.approx(0.99999)]


def test_use_in_the_rules_sets_the_rules_threshold(qtbot, make_panel, resolved):
    project, _report = resolved
    panel = make_panel(project)
    page = results_of(qtbot, panel)
    page.threshold.chart.line.setValue(nines(0.99))
    qtbot.mouseClick(page.threshold.use_button, Qt.MouseButton.LeftButton)
    assert panel.current_page() == "Rules"
    assert panel.rules_page.draft.get(("probabilistic", "threshold")) == pytest.approx(0.99)
    assert panel.rules_page.editor.model.threshold.text() == "0.99"
    panel.undo_stack().undo()
    assert panel.rules_page.editor.model.threshold.text() == "0.95"


def test_the_run_picker_shows_an_older_run(qtbot, make_panel, small):
    project = small
    first = list_identity_runs(project)[0]
    second = run(project, "strict", threshold=0.99)
    panel = make_panel(project)
    page = results_of(qtbot, panel)
    assert page.results.run_id == second.run_id  # the current run first
    combo = page.run_combo
    assert combo.count() == 2
    assert combo.itemText(0).endswith("(current)")
    index = combo.findData(first["run_id"])
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    qtbot.waitUntil(
        lambda: page.job is None and page.results.run_id == first["run_id"], timeout=30_000
    )
    assert page.metrics["profiles"].text() == str(first["profiles"])
    assert "Rules 'people'" in page.subtitle.text()
    assert "current run" not in page.subtitle.text()


def test_labels_score_a_run_without_truth_ids(qtbot, make_panel, tmp_path):
    project = Project.create(tmp_path / "labels.wbproj")
    try:
        table = profiles_table(
            "crm",
            "id,email,first_name,last_name",
            "1,ann@x.com,Ann,Lee",
            "2,ann@x.com,Ann,Lee",
            "3,bob@x.com,Bob,Ray",
        )
        add_tables(project, tmp_path, table)
        resolve(project, rules(blocking=[block("email")], rules=[_same_email()]))
        set_label(project, RecordRef("crm", "1"), RecordRef("crm", "2"), "same")
        set_label(project, RecordRef("crm", "1"), RecordRef("crm", "3"), "different")
        panel = make_panel(project)
        page = results_of(qtbot, panel)
        assert page.results.labels is not None
        assert page.metrics["precision"].text() == "100.00%"
        assert page.metrics["recall"].text() == "100.00%"
        assert "On your 2 sure labels (1 same, 1 different)" in page.quality_note.text()
        assert not page.threshold.isVisible()  # deterministic rules: no threshold
    finally:
        project.close()


def _same_email() -> dict:
    return {"name": "same email", "comparisons": [{"field": "email", "method": "exact"}]}


def test_without_a_run_the_results_say_so_and_lead_to_the_rules(qtbot, make_panel, tmp_path):
    project = Project.create(tmp_path / "empty.wbproj")
    try:
        add_tables(project, tmp_path, PEOPLE)
        panel = make_panel(project)
        page = results_of(qtbot, panel)
        assert page.results.run_id is None
        assert page.body.currentIndex() == 0
        assert page.empty_title.text() == "No identity run yet"
        qtbot.mouseClick(page.rules_button, Qt.MouseButton.LeftButton)
        assert panel.current_page() == "Rules"
    finally:
        project.close()


# ------------------------------------------------------------------------------- panel


def test_every_page_is_there_and_a_profile_opens_in_the_graph(qtbot, make_panel, resolved):
    project, _report = resolved
    panel = make_panel(project)
    titles = [panel.tabs.tabText(i) for i in range(panel.tabs.count())]
    assert titles == ["Rules", "Results", "Profiles", "Graph", "Review", "Compare runs"]
    assert panel.current_page() == "Rules"
    assert "Graph" not in panel.pages  # built when first needed
    panel.tabs.setCurrentIndex(titles.index("Profiles"))
    profiles = panel.pages["Profiles"]
    assert isinstance(profiles, FakePage)
    assert panel.stack.currentWidget() is profiles

    request = GraphRequest("P123", focus=("crm:1",))
    profiles.sig_open_profile.emit(request)
    graph = panel.pages["Graph"]
    assert graph.requests == [request]
    assert panel.current_page() == "Graph"
    assert panel.stack.currentWidget() is graph

    panel.page("Compare runs").sig_open_profile.emit(GraphRequest("P9", compare_run="run-x"))
    assert graph.requests[-1].compare_run == "run-x"


def test_pages_reload_when_the_run_or_the_project_changes(qtbot, make_panel, resolved):
    project, _report = resolved
    panel = make_panel(project)
    review = panel.page("Review")
    panel.ctx.session.identity_changed("run-new")
    assert review.reloads == 1
    results = panel.page("Results")
    qtbot.waitUntil(lambda: results.job is None, timeout=30_000)
    panel.ctx.session.set_project(None)
    assert review.reloads == 2
    assert results.subtitle.text() == "No project open"
    assert panel.rules_page.origin.text() == "No project open"
    assert not panel.rules_page.run_button.isEnabled()


def test_a_new_label_reloads_the_pages_that_show_labels(qtbot, make_panel, resolved):
    project, _report = resolved
    panel = make_panel(project)
    graph, review, profiles = (panel.page(t) for t in ("Graph", "Review", "Profiles"))
    results = results_of(qtbot, panel)
    graph.sig_labels_changed.emit()
    assert (graph.reloads, review.reloads, profiles.reloads) == (0, 1, 0)
    assert results.job is not None  # the label score is read again
    qtbot.waitUntil(lambda: results.job is None, timeout=30_000)


def test_the_panel_is_the_identity_step_of_the_app(qtbot, make_window, ui_project):
    from workbench.ui.panels.identity.panel import IdentityPanel

    window = make_window(ui_project)
    panel = window.show_step("identity")
    assert isinstance(panel, IdentityPanel)
    assert window.undo_group.activeStack() is panel.undo_stack()
    panel.rules_page.editor.rules.add_rule()
    assert window.undo_group.canUndo()
    window.undo_group.undo()
    assert panel.rules_page.draft.items(("rules",)) == []
