"""The write-only workbook the weekly export fills, and the formulas whose results it knows.

Every sheet is a write-only (streamed) sheet, so 50,000 deals cost a few megabytes, not the
hundreds a normal openpyxl workbook holds. A formula is written with the result Funnelcast
computed for it; :mod:`.cached_values` puts those results into the saved file.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from decimal import Decimal
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

from app.exporting import cells

SHEETS = ("Summary", "Deals", "Reps", "Sources", "Activities", "Stage history", "Stages")


class Book:
    """The workbook being written: sheets by title, the currency format, cached results."""

    STAGE_NAMES = "StageNames"  # the defined name over the Stages sheet's list

    def __init__(self, currency: str, sheets: tuple[str, ...] = SHEETS):
        self.workbook = Workbook(write_only=True)
        self._sheets = {title: self.workbook.create_sheet(title) for title in sheets}
        self.money_format = cells.money_format(currency)
        self.cached: dict[str, dict[str, Decimal | float | int]] = defaultdict(dict)
        self.extra_rows: dict[str, BinaryIO] = {}

    @property
    def sheet_titles(self) -> tuple[str, ...]:
        return tuple(self._sheets)

    def sheet(self, title: str):
        return self._sheets[title]

    def formula(self, sheet, coordinate: str, text: str, result: Decimal | float | int,
                *, number_format: str | None = None, bold: bool = True):
        """A formula cell at ``coordinate`` (where the caller is about to append it) whose
        cached result is ``result``."""
        self.cached[sheet.title][coordinate] = result
        return cells.styled(sheet, text, number_format=number_format,
                            font=cells.BOLD if bold else None)

    def style_id(self, sheet, number_format: str) -> int:
        """The workbook's style index for ``number_format`` (for rows written as XML)."""
        return self.workbook._cell_styles.add(cells.column_style(sheet, number_format))

    def rows_file(self, sheet) -> BinaryIO:
        """A temporary file for ``sheet``'s rows written as XML, spliced in when the
        workbook is finished (after the rows openpyxl wrote)."""
        # Closed by close(), which the export calls whatever happens (unlinked already).
        handle = tempfile.TemporaryFile()  # noqa: SIM115
        self.extra_rows[sheet.title] = handle
        return handle

    def extra_rows_by_part(self) -> dict[str, BinaryIO]:
        return {self._sheets[title].path.lstrip("/"): handle
                for title, handle in self.extra_rows.items()}

    def close(self) -> None:
        for handle in self.extra_rows.values():
            handle.close()

    def name_range(self, name: str, sheet_title: str, ref: str) -> None:
        quoted = f"'{sheet_title}'" if " " in sheet_title else sheet_title
        self.workbook.defined_names[name] = DefinedName(name, attr_text=f"{quoted}!{ref}")

    def cached_by_part(self) -> dict[str, dict[str, Decimal | float | int]]:
        """The cached results by sheet part (known once the workbook has been saved)."""
        return {self._sheets[title].path.lstrip("/"): values
                for title, values in self.cached.items() if values}
