"""Which columns the deals table shows, and how wide they are.

Why: ten columns do not fit a 1280-pixel window with room left for the deal's title. The
title column takes whatever the others leave (they are sized from their header and a
sample of rows, capped); until the user chooses columns themselves (right-click a column
heading), the table leaves out :data:`FIRST_TO_GO` when the page is too narrow to give the
title :data:`TITLE_ROOM` pixels, and shows them again when there is room. A choice the user
made is kept (QSettings) and then stands at every width.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QSettings, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QHeaderView, QMenu, QTableView

from app.deal_table import COLUMNS

SETTING = "deals/hidden_columns"
SAMPLE_ROWS = 60
TITLE_ROOM = 240
FIRST_TO_GO = ("source", "lost_reason")  # left out first when the page is narrow
CAPS = {"company": 190, "stage": 130, "owner": 120, "lost_reason": 150}
CAP = 110


class TableColumns(QObject):
    """Sizes the columns of ``table`` and lets the user choose them from the header's
    context menu. ``menu`` is the menu last shown (tests read it)."""

    def __init__(self, table: QTableView):
        super().__init__(table)
        self.table = table
        self.menu: QMenu | None = None
        self._widths: dict[str, int] = {}  # as sized, hidden or not (a hidden one reads 0)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COLUMNS.index("title"), QHeaderView.ResizeMode.Stretch)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._menu_at)
        header.setToolTip("Right-click a column heading to choose the columns")
        table.viewport().installEventFilter(self)
        chosen = QSettings().value(SETTING)
        self._chosen: set[str] | None = (
            {key for key in str(chosen).split(",") if key in COLUMNS} if chosen is not None
            else None)
        self._apply()

    # ------------------------------------------------------------------ widths
    def size_from_rows(self) -> None:
        """Widths from the header and a sample of rows: cheap whatever the row count."""
        model = self.table.model()
        metrics = QFontMetrics(self.table.font())
        header_metrics = QFontMetrics(self.table.horizontalHeader().font())
        rows = range(min(SAMPLE_ROWS, model.rowCount()))
        for column, key in enumerate(COLUMNS):
            if key == "title":
                continue
            label = model.headerData(column, Qt.Orientation.Horizontal)
            width = header_metrics.horizontalAdvance(label) + 24  # room for the sort arrow
            for row in rows:
                text = model.data(model.index(row, column))
                width = max(width, metrics.horizontalAdvance(str(text or "")) + 18)
            self._widths[key] = min(width, CAPS.get(key, CAP))
            self.table.setColumnWidth(column, self._widths[key])
        self._apply()

    # ----------------------------------------------------------------- showing
    def hidden(self) -> set[str]:
        """The columns left out now."""
        if self._chosen is not None:
            return set(self._chosen)
        if not self._widths:  # not sized yet: nothing to judge by
            return set()
        room = self.table.viewport().width() - sum(self._widths.values())
        hidden: set[str] = set()
        for key in FIRST_TO_GO:
            if room >= TITLE_ROOM:
                break
            hidden.add(key)
            room += self._widths[key]
        return hidden

    def _apply(self) -> None:
        hidden = self.hidden()
        for column, key in enumerate(COLUMNS):
            self.table.setColumnHidden(column, key in hidden)

    def choose(self, key: str, shown: bool) -> None:
        """Show or hide one column by the user's choice (kept for next time)."""
        hidden = self.hidden()
        (hidden.discard if shown else hidden.add)(key)
        hidden.discard("title")  # the title always shows
        self._chosen = hidden
        QSettings().setValue(SETTING, ",".join(sorted(hidden)))
        self._apply()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self._chosen is None:
            self._apply()
        return False

    def _menu_at(self, point: QPoint) -> None:
        header = self.table.horizontalHeader()
        self.build_menu().popup(header.mapToGlobal(point))

    def build_menu(self) -> QMenu:
        menu = QMenu(self.table)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addSection("Columns")
        hidden = self.hidden()
        model = self.table.model()
        for column, key in enumerate(COLUMNS):
            action = menu.addAction(model.headerData(column, Qt.Orientation.Horizontal))
            action.setCheckable(True)
            action.setChecked(key not in hidden)
            action.setEnabled(key != "title")
            action.toggled.connect(lambda shown, k=key: self.choose(k, shown))
        self.menu = menu
        return menu
