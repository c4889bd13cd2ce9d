"""The what-if per rep: one lever's projections as a table model, the reps then the team.

A rep the lever costs revenue stands out: the gain in the warning colour, and the extra
leads they cannot work ("4 of 12") beside it, so a lead flood on a capacity-bound rep is
seen at a glance.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QLocale, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from app.forecast import LeverResult, Projection
from ui.forecast.card import percent
from ui.forecast.gain_delegate import GAIN_ROLE, SCALE_ROLE
from ui.forecast.lever_card import HURT_EPSILON, ratio_text, signed_money
from ui.formatting import format_money
from ui.theme import SUCCESS, danger

REP_ID_ROLE = Qt.ItemDataRole.UserRole + 1
TEAM_KEY = "team"  # REP_ID_ROLE of the team's row (a rep's id may be None for "nobody")
HEADERS = ("Rep", "Revenue today", "Revenue", "Against today", "Chance today", "Chance",
           "Cost", "Return per 1", "Extra leads worked")
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def leads_worked_text(p: Projection) -> str:
    if p.extra_leads < 0.05:
        return "—"
    locale = QLocale()
    return (f"{locale.toString(p.leads_worked, 'f', 1)} of "
            f"{locale.toString(p.extra_leads, 'f', 1)}")


class ProjectionsModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[Projection] = []
        self.currency = "USD"

    def set_result(self, result: LeverResult, currency: str) -> None:
        """Same reps as before: the cells change in place (a slider tick keeps the
        selection); other reps: the rows are rebuilt."""
        rows = [*result.reps, result.team]
        self.currency = currency
        if [p.rep_id for p in rows] == [p.rep_id for p in self.rows] and rows:
            self.rows = rows
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(rows) - 1, len(HEADERS) - 1))
            return
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return LEFT if section == 0 else RIGHT
        return None

    def _is_team(self, row: int) -> bool:
        return row == len(self.rows) - 1

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        p, column = self.rows[index.row()], index.column()
        hurt = p.gain < -HURT_EPSILON
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(p, column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return LEFT if column == 0 else RIGHT
        if role == Qt.ItemDataRole.ForegroundRole:
            if (column == 3 and hurt) or (column == 8 and p.leads_unworked > 0.05):
                return danger()
            if column == 3 and p.gain > HURT_EPSILON:
                return SUCCESS
            return None
        if role == Qt.ItemDataRole.FontRole and (self._is_team(index.row())
                                                 or (column == 3 and hurt)):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column in (3, 8) and p.leads_unworked > 0.05:
            return (f"{p.rep_name} has no time for every extra lead: the ones not worked "
                    "still take hours to look at, which come out of closing deals "
                    f"(selling time covered: {percent(p.coverage_today)} today, "
                    f"{percent(p.coverage)} with the lever).")
        if role == GAIN_ROLE and column == 3 and not self._is_team(index.row()):
            return float(p.gain)  # the team's total is on another scale: no bar
        if role == SCALE_ROLE and column == 3:
            return max((abs(float(r.gain)) for r in self.rows[:-1]), default=0.0)
        if role == REP_ID_ROLE:
            return TEAM_KEY if self._is_team(index.row()) else p.rep_id
        return None

    def _text(self, p: Projection, column: int) -> str:
        money = self.currency
        if column == 0:
            return p.rep_name
        if column == 1:
            return format_money(p.baseline_revenue, money)
        if column == 2:
            return format_money(p.revenue, money)
        if column == 3:
            return signed_money(p.gain, money) if abs(p.gain) >= HURT_EPSILON else "±0"
        if column == 4:
            return percent(p.baseline_probability)
        if column == 5:
            return percent(p.probability)
        if column == 6:
            return format_money(p.cost, money) if p.cost > Decimal(0) else "—"
        if column == 7:
            return ratio_text(p.return_per_money)
        return leads_worked_text(p)
