"""The pairwise overlap matrix as a table of coloured cells: a heat map with readable labels.

Each cell holds how many profiles the row segment shares with the column segment, as a
count or as a share of the row segment; the colour follows that share, so a row reads as
"where do my members also sit". The diagonal is each segment's own size.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPalette, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QApplication, QHeaderView, QTableView

from workbench.segments.overlap import Overlap
from workbench.ui.models import Index
from workbench.ui.panels.segments import insights_format as fmt
from workbench.ui.signals import emit

COUNTS, PERCENT_OF_ROW = "count", "percent"
CELL_HEIGHT = 34
CELL_MIN_WIDTH = 84


def overlap_tip(a: str, b: str, shared: int, of_a: float | None, of_b: float | None) -> str:
    """The words of a cell's tooltip: ``A ∩ B: n (x% of A, y% of B)``."""
    return f"{a} ∩ {b}: {shared:,} ({fmt.percent(of_a)} of {a}, {fmt.percent(of_b)} of {b})"


def blend(low: QColor, high: QColor, t: float) -> QColor:
    t = min(max(t, 0.0), 1.0)
    return QColor.fromRgbF(
        low.redF() + (high.redF() - low.redF()) * t,
        low.greenF() + (high.greenF() - low.greenF()) * t,
        low.blueF() + (high.blueF() - low.blueF()) * t,
    )


def readable_on(background: QColor, ink: QColor) -> QColor:
    """Ink or white, whichever stands out on ``background``."""
    luminance = 0.2126 * background.redF() + 0.7152 * background.greenF()
    luminance += 0.0722 * background.blueF()
    if luminance < 0.45:
        return QColor("#ffffff")
    return ink if ink.lightnessF() < 0.5 else QColor("#111827")


class OverlapModel(QAbstractTableModel):
    """An engine :class:`Overlap`: ``counts[i][j]`` profiles in both segment i and j."""

    def __init__(self) -> None:
        super().__init__()
        self.overlap: Overlap | None = None
        self.mode = PERCENT_OF_ROW
        self.column_labels: dict[int, str] = {}
        """Column headers shortened to fit their width (full names in the tooltips)."""

    @property
    def names(self) -> list[str]:
        return self.overlap.names if self.overlap is not None else []

    def set_overlap(self, overlap: Overlap | None) -> None:
        self.beginResetModel()
        self.overlap = overlap
        self.column_labels = {}
        self.endResetModel()

    def set_column_labels(self, labels: dict[int, str]) -> None:
        if labels != self.column_labels:
            self.column_labels = labels
            if labels:
                emit(self.headerDataChanged, Qt.Orientation.Horizontal, 0, len(self.names) - 1)

    def clear(self) -> None:
        self.set_overlap(None)

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        n = len(self.names)
        if n:
            emit(self.dataChanged, self.index(0, 0), self.index(n - 1, n - 1))

    def text(self, row: int, column: int) -> str:
        o = self.overlap
        assert o is not None
        if self.mode == COUNTS or row == column:
            return fmt.count(o.counts[row][column])
        return fmt.percent(o.share(row, column, "row"))

    def tooltip(self, row: int, column: int) -> str:
        o = self.overlap
        assert o is not None
        a, b = o.names[row], o.names[column]
        if row == column:
            return (
                f"{a}: {o.sizes[row]:,} members "
                f"({fmt.percent(o.share(row, row, 'profiles'))} of all profiles)"
            )
        return overlap_tip(
            a, b, o.counts[row][column], o.share(row, column, "row"), o.share(row, column, "column")
        )

    # ------------------------------------------------------------------ Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.names)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.names)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        role = int(role)
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(row, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            background = self._background(row, col)
            if role == Qt.ItemDataRole.BackgroundRole:
                return background
            palette = QApplication.palette()
            return readable_on(background, palette.color(QPalette.ColorRole.Text))
        if role == Qt.ItemDataRole.FontRole and row == col:
            font = QFont(QApplication.font())
            font.setBold(True)
            return font
        return None

    def _background(self, row: int, col: int) -> QColor:
        palette = QApplication.palette()
        surface = palette.color(QPalette.ColorRole.Base)
        if row == col:
            return palette.color(QPalette.ColorRole.Light)
        assert self.overlap is not None
        share = self.overlap.share(row, col, "row") or 0.0
        accent = palette.color(QPalette.ColorRole.Highlight)
        # a gentle start so that small overlaps still show, full accent at 100%
        return blend(surface, accent, 0.08 + 0.92 * share if share > 0 else 0.0)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        o = self.overlap
        if o is None or section >= len(o.names):
            return None
        role = int(role)
        name = o.names[section]
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Vertical:
                return f"{name}  ({o.sizes[section]:,})"
            return self.column_labels.get(section, name)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{name}: {o.sizes[section]:,} members"
        return None


class HeatmapView(QTableView):
    """The grid; keeps its column names shortened to the width the columns get."""

    def __init__(self, model: OverlapModel) -> None:
        super().__init__()
        self.setModel(model)
        self.overlap_model = model
        self._elide = QTimer(self, singleShot=True, interval=0)
        self._elide.timeout.connect(lambda: elide_headers(self, model))
        self.horizontalHeader().sectionResized.connect(lambda *_a: self._elide.start())
        model.modelReset.connect(self._elide.start)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._elide.start()


def overlap_view(model: OverlapModel) -> HeatmapView:
    """A grid of square-ish cells with segment names on both headers."""
    view = HeatmapView(model)
    view.setObjectName("heatmap")
    view.setShowGrid(True)
    view.setWordWrap(True)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    view.setMouseTracking(True)
    vh = view.verticalHeader()
    vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vh.setDefaultSectionSize(CELL_HEIGHT)
    vh.setDefaultAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    hh = view.horizontalHeader()
    hh.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    hh.setMinimumSectionSize(CELL_MIN_WIDTH)
    hh.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter | Qt.AlignmentFlag.AlignVCenter)
    hh.setHighlightSections(False)
    vh.setHighlightSections(False)
    return view


def elide_headers(view: QTableView, model: OverlapModel) -> None:
    """Shorten column names that do not fit their column (ending in "…")."""
    header = view.horizontalHeader()
    font = QFont(header.font())
    font.setWeight(QFont.Weight.DemiBold)  # the stylesheet's header weight
    metrics = QFontMetrics(font)
    labels = {
        i: metrics.elidedText(name, Qt.TextElideMode.ElideRight, header.sectionSize(i) - 24)
        for i, name in enumerate(model.names)
    }
    model.set_column_labels(labels)


def content_height(view: QTableView, rows: int) -> int:
    """The height that shows the header and ``rows`` rows without blank space."""
    header = view.horizontalHeader().sizeHint().height()
    return header + rows * CELL_HEIGHT + 2 * view.frameWidth() + 2
