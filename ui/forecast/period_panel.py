"""A Forecast section that reads its period's data only when it is on screen.

The What if and Trend & track record sections are costly to compute and hidden behind tabs;
each is told of every period or data change but reads again only when shown (at once if it
is, else on its next showEvent).
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.periods import Period
from ui.context import UiContext


class PeriodPanel(QWidget):
    """Subclasses implement :meth:`load` (start the reads for ``self.period``)."""

    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.period: Period | None = None
        self.currency = "USD"
        self.stale = True

    def set_period(self, period: Period, currency: str) -> None:
        """The page's period, or its data, changed: read again (now if shown)."""
        self.period, self.currency, self.stale = period, currency, True
        if self.isVisible():
            self.load()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.stale and self.period is not None:
            self.load()

    def load(self) -> None:
        raise NotImplementedError
