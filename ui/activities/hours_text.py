"""Hours as the user's locale writes them (1.5 → "1.5" or "1,5"), from a Decimal."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QLocale


def format_hours(value: Decimal | None, *, blank_zero: bool = False) -> str:
    """``value`` without trailing zeros ("7.25", "8"), the locale's decimal point; "" for None
    (and for zero when ``blank_zero``, so an empty timesheet cell looks empty)."""
    if value is None or (blank_zero and not value):
        return ""
    text = f"{value.normalize():f}"
    whole, _, fraction = text.partition(".")
    return whole + (QLocale().decimalPoint() + fraction if fraction else "")


def format_share(value: Decimal | None) -> str:
    """A fraction (0–1) as a whole percentage, "—" when there is nothing to divide."""
    if value is None:
        return "—"
    return QLocale().toString(int((value * 100).to_integral_value())) + " %"
