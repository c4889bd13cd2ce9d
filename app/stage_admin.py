"""The manager's stage and checklist editor, as one atomic "save the pipeline" operation.

Why one operation: the editor lets a manager add, rename, reorder and delete stages and edit
every checklist before saving, and a half-saved pipeline (say, a stage deleted but its deals
not moved) would break the board and the gate. So the editor works on plain drafts
(:class:`StageDraft`, :class:`ChecklistDraft`) loaded with :func:`load_pipeline`, and
:func:`save_pipeline` validates the whole plan and applies it in one write transaction, or
changes nothing.

A required criterion added to a stage (a new item, or an item made required) is not met by
the deals already in it. :func:`unmet_criteria` says, before saving, how many deals each
such criterion affects; the manager then leaves them (the board flags a deal whose stage's
required items are not all ticked, ``app.board.BoardCard.unmet_required``) or has
:func:`save_pipeline` tick it for them (``tick_unmet``), recorded as checks by the manager.

A deleted stage that holds deals needs a destination; each deal is moved with
:func:`app.pipeline.move_deal` (so the StageChange history stays the single record of moves)
and the move is recorded with the reason "Stage X deleted". A deleted stage is archived, not
dropped (migration 3): history rows still point at it. The won and lost stages cannot be
deleted; a pipeline keeps exactly one won and at least one lost stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from peewee import chunked, fn

from app.clock import utcnow
from app.errors import NotFound, ValidationError
from app.pipeline import live_stages, move_deal
from app.users import RepInfo, require_manager
from db.connection import writing
from db.models import (
    OUTCOMES,
    SIDES,
    ChecklistCheck,
    ChecklistItem,
    Deal,
    Stage,
    StageChange,
)

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_ROT_DAYS = 3650
MAX_WEIGHT = 10
# Archived stages sort after every live one, so they never sit between two live stages
# (the gate checks the open stages between a deal's stage and its target by position).
ARCHIVED_POSITION = 1_000_000


@dataclass
class ChecklistDraft:
    """One checklist item as edited; ``id`` None is an item added in the editor."""

    text: str
    required: bool = True
    weight: int = 1
    id: int | None = None


@dataclass
class StageDraft:
    """One stage as edited; ``id`` None is a stage added in the editor. Position is its
    index in the list handed to :func:`save_pipeline`."""

    name: str
    side: str = "sales"
    outcome: str = "open"
    probability: int = 0
    rot_days: int | None = None
    colour: str = ""
    checklist: list[ChecklistDraft] = field(default_factory=list)
    id: int | None = None
    stored_outcome: str | None = None  # the outcome in the database (None: not saved yet)


@dataclass(frozen=True)
class SaveReport:
    """What :func:`save_pipeline` did."""

    created: int
    updated: int
    deleted: int
    deals_moved: int
    checks_ticked: int = 0  # criteria ticked for deals already in their stage (tick_unmet)


@dataclass(frozen=True)
class UnmetCriterion:
    """A required criterion a save would add to a stage that holds deals not meeting it."""

    stage: str
    text: str
    deals: int  # deals in the stage that have not met it


def load_pipeline() -> list[StageDraft]:
    """The live stages in order, each with its checklist, as drafts to edit (two queries)."""
    stages = list(live_stages())
    items: dict[int, list[ChecklistDraft]] = {s.id: [] for s in stages}
    query = (
        ChecklistItem.select()
        .where(ChecklistItem.stage.in_(list(items)))
        .order_by(ChecklistItem.position, ChecklistItem.id)
    )
    for item in query:
        items[item.stage_id].append(
            ChecklistDraft(item.text, bool(item.required), item.weight, item.id)
        )
    return [
        StageDraft(
            s.name, s.side, s.outcome, s.probability, s.rot_days, s.colour, items[s.id],
            s.id, s.outcome,
        )
        for s in stages
    ]


def deal_counts() -> dict[int, int]:
    """Deals per stage id (every deal, open or closed), for the editor's "Deals" column."""
    query = Deal.select(Deal.stage, fn.COUNT(Deal.id)).group_by(Deal.stage).tuples()
    return dict(query)


def _clean_name(text: str) -> str:
    return " ".join(str(text or "").split())


def _newly_required(stage: StageDraft, stored_required: dict[int, bool]) -> list[int]:
    """Indexes in ``stage.checklist`` of the items a save makes required there: new
    required items, and stored items switched from optional to required."""
    return [
        index for index, item in enumerate(stage.checklist)
        if item.required and (item.id is None or not stored_required.get(item.id, False))
    ]


def _stored_required() -> dict[int, bool]:
    return {i: bool(r) for i, r in
            ChecklistItem.select(ChecklistItem.id, ChecklistItem.required).tuples()}


def _deals_without(stage_id: int, item_id: int | None):
    """The deals in ``stage_id`` that have not ticked ``item_id`` (every deal in the stage
    for an item not saved yet), as a query of ids."""
    query = Deal.select(Deal.id).where(Deal.stage == stage_id)
    if item_id is not None:
        query = query.where(Deal.id.not_in(
            ChecklistCheck.select(ChecklistCheck.deal).where(ChecklistCheck.item == item_id)))
    return query


def unmet_criteria(stages: list[StageDraft]) -> list[UnmetCriterion]:
    """What saving ``stages`` would leave unmet: each required criterion it adds to a stored
    stage (see :func:`_newly_required`) that deals already in the stage have not met, with
    how many. Nothing is written; the editor asks before it saves."""
    stored = _stored_required()
    unmet = []
    for stage in stages:
        if stage.id is None:
            continue  # a new stage holds no deals yet
        for index in _newly_required(stage, stored):
            item = stage.checklist[index]
            count = _deals_without(stage.id, item.id).count()
            if count:
                unmet.append(UnmetCriterion(_clean_name(stage.name), _clean_name(item.text),
                                            count))
    return unmet


def validate_pipeline(stages: list[StageDraft]) -> None:
    """Check a whole plan; raises :class:`ValidationError` naming the stage and the field.

    Rules: every stage has a unique (case-insensitive) name, a side and an outcome from the
    known sets, a probability 0–100, rot days empty or 1–3650, a colour empty or #rrggbb;
    exactly one won and at least one lost stage, and at least one open stage; every checklist
    item has text and a weight 1–10.
    """
    if not stages:
        raise ValidationError("The pipeline needs stages.", field="stages")
    seen: dict[str, int] = {}
    for number, stage in enumerate(stages, start=1):
        name = _clean_name(stage.name)
        where = f"Stage {number}"
        if not name:
            raise ValidationError(f"{where} needs a name.", field="name")
        if len(name) > 60:
            raise ValidationError(f"“{name}”: keep a stage name under 60 characters.", "name")
        key = name.casefold()
        if key in seen:
            raise ValidationError(
                f"Two stages are called “{name}” (stages {seen[key]} and {number}); "
                "rename one.", field="name",
            )
        seen[key] = number
        if stage.side not in SIDES:
            raise ValidationError(
                f"“{name}”: side must be {' or '.join(SIDES)}.", field="side"
            )
        if stage.outcome not in OUTCOMES:
            raise ValidationError(
                f"“{name}”: outcome must be one of {', '.join(OUTCOMES)}.", field="outcome"
            )
        if not isinstance(stage.probability, int) or not 0 <= stage.probability <= 100:
            raise ValidationError(
                f"“{name}”: probability must be a whole number from 0 to 100.",
                field="probability",
            )
        if stage.rot_days is not None and (
            not isinstance(stage.rot_days, int) or not 1 <= stage.rot_days <= MAX_ROT_DAYS
        ):
            raise ValidationError(
                f"“{name}”: rot days must be empty (never rots) or 1 to {MAX_ROT_DAYS}.",
                field="rot_days",
            )
        if stage.colour and not COLOUR.match(stage.colour):
            raise ValidationError(
                f"“{name}”: colour must be #rrggbb or empty.", field="colour"
            )
        for index, item in enumerate(stage.checklist, start=1):
            if not _clean_name(item.text):
                raise ValidationError(
                    f"“{name}”: checklist item {index} needs text.", field="checklist"
                )
            if not isinstance(item.weight, int) or not 1 <= item.weight <= MAX_WEIGHT:
                raise ValidationError(
                    f"“{name}”: checklist item {index} needs a weight from 1 to {MAX_WEIGHT}.",
                    field="weight",
                )
    outcomes = [s.outcome for s in stages]
    if outcomes.count("won") != 1:
        raise ValidationError(
            "The pipeline needs exactly one won stage "
            f"(it has {outcomes.count('won')}).", field="outcome",
        )
    if "lost" not in outcomes:
        raise ValidationError("The pipeline needs at least one lost stage.", field="outcome")
    if "open" not in outcomes:
        raise ValidationError("The pipeline needs at least one open stage.", field="outcome")


def can_delete(stage: StageDraft) -> str | None:
    """Why ``stage`` cannot be deleted, or None when it can (the UI disables the button)."""
    if stage.stored_outcome in ("won", "lost"):
        return (
            f"“{stage.name}” is where {stage.stored_outcome} deals end; it cannot be removed "
            "(rename it instead)."
        )
    return None


def save_pipeline(
    stages: list[StageDraft], reassign: dict[int, str], actor: RepInfo | None, *,
    tick_unmet: bool = False,
) -> SaveReport:
    """Make the live pipeline equal to ``stages`` (in that order), atomically.

    Stored stages missing from ``stages`` are deleted; ``reassign`` maps each deleted stage
    id that holds deals to the *name* of a stage in the plan to move them to (a name, so a
    stage added in the same save can receive them). Each deal moves through
    :func:`app.pipeline.move_deal` with the manager's override, and the StageChange records
    "Stage X deleted" as the reason. Manager only. Raises ValidationError or NotFound and
    changes nothing when anything is wrong.

    With ``tick_unmet`` each required criterion the save adds to a stored stage
    (:func:`unmet_criteria`) is ticked for the deals already in that stage, as checks by
    ``actor``; each such deal's version goes up (an update workbook made before sees the
    change), its ``updated_at`` does not (a tick from Settings is no work on the deal and
    must not hide that it is rotting). Without it those deals are left as they are.
    """
    require_manager(actor, "edit the pipeline's stages")
    validate_pipeline(stages)
    names = {_clean_name(s.name).casefold(): s for s in stages}
    with writing():
        stored = {s.id: s for s in live_stages()}
        kept_ids = {s.id for s in stages if s.id is not None}
        unknown = kept_ids - set(stored)
        if unknown:
            raise NotFound(
                "A stage in the editor was deleted by someone else; revert and edit again."
            )
        for stage in stages:
            if stage.id is not None and stored[stage.id].outcome != stage.outcome:
                old = stored[stage.id].outcome
                if old in ("won", "lost") and Deal.select().where(
                    Deal.stage == stage.id
                ).exists():
                    raise ValidationError(
                        f"“{stage.name}” holds {old} deals, so its outcome cannot change.",
                        field="outcome",
                    )
        deleted = [stored[i] for i in stored if i not in kept_ids]
        for gone in deleted:
            if gone.outcome in ("won", "lost"):
                raise ValidationError(
                    f"“{gone.name}” is where {gone.outcome} deals end; it cannot be removed.",
                    field="stages",
                )
        # Free the names of deleted stages first: a new stage may take one of them.
        for gone in deleted:
            Stage.update(
                archived=True, position=ARCHIVED_POSITION + gone.id,
                name=f"{gone.name} (deleted #{gone.id})",
            ).where(Stage.id == gone.id).execute()
        # Park the kept stages under temporary names first, so swapping two names never
        # trips the unique constraint half-way.
        for stage in stages:
            if stage.id is not None:
                Stage.update(name=f"~renaming #{stage.id}").where(Stage.id == stage.id).execute()
        stored_required = _stored_required()
        created = updated = ticked = 0
        for position, stage in enumerate(stages):
            values = dict(
                name=_clean_name(stage.name), position=position, side=stage.side,
                outcome=stage.outcome, probability=stage.probability,
                rot_days=stage.rot_days, colour=stage.colour.lower(),
            )
            if stage.id is None:
                stage_id = Stage.insert(**values).execute()
                created += 1
            else:
                stage_id = stage.id
                old = stored[stage_id]
                updated += any(getattr(old, k) != v for k, v in values.items())
                Stage.update(**values).where(Stage.id == stage_id).execute()
            newly = _newly_required(stage, stored_required)
            item_ids = _save_checklist(stage_id, stage.checklist)
            if tick_unmet and stage.id is not None:
                for index in newly:
                    ticked += _tick_for_deals(stage_id, item_ids[index], actor)
        moved = 0
        for gone in deleted:
            moved += _move_out(gone, reassign.get(gone.id), names, actor)
    return SaveReport(created, updated, len(deleted), moved, ticked)


def _tick_for_deals(stage_id: int, item_id: int, actor: RepInfo | None) -> int:
    """Tick ``item_id`` for every deal in ``stage_id`` that has not; returns how many."""
    deal_ids = [d for (d,) in _deals_without(stage_id, item_id).tuples()]
    now, by = utcnow(), actor.id if actor else None
    for batch in chunked(deal_ids, 500):
        ChecklistCheck.insert_many(
            [{"deal": d, "item": item_id, "checked_at": now, "checked_by": by} for d in batch]
        ).execute()
        Deal.update(version=Deal.version + 1).where(Deal.id.in_(batch)).execute()
    return len(deal_ids)


def _save_checklist(stage_id: int, items: list[ChecklistDraft]) -> list[int]:
    """Replace a stage's checklist with ``items`` in order; kept items keep their ids (and so
    the deals' ticks), removed ones go (their ticks cascade). Returns the items' ids."""
    kept = {i.id for i in items if i.id is not None}
    ChecklistItem.delete().where(
        ChecklistItem.stage == stage_id, ChecklistItem.id.not_in(list(kept))
    ).execute()
    ids = []
    for position, item in enumerate(items):
        values = dict(
            stage=stage_id, text=_clean_name(item.text), required=bool(item.required),
            weight=item.weight, position=position,
        )
        if item.id is None:
            ids.append(ChecklistItem.insert(**values).execute())
        else:
            ids.append(item.id)
            count = ChecklistItem.update(**values).where(ChecklistItem.id == item.id).execute()
            if not count:
                raise NotFound(
                    "A checklist item in the editor was deleted by someone else; "
                    "revert and edit again."
                )
    return ids


def _move_out(gone: Stage, target_name: str | None, names: dict,
              actor: RepInfo | None) -> int:
    """Move every deal out of the deleted stage ``gone``; returns how many moved."""
    deal_ids = [d for (d,) in Deal.select(Deal.id).where(Deal.stage == gone.id).tuples()]
    if not deal_ids:
        return 0
    label = gone.name.rsplit(" (deleted #", 1)[0]
    if not target_name:
        raise ValidationError(
            f"“{label}” holds {len(deal_ids)} deal(s); choose a stage to move them to.",
            field="reassign",
        )
    target_draft = names.get(_clean_name(target_name).casefold())
    if target_draft is None:
        raise ValidationError(
            f"The deals of “{label}” cannot go to “{target_name}”: it is not in the pipeline.",
            field="reassign",
        )
    target = Stage.get(Stage.name == _clean_name(target_draft.name), Stage.archived == False)
    reason = f"Stage {label} deleted"
    uuids = []
    for deal_id in deal_ids:
        result = move_deal(
            deal_id, target.id, actor, override_reason=reason, lost_reason=reason
        )
        uuids.append(result.stage_change_uuid)
    # move_deal keeps an override reason only when items were missing; every move made by a
    # deletion carries it, so the history says why the deal changed stage.
    StageChange.update(override_reason=reason).where(StageChange.uuid.in_(uuids)).execute()
    return len(deal_ids)

