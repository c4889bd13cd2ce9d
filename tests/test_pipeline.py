"""The qualification gate on stage moves, and undo of a move."""

from __future__ import annotations

import pytest

from app.deals import DealDraft, create_deal, get_deal
from app.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from app.pipeline import (
    GateBlocked,
    gate_facts,
    missing_requirements,
    move_deal,
    set_checked,
    undo_move,
)
from db.models import ChecklistItem, StageChange


def required(stage) -> list[int]:
    return [i.id for i in ChecklistItem.select().where(
        ChecklistItem.stage == stage.id, ChecklistItem.required == True)]


@pytest.fixture
def deal(stages, manager):
    return create_deal(DealDraft(title="Acme pilot", stage_id=stages["Sales-ready lead"].id),
                       manager)


def tick_all(deal_id, stage, actor):
    for item_id in required(stage):
        set_checked(deal_id, item_id, True, actor)


def test_a_move_is_blocked_until_the_target_stages_required_items_are_ticked(
        deal, stages, manager):
    with pytest.raises(GateBlocked) as blocked:
        move_deal(deal.id, stages["Qualified"].id, manager)
    assert [m.text for m in blocked.value.missing] == [
        "Their business learned", "Their buying process learned"]
    assert get_deal(deal.id).stage_id == stages["Sales-ready lead"].id
    tick_all(deal.id, stages["Qualified"], manager)
    move_deal(deal.id, stages["Qualified"].id, manager)
    assert get_deal(deal.id).stage_id == stages["Qualified"].id


def test_optional_items_never_block(deal, stages, manager):
    tick_all(deal.id, stages["Qualified"], manager)
    assert missing_requirements(deal.id, stages["Qualified"].id) == []


def test_skipping_stages_needs_the_skipped_stages_items_too(deal, stages, manager):
    tick_all(deal.id, stages["Proposal"], manager)
    missing = missing_requirements(deal.id, stages["Proposal"].id)
    assert {m.stage_name for m in missing} == {"Qualified", "Solution fit & demo"}
    tick_all(deal.id, stages["Qualified"], manager)
    tick_all(deal.id, stages["Solution fit & demo"], manager)
    assert missing_requirements(deal.id, stages["Proposal"].id) == []


def test_moving_back_has_no_gate(deal, stages, manager):
    assert missing_requirements(deal.id, stages["Suspect"].id) == []
    move_deal(deal.id, stages["Suspect"].id, manager)
    assert get_deal(deal.id).stage_id == stages["Suspect"].id


def test_a_managers_override_is_recorded_on_the_stage_change(deal, stages, manager):
    result = move_deal(deal.id, stages["Qualified"].id, manager,
                       override_reason="  Known customer,   renewal ")
    assert len(result.overridden) == 2
    change = StageChange.get(StageChange.uuid == result.stage_change_uuid)
    assert change.override_reason == "Known customer, renewal"
    assert change.changed_by_id == manager.id


def test_only_a_manager_may_override(deal, stages, rep):
    with pytest.raises(PermissionDenied):
        move_deal(deal.id, stages["Qualified"].id, rep, override_reason="trust me")
    assert get_deal(deal.id).stage_id == stages["Sales-ready lead"].id


def test_an_override_reason_is_not_recorded_when_nothing_was_missing(deal, stages, manager):
    tick_all(deal.id, stages["Qualified"], manager)
    result = move_deal(deal.id, stages["Qualified"].id, manager, override_reason="why not")
    assert StageChange.get(StageChange.uuid == result.stage_change_uuid).override_reason == ""


def test_moving_to_lost_needs_a_reason_but_no_checklist(deal, stages, rep):
    with pytest.raises(ValidationError) as refused:
        move_deal(deal.id, stages["Lost"].id, rep)
    assert refused.value.field == "lost_reason"
    move_deal(deal.id, stages["Lost"].id, rep, lost_reason="Went with a competitor")
    moved = get_deal(deal.id)
    assert moved.stage_id == stages["Lost"].id
    assert moved.lost_reason == "Went with a competitor"


def test_the_gate_dialogs_facts_name_the_deal_the_stage_and_what_is_missing(
        deal, stages, rep):
    gate = gate_facts(deal.id, stages["Qualified"].id)
    assert (gate.deal_id, gate.title, gate.stage.name) == (deal.id, "Acme pilot", "Qualified")
    assert [m.text for m in gate.missing] == [
        "Their business learned", "Their buying process learned"]
    move_deal(deal.id, stages["Lost"].id, rep, lost_reason="No budget")
    assert gate_facts(deal.id, stages["Lost"].id).lost_reason == "No budget"
    with pytest.raises(NotFound):
        gate_facts(deal.id, 10_000)


def test_won_is_gated_by_every_open_stage_it_skips(deal, stages, manager):
    missing = missing_requirements(deal.id, stages["Won"].id)
    assert {m.stage_name for m in missing} == {
        "Qualified", "Solution fit & demo", "Proposal", "Negotiation"}


def test_undo_puts_the_deal_back_and_removes_the_record(deal, stages, manager):
    before = get_deal(deal.id)
    result = move_deal(deal.id, stages["Suspect"].id, manager)
    undo_move(result.stage_change_uuid, manager)
    after = get_deal(deal.id)
    assert after.stage_id == stages["Sales-ready lead"].id
    assert after.stage_entered_at == before.stage_entered_at
    assert not StageChange.select().where(
        StageChange.uuid == result.stage_change_uuid).exists()
    assert StageChange.select().where(StageChange.deal == deal.id).count() == 1


def test_only_the_latest_move_can_be_undone(deal, stages, manager):
    first = move_deal(deal.id, stages["Suspect"].id, manager)
    move_deal(deal.id, stages["Nurturing"].id, manager, override_reason="ok")
    with pytest.raises(ConflictError):
        undo_move(first.stage_change_uuid, manager)


def test_a_stale_version_is_refused(deal, stages, manager):
    set_checked(deal.id, required(stages["Qualified"])[0], True, manager)
    with pytest.raises(ConflictError):
        move_deal(deal.id, stages["Suspect"].id, manager, expected_version=deal.version)


def test_a_deleted_stage_takes_no_deals_and_is_not_listed(manager, stages):
    from app.deals import DealDraft, create_deal
    from app.pipeline import find_stage, list_stages, move_deal
    from app.stage_admin import load_pipeline, save_pipeline

    plan = [s for s in load_pipeline() if s.name != "Proposal"]
    save_pipeline(plan, {}, manager)
    assert "Proposal" not in [s.name for s in list_stages()]
    with pytest.raises(NotFound):
        find_stage("Proposal")
    deal = create_deal(DealDraft(title="Late"), manager)
    with pytest.raises(ValidationError, match="was deleted"):
        move_deal(deal.id, stages["Proposal"].id, manager, override_reason="test")


def test_a_lost_deal_cannot_skip_the_gate_on_its_way_back(deal, stages, rep):
    """Lost sits after Won: leaving it is a re-entry, not a move "back"."""
    move_deal(deal.id, stages["Lost"].id, rep, lost_reason="No budget")
    with pytest.raises(GateBlocked) as to_won:
        move_deal(deal.id, stages["Won"].id, rep)
    assert {m.stage_name for m in to_won.value.missing} >= {"Qualified", "Negotiation"}
    with pytest.raises(GateBlocked):
        move_deal(deal.id, stages["Negotiation"].id, rep)
    assert get_deal(deal.id).stage_id == stages["Lost"].id


def test_a_refused_move_leaves_the_gate_dialogs_ticks_behind_it(deal, stages, rep):
    items = required(stages["Qualified"])
    with pytest.raises(GateBlocked):  # Solution fit & demo's items are still missing
        move_deal(deal.id, stages["Solution fit & demo"].id, rep, tick=items)
    assert missing_requirements(deal.id, stages["Qualified"].id) != []
    move_deal(deal.id, stages["Qualified"].id, rep, tick=items)
    assert get_deal(deal.id).stage_id == stages["Qualified"].id


def test_undo_never_returns_a_deal_to_a_deleted_stage(deal, stages, manager):
    from app.board import load_board
    from app.stage_admin import load_pipeline, save_pipeline

    tick_all(deal.id, stages["Qualified"], manager)
    moved = move_deal(deal.id, stages["Qualified"].id, manager)
    save_pipeline([s for s in load_pipeline() if s.name != "Sales-ready lead"], {}, manager)
    with pytest.raises(ConflictError, match="was deleted"):
        undo_move(moved.stage_change_uuid, manager)
    assert get_deal(deal.id).stage_id == stages["Qualified"].id
    assert load_board().card_count == 1


def test_the_lost_reason_follows_the_moves_and_their_undo(deal, stages, rep):
    lost = move_deal(deal.id, stages["Lost"].id, rep, lost_reason="Went with a competitor")
    assert get_deal(deal.id).lost_reason == "Went with a competitor"
    undo_move(lost.stage_change_uuid, rep)
    assert get_deal(deal.id).lost_reason == ""
    with pytest.raises(ValidationError, match="why the deal was lost"):
        move_deal(deal.id, stages["Lost"].id, rep)  # the old reason does not count again

    lost = move_deal(deal.id, stages["Lost"].id, rep, lost_reason="No budget")
    reopened = move_deal(deal.id, stages["Sales-ready lead"].id, rep, tick=[
        *required(stages["Nurturing"]), *required(stages["Sales-ready lead"])])
    assert get_deal(deal.id).lost_reason == ""
    undo_move(reopened.stage_change_uuid, rep)
    assert get_deal(deal.id).lost_reason == "No budget"
    assert StageChange.get(StageChange.uuid == lost.stage_change_uuid).lost_reason == "No budget"


def test_an_edited_lost_reason_comes_back_when_a_later_move_is_undone(deal, stages, rep):
    """The reason a lost deal is corrected to is the one it holds there: reopening it and
    undoing that puts back the corrected reason, not the one it was first lost with."""
    from app.deals import update_deal

    lost = move_deal(deal.id, stages["Lost"].id, rep, lost_reason="No budget")
    edited = update_deal(deal.id, {"lost_reason": "Chose a competitor"},
                         get_deal(deal.id).version, rep)
    assert StageChange.get(StageChange.uuid == lost.stage_change_uuid).lost_reason == (
        "Chose a competitor")
    reopened = move_deal(deal.id, stages["Sales-ready lead"].id, rep, tick=[
        *required(stages["Nurturing"]), *required(stages["Sales-ready lead"])])
    assert get_deal(deal.id).lost_reason == ""
    undo_move(reopened.stage_change_uuid, rep)
    assert get_deal(deal.id).lost_reason == "Chose a competitor"
    assert get_deal(deal.id).version > edited.version
