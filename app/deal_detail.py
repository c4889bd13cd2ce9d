"""Everything the deal dialog shows about one deal, read in a handful of queries.

The dialog is a form over :class:`app.deals.DealInfo` plus three read-only lists: the
checklist grouped by stage (what is ticked, by whom), the stage history (each StageChange
with who moved it and any override reason) and the deal's logged activities.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from peewee import JOIN

from app.deals import DealInfo, OwnerChoice, SourceInfo, get_deal, list_sources, owner_choices
from app.offline import copy_rules
from app.pipeline import StageInfo, list_stages
from db.models import Activity, ChecklistCheck, ChecklistItem, Rep, Stage, StageChange


@dataclass(frozen=True)
class ChecklistEntry:
    """One checklist item and whether this deal has it ticked."""

    item_id: int
    stage_id: int
    stage_name: str
    text: str
    required: bool
    checked: bool
    checked_at: datetime | None  # UTC
    checked_by: str


@dataclass(frozen=True)
class StageChangeEntry:
    """One move in the deal's history; ``from_stage`` is "" for the deal's creation."""

    changed_at: datetime  # UTC
    from_stage: str
    to_stage: str
    changed_by: str
    override_reason: str
    origin: str


@dataclass(frozen=True)
class ActivityEntry:
    date: date
    kind: str
    rep: str
    hours: Decimal
    note: str


@dataclass(frozen=True)
class DealDetail:
    deal: DealInfo
    stage: StageInfo
    checklist: tuple[ChecklistEntry, ...]
    history: tuple[StageChangeEntry, ...]  # oldest first
    activities: tuple[ActivityEntry, ...]  # newest first


def checklist_for(deal_id: int | None) -> tuple[ChecklistEntry, ...]:
    """Every checklist item of every stage, in pipeline order, with this deal's ticks
    (``deal_id`` None: a deal not saved yet, nothing ticked)."""
    ticks: dict[int, tuple[datetime, str]] = {}
    if deal_id is not None:
        checks = (
            ChecklistCheck.select(ChecklistCheck.item, ChecklistCheck.checked_at, Rep.name)
            .join(Rep, JOIN.LEFT_OUTER, on=(ChecklistCheck.checked_by == Rep.id))
            .where(ChecklistCheck.deal == deal_id)
            .tuples()
        )
        ticks = {item_id: (at, who or "") for item_id, at, who in checks}
    items = (
        ChecklistItem.select(
            ChecklistItem.id, ChecklistItem.stage, Stage.name, ChecklistItem.text,
            ChecklistItem.required,
        )
        .join(Stage)
        .order_by(Stage.position, ChecklistItem.position, ChecklistItem.id)
        .tuples()
    )
    entries = []
    for item_id, stage_id, stage_name, text, required in items:
        at, who = ticks.get(item_id, (None, ""))
        entries.append(ChecklistEntry(
            item_id, stage_id, stage_name, text, bool(required), item_id in ticks, at, who
        ))
    return tuple(entries)


def load_deal_detail(deal_id: int) -> DealDetail:
    """The deal and its checklist, history and activities (raises NotFound if it is gone)."""
    deal = get_deal(deal_id)
    stage = next(s for s in list_stages() if s.id == deal.stage_id)
    names = dict(Stage.select(Stage.id, Stage.name).tuples())
    history = (
        StageChange.select(
            StageChange.changed_at, StageChange.from_stage, StageChange.to_stage, Rep.name,
            StageChange.override_reason, StageChange.origin,
        )
        .join(Rep, JOIN.LEFT_OUTER, on=(StageChange.changed_by == Rep.id))
        .where(StageChange.deal == deal_id)
        .order_by(StageChange.changed_at, StageChange.id)
        .tuples()
    )
    activities = (
        Activity.select(Activity.date, Activity.kind, Rep.name, Activity.hours, Activity.note)
        .join(Rep, on=(Activity.rep == Rep.id))
        .where(Activity.deal == deal_id)
        .order_by(Activity.date.desc(), Activity.id.desc())
        .tuples()
    )
    return DealDetail(
        deal=deal,
        stage=stage,
        checklist=checklist_for(deal_id),
        history=tuple(
            StageChangeEntry(at, names.get(src, "") if src else "", names.get(dst, ""),
                             who or "", reason, origin)
            for at, src, dst, who, reason, origin in history
        ),
        activities=tuple(ActivityEntry(*row) for row in activities),
    )


@dataclass(frozen=True)
class DealForm:
    """Everything the deal dialog opens with, read in one go off the GUI thread: the deal's
    detail (None for a new deal), the checklist to tick (the deal's own, or every item
    unticked), the owner choices (always holding the deal's current owner), the lead
    sources, the pipeline's stages in order (the stage list; a new deal's first one), and
    whether the database is a working copy of an update workbook (which carries back only
    some of a deal's fields: :mod:`app.offline.copy_rules`)."""

    detail: DealDetail | None
    checklist: tuple[ChecklistEntry, ...]
    owners: tuple[OwnerChoice, ...]
    sources: tuple[SourceInfo, ...]
    stages: tuple[StageInfo, ...]
    working_copy: bool = False


def load_deal_form(deal_id: int | None) -> DealForm:
    """What the deal dialog shows for ``deal_id`` (None: a new deal); raises NotFound if the
    deal is gone."""
    detail = load_deal_detail(deal_id) if deal_id is not None else None
    return DealForm(
        detail=detail,
        checklist=detail.checklist if detail else checklist_for(None),
        owners=tuple(owner_choices(keep=detail.deal.owner_id if detail else None)),
        sources=tuple(list_sources()),
        stages=tuple(list_stages()),
        working_copy=copy_rules.is_working_copy(),
    )
