"""Validating every row of a sheet into an import plan, before anything is written.

Each row becomes a create, an update (only the cells that differ), unchanged, or invalid
(with every problem named by spreadsheet row, column header and reason). Existing deals are
matched by Funnelcast's own ``deal_id`` (its uuid), else by the source CRM's record id (the
deal's external id), else by company + title, else by company + contact email. Two rows that
describe the same deal are a conflict: the first is kept, the later one reported.

Empty cells never clear a value on an update: a column left blank in an export usually means
"not exported", not "erase it".
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import repeat, zip_longest
from typing import Any

from app.deals import EDITABLE, MAX_VALUE, ONE_LINE_FIELDS, TEXT_FIELDS, checked_value
from app.errors import ValidationError
from app.importing.columns import ColumnMapping
from app.importing.parse_dates import parse_date_column
from app.importing.parse_money import parse_money_column
from app.importing.read import SheetTable
from app.importing.values import (
    NameIndex,
    StageMatcher,
    clean_company_size,
    clean_email,
    clean_text,
    clean_texts,
    plain_emails,
    strip_controls,
    too_long,
)
from app.jobs import JobControl
from app.matching import match_key, match_keys, person_key
from app.money import CENT
from app.pipeline import StageInfo, settled_lost_reason
from db.bulk import rows_by_id
from db.connection import database
from db.limits import integer_range, text_limit
from db.models import Deal, LeadSource, Rep

# Deal columns an import may write: what a user edits, and the stage.
DEAL_FIELDS = (*EDITABLE, "stage_id")
# The reason a deal moved into a lost stage by an import gets when its row gives none: a lost
# deal always has a reason (app.pipeline.move_deal insists on one), and this one says where
# the deal came from rather than guessing why it was lost.
IMPORTED_AS_LOST = "Imported as lost"


@dataclass(frozen=True)
class RowProblem:
    """One rejected cell (or row): ``row`` is the spreadsheet's own row number, or None for a
    problem of a whole column (such as amounts whose decimal separator the column leaves
    undecided), which no single row holds."""

    row: int | None
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class AmbiguousAmounts:
    """An amount column whose decimal separator the file leaves undecided: ``count`` of its
    ``total`` amounts have three digits after a single comma (or dot) and none says which
    separator marks the decimals; ``examples`` are the first few as written."""

    examples: list[str]
    count: int
    total: int

    @property
    def separator(self) -> str:
        """The separator in question, "," or "."."""
        return "," if "," in self.examples[0] else "."

    def extent(self) -> str:
        """How much of the column is in question, true of the file: "every amount (2)" or
        "1 of the 3 amounts"."""
        if self.count == self.total:
            return "the only amount" if self.total == 1 else f"every amount ({self.total:,})"
        return f"{self.count:,} of the {self.total:,} amounts"

    def sentence(self) -> str:
        one = self.count == 1
        examples = ", ".join(repr(e) for e in self.examples[:3])
        return (f"{'The amount' if one else 'Amounts such as'} {examples} could be "
                f"thousands or decimals: {self.extent()} in this column "
                f"{'has' if one else 'have'} three digits after a single "
                f"{'comma' if self.separator == ',' else 'dot'}, and no amount shows which "
                f"separator marks the decimals. Say whether the "
                f"{'comma' if self.separator == ',' else 'dot'} is the decimal separator.")


@dataclass(slots=True)
class PlannedRow:
    """What will happen to one row. A create's values are ``ImportPlan.columns[field]
    [position]``; an update holds, in ``changes`` and ``before``, the new and old values of
    the fields that differ. An owner or source that does not exist yet appears as its name
    (a str) instead of an id. Both dicts are None on rows that are not matched to a deal
    (most rows of a large first import), which then cost no dict at all."""

    row: int
    action: str  # "create" | "update" | "unchanged" | "invalid"
    position: int = 0  # index into ImportPlan.columns
    deal_id: int | None = None
    version: int | None = None
    changes: dict[str, Any] | None = None
    before: dict[str, Any] | None = None
    uuid: str = ""


@dataclass
class ImportPlan:
    header_row: int
    headers: list[str]
    mapping: ColumnMapping
    rows: list[PlannedRow]
    table: SheetTable  # the original cells, for the problems workbook
    columns: dict[str, list]  # field -> cleaned value per data row (None: empty cell)
    first_stage_id: int  # where a new deal without a stage starts
    lost_stage_ids: frozenset[int]  # stages whose outcome is "lost" (a deal there has a reason)
    errors: list[RowProblem]
    conflicts: list[RowProblem]
    unknown_stages: dict[str, list[int]]
    ambiguous_amounts: dict[str, AmbiguousAmounts]
    new_owners: list[str]
    new_sources: list[str]
    warnings: list[str]
    by_row: list[RowProblem] = field(default_factory=list)  # one per bad row and reason
    _counts: Counter | None = field(default=None, repr=False, compare=False)

    def original_rows(self) -> dict[int, list]:
        """Spreadsheet row number -> the row's cells as read."""
        return dict(self.table.rows)

    def count(self, action: str) -> int:
        """How many rows will be created, updated, left unchanged or skipped as invalid
        (counted once: a finished plan's rows do not change)."""
        if self._counts is None:
            self._counts = Counter(r.action for r in self.rows)
        return self._counts[action]

    @property
    def blocking(self) -> bool:
        """Questions the user must answer before anything can be imported."""
        return bool(self.unknown_stages or self.ambiguous_amounts)


def _first_stage(stages: list[StageInfo]) -> StageInfo:
    if not stages:
        raise ValidationError("Define the pipeline's stages before importing deals.")
    return min(stages, key=lambda s: s.position)


def _uuid_hex(text: str) -> str | None:
    try:
        return uuid.UUID(text.strip()).hex
    except (ValueError, AttributeError):
        return None


class _Existing:
    """The deals already in the database, indexed by each matching key the file can use.

    ``mapped`` holds the fields the file's columns are mapped to: deal ids are indexed only
    for a file with a ``deal_id`` column, record ids only for one with a record id column,
    company + title (and company + email) only for one with a company column. A re-import
    of 50,000 rows into 100,000 deals otherwise built, and held, every index for nothing.
    """

    def __init__(self, mapped: set[str]) -> None:
        self.by_uuid: dict[str, int] = {}
        self.by_external: dict[str, int] = {}
        self.by_title: dict[tuple[str, str], int] = {}
        self.by_email: dict[tuple[str, str], int] = {}
        wanted = {"uuid": "deal_id" in mapped, "external_id": "external_id" in mapped,
                  "company": "company" in mapped, "title": "company" in mapped,
                  "contact_email": "company" in mapped and "contact_email" in mapped}
        names = [name for name, used in wanted.items() if used]
        query = (Deal.select(Deal.id, *(getattr(Deal, name) for name in names))
                 .order_by(Deal.id))  # where two deals share a key, the older one matches
        rows = database.obj.execute(query).fetchall()  # stored values: uuids as hex text
        self.any = bool(rows)
        if not rows:
            return
        ids, *columns = zip(*rows, strict=True)
        column = dict(zip(names, columns, strict=True))
        if "uuid" in column:
            self.by_uuid = {_stored_uuid(u): i for i, u in zip(ids, column["uuid"], strict=True)}
        if "external_id" in column:
            for deal_id, external in zip(ids, column["external_id"], strict=True):
                if external:
                    self.by_external.setdefault(external, deal_id)
        if "company" not in column:
            return
        emails = column.get("contact_email") or [None] * len(ids)
        for deal_id, company_key, title_key, email in zip(
                ids, match_keys(column["company"]), match_keys(column["title"]), emails,
                strict=True):
            if company_key:
                self.by_title.setdefault((company_key, title_key), deal_id)
                if email:
                    self.by_email.setdefault((company_key, email.casefold()), deal_id)

    def find(self, uuid_hex: str | None, external: str | None, company_key: str,
             title_key: str, email: str | None) -> tuple[int | None, str]:
        """The matching deal's id and which key matched, or (None, "")."""
        if uuid_hex and uuid_hex in self.by_uuid:
            return self.by_uuid[uuid_hex], "deal id"
        if external and external in self.by_external:
            return self.by_external[external], "record id"
        if company_key:
            if (company_key, title_key) in self.by_title:
                return self.by_title[(company_key, title_key)], "company and title"
            if email and (company_key, email.casefold()) in self.by_email:
                return self.by_email[(company_key, email.casefold())], "company and email"
        return None, ""


def _stored_uuid(value: str | uuid.UUID) -> str:
    """A deal's uuid as 32 hex digits, from the column as read: text on SQLite, in whatever
    form it was written; a UUID on PostgreSQL."""
    if isinstance(value, uuid.UUID):
        return value.hex
    return value if len(value) == 32 else Deal.uuid.python_value(value).hex


def _iso(value: date) -> str:
    return value.isoformat()


def _cents(value: Decimal) -> int:
    return int(value.scaleb(2))


# A plan value in the form the deal table stores it (fields not listed are stored as is).
_STORED_FORM = {"value": _cents, "expected_close": _iso, "next_step_due": _iso}


def imported_lost_reason(into_lost: bool, cell: str | None, current: str = "",
                         was_lost: bool = False) -> str:
    """The lost reason a deal the import puts in a stage ends up with:
    :func:`app.pipeline.settled_lost_reason`, with :data:`IMPORTED_AS_LOST` into a lost
    stage when neither the row (``cell``, None: empty) nor the deal gives one."""
    settled = settled_lost_reason(into_lost, cell or "", current, was_lost)
    return settled or (IMPORTED_AS_LOST if into_lost else "")


def _settle_lost_reason(changes: dict[str, Any], before: dict[str, Any], stage_id: int,
                        reason: str, cell: str | None, lost_stages: frozenset[int]) -> None:
    """Make an update keep the lost-reason rule (:func:`imported_lost_reason`), whatever the
    file's column still says. ``stage_id`` and ``reason`` are the deal's current ones;
    ``cell`` is the row's lost reason (None: empty)."""
    wanted = imported_lost_reason(changes.get("stage_id", stage_id) in lost_stages, cell,
                                  reason, stage_id in lost_stages)
    if wanted == reason:
        changes.pop("lost_reason", None)
        before.pop("lost_reason", None)
    else:
        changes["lost_reason"], before["lost_reason"] = wanted, reason


def _lost_without_reason(planned: list[PlannedRow], cleaned: dict[str, list],
                         first_stage_id: int, lost_stages: frozenset[int]) -> int:
    """How many created or updated deals will go into a lost stage with no reason from the
    file, and so be recorded with :data:`IMPORTED_AS_LOST` (the plan warns about them)."""
    stage_column = cleaned.get("stage_id")
    if stage_column is None or lost_stages.isdisjoint(stage_column):
        return 0
    reasons = cleaned.get("lost_reason") or [None] * len(stage_column)
    count = 0
    for item in planned:
        if item.action == "create":
            stage = stage_column[item.position] or first_stage_id
            count += stage in lost_stages and not reasons[item.position]
        elif item.action == "update":
            count += item.changes.get("lost_reason") == IMPORTED_AS_LOST
    return count


def _diff_matches(matches: list[PlannedRow], cleaned: dict[str, list],
                  derived_titles: set[int], lost_stages: frozenset[int]) -> None:
    """Fill in each matched row's changes (and version), 500 deals at a time so memory stays
    flat on a large re-import; a row whose cells all equal the deal becomes "unchanged".
    An empty cell never counts as a change, and neither does a title the plan derived from
    the company (``derived_titles``: the positions of rows with no title of their own): that
    title is there to name a deal being created, not a value the file gives an existing one.

    Why stored values: a cell is compared with the column as the database holds it (cents,
    ISO dates) and converted to Python only when it differs, which spares building a Decimal
    and a date for every cell of every matched deal (1.0 s → 0.2 s on 50,000 rows). A cell
    equal in stored form is equal as a value; one that differs is confirmed on the values.

    A row that changes the stage or the lost reason has its reason settled by
    :func:`_settle_lost_reason` (``lost_stages``: ids of the lost stages).
    """
    keys = list(cleaned)
    reasons = cleaned.get("lost_reason")
    fields = [Deal._meta.columns[key] for key in keys]
    stored_form = [_STORED_FORM.get(key) for key in keys]
    columns = [cleaned[key] for key in keys]
    wanted = (Deal.id, Deal.version, Deal.uuid, Deal.stage, Deal.lost_reason, *fields)
    for start in range(0, len(matches), 500):
        chunk = matches[start:start + 500]
        current = {row[0]: row for row in rows_by_id(
            Deal, wanted, [item.deal_id for item in chunk])}
        for item in chunk:
            deal = current[item.deal_id]
            item.version = deal[1]
            item.uuid = _stored_uuid(deal[2])
            changes: dict[str, Any] = {}
            before: dict[str, Any] = {}
            position = item.position
            for key, field_, convert, column, raw in zip(
                    keys, fields, stored_form, columns, deal[5:], strict=True):
                new = column[position]
                if new is None or (convert(new) if convert is not None else new) == raw:
                    continue
                if key == "external_id" and raw:
                    continue  # matched by another key; the deal keeps its CRM id
                if key == "title" and position in derived_titles:
                    continue  # the file has no title for it: the deal keeps its own
                old = field_.python_value(raw)
                if old != new:
                    changes[key] = new
                    before[key] = old
            if "stage_id" in changes or "lost_reason" in changes:
                _settle_lost_reason(changes, before, deal[3], deal[4],
                                    reasons[position] if reasons is not None else None,
                                    lost_stages)
            item.changes, item.before = changes, before
            if not changes:
                item.action = "unchanged"


def _limits() -> dict[str, tuple[int, str]]:
    """Cleaned column -> (most characters it may hold, what holds them), from the schema:
    a deal's text fields, and the names of owners and lead sources an import creates."""
    limits = {key: (text_limit(Deal._meta.fields[key]), f"a deal's {key.replace('_', ' ')}")
              for key in TEXT_FIELDS}
    limits["owner_id"] = (text_limit(Rep.name), "an owner's name")
    limits["source_id"] = (text_limit(LeadSource.name), "a lead source's name")
    return {key: bounded for key, bounded in limits.items() if bounded[0] is not None}


_TEXT_LIMITS = _limits()
_FIELD_OF = {"owner_id": "owner", "source_id": "source"}  # cleaned column -> mapped field
LARGEST_COMPANY_SIZE = integer_range(Deal.company_size)[1]


def _rows_named(row_numbers: list[int], positions: list[int], most: int = 10) -> str:
    """"row 4" or "3 cells (rows 4, 9, 12)", naming at most ``most`` rows."""
    rows = [row_numbers[p] for p in positions]
    if len(rows) == 1:
        return f"row {rows[0]}"
    shown = ", ".join(map(str, rows[:most])) + (" …" if len(rows) > most else "")
    return f"{len(rows):,} cells (rows {shown})"


def _cents_rounded(header: str, row_numbers: list[int], amounts: list, kept: list) -> str:
    """The warning for amounts given to a fraction of a cent, which are kept rounded."""
    positions = [p for p, (a, k) in enumerate(zip(amounts, kept, strict=True))
                 if k is not None and isinstance(a, Decimal) and a != k]
    first = positions[0]
    return (f"{header}: amounts with fractions of a cent were rounded to the cent in "
            f"{_rows_named(row_numbers, positions)}, e.g. {amounts[first]:f} → "
            f"{kept[first]:f} on row {row_numbers[first]}.")


class _Columns:
    """The file's columns, cleaned one field at a time (amounts and dates are decided from
    the whole column): ``cleaned`` holds each field's values, None for an empty cell; a bad
    cell lands in ``failed`` under its row position, and what the user should know about a
    column in ``warnings``. Each step reads the raw cells through :meth:`cells`."""

    def __init__(self, data: list[tuple[int, list]], mapping: ColumnMapping) -> None:
        self.data = data
        self.mapping = mapping
        self.label = {key: mapping.headers[index] for index, key in mapping.fields.items()}
        self.row_numbers = [number for number, _ in data]
        self.count = len(data)
        self.cleaned: dict[str, list] = {}
        self.failed: dict[int, list[RowProblem]] = defaultdict(list)
        self.warnings: list[str] = []
        self._transposed: dict[int, tuple] = {}
        self._raw: dict[str, Sequence] = {}
        self._controls: dict[str, list[int]] = {}  # field -> positions of cells that held some

    def cells(self, key: str) -> Sequence:
        """The raw cells of ``key``'s column, control characters taken out of every text
        (here, once: no value of any field keeps one; :meth:`warn_controls` says where)."""
        if key in self._raw:
            return self._raw[key]
        if not self._transposed and self.data:
            self._transposed.update(enumerate(zip_longest(
                *(values for _, values in self.data), fillvalue="")))
        raw, stripped = strip_controls(
            self._transposed.get(self.mapping.column_of(key), ("",) * self.count))
        if stripped:
            self._controls[key] = stripped
        self._raw[key] = raw
        return raw

    def fail(self, position: int, key: str, message: str) -> None:
        self.failed[position].append(
            RowProblem(self.row_numbers[position], self.label[key], message))

    def clean_texts(self) -> None:
        for key in ONE_LINE_FIELDS:
            if key in self.label:
                self.cleaned[key] = clean_texts(self.cells(key))
        if "notes" in self.label:
            self.cleaned["notes"] = [str(v).strip() or None if v is not None else None
                                     for v in self.cells("notes")]

    def clean_emails(self) -> None:
        if "contact_email" not in self.label:
            return
        texts = clean_texts(self.cells("contact_email"))
        if plain_emails(texts):  # the usual column: every address is kept as it is
            self.cleaned["contact_email"] = texts
            return
        self.cleaned["contact_email"] = column = []
        for position, (raw, text) in enumerate(zip(self.cells("contact_email"), texts,
                                                   strict=True)):
            try:
                column.append(clean_email(raw) or None if text is not None else None)
            except ValueError as exc:
                self.fail(position, "contact_email", str(exc))
                column.append(None)

    def clean_company_sizes(self) -> None:
        if "company_size" not in self.label:
            return
        column = []
        for position, raw in enumerate(self.cells("company_size")):
            try:
                column.append(clean_company_size(raw, LARGEST_COMPANY_SIZE))
            except ValueError as exc:
                self.fail(position, "company_size", str(exc))
                column.append(None)
        self.cleaned["company_size"] = column

    def clean_amounts(self, decimal: dict[str, str]) -> dict[str, AmbiguousAmounts]:
        """Read the amounts; returns header -> what is undecided when the column leaves the
        decimal separator undecided (the user must say)."""
        if "value" not in self.label:
            return {}
        header = self.label["value"]
        amounts = self.cells("value")
        money = parse_money_column(list(amounts), decimal.get(header, decimal.get("*")))
        values = money.values
        # The usual column: all amounts, and checked_value's range holding for the smallest
        # and the largest (found in C) holds for every one.
        if (values and set(map(type, values)) == {Decimal} and min(values) >= 0
                and max(values) <= MAX_VALUE):
            column = list(map(Decimal.quantize, values, repeat(CENT)))
        else:
            column = []
            for position, amount in enumerate(values):
                if amount is None or isinstance(amount, str):
                    if amount is not None:
                        self.fail(position, "value", amount)
                    column.append(None)
                    continue
                shown = amounts[position]
                try:
                    column.append(checked_value(amount, repr(shown.strip()) if isinstance(
                        shown, str) else f"{amount:f}"))
                except ValidationError as error:
                    self.fail(position, "value", str(error))
                    column.append(None)
        self.cleaned["value"] = column
        if any(c is not None and a != c for a, c in zip(values, column, strict=True)):
            self.warnings.append(_cents_rounded(header, self.row_numbers, values, column))
        if not money.ambiguous:
            return {}
        return {header: AmbiguousAmounts(money.ambiguous, money.undecided, money.amounts)}

    def clean_dates(self, day_first: dict[str, bool], locale_day_first: bool | None) -> None:
        for key in ("expected_close", "next_step_due"):
            if key not in self.label:
                continue
            header = self.label[key]
            dates = parse_date_column(list(self.cells(key)),
                                      day_first.get(header, day_first.get("*")),
                                      locale_day_first)
            if dates.from_locale:
                order = "day/month" if dates.day_first else "month/day"
                what = (f"the date {dates.example} could be read either way; it was"
                        if dates.undecided == 1 else
                        f"{dates.undecided:,} dates such as {dates.example} could be read "
                        f"either way; they were")
                self.warnings.append(
                    f"{header}: {what} read as {order}, the order of the system locale."
                )
            column = []
            for position, when in enumerate(dates.values):
                if isinstance(when, str):
                    self.fail(position, key, when)
                    column.append(None)
                else:
                    column.append(when)
            self.cleaned[key] = column

    def match_stages(self, matcher: StageMatcher) -> tuple[dict[str, list[int]], set[int]]:
        """Each distinct stage cell looked up once; returns the unknown stages (as first
        written -> rows) and the positions of their rows. (Their texts are bounded later,
        with the others, by :meth:`bound_lengths`.)"""
        unknown_stages: dict[str, list[int]] = {}
        unknown_positions: set[int] = set()
        if "stage" not in self.label:
            return unknown_stages, unknown_positions
        raw_cells = self.cells("stage")
        stage_of: dict[object, int | None] = {}  # each distinct cell, looked up once
        unknown_raw: dict[object, str] = {}  # cell -> the unknown value as first written
        first_written: dict[str, str] = {}
        for raw in dict.fromkeys(raw_cells):  # in order of first appearance
            text = clean_text(raw)
            stage = matcher.find(text) if text else None
            stage_of[raw] = stage.id if stage is not None else None
            if text and stage is None:
                unknown_raw[raw] = first_written.setdefault(match_key(text), text)
        self.cleaned["stage_id"] = list(map(stage_of.__getitem__, raw_cells))
        if unknown_raw:
            for position, raw in enumerate(raw_cells):
                first = unknown_raw.get(raw)
                if first is not None:
                    unknown_stages.setdefault(first, []).append(self.row_numbers[position])
                    unknown_positions.add(position)
        return unknown_stages, unknown_positions

    def match_names(self, reps: NameIndex, sources: NameIndex) -> tuple[list[str], list[str]]:
        """Owners and sources; returns the names of the owners and sources to create."""
        return (self._match_names("owner", "owner_id", reps),
                self._match_names("source", "source_id", sources))

    def _match_names(self, key: str, target: str, index: NameIndex) -> list[str]:
        """Each distinct cell of ``key``'s column looked up once in ``index``; a name not
        found stays its text in ``cleaned[target]`` (the commit creates it) and is returned,
        once per name however it is written."""
        if key not in self.label:
            return []
        created: dict[str, str] = {}  # match key -> the name as first written
        raw_cells = self.cells(key)
        found: dict[object, int | str | None] = {}
        for raw in dict.fromkeys(raw_cells):  # in order of first appearance
            text = clean_text(raw)
            if not text:
                found[raw] = None
                continue
            hit = index.find(text)
            if hit is not None:
                found[raw] = hit.id
            elif len(text) > _TEXT_LIMITS[target][0]:
                found[raw] = text  # refused by bound_lengths with its row: never created
            else:
                found[raw] = created.setdefault(person_key(text), text)
        self.cleaned[target] = list(map(found.__getitem__, raw_cells))
        return sorted(created.values(), key=str.casefold)

    def read_uuids(self) -> list[str | None]:
        """Each row's Funnelcast deal id as 32 hex digits (None: none given, or not one)."""
        uuids: list[str | None] = [None] * self.count
        if "deal_id" in self.label:
            for position, raw in enumerate(self.cells("deal_id")):
                text = clean_text(raw)
                if text:
                    uuids[position] = _uuid_hex(text)
                    if uuids[position] is None:
                        self.fail(position, "deal_id", f"{text!r} is not a Funnelcast deal "
                                                       "id; leave it empty for a new deal.")
        return uuids

    def bound_lengths(self) -> None:
        """Refuse texts longer than their column holds."""
        for key, column in self.cleaned.items():
            bounded = _TEXT_LIMITS.get(key)
            if bounded is None:
                continue
            limit, what = bounded
            for position in too_long(column, limit):
                self.fail(position, _FIELD_OF.get(key, key),
                          f"The text is {len(column[position]):,} characters long; {what} "
                          f"holds at most {limit}. Shorten it.")

    def warn_controls(self) -> None:
        for key, positions in self._controls.items():
            self.warnings.append(
                f"{self.label[key]}: control characters (such as NUL) were removed from "
                f"{_rows_named(self.row_numbers, positions)}; they cannot be stored and show "
                f"as nothing."
            )

    def derive_titles(self) -> set[int]:
        """A row without a title is titled with its company; with neither it is rejected.
        Returns the positions titled so: the derived title names a deal the row creates; an
        update leaves the deal's title alone."""
        if "title" not in self.label and "company" in self.label:
            self.warnings.append(f"There is no title column; each new deal is titled with "
                                 f"its {self.label['company']} (existing deals keep their "
                                 f"titles).")
        if "title" not in self.cleaned and "company" not in self.cleaned:
            return set()
        titles = self.cleaned.get("title", [None] * self.count)
        if None not in titles:  # (a scan in C: most files give every row a title)
            return set()
        companies = self.cleaned.get("company", [None] * self.count)
        self.cleaned["title"] = [t if t is not None else c
                                 for t, c in zip(titles, companies, strict=True)]
        for position, title in enumerate(self.cleaned["title"]):
            if title is None:
                self.failed[position].append(RowProblem(
                    self.row_numbers[position],
                    self.label.get("title", self.label.get("company", "")),
                    "The row has neither a title nor a company; a deal needs a title."))
        return {position for position, title in enumerate(titles) if title is None}

    def warn_untitled(self, planned: list[PlannedRow], derived: set[int]) -> None:
        """Name the rows whose new deal has no title of its own in the file (it is titled
        with its company, :meth:`derive_titles`), when the file has a title column: the user
        may have left a cell empty by mistake. (An update keeps the deal's title.)"""
        if "title" not in self.label or not derived:
            return
        positions = [item.position for item in planned
                     if item.action == "create" and item.position in derived]
        if not positions:
            return
        one = len(positions) == 1
        rows = [self.row_numbers[p] for p in positions]
        shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
        self.warnings.append(
            f"{self.label['title']}: {'row' if one else f'{len(rows):,} rows'} {shown} "
            f"{'has' if one else 'have'} no title; {'its' if one else 'their'} new "
            f"deal{'' if one else 's'} {'is' if one else 'are'} titled with "
            f"{'its' if one else 'their'} {self.label.get('company', 'company')}."
        )


def _landing_names(names: list[str], planned: list[PlannedRow], cleaned: dict[str, list],
                   target: str) -> list[str]:
    """The ``names`` (owners or sources to create; ``target`` their cleaned column) that a
    row the import writes uses: a name found only on rows that are skipped, or on updates
    that keep their owner, is neither created nor announced."""
    if not names:
        return names
    column = cleaned[target]
    used: set[object] = set()
    for item in planned:
        if item.action == "create":
            used.add(column[item.position])
        elif item.action == "update":
            used.add(item.changes.get(target))
    return [name for name in names if name in used]


def _plan_rows(columns: _Columns, uuids: list[str | None], bad: set[int],
               control: JobControl | None) -> tuple[list[PlannedRow], list[PlannedRow],
                                                    list[RowProblem]]:
    """Match every valid row to an existing deal or a new one: returns every row's plan,
    the rows matched to existing deals (their changes are found next), and the rows that
    repeat an earlier row's deal (conflicts; only the first is imported)."""
    cleaned, label, count = columns.cleaned, columns.label, columns.count
    existing = _Existing(set(label))
    blank = [None] * count
    company_keys = match_keys(cleaned.get("company", blank))
    title_keys = match_keys(cleaned.get("title", blank))
    externals = cleaned.get("external_id", blank)
    emails = cleaned.get("contact_email", blank)
    keyed = [key for key in zip(company_keys, title_keys, strict=True) if key[0]]
    if (not existing.any and not bad and not any(uuids) and not any(externals)
            and len(set(keyed)) == len(keyed)):
        # The usual large first import: no deal to match, no row repeating another, so every
        # row is a new deal (what the loop below finds, without its work for each row).
        return list(map(PlannedRow, columns.row_numbers, repeat("create"), range(count))), [], []
    planned: list[PlannedRow] = []
    matches: list[PlannedRow] = []
    conflicts: list[RowProblem] = []
    claimed: dict[object, int] = {}  # existing deal id or new-deal key -> first row
    find = existing.find if existing.any else None
    append = planned.append
    for position, (row_number, uuid_hex, external, company_key, title_key, email) in enumerate(
            zip(columns.row_numbers, uuids, externals, company_keys, title_keys, emails,
                strict=True)):
        if position % 10_000 == 0 and control is not None:
            control.report(0.3 + 0.3 * position / max(1, count), "Checking every row…")
        if position in bad:
            append(PlannedRow(row_number, "invalid", position))
            continue
        deal_id, how = (find(uuid_hex, external, company_key, title_key, email)
                        if find is not None else (None, ""))
        key: object
        if deal_id is not None:
            key = deal_id
        elif uuid_hex:
            key = ("uuid", uuid_hex)
        elif external:
            key = ("external", external)
        elif company_key:
            key = ("title", company_key, title_key)
        else:
            key = None
        if key is not None:
            first = claimed.setdefault(key, row_number)
            if first != row_number:
                conflicts.append(RowProblem(
                    row_number, label.get("title", label.get("company", "")),
                    f"This row describes the same deal as row {first}"
                    f"{f' (same {how})' if how else ''}; only row {first} is imported.",
                ))
                append(PlannedRow(row_number, "invalid", position))
                continue
        if deal_id is None:
            unused = uuid_hex if uuid_hex and uuid_hex not in existing.by_uuid else ""
            append(PlannedRow(row_number, "create", position, uuid=unused))
        else:
            item = PlannedRow(row_number, "update", position, deal_id=deal_id)
            matches.append(item)
            append(item)
    return planned, matches, conflicts


def _problems(columns: _Columns, conflicts: list[RowProblem],
              unknown_stages: dict[str, list[int]], ambiguous: dict[str, AmbiguousAmounts],
              stages: list[StageInfo]) -> tuple[list[RowProblem], list[RowProblem]]:
    """The plan's errors (whole-column problems first, then by row and column as the sheet
    reads) and its problems by row (one per bad row and reason, for the problems workbook)."""
    label, headers = columns.label, columns.mapping.headers
    errors: list[RowProblem] = []
    by_row: list[RowProblem] = []
    for found in columns.failed.values():
        errors.extend(found)
        by_row.extend(found)
    by_row.extend(conflicts)
    if "stage" in label:
        names = ", ".join(s.name for s in sorted(stages, key=lambda s: s.position))
        for text, rows in unknown_stages.items():
            listed = ", ".join(str(r) for r in rows[:10]) + (" …" if len(rows) > 10 else "")
            by_row.extend(RowProblem(r, label["stage"], f"{text!r} is not a stage of this "
                                     "pipeline.") for r in rows)
            errors.append(RowProblem(
                rows[0], label["stage"],
                f"{text!r} is not a stage of this pipeline (row{'s' if len(rows) > 1 else ''} "
                f"{listed}). Map it to one of: {names}.",
            ))
    for header, undecided in ambiguous.items():
        errors.append(RowProblem(None, header, undecided.sentence()))
    order = {headers[index]: index for index in columns.mapping.fields}
    errors.sort(key=lambda p: (p.row or 0, order.get(p.column, len(headers))))
    return errors, by_row


def build_plan(
    table: SheetTable,
    header_index: int,
    mapping: ColumnMapping,
    stages: list[StageInfo],
    *,
    stage_mapping: dict[str, str] | None = None,
    decimal: dict[str, str] | None = None,
    day_first: dict[str, bool] | None = None,
    locale_day_first: bool | None = None,
    control: JobControl | None = None,
) -> ImportPlan:
    """Validate every row below the header into a plan. Pure apart from reading the
    database (existing deals, reps, sources); writes nothing.

    ``decimal`` and ``day_first`` hold the user's answers per column header (key ``"*"``:
    every column) for amounts and dates the column itself cannot decide.
    """
    first_stage = _first_stage(stages)
    columns = _Columns(table.rows[header_index + 1:], mapping)
    columns.clean_texts()
    columns.clean_emails()
    columns.clean_company_sizes()
    ambiguous = columns.clean_amounts(decimal or {})
    columns.clean_dates(day_first or {}, locale_day_first)
    unknown_stages, unknown_positions = columns.match_stages(
        StageMatcher(stages, stage_mapping))
    new_owners, new_sources = columns.match_names(
        NameIndex([(r.id, r.name, r.email) for r in Rep.select(Rep.id, Rep.name, Rep.email)]),
        NameIndex([(s.id, s.name, "") for s in LeadSource.select(LeadSource.id,
                                                                 LeadSource.name)]))
    uuids = columns.read_uuids()
    columns.bound_lengths()
    columns.warn_controls()
    derived_titles = columns.derive_titles()

    planned, matches, conflicts = _plan_rows(
        columns, uuids, set(columns.failed) | unknown_positions, control)
    lost_stages = frozenset(s.id for s in stages if s.outcome == "lost")
    _diff_matches(matches, columns.cleaned, derived_titles, lost_stages)
    new_owners = _landing_names(new_owners, planned, columns.cleaned, "owner_id")
    new_sources = _landing_names(new_sources, planned, columns.cleaned, "source_id")
    columns.warn_untitled(planned, derived_titles)
    unexplained = _lost_without_reason(planned, columns.cleaned, first_stage.id, lost_stages)
    if unexplained:
        one = unexplained == 1
        columns.warnings.append(
            f"{unexplained:,} deal{'' if one else 's'} {'goes' if one else 'go'} into a lost "
            f"stage with no lost reason in the file; {'it is' if one else 'they are'} "
            f"recorded with the reason “{IMPORTED_AS_LOST}”."
        )
    errors, by_row = _problems(columns, conflicts, unknown_stages, ambiguous, stages)
    return ImportPlan(
        header_row=table.rows[header_index][0],
        headers=mapping.headers,
        mapping=mapping,
        rows=planned,
        table=table,
        columns=columns.cleaned,
        first_stage_id=first_stage.id,
        lost_stage_ids=lost_stages,
        errors=errors,
        conflicts=conflicts,
        unknown_stages=unknown_stages,
        ambiguous_amounts=ambiguous,
        new_owners=new_owners,
        new_sources=new_sources,
        warnings=columns.warnings,
        by_row=by_row,
    )
