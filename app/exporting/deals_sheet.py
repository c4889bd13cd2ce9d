"""The Deals sheet: every open deal and every deal won or lost this week, as an Excel table.

Row 1 holds the totals (SUBTOTAL over the table, so a filter narrows them), row 2 the
table's header (frozen), the deals follow. openpyxl writes rows 1 and 2, the columns, the
table and the validation; the deal rows are written as XML by :class:`.row_xml.RowWriter`
(one shared style per column) and spliced in when the file is finished. The widths come
from the longest text in the database, and the per-stage figures the Summary needs are
gathered on the way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from app.exporting import cells
from app.exporting.cells import TextCells
from app.exporting.figures import as_stamp, deal_rows, local_naive, text_widths, uuid_hex
from app.exporting.row_xml import RowWriter
from app.exporting.small_sheets import add_table, fit_to_page
from app.jobs import JobControl
from app.money import CENT

TABLE_NAME = "DealsTable"
FIRST_ROW = 3  # row 1 totals, row 2 header
UUID_HEADER = "Deal UUID"  # the importer's name for Funnelcast's own deal id

# Header, kind, width (or the text field whose longest value sets it).
# (header, kind, width): a fixed width, or the deal text field whose longest value sets it.
COLUMNS: tuple[tuple[str, str, int | str], ...] = (
    ("Title", "text", "title"),
    ("Company", "text", "company"),
    ("Contact", "text", "contact_name"),
    ("Email", "text", "contact_email"),
    ("Phone", "text", "contact_phone"),
    ("Owner", "text", 16),
    ("Stage", "text", 20),
    ("Value", "money", 14),
    ("Probability", "percent", 11),
    ("Weighted value", "money", 15),
    ("Expected close", "date", 14),
    ("Next step", "text", "next_step"),
    ("Next step due", "date", 14),
    ("Source", "text", 16),
    ("Industry", "text", "industry"),
    ("Region", "text", "region"),
    ("Days in stage", "count", 12),
    ("Created", "stamp", 16),
    ("Last activity", "stamp", 16),
    (UUID_HEADER, "text", 34),
    ("Version", "count", 8),
)
HIDDEN = (UUID_HEADER, "Version")
_XML_KIND = {"text": "text", "money": "number", "percent": "number", "count": "number",
             "date": "date", "stamp": "date"}
MAX_WIDTH = 50


def letter(header_text: str) -> str:
    """The column letter of a Deals header."""
    return get_column_letter(1 + [c[0] for c in COLUMNS].index(header_text))


@dataclass
class StageTally:
    """Open deals per stage id: how many, and the days they have spent in it."""

    count: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    days: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def average_days(self, stage_id: int) -> float | None:
        count = self.count.get(stage_id, 0)
        return None if not count else round(self.days[stage_id] / count, 1)


@dataclass
class DealsWritten:
    rows: int
    value: Decimal
    weighted: Decimal
    tally: StageTally


def write_deals(book, total: int, lo: datetime, hi: datetime, now: datetime,
                control: JobControl | None, texts: TextCells) -> DealsWritten:
    """Stream the deals into ``book``'s Deals sheet; ``total`` is how many
    :func:`deal_rows` yields (the formulas in row 1 are written before the rows)."""
    sheet = book.sheet("Deals")
    fit_to_page(sheet)
    widths = text_widths(lo, hi)
    for index, (title, _kind, width) in enumerate(COLUMNS, 1):
        column = sheet.column_dimensions[get_column_letter(index)]
        fit = widths.get(width, 0) if isinstance(width, str) else width
        column.width = max(len(title) + 2, min(MAX_WIDTH, fit + 2))
        column.hidden = title in HIDDEN
    sheet.freeze_panes = f"A{FIRST_ROW}"
    last = FIRST_ROW + max(total, 1) - 1
    money = book.money_format
    value_col, weighted_col = letter("Value"), letter("Weighted value")
    sheet.append(_totals_row(book, sheet, last, total))
    sheet.append(cells.header(sheet, [c[0] for c in COLUMNS],
                              [kind != "text" for _, kind, _ in COLUMNS]))

    formats = {"money": money, "percent": cells.PERCENT_FORMAT, "date": cells.DATE_FORMAT,
               "stamp": cells.STAMP_FORMAT, "count": cells.COUNT_FORMAT}
    style_ids = {kind: book.style_id(sheet, fmt) for kind, fmt in formats.items()}
    rows_file = book.rows_file(sheet)
    writer = RowWriter(rows_file, [
        (get_column_letter(index), _XML_KIND[kind], style_ids.get(kind))
        for index, (_title, kind, _width) in enumerate(COLUMNS, 1)])
    clean = texts.clean
    tally = StageTally()
    value_sum = weighted_sum = Decimal(0)
    written = 0
    for (title, company, contact, email, phone, owner, stage, value, probability,
         expected_close, next_step, next_step_due, source, industry, region, entered,
         created, last_activity, uuid, version, outcome, stage_id) in deal_rows(lo, hi):
        row = FIRST_ROW + written
        weighted = (value * probability / 100).quantize(CENT)
        entered, created, last_activity = (
            as_stamp(entered), as_stamp(created), as_stamp(last_activity))
        days = max(0, (now - entered).days)
        if outcome == "open":
            tally.count[stage_id] += 1
            tally.days[stage_id] += days
        value_sum += value
        weighted_sum += weighted
        writer.write(row, (
            clean(title, ("Deals", row, "Title")), clean(company, ("Deals", row, "Company")),
            clean(contact, ("Deals", row, "Contact")), clean(email, ("Deals", row, "Email")),
            clean(phone, ("Deals", row, "Phone")), clean(owner, ("Deals", row, "Owner")),
            clean(stage), value, probability / 100, weighted, expected_close,
            clean(next_step, ("Deals", row, "Next step")), next_step_due, clean(source),
            clean(industry, ("Deals", row, "Industry")),
            clean(region, ("Deals", row, "Region")), days, local_naive(created),
            local_naive(last_activity), uuid_hex(uuid), version,
        ))
        written += 1
        if control is not None and written % 2000 == 0:
            control.report(0.1 + 0.75 * written / max(total, 1),
                           f"Deals: {written:,} of {total:,}")
    if written != total:  # the read runs in one transaction: this would be a bug
        raise RuntimeError(f"{written} deals written where {total} were counted")
    book.cached[sheet.title].update({
        f"{value_col}1": value_sum, f"{weighted_col}1": weighted_sum})

    ref = f"A2:{get_column_letter(len(COLUMNS))}{last}"
    table = Table(displayName=TABLE_NAME, ref=ref, tableStyleInfo=TableStyleInfo(
        name="TableStyleMedium2", showRowStripes=True))
    table.tableColumns = [TableColumn(id=i, name=c[0]) for i, c in enumerate(COLUMNS, 1)]
    table.autoFilter = AutoFilter(ref=ref)
    add_table(sheet, table)

    stage_col = letter("Stage")
    validation = DataValidation(
        type="list", formula1=f"={book.STAGE_NAMES}", allow_blank=False, showDropDown=False,
        showErrorMessage=True, errorTitle="Stage",
        error="Choose one of the stages in the list (they come from the Stages sheet).")
    validation.add(f"{stage_col}{FIRST_ROW}:{stage_col}{last}")
    sheet.data_validations.append(validation)
    return DealsWritten(written, value_sum, weighted_sum, tally)


def _totals_row(book, sheet, last: int, total: int) -> list:
    """Row 1: the count of deals shown and the totals of Value and Weighted value."""
    row: list = [None] * len(COLUMNS)
    row[0] = book.formula(sheet, "A1", f"=SUBTOTAL(103,A{FIRST_ROW}:A{last})", total,
                          number_format='#,##0" deals shown"')
    for name in ("Value", "Weighted value"):
        col = letter(name)
        index = [c[0] for c in COLUMNS].index(name)
        row[index] = book.formula(sheet, f"{col}1", f"=SUBTOTAL(109,{col}{FIRST_ROW}:{col}{last})",
                                  Decimal(0), number_format=book.money_format)
    return row
