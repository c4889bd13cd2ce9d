"""Reading a rep's update workbook back into an :class:`~app.offline.book.UpdateBook`.

Cells are read with python-calamine through the importer's safe reader
(:func:`app.importing.read.read_sheet`: size limits checked before a sheet is loaded), the
file's save time from ``docProps/core.xml``. Strict where the importer is lenient: the
workbook was made by Funnelcast and edited within drop-downs, so anything unexpected (a
missing or altered hidden sheet, a stage not in the list, a date or number that is not one)
is refused with one sentence naming the sheet, row and column, and nothing is merged.

Times in the visible sheets are the rep's local time; the book holds UTC (naive, the form
the database stores). An Hours row typed in Excel has no row id: it gets a stable one from
the export id and its row number (:func:`typed_row_id`), so importing the same workbook
twice adds it once, and a row corrected since it was merged is recognised as such.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.clock import DATE_RANGE
from app.errors import UsageError, ValidationError
from app.importing.parse_dates import EXCEL_EPOCH
from app.importing.read import read_sheet
from app.matching import name_key
from app.money import CENT
from app.offline import layout
from app.offline.book import (
    FORMAT_VERSION,
    HIDDEN_SHEET,
    BookCheck,
    BookDeal,
    BookHours,
    BookMove,
    DealFields,
    ItemSpec,
    StageSpec,
    UpdateBook,
)
from app.offline.writer import trimmed
from app.stage_admin import COLOUR, MAX_ROT_DAYS

CURRENCY = re.compile(r"[A-Z]{3}")
HOURS_NAMESPACE = uuid.UUID("5b0c3a52-8f3e-4f0e-9a57-2f6f0c1d7e21")
_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")
_WORKBOOK_PART = "xl/workbook.xml"


def is_update_workbook(path: str | Path) -> bool:
    """Whether ``path`` is an .xlsx file with Funnelcast's hidden sheet (how File › Import…
    and ``import FILE`` tell an update workbook from a spreadsheet of deals). Reads only the
    workbook's small index part, at most 1 MB of it; False for anything else."""
    try:
        with zipfile.ZipFile(path) as package, package.open(_WORKBOOK_PART) as part:
            head = part.read(1 << 20)
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError):
        return False
    return f'name="{HIDDEN_SHEET}"'.encode() in head


def saved_at(path: str | Path) -> datetime | None:
    """When the file was last saved (``docProps/core.xml``, UTC naive), or None."""
    try:
        with zipfile.ZipFile(path) as package, package.open("docProps/core.xml") as part:
            found = _MODIFIED.search(part.read(1 << 20))
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError):
        return None
    if found is None:
        return None
    try:
        stamp = datetime.fromisoformat(found[1].decode().strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC).replace(tzinfo=None)
    return stamp.replace(microsecond=0)


class _Where:
    """Makes the one sentence a refusal is: the file, sheet, row and column."""

    def __init__(self, path: Path):
        self.name = path.name

    def error(self, sheet: str, row: int | None, column: str | None, problem: str):
        where = f"sheet {sheet}"
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column}"
        return ValidationError(f"{self.name}, {where}: {problem}", field=column)


def _text(value) -> str:
    """A cell as text: integral numbers without ".0" (an id LibreOffice stored as a
    number), nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def _records(rows) -> list[tuple[int, list[str]]]:
    return [(number, trimmed([_text(v) for v in values])) for number, values in rows]


def _day(value, fail) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        day = EXCEL_EPOCH + timedelta(days=int(value))
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise fail(f"{value!r} is not a date; type one such as 2026-12-31.") from None
    else:
        raise fail(f"{value!r} is not a date.")
    if not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
        raise fail(f"{day.isoformat()} is outside {DATE_RANGE[0].year}–{DATE_RANGE[1].year}; "
                   "check the year.")
    return day


def _stamp(value, fail) -> datetime | None:
    """A local date and time from a cell, as UTC naive."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        local = value
    elif isinstance(value, date):
        local = datetime.combine(value, time.min)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        local = datetime.combine(EXCEL_EPOCH, time.min) + timedelta(days=float(value))
    elif isinstance(value, str):
        try:
            local = datetime.fromisoformat(value.strip())
        except ValueError:
            raise fail(f"{value!r} is not a date and time; type one such as "
                       "2026-12-31 14:30.") from None
    else:
        raise fail(f"{value!r} is not a date and time.")
    if local.tzinfo is None:
        local = local.replace(microsecond=0).astimezone()  # the rep's local time
    return local.astimezone(UTC).replace(tzinfo=None, microsecond=0)


def _amount(value, fail, *, places: Decimal = CENT) -> Decimal:
    if isinstance(value, bool) or value in (None, ""):
        raise fail("is empty; type a number (0 for none).")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(
            str(value).strip().replace(" ", ""))
    except InvalidOperation:
        raise fail(f"{value!r} is not a number.") from None
    if not number.is_finite():
        raise fail(f"{value!r} is not a number.")
    return number.quantize(places)


class _Hidden:
    """The hidden sheet's records, checked."""

    def __init__(self, path: Path, where: _Where):
        try:
            table = read_sheet(path, HIDDEN_SHEET)
        except UsageError:
            raise where.error(HIDDEN_SHEET, None, None, "the hidden sheet Funnelcast needs "
                              "cannot be read; export a new workbook for the rep.") from None
        records = _records(table.rows)
        if not records or records[-1][1][:1] != [layout.CHECKSUM]:
            raise where.error(HIDDEN_SHEET, None, None, "the hidden sheet has no checksum, "
                              "so it was changed; export a new workbook for the rep.")
        body = [r for _, r in records[:-1]]
        if layout.checksum(body) != (records[-1][1] + [""])[1]:
            raise where.error(HIDDEN_SHEET, None, None, "the hidden sheet was changed since "
                              "Funnelcast wrote it; export a new workbook for the rep.")
        self.meta = {r[0]: [*r, ""][1] for r in body if r and r[0] in layout.META_KEYS}
        missing = [k for k in layout.META_KEYS if k not in self.meta]
        if missing:
            raise where.error(HIDDEN_SHEET, None, None,
                              f"it lacks {', '.join(missing)}; export a new workbook.")
        self.by_kind: dict[str, list[list[str]]] = {}
        for record in body:
            if record and record[0] not in layout.META_KEYS:
                self.by_kind.setdefault(record[0], []).append(record[1:])

    def rows(self, kind: str, width: int) -> list[list[str]]:
        return [(r + [""] * width)[:width] for r in self.by_kind.get(kind, [])]


def _columns(header: list, expected: tuple[str, ...], sheet: str, where: _Where) -> dict:
    found = {_text(v).strip(): i for i, v in enumerate(header)}
    missing = [h for h in expected if h not in found]
    if missing:
        raise where.error(sheet, 1, missing[0], "the column is missing from the header row; "
                          "the workbook's layout was changed.")
    return {h: found[h] for h in expected}


def _sheet(path: Path, name: str, expected: tuple[str, ...], where: _Where):
    try:
        table = read_sheet(path, name)
    except UsageError:
        raise where.error(name, None, None, "the sheet is missing; sheets of an update "
                          "workbook must not be renamed or deleted.") from None
    if not table.rows or table.rows[0][0] != 1:
        raise where.error(name, 1, None, "the header row is missing.")
    columns = _columns(table.rows[0][1], expected, name, where)
    return table.rows[1:], columns


def read_update_book(path: str | Path) -> UpdateBook:
    """Read the update workbook at ``path``. Raises ValidationError (one sentence naming
    the sheet, row and column) for anything Funnelcast did not write or a drop-down would
    not allow, UsageError for a file that cannot be read."""
    path = Path(path)
    where = _Where(path)
    if not is_update_workbook(path):
        raise UsageError(f"{path.name} is not a Funnelcast update workbook: it has no hidden "
                         f"{HIDDEN_SHEET} sheet.")
    hidden = _Hidden(path, where)
    meta = hidden.meta
    version = meta["format_version"]
    if not version.isdigit() or int(version) > FORMAT_VERSION:
        raise where.error(HIDDEN_SHEET, None, None, "it was written by a newer Funnelcast "
                          f"(format {version}); update Funnelcast and import it again.")
    try:
        exported_at = datetime.fromisoformat(meta["exported_at"])
    except ValueError:
        raise where.error(HIDDEN_SHEET, None, None, "its export time is unreadable.") from None
    currency = meta["currency"]
    if not CURRENCY.fullmatch(currency):
        raise where.error(HIDDEN_SHEET, None, None, f"its currency {currency!r} is not a "
                          "three-letter code; export a new workbook for the rep.")
    stages = tuple(_stage(record, where) for record in hidden.rows(layout.STAGE, 7))
    items = tuple(ItemSpec(int(i), stage, text, required == layout.YES, int(w or 1),
                           int(p or 0))
                  for i, stage, text, required, w, p in hidden.rows(layout.ITEM, 6))
    kinds = tuple(k for (k,) in hidden.rows(layout.KIND, 1))
    labels = {name_key(label): deal for label, deal in hidden.rows(layout.LABEL, 2)}
    originals = {}
    for deal, version_text, stage, value, close, step, due in hidden.rows(layout.ORIGINAL, 7):
        originals[deal] = (int(version_text), DealFields(
            stage, Decimal(value), date.fromisoformat(close) if close else None, step,
            date.fromisoformat(due) if due else None))
    times = {deal: _times(deal, stamps, where)
             for deal, *stamps in hidden.rows(layout.TIMES, 4)}
    if set(originals) - set(times):
        raise where.error(HIDDEN_SHEET, None, None, "it lacks when its deals entered their "
                          "stages (written by an earlier Funnelcast); export a new workbook "
                          "for the rep.")
    done = {(d, int(i)) for d, i in hidden.rows(layout.DONE, 2)}
    earlier = tuple((d, int(i)) for d, i in hidden.rows(layout.TICKED, 2))
    item_ids = {item.id for item in items}
    if any(d not in originals or i not in item_ids for d, i in earlier):
        raise where.error(HIDDEN_SHEET, None, None, "it ticks an item or a deal it does not "
                          "hold; export a new workbook for the rep.")
    moves = tuple(BookMove(d, f, t, datetime.fromisoformat(at), reason, lost)
                  for d, f, t, at, reason, lost in hidden.rows(layout.MOVE, 6))
    names = {deal: label for label, deal in hidden.rows(layout.LABEL, 2)}
    deals = _read_deals(path, where, stages, originals, times, names)
    titles = {d.uuid: d for d in deals}
    checks = _read_checks(path, where, items, titles, done)
    hours = _read_hours(path, where, meta["export_id"], kinds, labels)
    return UpdateBook(
        export_id=meta["export_id"], database_id=meta["database_id"], rep_name=meta["rep"],
        exported_at=exported_at, saved_at=saved_at(path), stages=stages, items=items,
        kinds=kinds, deals=deals, checks=checks, moves=moves, hours=hours, currency=currency,
        earlier_ticks=earlier)


def _stage(record: list[str], where: _Where) -> StageSpec:
    """A stage of the hidden sheet, its board facts checked: a win probability 0–100, rot
    days empty (never rots) or a whole number of days, a colour empty or #rrggbb."""
    name, side, outcome, position, probability, rot_days, colour = record

    def fail(what: str):
        return where.error(HIDDEN_SHEET, None, None, f"its stage {name!r} has {what} "
                           "(written by an earlier Funnelcast?); export a new workbook for "
                           "the rep.")

    if not probability.isdigit() or int(probability) > 100:
        raise fail("no win probability from 0 to 100")
    if rot_days and not (rot_days.isdigit() and 1 <= int(rot_days) <= MAX_ROT_DAYS):
        raise fail(f"rot days {rot_days!r}, not 1 to {MAX_ROT_DAYS}")
    if colour and not COLOUR.match(colour):
        raise fail(f"the colour {colour!r}, not #rrggbb")
    return StageSpec(name, side, outcome, int(position or 0), int(probability),
                     int(rot_days) if rot_days else None, colour)


def _times(deal: str, stamps: list[str], where: _Where) -> tuple[datetime, ...]:
    """A deal's created, stage-entered and last-touched times (UTC) from the hidden sheet."""
    try:
        return tuple(datetime.fromisoformat(stamp) for stamp in stamps)
    except ValueError:
        raise where.error(HIDDEN_SHEET, None, None, f"the times of deal {deal} are "
                          "unreadable; export a new workbook for the rep.") from None


def _read_deals(path: Path, where: _Where, stages, originals, times,
                names: dict[str, str]) -> tuple[BookDeal, ...]:
    """The Deals sheet: one row per deal the workbook was made with (``names``: each
    deal's label by uuid, to name one whose row was deleted)."""
    rows, col = _sheet(path, layout.DEALS, layout.DEAL_HEADERS, where)
    stage_names = {name_key(s.name): s.name for s in stages}
    deals = []
    seen: set[str] = set()
    for number, values in rows:
        def cell(header: str, values=values):
            index = col[header]
            return values[index] if index < len(values) else ""

        def fail(problem: str, header: str, number=number):
            return where.error(layout.DEALS, number, header, problem)

        key = _text(cell("Deal id")).strip()
        if key not in originals or key in seen:
            raise fail("this row is not one the workbook was made with (rows must not be "
                       "copied or added).", "Deal id")
        seen.add(key)
        version, original = originals[key]
        created, entered, touched = times[key]
        stage = stage_names.get(name_key(_text(cell("Stage"))))
        if stage is None:
            raise fail(f"{_text(cell('Stage'))!r} is not one of the stages; choose one from "
                       "the list.", "Stage")
        value = _amount(cell("Value"), lambda p: fail(f"the value {p}"
                                                      if p.startswith("is") else p, "Value"))
        if value < 0:
            raise fail("a deal's value cannot be negative.", "Value")
        deals.append(BookDeal(
            uuid=key, title=_text(cell("Deal")), company=_text(cell("Company")),
            stage=stage, value=value,
            expected_close=_day(cell("Expected close"),
                                lambda p: fail(p, "Expected close")),
            next_step=" ".join(_text(cell("Next step")).split()),
            next_step_due=_day(cell("Next step due"), lambda p: fail(p, "Next step due")),
            version=version, original=original,
            stage_changed_at=_stamp(cell("Stage changed"),
                                    lambda p: fail(p, "Stage changed")),
            created_at=created, stage_entered_at=entered, touched_at=touched))
    removed = [key for key in originals if key not in seen]
    if removed:
        name = names.get(removed[0], removed[0])
        more = f" (and {len(removed) - 1} more)" if len(removed) > 1 else ""
        raise where.error(layout.DEALS, None, None,
                          f"the row of “{name}”{more} was deleted. Every deal keeps its "
                          "row: restore it (undo the deletion, or copy it back from the "
                          "workbook as it was sent) and import again; a row left as it was "
                          "changes nothing.")
    return tuple(deals)


def _yes_no(value, fail) -> bool:
    text = name_key(_text(value))
    if text in ("yes", "true", "1"):
        return True
    if text in ("no", "false", "0", ""):
        return False
    raise fail(f"{_text(value)!r} is neither Yes nor No.")


def _read_checks(path: Path, where: _Where, items, deals, done) -> tuple[BookCheck, ...]:
    """The Checklist sheet (tens of thousands of rows for a big territory: the common
    cells, "Yes"/"No" and an empty time, take a short path)."""
    rows, col = _sheet(path, layout.CHECKLIST, layout.CHECK_HEADERS, where)
    by_id = {i.id: i for i in items}
    at_deal, at_item, at_done, at_time = (col[h] for h in ("Deal id", "Item id", "Done",
                                                           "Ticked at"))
    answers = {layout.YES: True, layout.NO: False}
    checks = []
    for number, values in rows:
        def fail(problem: str, header: str, number=number):
            return where.error(layout.CHECKLIST, number, header, problem)

        deal = _text(values[at_deal]).strip()
        raw_item = values[at_item]
        item_id = int(raw_item) if isinstance(raw_item, float) and raw_item.is_integer() else (
            int(raw_item) if isinstance(raw_item, str) and raw_item.strip().isdigit() else None)
        if deal not in deals or item_id is None or item_id not in by_id:
            raise fail("this row is not one the workbook was made with (rows must not be "
                       "copied or added).", "Item id")
        item = by_id[item_id]
        was_done = (deal, item_id) in done
        answer = values[at_done]
        ticked = values[at_time]
        checks.append(BookCheck(
            deal_uuid=deal, item_id=item_id, stage=item.stage, text=item.text,
            required=item.required,
            done=was_done or (answers[answer] if answer in answers
                              else _yes_no(answer, lambda p: fail(p, "Done"))),
            was_done=was_done,
            ticked_at=None if ticked == "" else _stamp(ticked,
                                                      lambda p: fail(p, "Ticked at"))))
    return tuple(checks)


def typed_row_id(export_id: str, sheet_row: int) -> str:
    """The id of an Hours row typed in Excel (it has none): made from the export's id and
    the row's number on the Hours sheet, so the same file read again gives every row the
    same id whatever the rep typed in it; a row corrected after a merge keeps its id and
    comes back as a changed row (reported, not added twice).

    Sorting the Hours sheet after it was merged moves typed rows to other numbers: a row
    then carries another row's id and is reported as changed (not applied), and one moved
    below the rows merged before is added as new. Rows written by Funnelcast (a working
    copy's) carry their own id in the hidden Row id column and are not affected."""
    return uuid.uuid5(HOURS_NAMESPACE, f"{export_id}|row {sheet_row}").hex


def _read_hours(path: Path, where: _Where, export_id: str, kinds, labels) -> tuple[
        BookHours, ...]:
    rows, col = _sheet(path, layout.HOURS, layout.HOURS_HEADERS, where)
    kind_names = {name_key(k): k for k in kinds}
    hours = []
    for number, values in rows:
        def fail(problem: str, header: str, number=number):
            return where.error(layout.HOURS, number, header, problem)

        def cell(header: str, values=values):
            return values[col[header]]

        if all(_text(cell(h)).strip() == "" for h in layout.HOURS_HEADERS):
            continue
        day = _day(cell("Date"), lambda p: fail(p, "Date"))
        if day is None:
            raise fail("the date is empty; type the day the hours were spent.", "Date")
        kind = kind_names.get(name_key(_text(cell("Kind"))))
        if kind is None:
            raise fail(f"{_text(cell('Kind'))!r} is not one of the kinds; choose one from "
                       "the list.", "Kind")
        amount = _amount(cell("Hours"), lambda p: fail(f"the hours {p}" if p.startswith("is")
                                                       else p, "Hours"))
        if not Decimal(0) < amount <= Decimal(24):
            raise fail("hours must be more than 0 and at most 24.", "Hours")
        label = _text(cell("Deal")).strip()
        deal = labels.get(name_key(label)) if label else None
        if label and deal is None:
            raise fail(f"{label!r} is not one of the deals in this workbook; choose one "
                       "from the list or leave it empty.", "Deal")
        note = " ".join(_text(cell("Note")).split())
        row_id = _text(cell("Row id")).strip() or typed_row_id(export_id, number)
        hours.append(BookHours(row_id, day, kind, amount, deal, note, number))
    return tuple(hours)
