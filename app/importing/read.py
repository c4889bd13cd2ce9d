"""Reading a spreadsheet's cells safely: .xlsx/.xlsm/.xls/.ods through python-calamine, .csv
with its delimiter and encoding sniffed.

Why calamine: it is the fast reader (12× openpyxl on 50,000 rows) and it never expands XML
entities. What it returns is kept as is (floats for numbers, ``date``/``datetime`` for
date-formatted cells, the cached value of a formula); the column parsers decide the rest.

Hostile files are refused before anything heavy happens, each with one sentence:

- the format is told from the file's first bytes, not its name;
- only a regular file is opened (a named pipe would block the reader for ever);
- zip containers (xlsx, ods) are checked from their central directory: at most
  :data:`MAX_UNZIPPED_BYTES` unpacked in total and no part expanding more than
  :data:`MAX_RATIO` times (a "zip bomb"); then every XML part is scanned as bytes
  (:mod:`app.importing.zip_scan`): entity declarations and UTF-16 XML are refused, and a
  worksheet's extent is measured from its cell references before calamine loads it;
- an encrypted (password-protected) workbook, which is an OLE file holding an
  ``EncryptedPackage`` stream, is named as such;
- at most :data:`MAX_ROWS` rows (200,000: four times the largest pipeline we expect from a
  small team's CRM), :data:`MAX_COLUMNS` columns (A to SF) and :data:`MAX_CELLS` cells
  (rows × columns, counting the empty cells between), for workbooks and CSV files alike,
  and for a workbook :data:`MAX_TEXT_BYTES` of text (its sheet's XML and every use of a
  shared string, which calamine copies into each cell).
  Memory grows with the cells a sheet spans (calamine's grid and then Python's lists hold
  every one) and the text they hold, so these limits keep any accepted file within a
  fixed bound: an import's peak stays under 1.25 GB (1.2 GB measured for the heaviest
  workbook within the limits, 10,000 rows × 500 columns of distinct shared strings; 430 MB
  for 200,000 rows × 12 columns).
"""

from __future__ import annotations

import codecs
import csv
import re
import stat
import zipfile
from array import array
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from app.errors import UsageError
from app.importing.zip_scan import (
    Extent,
    ScanRefusal,
    check_parts,
    column_letters,
    measure_sheets,
    ods_extents,
    worksheet_parts,
)
from app.jobs import JobControl

MAX_ROWS = 200_000
MAX_COLUMNS = 500
MAX_CELLS = 5_000_000  # e.g. 200,000 rows × 25 columns, or 10,000 rows × 500
MAX_TEXT_BYTES = 400 * 1024 * 1024  # a sheet's XML and the shared strings its cells use
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024
MAX_RATIO = 200
MAX_INDEX_BYTES = 16 * 1024 * 1024  # of xl/workbook.xml and its relationships
RATIO_FLOOR_BYTES = 1024 * 1024  # tiny parts may compress very well; only big ones are judged

# Names of the zip-based workbook formats: a file so named that holds plain text is no
# spreadsheet. (An .xls may hold text: some web apps export tab-separated text under that name.)
ZIP_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".ods")
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
# What a file that is no spreadsheet usually is, by its first bytes.
KNOWN_BINARIES = (
    (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"), (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"), (b"\x7fELF", "a program"),
)


@dataclass
class SheetTable:
    """The cells of one sheet: ``rows`` pairs the spreadsheet's own row number (1-based)
    with that row's values; fully blank rows are left out."""

    path: Path
    sheet: str
    sheet_names: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)


class MissingSheet(UsageError):
    """The workbook has no sheet of the name asked for."""


def _where(path: Path, sheet: str | None) -> str:
    """How a limit's message names what it refuses: the sheet and its file, or a CSV file."""
    return f"The sheet {sheet!r} of {path.name}" if sheet else path.name


def _too_many_rows(where: str, count: int | str) -> UsageError:
    return UsageError(
        f"{where} has {count} rows; Funnelcast imports at most {MAX_ROWS:,} rows "
        "at a time. Split the file and import it in parts."
    )


def _too_many_columns(where: str, count: int | str) -> UsageError:
    return UsageError(
        f"{where} has {count} columns; Funnelcast reads at most {MAX_COLUMNS} "
        f"(A to {column_letters(MAX_COLUMNS)}). Delete the columns you do not need and "
        "import it again."
    )


def _too_many_cells(where: str, rows: int, columns: int) -> UsageError:
    return UsageError(
        f"{where} spans {rows:,} rows × {columns:,} columns; Funnelcast imports "
        f"at most {MAX_CELLS:,} cells at a time. Delete the columns you do not need, or "
        "split the file and import it in parts."
    )


def _check_extent(where: str, extent: Extent) -> None:
    """Refuse a sheet whose grid passes a limit (``where`` names it, see :func:`_where`)."""
    if extent.rows > MAX_ROWS + 50:
        raise _too_many_rows(where, f"more than {MAX_ROWS:,}" if extent.partial
                             else f"{extent.rows:,}")
    if extent.columns > MAX_COLUMNS:
        raise _too_many_columns(where, f"more than {MAX_COLUMNS}" if extent.partial
                                else f"{extent.columns:,}")
    if extent.rows * extent.columns > MAX_CELLS:
        raise _too_many_cells(where, extent.rows, extent.columns)
    if extent.text > MAX_TEXT_BYTES:
        raise UsageError(
            f"{where} holds more than {MAX_TEXT_BYTES // (1024 * 1024)} MB of text (counting "
            "each cell that repeats a text), the most Funnelcast imports at a time. Split the "
            "file and import it in parts."
        )


def detect_format(path: Path) -> str:
    """'zip' (xlsx, xlsm, ods), 'ole' (xls), or 'text' (csv); refuses anything else, and
    anything that is not a regular file before opening it (opening a named pipe waits for
    a writer that may never come)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UsageError(f"There is no file {path}.") from None
    except OSError as exc:
        raise UsageError(f"Cannot read {path.name}: {exc.strerror}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{path} is a folder; choose a spreadsheet file.")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{path.name} is not a file but a {_kind_of(info.st_mode)}; save the "
                         "spreadsheet as a file and choose that file.")
    size = info.st_size
    if size == 0:
        raise UsageError(f"{path.name} is empty.")
    if size > MAX_FILE_BYTES:
        raise UsageError(
            f"{path.name} is {size // (1024 * 1024)} MB; Funnelcast imports files up to "
            f"{MAX_FILE_BYTES // (1024 * 1024)} MB."
        )
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError as exc:
        raise UsageError(f"Cannot read {path.name}: {exc.strerror}.") from None
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(CFB_MAGIC):
        return "ole"
    what = next((kind for magic, kind in KNOWN_BINARIES if head.startswith(magic)), None)
    if what or _is_binary(head):
        raise UsageError(
            f"{path.name} is {what or 'binary data'}, not a spreadsheet: choose an .xlsx, "
            ".xls, .ods or .csv file (or save the data in one of those formats)."
        )
    return "text"


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def _is_binary(head: bytes) -> bool:
    """Whether a file's first bytes are no text in any encoding a CSV file comes in: control
    bytes other than tab and line breaks, in 8-bit text (UTF-16 text is full of NULs)."""
    encoding = sniff_encoding(head)
    if not (encoding.startswith("utf-8") or encoding == "cp1252"):
        return False
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control > len(head) // 20


@dataclass(frozen=True)
class _ZipChecked:
    """What checking a zip workbook found: the shared strings' lengths (for measuring a
    worksheet later) and, for an .ods file, each table's extent by name."""

    shared: array
    tables: dict[str, Extent]


def _check_zip(path: Path) -> _ZipChecked:
    """Refuse corrupt archives, zip bombs, XML with entity declarations or in UTF-16 (in
    every part calamine parses as it opens the workbook), and an .ods table past a limit
    (calamine builds them all as it opens the file)."""
    with _zip_refusals(path), zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        total = 0
        for info in members:
            total += info.file_size
            if info.file_size > RATIO_FLOOR_BYTES and (
                info.compress_size == 0 or info.file_size / info.compress_size > MAX_RATIO
            ):
                raise UsageError(
                    f"{path.name} was refused: a part of it expands more than {MAX_RATIO} "
                    "times when unpacked, which no real spreadsheet does (a “zip bomb”)."
                )
        if total > MAX_UNZIPPED_BYTES:
            raise UsageError(
                f"{path.name} was refused: it unpacks to more than "
                f"{MAX_UNZIPPED_BYTES // (1024 ** 3)} GB."
            )
        names = {info.filename for info in members}
        if "[Content_Types].xml" not in names and "mimetype" not in names:
            raise UsageError(f"{path.name} is a zip archive, not a spreadsheet.")
        shared = check_parts(archive)
        tables: dict[str, Extent] = {}
        if "mimetype" in names and "content.xml" in names:  # an .ods file
            with archive.open("content.xml") as content:
                tables = ods_extents(content, MAX_ROWS + 50, MAX_COLUMNS, MAX_CELLS)
    for name, extent in tables.items():
        _check_extent(_where(path, name), extent)
    return _ZipChecked(shared, tables)


def _measure_sheet(path: Path, index: int, checked: _ZipChecked) -> list[Extent]:
    """The extent of an .xlsx workbook's ``index``-th sheet, measured from its XML (which is
    checked as the other parts were) before calamine reads it; none for an .ods file (its
    tables were measured as it was opened). When the workbook does not say which part holds
    the sheet, every worksheet part is measured, and each must pass."""
    if checked.tables:
        return []
    part = _sheet_part(path, index)
    with _zip_refusals(path), zipfile.ZipFile(path) as archive:
        parts = [part] if part in archive.namelist() else worksheet_parts(archive)
        return list(measure_sheets(archive, parts, checked.shared, MAX_ROWS + 50,
                                   MAX_COLUMNS, MAX_CELLS, MAX_TEXT_BYTES).values())


@contextmanager
def _zip_refusals(path: Path) -> Iterator[None]:
    """Turn what reading a zip workbook raises into the user's sentence."""
    try:
        yield
    except ScanRefusal as refusal:
        if refusal.reason == "utf16":
            raise UsageError(
                f"{path.name} stores its XML ({refusal.part}) as UTF-16, which Funnelcast "
                "cannot read; open it in Excel or LibreOffice and save it again as .xlsx."
            ) from None
        raise UsageError(
            f"{path.name} was refused: it declares XML entities, which spreadsheets never "
            "need and which can be used to exhaust memory."
        ) from None
    except zipfile.BadZipFile:
        raise UsageError(
            f"{path.name} is damaged (its zip structure is broken); open it in Excel or "
            "LibreOffice and save it again."
        ) from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError):
        raise UsageError(f"{path.name} is damaged and cannot be read.") from None


_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*>')
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
_RELATIONSHIP = re.compile(rb'<(?:\w+:)?Relationship\b[^>]*>')


def _sheet_part(path: Path, index: int) -> str | None:
    """The archive name of an .xlsx workbook's ``index``-th sheet (in the workbook's order,
    calamine's), from xl/workbook.xml and its relationships; None when the workbook does not
    say (an .ods file, or parts too odd to follow, whose sheets are then measured all)."""
    try:
        with zipfile.ZipFile(path) as archive:
            workbook = archive.open("xl/workbook.xml").read(MAX_INDEX_BYTES)
            rels = archive.open("xl/_rels/workbook.xml.rels").read(MAX_INDEX_BYTES)
    except (KeyError, zipfile.BadZipFile, OSError):
        return None
    sheets = [dict(_ATTRIBUTE.findall(tag)) for tag in _SHEET.findall(workbook)]
    if index >= len(sheets):
        return None
    rel_id = next((v for k, v in sheets[index].items() if k.endswith(b":id")), None)
    for tag in _RELATIONSHIP.findall(rels):
        attributes = dict(_ATTRIBUTE.findall(tag))
        if attributes.get(b"Id") == rel_id:
            target = attributes.get(b"Target", b"").decode("utf-8", "replace")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _is_encrypted(path: Path) -> bool:
    with path.open("rb") as handle:
        tail = b""
        while chunk := handle.read(1024 * 1024):
            if ENCRYPTED_STREAM in tail + chunk:
                return True
            tail = chunk[-len(ENCRYPTED_STREAM):]
    return False


def _password_error(path: Path) -> UsageError:
    return UsageError(
        f"{path.name} is protected with a password; open it in Excel, remove the password "
        "(File › Info › Protect Workbook) and save a copy to import."
    )


def list_sheets(path: str | Path) -> list[str]:
    """The names of a workbook's visible worksheets (one name, "CSV", for a .csv file)."""
    path = Path(path)
    kind = detect_format(path)
    if kind == "text":
        return ["CSV"]
    workbook, _ = _open_workbook(path, kind)
    try:
        return _visible_sheets(workbook)
    finally:
        workbook.close()


def _visible_sheets(workbook) -> list[str]:
    names = [
        m.name for m in workbook.sheets_metadata
        if m.typ == python_calamine.SheetTypeEnum.WorkSheet
        and m.visible == python_calamine.SheetVisibleEnum.Visible
    ]
    return names or list(workbook.sheet_names)


def _open_workbook(path: Path, kind: str) -> tuple[python_calamine.CalamineWorkbook,
                                                    _ZipChecked | None]:
    """The workbook opened by calamine, once the checks above pass, and what checking a zip
    workbook found (None for the other kinds)."""
    if kind == "ole" and _is_encrypted(path):
        raise _password_error(path)
    checked = _check_zip(path) if kind == "zip" else None
    try:
        return python_calamine.CalamineWorkbook.from_path(str(path)), checked
    except python_calamine.PasswordError:
        raise _password_error(path) from None
    except (python_calamine.CalamineError, ValueError, OSError) as exc:
        raise UsageError(
            f"{path.name} could not be read as a spreadsheet ({_short(exc)}); open it in "
            "Excel or LibreOffice and save it as .xlsx or .csv."
        ) from None


def _panicked(exc: BaseException) -> bool:
    """Whether ``exc`` is calamine panicking (pyo3's PanicException, a BaseException that
    no handler for Exception would stop)."""
    return type(exc).__name__ == "PanicException"


def _cells(data, path: Path, sheet: str) -> list[list]:
    """The sheet's values. calamine panics on a cell formatted as a date whose number is
    no date (e.g. -1e15): refused with a sentence naming the row, found by reading the rows
    one by one (iter_rows starts at row 1)."""
    try:
        return data.to_python()
    except BaseException as exc:
        if not _panicked(exc):
            raise
    rows, row = data.iter_rows(), 0
    while True:
        try:
            next(rows)
        except StopIteration:
            break
        except BaseException as exc:
            if not _panicked(exc):
                raise
            break
        row += 1
    raise UsageError(
        f"The sheet {sheet!r} of {path.name}, row {row + 1}: a cell formatted as a date "
        "holds a number no date has; correct it and import the file again.")


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def read_sheet(
    path: str | Path, sheet: str | None = None, control: JobControl | None = None
) -> SheetTable:
    """Every non-blank row of ``sheet`` (default: the first visible one). A CSV file has one
    sheet, "CSV": naming any other is refused rather than ignored."""
    path = Path(path)
    kind = detect_format(path)
    if kind == "text":
        if path.suffix.lower() in ZIP_SUFFIXES:
            raise UsageError(
                f"{path.name} is not a spreadsheet: it holds plain text, not the workbook its "
                f"{path.suffix} name promises (if it is a CSV file, rename it to .csv)."
            )
        if sheet not in (None, "CSV"):
            raise UsageError(f"{path.name} is a CSV file, and a CSV file has no sheets; leave "
                             f"out the sheet name ({sheet!r}).")
        return _read_csv(path, control)
    workbook, checked = _open_workbook(path, kind)
    try:
        names = _visible_sheets(workbook)
        chosen = sheet if sheet is not None else names[0]
        if chosen not in workbook.sheet_names:
            raise MissingSheet(
                f"{path.name} has no sheet called {chosen!r}. Sheets: {', '.join(names)}."
            )
        where = _where(path, chosen)
        if checked is not None:  # measured before calamine builds the grid: it may not fit
            for extent in _measure_sheet(path, list(workbook.sheet_names).index(chosen),
                                         checked):
                _check_extent(where, extent)
        try:
            data = workbook.get_sheet_by_name(chosen)
        except python_calamine.PasswordError:
            raise _password_error(path) from None
        except (python_calamine.CalamineError, ValueError) as exc:
            raise UsageError(
                f"The sheet {chosen!r} of {path.name} could not be read ({_short(exc)})."
            ) from None
        _check_extent(where, Extent(data.height, data.width))  # an .xls or .ods sheet
        first_row = data.start[0] + 1 if data.height and data.start else 1
        if control is not None:
            control.report(0.15, "Reading the sheet…")
        table = SheetTable(path, chosen, names)
        # to_python starts at the sheet's first row holding data (its documented default,
        # where iter_rows starts at row 1 whatever the sheet), so that row is first_row.
        table.rows = _numbered_rows(_cells(data, path, chosen), first_row, data.width)
        if len(table.rows) > MAX_ROWS:
            raise _too_many_rows(where, f"{len(table.rows):,}")
        return table
    finally:
        workbook.close()


def _numbered_rows(rows: list[list], first: int, width: int) -> list[tuple[int, list]]:
    """``rows`` (calamine's, the first being sheet row ``first``) paired with their sheet row
    numbers, leaving out the rows of nothing but empty cells (calamine gives "" for those).

    Why not one comprehension: when every row is a list ``width`` cells long (calamine pads
    them so), comparing each with a blank one and pairing the numbers runs in C, 20 ms for
    50,000 rows where testing them one by one in Python took 50."""
    if set(map(len, rows)) <= {width} and set(map(type, rows)) <= {list}:
        blank = [""] * width
        is_blank = list(map(blank.__eq__, rows))
    else:
        is_blank = [values.count("") == len(values) for values in rows]
    numbered = zip(range(first, first + len(rows)), rows, strict=True)
    if True not in is_blank:
        return list(numbered)
    return [pair for pair, skip in zip(numbered, is_blank, strict=True) if not skip]


class SheetCache:
    """The sheet read last, for a wizard that needs the same sheet at every step: reading a
    50,000-row workbook takes half a second, and the mapping, the preview and the import each
    need it. :meth:`read` is :func:`read_sheet`, answered from the cache while the file is
    unchanged on disk (same size and modification time) and the same sheet is asked for.

    :meth:`read` runs on one thread at a time (the app's worker runs one job after another);
    :meth:`clear` may come from another (the window closing) while a read is under way, and
    that read then keeps its table to itself rather than fill the cache again. The cached
    table is never modified: every step only reads it.
    """

    def __init__(self) -> None:
        self._stamp: tuple | None = None
        self._asked: str | None = None
        self._table: SheetTable | None = None
        self._generation = 0  # moved on by clear()

    def read(self, path: str | Path, sheet: str | None = None,
             control: JobControl | None = None) -> SheetTable:
        path = Path(path)
        try:
            info = path.stat()
            stamp: tuple | None = (str(path.absolute()), info.st_size, info.st_mtime_ns)
        except OSError:
            stamp = None  # read_sheet says what is wrong with it
        table = self._table
        if (stamp is not None and stamp == self._stamp and table is not None
                and sheet in (self._asked, table.sheet)):
            return table
        self.clear()
        generation = self._generation
        table = read_sheet(path, sheet, control)
        if generation == self._generation:
            self._stamp, self._asked, self._table = stamp, sheet, table
        return table

    def clear(self) -> None:
        """Forget the sheet (its memory goes with it once no step holds it)."""
        self._generation += 1
        self._stamp = self._asked = self._table = None


# --- CSV -------------------------------------------------------------------------------------


def sniff_encoding(head: bytes, rest: Iterable[bytes] = ()) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM or NUL pattern), else cp1252, for text
    starting with ``head``; ``rest`` yields the bytes after it, read only to check that the
    whole text is UTF-8 (a file is streamed through here, never held whole)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:4096]
    if sample and sample.count(0) > len(sample) // 4:
        return "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(head)
        for chunk in rest:
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter among comma, semicolon and tab that splits the first lines into the
    most columns consistently (ties go to the comma)."""
    best, best_score = ",", (0, 0)
    for candidate in (",", ";", "\t"):
        counts = [len(r) for r in csv.reader(lines, delimiter=candidate) if any(r)]
        if not counts:
            continue
        widest = max(counts)
        consistent = sum(1 for c in counts if c == widest)
        score = (consistent if widest > 1 else 0, widest)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _read_csv(path: Path, control: JobControl | None) -> SheetTable:
    """The rows of a CSV file, streamed from disk: only the cells themselves are held, never
    the file's bytes or text whole (a 200 MB file once took 5.8 GB)."""
    with path.open("rb") as handle:
        head = handle.read(65536)
        encoding = sniff_encoding(head, iter(lambda: handle.read(1024 * 1024), b""))
    try:
        return _read_csv_as(path, encoding, control)
    except UnicodeDecodeError:  # not the encoding it looked like: every byte is latin-1
        return _read_csv_as(path, "latin-1", control)


def _read_csv_as(path: Path, encoding: str, control: JobControl | None) -> SheetTable:
    with path.open(encoding=encoding, newline="") as text:
        sample = text.read(65536)
        if not sample.strip() and not text.read(1):
            raise UsageError(f"{path.name} has no rows.")
        delimiter = sniff_delimiter(sample.splitlines()[:30])
        text.seek(0)
        table = SheetTable(path, "CSV", ["CSV"])
        where = path.name
        cells = 0
        reader = csv.reader(_bounded_lines(text, delimiter, where), delimiter=delimiter)
        try:
            for number, values in enumerate(reader, start=1):
                if number > MAX_ROWS + 50:
                    raise _too_many_rows(where, f"more than {MAX_ROWS:,}")
                if len(values) > MAX_COLUMNS:
                    raise _too_many_columns(where, f"{len(values):,}")
                if any(v.strip() for v in values):
                    table.rows.append((number, values))
                    cells += len(values)
                    if cells > MAX_CELLS:
                        raise UsageError(
                            f"{where} holds more than {MAX_CELLS:,} cells (rows × columns: "
                            f"row {number:,} passes the limit, {len(values)} columns wide); "
                            "Funnelcast imports at most that many at a time. Delete the "
                            "columns you do not need, or split the file and import it in parts."
                        )
                if control is not None and number % 20_000 == 0:
                    control.report(0.1, "Reading the file…")
        except csv.Error as exc:
            raise UsageError(f"{path.name} is not a readable CSV file ({exc}).") from None
    if len(table.rows) > MAX_ROWS:
        raise _too_many_rows(where, f"{len(table.rows):,}")
    return table


def _bounded_lines(text: Iterable[str], delimiter: str, where: str) -> Iterator[str]:
    """The file's lines, refusing one with so many delimiters that splitting it alone would
    take a fortune in memory (a line of two million empty fields); a quoted text may hold
    delimiters, so the bound is generous and the exact column limit is checked per row."""
    for line in text:
        if line.count(delimiter) > 20 * MAX_COLUMNS:
            raise _too_many_columns(where, f"more than {20 * MAX_COLUMNS:,}")
        yield line
