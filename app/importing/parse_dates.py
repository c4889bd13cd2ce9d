"""Dates from spreadsheet cells, with day/month order decided per column.

Accepted: real date cells, Excel serial numbers, ISO (``2026-03-21``), ``21/03/2026``,
``03/21/2026``, ``21.03.2026``, ``21-03-26``, ``March 21, 2026``, ``21 Mar 2026``. For numeric
dates the order is decided from the whole column: any first part over 12 means day first, any
second part over 12 means month first. A column that never says falls back to the system
locale and the report says so. A date that does not exist (``31/02/2026``) is an error.
"""

from __future__ import annotations

import locale
import os
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.clock import DATE_RANGE

EXCEL_EPOCH = date(1899, 12, 30)
SERIAL_RANGE = tuple((day - EXCEL_EPOCH).days for day in DATE_RANGE)  # 18,264 – 73,415
_OUT_OF_RANGE = (f"is outside the dates Funnelcast accepts ({DATE_RANGE[0].year} to "
                 f"{DATE_RANGE[1].year}).")

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
# Territories that write the month first (everything else writes the day first).
MONTH_FIRST_TERRITORIES = {"US", "PH", "PR", "GU", "AS", "VI", "UM", "MH", "FM", "PW", "BZ"}

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?$")
_NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})(?:[T ][\d:.]+)?$")
_WRITTEN_MDY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_WRITTEN_DMY = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-]+([a-z]+)\.?,?[\s\-]+(\d{2}|\d{4})$")
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+")
_SERIAL_TEXT = re.compile(r"^\d{5}(?:\.\d+)?$")


def system_day_first() -> bool:
    """Whether the system locale writes the day before the month (en_US does not)."""
    for variable in ("LC_ALL", "LC_TIME", "LANG"):
        value = os.environ.get(variable, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            break
    else:
        value = (locale.getlocale(locale.LC_TIME)[0] or "") if hasattr(locale, "LC_TIME") else ""
    territory = value.split(".")[0].partition("_")[2].upper()
    if not territory:
        return False  # the C locale formats dates month first
    return territory not in MONTH_FIRST_TERRITORIES


@dataclass
class DateColumn:
    """``values[i]`` is a date, None (blank) or an error sentence. ``day_first`` is the order
    used for numeric dates; ``from_locale`` is True when the column could not decide and the
    order mattered: ``undecided`` texts (``example`` the first of them) read as two different
    days depending on it. ISO dates, date cells and ``05/05/2026`` never count: they read the
    same either way."""

    day_first: bool
    from_locale: bool
    values: list[date | str | None] = field(default_factory=list)
    mixed: bool = False
    undecided: int = 0
    example: str = ""


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _make(raw: str, year: int, month: int, day: int) -> date | str:
    try:
        return _in_range(date(year, month, day), raw)
    except ValueError:
        return f"{raw!r} is not a real date."


def _in_range(day: date, raw: object) -> date | str:
    """``day``, or the sentence refusing it when it lies outside :data:`DATE_RANGE`."""
    if DATE_RANGE[0] <= day <= DATE_RANGE[1]:
        return day
    shown = raw.strip() if isinstance(raw, str) else (
        raw.isoformat() if isinstance(raw, date) else raw)
    return f"{shown!r} {_OUT_OF_RANGE}"


def _serial(number: float, raw: object) -> date | str:
    if not SERIAL_RANGE[0] <= number <= SERIAL_RANGE[1]:
        if SERIAL_RANGE[1] < number <= (date.max - EXCEL_EPOCH).days:  # a serial, too late
            day = EXCEL_EPOCH + timedelta(days=int(number))
            return (f"{raw!r}, read as an Excel serial number, is {day.isoformat()}, which "
                    + _OUT_OF_RANGE)
        return f"{raw!r} is not a date."
    return EXCEL_EPOCH + timedelta(days=int(number))


def parse_date_text(raw: str, day_first: bool) -> date | str:
    """One text date, with ``day_first`` deciding numeric forms like 03/04/2026."""
    text = _WEEKDAY.sub("", raw.strip().casefold())
    match = _ISO.match(text)
    if match:
        return _make(raw, int(match[1]), int(match[2]), int(match[3]))
    match = _NUMERIC.match(text)
    if match:
        first, second, year = int(match[1]), int(match[3]), _year(match[4])
        day, month = (first, second) if day_first else (second, first)
        return _make(raw, year, month, day)
    match = _WRITTEN_MDY.match(text)
    if match and match[1] in MONTHS:
        return _make(raw, int(match[3]), MONTHS[match[1]], int(match[2]))
    match = _WRITTEN_DMY.match(text)
    if match and match[2] in MONTHS:
        return _make(raw, _year(match[3]), MONTHS[match[2]], int(match[1]))
    if _SERIAL_TEXT.match(text):
        return _serial(float(text), raw)
    return f"{raw.strip()!r} is not a date."


def _order_vote(text: str) -> str | None:
    """'dmy' or 'mdy' when a numeric text date proves its order, 'either' when it reads as
    two different days depending on the order (03/04/2026), else None (not a numeric date,
    or one such as 05/05/2026 that reads the same both ways)."""
    match = _NUMERIC.match(text.strip())
    if not match:
        return None
    first, second = int(match[1]), int(match[3])
    if first > 12 >= second:
        return "dmy"
    if second > 12 >= first:
        return "mdy"
    if first != second and first <= 12 and second <= 12:
        return "either"
    return None


def parse_date_column(
    cells: list, day_first: bool | None = None, locale_day_first: bool | None = None
) -> DateColumn:
    """Parse a column of raw cells. ``day_first`` forces the order (the user's choice);
    otherwise the column decides, else ``locale_day_first`` (default: the system locale)."""
    votes = {"dmy": 0, "mdy": 0, "either": 0}
    example = ""
    for cell in cells:
        if isinstance(cell, str) and cell:
            vote = _order_vote(cell)
            if vote:
                votes[vote] += 1
                if vote == "either" and not example:
                    example = cell.strip()
    from_locale = False
    mixed = bool(votes["dmy"] and votes["mdy"])
    if day_first is None:
        if votes["dmy"] or votes["mdy"]:
            day_first = votes["dmy"] >= votes["mdy"]
        else:
            day_first = system_day_first() if locale_day_first is None else locale_day_first
            from_locale = bool(votes["either"])
    wrong = "mdy" if day_first else "dmy"
    out: list[date | str | None] = []
    append = out.append
    for cell in cells:
        if cell is None or cell == "":
            append(None)
        elif isinstance(cell, datetime):
            append(_in_range(cell.date(), cell.date()))
        elif isinstance(cell, date):
            append(_in_range(cell, cell))
        elif isinstance(cell, bool):
            append(f"{cell!r} is not a date.")
        elif isinstance(cell, (int, float)):
            append(_serial(cell, cell) if cell == cell else f"{cell!r} is not a date.")
        elif isinstance(cell, str):
            if mixed and _order_vote(cell) == wrong:
                append(f"{cell.strip()!r} puts day and month the other way round from the "
                       "rest of the column.")
            else:
                append(parse_date_text(cell, day_first))
        else:
            append(f"{cell!r} is not a date.")
    if not from_locale:
        return DateColumn(day_first, False, out, mixed)
    return DateColumn(day_first, True, out, mixed, votes["either"], example)
