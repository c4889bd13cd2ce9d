"""Rows of a large sheet written straight as SpreadsheetML.

openpyxl spends most of a 50,000-deal export building a cell object per value and an XML
element per cell. The Deals sheet's rows are simple — inline text, numbers, dates as serial
numbers, one shared style per column — so :class:`RowWriter` writes them as text into a
temporary file, and :mod:`.cached_values` splices that file into the sheet openpyxl wrote
(its totals row, header, columns, table and validation stay openpyxl's). Text is always an
inline string (``t="inlineStr"``): it can never be read as a formula.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import BinaryIO

EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 in the 1900 date system
_SECONDS_PER_DAY = 86_400


def serial(value: date | datetime) -> str:
    """A date or naive datetime as Excel's serial day number."""
    days = value.toordinal() - EPOCH
    if isinstance(value, datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return repr(days + seconds / _SECONDS_PER_DAY) if seconds else str(days)
    return str(days)


def escape(text: str) -> str:
    """``text`` for an XML text node (``\\r`` kept as a character reference)."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


class RowWriter:
    """Writes ``<row>`` elements to ``out``. ``columns`` gives, per column, its letter, its
    kind (``text``, ``number``, ``date``) and its style id (or None)."""

    def __init__(self, out: BinaryIO, columns: list[tuple[str, str, int | None]]):
        self._out = out
        self._columns = [(letter, kind, f' s="{style}"' if style else "")
                         for letter, kind, style in columns]

    def write(self, number: int, values) -> None:
        parts = [f'<row r="{number}">']
        for (letter, kind, style), value in zip(self._columns, values, strict=True):
            if value is None or value == "":
                continue
            if kind == "text":
                space = (' xml:space="preserve"' if value[0].isspace() or value[-1].isspace()
                         else "")
                parts.append(f'<c r="{letter}{number}" t="inlineStr"{style}><is><t{space}>'
                             f"{escape(value)}</t></is></c>")
            elif kind == "date":
                parts.append(f'<c r="{letter}{number}"{style}><v>{serial(value)}</v></c>')
            else:
                parts.append(f'<c r="{letter}{number}"{style}><v>{value}</v></c>')
        parts.append("</row>")
        self._out.write("".join(parts).encode("utf-8"))
