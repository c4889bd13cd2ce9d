"""Logging activities: the limits a user can hit, deal rotting, undoable delete, type-ahead."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from app.activities import (
    ActivityDraft,
    delete_activity,
    list_activities,
    log_activity,
    restore_activity,
    search_deals,
    update_activity,
)
from app.activity_kinds import list_kinds, set_active
from app.deals import DealDraft, create_deal, get_deal
from app.errors import PermissionDenied, ValidationError
from app.users import create_rep
from db.models import Deal

TODAY = date(2026, 3, 18)  # a Wednesday


def draft(rep, **overrides) -> ActivityDraft:
    values = dict(rep_id=rep.id, kind="Meeting", date=TODAY, hours=Decimal("1.5"))
    values.update(overrides)
    return ActivityDraft(**values)


def log(rep, actor, **overrides):
    return log_activity(draft(rep, **overrides), actor, today=TODAY)


def test_logging_records_the_activity_with_its_category(rep, manager):
    logged = log(rep, manager, hours="1,75", note="  first   call ")
    assert logged.activity.hours == Decimal("1.75")
    assert logged.activity.category == "selling"
    assert logged.activity.note == "first call"
    assert [a.id for a in list_activities(rep.id, TODAY, TODAY)] == [logged.activity.id]


@pytest.mark.parametrize(
    "hours, message",
    [
        ("0", "more than 0"),
        ("-1", "more than 0"),
        ("24.25", "more than 24"),
        ("1000", "more than 24"),
        ("1.1", "quarter-hour"),
        ("0.3", "quarter-hour"),
        ("lots", "not a number"),
        ("", "not a number"),
        ("NaN", "not a number"),
    ],
)
def test_bad_hours_are_refused_at_the_hours_field(rep, manager, hours, message):
    with pytest.raises(ValidationError, match=message) as caught:
        log(rep, manager, hours=hours)
    assert caught.value.field == "hours"
    assert list_activities(rep.id, TODAY, TODAY) == []


def test_a_full_24_hour_day_is_allowed_but_not_a_minute_more(rep, manager):
    log(rep, manager, hours="20")
    log(rep, manager, hours="4", kind="Travel")
    with pytest.raises(ValidationError, match="at most 0 h more") as caught:
        log(rep, manager, hours="0.25")
    assert caught.value.field == "hours"
    # Another day and another rep are not affected.
    log(rep, manager, hours="8", date=TODAY - timedelta(days=1))
    log(manager, manager, hours="8")


def test_the_day_limit_message_says_how_much_still_fits(rep, manager):
    log(rep, manager, hours="22.5")
    with pytest.raises(ValidationError, match=r"already has 22\.5 h .* at most 1\.5 h more"):
        log(rep, manager, hours="2")


def test_dates_far_ahead_or_absurdly_old_are_refused_at_the_date_field(rep, manager):
    log(rep, manager, date=TODAY + timedelta(days=7))  # a week ahead is fine
    for day, message in (
        (TODAY + timedelta(days=8), "more than 7 days ahead"),
        (date(1999, 12, 31), "years ago"),
        (None, "Choose the day"),
    ):
        with pytest.raises(ValidationError, match=message) as caught:
            log(rep, manager, date=day)
        assert caught.value.field == "date"


def test_unknown_rep_kind_and_deal_name_the_field(rep, manager):
    for overrides, field in (
        (dict(rep_id=9999), "rep"),
        (dict(rep_id=None), "rep"),
        (dict(kind="Golf"), "kind"),
        (dict(kind=""), "kind"),
        (dict(deal_id=9999), "deal"),
    ):
        with pytest.raises(ValidationError) as caught:
            log(rep, manager, **overrides)
        assert caught.value.field == field
    assert list_activities(rep.id, TODAY - timedelta(days=30), TODAY + timedelta(days=7)) == []


def test_kind_matches_case_insensitively_but_an_inactive_kind_is_refused(rep, manager):
    assert log(rep, manager, kind="cold CALLING").activity.kind == "Cold calling"
    travel = next(k for k in list_kinds() if k.name == "Travel")
    set_active(travel.id, False, manager)
    with pytest.raises(ValidationError, match="no longer in use") as caught:
        log(rep, manager, kind="Travel")
    assert caught.value.field == "kind"


def test_a_note_that_is_too_long_is_refused(rep, manager):
    with pytest.raises(ValidationError, match="under 500") as caught:
        log(rep, manager, note="x" * 501)
    assert caught.value.field == "note"


def test_a_rep_logs_only_their_own_hours(rep, manager):
    log(rep, rep)
    with pytest.raises(PermissionDenied, match="only their own"):
        log(manager, rep)


def test_logging_against_a_deal_moves_its_last_activity_forward_only(rep, manager):
    deal = create_deal(DealDraft(title="Pilot", company="Acme"), manager)
    Deal.update(last_activity_at=datetime(2025, 1, 1)).where(Deal.id == deal.id).execute()
    before = get_deal(deal.id).last_activity_at
    past = log_activity(draft(rep, deal_id=deal.id, date=date(2020, 1, 6)), manager)
    assert past.deal_touched is False  # the deal was worked on later than that
    assert get_deal(deal.id).last_activity_at == before

    today = log_activity(draft(rep, deal_id=deal.id, date=date.today()), manager)
    assert today.deal_touched is True
    assert get_deal(deal.id).last_activity_at > before
    assert today.activity.deal_label == "Acme — Pilot"
    assert get_deal(deal.id).version == deal.version  # not an edit of the deal


def test_a_past_activity_counts_from_the_start_of_its_day(rep, manager):
    deal = create_deal(DealDraft(title="Old", company="Beta"), manager)
    Deal.update(last_activity_at=datetime(2020, 1, 1)).where(Deal.id == deal.id).execute()
    logged = log_activity(draft(rep, deal_id=deal.id, date=date.today() - timedelta(days=3)),
                          manager)
    assert logged.deal_touched
    moved = get_deal(deal.id).last_activity_at
    assert date.today() - timedelta(days=4) <= moved.date() <= date.today() - timedelta(days=2)


def test_update_does_not_count_the_activity_against_its_own_day(rep, manager):
    first = log(rep, manager, hours="20").activity
    log(rep, manager, hours="4", kind="Admin")
    updated = update_activity(first.id, draft(rep, hours="19.5", kind="Demo", note="moved"),
                              manager, today=TODAY).activity
    assert (updated.hours, updated.kind, updated.note) == (Decimal("19.50"), "Demo", "moved")
    with pytest.raises(ValidationError, match="a day holds at most 24"):
        update_activity(first.id, draft(rep, hours="20.25"), manager, today=TODAY)


def test_update_may_keep_a_kind_deactivated_since(rep, manager):
    first = log(rep, manager, kind="Travel").activity
    travel = next(k for k in list_kinds() if k.name == "Travel")
    set_active(travel.id, False, manager)
    kept = update_activity(first.id, draft(rep, kind="Travel", hours="2"), manager,
                           today=TODAY).activity
    assert (kept.kind, kept.hours) == ("Travel", Decimal("2.00"))


def test_delete_then_restore_brings_back_the_same_activity(rep, manager):
    deal = create_deal(DealDraft(title="Renewal", company="Gamma"), manager)
    original = log(rep, manager, deal_id=deal.id, note="call").activity
    removed = delete_activity(original.id, manager)
    assert list_activities(rep.id, TODAY, TODAY) == []
    back = restore_activity(removed, manager)
    assert (back.uuid, back.deal_id, back.note, back.hours) == (
        original.uuid, deal.id, "call", original.hours)


def test_restore_is_refused_when_the_day_filled_up_meanwhile(rep, manager):
    removed = delete_activity(log(rep, manager, hours="5").activity.id, manager)
    log(rep, manager, hours="20")
    with pytest.raises(ValidationError, match="a day holds at most 24"):
        restore_activity(removed, manager)


def test_search_finds_company_or_title_prefix_matches_first_and_limits(manager):
    create_deal(DealDraft(title="Support contract", company="Northwind"), manager)
    create_deal(DealDraft(title="Northwind expansion", company="Contoso"), manager)
    create_deal(DealDraft(title="Website", company="Fabrikam North"), manager)
    create_deal(DealDraft(title="100% discount", company="Tailspin"), manager)
    found = search_deals("north")
    # the two prefix matches first, the one worked on last (here: created last) first; the
    # order used to depend on the database's row order when their times tied
    assert [d.company for d in found] == ["Contoso", "Northwind", "Fabrikam North"]
    assert found[1].label == "Northwind — Support contract"
    assert len(search_deals("north", limit=1)) == 1
    assert search_deals("   ") == []
    assert [d.company for d in search_deals("0%")] == ["Tailspin"]  # % is literal
    assert search_deals("_") == []


def test_a_reps_list_holds_only_their_own_activities(rep, manager):
    other = create_rep("Olga Other")
    log(rep, manager)
    assert list_activities(other.id, TODAY, TODAY) == []
