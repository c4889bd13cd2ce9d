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
_ROW_TAG = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
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


def _greater(text: str, alphabet: str) -> str:
    """A regex matching the strings over ``alphabet`` (in order) that sort after ``text``
    as numbers or column letters do: any longer one, or one as long that is larger."""
    high = alphabet[-1]
    options = [f"[{alphabet[0]}-{high}]{{{len(text) + 1},}}"]
    for index, char in enumerate(text):
        if char != high:
            rest = len(text) - index - 1
            options.append(f"{re.escape(text[:index])}[{alphabet[alphabet.index(char) + 1]}-"
                           f"{high}][{alphabet[0]}-{high}]{{{rest}}}")
    return "|".join(options)


class _Tally:
    """The running extent of one worksheet part, fed its XML a piece at a time (each piece
    ending just before a tag, so no tag is cut in two).

    Why not read every reference: a regex match per cell took 2 s for 3 million cells.
    Rows come from the row tags (one match per row); then two searches per piece, each
    with a literal prefix (fast), look for a cell reference past the columns, or past the
    rows, seen so far, and only a piece holding one is read reference by reference: in a
    well-formed sheet, the first piece and any piece where a column is first used. Cells
    and rows written without a reference are counted (``<c`` tags less ``r`` attributes),
    which counts any odd tag starting with ``<c`` too: the bound errs only on the large
    side."""

    def __init__(self) -> None:
        self.top_row = self.top_column = 0
        self.loose_rows = self.loose_cells = 0  # rows and cells written without a reference
        self._beyond: tuple[re.Pattern[bytes], re.Pattern[bytes]] | None = None
        self._beyond_of = (-1, -1)

    def _past_seen(self, text: bytes) -> bool:
        """Whether ``text`` references a column or a row past the ones seen so far."""
        if self._beyond is None or self._beyond_of != (self.top_row, self.top_column):
            columns = _greater(column_letters(self.top_column), "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            rows = _greater(str(self.top_row), "0123456789")
            self._beyond = (re.compile(f'r="(?:{columns})[0-9]'.encode()),
                            re.compile(f'r="[A-Z]{{1,3}}+(?:{rows})"'.encode()))
            self._beyond_of = (self.top_row, self.top_column)
        return any(pattern.search(text) for pattern in self._beyond)

    def add(self, text: bytes) -> Extent:
        rows = _ROW_TAG.findall(text)
        if rows:
            self.top_row = max(self.top_row, max(map(int, rows)))
        if self._past_seen(text):
            for letters, digits in _REF.findall(text):
                self.top_row = max(self.top_row, int(digits))
                if letters:
                    self.top_column = max(self.top_column, column_number(letters))
        labelled_cells = text.count(b' r="') - len(rows)
        self.loose_rows += max(0, text.count(b"<row") - len(rows))
        self.loose_cells += max(0, text.count(b"<c") - labelled_cells)
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
        if b"<!" in window and any(marker in window for marker in _FORBIDDEN):
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
