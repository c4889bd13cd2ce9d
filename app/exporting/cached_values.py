"""Cached results for the workbook's formulas.

openpyxl writes a formula cell as ``<c r="H1"><f>SUBTOTAL(…)</f><v></v></c>``: no result,
so a viewer that does not recalculate (a phone's preview, a mail client, pandas) shows
nothing or zero. After openpyxl has saved, :func:`add_cached_values` copies the file part by
part and, in the sheets that have formulas, puts the result Funnelcast computed into each
formula cell's ``<v>``. Sheets are streamed in chunks (the Deals sheet of 50,000 deals is
never held whole). Excel and LibreOffice still recalculate on opening (openpyxl sets
``fullCalcOnLoad``), so the cached value is only what a non-calculating reader sees.
"""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

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


def add_cached_values(path: Path, target: Path,
                      by_part: dict[str, dict[str, Decimal | float | int]]) -> None:
    """Copy the workbook at ``path`` to ``target`` with the cached results in ``by_part``
    (sheet part name such as ``xl/worksheets/sheet2.xml`` → cell → value)."""
    encoded = {part: {cell: _number(v) for cell, v in values.items()}
               for part, values in by_part.items()}
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(
            target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zout:
        for info in zin.infolist():
            values = encoded.get(info.filename)
            with zin.open(info) as source, zout.open(info.filename, "w") as out:
                if values:
                    _copy_filled(source, out, values)
                else:
                    while chunk := source.read(CHUNK):
                        out.write(chunk)
