"""ISO weeks as a manager types them (``2026-W49``): the weekly workbook's period and name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from app.errors import ValidationError

_WEEK = re.compile(r"^\s*(\d{4})\s*-?\s*[Ww](\d{1,2})\s*$")


@dataclass(frozen=True)
class Week:
    """An ISO week: Monday ``start`` to Sunday ``end``, inclusive."""

    year: int
    number: int

    @property
    def start(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def label(self) -> str:
        """``2026-W49``: the text :func:`parse_week` reads back."""
        return f"{self.year:04d}-W{self.number:02d}"

    @property
    def file_name(self) -> str:
        """The workbook's suggested name, ``pipeline-2026-W49.xlsx``."""
        return f"pipeline-{self.label}.xlsx"


def week_of(day: date) -> Week:
    """The ISO week holding ``day``."""
    year, number, _ = day.isocalendar()
    return Week(year, number)


def parse_week(text: str) -> Week:
    """``YYYY-Www`` (``2026-W49``); anything else, or a week the year does not have, is a
    :class:`ValidationError` that shows the accepted form."""
    match = _WEEK.match(text)
    if match:
        try:
            return week_of(date.fromisocalendar(int(match[1]), int(match[2]), 1))
        except ValueError:
            pass
    raise ValidationError(
        f"“{text}” is not a week: write it as YYYY-Www, e.g. 2026-W49 (weeks 01 to 52 or 53).",
        field="week",
    )
