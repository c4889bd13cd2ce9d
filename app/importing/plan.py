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
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from app.deals import MAX_VALUE
from app.errors import ValidationError
from app.importing.columns import FIELDS, ColumnMapping
from app.importing.parse_dates import parse_date_column
from app.importing.parse_money import parse_money_column
from app.importing.read import SheetTable
from app.importing.values import (
    NameIndex,
    StageMatcher,
    clean_company_size,
    clean_email,
    clean_text,
    match_key,
)
from app.jobs import JobControl
from app.pipeline import StageInfo
from db.models import Deal, LeadSource, Rep

TEXT_FIELDS = (
    "title", "company", "contact_name", "contact_phone", "industry", "region", "next_step",
    "lost_reason", "external_id",
)
# Deal columns an import may write, in the order the bulk insert uses.
DEAL_FIELDS = (
    "title", "company", "contact_name", "contact_email", "contact_phone", "industry",
    "company_size", "region", "source_id", "owner_id", "stage_id", "value", "expected_close",
    "next_step", "next_step_due", "lost_reason", "notes", "external_id",
)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class RowProblem:
    """One rejected cell (or row): ``row`` is the spreadsheet's own row number."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class PlannedRow:
    """What will happen to one row. ``values`` holds the deal's fields for a create;
    ``changes``/``before`` the new and old values of the fields an update changes. An owner
    or source that does not exist yet appears as its name (a str) instead of an id."""

    row: int
    action: str  # "create" | "update" | "unchanged" | "invalid"
    values: dict[str, Any] = field(default_factory=dict)
    deal_id: int | None = None
    version: int | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    uuid: str = ""


@dataclass
class ImportPlan:
    header_row: int
    headers: list[str]
    mapping: ColumnMapping
    rows: list[PlannedRow]
    raw: dict[int, list]  # spreadsheet row -> original cells, for the problems workbook
    errors: list[RowProblem]
    conflicts: list[RowProblem]
    unknown_stages: dict[str, list[int]]
    ambiguous_amounts: dict[str, list[str]]
    new_owners: list[str]
    new_sources: list[str]
    warnings: list[str]
    by_row: list[RowProblem] = field(default_factory=list)  # one per bad row and reason

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)

    @property
    def blocking(self) -> bool:
        """Questions the user must answer before anything can be imported."""
        return bool(self.unknown_stages or self.ambiguous_amounts)


def _first_stage(stages: list[StageInfo]) -> StageInfo:
    if not stages:
        raise ValidationError("Define the pipeline's stages before importing deals.")
    return min(stages, key=lambda s: s.position)


def _column(rows: list[tuple[int, list]], index: int) -> list:
    return [values[index] if index < len(values) else "" for _, values in rows]


def _uuid_hex(text: str) -> str | None:
    try:
        return uuid.UUID(text.strip()).hex
    except (ValueError, AttributeError):
        return None


class _Existing:
    """The deals already in the database, indexed by each matching key."""

    def __init__(self) -> None:
        self.by_uuid: dict[str, int] = {}
        self.by_external: dict[str, int] = {}
        self.by_title: dict[tuple[str, str], int] = {}
        self.by_email: dict[tuple[str, str], int] = {}
        query = Deal.select(
            Deal.id, Deal.uuid, Deal.external_id, Deal.company, Deal.title, Deal.contact_email
        ).tuples()
        for deal_id, deal_uuid, external, company, title, email in query:
            self.by_uuid[deal_uuid.hex if hasattr(deal_uuid, "hex") else str(deal_uuid)] = deal_id
            if external:
                self.by_external.setdefault(external, deal_id)
            company_key = match_key(company)
            if company_key:
                self.by_title.setdefault((company_key, match_key(title)), deal_id)
                if email:
                    self.by_email.setdefault((company_key, email.casefold()), deal_id)

    def find(self, values: dict, uuid_hex: str | None) -> tuple[int | None, str]:
        if uuid_hex and uuid_hex in self.by_uuid:
            return self.by_uuid[uuid_hex], "deal id"
        external = values.get("external_id")
        if external and external in self.by_external:
            return self.by_external[external], "record id"
        company_key = match_key(values.get("company", ""))
        if company_key:
            title_key = (company_key, match_key(values.get("title", "")))
            if title_key in self.by_title:
                return self.by_title[title_key], "company and title"
            email = values.get("contact_email", "")
            if email and (company_key, email.casefold()) in self.by_email:
                return self.by_email[(company_key, email.casefold())], "company and email"
        return None, ""


def _current_values(deal_ids: list[int]) -> dict[int, dict]:
    """The writable fields (and version) of the matched deals, fetched in chunks."""
    columns = [getattr(Deal, name).alias(name) for name in DEAL_FIELDS]
    found: dict[int, dict] = {}
    for start in range(0, len(deal_ids), 500):
        chunk = deal_ids[start:start + 500]
        query = Deal.select(Deal.id, Deal.version, Deal.uuid, *columns).where(Deal.id.in_(chunk))
        for row in query.dicts():
            found[row["id"]] = row
    return found


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
    decimal = decimal or {}
    day_first = day_first or {}
    header_number = table.rows[header_index][0]
    data = table.rows[header_index + 1:]
    headers = mapping.headers
    label = {key: headers[index] for index, key in mapping.fields.items()}
    matcher = StageMatcher(stages, stage_mapping)
    first_stage = _first_stage(stages)
    reps = NameIndex([(r.id, r.name, r.email) for r in Rep.select(Rep.id, Rep.name, Rep.email)])
    sources = NameIndex([(s.id, s.name, "") for s in LeadSource.select(LeadSource.id,
                                                                        LeadSource.name)])
    errors: list[RowProblem] = []
    warnings: list[str] = []
    problems: dict[int, list[RowProblem]] = defaultdict(list)
    row_numbers = [number for number, _ in data]

    # Column-level decisions first: amounts and dates look at the whole column.
    parsed: dict[str, list] = {}
    ambiguous: dict[str, list[str]] = {}
    if "value" in label:
        header = label["value"]
        column = parse_money_column(
            _column(data, mapping.column_of("value")), decimal.get(header, decimal.get("*"))
        )
        if column.ambiguous:
            ambiguous[header] = column.ambiguous
        parsed["value"] = column.values
    for key in ("expected_close", "next_step_due"):
        if key in label:
            header = label[key]
            dates = parse_date_column(
                _column(data, mapping.column_of(key)),
                day_first.get(header, day_first.get("*")),
                locale_day_first,
            )
            if dates.from_locale:
                order = "day/month" if dates.day_first else "month/day"
                warnings.append(
                    f"{header}: dates such as 03/04/2026 could be read either way; they were "
                    f"read as {order}, the order of the system locale."
                )
            parsed[key] = dates.values
    for key in mapping.fields.values():
        if key not in parsed:
            parsed[key] = _column(data, mapping.column_of(key))
    if "title" not in label and "company" in label:
        warnings.append(f"There is no title column; each deal is titled with its "
                        f"{label['company']}.")

    existing = _Existing()
    unknown_stages: dict[str, list[int]] = {}  # as first written -> rows
    unknown_names: dict[str, str] = {}
    new_owners: dict[str, str] = {}
    new_sources: dict[str, str] = {}
    planned: list[PlannedRow] = []
    claimed: dict[object, int] = {}  # existing deal id or new-deal key -> first row
    conflicts: list[RowProblem] = []
    matches: list[tuple[PlannedRow, dict]] = []

    total = max(1, len(data))
    for position, row_number in enumerate(row_numbers):
        if control is not None and position % 5000 == 0:
            control.report(0.3 + 0.3 * position / total, "Checking every row…")
        values: dict[str, Any] = {}
        bad = problems[row_number]

        def fail(key: str, message: str, row_number=row_number, bad=bad) -> None:
            bad.append(RowProblem(row_number, label.get(key, FIELDS[key]), message))

        for key in TEXT_FIELDS:
            if key in parsed:
                text = clean_text(parsed[key][position])
                if text:
                    values[key] = text
        if "notes" in parsed:
            raw = parsed["notes"][position]
            note = str(raw).strip() if raw is not None else ""
            if note:
                values["notes"] = note
        if "contact_email" in parsed:
            try:
                email = clean_email(parsed["contact_email"][position])
            except ValueError as exc:
                fail("contact_email", str(exc))
            else:
                if email:
                    values["contact_email"] = email
        if "company_size" in parsed:
            try:
                size = clean_company_size(parsed["company_size"][position])
            except ValueError as exc:
                fail("company_size", str(exc))
            else:
                if size is not None:
                    values["company_size"] = size
        if "value" in parsed and "value" not in ambiguous:
            amount = parsed["value"][position]
            if isinstance(amount, str):
                fail("value", amount)
            elif amount is not None:
                if amount < 0:
                    fail("value", f"{amount} is negative; a deal's value cannot be negative.")
                elif amount > MAX_VALUE:
                    fail("value", "That value is too large for a deal.")
                else:
                    values["value"] = amount.quantize(_CENT)
        for key in ("expected_close", "next_step_due"):
            if key in parsed:
                when = parsed[key][position]
                if isinstance(when, str):
                    fail(key, when)
                elif isinstance(when, date):
                    values[key] = when
        if "stage" in parsed:
            text = clean_text(parsed["stage"][position])
            if text:
                stage = matcher.find(text)
                if stage is None:
                    shown = unknown_names.setdefault(match_key(text), text)
                    unknown_stages.setdefault(shown, []).append(row_number)
                else:
                    values["stage_id"] = stage.id
        if "owner" in parsed:
            text = clean_text(parsed["owner"][position])
            if text:
                rep = reps.find(text)
                if rep is not None:
                    values["owner_id"] = rep.id
                else:
                    values["owner_id"] = new_owners.setdefault(match_key(text), text)
        if "source" in parsed:
            text = clean_text(parsed["source"][position])
            if text:
                source = sources.find(text)
                values["source_id"] = (
                    source.id if source is not None
                    else new_sources.setdefault(match_key(text), text)
                )
        uuid_hex = None
        if "deal_id" in parsed:
            raw_id = clean_text(parsed["deal_id"][position])
            if raw_id:
                uuid_hex = _uuid_hex(raw_id)
                if uuid_hex is None:
                    fail("deal_id", f"{raw_id!r} is not a Funnelcast deal id; leave it empty "
                                    "for a new deal.")
        if "title" not in values and "company" in values:
            values["title"] = values["company"]
        if "title" not in values:
            fail("title", "The row has neither a title nor a company; a deal needs a title.")

        if bad or (values.get("stage_id") is None and "stage" in parsed
                   and clean_text(parsed["stage"][position])):
            planned.append(PlannedRow(row_number, "invalid"))
            continue
        deal_id, how = existing.find(values, uuid_hex)
        key = deal_id if deal_id is not None else _new_key(values, uuid_hex)
        if key is not None and key in claimed:
            conflicts.append(RowProblem(
                row_number, label.get("title", ""),
                f"This row describes the same deal as row {claimed[key]}"
                f"{f' (same {how})' if how else ''}; only row {claimed[key]} is imported.",
            ))
            planned.append(PlannedRow(row_number, "invalid"))
            continue
        if key is not None:
            claimed[key] = row_number
        if deal_id is None:
            values.setdefault("stage_id", first_stage.id)
            item = PlannedRow(row_number, "create", values=values, uuid=uuid_hex or "")
            if uuid_hex and uuid_hex in existing.by_uuid:
                item.uuid = ""
        else:
            item = PlannedRow(row_number, "update", values=values, deal_id=deal_id)
            matches.append((item, values))
        planned.append(item)

    current = _current_values([item.deal_id for item, _ in matches])
    for item, values in matches:
        deal = current[item.deal_id]
        item.version = deal["version"]
        item.uuid = deal["uuid"].hex
        for key, new in values.items():
            old = deal[key]
            if key == "external_id" and old and old != new:
                continue  # matched by another key; the deal keeps its CRM id
            if old != new:
                item.changes[key] = new
                item.before[key] = old
        if not item.changes:
            item.action = "unchanged"

    by_row: list[RowProblem] = []
    for found in problems.values():
        errors.extend(found)
        by_row.extend(found)
    by_row.extend(conflicts)
    if "stage" in label:
        names = ", ".join(s.name for s in sorted(stages, key=lambda s: s.position))
        for text, rows in unknown_stages.items():
            shown = ", ".join(str(r) for r in rows[:10]) + (" …" if len(rows) > 10 else "")
            by_row.extend(RowProblem(r, label["stage"], f"{text!r} is not a stage of this "
                                     "pipeline.") for r in rows)
            errors.append(RowProblem(
                rows[0], label["stage"],
                f"{text!r} is not a stage of this pipeline (row{'s' if len(rows) > 1 else ''} "
                f"{shown}). Map it to one of: {names}.",
            ))
    for header, examples in ambiguous.items():
        errors.append(RowProblem(
            header_number, header,
            f"Amounts such as {', '.join(repr(e) for e in examples[:3])} could be thousands or "
            "decimals: every amount in this column has three digits after a single separator. "
            "Say whether the comma (or dot) is the decimal separator.",
        ))
    order = {headers[index]: index for index in mapping.fields}
    errors.sort(key=lambda p: (p.row, order.get(p.column, len(headers))))
    return ImportPlan(
        header_row=header_number,
        headers=headers,
        mapping=mapping,
        rows=planned,
        raw={number: values for number, values in [table.rows[header_index], *data]},
        errors=errors,
        conflicts=conflicts,
        unknown_stages=unknown_stages,
        ambiguous_amounts=ambiguous,
        new_owners=sorted(new_owners.values(), key=str.casefold),
        new_sources=sorted(new_sources.values(), key=str.casefold),
        warnings=warnings,
        by_row=by_row,
    )


def _new_key(values: dict, uuid_hex: str | None) -> object:
    """What makes two new rows the same deal (mirrors :meth:`_Existing.find`)."""
    if uuid_hex:
        return ("uuid", uuid_hex)
    if values.get("external_id"):
        return ("external", values["external_id"])
    company_key = match_key(values.get("company", ""))
    if company_key:
        return ("title", company_key, match_key(values.get("title", "")))
    return None
