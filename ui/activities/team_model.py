"""Table models of the team's hours (with capacity) and of the period's time figures."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from app.time_figures import PeriodFigures, TimeFigures
from app.timesheet import TeamHours, TeamRow
from ui.formatting import format_hours, format_money, format_share
from ui.theme import SUCCESS, WARNING, danger

ModelIndex = QModelIndex | QPersistentModelIndex
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


def _bold() -> QFont:
    font = QFont(QApplication.font())
    font.setBold(True)
    return font


class TeamModel(QAbstractTableModel):
    """Reps as rows (and a final "Team" row), categories as columns, then the total, the
    capacity to date, the share of it used, and the capacity still to come in the period
    (``app.timesheet.TeamRow``: hours are never compared with days not yet worked)."""

    HEADERS = ("Rep", "Prospecting", "Selling", "Other", "Total", "Capacity to date", "Used",
               "Still to come")
    USED = 6
    TIPS = (
        None, None, None, None, "Hours logged in the period.",
        "The rep's weekly capacity over the period's working days up to today.",
        "Hours logged as a share of the capacity to date.",
        "Capacity of the period's working days after today.",
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self._team: TeamHours | None = None

    def set_team(self, team: TeamHours | None) -> None:
        self.beginResetModel()
        self._team = team
        self.endResetModel()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        if parent.isValid() or self._team is None or not self._team.rows:
            return 0
        return len(self._team.rows) + 1

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.TIPS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if section > 0 else LEFT
        return None

    def _row(self, row: int) -> tuple[str, TeamRow | TeamHours]:
        team = self._team
        if row < len(team.rows):
            return team.rows[row].name, team.rows[row]
        return "Team", team

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self._team is None:
            return None
        name, row = self._row(index.row())
        hours = row.hours if isinstance(row, TeamRow) else row.totals
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return name
            if column <= 3:
                return format_hours(hours[("prospecting", "selling", "other")[column - 1]])
            return (format_hours(row.total), format_hours(row.capacity_so_far),
                    format_share(row.used), format_hours(row.capacity_ahead))[column - 4]
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return RIGHT
        if role == Qt.ItemDataRole.FontRole and index.row() == len(self._team.rows):
            return _bold()
        if role == Qt.ItemDataRole.ForegroundRole and column == self.USED:
            return danger() if row.used is not None and row.used > 1 else None
        if role == Qt.ItemDataRole.ToolTipRole and column == self.USED and row.used is None:
            return "No working day of this period has passed yet."
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.TIPS[column]
        return None


NO_WINS = ("No deal was won in this period, so there is no revenue per selling hour to set "
           "against the target yet.")


class FiguresModel(QAbstractTableModel):
    """Where the time goes, per rep and for the team (last row)."""

    # Two-line headers keep the nine columns within a 1280-pixel window.
    HEADERS = (
        "Rep", "Prospecting", "Selling", "Other", "Selling h\nper win",
        "Prospecting h\nper lead", "Revenue per\nselling h", "vs target", "On marketing\nleads",
    )
    TIPS = (
        None,
        "Share of all hours logged in the period spent prospecting.",
        "Share of all hours logged in the period spent selling.",
        "Share of all hours logged in the period spent on other work.",
        "Selling hours in the period ÷ deals won in the period (won deals count for their "
        "owner).",
        "Prospecting hours in the period ÷ deals created in the period (leads count for the "
        "rep who created them).",
        "Value of the deals won in the period ÷ selling hours.",
        "Revenue per selling hour against the target in Settings.",
        "Hours logged against deals still on the marketing side: time spent on leads that "
        "were not sales-ready.",
    )

    def __init__(self, parent=None):
        super().__init__(parent)
        self._figures: PeriodFigures | None = None
        self.currency = "USD"

    def set_figures(self, figures: PeriodFigures | None, currency: str) -> None:
        self.beginResetModel()
        self._figures = figures
        self.currency = currency
        self.endResetModel()

    def _rows(self) -> list[TimeFigures]:
        if self._figures is None or not self._figures.reps:
            return []
        return [*self._figures.reps, self._figures.team]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows())

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.TIPS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if section > 0 else LEFT
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        rows = self._rows()
        figures = rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(figures, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            return RIGHT
        if role == Qt.ItemDataRole.FontRole and index.row() == len(rows) - 1:
            return _bold()
        if role == Qt.ItemDataRole.ForegroundRole and column == 7:
            ratio = figures.against_target
            if ratio is not None and figures.won_deals:
                return SUCCESS if ratio >= 1 else WARNING if ratio >= Decimal("0.5") else danger()
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (6, 7) and not figures.won_deals:
                return NO_WINS
            return self.TIPS[column]
        return None

    def _text(self, figures: TimeFigures, column: int) -> str:
        if column == 0:
            return figures.name
        if column <= 3:
            category = ("prospecting", "selling", "other")[column - 1]
            hours = format_hours(figures.hours[category])
            return f"{hours} h · {format_share(figures.share(category))}"
        if column == 4:
            return _or_dash(figures.selling_hours_per_win, format_hours)
        if column == 5:
            return _or_dash(figures.prospecting_hours_per_lead, format_hours)
        if column in (6, 7) and not figures.won_deals:
            return "—"  # not "$0" and a red "0 %": a week without a win is no verdict
        if column == 6:
            return _or_dash(figures.revenue_per_selling_hour,
                            lambda v: format_money(v, self.currency))
        if column == 7:
            return format_share(figures.against_target)
        return f"{format_hours(figures.marketing_side_hours)} h"


def _or_dash(value: Decimal | None, show) -> str:
    return "—" if value is None else show(value)
