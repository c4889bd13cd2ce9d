"""The Reports' tables: one model class for every figures table, described by columns, and
the drill-down's list of deals.

A :class:`Column` says how to show a row's figure and, when the figure rests on deals, which
ids those are: a click on such a cell lists them (the cell is underlined-blue like a link,
and its tooltip says so). "—" stands for a figure with nothing to divide by.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFont

from app.reports import DealLine
from ui.formatting import format_date, format_money
from ui.header_table_model import HeaderTableModel
from ui.theme import accent

DEAL_ID_ROLE = Qt.ItemDataRole.UserRole + 1
IDS_ROLE = Qt.ItemDataRole.UserRole + 2  # (caption, ids) of a cell with deals behind it
DASH = "—"


@dataclass(frozen=True)
class Column:
    header: str
    text: Callable[[object, str], str]  # (row, currency) -> text
    ids: Callable[[object], tuple[int, ...]] | None = None
    caption: str = ""  # what the ids are: "entered", "won"...
    right: bool = True
    tip: str = ""


def money(get: Callable) -> Callable[[object, str], str]:
    return lambda row, currency: DASH if get(row) is None else format_money(get(row), currency)


def rate(get: Callable) -> Callable[[object, str], str]:
    return lambda row, _c: DASH if get(row) is None else f"{float(get(row)) * 100:.0f} %"


def number(get: Callable) -> Callable[[object, str], str]:
    def show(row, _c) -> str:
        value = get(row)
        if value is None:
            return DASH
        if isinstance(value, Decimal):
            return f"{value:,.1f}"
        return f"{value:,}"
    return show


def text(get: Callable) -> Callable[[object, str], str]:
    return lambda row, _c: str(get(row))


class FiguresModel(HeaderTableModel):
    """Rows of report dataclasses shown through ``columns``; the last row may be a total
    (bold)."""

    def __init__(self, columns: Sequence[Column], name: Callable[[object], str], parent=None):
        super().__init__(parent)
        self.columns = tuple(columns)
        self.HEADERS = tuple(c.header for c in self.columns)
        self.RIGHT = frozenset(i for i, c in enumerate(self.columns) if c.right)
        self.name = name
        self.rows: list = []
        self.total_row = False
        self.currency = "USD"

    def set_rows(self, rows: Sequence, currency: str, *, total: bool = False) -> None:
        self.beginResetModel()
        self.rows, self.currency, self.total_row = list(rows), currency, total
        self.endResetModel()

    def row_count(self) -> int:
        return len(self.rows)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if (role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(self.columns) and self.columns[section].tip):
            return self.columns[section].tip
        return super().headerData(section, orientation, role)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row, self.currency)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = Qt.AlignmentFlag.AlignRight if column.right else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        clickable = (column.ids is not None and bool(column.ids(row))
                     and column.text(row, self.currency) != DASH)
        if role == IDS_ROLE and clickable:
            return (f"{self.name(row)}: {column.caption or column.header.lower()}",
                    column.ids(row))
        if role == Qt.ItemDataRole.ForegroundRole and clickable:
            return accent()
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            if self.total_row and index.row() == len(self.rows) - 1:
                font.setBold(True)
            if clickable:
                font.setUnderline(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and clickable:
            return f"Click to list the {len(column.ids(row))} deals behind this figure"
        return None


class DealLinesModel(HeaderTableModel):
    """The deals behind a figure, largest first; double-click opens one."""

    HEADERS = ("Deal", "Company", "Owner", "Source", "Stage", "Value", "Created")
    RIGHT = frozenset({5, 6})

    def __init__(self, parent=None):
        super().__init__(parent)
        self.lines: list[DealLine] = []
        self.currency = "USD"

    def set_lines(self, lines: Sequence[DealLine], currency: str) -> None:
        self.beginResetModel()
        self.lines, self.currency = list(lines), currency
        self.endResetModel()

    def row_count(self) -> int:
        return len(self.lines)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        line, column = self.lines[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (line.title, line.company, line.owner or DASH, line.source or DASH,
                    line.stage, format_money(line.value, self.currency),
                    format_date(line.created))[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == DEAL_ID_ROLE:
            return line.deal_id
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{line.title}: double-click to open the deal"
        return None
