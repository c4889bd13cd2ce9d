"""The weekly timesheet and the team view, on a real temporary database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.activities import ActivityDraft, list_activities, log_activity
from app.activity_kinds import list_kinds, set_active
from app.deals import DealDraft, create_deal
from app.errors import PermissionDenied, ValidationError
from app.timesheet import (
    capacity_for,
    load_week,
    set_cell,
    team_hours,
    week_start,
    working_days,
)
from app.users import create_rep

MONDAY = date(2026, 3, 16)
WEDNESDAY = MONDAY + timedelta(days=2)
TODAY = date(2026, 3, 20)


def log(rep, actor, kind, day, hours, **extra):
    return log_activity(ActivityDraft(rep.id, kind, day, Decimal(hours), **extra), actor,
                        today=TODAY).activity


def cell(week, kind, day):
    row = next(r for r in week.rows if r.kind == kind)
    return row.hours[(day - week.start).days]


def test_week_starts_on_monday_and_counts_working_days():
    assert week_start(date(2026, 3, 22)) == MONDAY  # Sunday
    assert week_start(MONDAY) == MONDAY
    assert working_days(MONDAY, MONDAY + timedelta(days=6)) == 5
    assert working_days(date(2026, 1, 1), date(2026, 3, 31)) == 64
    assert working_days(MONDAY, MONDAY - timedelta(days=1)) == 0
    assert capacity_for(Decimal(40), MONDAY, MONDAY + timedelta(days=13)) == Decimal("80.00")
    assert capacity_for(Decimal(32), MONDAY, MONDAY + timedelta(days=2)) == Decimal("19.20")


def test_a_week_has_every_active_kind_grouped_by_category_with_totals(rep, manager):
    log(rep, manager, "Cold calling", MONDAY, "2")
    log(rep, manager, "Cold calling", MONDAY, "1.5", note="twenty dials")
    log(rep, manager, "Demo", WEDNESDAY, "3")
    log(rep, manager, "Admin", WEDNESDAY, "0.5")
    log(rep, manager, "Demo", MONDAY - timedelta(days=1), "8")  # the week before
    week = load_week(rep.id, WEDNESDAY)
    assert week.start == MONDAY
    assert [r.category for r in week.rows] == ["prospecting"] * 4 + ["selling"] * 5 + [
        "other"] * 3
    assert cell(week, "Cold calling", MONDAY) == Decimal("3.50")
    assert week.rows[0].floor[0] == Decimal("1.50")  # the noted hours
    assert week.day_totals == tuple(Decimal(x) for x in ("3.5", "0", "3.5", "0", "0", "0", "0"))
    assert week.category_totals == {"prospecting": Decimal("3.50"), "selling": Decimal("3.00"),
                                    "other": Decimal("0.50")}
    assert week.total == Decimal("7.00")
    assert week.capacity == Decimal("40.00")


def test_an_inactive_kind_shows_only_in_weeks_where_it_has_hours(rep, manager):
    log(rep, manager, "Travel", MONDAY, "2")
    set_active(next(k.id for k in list_kinds() if k.name == "Travel"), False, manager)
    row = next(r for r in load_week(rep.id, MONDAY).rows if r.kind == "Travel")
    assert row.active is False and row.total == Decimal("2.00")
    later = load_week(rep.id, MONDAY + timedelta(days=7))
    assert "Travel" not in [r.kind for r in later.rows]


def test_setting_an_empty_cell_creates_one_plain_activity(rep, manager):
    assert set_cell(rep.id, MONDAY, "Research", "2.5", manager, today=TODAY) == Decimal("2.5")
    [made] = list_activities(rep.id, MONDAY, MONDAY)
    assert (made.kind, made.hours, made.note, made.deal_id) == ("Research", Decimal("2.50"),
                                                                "", None)
    assert cell(load_week(rep.id, MONDAY), "Research", MONDAY) == Decimal("2.50")


def test_a_cell_edit_adjusts_plain_hours_and_never_touches_notes_or_deals(rep, manager):
    deal = create_deal(DealDraft(title="Pilot", company="Acme"), manager)
    noted = log(rep, manager, "Meeting", MONDAY, "1", note="kick-off")
    linked = log(rep, manager, "Meeting", MONDAY, "2", deal_id=deal.id)
    log(rep, manager, "Meeting", MONDAY, "0.5")
    log(rep, manager, "Meeting", MONDAY, "0.25")

    set_cell(rep.id, MONDAY, "Meeting", "5", manager, today=TODAY)
    after = list_activities(rep.id, MONDAY, MONDAY)
    assert sum(a.hours for a in after) == Decimal("5.00")
    assert noted in after and linked in after  # untouched, field for field
    plain = [a for a in after if a not in (noted, linked)]
    assert [a.hours for a in plain] == [Decimal("2.00")]  # one plain row absorbs the rest

    set_cell(rep.id, MONDAY, "Meeting", "3", manager, today=TODAY)
    assert list_activities(rep.id, MONDAY, MONDAY) == [noted, linked]


def test_a_cell_cannot_go_below_its_noted_hours(rep, manager):
    log(rep, manager, "Proposal", MONDAY, "2", note="pricing")
    with pytest.raises(ValidationError, match="notes or against deals") as caught:
        set_cell(rep.id, MONDAY, "Proposal", "1", manager, today=TODAY)
    assert caught.value.field == "hours"
    assert cell(load_week(rep.id, MONDAY), "Proposal", MONDAY) == Decimal("2.00")


def test_clearing_a_cell_removes_its_plain_activities(rep, manager):
    set_cell(rep.id, MONDAY, "Admin", "1.5", manager, today=TODAY)
    set_cell(rep.id, MONDAY, "Admin", "0", manager, today=TODAY)
    assert list_activities(rep.id, MONDAY, MONDAY) == []


@pytest.mark.parametrize("hours, message", [("1.1", "quarter-hour"), ("-2", "more than 0"),
                                            ("25", "more than 24"), ("x", "not a number")])
def test_bad_cell_values_change_nothing(rep, manager, hours, message):
    set_cell(rep.id, MONDAY, "Demo", "1", manager, today=TODAY)
    with pytest.raises(ValidationError, match=message):
        set_cell(rep.id, MONDAY, "Demo", hours, manager, today=TODAY)
    assert cell(load_week(rep.id, MONDAY), "Demo", MONDAY) == Decimal("1.00")


def test_a_cell_edit_keeps_the_day_within_24_hours(rep, manager):
    log(rep, manager, "Travel", MONDAY, "20")
    set_cell(rep.id, MONDAY, "Demo", "4", manager, today=TODAY)
    with pytest.raises(ValidationError, match="a day holds at most 24"):
        set_cell(rep.id, MONDAY, "Demo", "4.25", manager, today=TODAY)


def test_cells_far_in_the_future_or_of_other_reps_are_refused(rep, manager):
    with pytest.raises(ValidationError, match="days ahead") as caught:
        set_cell(rep.id, TODAY + timedelta(days=8), "Demo", "1", manager, today=TODAY)
    assert caught.value.field == "date"
    with pytest.raises(PermissionDenied):
        set_cell(manager.id, MONDAY, "Demo", "1", rep, today=TODAY)


def test_team_view_sums_categories_per_rep_against_period_capacity(rep, manager):
    part_timer = create_rep("Pia Part", weekly_capacity_hours=20)
    log(rep, manager, "Cold calling", MONDAY, "3")
    log(rep, manager, "Demo", WEDNESDAY, "4.25")
    log(rep, manager, "Follow-up", WEDNESDAY, "1")
    log(part_timer, manager, "Admin", MONDAY, "2")
    log(part_timer, manager, "Demo", MONDAY + timedelta(days=7), "9")  # outside the week
    team = team_hours(MONDAY, MONDAY + timedelta(days=6))
    by_name = {r.name: r for r in team.rows}
    assert list(by_name) == ["Maria Manager", "Pia Part", "Ravi Rep"]
    assert by_name["Ravi Rep"].hours == {"prospecting": Decimal("3.00"),
                                         "selling": Decimal("5.25"), "other": Decimal("0.00")}
    assert by_name["Pia Part"].total == Decimal("2.00")
    assert by_name["Pia Part"].capacity == Decimal("20.00")
    assert by_name["Maria Manager"].total == Decimal("0.00")
    assert team.totals == {"prospecting": Decimal("3.00"), "selling": Decimal("5.25"),
                           "other": Decimal("2.00")}
    assert team.total == Decimal("10.25")
    assert team.capacity == Decimal("100.00")


def test_used_compares_hours_with_capacity_to_date_and_reports_the_rest(rep, manager):
    """Early in a quarter the whole quarter's capacity would make everyone look idle: the
    share used is measured against the working days behind us, the rest is shown apart."""
    start, end = date(2026, 10, 1), date(2026, 12, 31)  # 66 working days
    log(rep, manager, "Demo", MONDAY, "20")  # outside the quarter: not counted
    log_activity(ActivityDraft(rep.id, "Demo", date(2026, 10, 5), Decimal("8")), manager,
                 today=date(2026, 10, 9))
    team = team_hours(start, end, today=date(2026, 10, 9))  # a Friday: 7 working days behind
    ravi = next(r for r in team.rows if r.name == "Ravi Rep")
    assert ravi.capacity == Decimal("528.00")  # 40 h × 66 days ÷ 5
    assert ravi.capacity_so_far == Decimal("56.00")  # 40 h × 7 days ÷ 5
    assert ravi.capacity_ahead == Decimal("472.00")
    assert ravi.used == Decimal("0.1429")  # 8 of 56, not 8 of 528
    assert team.capacity_so_far == Decimal("112.00") and team.used == Decimal("0.0714")

    before = team_hours(start, end, today=date(2026, 9, 30))  # the quarter has not begun
    assert before.capacity_so_far == Decimal("0.00") and before.used is None
    after = team_hours(start, end, today=date(2027, 1, 4))  # all of it is behind us
    assert after.capacity_so_far == after.capacity and after.capacity_ahead == 0


def test_team_view_refuses_a_backwards_period(manager):
    with pytest.raises(ValidationError, match="ends before it starts"):
        team_hours(MONDAY, MONDAY - timedelta(days=1))
