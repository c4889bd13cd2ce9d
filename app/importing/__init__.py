"""Importing deals from Excel, LibreOffice and CSV files (issue 5).

Modules, in the order data flows: :mod:`read` (cells, safely), :mod:`header` (the header row),
:mod:`columns` (header → field), :mod:`parse_money` / :mod:`parse_dates` (column-level
parsing), :mod:`values` (stages, owners, emails, text), :mod:`plan` (every row validated),
:mod:`commit` (one transaction; undo), :mod:`errors_workbook` (the rows with problems) and
:mod:`service` (the entry points the CLI and the wizard share).
"""

from app.importing.columns import FIELDS
from app.importing.commit import UndoResult, describe_last_import, undo_last_import
from app.importing.read import MAX_ROWS, SheetCache, list_sheets
from app.importing.service import (
    ColumnInfo,
    FileOverview,
    ImportOptions,
    ImportReport,
    inspect_file,
    run_import,
)

__all__ = [
    "FIELDS",
    "MAX_ROWS",
    "ColumnInfo",
    "FileOverview",
    "ImportOptions",
    "ImportReport",
    "SheetCache",
    "UndoResult",
    "describe_last_import",
    "inspect_file",
    "list_sheets",
    "run_import",
    "undo_last_import",
]
