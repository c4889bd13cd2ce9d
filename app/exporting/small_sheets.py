"""The sheets that fit in memory: Reps, Activities, Stage history and Stages.

Each of the first three is an Excel table under a totals row (SUBTOTAL over the table, with
its result cached) and a frozen header, like the Deals sheet.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from app.exporting import cells
from app.exporting.cells import TextCells

FIRST_ROW = 3


@dataclass(frozen=True)
class Column:
    """A table column: its header, kind (text, money, percent, date, stamp, count, hours,
    number) and whether row 1 totals it (``"sum"``, ``"count"`` or None)."""

    header: str
    kind: str = "text"
    total: str | None = None
    width: int | None = None


_FORMATS = {"percent": cells.PERCENT_FORMAT, "date": cells.DATE_FORMAT,
            "stamp": cells.STAMP_FORMAT, "count": cells.COUNT_FORMAT,
            "hours": cells.HOURS_FORMAT, "number": "#,##0.0"}


def _width(column: Column, values: list) -> int:
    if column.width:
        return max(column.width, len(column.header) + 2)
    if column.kind in ("money", "stamp"):
        return max(16, len(column.header) + 2)
    if column.kind == "date":
        return max(13, len(column.header) + 2)
    if column.kind != "text":
        return max(len(column.header) + 2, 12)
    longest = max((len(v) for v in values if isinstance(v, str)), default=0)
    return max(len(column.header) + 2, min(60, longest + 2))


def write_table(book, title: str, table_name: str, columns: Sequence[Column],
                rows: Sequence[Sequence], texts: TextCells) -> int:
    """Fill sheet ``title`` with ``rows`` as table ``table_name``; returns the rows written."""
    sheet = book.sheet(title)
    fit_to_page(sheet)  # the sheet's properties are written with its first row
    for index, column in enumerate(columns):
        dimension = sheet.column_dimensions[get_column_letter(index + 1)]
        dimension.width = _width(column, [row[index] for row in rows])
    sheet.freeze_panes = f"A{FIRST_ROW}"
    last = FIRST_ROW + max(len(rows), 1) - 1
    formats = {c.kind: (book.money_format if c.kind == "money" else _FORMATS.get(c.kind))
               for c in columns}
    totals: list = [None] * len(columns)
    for index, column in enumerate(columns):
        col = get_column_letter(index + 1)
        span = f"{col}{FIRST_ROW}:{col}{last}"
        if column.total == "count":
            totals[index] = book.formula(
                sheet, f"{col}1", f"=SUBTOTAL(103,{span})", len(rows),
                number_format='#,##0" shown"')
        elif column.total == "sum":
            result = sum((Decimal(str(row[index] or 0)) for row in rows), Decimal(0))
            totals[index] = book.formula(
                sheet, f"{col}1", f"=SUBTOTAL(109,{span})", result,
                number_format=formats[column.kind])
    sheet.append(totals)
    sheet.append(cells.header(sheet, [c.header for c in columns],
                              [c.kind != "text" for c in columns]))
    styles = {kind: cells.column_style(sheet, fmt) for kind, fmt in formats.items() if fmt}
    for number, row in enumerate(rows, FIRST_ROW):
        out = []
        for column, value in zip(columns, row, strict=True):
            if column.kind == "text":
                out.append(texts.text(sheet, value, f"{title} row {number}, {column.header}"))
            elif column.kind in styles:
                out.append(cells.with_style(sheet, value, styles[column.kind]))
            else:
                out.append(value)
        sheet.append(out)
    ref = f"A2:{get_column_letter(len(columns))}{last}"
    table = Table(displayName=table_name, ref=ref, autoFilter=AutoFilter(ref=ref),
                  tableStyleInfo=TableStyleInfo(name="TableStyleMedium2", showRowStripes=True))
    table.tableColumns = [TableColumn(id=i, name=c.header) for i, c in enumerate(columns, 1)]
    add_table(sheet, table)
    return len(rows)


def add_table(sheet, table: Table) -> None:
    """Add ``table``, whose columns the caller has named (openpyxl warns in write-only mode
    that it cannot name them from the cells, which is why they are named)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sheet.add_table(table)


def fit_to_page(sheet) -> None:
    """Print (and convert to PDF) landscape, every column on one page's width. Call it
    before the sheet's first row: a streamed sheet writes its properties then."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def write_stages(book, names: list[str], texts: TextCells) -> None:
    """The Stages sheet: the list the Deals sheet's Stage drop-down offers, named
    :attr:`Book.STAGE_NAMES` (a range, never an inline list, so no 255-character limit)."""
    sheet = book.sheet("Stages")
    sheet.column_dimensions["A"].width = max([len(n) for n in names] + [10]) + 4
    sheet.append(cells.header(sheet, ["Stage"]))
    for name in names:
        sheet.append([texts.text(sheet, name)])
    book.name_range(book.STAGE_NAMES, "Stages", f"$A$2:$A${len(names) + 1}")
