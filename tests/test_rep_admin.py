"""The reps editor's services: manager-only, deactivate-not-delete, one manager always."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.deals import DealDraft, create_deal
from app.errors import PermissionDenied, ValidationError
from app.rep_admin import add_rep, list_rep_rows, remove_rep, restore_rep, update_rep
from app.users import get_rep, list_reps
from db.models import Activity, Rep


def test_add_and_edit_a_rep(manager):
    added = add_rep("Nina North", "nina@example.com", "rep", "32.5", manager)
    assert added.weekly_capacity_hours == Decimal("32.5")
    edited = update_rep(added.id, {"email": "n.north@example.com", "role": "manager"}, manager)
    assert (edited.email, edited.role, edited.name) == ("n.north@example.com", "manager",
                                                        "Nina North")


def test_rows_count_deals_and_activities(manager, rep, stages):
    create_deal(DealDraft("Acme", owner_id=rep.id, stage_id=stages["Qualified"].id), manager)
    create_deal(DealDraft("Beta", owner_id=rep.id, stage_id=stages["Won"].id), manager)
    Activity.create(rep=rep.id, kind="Meeting", date=date(2026, 3, 2), hours=Decimal(2))
    row = {r.rep.name: r for r in list_rep_rows()}["Ravi Rep"]
    assert (row.deals, row.open_deals, row.activities) == (2, 1, 1)


def test_a_rep_with_deals_is_deactivated_not_deleted(manager, rep, stages):
    create_deal(DealDraft("Acme", owner_id=rep.id, stage_id=stages["Qualified"].id), manager)
    removal = remove_rep(rep.id, manager)
    assert removal.action == "deactivated"
    assert "deactivated" in removal.message
    assert Rep.get_by_id(rep.id).active is False
    assert "Ravi Rep" not in [r.name for r in list_reps()]
    restore_rep(removal, manager)
    assert get_rep(rep.id).active


def test_a_rep_with_logged_hours_is_deactivated(manager, rep):
    Activity.create(rep=rep.id, kind="Meeting", date=date(2026, 3, 2), hours=Decimal(2))
    assert remove_rep(rep.id, manager).action == "deactivated"


def test_a_rep_without_deals_or_activities_is_deleted_and_can_be_restored(manager, rep):
    removal = remove_rep(rep.id, manager)
    assert removal.action == "deleted"
    assert Rep.get_or_none(Rep.id == rep.id) is None
    back = restore_rep(removal, manager)
    assert (back.name, back.email, back.weekly_capacity_hours) == (
        "Ravi Rep", "ravi@example.com", Decimal(40))


def test_only_a_manager_edits_reps(manager, rep):
    with pytest.raises(PermissionDenied, match="Only a manager"):
        update_rep(rep.id, {"weekly_capacity_hours": 10}, rep)
    with pytest.raises(PermissionDenied):
        remove_rep(manager.id, rep)
    with pytest.raises(PermissionDenied):
        add_rep("Eve", "", "rep", 40, rep)
    assert get_rep(rep.id).weekly_capacity_hours == Decimal(40)


def test_the_last_manager_stays(manager, rep):
    with pytest.raises(ValidationError, match="only active manager"):
        update_rep(manager.id, {"role": "rep"}, manager)
    with pytest.raises(ValidationError, match="only active manager"):
        update_rep(manager.id, {"active": False}, manager)
    with pytest.raises(ValidationError, match="yourself"):
        remove_rep(manager.id, manager)
    assert get_rep(manager.id).is_manager


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": " "}, "needs a name"),
        ({"name": "maria manager"}, "already a rep"),
        ({"email": "not-an-email"}, "not an email"),
        ({"weekly_capacity_hours": "lots"}, "number of hours"),
        ({"weekly_capacity_hours": 120}, "between 0 and 100"),
        ({"role": "boss"}, "Role must be"),
    ],
)
def test_bad_edits_are_rejected_and_change_nothing(manager, rep, changes, message):
    with pytest.raises(ValidationError, match=message):
        update_rep(rep.id, changes, manager)
    assert get_rep(rep.id) == rep


def test_renaming_the_current_user_keeps_them_current(manager):
    from app.rep_admin import update_rep
    from app.users import current_user

    update_rep(manager.id, {"name": "Maria Manager-Lopez"}, manager)
    assert current_user().name == "Maria Manager-Lopez"
