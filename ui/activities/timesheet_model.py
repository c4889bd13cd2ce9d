"""The table model of a rep's week, and the delegate that edits its cells in quarter hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QLocale, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyledItemDelegate, QWidget

from app.timesheet import Week
from ui.activities.hours_input import HoursSpinBox
from ui.formatting import format_hours
from ui.theme import muted_text

CATEGORY_LABELS = {"prospecting": "Prospecting", "selling": "Selling", "other": "Other"}
ModelIndex = QModelIndex | QPersistentModelIndex
# Called with (kind, day, hours) when the user commits a cell.
CellEditor = Callable[[str, date, Decimal], None]


class TimesheetModel(QAbstractTableModel):
    """Rows: for each category a subtotal row, then its kinds; a final "Total" row.
    Columns: the kind, Monday..Sunday, the row's total.

    Editing a kind's day cell does not change the model: it hands (kind, day, hours) to the
    ``editor`` callback, which writes through ``app.timesheet.set_cell`` and then reloads the
    week with :meth:`set_week`. Rows of inactive kinds, subtotals and totals are read-only, as
    is everything when ``editable`` is False (someone else's week, for a rep).
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self._week: Week | None = None
        self._lines: list[tuple[str, object]] = []  # ("category", name) / ("kind", row) / ...
        self.editable = True
        self.editor: CellEditor | None = None

    # --------------------------------------------------------------- content
    @property
    def week(self) -> Week | None:
        return self._week

    def set_week(self, week: Week | None) -> None:
        self.beginResetModel()
        self._week = week
        self._lines = []
        if week is not None:
            for category in CATEGORY_LABELS:
                rows = [r for r in week.rows if r.category == category]
                if rows:
                    self._lines.append(("category", category))
                    self._lines.extend(("kind", r) for r in rows)
            self._lines.append(("total", None))
        self.endResetModel()

    def row_of_kind(self, kind: str) -> int:
        return next(i for i, (what, row) in enumerate(self._lines)
                    if what == "kind" and row.kind == kind)

    def total_row(self) -> int:
        return len(self._lines) - 1

    # ------------------------------------------------------------ the model
    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 9

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or self._week is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section == 0:
                return "Activity"
            if section == 8:
                return "Total"
            day = self._week.days[section - 1]
            locale = QLocale()
            return f"{locale.dayName(day.isoweekday(), QLocale.FormatType.ShortFormat)} " \
                   f"{locale.toString(day.day)}"
        if role == Qt.ItemDataRole.TextAlignmentRole and section > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _value(self, row: int, column: int) -> Decimal | None:
        what, item = self._lines[row]
        week = self._week
        if column == 0:
            return None
        if what == "kind":
            return item.total if column == 8 else item.hours[column - 1]
        if what == "category":
            rows = [r for r in week.rows if r.category == item]
            if column == 8:
                return week.category_totals[item]
            return sum((r.hours[column - 1] for r in rows), Decimal("0.00"))
        return week.total if column == 8 else week.day_totals[column - 1]

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self._week is None:
            return None
        what, item = self._lines[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == 0:
                if what == "kind":
                    return item.kind if item.active else f"{item.kind} (no longer in use)"
                return CATEGORY_LABELS.get(item, "Total") if what == "category" else "Total"
            value = self._value(index.row(), column)
            if role == Qt.ItemDataRole.EditRole:
                return float(value)  # the spin box's type; written back as a Decimal
            return format_hours(value, blank_zero=what != "total")
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and what != "kind":
            font = QFont(QApplication.font())
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and what == "kind" and not item.active:
            return muted_text()
        if role == Qt.ItemDataRole.BackgroundRole and what != "kind":
            return QApplication.palette().color(QPalette.ColorRole.AlternateBase)
        if role == Qt.ItemDataRole.ToolTipRole and what == "kind" and 1 <= column <= 7:
            floor = item.floor[column - 1]
            if floor:
                return (f"{format_hours(floor)} h of this cell are logged with notes or against "
                        "deals; those entries are kept when you change the cell.")
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        what, item = self._lines[index.row()]
        if (self.editable and what == "kind" and item.active and 1 <= index.column() <= 7):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: ModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (role != Qt.ItemDataRole.EditRole or not index.isValid()
                or not self.flags(index) & Qt.ItemFlag.ItemIsEditable or self.editor is None):
            return False
        _what, item = self._lines[index.row()]
        hours = value if isinstance(value, Decimal) else Decimal(str(value))
        if hours == item.hours[index.column() - 1]:
            return False
        self.editor(item.kind, self._week.days[index.column() - 1], hours)
        return True


class HoursDelegate(QStyledItemDelegate):
    """Edits a cell with a spin box in quarter-hour steps (0–24, the locale's decimal point);
    the value reaches the model as an exact Decimal."""

    def createEditor(self, parent: QWidget, option, index: ModelIndex) -> QWidget:
        editor = HoursSpinBox(parent)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight)
        editor.setButtonSymbols(HoursSpinBox.ButtonSymbols.NoButtons)
        editor.setFrame(False)
        return editor

    def setEditorData(self, editor: QWidget, index: ModelIndex) -> None:
        editor.setValue(float(index.data(Qt.ItemDataRole.EditRole) or 0))
        editor.selectAll()

    def setModelData(self, editor: QWidget, model, index: ModelIndex) -> None:
        model.setData(index, editor.hours(), Qt.ItemDataRole.EditRole)
