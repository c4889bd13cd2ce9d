"""Writing an :class:`~app.offline.book.UpdateBook` as the rep's update workbook.

Sheets: Deals (one row a deal, the editable cells unlocked), Checklist (one row per item
still ahead of a deal), Hours (the rep's time, with pre-formatted empty rows), Instructions,
and the hidden sheet the merge trusts (veryHidden, protected, with a checksum: see
:mod:`app.offline.layout`). Drop-downs read their lists from named ranges of the hidden
sheet, never from inline lists (no 255-character limit, and text is not split at commas).

It follows the weekly workbook's conventions (:mod:`app.exporting.cells`): user text is
always written as text, never as a formula; dates and money carry real formats; the file is
written atomically (:func:`app.exporting.atomic.replacing`). It is a normal (not streamed)
openpyxl workbook: cell protection and validations per column are simplest there, and a rep
has hundreds of deals, not tens of thousands.

Why a Checklist sheet rather than Yes/No columns on the Deals sheet: the items ahead of a
deal depend on its stage, so one column per item would leave most cells meaningless.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from app.clock import DATE_RANGE
from app.exporting import cells
from app.exporting.atomic import replacing
from app.exporting.cells import TextCells
from app.exporting.figures import local_naive
from app.exporting.small_sheets import fit_to_page
from app.importing.parse_dates import EXCEL_EPOCH
from app.jobs import JobControl
from app.offline import layout
from app.offline.book import FORMAT_VERSION, HIDDEN_SHEET, BookCheck, StageSpec, UpdateBook

UNLOCKED = Protection(locked=False)
EDITABLE = PatternFill("solid", start_color="FFF7D6")  # the cells a rep edits: pale yellow
REPEATED = Font(name=cells.BODY_FONT, color="9A9A9A")  # a deal named again in the Checklist
MAX_WIDTH = 50
INDENTED = Alignment(horizontal="left", indent=1)
GROUP_LINE = Border(top=Side(style="thin", color="B7C4D4"))
FIRST_DAY, LAST_DAY = DATE_RANGE


def _serial(day: date) -> int:
    return (day - EXCEL_EPOCH).days


def deal_label(title: str, company: str) -> str:
    """A deal as the Hours sheet's Deal drop-down names it: "Title — Company"."""
    return f"{title} — {company}" if company else title


def deal_labels(book: UpdateBook) -> dict[str, str]:
    """Each deal's label in the Hours sheet's Deal drop-down ("Title — Company"), made
    unique with " (2)", " (3)"… : label -> deal uuid, in the Deals sheet's order."""
    labels: dict[str, str] = {}
    for deal in book.deals:
        base = deal_label(deal.title, deal.company)
        label, number = base, 2
        while label.casefold() in (known.casefold() for known in labels):
            label, number = f"{base} ({number})", number + 1
        labels[label] = deal.uuid
    return labels


def next_needs(stage: str, stages: Sequence[StageSpec], checks: Sequence[BookCheck]) -> str:
    """The required items a deal in ``stage`` still lacks to enter the next open (or won)
    stage, as the Deals sheet's "Needs before the next stage" shows them."""
    current = next((s for s in stages if s.name == stage), None)
    if current is None or current.outcome != "open":
        return ""
    later = sorted((s for s in stages if s.outcome != "lost" and s.position > current.position),
                   key=lambda s: s.position)
    if not later:
        return ""
    missing = [c.text for c in checks if c.stage == later[0].name and c.required and not c.done]
    return "; ".join(missing)


def _protect(sheet, *, sort: bool = True) -> None:
    """Protect ``sheet`` (no password: it guards against slips, not against the rep), still
    letting the rep filter, sort and widen columns."""
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    if sort:
        sheet.protection.autoFilter = False
        sheet.protection.sort = False


def _header(sheet, titles: Sequence[str], widths: Sequence[int],
            hidden: Sequence[str] = (), numeric: Sequence[str] = ()) -> None:
    """The header row (numbers' and dates' titles right-aligned over them), column widths,
    frozen panes, and a page layout that prints every column on one landscape page width
    with the header repeated."""
    fit_to_page(sheet)
    sheet.append(cells.header(sheet, list(titles), [t in numeric for t in titles]))
    for index, (title, width) in enumerate(zip(titles, widths, strict=True), 1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = width
        dimension.hidden = title in hidden
    sheet.freeze_panes = "C2"
    sheet.print_title_rows = "1:1"
    sheet.row_dimensions[1].height = 30
    for cell in sheet[1]:
        cell.alignment = Alignment(wrap_text=True, vertical="center", indent=1,
                                   horizontal=cell.alignment.horizontal or "left")


def _fit(values: Iterable[str | None], header: str, least: int = 10,
         most: int = MAX_WIDTH) -> int:
    """A text column's width: its longest value (at most ``most``)."""
    longest = max((len(v) for v in values if v), default=0)
    return max(least, len(header) + 4, min(most, longest + 3))


def _format(sheet, column: int, first: int, last: int, *, number_format: str | None = None,
            unlocked: bool = False) -> None:
    """Format a column's cells; ``unlocked`` ones (the rep's to edit) are shaded too."""
    for (cell,) in sheet.iter_rows(min_row=first, max_row=last, min_col=column,
                                   max_col=column):
        if number_format:
            cell.number_format = number_format
        if unlocked:
            cell.protection = UNLOCKED
            cell.fill = EDITABLE


def _validate(sheet, ref: str, **options) -> None:
    validation = DataValidation(**{"showErrorMessage": True, "allow_blank": True, **options})
    validation.add(ref)
    sheet.data_validations.append(validation)


def _date_rule(title: str) -> dict:
    return dict(type="date", operator="between", formula1=str(_serial(FIRST_DAY)),
                formula2=str(_serial(LAST_DAY)), errorTitle=title,
                error="Type a date, such as 2026-12-31.")


def _write_deals(workbook: Workbook, book: UpdateBook, money: str, texts: TextCells) -> None:
    sheet = workbook.active
    sheet.title = layout.DEALS
    deals = book.deals
    checks_of: dict[str, list[BookCheck]] = {}
    for check in book.checks:
        checks_of.setdefault(check.deal_uuid, []).append(check)
    needs = {d.uuid: next_needs(d.stage, book.stages, checks_of.get(d.uuid, []))
             for d in deals}
    _header(sheet, layout.DEAL_HEADERS, (
        _fit((d.title for d in deals), "Deal", 20), _fit((d.company for d in deals), "Company"),
        _fit((s.name for s in book.stages), "Stage"), 15, 16,
        _fit((d.next_step for d in deals), "Next step", 24), 16,
        _fit(needs.values(), "Needs before the next stage", 30, most=90), 18, 34),
        hidden=("Deal id",), numeric=("Value", "Expected close", "Next step due",
                                      "Stage changed"))
    for row, deal in enumerate(book.deals, 2):
        sheet.append([
            texts.text(sheet, deal.title, f"Deals row {row}, Deal"),
            texts.text(sheet, deal.company, f"Deals row {row}, Company"),
            texts.text(sheet, deal.stage), deal.value, deal.expected_close,
            texts.text(sheet, deal.next_step, f"Deals row {row}, Next step"),
            deal.next_step_due,
            texts.text(sheet, needs[deal.uuid]),
            local_naive(deal.stage_changed_at), deal.uuid,
        ])
    last = max(2, len(book.deals) + 1)
    for column in (3, 6):
        _format(sheet, column, 2, last, unlocked=True)
    _format(sheet, 4, 2, last, number_format=money, unlocked=True)
    for column in (5, 7):
        _format(sheet, column, 2, last, number_format=cells.DATE_FORMAT, unlocked=True)
    _format(sheet, 9, 2, last, number_format=cells.STAMP_FORMAT, unlocked=True)
    for column in (6, 8):  # text after a right-aligned date: a little room between them
        for (cell,) in sheet.iter_rows(min_row=2, max_row=last, min_col=column,
                                       max_col=column):
            cell.alignment = INDENTED
    _validate(sheet, f"C2:C{last}", type="list", formula1=f"={layout.STAGE_NAMES}",
              allow_blank=False, errorTitle="Stage", error="Choose one of the stages in the list.")
    _validate(sheet, f"D2:D{last}", type="decimal", operator="between", formula1="0",
              formula2="999999999999.99", errorTitle="Value",
              error="Type the deal's value as a number, 0 or more.")
    _validate(sheet, f"E2:E{last}", **_date_rule("Expected close"))
    _validate(sheet, f"G2:G{last}", **_date_rule("Next step due"))
    _validate(sheet, f"I2:I{last}", type="date", operator="between",
              formula1=str(_serial(FIRST_DAY)), formula2=str(_serial(LAST_DAY)),
              errorTitle="Stage changed", error="Type when you moved the deal: date and time.")
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(layout.DEAL_HEADERS))}{last}"
    _protect(sheet)


def _write_checklist(workbook: Workbook, book: UpdateBook, texts: TextCells) -> None:
    sheet = workbook.create_sheet(layout.CHECKLIST)
    deals = {d.uuid: d for d in book.deals}
    _header(sheet, layout.CHECK_HEADERS, (
        _fit((d.title for d in book.deals), "Deal", 20),
        _fit((d.company for d in book.deals), "Company"),
        _fit((s.name for s in book.stages), "For stage"),
        _fit((i.text for i in book.items), "Criterion", 30), 10, 10, 17, 34, 10),
        hidden=("Deal id", "Item id"), numeric=("Ticked at",))
    for row, check in enumerate(book.checks, 2):
        deal = deals[check.deal_uuid]
        sheet.append([
            texts.text(sheet, deal.title, f"Checklist row {row}, Deal"),
            texts.text(sheet, deal.company, f"Checklist row {row}, Company"),
            texts.text(sheet, check.stage), texts.text(sheet, check.text),
            layout.YES if check.required else layout.NO,
            layout.YES if check.done else layout.NO,
            local_naive(check.ticked_at), check.deal_uuid, check.item_id,
        ])
    last = max(2, len(book.checks) + 1)
    _format(sheet, 7, 2, last, number_format=cells.STAMP_FORMAT, unlocked=True)
    previous = None
    for row, check in enumerate(book.checks, 2):
        done = sheet.cell(row=row, column=6)
        if not check.was_done:
            done.protection = UNLOCKED
            done.fill = EDITABLE
        else:
            done.font = REPEATED
        if check.deal_uuid == previous:  # the deal's name again: quieter
            for column in (1, 2):
                sheet.cell(row=row, column=column).font = REPEATED
        elif previous is not None:  # a line above each deal's first row
            for column in range(1, len(layout.CHECK_HEADERS) + 1):
                sheet.cell(row=row, column=column).border = GROUP_LINE
        previous = check.deal_uuid
    _validate(sheet, f"F2:F{last}", type="list", formula1=f'"{layout.YES},{layout.NO}"',
              allow_blank=False, errorTitle="Done", error="Choose Yes or No.")
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(layout.CHECK_HEADERS))}{last}"
    _protect(sheet)


def _write_hours(workbook: Workbook, book: UpdateBook, texts: TextCells) -> None:
    sheet = workbook.create_sheet(layout.HOURS)
    _header(sheet, layout.HOURS_HEADERS, (
        13, _fit(book.kinds, "Kind"), 9, _fit(deal_labels(book), "Deal", 30), 40, 34),
        hidden=("Row id",), numeric=("Date", "Hours"))
    sheet.freeze_panes = "A2"
    labels = {uuid: label for label, uuid in deal_labels(book).items()}
    for row, hours in enumerate(book.hours, 2):
        sheet.append([
            hours.day, texts.text(sheet, hours.kind), hours.hours,
            texts.text(sheet, labels.get(hours.deal_uuid or "", "")),
            texts.text(sheet, hours.note, f"Hours row {row}, Note"), hours.row_id,
        ])
    last = len(book.hours) + 1 + layout.EMPTY_HOURS_ROWS
    _format(sheet, 1, 2, last, number_format=cells.DATE_FORMAT, unlocked=True)
    _format(sheet, 3, 2, last, number_format="0.00", unlocked=True)
    for column in (2, 4, 5):
        _format(sheet, column, 2, last, unlocked=True)
    _validate(sheet, f"A2:A{last}", **_date_rule("Date"))
    _validate(sheet, f"B2:B{last}", type="list", formula1=f"={layout.KIND_NAMES}",
              errorTitle="Kind", error="Choose one of the kinds in the list.")
    _validate(sheet, f"C2:C{last}", type="decimal", operator="between", formula1="0.25",
              formula2="24", errorTitle="Hours",
              error="Type hours between 0.25 and 24, in quarter hours (1.5 is an hour and a "
                    "half).")
    if book.deals:
        _validate(sheet, f"D2:D{last}", type="list", formula1=f"={layout.DEAL_LABELS}",
                  errorTitle="Deal", error="Choose one of your deals in the list, or leave "
                                           "it empty.")
    _protect(sheet, sort=False)


INSTRUCTION_WIDTH = 75  # fits a portrait page at 100 %
INSTRUCTIONS = (
    ("Your update workbook", True),
    ("This workbook holds your open deals and leads from Funnelcast. Update them here, in "
     "Excel or LibreOffice, while you are on the road; send it back and your manager merges "
     "it into Funnelcast.", False),
    ("What you can change", True),
    ("Deals: the Stage (choose from the list), Value, Expected close, Next step and Next "
     "step due. If you move a deal, you may type when in Stage changed; otherwise the time "
     "you save the workbook is used.", False),
    ("Checklist: set Done to Yes for what a buyer has confirmed. A deal only moves to a "
     "stage once that stage's required items are Yes (here or in Funnelcast); \"Needs "
     "before the next stage\" on the Deals sheet lists what the next one still needs.",
     False),
    ("Hours: one row per block of time: the date, the kind, the hours (in quarter hours) "
     "and, if it was for a deal, the deal. Leave the Deal empty for general prospecting. "
     "Hours your manager has already merged are not corrected by changing their row here: "
     "a changed row is shown to your manager and not applied (nothing is counted twice), "
     "so ask them to correct the entry in Funnelcast. Do not sort the Hours sheet once it "
     "was sent: rows you typed are known by their place.", False),
    ("What not to change", True),
    ("Only the pale yellow cells can be edited; the others are locked. Do not add, delete or "
     "rename sheets, and do not copy rows between workbooks: Funnelcast matches every row by "
     "a hidden id.", False),
    ("Sending it back", True),
    ("Save it (keep the .xlsx format) and send it to your manager, who imports it into "
     "Funnelcast (File › Import…). If you changed something your manager also changed "
     "meanwhile, they will see both values and choose. Importing the same workbook twice "
     "changes nothing.",
     False),
    ("Funnelcast can open it too", True),
    ("If you have Funnelcast on your laptop, File › Open update workbook… opens it as a "
     "working copy with the normal board and checklist; File › Save updates to workbook "
     "writes it back in this same format.", False),
)


def _write_instructions(workbook: Workbook, book: UpdateBook) -> None:
    """Plain words, one paragraph a row. The rows get their heights here: LibreOffice
    does not grow a row to fit wrapped text it reads from an .xlsx file."""
    sheet = workbook.create_sheet(layout.INSTRUCTIONS)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.column_dimensions["A"].width = INSTRUCTION_WIDTH
    sheet.append([cells.styled(sheet, f"Updates for {book.rep_name}", font=cells.TITLE_FONT)])
    sheet.row_dimensions[1].height = 24
    for row, (text, heading) in enumerate(INSTRUCTIONS, 2):
        sheet.append([cells.styled(sheet, text, font=cells.BOLD if heading else None,
                                   alignment=cells.WRAP)])
        lines = -(-len(text) // (INSTRUCTION_WIDTH + 5))  # characters a line, roughly
        sheet.row_dimensions[row].height = 15 * lines + (8 if heading else 4)
    _protect(sheet, sort=False)


def _iso(value: date | datetime | None) -> str:
    return "" if value is None else value.isoformat()


def hidden_records(book: UpdateBook) -> list[list[str]]:
    """The hidden sheet's records (see :mod:`app.offline.layout`), without the checksum."""
    records = [["format_version", str(FORMAT_VERSION)], ["export_id", book.export_id],
               ["database_id", book.database_id], ["rep", book.rep_name],
               ["exported_at", _iso(book.exported_at)], ["currency", book.currency]]
    records += [[layout.STAGE, s.name, s.side, s.outcome, str(s.position), str(s.probability),
                 "" if s.rot_days is None else str(s.rot_days), s.colour]
                for s in book.stages]
    records += [[layout.ITEM, str(i.id), i.stage, i.text, layout.YES if i.required else
                 layout.NO, str(i.weight), str(i.position)] for i in book.items]
    records += [[layout.KIND, kind] for kind in book.kinds]
    records += [[layout.LABEL, label, uuid] for label, uuid in deal_labels(book).items()]
    for deal in book.deals:
        o = deal.original
        records.append([layout.ORIGINAL, deal.uuid, str(deal.version), o.stage, str(o.value),
                        _iso(o.expected_close), o.next_step, _iso(o.next_step_due)])
    records += [[layout.TIMES, d.uuid, _iso(d.created_at), _iso(d.stage_entered_at),
                 _iso(d.touched_at)] for d in book.deals]
    records += [[layout.DONE, c.deal_uuid, str(c.item_id)] for c in book.checks if c.was_done]
    records += [[layout.TICKED, deal, str(item)] for deal, item in book.earlier_ticks]
    records += [[layout.MOVE, m.deal_uuid, m.from_stage, m.to_stage, _iso(m.at),
                 m.override_reason, m.lost_reason] for m in book.moves]
    return records


def trimmed(record: Sequence[str]) -> list[str]:
    """A record without its trailing empty cells (a reader sees no difference)."""
    out = list(record)
    while out and out[-1] == "":
        out.pop()
    return out


def _write_hidden(workbook: Workbook, book: UpdateBook, texts: TextCells) -> None:
    sheet = workbook.create_sheet(HIDDEN_SHEET)
    records = [trimmed([texts.clean(v) or "" for v in record])
               for record in hidden_records(book)]
    for record in records:
        sheet.append([texts.text(sheet, value) for value in record])
    sheet.append([layout.CHECKSUM, layout.checksum(records)])
    for name, kind in ((layout.STAGE_NAMES, layout.STAGE), (layout.KIND_NAMES, layout.KIND),
                       (layout.DEAL_LABELS, layout.LABEL)):
        rows = [n for n, r in enumerate(records, 1) if r[0] == kind]
        if rows:
            workbook.defined_names[name] = DefinedName(
                name, attr_text=f"'{HIDDEN_SHEET}'!$B${rows[0]}:$B${rows[-1]}")
    sheet.sheet_state = "veryHidden"
    _protect(sheet, sort=False)


def write_update_workbook(book: UpdateBook, path: str | Path,
                          control: JobControl | None = None) -> list[str]:
    """Write ``book`` to ``path`` atomically, its money in ``book.currency``; returns where
    text had to be cut (Excel's 32,767-character cell limit). Raises UsageError when the
    file cannot be written (``path`` is then as it was)."""
    texts = TextCells()
    workbook = Workbook()
    _write_deals(workbook, book, cells.money_format(book.currency), texts)
    _write_checklist(workbook, book, texts)
    _write_hours(workbook, book, texts)
    _write_instructions(workbook, book)
    _write_hidden(workbook, book, texts)
    workbook.security = WorkbookProtection(lockStructure=True)
    with replacing(Path(path), control) as scratch:
        workbook.save(scratch.new(".part"))
    return texts.cut
