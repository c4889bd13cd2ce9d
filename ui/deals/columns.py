"""Which columns the deals table shows, and how wide they are.

Why: ten columns do not fit a 1280-pixel window with room left for the deal's title. The
title column takes whatever the others leave (they are sized from their header and a
sample of rows, capped); until the user chooses columns themselves (right-click a column
heading), the table leaves out :data:`FIRST_TO_GO` when the page is too narrow to give the
title :data:`TITLE_ROOM` pixels, and shows them again when there is room; a column of
:data:`OPTIONAL` that is empty in the rows shown (no lost reason among open deals, no next
step among lost ones) goes before them. A choice the user made is kept (QSettings) and then
stands at every width.
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
OPTIONAL = ("source", "lost_reason", "next_step_due", "expected_close")
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
        self._empty: set[str] = set()  # columns with no text in the sampled rows
        self._sizing = False
        self._user_sized = False  # the user dragged a column edge: keep their widths
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COLUMNS.index("title"), QHeaderView.ResizeMode.Stretch)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._menu_at)
        header.setToolTip("Right-click a column heading to choose the columns")
        table.viewport().installEventFilter(self)
        table.model().modelReset.connect(self._rows_changed)
        header.sectionResized.connect(self._resized)
        chosen = QSettings().value(SETTING)
        self._chosen: set[str] | None = (
            {key for key in str(chosen).split(",") if key in COLUMNS} if chosen is not None
            else None)
        self._apply()

    # ------------------------------------------------------------------ widths
    def size_from_rows(self) -> None:
        """Widths from the header and a sample of rows: cheap whatever the row count."""
        self._sizing = True
        try:
            self._size_from_rows()
        finally:
            self._sizing = False
        self._apply()

    def _resized(self, column: int, _old: int, _new: int) -> None:
        if not self._sizing and COLUMNS[column] != "title" and self._widths \
                and not self.table.isColumnHidden(column):
            self._user_sized = True

    def _size_from_rows(self) -> None:
        model = self.table.model()
        metrics = QFontMetrics(self.table.font())
        header_metrics = QFontMetrics(self.table.horizontalHeader().font())
        rows = range(min(SAMPLE_ROWS, model.rowCount()))
        self._empty = set()
        for column, key in enumerate(COLUMNS):
            if key == "title":
                continue
            label = model.headerData(column, Qt.Orientation.Horizontal)
            width = header_metrics.horizontalAdvance(label) + 24  # room for the sort arrow
            texts = [str(model.data(model.index(row, column)) or "") for row in rows]
            if not any(texts):
                self._empty.add(key)
            for text in texts:
                width = max(width, metrics.horizontalAdvance(text) + 18)
            if key == "value":  # right-aligned: keep it off the next column's left edge
                width += 12
            self._widths[key] = min(width, CAPS.get(key, CAP))
            self.table.setColumnWidth(column, self._widths[key])

    def _rows_changed(self) -> None:
        """Other rows (a new filter): fit the columns to them again, unless the user sized
        the columns themselves."""
        if self._widths and not self._user_sized:
            self.size_from_rows()

    # ----------------------------------------------------------------- showing
    def hidden(self) -> set[str]:
        """The columns left out now."""
        if self._chosen is not None:
            return set(self._chosen)
        if not self._widths:  # not sized yet: nothing to judge by
            return set()
        room = self.table.viewport().width() - sum(self._widths.values())
        hidden: set[str] = set()
        order = [k for k in OPTIONAL if k in self._empty] + [
            k for k in FIRST_TO_GO if k not in self._empty]
        for key in order:
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
