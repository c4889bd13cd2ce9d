"""Deleting a deal and bringing it back: everything it held returns, under the same ids when
these are still free (on SQLite a deal made since may hold them)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.activities import ActivityDraft, log_activity
from app.deal_removal import delete_deal, restore_deal
from app.deals import DealDraft, create_deal, get_deal
from app.errors import ConflictError, NotFound, PermissionDenied
from app.pipeline import move_deal, set_checked
from db.models import Activity, ChecklistCheck, ChecklistItem, Deal, StageChange


@pytest.fixture
def deal(stages, manager, rep):
    made = create_deal(DealDraft(title="Pilot", company="Acme", owner_id=rep.id,
                                 value=Decimal("5000"), stage_id=stages["Qualified"].id),
                       manager)
    item = ChecklistItem.select().where(ChecklistItem.stage == stages["Proposal"].id).first()
    set_checked(made.id, item.id, True, manager)
    move_deal(made.id, stages["Lost"].id, manager, lost_reason="No budget")
    log_activity(ActivityDraft(rep_id=rep.id, kind="Meeting", date=date.today(),
                               hours=Decimal("1.5"), deal_id=made.id), rep)
    return get_deal(made.id)


def _held(deal_id: int) -> tuple:
    return (
        [(c.item_id, c.checked_by_id) for c in ChecklistCheck.select().where(
            ChecklistCheck.deal == deal_id)],
        [(c.uuid, c.from_stage_id, c.to_stage_id, c.lost_reason) for c in
         StageChange.select().where(StageChange.deal == deal_id).order_by(StageChange.id)],
        Activity.select().where(Activity.deal == deal_id).count(),
    )


def test_a_deleted_deal_comes_back_with_its_history_ticks_and_hours(deal, manager):
    before = _held(deal.id)
    deleted = delete_deal(deal.id, deal.version, manager)
    assert not Deal.select().where(Deal.id == deal.id).exists()
    assert _held(deal.id) == ([], [], 0)
    assert Activity.select().count() == 1  # the rep's hours stay, unlinked

    back = restore_deal(deleted, manager)
    assert back.id == deal.id and back.uuid == deal.uuid
    assert (back.title, back.value, back.lost_reason, back.owner_id) == (
        deal.title, deal.value, "No budget", deal.owner_id)
    assert back.version == deal.version + 1
    assert _held(deal.id) == before


def test_a_deal_changed_since_it_was_shown_is_not_deleted(deal, manager):
    with pytest.raises(ConflictError, match="Pilot"):
        delete_deal(deal.id, deal.version - 1, manager)
    assert get_deal(deal.id).version == deal.version


def test_a_rep_deletes_only_their_own_deals(deal, stages, manager, rep):
    others = create_deal(DealDraft(title="Renewal", owner_id=manager.id), manager)
    with pytest.raises(PermissionDenied, match="Renewal"):
        delete_deal(others.id, None, rep)
    assert get_deal(others.id)
    delete_deal(deal.id, None, rep)
    with pytest.raises(NotFound):
        get_deal(deal.id)


def test_restoring_twice_is_refused(deal, manager):
    deleted = delete_deal(deal.id, None, manager)
    restore_deal(deleted, manager)
    with pytest.raises(ConflictError, match="back already"):
        restore_deal(deleted, manager)


def test_a_deal_made_since_the_delete_does_not_stop_the_undo(deal, stages, manager):
    """SQLite gives a new deal (and its first stage change) the highest id again, the one
    the deleted deal had: the deal comes back under a fresh id, its history with it."""
    before = _held(deal.id)
    deleted = delete_deal(deal.id, deal.version, manager)
    another = create_deal(DealDraft(title="Another", stage_id=stages["Qualified"].id), manager)
    another_held = _held(another.id)

    back = restore_deal(deleted, manager)
    assert (back.uuid, back.title, back.lost_reason) == (deal.uuid, "Pilot", "No budget")
    assert _held(back.id) == before
    assert get_deal(another.id).title == "Another" and _held(another.id) == another_held
    with pytest.raises(ConflictError, match="back already"):
        restore_deal(deleted, manager)
