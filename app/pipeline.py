"""Stage moves through the qualification gate, checklist ticks, and undo of a move.

A deal may enter a stage only when the required checklist items of that stage, and of every
open stage it skips on the way, are ticked (DESIGN.md idea 1). A manager may override with a
reason, which is recorded on the StageChange. Moving back, or to a lost stage, has no gate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from app.clock import utcnow
from app.errors import ConflictError, NotFound, ValidationError
from app.matching import name_key
from app.users import RepInfo, require_manager
from db.connection import writing
from db.models import ChecklistCheck, ChecklistItem, Deal, Stage, StageChange


@dataclass(frozen=True)
class StageInfo:
    id: int
    name: str
    position: int
    side: str
    outcome: str
    probability: int
    rot_days: int | None
    colour: str


@dataclass(frozen=True)
class ChecklistItemInfo:
    id: int
    stage_id: int
    stage_name: str
    text: str
    required: bool
    weight: int


@dataclass(frozen=True)
class MoveResult:
    deal_id: int
    stage_change_uuid: str
    from_stage_id: int
    to_stage_id: int
    overridden: list[ChecklistItemInfo]


class GateBlocked(ValidationError):
    """The move needs checklist items that are not ticked; ``missing`` lists them."""

    def __init__(self, stage_name: str, missing: list[ChecklistItemInfo]):
        items = "; ".join(f"{m.text} ({m.stage_name})" for m in missing)
        super().__init__(f"Before entering {stage_name}, tick: {items}.", field="stage")
        self.missing = missing


@dataclass(frozen=True)
class GateFacts:
    """What the gate dialog shows for a move, read in one go off the GUI thread: the deal,
    the stage it would enter, the required items it still lacks on the way (empty: none),
    and the lost reason it already has (offered again on a move to a lost stage)."""

    deal_id: int
    title: str
    lost_reason: str
    stage: StageInfo
    missing: tuple[ChecklistItemInfo, ...]


def _stage_info(stage: Stage) -> StageInfo:
    return StageInfo(
        stage.id, stage.name, stage.position, stage.side, stage.outcome, stage.probability,
        stage.rot_days, stage.colour,
    )


def live_stages():
    """The pipeline's stages in order, without those deleted in the stage editor (they are
    archived, not dropped, because the stage history still points at them)."""
    return Stage.select().where(Stage.archived == False).order_by(Stage.position)


def list_stages() -> list[StageInfo]:
    return [_stage_info(s) for s in live_stages()]


def first_open_stage(side: str, stages: Sequence[StageInfo] | None = None) -> StageInfo | None:
    """The first open stage (by position) on ``side`` ("marketing" or "sales"): where a lead
    enters sales when handed over, and where a deal added on a page of that side starts.
    None when the pipeline has no open stage there. ``stages``: the pipeline as the caller
    already read it (:func:`list_stages`), else read here."""
    listed = list_stages() if stages is None else stages
    return next((s for s in listed if s.side == side and s.outcome == "open"), None)


def find_stage(name: str) -> StageInfo:
    wanted = name_key(name)
    stages = list(live_stages())
    for stage in stages:
        if name_key(stage.name) == wanted:
            return _stage_info(stage)
    names = ", ".join(s.name for s in stages)
    raise NotFound(f"There is no stage called {name!r}. Stages: {names}.")


def gate_stages(from_stage: Stage | None, to_stage: Stage) -> list[Stage]:
    """The stages whose entry criteria a move from ``from_stage`` to ``to_stage`` must meet.

    Forward moves to an open or won stage: every open stage after ``from_stage`` up to and
    including the target (the skipped ones too). Moves to lost, and back to an earlier open
    stage: none. A deal leaving a closed stage (won or lost) re-enters the pipeline, so every
    open stage up to the target counts: Lost sits after Won, and a closed deal must not
    reach Won or a late stage as if it were moving "back". A new deal (``from_stage`` None)
    added in a later stage enters every open stage up to it, the same way.
    """
    if to_stage.outcome == "lost":
        return []
    reentry = from_stage is None or from_stage.outcome != "open"
    if from_stage is not None and not reentry and to_stage.position <= from_stage.position:
        return []
    passed = live_stages().where(
        Stage.position > (-1 if reentry or from_stage is None else from_stage.position),
        Stage.position < to_stage.position,
        Stage.outcome == "open",
    )
    return [*passed, to_stage]


def required_for_move(from_stage: Stage | None, to_stage: Stage) -> list[ChecklistItemInfo]:
    """Every required item a move from ``from_stage`` to ``to_stage`` must have ticked (the
    gate's criteria, ticked or not), in pipeline order: one home for the gate rule, for
    moves made here, for a deal created in a later stage (``from_stage`` None) and for
    moves a rep made offline (:mod:`app.offline.merge`)."""
    stages = gate_stages(from_stage, to_stage)
    if not stages:
        return []
    items = (
        ChecklistItem.select(ChecklistItem, Stage)
        .join(Stage)
        .where(
            ChecklistItem.stage.in_([s.id for s in stages]),
            ChecklistItem.required == True,
        )
        .order_by(Stage.position, ChecklistItem.position)
    )
    return [
        ChecklistItemInfo(i.id, i.stage_id, i.stage.name, i.text, i.required, i.weight)
        for i in items
    ]


def missing_requirements(deal_id: int, to_stage_id: int, *,
                         new: bool = False) -> list[ChecklistItemInfo]:
    """Required items the deal still lacks for a move to ``to_stage_id`` (empty: free to go);
    ``new``: for a deal just created there, as if it entered from nothing."""
    deal = Deal.get_or_none(Deal.id == deal_id)
    to_stage = Stage.get_or_none(Stage.id == to_stage_id)
    if deal is None or to_stage is None:
        raise NotFound("That deal or stage no longer exists.")
    required = required_for_move(None if new else deal.stage, to_stage)
    if not required:
        return []
    ticked = set(ChecklistCheck.select(ChecklistCheck.item_id)
                 .where(ChecklistCheck.deal == deal_id).tuples())
    return [item for item in required if (item.id,) not in ticked]


def gate_facts(deal_id: int, to_stage_id: int) -> GateFacts:
    """The facts for the gate dialog of a move of ``deal_id`` to ``to_stage_id``."""
    deal = Deal.get_or_none(Deal.id == deal_id)
    stage = Stage.get_or_none(Stage.id == to_stage_id)
    if deal is None or stage is None:
        raise NotFound("That deal or stage no longer exists.")
    return GateFacts(deal.id, deal.title, deal.lost_reason or "", _stage_info(stage),
                     tuple(missing_requirements(deal_id, to_stage_id)))


def _tick(deal_id: int, item_ids, actor: RepInfo | None) -> None:
    """Tick items of a deal inside the caller's transaction (no version bump of its own)."""
    item_ids = list(item_ids)
    known = ChecklistItem.select().where(ChecklistItem.id.in_(item_ids)).count()
    if known != len(set(item_ids)):
        raise NotFound("A checklist item was removed meanwhile; reopen the deal and try again.")
    for item_id in item_ids:
        ChecklistCheck.insert(
            deal=deal_id, item=item_id, checked_at=utcnow(),
            checked_by=actor.id if actor else None,
        ).on_conflict_ignore().execute()


def set_checked(deal_id: int, item_id: int, checked: bool, actor: RepInfo | None) -> None:
    """Tick or untick one checklist item of a deal (idempotent)."""
    with writing():
        deal = Deal.get_or_none(Deal.id == deal_id)
        if deal is None or not ChecklistItem.select().where(ChecklistItem.id == item_id).exists():
            raise NotFound("That deal or checklist item no longer exists.")
        if checked:
            _tick(deal_id, [item_id], actor)
        else:
            ChecklistCheck.delete().where(
                ChecklistCheck.deal == deal_id, ChecklistCheck.item == item_id
            ).execute()
        Deal.update(
            version=Deal.version + 1, updated_at=utcnow(), updated_by=actor.id if actor else None
        ).where(
            Deal.id == deal_id
        ).execute()


def move_deal(
    deal_id: int,
    to_stage_id: int,
    actor: RepInfo | None,
    *,
    override_reason: str = "",
    lost_reason: str = "",
    origin: str = "app",
    when: datetime | None = None,
    expected_version: int | None = None,
    tick: Sequence[int] = (),
) -> MoveResult:
    """Move a deal to another stage and record the StageChange.

    Raises :class:`GateBlocked` when required items are missing and no override reason is
    given; an override needs a manager. A move to a lost stage needs a ``lost_reason``
    (from one lost stage to another the current one stands); leaving a lost stage clears it.
    ``tick`` lists checklist items the user confirmed in the gate dialog: they are ticked in
    the same transaction, so a refused move leaves nothing behind. ``expected_version``
    refuses the move (ConflictError) when the deal changed since the caller read it.
    ``when`` (UTC) lets workbook round trips keep the rep's own timestamp.
    """
    override_reason = " ".join(override_reason.split())
    lost_reason = " ".join(lost_reason.split())
    with writing():
        deal = Deal.get_or_none(Deal.id == deal_id)
        to_stage = Stage.get_or_none(Stage.id == to_stage_id)
        if deal is None or to_stage is None:
            raise NotFound("That deal or stage no longer exists.")
        if expected_version is not None and deal.version != expected_version:
            raise ConflictError(
                f"“{deal.title}” was changed by someone else; reload it and move it again."
            )
        if to_stage.archived:
            raise ValidationError(f"{to_stage.name} was deleted; choose another stage.",
                                  field="stage")
        if to_stage.id == deal.stage_id:
            raise ValidationError(f"“{deal.title}” is already in {to_stage.name}.", field="stage")
        _tick(deal_id, tick, actor)
        missing = missing_requirements(deal_id, to_stage_id)
        if missing and not override_reason:
            raise GateBlocked(to_stage.name, missing)
        if missing:
            require_manager(actor, "override a stage's checklist")
        lost_reason = settled_lost_reason(to_stage.outcome == "lost", lost_reason,
                                          deal.lost_reason, deal.stage.outcome == "lost")
        if to_stage.outcome == "lost" and not lost_reason:
            raise ValidationError("Say why the deal was lost.", field="lost_reason")
        stamp = when or utcnow()
        change = StageChange.create(
            deal=deal, from_stage=deal.stage_id, to_stage=to_stage, changed_at=stamp,
            changed_by=actor.id if actor else None,
            override_reason=override_reason if missing else "",
            origin=origin, lost_reason=lost_reason,
        )
        Deal.update(
            stage=to_stage, stage_entered_at=stamp, updated_at=utcnow(),
            version=deal.version + 1, updated_by=actor.id if actor else None,
            lost_reason=lost_reason,
        ).where(Deal.id == deal_id).execute()
    return MoveResult(deal_id, str(change.uuid), deal.stage_id, to_stage.id, missing)


def settled_lost_reason(into_lost: bool, given: str, current: str = "",
                        was_lost: bool = False) -> str:
    """The lost-reason rule, for every way a deal changes stage (a move, an import): a deal
    has a reason exactly while it sits in a lost stage. Into a lost stage it takes the
    reason ``given``, else (from one lost stage to another, or staying in one) its
    ``current`` one; into an open or won stage, none. "" into a lost stage means no reason
    is known: a move refuses it, an import records its own (``IMPORTED_AS_LOST``)."""
    if not into_lost:
        return ""
    return given or (current if was_lost else "")


def _latest_change(deal_id: int, *, other_than: int | None = None) -> StageChange | None:
    """The deal's latest StageChange (leaving out ``other_than``), by time, then by id for
    two at the same instant."""
    query = StageChange.select().where(StageChange.deal == deal_id)
    if other_than is not None:
        query = query.where(StageChange.id != other_than)
    return query.order_by(StageChange.changed_at.desc(), StageChange.id.desc()).first()


def record_lost_reason(deal_id: int, stage_id: int, reason: str) -> None:
    """After the lost reason of a deal sitting in ``stage_id`` was changed in place (edited,
    or put back by an undo), write ``reason`` into the StageChange that moved the deal into
    that stage, when that stage is a lost one.

    Why: the move into a lost stage records the deal's reason, and undoing a later move out
    of that stage puts back the reason from that record; without this, an edit of the
    reason made in between was silently replaced by the one the deal was lost with. Call
    inside the write transaction that changed the deal."""
    if not Stage.select().where(Stage.id == stage_id, Stage.outcome == "lost").exists():
        return
    entry = _latest_change(deal_id)
    if entry is not None and entry.to_stage_id == stage_id:
        StageChange.update(lost_reason=reason).where(StageChange.id == entry.id).execute()


def undo_move(stage_change_uuid: str, actor: RepInfo | None) -> None:
    """Take back a move: the deal returns to the stage it came from, with the lost reason it
    had there, and the StageChange is deleted. Only the deal's latest move can be undone (a
    later move would be orphaned), and not into a stage deleted since."""
    with writing():
        change = StageChange.get_or_none(StageChange.uuid == stage_change_uuid)
        if change is None:
            raise NotFound("That move was already undone.")
        if change.from_stage_id is None:
            raise ValidationError("A deal's creation is not a move; delete the deal instead.")
        latest = _latest_change(change.deal_id)
        if latest is None or latest.id != change.id:
            raise ConflictError("The deal has moved again since; undo the later move first.")
        if change.from_stage.archived:
            raise ConflictError(
                f"{change.from_stage.name} was deleted since, so the move cannot be taken "
                "back; move the deal to another stage yourself."
            )
        previous = _latest_change(change.deal_id, other_than=change.id)
        entered = previous.changed_at if previous is not None else change.deal.created_at
        restored_reason = previous.lost_reason if previous is not None else ""
        change.delete_instance()
        Deal.update(
            stage=change.from_stage_id, stage_entered_at=entered, updated_at=utcnow(),
            version=Deal.version + 1, updated_by=actor.id if actor else None,
            lost_reason=restored_reason,
        ).where(Deal.id == change.deal_id).execute()
