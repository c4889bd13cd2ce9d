"""Handing a lead to sales: owner and move together, through the gate, undoable."""

from __future__ import annotations

import pytest

from app.deals import DealDraft, create_deal, get_deal
from app.errors import PermissionDenied, ValidationError
from app.handoff import first_sales_stage, hand_to_sales, undo_handoff
from app.pipeline import GateBlocked, missing_requirements, set_checked
from app.rep_admin import remove_rep
from db.models import StageChange


@pytest.fixture
def lead(manager, stages):
    return create_deal(DealDraft("Acme pilot", stage_id=stages["Nurturing"].id), manager)


def _tick_all(deal_id, stage_id, actor):
    for item in missing_requirements(deal_id, stage_id):
        set_checked(deal_id, item.id, True, actor)


def _changes(deal_id):
    return StageChange.select().where(StageChange.deal == deal_id).count()


def test_first_sales_stage_is_sales_ready(stages):
    assert first_sales_stage().name == "Sales-ready lead"


def test_blocked_when_items_are_missing_and_nothing_changes(manager, rep, lead, stages):
    with pytest.raises(GateBlocked) as caught:
        hand_to_sales(lead.id, rep.id, manager)
    assert "A named buyer" in [m.text for m in caught.value.missing]
    after = get_deal(lead.id)
    assert after.owner_id is None  # the owner assignment was rolled back too
    assert after.stage_id == stages["Nurturing"].id
    assert _changes(lead.id) == 1


def test_works_once_the_items_are_ticked(manager, rep, lead, stages):
    _tick_all(lead.id, stages["Sales-ready lead"].id, rep)
    done = hand_to_sales(lead.id, rep.id, rep)
    after = get_deal(lead.id)
    assert (after.owner_id, after.stage_id) == (rep.id, stages["Sales-ready lead"].id)
    change = StageChange.get(StageChange.uuid == done.stage_change_uuid)
    assert change.override_reason == "" and change.changed_by_id == rep.id
    assert done.overridden == 0


def test_a_manager_may_override_and_the_reason_is_recorded(manager, rep, lead, stages):
    done = hand_to_sales(lead.id, rep.id, manager, override_reason="Warm intro from the CEO")
    change = StageChange.get(StageChange.uuid == done.stage_change_uuid)
    assert change.override_reason == "Warm intro from the CEO"
    assert done.overridden == 4


def test_a_rep_may_not_override(manager, rep, lead, stages):
    with pytest.raises(PermissionDenied):
        hand_to_sales(lead.id, rep.id, rep, override_reason="Trust me")
    assert get_deal(lead.id).owner_id is None


def test_undo_returns_the_lead_and_removes_the_record(manager, rep, lead, stages):
    done = hand_to_sales(lead.id, rep.id, manager, override_reason="Urgent")
    undo_handoff(done, manager)
    after = get_deal(lead.id)
    assert (after.owner_id, after.stage_id) == (None, stages["Nurturing"].id)
    assert _changes(lead.id) == 1


def test_only_marketing_side_leads_and_active_owners(manager, rep, lead, stages):
    board = create_deal(DealDraft("Board", stage_id=stages["Qualified"].id), manager)
    with pytest.raises(ValidationError, match="not a marketing-side lead"):
        hand_to_sales(board.id, rep.id, manager, override_reason="x")
    create_deal(DealDraft("Owned", owner_id=rep.id, stage_id=stages["Won"].id), manager)
    remove_rep(rep.id, manager)  # deactivated: they own a deal
    with pytest.raises(ValidationError, match="inactive"):
        hand_to_sales(lead.id, rep.id, manager, override_reason="x")
    assert get_deal(lead.id).stage_id == stages["Nurturing"].id


def test_items_ticked_in_the_gate_go_with_the_handoff(manager, rep, lead, stages):
    target = stages["Sales-ready lead"].id
    missing = [m.id for m in missing_requirements(lead.id, target)]
    done = hand_to_sales(lead.id, rep.id, rep, tick=tuple(missing))
    assert done.overridden == 0
    assert get_deal(lead.id).stage_id == target


def test_a_failed_handoff_keeps_no_ticks(manager, rep, lead, stages):
    target = stages["Sales-ready lead"].id
    missing = [m.id for m in missing_requirements(lead.id, target)]
    with pytest.raises(GateBlocked):
        hand_to_sales(lead.id, rep.id, rep, tick=tuple(missing[:2]))
    assert len(missing_requirements(lead.id, target)) == len(missing)
