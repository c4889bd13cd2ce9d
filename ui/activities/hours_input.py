"""The one hours field of the Activities page: a spin box in quarter hours that writes its
value as :func:`ui.formatting.format_hours` does ("1.5", not "1.50"), so a figure looks the
same in the grid, the entries, the team tables and while it is being typed."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QDoubleSpinBox, QWidget

from ui.formatting import format_hours


class HoursSpinBox(QDoubleSpinBox):
    """0–24 hours in quarter-hour steps; :meth:`hours` gives the value as an exact Decimal."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDecimals(2)
        self.setRange(0, 24)
        self.setSingleStep(0.25)

    def textFromValue(self, value: float) -> str:
        return format_hours(Decimal(str(round(value, 2)))) or "0"

    def hours(self) -> Decimal:
        """The typed value (committed first), to the hundredth, as a Decimal."""
        self.interpretText()
        return Decimal(str(round(self.value(), 2)))
