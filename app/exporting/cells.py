"""Cells the workbook writes: user text that can never become a formula, cut text reported,
and the few formats and styles every sheet shares.

openpyxl turns any string starting with ``=`` into a live formula and a string such as
``#N/A`` into an error cell, and refuses control characters at save. :class:`TextCells`
writes every piece of user text as a string cell (``=HYPERLINK(…)``, ``+44 20 …``,
``-5% deal``, ``@SUM(1)`` stay literal: OWASP's CSV/formula injection), drops the characters
XML cannot hold, and cuts text over Excel's 32,767-character cell limit with a marker,
remembering where so the export can say so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font, PatternFill

from app.currency import currency_symbol

CELL_LIMIT = 32_767
# Characters XML 1.0 cannot hold: the C0 controls but tab, newline and carriage return, the
# two non-characters U+FFFE and U+FFFF, and lone surrogates (openpyxl checks only the first).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
CUT_MARKER = "… [cut: {} characters]"

# Built-in formats 14 and 22: Excel and LibreOffice show them in the reader's own locale.
DATE_FORMAT = "mm-dd-yy"
STAMP_FORMAT = "m/d/yy h:mm"
PERCENT_FORMAT = "0%"
HOURS_FORMAT = "#,##0.0"
COUNT_FORMAT = "#,##0"

ACCENT = "2F5D8A"
# Fonts name the workbook's body font: a font without a name is drawn by LibreOffice in its
# default serif face, beside sans-serif cells.
BODY_FONT = "Calibri"
HEADER_FONT = Font(name=BODY_FONT, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", start_color=ACCENT)
BOLD = Font(name=BODY_FONT, bold=True)
TITLE_FONT = Font(name=BODY_FONT, bold=True, size=14, color=ACCENT)
WRAP = Alignment(wrap_text=True, vertical="top")


def money_format(currency: str) -> str:
    """The settings' currency as an Excel number format: ``"$"#,##0.00``."""
    symbol = currency_symbol(currency).replace('"', "")
    return f'"{symbol}"#,##0.00;-"{symbol}"#,##0.00'


@dataclass
class TextCells:
    """Makes safe text cells for one workbook and remembers what it had to cut."""

    cut: list[str] = field(default_factory=list)

    def clean(self, value: str | None, where: str | tuple[str, int, str] = "") -> str | None:
        """``value`` without the characters XML cannot hold, cut to Excel's cell limit
        with a marker and recorded with ``where`` ("Deals row 12, Title", or the tuple
        ("Deals", 12, "Title"), which costs nothing unless the text is cut); None when
        empty."""
        if not value:
            return None
        if NOT_XML.search(value):
            value = NOT_XML.sub("", value)
        if len(value) > CELL_LIMIT:
            marker = CUT_MARKER.format(f"{len(value):,}")
            value = value[: CELL_LIMIT - len(marker)] + marker
            if isinstance(where, tuple):
                where = f"{where[0]} row {where[1]}, {where[2]}"
            self.cut.append(where or "a cell")
        return value or None

    def text(self, sheet, value: str | None, where: str = "") -> str | WriteOnlyCell | None:
        """``value``, cleaned as :meth:`clean` does, as something ``sheet.append`` writes
        as a string cell. Plain strings stay plain (openpyxl writes them as text); the ones
        openpyxl would read as a formula or an error code become an explicit string
        cell."""
        value = self.clean(value, where)
        if value is None:
            return None
        if value[0] == "=" or value in ERROR_CODES:
            cell = WriteOnlyCell(sheet)
            cell._value = value
            cell.data_type = "s"
            return cell
        return value


def styled(sheet, value, *, number_format: str | None = None, font: Font | None = None,
           fill: PatternFill | None = None, alignment: Alignment | None = None) -> WriteOnlyCell:
    """A write-only cell with a style, for the small sheets (the Deals sheet shares one style
    per column instead: see :func:`column_style`)."""
    cell = WriteOnlyCell(sheet, value)
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    if fill:
        cell.fill = fill
    if alignment:
        cell.alignment = alignment
    return cell


def column_style(sheet, number_format: str):
    """The style of a number format, computed once and shared by a column's cells (setting
    ``number_format`` cell by cell costs a style lookup each)."""
    return styled(sheet, None, number_format=number_format)._style


def with_style(sheet, value, style) -> WriteOnlyCell | None:
    """``value`` in a cell carrying a style from :func:`column_style`."""
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value)
    cell._style = style
    return cell


RIGHT = Alignment(horizontal="right")


def header(sheet, titles: list[str], numeric: Sequence[bool] = ()) -> list[WriteOnlyCell]:
    """A header row: bold white on the accent colour; the titles of ``numeric`` columns
    right-aligned over their numbers."""
    numeric = list(numeric) or [False] * len(titles)
    return [styled(sheet, t, font=HEADER_FONT, fill=HEADER_FILL,
                   alignment=RIGHT if right else None)
            for t, right in zip(titles, numeric, strict=True)]
