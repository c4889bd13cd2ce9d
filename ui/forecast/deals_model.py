"""The deals behind a forecast card, largest contribution (expected value) first."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from app.forecast import DealChance
from ui.forecast.card import percent
from ui.formatting import format_money
from ui.header_table_model import HeaderTableModel

DEAL_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def stage_rate_text(deal: DealChance) -> str:
    """"80 % / 88 % (66)": the manager's estimate, then history's rate and how many closed
    deals it rests on."""
    rate = deal.stage_rate
    history = percent(rate.history) if rate.history is not None else "—"
    return f"{percent(rate.manager)} / {history} ({rate.n})"


class DealChancesModel(HeaderTableModel):
    HEADERS = ("Deal", "Company", "Stage", "Value", "Stage rate", "Win chance", "In period",
               "Expected")
    HEADER_TIPS = {
        4: "The stage's win rate: the manager's estimate / history's rate (how many closed "
           "deals history rests on)",
        5: "The chance the deal is ever won",
        6: "The chance that a win lands inside the period",
        7: "Value × win chance × in period: what the deal adds to the forecast",
    }
    RIGHT = frozenset({3, 4, 5, 6, 7})

    def __init__(self, parent=None):
        super().__init__(parent)
        self.deals: list[DealChance] = []
        self.currency = "USD"

    def set_deals(self, deals: tuple[DealChance, ...], currency: str) -> None:
        self.beginResetModel()
        self.deals = sorted(deals, key=lambda d: d.expected, reverse=True)
        self.currency = currency
        self.endResetModel()

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if (role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal
                and section in self.HEADER_TIPS):
            return self.HEADER_TIPS[section]
        return super().headerData(section, orientation, role)

    def row_count(self) -> int:
        return len(self.deals)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        deal, column = self.deals[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                deal.title, deal.company, deal.stage_name,
                format_money(deal.value, self.currency), stage_rate_text(deal),
                percent(deal.p_win), percent(deal.p_in_period),
                format_money(deal.expected, self.currency),
            )[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == DEAL_ID_ROLE:
            return deal.deal_id
        if role == Qt.ItemDataRole.ToolTipRole:
            rate = deal.stage_rate
            history = (f"{percent(rate.history)} of the {rate.n} deals closed from "
                       f"{rate.stage_name} were won" if rate.history is not None
                       else f"no deal has closed from {rate.stage_name} yet")
            return (f"{deal.title}: stage rate {percent(rate.blended)} (the manager's "
                    f"{percent(rate.manager)} blended with history: {history}); "
                    f"{percent(deal.p_win)} chance of ever winning, "
                    f"{percent(deal.p_in_period)} that a win lands in the period. "
                    "Double-click to open the deal.")
        return None
