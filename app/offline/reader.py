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
import xml.parsers.expat
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.activities import MAX_HOURS_PER_DAY
from app.clock import DATE_RANGE, utcnow
from app.deals import MAX_VALUE
from app.errors import UsageError, ValidationError
from app.importing.parse_dates import EXCEL_EPOCH
from app.importing.read import MAX_INDEX_BYTES, MissingSheet, read_sheet
from app.importing.zip_scan import column_number
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
from app.offline.writer import deal_label, trimmed
from app.stage_admin import COLOUR, MAX_ROT_DAYS

CURRENCY = re.compile(r"[A-Z]{3}")
HOURS_NAMESPACE = uuid.UUID("5b0c3a52-8f3e-4f0e-9a57-2f6f0c1d7e21")
_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>([^<]+)</dcterms:modified>")
_WORKBOOK_PART = "xl/workbook.xml"


def is_update_workbook(path: str | Path) -> bool:
    """Whether ``path`` is an .xlsx file with Funnelcast's hidden sheet (how File › Import…
    and ``import FILE`` tell an update workbook from a spreadsheet of deals).

    Parses the workbook's index part (``xl/workbook.xml``, up to the importer's
    :data:`~app.importing.read.MAX_INDEX_BYTES`) as XML, so the sheet is found however a
    tool wrote it: either quotes, any spacing or prefix, character references, comments of
    any length. Stops at the sheet. False for anything else, and for an index that declares
    XML entities (the importer refuses such a file with its own sentence)."""
    return _element(path, _WORKBOOK_PART, "sheet", "name", HIDDEN_SHEET) is not None


def _element(path: str | Path, part_name: str, tag: str, key: str,
             value: str) -> dict | None:
    """The attributes of the first ``<tag key=value>`` (any prefix) of the XML part
    ``part_name`` of the zip file at ``path``; None if there is none, or the file or part
    is missing, damaged, or declares entities."""
    try:
        with zipfile.ZipFile(path) as package, package.open(part_name) as part:
            return _first(part, tag, key, value)
    except (OSError, KeyError, EOFError, NotImplementedError, zipfile.BadZipFile,
            zipfile.LargeZipFile, RuntimeError):
        return None


class _Stop(Exception):
    """Ends a parse early with what was ``found``."""

    def __init__(self, found: dict | None):
        super().__init__()
        self.found = found


def _first(part, tag: str, key: str, value: str) -> dict | None:
    parser = xml.parsers.expat.ParserCreate()

    def start(name: str, attributes: dict) -> None:
        if name.rpartition(":")[2] == tag and attributes.get(key) == value:
            raise _Stop(attributes)

    def entity(*_) -> None:
        raise _Stop(None)

    parser.StartElementHandler = start
    parser.EntityDeclHandler = entity
    left = MAX_INDEX_BYTES
    try:
        while left > 0 and (chunk := part.read(min(left, 1 << 16))):
            left -= len(chunk)
            parser.Parse(chunk, False)
    except _Stop as stop:
        return stop.found
    except xml.parsers.expat.ExpatError:
        return None
    return None


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?<!/)>(.*?)</(?:\w+:)?c>", re.DOTALL)
_REF = re.compile(rb"""\br\s*=\s*["']([A-Z]+)([0-9]+)["']""")
_CACHED = re.compile(rb"<(?:\w+:)?v>[^<]")


def formulas_without_value(path: Path, sheet: str) -> set[tuple[int, int]]:
    """The cells (row, column from 0) of ``sheet`` holding a formula with no stored result
    (written by a tool that does not calculate, such as openpyxl): calamine reads them as
    empty, and taken so they would erase a field. Found in the sheet's XML, skipped at C
    speed when it holds no formula; the file passed the importer's checks before."""
    found = _element(path, _WORKBOOK_PART, "sheet", "name", sheet)
    rel = next((v for k, v in (found or {}).items() if k.endswith(":id")), None)
    target = _element(path, "xl/_rels/workbook.xml.rels", "Relationship", "Id", rel or "")
    if target is None:
        return set()
    name = target.get("Target", "")
    name = name.lstrip("/") if name.startswith("/") else f"xl/{name}"
    try:
        with zipfile.ZipFile(path) as package:
            data = package.read(name)
    except (OSError, KeyError, EOFError, NotImplementedError, zipfile.BadZipFile,
            zipfile.LargeZipFile, RuntimeError):
        return set()
    if not _FORMULA.search(data):
        return set()
    cells = set()
    for attributes, inner in _CELL.findall(data):
        ref = _REF.search(attributes)
        if ref and _FORMULA.search(inner) and not _CACHED.search(inner):
            cells.add((int(ref[2]), column_number(ref[1]) - 1))
    return cells


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


class CellRefusal(ValidationError):
    """The workbook refused, with where: ``sheet``, ``row`` and ``column`` (None when the
    problem is not one row's or column's) and the ``problem`` alone, so ``import --json``
    lists it as the importer lists a row's error."""

    def __init__(self, message: str, sheet: str, row: int | None, column: str | None,
                 problem: str):
        super().__init__(message, field=column)
        self.sheet, self.row, self.column, self.problem = sheet, row, column, problem

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column,
                "message": self.problem}


class _Where:
    """Makes the one sentence a refusal is: the file, sheet, row and column."""

    def __init__(self, path: Path):
        self.name = path.name

    def error(self, sheet: str, row: int | None, column: str | None,
              problem: str) -> CellRefusal:
        where = f"sheet {sheet}"
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column}"
        return CellRefusal(f"{self.name}, {where}: {problem}", sheet, row, column, problem)


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


# The serial numbers of the days in DATE_RANGE: a number outside them is no date a deal
# has (and one past year 9999 would crash the arithmetic rather than be refused).
_SERIALS = ((DATE_RANGE[0] - EXCEL_EPOCH).days, (DATE_RANGE[1] - EXCEL_EPOCH).days + 1)
_YEARS = f"{DATE_RANGE[0].year}–{DATE_RANGE[1].year}"
# How far a time may lie after the file's save time: the rep's local times are read in this
# machine's time zone, which can be up to 26 hours from the rep's.
CLOCK_SLACK = timedelta(hours=26)


def _serial(value, fail) -> float:
    """A date cell's serial number, refused outside DATE_RANGE."""
    if not _SERIALS[0] <= value < _SERIALS[1]:
        raise fail(f"{_text(value)} is not a date in {_YEARS}; type one such as 2026-12-31.")
    return float(value)


def _day(value, fail) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        day = EXCEL_EPOCH + timedelta(days=int(_serial(value, fail)))
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise fail(f"{value!r} is not a date; type one such as 2026-12-31.") from None
    elif isinstance(value, time):
        raise fail(f"{value:%H:%M} is a time of day, not a date; type one such as "
                   "2026-12-31.")
    else:
        raise fail(f"{_text(value)!r} is not a date.")
    if not DATE_RANGE[0] <= day <= DATE_RANGE[1]:
        raise fail(f"{day.isoformat()} is outside {_YEARS}; check the year.")
    return day


def _stamp(value, fail, latest: datetime) -> datetime | None:
    """A local date and time from a cell, as UTC naive: within DATE_RANGE and not after
    ``latest`` (the file's save time, UTC) by more than :data:`CLOCK_SLACK`; a time within
    the slack is taken as ``latest`` (time zones, not the rep's doing)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        local = value
    elif isinstance(value, date):
        local = datetime.combine(value, time.min)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        local = datetime.combine(EXCEL_EPOCH, time.min) + timedelta(days=_serial(value, fail))
    elif isinstance(value, str):
        try:
            local = datetime.fromisoformat(value.strip())
        except ValueError:
            raise fail(f"{value!r} is not a date and time; type one such as "
                       "2026-12-31 14:30.") from None
    elif isinstance(value, time):
        raise fail(f"{value:%H:%M} is a time of day without its date; type both, such as "
                   "2026-12-31 14:30.")
    else:
        raise fail(f"{_text(value)!r} is not a date and time.")
    if not DATE_RANGE[0] <= local.date() <= DATE_RANGE[1]:
        raise fail(f"{local:%Y-%m-%d %H:%M} is outside {_YEARS}; check the year.")
    if local.tzinfo is None:
        local = local.replace(microsecond=0).astimezone()  # the rep's local time
    stamp = local.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    if stamp > latest + CLOCK_SLACK:
        raise fail(f"{local:%Y-%m-%d %H:%M} is after the workbook was last saved "
                   f"({latest.replace(tzinfo=UTC).astimezone():%Y-%m-%d %H:%M}); check the "
                   "date.")
    return min(stamp, latest)


def _amount(value, fail, most: Decimal, beyond: str, *, places: Decimal = CENT) -> Decimal:
    """A number from a cell, rounded to ``places``; refused with the sentence ``beyond``
    past ±``most`` (checked before rounding, which a huge number would overflow)."""
    if isinstance(value, bool) or value in (None, ""):
        raise fail("is empty; type a number (0 for none).")
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(
            str(value).strip().replace(" ", ""))
    except InvalidOperation:
        raise fail(f"{value!r} is not a number.") from None
    if not number.is_finite():
        raise fail(f"{value!r} is not a number.")
    if abs(number) > most:
        raise fail(beyond)
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
    except MissingSheet:
        raise where.error(name, None, None, "the sheet is missing; sheets of an update "
                          "workbook must not be renamed or deleted.") from None
    if not table.rows or table.rows[0][0] != 1:
        raise where.error(name, 1, None, "the header row is missing.")
    columns = _columns(table.rows[0][1], expected, name, where)
    return table.rows[1:], columns


@contextmanager
def _readable(where: _Where) -> Iterator[None]:
    """Refuse a hidden record that does not parse (a number or time that is none)."""
    try:
        yield
    except (ValueError, InvalidOperation):
        raise where.error(HIDDEN_SHEET, None, None, "one of its records is unreadable, so it "
                          "was changed; export a new workbook for the rep.") from None


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
    with _readable(where):  # records hand-edited, their checksum made again
        stages = tuple(_stage(record, where) for record in hidden.rows(layout.STAGE, 7))
        items = tuple(ItemSpec(int(i), stage, text, required == layout.YES, int(w or 1),
                               int(p or 0))
                      for i, stage, text, required, w, p in hidden.rows(layout.ITEM, 6))
        kinds = tuple(k for (k,) in hidden.rows(layout.KIND, 1))
        exported_labels = {deal: label for label, deal in hidden.rows(layout.LABEL, 2)}
        labels = {name_key(label): deal for deal, label in exported_labels.items()}
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
    saved = saved_at(path)
    latest = saved or utcnow()
    deals = _read_deals(path, where, stages, originals, times, exported_labels, latest)
    titles = {d.uuid: d for d in deals}
    checks = _read_checks(path, where, items, titles, done, latest)
    hours = _read_hours(path, where, meta["export_id"], kinds, labels)
    return UpdateBook(
        export_id=meta["export_id"], database_id=meta["database_id"], rep_name=meta["rep"],
        exported_at=exported_at, saved_at=saved, stages=stages, items=items,
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


# What to type in place of a formula, by column (text when not named).
_TYPED = {"Stage": "stage", "Value": "number", "Hours": "number", "Expected close": "date",
          "Next step due": "date", "Date": "date", "Stage changed": "date and time"}


def _read_deals(path: Path, where: _Where, stages, originals, times,
                labels: dict[str, str], latest: datetime) -> tuple[BookDeal, ...]:
    table, col = _sheet(path, layout.DEALS, layout.DEAL_HEADERS, where)
    by_label = {name_key(label) for label in labels.values()}
    stage_names = {name_key(s.name): s.name for s in stages}
    deals = []
    seen: set[str] = set()
    formulas = formulas_without_value(path, layout.DEALS)
    for number, values in table:
        def fail(problem: str, header: str, number=number):
            return where.error(layout.DEALS, number, header, problem)

        def cell(header: str, values=values, number=number):
            index = col[header]
            value = values[index] if index < len(values) else ""
            if value in ("", None) and (number, index) in formulas:
                raise fail("a formula without a value; type the "
                           f"{_TYPED.get(header, 'text')} instead.", header)
            return value

        key = _text(cell("Deal id")).strip()
        if key not in originals or key in seen:
            raise fail("this row is not one the workbook was made with (rows must not be "
                       "copied or added).", "Deal id")
        seen.add(key)
        title, company = _text(cell("Deal")), _text(cell("Company"))
        if not _named_as_exported(title, company, labels.get(key, ""), by_label):
            raise fail(f"this row's Deal id names “{labels.get(key)}”, but the row says "
                       f"“{deal_label(title, company)}”: put back the Deal id or the deal's "
                       "name as exported (a deal is renamed in Funnelcast, not here).",
                       "Deal id")
        version, original = originals[key]
        created, entered, touched = times[key]
        stage = stage_names.get(name_key(_text(cell("Stage"))))
        if stage is None:
            raise fail(f"{_text(cell('Stage'))!r} is not one of the stages; choose one from "
                       "the list.", "Stage")
        value = _amount(cell("Value"), lambda p: fail(f"the value {p}" if p.startswith("is")
                                                      else p, "Value"), MAX_VALUE,
                        f"the value is too large for a deal (at most {MAX_VALUE:,}).")
        if value < 0:
            raise fail("a deal's value cannot be negative.", "Value")
        deals.append(BookDeal(
            uuid=key, title=title, company=company,
            stage=stage, value=value,
            expected_close=_day(cell("Expected close"),
                                lambda p: fail(p, "Expected close")),
            next_step=" ".join(_text(cell("Next step")).split()),
            next_step_due=_day(cell("Next step due"), lambda p: fail(p, "Next step due")),
            version=version, original=original,
            stage_changed_at=_stamp(cell("Stage changed"),
                                    lambda p: fail(p, "Stage changed"), latest),
            created_at=created, stage_entered_at=entered, touched_at=touched))
    removed = [key for key in originals if key not in seen]
    if removed:
        name = labels.get(removed[0], removed[0])
        more = f" (and {len(removed) - 1} more)" if len(removed) > 1 else ""
        raise where.error(layout.DEALS, None, None,
                          f"the row of “{name}”{more} was deleted. Every deal keeps its "
                          "row: restore it (undo the deletion, or copy it back from the "
                          "workbook as it was sent) and import again; a row left as it was "
                          "changes nothing.")
    return tuple(deals)


def _named_as_exported(title: str, company: str, exported: str, labels: set[str]) -> bool:
    """Whether a Deals row's title and company are those of the deal its Deal id names, as
    its ``exported`` label (the Hours drop-down's, :func:`~app.offline.writer.deal_label`)
    records them; a label numbered " (2)"… is that of a deal whose title and company
    another deal shares (``labels``: every exported label, by :func:`name_key`)."""
    own = deal_label(title, company)
    if exported == own:
        return True
    base, _, number = exported.rpartition(" (")
    return (base == own and number[:-1].isdigit() and number.endswith(")")
            and name_key(own) in labels)


def _yes_no(value, fail) -> bool:
    text = name_key(_text(value))
    if text in ("yes", "true", "1"):
        return True
    if text in ("no", "false", "0", ""):
        return False
    raise fail(f"{_text(value)!r} is neither Yes nor No.")


def _read_checks(path: Path, where: _Where, items, deals, done,
                 latest: datetime) -> tuple[BookCheck, ...]:
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
            ticked_at=None if ticked == "" else _stamp(
                ticked, lambda p: fail(p, "Ticked at"), latest)))
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
    first_row: dict[str, int] = {}  # row id -> the row it is on
    hours = []
    formulas = formulas_without_value(path, layout.HOURS)
    for number, values in rows:
        def fail(problem: str, header: str, number=number):
            return where.error(layout.HOURS, number, header, problem)

        def cell(header: str, values=values, number=number):
            value = values[col[header]]
            if value in ("", None) and (number, col[header]) in formulas:
                raise fail("a formula without a value; type the "
                           f"{_TYPED.get(header, 'text')} instead.", header)
            return value

        if all(_text(cell(h)).strip() == "" for h in layout.HOURS_HEADERS):
            continue
        day = _day(cell("Date"), lambda p: fail(p, "Date"))
        if day is None:
            raise fail("the date is empty; type the day the hours were spent.", "Date")
        kind = kind_names.get(name_key(_text(cell("Kind"))))
        if kind is None:
            raise fail(f"{_text(cell('Kind'))!r} is not one of the kinds; choose one from "
                       "the list.", "Kind")
        out_of_range = f"hours must be more than 0 and at most {MAX_HOURS_PER_DAY}."
        amount = _amount(cell("Hours"), lambda p: fail(f"the hours {p}" if p.startswith("is")
                                                       else p, "Hours"),
                         MAX_HOURS_PER_DAY, out_of_range)
        if not Decimal(0) < amount <= MAX_HOURS_PER_DAY:
            raise fail(out_of_range, "Hours")
        label = _text(cell("Deal")).strip()
        deal = labels.get(name_key(label)) if label else None
        if label and deal is None:
            raise fail(f"{label!r} is not one of the deals in this workbook; choose one "
                       "from the list or leave it empty.", "Deal")
        note = " ".join(_text(cell("Note")).split())
        row_id = _text(cell("Row id")).strip()
        if row_id:
            try:
                row_id = uuid.UUID(row_id).hex
            except ValueError:
                raise fail(f"{row_id!r} is not a row id Funnelcast wrote; clear the cell to "
                           "add the row as a new entry.", "Row id") from None
        else:
            row_id = typed_row_id(export_id, number)
        if row_id in first_row:
            raise fail(f"row {first_row[row_id]} has the same row id (a copied row?); clear "
                       "the Row id of the one that is a new entry.", "Row id")
        first_row[row_id] = number
        hours.append(BookHours(row_id, day, kind, amount, deal, note, number))
    return tuple(hours)
