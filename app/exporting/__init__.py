"""The weekly pipeline workbook (issue 15): ``pipeline-YYYY-Www.xlsx`` with the Summary,
Deals, Reps, Sources, Activities, Stage history and Stages sheets.

Modules: :mod:`.week` (ISO weeks), :mod:`.figures` (the rows, read from the database),
:mod:`.cells` (text that never becomes a formula, formats), :mod:`.book` (the streamed
workbook and its formulas' results), :mod:`.deals_sheet`, :mod:`.summary_sheet`,
:mod:`.small_sheets`, :mod:`.cached_values` (results written into the saved file),
:mod:`.service` (the use case, written atomically).
"""

from app.exporting.service import WeeklyExport, export_weekly_workbook
from app.exporting.week import Week, parse_week, week_of

__all__ = ["Week", "WeeklyExport", "export_weekly_workbook", "parse_week", "week_of"]
