"""The stage and checklist editor's save: atomic, validated, manager-only, moves recorded."""

from __future__ import annotations

import pytest

from app.deals import DealDraft, create_deal, get_deal
from app.errors import PermissionDenied, ValidationError
from app.pipeline import list_stages, missing_requirements
from app.stage_admin import (
    ChecklistDraft,
    StageDraft,
    can_delete,
    deal_counts,
    load_pipeline,
    save_pipeline,
    unmet_criteria,
)
from db.models import ChecklistCheck, ChecklistItem, Stage, StageChange


def _by_name(drafts):
    return {d.name: d for d in drafts}


def _live_names():
    return [s.name for s in list_stages() if not Stage.get_by_id(s.id).archived]


def test_load_pipeline_returns_stages_in_order_with_checklists(manager):
    drafts = load_pipeline()
    assert [d.name for d in drafts][:3] == ["Suspect", "Nurturing", "Sales-ready lead"]
    ready = _by_name(drafts)["Sales-ready lead"]
    texts = [i.text for i in ready.checklist]
    assert texts[:2] == ["Ideal-customer fit confirmed", "A named buyer"]
    assert all(i.id is not None for i in ready.checklist)


def test_reorder_rename_and_add_persist(manager):
    drafts = load_pipeline()
    drafts[0], drafts[1] = drafts[1], drafts[0]
    drafts[0].name = "Nurture"
    drafts.insert(2, StageDraft("Discovery call", side="sales", probability=15, rot_days=10,
                                colour="#AABBCC",
                                checklist=[ChecklistDraft("Call booked", True, 2)]))
    report = save_pipeline(drafts, {}, manager)
    assert report.created == 1
    names = _live_names()
    assert names[:4] == ["Nurture", "Suspect", "Discovery call", "Sales-ready lead"]
    new = Stage.get(Stage.name == "Discovery call")
    assert (new.probability, new.rot_days, new.colour) == (15, 10, "#aabbcc")
    assert [i.text for i in new.checklist] == ["Call booked"]


def test_swapping_two_names_does_not_trip_uniqueness(manager):
    drafts = load_pipeline()
    drafts[0].name, drafts[1].name = drafts[1].name, drafts[0].name
    save_pipeline(drafts, {}, manager)
    assert _live_names()[:2] == ["Nurturing", "Suspect"]


def test_checklist_edit_keeps_ticks_of_kept_items(manager, stages):
    deal = create_deal(DealDraft("Acme roll-out", stage_id=stages["Nurturing"].id), manager)
    target = stages["Sales-ready lead"].id
    before = missing_requirements(deal.id, target)
    from app.pipeline import set_checked

    set_checked(deal.id, before[0].id, True, manager)
    drafts = load_pipeline()
    ready = _by_name(drafts)["Sales-ready lead"]
    ready.checklist.reverse()
    ready.checklist.pop(0)  # drop "Buyer has time to qualify" (now first)
    ready.checklist.append(ChecklistDraft("Champion identified", True, 1))
    save_pipeline(drafts, {}, manager)
    missing = [m.text for m in missing_requirements(deal.id, target)]
    assert before[0].text not in missing
    assert "Champion identified" in missing
    texts = [i.text for i in ChecklistItem.select().where(ChecklistItem.stage == target)
             .order_by(ChecklistItem.position)]
    assert texts[0] == "Budget known" and texts[-1] == "Champion identified"
    assert "Buyer has time to qualify" not in texts


def test_deleting_a_stage_moves_its_deals_and_records_the_moves(manager, stages):
    deals = [
        create_deal(DealDraft(f"Lead {n}", stage_id=stages["Qualified"].id), manager)
        for n in range(3)
    ]
    drafts = [d for d in load_pipeline() if d.name != "Qualified"]
    report = save_pipeline(drafts, {stages["Qualified"].id: "Sales-ready lead"}, manager)
    assert report.deleted == 1 and report.deals_moved == 3
    assert "Qualified" not in _live_names()
    for deal in deals:
        assert get_deal(deal.id).stage_id == stages["Sales-ready lead"].id
        change = (StageChange.select().where(StageChange.deal == deal.id)
                  .order_by(StageChange.id.desc()).first())
        assert change.from_stage_id == stages["Qualified"].id
        assert change.to_stage_id == stages["Sales-ready lead"].id
        assert change.changed_by_id == manager.id
        assert change.origin == "app"
        assert change.override_reason == "Stage Qualified deleted"
    assert deal_counts().get(stages["Qualified"].id) is None


def test_a_deleted_name_can_be_reused_and_history_survives(manager, stages):
    create_deal(DealDraft("Lead", stage_id=stages["Proposal"].id), manager)
    drafts = [d for d in load_pipeline() if d.name != "Proposal"]
    drafts.insert(5, StageDraft("Proposal", probability=60))
    save_pipeline(drafts, {stages["Proposal"].id: "Proposal"}, manager)
    new = Stage.get(Stage.name == "Proposal")
    assert new.id != stages["Proposal"].id
    assert Stage.get_by_id(stages["Proposal"].id).archived


def test_deleting_a_stage_with_deals_needs_a_destination(manager, stages):
    create_deal(DealDraft("Lead", stage_id=stages["Qualified"].id), manager)
    drafts = [d for d in load_pipeline() if d.name != "Qualified"]
    with pytest.raises(ValidationError, match="choose a stage"):
        save_pipeline(drafts, {}, manager)
    assert "Qualified" in _live_names()  # nothing changed


@pytest.mark.parametrize("name", ["Won", "Lost"])
def test_won_and_lost_stages_cannot_be_removed(manager, name):
    drafts = load_pipeline()
    assert can_delete(_by_name(drafts)[name]) is not None
    assert can_delete(_by_name(drafts)["Proposal"]) is None
    with pytest.raises(ValidationError):
        save_pipeline([d for d in drafts if d.name != name], {}, manager)
    assert name in _live_names()


def test_exactly_one_won_stage(manager):
    drafts = load_pipeline()
    _by_name(drafts)["Negotiation"].outcome = "won"
    with pytest.raises(ValidationError, match="exactly one won"):
        save_pipeline(drafts, {}, manager)
    assert Stage.get(Stage.name == "Negotiation").outcome == "open"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "  ", "needs a name"),
        ("name", "Qualified", "Two stages"),
        ("probability", 101, "probability"),
        ("rot_days", 0, "rot days"),
        ("colour", "red", "colour"),
    ],
)
def test_bad_input_is_rejected_and_changes_nothing(manager, field, value, message):
    drafts = load_pipeline()
    setattr(_by_name(drafts)["Proposal"], field, value)
    with pytest.raises(ValidationError, match=message):
        save_pipeline(drafts, {}, manager)
    assert "Proposal" in _live_names()


def test_checklist_weight_is_validated(manager):
    drafts = load_pipeline()
    _by_name(drafts)["Proposal"].checklist[0].weight = 0
    with pytest.raises(ValidationError, match="weight"):
        save_pipeline(drafts, {}, manager)


def test_only_a_manager_saves(rep):
    drafts = load_pipeline()
    drafts[0].name = "Cold"
    with pytest.raises(PermissionDenied, match="Only a manager"):
        save_pipeline(drafts, {}, rep)
    assert "Cold" not in _live_names()


def _deal_meeting_its_stage(manager, stages, stage: str, title: str):
    """A deal in ``stage`` with every required item of that stage ticked."""
    from app.pipeline import set_checked

    deal = create_deal(DealDraft(title, stage_id=stages[stage].id), manager)
    for item in ChecklistItem.select().where(ChecklistItem.stage == stages[stage].id,
                                             ChecklistItem.required == True):
        set_checked(deal.id, item.id, True, manager)
    return deal


def _card(deal_id):
    from app.board import load_board

    return next(c for col in load_board().columns for c in col.cards if c.id == deal_id)


def test_a_new_required_criterion_says_how_many_deals_miss_it_and_leaves_them_flagged(
        manager, stages):
    first = _deal_meeting_its_stage(manager, stages, "Proposal", "Acme roll-out")
    _deal_meeting_its_stage(manager, stages, "Proposal", "Globex pilot")
    _deal_meeting_its_stage(manager, stages, "Qualified", "Elsewhere")
    assert _card(first.id).meets_checklist
    drafts = load_pipeline()
    proposal = _by_name(drafts)["Proposal"]
    proposal.checklist.append(ChecklistDraft("Legal contact named", True, 1))
    proposal.checklist.append(ChecklistDraft("Nice to have", False, 1))  # optional: no gate
    unmet = unmet_criteria(drafts)
    assert [(u.stage, u.text, u.deals) for u in unmet] == [
        ("Proposal", "Legal contact named", 2)]

    report = save_pipeline(drafts, {}, manager)  # leave them
    assert report.checks_ticked == 0
    card = _card(first.id)
    assert card.unmet_required == 1 and not card.meets_checklist
    assert not ChecklistCheck.select().join(ChecklistItem).where(
        ChecklistItem.text == "Legal contact named").exists()


def test_ticking_a_new_required_criterion_records_checks_by_the_manager(manager, stages):
    first = _deal_meeting_its_stage(manager, stages, "Proposal", "Acme roll-out")
    version = get_deal(first.id).version
    drafts = load_pipeline()
    proposal = _by_name(drafts)["Proposal"]
    optional = next((i for i in proposal.checklist if not i.required), None)
    if optional is None:
        optional = ChecklistDraft("Procurement portal set up", False, 1)
        proposal.checklist.append(optional)
        save_pipeline(drafts, {}, manager)
        drafts = load_pipeline()
        proposal = _by_name(drafts)["Proposal"]
        optional = next(i for i in proposal.checklist if i.text == optional.text)
    optional.required = True  # an optional item made required counts too
    proposal.checklist.append(ChecklistDraft("Legal contact named", True, 1))
    assert [u.deals for u in unmet_criteria(drafts)] == [1, 1]

    report = save_pipeline(drafts, {}, manager, tick_unmet=True)
    assert report.checks_ticked == 2
    assert _card(first.id).meets_checklist
    checks = list(ChecklistCheck.select().join(ChecklistItem).where(
        ChecklistCheck.deal == first.id,
        ChecklistItem.text.in_([optional.text, "Legal contact named"])))
    assert len(checks) == 2 and {c.checked_by_id for c in checks} == {manager.id}
    assert get_deal(first.id).version == version + 2  # one per ticked criterion
    assert unmet_criteria(load_pipeline()) == []
