"""The data browser: a million rows scroll by page, sort and filter run as jobs, statistics."""

from __future__ import annotations

import pytest

from workbench.project import Project
from workbench.project.browse import TableRef

ROWS = 1_000_000


@pytest.fixture(scope="module")
def million(tmp_path_factory) -> TableRef:
    """A project file with a 1,000,000-row raw table (built once for the module)."""
    path = tmp_path_factory.mktemp("million") / "million.wbproj"
    with Project.create(path) as project, project.transaction() as cur:
        cur.execute(
            "CREATE TABLE raw.people AS SELECT i AS n, 'C' || lpad(i::VARCHAR, 7, '0') AS id, "
            "['gold', 'silver', 'bronze'][1 + i % 3] AS tier, "
            "CASE WHEN i % 100 = 0 THEN NULL ELSE (i * 7919) % 100000 END AS score "
            "FROM range(?) t(i) ORDER BY i",
            [ROWS],
        )
    return path  # type: ignore[return-value]


def shown(qtbot, model, row: int, column: int) -> str:
    """What the grid shows in a cell once its page has arrived."""
    from workbench.ui.browser.table_model import LOADING

    qtbot.waitUntil(lambda: model.data(model.index(row, column)) != LOADING, timeout=10000)
    return model.data(model.index(row, column))


@pytest.fixture
def browser(qtbot, million):
    from workbench.ui.browser.browser import DataBrowser
    from workbench.ui.task_runner import TaskRunner

    project = Project.open(million)
    runner = TaskRunner()
    widget = DataBrowser(runner)
    qtbot.addWidget(widget)
    widget.resize(1100, 600)
    widget.show()
    widget.set_table(project, TableRef("raw", "people", "people"))
    yield widget
    runner.cancel_all()
    widget.clear()
    project.close()


def test_a_million_rows_scroll_without_loading_the_table(qtbot, browser) -> None:
    model = browser.model
    assert model.rowCount() == ROWS
    assert browser.count_label.text() == "1,000,000 rows"
    assert model.data(model.index(0, 1)) == "C0000000"
    browser.grid.scrollToBottom()
    qtbot.wait(20)
    assert model.data(model.index(ROWS - 1, 1)) == "C0999999"
    for row in range(0, ROWS, ROWS // 60):
        browser.grid.scrollTo(model.index(row, 0))
        assert model.data(model.index(row, 0)) == str(row)
    cached = model.cached_page_numbers()
    assert len(cached) <= model.cached_pages
    assert len(cached) * model.page_rows < ROWS / 10
    assert max(model.fetch_seconds) < 0.5


def test_header_clicks_sort_descending_ascending_then_file_order(qtbot, browser) -> None:
    header = browser.grid.horizontalHeader()
    with qtbot.waitSignal(browser.sig_view_ready, timeout=20000):
        header.sectionClicked.emit(3)  # score, ascending
    model = browser.model
    assert shown(qtbot, model, 0, 3) == "1"
    assert shown(qtbot, model, ROWS - 1, 3) == "—"  # missing values last
    assert header.sortIndicatorSection() == 3
    with qtbot.waitSignal(browser.sig_view_ready, timeout=20000):
        header.sectionClicked.emit(3)
    assert shown(qtbot, model, 0, 3) == "99999"
    with qtbot.waitSignal(browser.sig_view_ready, timeout=20000):
        header.sectionClicked.emit(3)
    assert model.data(model.index(0, 0)) == "0"  # file order again: read at once
    assert browser.spec.natural


def test_quick_filter_narrows_rows_and_statistics(qtbot, browser) -> None:
    browser.filter_column.setCurrentIndex(browser.filter_column.findData("tier"))
    with qtbot.waitSignal(browser.sig_view_ready, timeout=20000):
        browser.filter_edit.setText("GOLD")
    assert browser.model.rowCount() == ROWS // 3 + 1
    assert browser.count_label.text() == "333,334 of 1,000,000 rows"
    with qtbot.waitSignal(
        browser.sig_stats_ready, timeout=20000, check_params_cb=lambda s: s.column == "tier"
    ) as blocker:
        browser.grid.setCurrentIndex(browser.model.index(0, 2))
    stats = blocker.args[0]
    assert (stats.column, stats.rows, stats.distinct) == ("tier", ROWS // 3 + 1, 1)
    assert browser.stats_view.fields["distinct"].text() == "1"
    assert browser.stats_view.top.items() == [("gold", ROWS // 3 + 1)]


def test_statistics_of_a_numeric_column(qtbot, browser) -> None:
    with qtbot.waitSignal(
        browser.sig_stats_ready, timeout=20000, check_params_cb=lambda s: s.column == "score"
    ) as blocker:
        browser.grid.setCurrentIndex(browser.model.index(5, 3))
    stats = blocker.args[0]
    assert stats.nulls == ROWS // 100
    assert browser.stats_view.fields["nulls"].text() == "10,000  (1.0%)"
    assert (stats.minimum, stats.maximum) == (1, 99999)  # 0 falls on the missing rows
    assert browser.stats_view.fields["mean"].text() != "—"


def test_a_newer_request_wins_over_an_older_one(qtbot, browser) -> None:
    first = browser.sort_by("id", descending=True)
    second = browser.set_filter("C000000")
    assert first is not None
    assert second is not None
    assert first.cancel_requested()
    with qtbot.waitSignal(browser.sig_view_ready, timeout=20000):
        pass
    assert browser.model.rowCount() == 10
    assert shown(qtbot, browser.model, 0, 1) == "C0000009"


def test_pages_of_a_sorted_million_rows_load_off_the_gui_thread(qtbot, browser) -> None:
    from workbench.ui.browser.table_model import LOADING

    with qtbot.waitSignal(browser.sig_view_ready, timeout=20000):
        browser.sort_by("score", descending=True)
    model = browser.model
    row = 700_000
    with qtbot.waitSignal(model.dataChanged, timeout=10000) as blocker:
        assert model.data(model.index(row, 1)) == LOADING  # asked for, not waited for
    first, last = blocker.args[0].row(), blocker.args[1].row()
    assert first <= row <= last
    assert last - first + 1 == model.page_rows
    assert model.data(model.index(row, 1)).startswith("C")
    assert model.value(row, 3) <= model.value(row - 1, 3)
