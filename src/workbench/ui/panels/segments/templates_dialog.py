"""A gallery of ready-made audiences (``segments.templates``), grouped by category.

Each template is tried on this project's data when the gallery opens (it is pure and
quick): one that fits becomes an editable segment on "Use template"; one that does not
is shown greyed, with the engine's reason (e.g. no purchase events).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.project.errors import WorkbenchError

if TYPE_CHECKING:
    from workbench.segments.catalog import Catalog
    from workbench.segments.model import Segment

KEY_ROLE = int(Qt.ItemDataRole.UserRole)


def try_templates(catalog: Catalog) -> dict[str, Segment | str]:
    """Every template's segment on this data, or the reason it does not apply."""
    from workbench.segments.templates import TEMPLATES, template_segment  # noqa: PLC0415

    out: dict[str, Segment | str] = {}
    for template in TEMPLATES:
        try:
            out[template.key] = template_segment(template.key, catalog)
        except WorkbenchError as exc:
            out[template.key] = str(exc)
    return out


class TemplatesDialog(QDialog):
    """Pick a template; :meth:`chosen` is the segment it makes on this data."""

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from workbench.segments.templates import TEMPLATES  # noqa: PLC0415

        self.setWindowTitle("Start from a template")
        self.setObjectName("templatesDialog")
        self.resize(800, 560)
        self.templates = {t.key: t for t in TEMPLATES}
        self.results = try_templates(catalog)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 16)
        layout.setSpacing(12)
        layout.addWidget(QLabel("Start from a template", objectName="title"))
        lead = QLabel(
            "Ready-made audiences from the industry playbooks, adapted to this project's "
            "events and fields. Each becomes a segment you can edit before saving.",
            objectName="subtitle",
        )
        lead.setWordWrap(True)
        layout.addWidget(lead)

        body = QHBoxLayout()
        body.setSpacing(14)
        self.view = QTreeWidget(objectName="templateList")
        self.view.setHeaderHidden(True)
        self.view.setRootIsDecorated(False)
        self.view.setIndentation(12)
        self.view.setMinimumWidth(300)
        categories: dict[str, QTreeWidgetItem] = {}
        for template in TEMPLATES:
            parent_item = categories.get(template.category)
            if parent_item is None:
                parent_item = QTreeWidgetItem([template.category])
                parent_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                font = parent_item.font(0)
                font.setBold(True)
                parent_item.setFont(0, font)
                self.view.addTopLevelItem(parent_item)
                categories[template.category] = parent_item
            item = QTreeWidgetItem([template.title])
            item.setData(0, KEY_ROLE, template.key)
            if isinstance(self.results[template.key], str):
                # greyed but selectable, so the detail can say why it does not apply
                item.setForeground(0, self.palette().brush(QPalette.ColorRole.PlaceholderText))
                item.setToolTip(0, f"Not available: {self.results[template.key]}")
            else:
                item.setToolTip(0, template.description)
            parent_item.addChild(item)
        self.view.expandAll()
        self.view.currentItemChanged.connect(lambda item, _old: self._show(item))
        self.view.itemDoubleClicked.connect(lambda _i, _c: self._accept_if_usable())
        body.addWidget(self.view, 1)

        detail = QVBoxLayout()
        detail.setSpacing(8)
        self.title = QLabel("", objectName="section")
        self.title.setWordWrap(True)
        self.description = QLabel("Pick a template on the left.", objectName="muted")
        self.description.setWordWrap(True)
        self.needs = QLabel("", objectName="muted")
        self.needs.setWordWrap(True)
        self.preview = QLabel("", objectName="templatePreview")
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.reason = QLabel("", objectName="rowError")
        self.reason.setWordWrap(True)
        for label in (self.title, self.description, self.needs, self.preview, self.reason):
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            detail.addWidget(label)
        detail.addStretch(1)
        holder = QWidget(objectName="templateDetail")
        holder.setLayout(detail)
        body.addWidget(holder, 1)
        layout.addLayout(body, 1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.use_button = self.buttons.addButton(
            "Use template", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.use_button.setObjectName("primary")
        self.use_button.setEnabled(False)
        self.buttons.accepted.connect(self._accept_if_usable)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        first = next((k for k, r in self.results.items() if not isinstance(r, str)), None)
        if first is not None:
            self.select(first)

    def select(self, key: str) -> None:
        for i in range(self.view.topLevelItemCount()):
            group = self.view.topLevelItem(i)
            for j in range(group.childCount()):
                if group.child(j).data(0, KEY_ROLE) == key:
                    self.view.setCurrentItem(group.child(j))
                    self._show(group.child(j))
                    return

    def current_key(self) -> str:
        item = self.view.currentItem()
        return str(item.data(0, KEY_ROLE) or "") if item is not None else ""

    def chosen(self) -> Segment | None:
        """The segment the selected template makes (None when it does not apply)."""
        result = self.results.get(self.current_key())
        return None if result is None or isinstance(result, str) else result

    def _show(self, item: QTreeWidgetItem | None) -> None:
        key = str(item.data(0, KEY_ROLE) or "") if item is not None else ""
        template = self.templates.get(key)
        if template is None:
            self.use_button.setEnabled(False)
            return
        self.title.setText(template.title)
        self.description.setText(template.description)
        needs = ", ".join(template.needs)
        self.needs.setText(f"Uses: {needs}" if needs else "")
        result = self.results[key]
        if isinstance(result, str):
            self.preview.setText("")
        else:
            from workbench.segments.describe import describe_segment  # noqa: PLC0415

            self.preview.setText("On this data:\n" + "\n".join(describe_segment(result)))
        self.preview.setVisible(not isinstance(result, str))
        self.reason.setText(
            f"Not available on this data: {result}" if isinstance(result, str) else ""
        )
        self.reason.setVisible(isinstance(result, str))
        self.use_button.setEnabled(not isinstance(result, str))

    def _accept_if_usable(self) -> None:
        if self.chosen() is not None:
            self.accept()
