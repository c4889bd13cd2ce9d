"""The problems workbook: the rejected rows as they were, with a "Problem" column added, so the
user can fix them in Excel and import the file again.

Cell text from the user is written as text, never as a formula (a value such as
``=HYPERLINK(...)`` or ``+1-555`` stays literally what it was), by the weekly workbook's own
:class:`app.exporting.cells.TextCells`.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.errors import UsageError
from app.exporting.cells import TextCells
from app.importing.plan import RowProblem

PROBLEM_FILL = PatternFill("solid", start_color="FDE7E1")


def _cell(sheet, value, texts: TextCells) -> Cell | object:
    if isinstance(value, str):
        return texts.text(sheet, value)  # text, even when it starts with = + - @
    if isinstance(value, (int, float, date, datetime, time)) and not isinstance(value, bool):
        return value
    return "" if value is None else str(value)


def write_problems_workbook(
    path: Path,
    header: list,
    rows: dict[int, list],
    problems: list[RowProblem],
) -> Path:
    """Write the rows named in ``problems`` (spreadsheet row → cells in ``rows``) under
    ``header`` with a last column "Problem" joining that row's reasons."""
    by_row: dict[int, list[str]] = defaultdict(list)
    for problem in problems:
        if problem.row is None:  # a whole column's problem has no row to copy
            continue
        by_row[problem.row].append(
            f"{problem.column}: {problem.message}" if problem.column else problem.message
        )
    texts = TextCells()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Problems"
    width = max([len(header), *(len(rows.get(r, [])) for r in by_row)])
    titles = [*(str(h) for h in header), *[""] * (width - len(header)), "Problem", "Row"]
    sheet.append([_cell(sheet, t, texts) for t in titles])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number in sorted(by_row):
        cells = list(rows.get(number, []))
        cells += [""] * (width - len(cells))
        sheet.append([*(_cell(sheet, v, texts) for v in cells),
                      _cell(sheet, " ".join(by_row[number]), texts), number])
    problem_column = width + 1
    for row in sheet.iter_rows(min_row=2, min_col=problem_column, max_col=problem_column):
        for cell in row:
            cell.fill = PROBLEM_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions[get_column_letter(problem_column)].width = 70
    sheet.freeze_panes = "A2"
    # Written beside its final name, then renamed: an interrupted save never leaves a
    # half-written workbook under the name the user is told about.
    partial = path.with_name(f".{path.name}.partial")
    try:
        workbook.save(partial)
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise UsageError(f"Cannot write the problems workbook {path}: {exc.strerror}.") from None
    return path
