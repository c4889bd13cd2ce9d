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
another, so each can widen the grid by one), and the text it makes calamine hold. That bound
is exact for the files Excel, LibreOffice and openpyxl write, and never smaller than
calamine's grid for any file. An .ods file's tables are measured by :func:`ods_extents`.
"""

from __future__ import annotations

import re
import zipfile
from array import array
from dataclasses import dataclass

CHUNK_BYTES = 4 * 1024 * 1024
# A cell reference (letters then digits) or a row number, as an ``r`` attribute.
_REF = re.compile(rb'\sr="([A-Z]{0,3})(\d+)"')
_ROW_TAG = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')
_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")
_OVERLAP = 16  # bytes kept from one chunk to the next, so no marker is cut in two
_STRETCH = 64 * 1024  # XML read reference by reference from a reference past those seen
_UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")


@dataclass(frozen=True)
class Extent:
    """How many rows and columns calamine's grid for a worksheet can span, at most, and how
    much text it holds (``text``: calamine copies a shared string into every cell that uses
    it, so a 100 KB file whose one 32,767-character string 200,000 cells use holds 6.5 GB).
    ``partial``: the scan stopped once past a limit, so the sheet spans at least this."""

    rows: int
    columns: int
    partial: bool = False
    text: int = 0  # bytes of text calamine holds for it: its XML, and each shared string used


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


def _number(digits: bytes) -> int:
    """A row number or string index as written; a number of ten digits or more (which no
    sheet holds, and which Python would refuse to convert past 4,300) counts as 10**9."""
    return int(digits) if len(digits) < 10 else 10**9


def _largest(numbers: list[bytes]) -> int:
    """The largest of some row numbers as written (see :func:`_number`)."""
    if max(map(len, numbers)) < 10:
        return max(map(int, numbers))
    return max(map(_number, numbers))


def _is_worksheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def check_parts(archive: zipfile.ZipFile) -> array:
    """Check every XML part of ``archive`` but its worksheets (calamine parses these parts
    as it opens the workbook; a worksheet only when it is read, and is checked then, by
    :func:`measure_sheets`). Return the length in bytes of each shared string, in order.
    Raises :class:`ScanRefusal` for entities or UTF-16 XML."""
    shared = array("L")
    for info in archive.infolist():
        if info.filename.endswith((".xml", ".rels")) and not _is_worksheet(info.filename):
            with archive.open(info) as part:
                found = _scan_other(part, info.filename,
                                    info.filename.endswith("sharedStrings.xml"))
            shared = found if found is not None else shared
    return shared


def worksheet_parts(archive: zipfile.ZipFile) -> list[str]:
    """The names of an .xlsx archive's worksheet parts."""
    return [name for name in archive.namelist() if _is_worksheet(name)]


def measure_sheets(archive: zipfile.ZipFile, names: list[str], shared: array, max_rows: int,
                   max_columns: int, max_cells: int, max_text: int) -> dict[str, Extent]:
    """Check the worksheet parts ``names`` as :func:`check_parts` checks the others, and
    return the extent of each. ``shared``: the shared strings' lengths.

    A worksheet's scan stops as soon as its extent passes ``max_rows``, ``max_columns`` or
    ``max_cells`` (what it then reports is past the limit, which is all the caller needs):
    a hostile sheet costs no more time than an acceptable one. Its text is bounded by its
    XML and its cells times the longest shared string, and counted cell by cell only when
    that bound passes ``max_text``."""
    longest = max(shared, default=0)
    extents = {}
    for name in names:
        with archive.open(name) as part:
            tally = _scan_sheet(part, name, max_rows, max_columns, max_cells, max_text)
        text = tally.xml_bytes + tally.cells * longest
        if text > max_text and not tally.partial and tally.xml_bytes <= max_text:
            with archive.open(name) as part:
                text = tally.xml_bytes + _shared_text(part, shared, max_text)
        extents[name] = Extent(tally.rows, tally.columns, tally.partial, text)
    return extents


_SHARED_CELL = re.compile(rb'<c\b[^>]*\st="s"[^>]*>\s*<v>(\d+)</v>')


def _shared_text(part, shared: array, max_text: int) -> int:
    """The bytes of shared strings a worksheet's cells use, counted cell by cell (until past
    ``max_text``)."""
    total = 0
    carry = b""
    while chunk := part.read(CHUNK_BYTES):
        window = carry + chunk
        cut = window.rfind(b"<c")
        cut = cut if cut > 0 else len(window)
        for index in _SHARED_CELL.findall(window[:cut]):
            number = _number(index)
            total += shared[number] if number < len(shared) else 0
        carry = window[cut:]
        if total > max_text:
            break
    return total


def _scan_other(part, name: str, strings: bool) -> array | None:
    """Check a part that is no worksheet; for the shared strings (``strings``), return the
    length in bytes of each, in order (tags included: the bound errs on the large side)."""
    lengths = array("L") if strings else None
    first = True
    carry = b""
    current = -1  # bytes of the shared string still open, -1 before the first
    while chunk := part.read(CHUNK_BYTES):
        if first and chunk.startswith(_UTF16_STARTS):
            raise ScanRefusal("utf16", name)
        first = False
        window = carry + chunk
        if b"<!" in window and any(marker in window for marker in _FORBIDDEN):
            raise ScanRefusal("entities", name)
        if lengths is None:
            carry = window[-_OVERLAP:]
            continue
        cut = window.rfind(b"<")  # so that no "<si" is cut in two
        cut = cut if cut > 0 else len(window)
        head, *items = window[:cut].split(b"<si")
        carry = window[cut:]
        if current >= 0:
            current += len(head)
        if items:
            if current >= 0:
                lengths.append(current)
            lengths.extend(map(len, items[:-1]))
            current = len(items[-1])
    if lengths is not None and current >= 0:
        lengths.append(current + len(carry))
    return lengths


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
    Rows come from the row tags (one match per row); then two searches, each with a
    literal prefix (fast), look for a cell reference past the columns, or past the rows,
    seen so far, and only the stretch of XML from such a reference on is read reference by
    reference: in a well-formed sheet, its first row, and where a column is first used. Cells
    and rows written without a reference are counted (``<c`` tags less ``r`` attributes),
    which counts any odd tag starting with ``<c`` too: the bound errs only on the large
    side."""

    def __init__(self) -> None:
        self.top_row = self.top_column = 0
        self.loose_rows = self.loose_cells = 0  # rows and cells written without a reference
        self.xml_bytes = 0
        self.partial = False
        self._beyond: tuple[re.Pattern[bytes], re.Pattern[bytes]] | None = None
        self._beyond_of = (-1, -1)

    def _patterns(self) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
        """Searches for a reference past the columns, and past the rows, seen so far."""
        if self._beyond is None or self._beyond_of != (self.top_row, self.top_column):
            columns = _greater(column_letters(self.top_column), "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            rows = _greater(str(self.top_row), "0123456789")
            self._beyond = (re.compile(f'r="(?:{columns})[0-9]'.encode()),
                            re.compile(f'r="[A-Z]{{1,3}}+(?:{rows})"'.encode()))
            self._beyond_of = (self.top_row, self.top_column)
        return self._beyond

    def _read_references(self, text: bytes, start: int, end: int) -> None:
        """Take in every reference of ``text[start:end]``, one by one."""
        refs = _REF.findall(text, start, end)
        if not refs:
            return
        letters = {found for found, _ in refs}
        letters.discard(b"")
        if letters:
            self.top_column = max(self.top_column, max(map(column_number, letters)))
        self.top_row = max(self.top_row, _largest([found for _, found in refs]))

    def add(self, text: bytes, end: int) -> None:
        """Take in ``text[:end]``."""
        rows = _ROW_TAG.findall(text, 0, end)
        if rows:
            self.top_row = max(self.top_row, _largest(rows))
        start = 0
        while True:  # read a stretch past each reference beyond those seen, then search on
            found = [m.start() for m in (p.search(text, start, end) for p in self._patterns())
                     if m]
            if not found:
                break
            start = min(found)
            stop = text.find(b"<", start + _STRETCH, end)
            stop = end if stop < 0 else stop
            self._read_references(text, max(0, start - 1), stop)
            start = stop
        labelled_cells = text.count(b' r="', 0, end) - len(rows)
        self.loose_rows += max(0, text.count(b"<row", 0, end) - len(rows))
        self.loose_cells += max(0, text.count(b"<c", 0, end) - labelled_cells)
        self.xml_bytes += end

    @property
    def rows(self) -> int:
        return self.top_row + self.loose_rows

    @property
    def columns(self) -> int:
        return self.top_column + self.loose_cells

    @property
    def cells(self) -> int:
        """At most how many cells the sheet writes (and so uses a shared string in)."""
        return self.rows * self.columns


def _scan_sheet(part, name: str, max_rows: int, max_columns: int,
                max_cells: int, max_text: int) -> _Tally:
    first = True
    carry = b""
    tally = _Tally()
    while chunk := part.read(CHUNK_BYTES):
        if first and chunk.startswith(_UTF16_STARTS):
            raise ScanRefusal("utf16", name)
        first = False
        window = carry + chunk
        if b"<!" in window and any(marker in window for marker in _FORBIDDEN):
            raise ScanRefusal("entities", name)
        cut = window.rfind(b"<")
        cut = cut if cut > 0 else len(window)
        tally.add(window, cut)
        carry = window[cut:]
        if (tally.rows > max_rows or tally.columns > max_columns
                or tally.rows * tally.columns > max_cells or tally.xml_bytes > max_text):
            tally.partial = True
            return tally
    tally.add(carry, len(carry))
    return tally


# --- OpenDocument (.ods) ------------------------------------------------------------------

_TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


class _PastLimit(Exception):
    pass


def ods_extents(part, max_rows: int, max_columns: int, max_cells: int) -> dict[str, Extent]:
    """The extent of each table of an .ods file's content.xml, by table name: the row and
    column of its last non-empty cell. Why: a repeat count (``number-rows-repeated``,
    ``number-columns-repeated``) makes one tag stand for many cells, so an 800-byte file
    can place a value at row 200,000, column 500, and calamine then builds a grid of 100
    million cells (3 GB). Read with expat as a stream (the part was checked for entity
    declarations first); a table past a limit stops the read.

    Trailing empty cells and rows (LibreOffice repeats an empty cell to column 1024 and an
    empty row to the sheet's end) count for nothing, as they do for calamine."""
    from xml.parsers import expat

    extents: dict[str, Extent] = {}
    state = {"table": None, "row": 0, "repeat": 1, "column": 0, "last_column": 0,
             "top_row": 0, "top_column": 0, "cell_end": 0}

    def count(value: str | None) -> int:
        if value is None:
            return 1
        if len(value) > 9 or not value.isdigit():
            raise _PastLimit  # a repeat count of a billion or more, or no number at all
        return max(1, int(value))

    def finish() -> None:
        if state["table"] is not None:
            extents[state["table"]] = Extent(state["top_row"], state["top_column"])

    def check() -> None:
        rows, columns = state["top_row"], state["top_column"]
        if rows > max_rows or columns > max_columns or rows * columns > max_cells:
            extents[state["table"]] = Extent(rows, columns, partial=True)
            raise _PastLimit

    def start(name: str, attributes: dict) -> None:
        if name == f"{_TABLE_NS} table":
            finish()
            state.update(table=attributes.get(f"{_TABLE_NS} name", ""), row=0, top_row=0,
                         top_column=0)
        elif name == f"{_TABLE_NS} table-row":
            state.update(repeat=count(attributes.get(f"{_TABLE_NS} number-rows-repeated")),
                         column=0, last_column=0)
        elif name in (f"{_TABLE_NS} table-cell", f"{_TABLE_NS} covered-table-cell"):
            state["column"] += count(attributes.get(f"{_TABLE_NS} number-columns-repeated"))
            state["cell_end"] = state["column"]
            if f"{_OFFICE_NS} value-type" in attributes:
                state["last_column"] = state["column"]
        elif name.startswith(_TEXT_NS):  # text inside a cell: it is not empty
            state["last_column"] = max(state["last_column"], state["cell_end"])

    def end(name: str) -> None:
        if name == f"{_TABLE_NS} table-row" and state["table"] is not None:
            state["row"] += state["repeat"]
            if state["last_column"]:
                state["top_row"] = state["row"]
                state["top_column"] = max(state["top_column"], state["last_column"])
                check()

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        while chunk := part.read(CHUNK_BYTES):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
        finish()
    except _PastLimit:
        if state["table"] is not None and state["table"] not in extents:
            extents[state["table"]] = Extent(max_rows + 1, max_columns + 1, partial=True)
    except expat.ExpatError:
        finish()  # calamine reports the damage in its own words
    return extents
