"""Checking a zip workbook (.xlsx, .xlsm, .ods) before any part of it is parsed.

Why a scan of our own: calamine loads a sheet as one dense grid spanning its first to its
last cell, so a 2 KB file holding cells A1 and XFD1048576 asks for 512 GiB (the process
aborts), and one holding A1 and SF200040 takes 4 GB. The sheet's extent is therefore found
here, from the raw XML, before calamine sees the file: every part is streamed in bounded
chunks and searched as bytes (never parsed, so no entity is ever expanded), which costs
memory of one chunk whatever the file holds.

One pass over every XML part refuses, each with one sentence naming the file:

- XML declaring a DOCTYPE or entities, anywhere in the part;
- XML stored as UTF-16 (calamine reads only UTF-8 and would report the sheet as empty);

and measures each worksheet part's extent: the highest row and column its cell references
name, plus the cells and rows written without a reference (calamine places those one after
another, so each can widen the grid by one). That bound is exact for the files Excel,
LibreOffice and openpyxl write, and never smaller than calamine's grid for any file.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

CHUNK_BYTES = 4 * 1024 * 1024
# A cell reference (letters then digits) or a row number, as an ``r`` attribute.
_REF = re.compile(rb'\sr="([A-Z]{0,3})(\d+)"')
_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")
_OVERLAP = 16  # bytes kept from one chunk to the next, so no marker is cut in two
_UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")


@dataclass(frozen=True)
class Extent:
    """How many rows and columns calamine's grid for a worksheet can span, at most.
    ``partial``: the scan stopped once past a limit, so the sheet spans at least this."""

    rows: int
    columns: int
    partial: bool = False


class ScanRefusal(Exception):
    """Why a part was refused: ``reason`` is 'entities' or 'utf16'."""

    def __init__(self, reason: str, part: str):
        super().__init__(reason)
        self.reason = reason
        self.part = part


def column_number(letters: bytes | str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27, ``XFD`` → 16384."""
    number = 0
    for letter in letters.encode() if isinstance(letters, str) else letters:
        number = number * 26 + letter - 64
    return number


def column_letters(number: int) -> str:
    """1 → ``A``, 500 → ``SF``."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _is_worksheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def scan_parts(archive: zipfile.ZipFile, max_rows: int, max_columns: int,
               max_cells: int) -> dict[str, Extent]:
    """Scan every XML part of ``archive``; return the extent of each worksheet part by its
    name in the archive. Raises :class:`ScanRefusal` for entities or UTF-16 XML.

    A worksheet's scan stops as soon as its extent passes ``max_rows``, ``max_columns`` or
    ``max_cells`` (what it then reports is past the limit, which is all the caller needs):
    a hostile sheet costs no more time than an acceptable one."""
    extents: dict[str, Extent] = {}
    for info in archive.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        worksheet = _is_worksheet(info.filename)
        with archive.open(info) as part:
            extent = _scan_part(part, info.filename, worksheet, max_rows, max_columns,
                                max_cells)
        if worksheet:
            extents[info.filename] = extent
    return extents


class _Tally:
    """The running extent of one worksheet part, fed its XML a piece at a time (each piece
    ending just before a tag, so no tag is cut in two)."""

    def __init__(self) -> None:
        self.top_row = self.top_column = 0
        self.loose_rows = self.loose_cells = 0  # rows and cells written without a reference

    def add(self, text: bytes) -> Extent:
        refs = _REF.findall(text)
        labelled_rows = 0
        if refs:
            letters = {found for found, _ in refs}
            if b"" in letters:
                labelled_rows = sum(1 for found, _ in refs if not found)
                letters.discard(b"")
            if letters:
                widest = max(letters, key=lambda c: (len(c), c))
                self.top_column = max(self.top_column, column_number(widest))
            self.top_row = max(self.top_row, max(map(int, (digits for _, digits in refs))))
        self.loose_rows += max(0, text.count(b"<row ") + text.count(b"<row>") - labelled_rows)
        self.loose_cells += max(0, text.count(b"<c ") + text.count(b"<c>")
                                + text.count(b"<c/>") - (len(refs) - labelled_rows))
        return Extent(self.top_row + self.loose_rows, self.top_column + self.loose_cells)


def _scan_part(part, name: str, worksheet: bool, max_rows: int, max_columns: int,
               max_cells: int) -> Extent:
    first = True
    carry = b""
    tally = _Tally()
    extent = Extent(0, 0)
    while chunk := part.read(CHUNK_BYTES):
        if first:
            if chunk.startswith(_UTF16_STARTS):
                raise ScanRefusal("utf16", name)
            first = False
        window = carry + chunk
        if any(marker in window for marker in _FORBIDDEN):
            raise ScanRefusal("entities", name)
        if worksheet:
            cut = window.rfind(b"<")
            cut = cut if cut > 0 else len(window)
            extent = tally.add(window[:cut])
            carry = window[cut:]
            if (extent.rows > max_rows or extent.columns > max_columns
                    or extent.rows * extent.columns > max_cells):
                return Extent(extent.rows, extent.columns, partial=True)
        else:
            carry = window[-_OVERLAP:]
    return tally.add(carry) if worksheet else extent
