"""Creating, reading and editing deals, with optimistic locking.

Every change bumps ``Deal.version``; an edit made against an older version raises
:class:`ConflictError` instead of overwriting someone else's change.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from app.clock import utcnow
from app.errors import ConflictError, NotFound, ValidationError
from app.money import CENT
from app.offline.copy_rules import refuse_in_working_copy, refuse_uncarried_fields
from app.pipeline import (
    GateBlocked,
    live_stages,
    missing_requirements,
    record_lost_reason,
    set_checked,
)
from app.users import EMAIL, RepInfo, list_reps
from db.connection import writing
from db.limits import CONTROL_CHARACTERS, integer_range, text_limit
from db.models import Deal, LeadSource, Rep, Stage, StageChange

_AMOUNT = re.compile(r"^([0-9]+\.?[0-9]*|\.[0-9]+)$")
_LEADING_GROUP = re.compile(r"^[0-9]{1,3}$")
_GROUP = re.compile(r"^[0-9]{3}$")
MAX_VALUE = Decimal("999999999999.99")

# Fields a user edits directly; stage moves go through app.pipeline (the gate).
EDITABLE = (
    "title", "company", "contact_name", "contact_email", "contact_phone", "industry",
    "company_size", "region", "source_id", "owner_id", "value", "expected_close",
    "next_step", "next_step_due", "lost_reason", "notes", "external_id",
)
# Editable text kept on one line: runs of whitespace, line breaks included, become one space.
ONE_LINE_FIELDS = (
    "title", "company", "contact_name", "contact_phone", "industry", "region", "next_step",
    "lost_reason", "external_id",
)
# Every editable text field: control characters dropped, length bounded by its column.
TEXT_FIELDS = (*ONE_LINE_FIELDS, "contact_email", "notes")


@dataclass
class DealDraft:
    """The fields of a new deal; ``stage_id`` None means the first stage."""

    title: str
    company: str = ""
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    industry: str = ""
    company_size: int | None = None
    region: str = ""
    source_id: int | None = None
    owner_id: int | None = None
    stage_id: int | None = None
    value: Decimal = Decimal("0")
    expected_close: date | None = None
    next_step: str = ""
    next_step_due: date | None = None
    notes: str = ""
    external_id: str = ""


@dataclass(frozen=True)
class DealInfo:
    """A deal as the UI and CLI see it."""

    id: int
    uuid: str
    title: str
    company: str
    contact_name: str
    contact_email: str
    contact_phone: str
    industry: str
    company_size: int | None
    region: str
    source_id: int | None
    owner_id: int | None
    stage_id: int
    value: Decimal
    expected_close: date | None
    next_step: str
    next_step_due: date | None
    created_at: datetime
    stage_entered_at: datetime
    last_activity_at: datetime
    lost_reason: str
    notes: str
    external_id: str
    version: int
    updated_at: datetime


def _info(deal: Deal) -> DealInfo:
    return DealInfo(
        id=deal.id, uuid=str(deal.uuid), title=deal.title, company=deal.company,
        contact_name=deal.contact_name, contact_email=deal.contact_email,
        contact_phone=deal.contact_phone, industry=deal.industry,
        company_size=deal.company_size, region=deal.region, source_id=deal.source_id,
        owner_id=deal.owner_id, stage_id=deal.stage_id, value=deal.value,
        expected_close=deal.expected_close, next_step=deal.next_step,
        next_step_due=deal.next_step_due, created_at=deal.created_at,
        stage_entered_at=deal.stage_entered_at, last_activity_at=deal.last_activity_at,
        lost_reason=deal.lost_reason, notes=deal.notes, external_id=deal.external_id,
        version=deal.version, updated_at=deal.updated_at,
    )


def clean_value(raw) -> Decimal:
    """A deal value as a Decimal with cents; rejects negatives, non-numbers and absurd sums."""
    try:
        value = raw if isinstance(raw, Decimal) else Decimal(str(raw).strip() or "0")
    except InvalidOperation:
        raise ValidationError(f"{raw!r} is not an amount.", field="value") from None
    if not value.is_finite():
        raise ValidationError(f"{raw!r} is not an amount.", field="value")
    return checked_value(value)


def checked_value(value: Decimal, shown: str = "") -> Decimal:
    """A finite amount as a deal's value, rounded to the cent; ValidationError (field
    "value") when it is negative or absurdly large. ``shown`` is the amount as the user
    wrote it, for the message (default: none quoted)."""
    if value < 0:
        raise ValidationError(f"{shown} is negative; a deal's value cannot be negative."
                              if shown else "A deal's value cannot be negative.", field="value")
    if value > MAX_VALUE:
        raise ValidationError("That value is too large for a deal.", field="value")
    return value.quantize(CENT)


def parse_amount(text: str, group: str, decimal: str) -> Decimal:
    """An amount as a person types it in their locale: ``group`` is the locale's thousands
    separator (may be ""), ``decimal`` its decimal point. "12,500.50" with "," and "." (or
    "12.500,50" with "." and ",") is 12500.50; spaces are ignored, an empty text is zero.

    Strict where leniency would silently change the sum: group separators may only stand
    before the decimal point, between groups of exactly three digits (the first one to
    three), so "12.500,50" typed in an English locale, or "12,50" meaning 12.50, is refused
    rather than read as 12.5005 or 1250. Sign and range are :func:`clean_value`'s business.
    Raises :class:`ValidationError` (field "value") quoting what was typed.
    """
    compact = "".join(text.split())
    if not compact:
        return Decimal("0")
    sign = ""
    if compact[0] in "+-":
        sign, compact = compact[0], compact[1:]
    whole, point, fraction = compact.partition(decimal) if decimal else (compact, "", "")
    parts = whole.split(group) if group and group.strip() else [whole]
    digits = "".join(parts) + ("." + fraction if point else "")
    # Groups of three after the first: "1,5" or "12,50" is a decimal typed with the wrong
    # separator, never fifteen or twelve hundred and fifty.
    misplaced = len(parts) > 1 and not (
        _LEADING_GROUP.match(parts[0]) and all(_GROUP.match(p) for p in parts[1:])
    )
    if misplaced or not _AMOUNT.match(digits):
        hint = f"e.g. 12{group}500{decimal}50" if group else f"e.g. 12500{decimal}50"
        raise ValidationError(f"{text.strip()!r} is not an amount ({hint}).", field="value")
    return Decimal(sign + digits)


def format_amount(value: Decimal, group: str, decimal: str) -> str:
    """``value`` written for :func:`parse_amount` to read back: every digit kept (no
    rounding, never a float), ``decimal`` as the point, ``group`` every three digits
    ("" for none, as an editor shows it)."""
    sign, digits = ("-" if value < 0 else ""), f"{abs(value):f}"
    whole, _, fraction = digits.partition(".")
    if group:
        head = len(whole) % 3 or 3
        whole = group.join([whole[:head]] + [whole[i:i + 3] for i in range(head, len(whole), 3)])
    return sign + whole + (decimal + fraction if fraction else "")


def check_fields(values: dict) -> dict:
    """Validate and normalise editable fields (only those present in ``values``); raises
    :class:`ValidationError` naming the first bad field. Used before every save, and by the
    deal dialog to check a field as the user leaves it."""
    out = dict(values)
    for key in ONE_LINE_FIELDS:
        if key in out:
            out[key] = " ".join(str(out[key] or "").split())
    if "title" in out and not out["title"]:
        raise ValidationError("A deal needs a title.", field="title")
    if "contact_email" in out:
        email = str(out["contact_email"] or "").strip()
        if email and not EMAIL.match(email):
            raise ValidationError(f"{email!r} is not an email address.", field="contact_email")
        out["contact_email"] = email
    if "value" in out:
        out["value"] = clean_value(out["value"])
    for key in TEXT_FIELDS:
        if out.get(key):
            out[key] = CONTROL_CHARACTERS.sub("", str(out[key]))
            limit = text_limit(getattr(Deal, key))
            if limit is not None and len(out[key]) > limit:
                label = key.replace("_", " ").capitalize()
                raise ValidationError(
                    f"{label} is {len(out[key]):,} characters long; it holds at most {limit}.",
                    field=key)
    if "company_size" in out and out["company_size"] is not None:
        size = out["company_size"]
        if not isinstance(size, int) or not 1 <= size <= integer_range(Deal.company_size)[1]:
            raise ValidationError("Company size is a number of employees.", field="company_size")
    owner_id = out.get("owner_id")
    if owner_id is not None and not Rep.select().where(Rep.id == owner_id).exists():
        raise ValidationError("That owner no longer exists.", field="owner_id")
    if out.get("source_id") is not None and not LeadSource.select().where(
        LeadSource.id == out["source_id"]
    ).exists():
        raise ValidationError("That lead source no longer exists.", field="source_id")
    return out


def create_deal(draft: DealDraft, actor: RepInfo | None, *, origin: str = "app") -> DealInfo:
    """Create a deal in ``draft.stage_id`` (default: the first stage) and record its entry
    as the first StageChange (``from_stage`` None)."""
    refuse_in_working_copy("add deals")
    values = {f.name: getattr(draft, f.name) for f in fields(draft) if f.name in EDITABLE}
    values = check_fields(values)
    with writing():
        if draft.stage_id is None:
            stage = live_stages().first()
            if stage is None:
                raise ValidationError("Define the pipeline's stages before adding deals.")
        else:
            stage = Stage.get_or_none(Stage.id == draft.stage_id)
            if stage is None:
                raise ValidationError("That stage no longer exists.", field="stage_id")
        now = utcnow()
        deal = Deal.create(
            uuid=uuid.uuid4(), stage=stage, created_at=now, stage_entered_at=now,
            last_activity_at=now, updated_at=now, updated_by=actor.id if actor else None,
            version=1, **values,
        )
        StageChange.create(
            deal=deal, from_stage=None, to_stage=stage, changed_at=now,
            changed_by=actor.id if actor else None, origin=origin,
        )
    return _info(deal)


def get_deal(deal_id: int) -> DealInfo:
    deal = Deal.get_or_none(Deal.id == deal_id)
    if deal is None:
        raise NotFound(f"Deal #{deal_id} no longer exists.")
    return _info(deal)


def update_deal(
    deal_id: int, changes: dict, expected_version: int, actor: RepInfo | None
) -> DealInfo:
    """Apply ``changes`` (keys from :data:`EDITABLE`) if the deal is still at
    ``expected_version``; returns the updated deal. Unchanged values are not written."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"These fields cannot be edited here: {', '.join(sorted(unknown))}.")
    refuse_uncarried_fields(changes)
    changes = check_fields(changes)
    with writing():
        deal = Deal.get_or_none(Deal.id == deal_id)
        if deal is None:
            raise NotFound(f"Deal #{deal_id} no longer exists.")
        if deal.version != expected_version:
            raise ConflictError(
                f"“{deal.title}” was changed by someone else since you opened it; "
                "reload it and make your change again."
            )
        real = {k: v for k, v in changes.items() if getattr(deal, k) != v}
        if not real:
            return _info(deal)
        now = utcnow()
        real.update(
            version=deal.version + 1, updated_at=now, updated_by=actor.id if actor else None
        )
        Deal.update(**real).where(Deal.id == deal_id, Deal.version == expected_version).execute()
        if "lost_reason" in real:
            record_lost_reason(deal_id, deal.stage_id, real["lost_reason"])
    return get_deal(deal_id)


def save_deal(
    deal_id: int | None,
    draft_or_changes: DealDraft | dict,
    ticks: dict[int, bool],
    expected_version: int | None,
    actor: RepInfo | None,
) -> DealInfo:
    """Everything the deal dialog's Save does, in one transaction: create the deal (``deal_id``
    None, a :class:`DealDraft`) or apply ``changes`` to it at ``expected_version``, then tick or
    untick checklist items (``ticks``: item id -> ticked).

    All or nothing: a refused field, a checklist item deleted meanwhile or a change someone
    else made since ``expected_version`` (ticks alone included) raises and writes nothing, so
    the user can fix it and save again without making a second deal or tripping over their own
    half-written first attempt. Returns the deal as saved.

    A new deal added in a later stage (``draft.stage_id``) meets that stage's gate as a move
    there would (:func:`app.pipeline.missing_requirements`): its required items, and those of
    the open stages before it, must be among the ticks, else :class:`GateBlocked` (idea 2:
    only sales-ready leads go to sales, however they are entered).
    """
    with writing():
        if deal_id is None:
            if not isinstance(draft_or_changes, DealDraft):
                raise TypeError("a new deal is saved from a DealDraft")
            saved = create_deal(draft_or_changes, actor)
        else:
            if expected_version is None:
                raise TypeError("an edit needs the version it was made against")
            if isinstance(draft_or_changes, DealDraft):
                raise TypeError("an edit is saved from its changes, not a DealDraft")
            # Checks the version even when only ticks changed.
            saved = update_deal(deal_id, dict(draft_or_changes), expected_version, actor)
        for item_id, ticked in ticks.items():
            set_checked(saved.id, item_id, ticked, actor)
        if deal_id is None:
            missing = missing_requirements(saved.id, saved.stage_id, new=True)
            if missing:
                raise GateBlocked(next(s.name for s in live_stages() if s.id == saved.stage_id),
                                  missing)
    return get_deal(saved.id) if ticks else saved


@dataclass(frozen=True)
class OwnerChoice:
    """A rep as an owner picker lists them; ``label`` says "(inactive)" for a departed rep."""

    id: int
    label: str
    active: bool


def owner_choices(*, keep: int | None = None, everyone: bool = False) -> list[OwnerChoice]:
    """The reps an owner picker offers: active reps by name, then inactive ones labelled
    "Name (inactive)". Inactive reps are listed when ``everyone`` (filters: a manager finds a
    departed rep's deals to hand them on) or when one is ``keep``, a deal's current owner, so
    an editor always shows the owner it was opened with and never drops them on save."""
    reps = list_reps(include_inactive=True)
    listed = [r for r in reps if r.active] + [
        r for r in reps if not r.active and (everyone or r.id == keep)
    ]
    return [OwnerChoice(r.id, r.name if r.active else f"{r.name} (inactive)", r.active)
            for r in listed]


@dataclass(frozen=True)
class SourceInfo:
    """A lead source as filters and forms list it."""

    id: int
    name: str
    channel: str


def list_sources() -> list[SourceInfo]:
    """Every lead source, by name (for the owner/source pickers of the board and table)."""
    return [
        SourceInfo(s.id, s.name, s.channel)
        for s in LeadSource.select().order_by(LeadSource.name)
    ]
