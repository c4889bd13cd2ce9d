"""Time figures on crafted data: every expected figure is worked out here from the rows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app import settings
from app.activities import ActivityDraft, log_activity
from app.clock import local_today, utcnow
from app.deals import DealDraft, create_deal
from app.errors import ValidationError
from app.pipeline import move_deal
from app.time_figures import period_containing, period_figures, shift_period
from app.users import create_rep
from db.models import StageChange

TODAY = local_today()
START = TODAY - timedelta(days=27)


def log(who, kind, days_ago, hours, deal=None):
    log_activity(ActivityDraft(who.id, kind, TODAY - timedelta(days=days_ago), Decimal(hours),
                               deal_id=deal.id if deal else None), None)


def deal(title, owner, creator, value):
    return create_deal(DealDraft(title=title, owner_id=owner.id if owner else None,
                                 value=Decimal(value)), creator)


@pytest.fixture
def crafted(rep, manager, stages):
    """Ravi (rep) and Bea (rep) over four weeks; see each line for what it contributes."""
    bea = create_rep("Bea Baker")
    won, lost, qualified = stages["Won"], stages["Lost"], stages["Qualified"]

    d1 = deal("Ravi's first win", rep, rep, "30000")
    d2 = deal("Ravi's second win", rep, rep, "12000")
    d3 = deal("Bea's old win", bea, manager, "9000")
    d4 = deal("Bea's loss", bea, bea, "5000")
    d5 = deal("Still a suspect", None, bea, "0")  # stays on the marketing side
    d6 = deal("Ravi's qualified deal", rep, rep, "8000")
    d7 = deal("Nobody's win", None, manager, "1000")
    for d in (d1, d2, d3, d7):
        move_deal(d.id, won.id, manager, override_reason="crafted")
    move_deal(d4.id, lost.id, manager, lost_reason="price")
    move_deal(d6.id, qualified.id, manager, override_reason="crafted")
    # d3 was won before the period: it counts for no one in it.
    StageChange.update(changed_at=utcnow() - timedelta(days=60)).where(
        StageChange.deal == d3.id, StageChange.to_stage == won.id).execute()

    log(rep, "Cold calling", 1, "6")
    log(rep, "Research", 2, "2")
    log(rep, "Demo", 3, "10")
    log(rep, "Meeting", 4, "5", deal=d6)
    log(rep, "Admin", 5, "2")
    log(rep, "Demo", 40, "7")  # before the period
    log(bea, "Cold calling", 1, "4")
    log(bea, "Research", 2, "1.5", deal=d5)  # time on a lead that is not sales-ready
    log(bea, "Proposal", 3, "6")
    return bea


def quantize(value, places="0.01"):
    return Decimal(value).quantize(Decimal(places))


def test_figures_per_rep_and_team_match_the_crafted_rows(crafted, rep, manager):
    figures = period_figures(START, TODAY)
    by_name = {f.name: f for f in figures.reps}
    assert list(by_name) == ["Bea Baker", "Maria Manager", "Ravi Rep"]

    ravi = by_name["Ravi Rep"]
    assert ravi.hours == {"prospecting": Decimal("8.00"), "selling": Decimal("15.00"),
                          "other": Decimal("2.00")}
    assert ravi.total == Decimal("25.00")
    assert ravi.share("prospecting") == quantize(Decimal(8) / 25, "0.0001")  # 0.32
    assert ravi.share("selling") == quantize(Decimal(15) / 25, "0.0001")  # 0.60
    assert (ravi.won_deals, ravi.won_value) == (2, Decimal("42000.00"))  # d1 + d2
    assert ravi.selling_hours_per_win == quantize(Decimal(15) / 2)  # 7.50
    assert ravi.leads_created == 3  # d1, d2, d6
    assert ravi.prospecting_hours_per_lead == quantize(Decimal(8) / 3)  # 2.67
    assert ravi.revenue_per_selling_hour == quantize(Decimal(42000) / 15)  # 2800.00
    assert ravi.against_target == quantize(Decimal(2800) / 1000, "0.0001")
    assert ravi.marketing_side_hours == Decimal("0.00")

    bea = by_name["Bea Baker"]
    assert bea.hours == {"prospecting": Decimal("5.50"), "selling": Decimal("6.00"),
                         "other": Decimal("0.00")}
    assert (bea.won_deals, bea.won_value) == (0, Decimal("0.00"))  # d3 was won earlier
    assert bea.selling_hours_per_win is None
    assert bea.revenue_per_selling_hour == Decimal("0.00")
    assert bea.leads_created == 2  # d4, d5
    assert bea.prospecting_hours_per_lead == quantize(Decimal("5.5") / 2)  # 2.75
    assert bea.marketing_side_hours == Decimal("1.50")

    maria = by_name["Maria Manager"]
    assert maria.total == Decimal("0.00") and maria.share("selling") is None
    assert maria.leads_created == 2  # d3, d7
    assert maria.prospecting_hours_per_lead == Decimal("0.00")

    team = figures.team
    assert team.hours == {"prospecting": Decimal("13.50"), "selling": Decimal("21.00"),
                          "other": Decimal("2.00")}
    assert (team.won_deals, team.won_value) == (3, Decimal("43000.00"))  # d1, d2, d7
    assert team.selling_hours_per_win == quantize(Decimal(21) / 3)  # 7.00
    assert team.leads_created == 7
    assert team.prospecting_hours_per_lead == quantize(Decimal("13.5") / 7)  # 1.93
    assert team.revenue_per_selling_hour == quantize(Decimal(43000) / 21)  # 2047.62
    assert team.marketing_side_hours == Decimal("1.50")
    assert team.share("other") == quantize(Decimal(2) / Decimal("36.5"), "0.0001")


def test_the_target_comes_from_the_settings(crafted):
    settings.put("revenue_per_hour_target", "2000")
    ravi = next(f for f in period_figures(START, TODAY).reps if f.name == "Ravi Rep")
    assert ravi.target_per_hour == Decimal("2000")
    assert ravi.against_target == Decimal("1.4000")  # 2,800 an hour against 2,000


def test_a_period_before_any_work_has_no_ratios(crafted):
    figures = period_figures(TODAY - timedelta(days=400), TODAY - timedelta(days=300))
    team = figures.team
    assert team.total == Decimal("0.00")
    assert (team.won_deals, team.leads_created) == (0, 0)
    assert team.selling_hours_per_win is None
    assert team.prospecting_hours_per_lead is None
    assert team.revenue_per_selling_hour is None
    assert team.against_target is None


def test_a_backwards_period_is_refused(manager):
    with pytest.raises(ValidationError, match="ends before it starts") as caught:
        period_figures(TODAY, TODAY - timedelta(days=1))
    assert caught.value.field == "period"


@pytest.mark.parametrize(
    "day, unit, fy, expected",
    [
        (date(2026, 3, 18), "week", 1, (date(2026, 3, 16), date(2026, 3, 22))),
        (date(2026, 2, 10), "month", 1, (date(2026, 2, 1), date(2026, 2, 28))),
        (date(2026, 5, 31), "quarter", 1, (date(2026, 4, 1), date(2026, 6, 30))),
        (date(2026, 1, 15), "quarter", 2, (date(2025, 11, 1), date(2026, 1, 31))),
        (date(2026, 12, 1), "quarter", 2, (date(2026, 11, 1), date(2027, 1, 31))),
    ],
)
def test_periods_follow_weeks_months_and_fiscal_quarters(day, unit, fy, expected):
    assert period_containing(day, unit, fy) == expected


def test_shifting_a_period_crosses_year_ends():
    assert shift_period(date(2026, 1, 1), "quarter", -1) == (date(2025, 10, 1),
                                                             date(2025, 12, 31))
    assert shift_period(date(2025, 12, 1), "month", 1) == (date(2026, 1, 1), date(2026, 1, 31))
    assert shift_period(date(2025, 12, 29), "week", 1) == (date(2026, 1, 5), date(2026, 1, 11))


def test_imported_leads_count_for_the_team_not_for_whoever_imported_them(crafted, manager):
    create_deal(DealDraft(title="From the old CRM"), manager, origin="import")
    figures = period_figures(START, TODAY)
    by_name = {f.name: f for f in figures.reps}
    assert by_name["Maria Manager"].leads_created == 2  # d3, d7: not the imported one
    assert figures.team.leads_created == 8


def test_a_deal_won_again_later_counts_in_each_period_it_was_won_in(rep, manager, stages):
    """A win counts where its latest move into Won up to the period's end falls: a deal won
    60 days ago, reopened and won again today counts in both periods, once each."""
    won = stages["Won"]
    again = deal("Won twice", rep, rep, "5000")
    move_deal(again.id, won.id, manager, override_reason="crafted")
    StageChange.update(changed_at=utcnow() - timedelta(days=60)).where(
        StageChange.deal == again.id, StageChange.to_stage == won.id).execute()
    move_deal(again.id, stages["Qualified"].id, manager, override_reason="reopened")
    move_deal(again.id, won.id, manager, override_reason="won again")

    earlier = period_figures(TODAY - timedelta(days=70), TODAY - timedelta(days=50))
    recent = period_figures(START, TODAY)
    everything = period_figures(TODAY - timedelta(days=70), TODAY)
    for figures in (earlier, recent, everything):
        assert (figures.team.won_deals, figures.team.won_value) == (1, Decimal(5000))
