"""Showing money, hours and dates the way the user's locale writes them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

from app.clock import to_local
from app.currency import currency_symbol


def adopt_system_locale() -> None:
    """Format with the user's locale. Where none is configured (the "C"/POSIX locale of a
    bare system, which writes 12,346$ and 21 03 2026), fall back to English (US)."""
    if QLocale.system().language() == QLocale.Language.C:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


def format_money(value: Decimal | None, currency: str, *, cents: bool = False) -> str:
    """``value`` with the locale's separators and ``currency``'s symbol placed as the locale
    places it. Computed from the Decimal's digits, never through a float. Whole units unless
    ``cents``."""
    if value is None:
        return ""
    locale = QLocale()
    places = 2 if cents else 0
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign, digits = ("-" if rounded < 0 else ""), f"{abs(rounded):f}"
    whole, _, frac = digits.partition(".")
    group = locale.groupSeparator()
    grouped = ""
    while len(whole) > 3:
        grouped = group + whole[-3:] + grouped
        whole = whole[:-3]
    number = whole + grouped + ((locale.decimalPoint() + frac) if places else "")
    pattern = locale.toCurrencyString(0.0, currency_symbol(currency), 0)
    zero = locale.toString(0)
    return sign + pattern.replace(zero, number, 1) if zero in pattern else f"{sign}{number}"


def format_date(value: date | None) -> str:
    """A date in the locale's short format (e.g. 21/03/2026 or 3/21/26)."""
    if value is None:
        return ""
    return QLocale().toString(QDate(value.year, value.month, value.day),
                              QLocale.FormatType.ShortFormat)


def format_stamp(value: datetime | None) -> str:
    """A stored UTC timestamp in local time, in the locale's short date-time format."""
    if value is None:
        return ""
    local = to_local(value)
    moment = QDateTime(QDate(local.year, local.month, local.day), QTime(local.hour, local.minute))
    return QLocale().toString(moment, QLocale.FormatType.ShortFormat)


def format_points(points: float, places: int = 0) -> str:
    """Signed score points ("+7", "-3", "+0.5") to ``places`` decimals. A value that rounds
    to zero is written "0" (or "0.0"): never "-0", which read as a penalty that is not one,
    nor "+0"."""
    text = f"{points:+.{places}f}"
    if float(text) == 0:
        return f"{0:.{places}f}"
    return text


def format_hours(value: Decimal | None, *, blank_zero: bool = False) -> str:
    """Hours written one way everywhere: the locale's separators, no trailing zeros
    ("7.25", "1.5", "1,646"; never "2.00"); "" for None (and for zero when ``blank_zero``,
    so an empty timesheet cell looks empty). Text around it adds the unit ("h")."""
    if value is None or (blank_zero and not value):
        return ""
    locale = QLocale()
    whole, _, fraction = f"{abs(value).normalize():f}".partition(".")
    sign = "-" if value < 0 else ""
    return sign + locale.toString(int(whole)) + (
        locale.decimalPoint() + fraction if fraction else "")


def format_share(value: Decimal | None) -> str:
    """A fraction (0–1) as a whole percentage, "—" when there is nothing to divide."""
    if value is None:
        return "—"
    return QLocale().toString(int((value * 100).to_integral_value())) + " %"
