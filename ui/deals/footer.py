"""The deals table's footer: how many deals the filter shows, the open pipeline (value and
weighted value) and what was won in the current quarter, each on its own.

Why not one total: a sum of won, lost and open deals ("400 deals · total $7.6M") is no
figure a manager uses; the open pipeline and this quarter's wins are the two they ask for.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from app.deal_table import DealSummary
from app.periods import Period
from ui.formatting import format_money


def _deals(count: int) -> str:
    return f"{count:,} deal{'s' if count != 1 else ''}"


class DealsFooter(QLabel):
    """A one-line summary; :meth:`show_summary` with None while the sums are being made."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTextFormat(self.textFormat().PlainText)
        self.setToolTip("Open pipeline: the deals the filter shows that are neither won nor "
                        "lost, with their value weighted by each stage's probability.\n"
                        "Won: the deals among them moved to Won in the current quarter.")

    def show_summary(self, count: int, summary: DealSummary | None, period: Period,
                     currency: str) -> None:
        if summary is None:
            self.setText(f"{_deals(count)} · adding up…")
            return
        self.setText(
            f"{_deals(summary.count)}   ·   Open pipeline: {summary.open_count:,} "
            f"{'deal' if summary.open_count == 1 else 'deals'}, "
            f"{format_money(summary.open_value, currency)} "
            f"(weighted {format_money(summary.weighted, currency)})   ·   "
            f"Won in {period.label}: {summary.won_count:,}, "
            f"{format_money(summary.won_value, currency)}")
