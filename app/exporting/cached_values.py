"""Finishing the saved package: cached results for the formulas, and the rows written as
XML (:mod:`.row_xml`) spliced into their sheets.

openpyxl writes a formula cell as ``<c r="H1"><f>SUBTOTAL(…)</f><v></v></c>``: no result,
so a viewer that does not recalculate (a phone's preview, a mail client, pandas) shows
nothing or zero. After openpyxl has saved, :func:`add_cached_values` copies the file part by
part and, in the sheets that have formulas, puts the result Funnelcast computed into each
formula cell's ``<v>``. Sheets are streamed in chunks (the Deals sheet of 50,000 deals is
never held whole). Excel recalculates on opening (openpyxl sets ``fullCalcOnLoad``);
LibreOffice by default shows the cached results of an .xlsx file, so they must be right.

A sheet with extra rows gets them just before its ``</sheetData>``, after the rows
openpyxl wrote, and its ``<dimension>`` grows to cover them.
"""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20
_FORMULA_CELL = re.compile(
    rb'(<c r="([A-Z]+[0-9]+)"[^>]*>)(<f>[^<]*</f>)<v\s*(?:/>|>\s*</v>)(</c>)')


def _number(value: Decimal | float | int) -> bytes:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").encode()
    return repr(value).encode() if isinstance(value, float) else str(value).encode()


def _fill(data: bytes, values: dict[str, bytes]) -> bytes:
    def replace(match: re.Match) -> bytes:
        cached = values.get(match[2].decode())
        if cached is None:
            return match[0]
        return match[1] + match[3] + b"<v>" + cached + b"</v>" + match[4]

    return _FORMULA_CELL.sub(replace, data)


def _copy_filled(source, target, values: dict[str, bytes]) -> None:
    """Stream one sheet part, filling formula cells; a cell is only rewritten once whole
    (the unfinished tail of each chunk waits for the next)."""
    pending = b""
    while chunk := source.read(CHUNK):
        data = pending + chunk
        cut = data.rfind(b"<c ")
        if cut <= 0:
            pending = data
            continue
        target.write(_fill(data[:cut], values))
        pending = data[cut:]
    target.write(_fill(pending, values))


def _splice(source, out, values: dict[str, bytes], rows: BinaryIO) -> None:
    """A sheet openpyxl wrote (small: its rows are in ``rows``) with ``rows`` added."""
    data = _fill(source.read(), values)
    head, end, tail = data.partition(b"</sheetData>")
    if not end:
        raise ValueError("a worksheet without sheetData")
    rows.seek(0)
    last_row = _last_row(rows)
    rows.seek(0)
    head = _DIMENSION.sub(lambda m: b'<dimension ref="' + m[1] + b":" + m[2]
                          + str(last_row).encode() + b'"/>', head, count=1)
    out.write(head)
    while chunk := rows.read(CHUNK):
        out.write(chunk)
    out.write(end + tail)


_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+[0-9]+):([A-Z]+)[0-9]+"\s*/>')
_ROW = re.compile(rb'<row r="([0-9]+)"')


def _last_row(rows: BinaryIO) -> int:
    """The number of the last ``<row>`` in the file (read from its end)."""
    rows.seek(0, 2)
    size = rows.tell()
    rows.seek(max(0, size - 65_536))
    numbers = _ROW.findall(rows.read())
    return int(numbers[-1]) if numbers else 1


def finish_package(path: Path, target: Path,
                   by_part: dict[str, dict[str, Decimal | float | int]],
                   rows_by_part: dict[str, BinaryIO] | None = None) -> None:
    """Copy the workbook at ``path`` to ``target`` with the cached results in ``by_part``
    (sheet part name such as ``xl/worksheets/sheet2.xml`` → cell → value) and the rows in
    ``rows_by_part`` (part → file of ``<row>`` elements) spliced into their sheets."""
    rows_by_part = rows_by_part or {}
    encoded = {part: {cell: _number(v) for cell, v in values.items()}
               for part, values in by_part.items()}
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(
            target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            values = encoded.get(info.filename, {})
            rows = rows_by_part.get(info.filename)
            with zin.open(info) as source, zout.open(info.filename, "w") as out:
                if rows is not None:
                    _splice(source, out, values, rows)
                elif values:
                    _copy_filled(source, out, values)
                else:
                    while chunk := source.read(CHUNK):
                        out.write(chunk)
