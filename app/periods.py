"""Named selling periods: fiscal quarters and months, as a manager types them.

Quotas, the forecast, the what-if and the reports all take a period as ``YYYY-Qn`` or
``YYYY-MM``; this module is the one place that turns that text into dates and back.

Quarters follow the fiscal year start from the settings. ``2026-Q1`` is the first quarter of
the fiscal year that *starts* in calendar 2026: with a fiscal year starting in April it runs
from 1 April to 30 June 2026. (Companies differ in whether they name a fiscal year after the
year it starts or ends in; naming it by its start keeps ``2026-Q1`` inside 2026 for every
start month, which is what a manager reading the label expects.) Months are calendar months.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.clock import DATE_RANGE
from app.errors import ValidationError
from app.time_figures import period_containing, shift_period

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")
_MONTH = re.compile(r"^\s*(\d{4})\s*-\s*(\d{1,2})\s*$")


@dataclass(frozen=True)
class Period:
    """A fiscal quarter or a calendar month: ``start`` and ``end`` inclusive."""

    unit: str  # "quarter" or "month"
    start: date
    end: date
    fiscal_start_month: int = 1

    @property
    def label(self) -> str:
        """``2026-Q4`` or ``2026-11``: the text :func:`parse_period` reads back."""
        if self.unit == "month":
            return f"{self.start.year:04d}-{self.start.month:02d}"
        fiscal_year = self.start.year - (self.start.month < self.fiscal_start_month)
        quarter = (self.start.month - self.fiscal_start_month) % 12 // 3 + 1
        return f"{fiscal_year:04d}-Q{quarter}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` units after (or, negative, before) this one."""
        start, end = shift_period(self.start, self.unit, steps, self.fiscal_start_month)
        return Period(self.unit, start, end, self.fiscal_start_month)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period_of(day: date, unit: str = "quarter", fiscal_start_month: int = 1) -> Period:
    """The quarter or month holding ``day``."""
    if unit not in ("quarter", "month"):
        raise ValidationError("A period is a quarter or a month.", field="period")
    start, end = period_containing(day, unit, fiscal_start_month)
    return Period(unit, start, end, fiscal_start_month)


def parse_period(text: str, fiscal_start_month: int = 1) -> Period:
    """``YYYY-Qn`` (a fiscal quarter) or ``YYYY-MM`` (a month), in the years
    :data:`app.clock.DATE_RANGE` spans; anything else is a :class:`ValidationError` that
    shows the accepted forms."""
    years = DATE_RANGE[0].year, DATE_RANGE[1].year
    found = _QUARTER.match(text) or _MONTH.match(text)
    if found and not years[0] <= int(found[1]) <= years[1]:
        raise ValidationError(
            f"“{text}” is outside the years Funnelcast works with ({years[0]} to {years[1]}).",
            field="period")
    if match := _QUARTER.match(text):
        year, quarter = int(match[1]), int(match[2])
        index = year * 12 + fiscal_start_month - 1 + (quarter - 1) * 3
        return period_of(date(index // 12, index % 12 + 1, 1), "quarter", fiscal_start_month)
    if (match := _MONTH.match(text)) and 1 <= int(match[2]) <= 12:
        return period_of(date(int(match[1]), int(match[2]), 1), "month", fiscal_start_month)
    raise ValidationError(
        f"“{text}” is not a period: write a quarter as 2026-Q4 or a month as 2026-11.",
        field="period",
    )
