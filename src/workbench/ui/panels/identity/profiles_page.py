"""Profiles worth a second look (large, conflicting keys, weak bridges), and a search box that
finds a person's profile by e-mail, name, phone or any id. Either list opens the graph."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from workbench.identity.search import ProfileMatch, find_profiles
from workbench.identity.suspicious import Suspect, suspicious_profiles
from workbench.ui.models import Index, RowsModel
from workbench.ui.panels.base import PanelContext
from workbench.ui.panels.identity.requests import GraphRequest
from workbench.ui.signals import emit
from workbench.ui.task_runner import Job
from workbench.ui.widgets import card, page_header

SEARCH_DELAY_MS = 250
SUSPECTS_SHOWN = 200
REASONS = Qt.ItemDataRole.UserRole + 1
"""Model role of the reasons column: the list of reason texts, drawn as chips."""
SUSPECT_HEADERS = ["Profile", "Records", "Suspicion", "Why it is suspicious"]
REASONS_COLUMN = 3
MATCH_HEADERS = ["Profile", "Name", "E-mail", "Records", "Matched by"]


def chip_text(reason: str) -> tuple[str, str]:
    """A short chip label and its kind (``large``, ``keys``, ``bridge``) for a reason."""
    if reason.startswith("large"):
        return reason.split("(", maxsplit=1)[0].replace("large: ", "").strip(), "large"
    if reason.startswith("several"):
        return reason.replace("several ", ""), "keys"
    if "weak match" in reason:
        p = reason.rsplit("p=", 1)[-1].rstrip(")")
        return f"weak bridge (p {p})", "bridge"
    return reason, "other"


CHIP_COLORS = {
    # kind: (light theme, dark theme); soft tints the text colour reads well on
    "large": ("#dbe7fb", "#24365a"),
    "keys": ("#fde2d2", "#4a2e1c"),
    "bridge": ("#eadcf8", "#3b2a55"),
    "other": ("#e5e7eb", "#2c323e"),
}


def chip_color(kind: str, palette: QPalette) -> QColor:
    """A chip's tint by kind, for the theme the palette belongs to."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    light_tint, dark_tint = CHIP_COLORS.get(kind, CHIP_COLORS["other"])
    return QColor(dark_tint if dark else light_tint)


class ChipsDelegate(QStyledItemDelegate):
    """Draws a cell's reasons as rounded chips, one per reason."""

    PAD_X, GAP, HEIGHT = 8, 6, 20

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        reasons = index.data(REASONS) or []
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = opt.fontMetrics
        x = opt.rect.x() + 6
        y = opt.rect.y() + (opt.rect.height() - self.HEIGHT) // 2
        for reason in reasons:
            text, kind = chip_text(reason)
            width = metrics.horizontalAdvance(text) + 2 * self.PAD_X
            if x + width > opt.rect.right() - 4:
                break
            rect = QRect(x, y, width, self.HEIGHT)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(chip_color(kind, opt.palette))
            painter.drawRoundedRect(rect, self.HEIGHT / 2, self.HEIGHT / 2)
            painter.setPen(opt.palette.color(QPalette.ColorRole.Text))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
            x += width + self.GAP
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        metrics = option.fontMetrics
        width = sum(
            metrics.horizontalAdvance(chip_text(r)[0]) + 2 * self.PAD_X + self.GAP
            for r in index.data(REASONS) or []
        )
        return QSize(width + 12, self.HEIGHT + 8)


class SuspectsModel(RowsModel):
    """Suspicious profiles; the reasons column carries its list for the chips."""

    def __init__(self) -> None:
        super().__init__()
        self.suspects: list[Suspect] = []

    def set_suspects(self, suspects: list[Suspect]) -> None:
        self.suspects = suspects
        self.set_rows(
            SUSPECT_HEADERS,
            [[s.profile_id, s.records, round(s.score, 1), "; ".join(s.reasons)] for s in suspects],
            tooltips=["", "", "How suspicious, summed over the reasons", ""],
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if index.isValid() and index.column() == REASONS_COLUMN:
            if role == REASONS:
                return self.suspects[index.row()].reasons
            if role == Qt.ItemDataRole.DisplayRole:
                return ""
            if role == Qt.ItemDataRole.ToolTipRole:
                return "\n".join(self.suspects[index.row()].reasons)
        return super().data(index, role)


def list_view(model: RowsModel) -> QTableView:
    """A read-only, row-selecting table in the app's look."""
    view = QTableView()
    view.setModel(model)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(30)
    header = view.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setStretchLastSection(True)
    return view


def fit_columns(view: QTableView, widths: list[int]) -> None:
    """Fixed starting widths for all but the last (stretching) column."""
    for i, width in enumerate(widths):
        view.horizontalHeader().resizeSection(i, width)


class SearchBox(QLineEdit):
    """The search field: Down moves to the results, Enter opens the best match."""

    sig_down = Signal()
    """The user pressed Down: move into the results."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Down:
            emit(self.sig_down)
            return
        super().keyPressEvent(event)


class ProfilesPage(QWidget):
    """Suspicious profiles by default; the profiles matching the search while there is one."""

    sig_open_profile = Signal(object)
    """Show this GraphRequest's profile in the identity graph."""

    def __init__(self, ctx: PanelContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.matches: list[ProfileMatch] = []
        self.suspects_job: Job | None = None
        self.search_job: Job | None = None
        self.searched = ""
        """The text whose results are shown."""
        self._stale = True
        """The lists are out of date; they are read when the page is next shown."""
        self._timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self._build()

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(28, 22, 28, 18)
        outer.setSpacing(14)
        head, self.title, self.subtitle = page_header(
            "Profiles", "Find a person's profile, or check the ones most likely to be wrong"
        )
        outer.addLayout(head)
        self.search = SearchBox()
        self.search.setPlaceholderText(
            "Search by e-mail, name, phone, customer or device id, record or profile id…"
        )
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumHeight(34)
        self.search.textChanged.connect(self._text_changed)
        self.search.returnPressed.connect(self._open_best)
        self.search.sig_down.connect(self._into_results)
        outer.addWidget(self.search)

        self.suspects_model = SuspectsModel()
        self.suspects_view = list_view(self.suspects_model)
        self.suspects_view.setItemDelegateForColumn(
            REASONS_COLUMN, ChipsDelegate(self.suspects_view)
        )
        self.suspects_view.activated.connect(self._open_suspect)
        self.matches_model = RowsModel()
        self.matches_view = list_view(self.matches_model)
        self.matches_view.activated.connect(self._open_match)
        self.empty = QLabel("", objectName="muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.lists = QStackedWidget()
        for widget in (self.suspects_view, self.matches_view, self.empty):
            self.lists.addWidget(widget)
        self.list_title = QLabel("Suspicious profiles", objectName="section")
        self.status = QLabel("", objectName="muted")
        hint = QLabel("Double-click or Enter opens the identity graph", objectName="muted")
        body = card(self.list_title, self.lists, actions=[self.status])
        outer.addWidget(body, 1)
        foot = QHBoxLayout()
        foot.addWidget(hint)
        foot.addStretch(1)
        outer.addLayout(foot)

    # ------------------------------------------------------------------ loading
    def reload(self) -> Job | None:
        """Re-read the suspicious profiles (and repeat the search) for the current run; while
        the page is hidden, when it is next shown."""
        self._cancel(self.suspects_job)
        self.suspects_job = None
        self.suspects_model.set_suspects([])
        if self.ctx.session.project is None:
            self._stale = False
            self._show_empty("Open a project to see its profiles.")
            return None
        self._stale = True
        self.status.setText("Looking for suspicious profiles…")
        return self._load() if self.isVisible() else None

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.reload()

    def _load(self) -> Job | None:
        self._stale = False
        project = self.ctx.session.project
        if project is None:
            return None
        job = self.ctx.runner.start(
            "Finding suspicious profiles",
            lambda _task: suspicious_profiles(project, limit=SUSPECTS_SHOWN),
            determinate=False,
            background=True,
            report=False,
        )
        job.sig_finished.connect(lambda found, j=job: self._suspects_done(j, found))
        job.sig_failed.connect(lambda message, _d, j=job: self._suspects_failed(j, message))
        self.suspects_job = job
        if self.search.text().strip():
            self.search_now()
        else:
            self._show_suspects()
        return job

    def _suspects_done(self, job: Job, found: list[Suspect]) -> None:
        if job is not self.suspects_job:
            return
        self.suspects_job = None
        self.suspects_model.set_suspects(found)
        fit_columns(self.suspects_view, [170, 90, 100])
        if not self.search.text().strip():
            self._show_suspects()

    def _suspects_failed(self, job: Job, message: str) -> None:
        if job is not self.suspects_job:
            return
        self.suspects_job = None
        no_run = "no identity run" in message
        self._show_empty(
            "No identity run yet: run the matching rules to see profiles here."
            if no_run
            else f"The suspicious profiles could not be read: {message}"
        )

    def _show_suspects(self) -> None:
        self.list_title.setText("Suspicious profiles")
        if self.suspects_job is not None:
            self.status.setText("Looking for suspicious profiles…")
            return
        n = self.suspects_model.rowCount()
        if n == 0 and self.ctx.session.project is not None:
            if self.lists.currentWidget() is self.empty and "run" in self.empty.text():
                return  # keep the reason there are none
            self._show_empty(
                "Nothing looks suspicious: no profile is unusually large, holds conflicting "
                "keys or hangs on a single weak match."
            )
            return
        self.status.setText(
            f"{n:,} profiles, most suspicious first · large, conflicting keys, weak bridges"
        )
        self.lists.setCurrentWidget(self.suspects_view)

    def _show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.status.setText("")
        self.lists.setCurrentWidget(self.empty)

    # ------------------------------------------------------------------- search
    def _text_changed(self, text: str) -> None:
        if text.strip():
            self.status.setText("Searching…")
            self._timer.start()
        else:
            self._timer.stop()
            self._cancel(self.search_job)
            self.search_job = None
            self.searched = ""
            self._show_suspects()

    def search_now(self) -> Job | None:
        """Search for the box's text now (the box calls this after a pause in typing)."""
        self._timer.stop()
        self._cancel(self.search_job)
        self.search_job = None
        text = self.search.text().strip()
        project = self.ctx.session.project
        if not text or project is None:
            return None
        self.list_title.setText("Matching profiles")
        self.status.setText("Searching…")
        job = self.ctx.runner.start(
            f"Searching for {text}",
            lambda task: find_profiles(project, text, task=task),
            determinate=False,
            background=True,
            report=False,
        )
        job.sig_finished.connect(lambda found, j=job: self._search_done(j, text, found))
        job.sig_failed.connect(lambda message, _d, j=job: self._search_failed(j, message))
        self.search_job = job
        return job

    def _search_done(self, job: Job, text: str, found: list[ProfileMatch]) -> None:
        if job is not self.search_job:
            return  # a newer search replaced this one
        self.search_job = None
        self.searched = text
        self.matches = found
        self.matches_model.set_rows(
            MATCH_HEADERS,
            [
                [m.profile_id, m.name, m.email, m.records, ", ".join(m.matched).replace("_", " ")]
                for m in found
            ],
        )
        fit_columns(self.matches_view, [170, 200, 280, 90])
        self.list_title.setText("Matching profiles")
        if not found:
            self._show_empty(
                f"No profile matches “{text}”. Try an e-mail, a full name, a phone number or an id."
            )
            return
        more = " (the first 50)" if len(found) >= 50 else ""
        self.status.setText(f"{len(found):,} profiles match “{text}”{more}, best first")
        self.lists.setCurrentWidget(self.matches_view)
        self.matches_view.selectRow(0)

    def _search_failed(self, job: Job, message: str) -> None:
        if job is not self.search_job:
            return
        self.search_job = None
        no_run = "no identity run" in message
        self._show_empty(
            "No identity run yet: run the matching rules, then search for a person."
            if no_run
            else f"The search failed: {message}"
        )

    # --------------------------------------------------------------- open graph
    def _into_results(self) -> None:
        if self.lists.currentWidget() is not self.empty:
            view = self.lists.currentWidget()
            assert isinstance(view, QTableView)
            view.setFocus()
            if not view.currentIndex().isValid() and view.model().rowCount():
                view.selectRow(0)

    def _open_best(self) -> None:
        """Enter in the search box: open the selected (or best) match."""
        if self._timer.isActive() or self.search_job is not None:
            return  # results for this text are not in yet
        if self.lists.currentWidget() is self.matches_view and self.matches:
            row = self.matches_view.currentIndex().row()
            self._open_match(self.matches_model.index(max(row, 0), 0))

    def _open_match(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self.matches):
            m = self.matches[index.row()]
            emit(self.sig_open_profile, GraphRequest(m.profile_id, focus=tuple(m.matched_records)))

    def _open_suspect(self, index: QModelIndex) -> None:
        suspects = self.suspects_model.suspects
        if 0 <= index.row() < len(suspects):
            emit(self.sig_open_profile, GraphRequest(suspects[index.row()].profile_id))

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _cancel(job: Job | None) -> None:
        if job is not None and not job.done:
            job.cancel()
