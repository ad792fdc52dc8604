"""The Identity step: rules, results, profiles, graph, review and run comparison as pages of
one panel, with the routes between them.

Every page that can open a profile (``sig_open_profile`` with a GraphRequest) is routed to
the Graph page, which is then shown. A finished run is announced to the whole app
(``session.identity_changed``), and the pages reload when the identity run or the project
changes. Pages other than the rules are built the first time they are needed, each through
a factory, so the panel starts quickly and tests can put small stand-ins in their place.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QStackedWidget, QTabBar, QVBoxLayout, QWidget

from workbench.identity.records import available_fields
from workbench.project import Project
from workbench.project.sources import list_sources
from workbench.ui.panels.base import PanelContext, StepPanel
from workbench.ui.panels.identity.requests import GraphRequest
from workbench.ui.panels.identity.rules_page import RulesPage
from workbench.ui.widgets import h_line

PageFactory = Callable[[PanelContext], QWidget]

RULES, RESULTS, PROFILES, GRAPH, REVIEW, COMPARE = (
    "Rules",
    "Results",
    "Profiles",
    "Graph",
    "Review",
    "Compare runs",
)
PAGES: dict[str, str] = {
    RESULTS: "workbench.ui.panels.identity.results_page:ResultsPage",
    PROFILES: "workbench.ui.panels.identity.profiles_page:ProfilesPage",
    GRAPH: "workbench.ui.panels.identity.graph_page:GraphPage",
    REVIEW: "workbench.ui.panels.identity.review_page:ReviewPage",
    COMPARE: "workbench.ui.panels.identity.compare_page:ComparePage",
}
"""Each page after the rules, by title: ``module:Class`` of a QWidget taking the context."""
TITLES = (RULES, *PAGES)
LABEL_PAGES = (RESULTS, GRAPH, REVIEW)
"""Pages that show analyst labels (scores, labelled edges, the review queue)."""


def _factory(path: str) -> PageFactory:
    def make(ctx: PanelContext) -> QWidget:
        module, _, name = path.partition(":")
        return getattr(importlib.import_module(module), name)(ctx)

    return make


class IdentityPanel(StepPanel):
    """Sub-navigation over the identity pages, and the routes between them."""

    key = "identity"
    title = "Identity"

    def __init__(
        self,
        ctx: PanelContext,
        parent: QWidget | None = None,
        pages: Mapping[str, PageFactory] | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self._stack = QUndoStack(self)
        self.factories: dict[str, PageFactory] = {t: _factory(p) for t, p in PAGES.items()}
        self.factories.update(pages or {})
        self.pages: dict[str, QWidget] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.tabs = QTabBar()
        self.tabs.setDocumentMode(True)
        self.tabs.setDrawBase(False)
        self.tabs.setExpanding(False)
        for title in TITLES:
            self.tabs.addTab(title)
        bar = QWidget()
        bl = QVBoxLayout(bar)
        bl.setContentsMargins(20, 8, 20, 0)
        bl.setSpacing(0)
        bl.addWidget(self.tabs)
        layout.addWidget(bar)
        layout.addWidget(h_line())
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)

        self.rules_page = RulesPage(ctx, self._stack)
        self.rules_page.sig_run_finished.connect(self._run_finished)
        self._add(RULES, self.rules_page)
        self.tabs.currentChanged.connect(lambda i: self.show_page(TITLES[i]))

        session = ctx.session
        session.sig_project_changed.connect(self._project_changed)
        session.sig_identity_changed.connect(self._identity_changed)
        session.sig_sources_changed.connect(self._sources_changed)
        session.sig_about_to_close.connect(self._about_to_close)
        self.rules_page.set_project(session.project)

    # ------------------------------------------------------------------ pages
    def undo_stack(self) -> QUndoStack:
        return self._stack

    def page(self, title: str) -> QWidget:
        """The page called ``title``, built on first use."""
        if title not in self.pages:
            self._add(title, self.factories[title](self.ctx))
        return self.pages[title]

    def _add(self, title: str, page: QWidget) -> None:
        self.pages[title] = page
        self.stack.addWidget(page)
        route: Any = getattr(page, "sig_open_profile", None)
        if route is not None:
            route.connect(self.open_profile)
        labels: Any = getattr(page, "sig_labels_changed", None)
        if labels is not None:
            labels.connect(lambda: self._reload(except_for=page, only=LABEL_PAGES))
        if title == RESULTS:
            page.sig_use_threshold.connect(self._use_threshold)  # type: ignore[attr-defined]
            page.sig_show_rules.connect(lambda: self.show_page(RULES))  # type: ignore[attr-defined]

    def show_page(self, title: str) -> QWidget:
        page = self.page(title)
        self.stack.setCurrentWidget(page)
        index = TITLES.index(title)
        if self.tabs.currentIndex() != index:
            self.tabs.blockSignals(True)
            self.tabs.setCurrentIndex(index)
            self.tabs.blockSignals(False)
        return page

    def current_page(self) -> str:
        return TITLES[self.tabs.currentIndex()]

    # ----------------------------------------------------------------- routes
    def open_profile(self, request: GraphRequest) -> None:
        """Show the identity graph a page asked for."""
        graph = self.page(GRAPH)
        graph.show_request(request)  # type: ignore[attr-defined]
        self.show_page(GRAPH)

    def _use_threshold(self, threshold: float) -> None:
        if self.rules_page.set_threshold(threshold):
            self.show_page(RULES)

    def _run_finished(self, report: Any) -> None:
        self.ctx.session.identity_changed(report.run_id)
        self.show_page(RESULTS)

    # ---------------------------------------------------------------- session
    def _project_changed(self, project: Project | None) -> None:
        self.rules_page.set_project(project)
        results = self.pages.get(RESULTS)
        if results is not None:
            results.set_project(project)  # type: ignore[attr-defined]
        self._reload(except_for=results)
        if project is not None and self.current_page() != RULES:
            self.show_page(RULES)

    def _identity_changed(self, _run_id: str) -> None:
        results = self.pages.get(RESULTS)
        if results is not None:
            results.show_run(None)  # type: ignore[attr-defined]
        self._reload(except_for=results)

    def _reload(
        self, except_for: QWidget | None = None, only: tuple[str, ...] = tuple(PAGES)
    ) -> None:
        """Built pages (``only`` these, never the rules) read the project again."""
        for title, page in self.pages.items():
            if title in only and page is not except_for and hasattr(page, "reload"):
                page.reload()

    def _sources_changed(self, _source: str) -> None:
        project = self.ctx.session.project
        if project is not None:
            self.rules_page.draft.set_available(available_fields(list_sources(project)))

    def _about_to_close(self, _project: Project) -> None:
        self.rules_page.cancel(drop=True)
        results = self.pages.get(RESULTS)
        if results is not None:
            results.clear()  # type: ignore[attr-defined]

    def busy(self) -> bool:
        return self.rules_page.busy()
