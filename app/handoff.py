"""Handing a lead from marketing to sales: give it an owner and move it into the first sales
stage through the qualification gate, as one transaction.

Why one transaction: a lead with an owner but still on the marketing side (or on the sales
side with nobody to work it) is exactly the half-state DESIGN.md idea 2 warns about. The owner
is set with :func:`app.deals.update_deal` and the move made with :func:`app.pipeline.move_deal`
inside one write transaction, so a blocked gate leaves the lead untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.deals import get_deal, update_deal
from app.errors import ConflictError, NotFound, ValidationError
from app.pipeline import (
    StageInfo,
    first_open_stage,
    list_stages,
    move_deal,
    set_checked,
    undo_move,
)
from app.users import RepInfo, get_rep
from db.connection import writing


@dataclass(frozen=True)
class Handoff:
    """A done hand-off, enough to undo it."""

    deal_id: int
    title: str
    owner: RepInfo
    previous_owner_id: int | None
    stage: StageInfo
    stage_change_uuid: str
    overridden: int  # required items the manager's override skipped


def first_sales_stage() -> StageInfo:
    """The open sales-side stage a lead enters when handed over (the first by position)."""
    stage = first_open_stage("sales")
    if stage is not None:
        return stage
    raise NotFound("The pipeline has no open sales stage; add one in Settings → Stages.")


def hand_to_sales(
    deal_id: int,
    owner_id: int,
    actor: RepInfo | None,
    *,
    override_reason: str = "",
    tick: tuple[int, ...] = (),
    expected_version: int | None = None,
) -> Handoff:
    """Assign ``owner_id`` and move the lead into the first sales stage, atomically.

    ``tick`` lists checklist items the user confirmed just now (in the gate dialog); they are
    ticked in the same transaction, so a hand-off that still fails leaves no trace.

    Raises :class:`app.pipeline.GateBlocked` (listing the missing items) when the sales-ready
    checklist is not met and no override is given; an override needs a manager. The lead
    must be open and on the marketing side, the owner an active rep.
    """
    target = first_sales_stage()
    with writing():
        deal = get_deal(deal_id)
        if expected_version is not None and deal.version != expected_version:
            raise ConflictError(
                f"“{deal.title}” was changed by someone else; reload the leads and try again."
            )
        stage = next((s for s in list_stages() if s.id == deal.stage_id), None)
        if stage is None or stage.side != "marketing" or stage.outcome != "open":
            raise ValidationError(
                f"“{deal.title}” is not a marketing-side lead any more.", field="stage"
            )
        owner = get_rep(owner_id)
        if not owner.active:
            raise ValidationError(
                f"{owner.name} is inactive; choose an active rep to own the lead.",
                field="owner_id",
            )
        for item_id in tick:
            set_checked(deal_id, item_id, True, actor)
        version = get_deal(deal_id).version
        updated = update_deal(deal_id, {"owner_id": owner_id}, version, actor)
        result = move_deal(
            deal_id, target.id, actor, override_reason=override_reason,
            expected_version=updated.version,
        )
    return Handoff(
        deal_id, deal.title, owner, deal.owner_id, target, result.stage_change_uuid,
        len(result.overridden),
    )


def undo_handoff(handoff: Handoff, actor: RepInfo | None) -> None:
    """Take a hand-off back: the lead returns to its marketing stage (the move and its record
    are removed) and to its previous owner, atomically."""
    with writing():
        undo_move(handoff.stage_change_uuid, actor)
        deal = get_deal(handoff.deal_id)
        update_deal(
            handoff.deal_id, {"owner_id": handoff.previous_owner_id}, deal.version, actor
        )
