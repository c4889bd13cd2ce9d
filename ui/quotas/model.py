"""The quota grid's table model: reps as rows, periods as columns, the team's row last.

Editing a cell does not change the model: it hands (rep id, period, typed text) to the
``editor`` callback, which parses and writes through the worker and reloads the grid with
:meth:`QuotaGridModel.set_grid`. Everything is read-only when ``editable`` is False (a rep).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QLocale, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QApplication

from app.deals import format_amount
from app.periods import Period
from app.quotas import GridRow, QuotaGrid
from ui.formatting import format_date, format_money
from ui.theme import muted_text

Index = QModelIndex | QPersistentModelIndex
# Called with (rep id or None for the team, period, the text typed; "" clears).
CellEditor = Callable[[int | None, Period, str], None]
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def quota_text(amount: Decimal | None, currency: str) -> str:
    """A quota as the grid and the forecast cards show it: whole units, cents only when a
    quota has them (a quota of 50,000.50 is not rounded away)."""
    if amount is None:
        return ""
    return format_money(amount, currency, cents=amount != amount.to_integral_value())


class QuotaGridModel(QAbstractTableModel):
    """Column 0 names the rep (or "Team"); column ``i + 1`` is ``grid.periods[i]``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grid: QuotaGrid | None = None
        self.currency = "USD"
        self.editable = False
        self.editor: CellEditor | None = None

    def set_grid(self, grid: QuotaGrid | None, currency: str) -> None:
        self.beginResetModel()
        self.grid, self.currency = grid, currency
        self.endResetModel()

    def set_editable(self, editable: bool) -> None:
        """Allow or forbid edits (the acting user changed); views re-read every flag."""
        self.beginResetModel()
        self.editable = editable
        self.endResetModel()

    def row(self, row: int) -> GridRow:
        return self.grid.team if row == len(self.grid.reps) else self.grid.reps[row]

    def team_row(self) -> int:
        return len(self.grid.reps) if self.grid else -1

    def row_of(self, rep_id: int | None) -> int:
        if rep_id is None:
            return self.team_row()
        return next(i for i, r in enumerate(self.grid.reps) if r.rep_id == rep_id)

    def period(self, column: int) -> Period:
        return self.grid.periods[column - 1]

    # ------------------------------------------------------------ the model
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.grid is None else len(self.grid.reps) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.grid is None else len(self.grid.periods) + 1

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or self.grid is None:
            return None
        if not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "Rep" if section == 0 else self.period(section).label
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if section else int(Qt.AlignmentFlag.AlignLeft
                                             | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and section > 0:
            period = self.period(section)
            return f"{period.label}: {format_date(period.start)} – {format_date(period.end)}"
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.grid is None:
            return None
        line, column = self.row(index.row()), index.column()
        team = line.rep_id is None
        amount = line.amounts[column - 1] if column else None
        summed = team and column > 0 and not line.own[column - 1]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return line.name if line.active else f"{line.name} (inactive)"
            text = quota_text(amount, self.currency)
            if summed:
                return f"{text} (sum)" if text else "—"
            return text
        if role == Qt.ItemDataRole.EditRole:
            if column == 0 or amount is None or summed:
                return ""
            locale = QLocale()
            return format_amount(amount.normalize() if amount == amount.to_integral_value()
                                 else amount, "", locale.decimalPoint())
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return RIGHT
        if role == Qt.ItemDataRole.FontRole and team:
            font = QFont(QApplication.font())
            font.setBold(not summed)
            font.setItalic(summed)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and (summed or not line.active):
            return muted_text()
        if role == Qt.ItemDataRole.BackgroundRole and team:
            return QApplication.palette().color(QPalette.ColorRole.AlternateBase)
        if role == Qt.ItemDataRole.ToolTipRole and column > 0:
            return self._tip(line, column)
        return None

    def _tip(self, line: GridRow, column: int) -> str:
        label = self.period(column).label
        if line.rep_id is not None:
            if line.amounts[column - 1] is None:
                return f"No quota for {line.name} in {label}."
            return f"{line.name}'s quota for {label}."
        reps = [r.amounts[column - 1] for r in self.grid.reps if r.amounts[column - 1]]
        total = quota_text(sum(reps, Decimal(0)), self.currency) if reps else "nothing"
        if line.own[column - 1]:
            return (f"Set for the team in {label}; the reps' quotas add up to {total}. "
                    "Clear it (Delete) to use the reps' sum.")
        return (f"The reps' quotas for {label} add up to {total}; type an amount to set the "
                "team's own quota.")

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable and index.column() > 0:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (role != Qt.ItemDataRole.EditRole or not index.isValid() or self.editor is None
                or not self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        text = str(value if value is not None else "").strip()
        if text == str(self.data(index, Qt.ItemDataRole.EditRole)):
            return False  # left as it was: nothing to write
        self.editor(self.row(index.row()).rep_id, self.period(index.column()), text)
        return True
