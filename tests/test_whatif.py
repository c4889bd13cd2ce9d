"""The what-if's levers and capacity model on crafted reps, computed by hand (pure arithmetic:
apply_levers touches no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.forecast import (
    LeverCosts,
    RepBase,
    RepHours,
    WhatIfBase,
    apply_levers,
    lever_curves,
    parse_period,
)
from app.forecast.distribution import win_distribution

PERIOD = parse_period("2026-Q4", 1)
COSTS = LeverCosts(Decimal("100"), "sources", Decimal("2500"), Decimal("45"))
# two open deals: 10,000 (ever won 50 %, in the period 80 %) and 20,000 (25 %, 100 %);
# won 5,000 already; the pipeline not yet created brings 2 wins of 5,000. Today's revenue:
# 5,000 + 4,000 + 5,000 + 10,000 = 24,000.
DEALS = dict(values=(10_000.0, 20_000.0), p_win=(0.5, 0.25), p_in=(0.8, 1.0),
             new_parts=((2.0, 5_000.0),))
SPARE = RepHours(work_hours=200, weeks=4, leads=10, prospecting_per_lead=2, selling_per_win=10)
# 60 hours, 20 of them for today's 10 leads: 40 selling hours for the 53 the deals need
BOUND = RepHours(work_hours=60, weeks=4, leads=10, prospecting_per_lead=2, selling_per_win=20)


def rep(rep_id: int, hours: RepHours, quota=None, probability=None, survival=()) -> RepBase:
    return RepBase(rep_id, f"Rep {rep_id}", quota, Decimal(5_000), probability,
                   hours=hours, survival=survival, **DEALS)


def base(*reps: RepBase) -> WhatIfBase:
    team = RepBase(None, "Team", None, Decimal(0), None, (), (), (), (),
                   RepHours(0, 4, 0, None, None), ())
    return WhatIfBase(PERIOD, date(2026, 10, 30), reps, None, team, COSTS)


def lever(result, name):
    return next(r for r in result.levers if r.lever == name)


def test_each_lever_on_a_rep_with_spare_hours_by_hand():
    result = apply_levers(base(rep(1, SPARE)), 0.5, 0.2, 5)
    leads = lever(result, "leads").reps[0]
    # 5 extra leads, each 2 h + 0.2 wins × 10 h = 4 h, fit in 153.5 spare hours: all worked,
    # the pipeline not yet created brings 1.5 times its wins
    assert leads.baseline_revenue == Decimal("24000.00")
    assert leads.revenue == Decimal("29000.00")
    assert (leads.leads_worked, leads.leads_unworked) == (5, 0)
    assert leads.cost == Decimal("500.00") and leads.return_per_money == 10.0
    # +20 % conversion: 10,000 × 0.6 × 0.8 + 20,000 × 0.3 + 2.4 × 5,000 + 5,000
    training = lever(result, "conversion").reps[0]
    assert training.revenue == Decimal("27800.00")
    assert training.cost == Decimal("5000.00")  # 2 × (2,500 for +10 %)
    assert training.return_per_money == pytest.approx(0.76)
    # hours the rep does not lack buy nothing, and cost 5 h × 4 weeks × 45
    hours = lever(result, "hours").reps[0]
    assert hours.gain == 0 and hours.cost == Decimal("900.00") and hours.return_per_money == 0
    assert result.best == "leads"
    assert result.summary.startswith("Lead generation pays best: each 1 spent brings 10.00")


def test_a_lead_flood_lowers_revenue_for_a_capacity_bound_rep_and_raises_it_with_spare_hours():
    result = apply_levers(base(rep(1, SPARE), rep(2, BOUND)), 1.0, 0, 0)
    spare, bound = lever(result, "leads").reps
    assert spare.gain == Decimal("10000.00")  # 10 more leads worked: 2 more wins of 5,000
    # no spare hour: the 10 extra leads are not worked and their 20 prospecting hours come
    # out of the 40 selling hours the deals got: every chance in the period halves
    assert (bound.leads_worked, bound.leads_unworked) == (0, 10)
    assert bound.coverage_today == pytest.approx(40 / 53)
    assert bound.coverage == pytest.approx(20 / 53)
    assert bound.revenue == Decimal("14500.00")  # 5,000 + 2,000 + 2,500 + 5,000
    assert bound.gain < 0 and bound.return_per_money < 0
    team = lever(result, "leads").team
    assert team.revenue == spare.revenue + bound.revenue
    assert team.cost == Decimal("2000.00")  # 20 leads bought, worked or not


def test_selling_hours_raise_the_chances_of_a_rep_short_of_them():
    result = apply_levers(base(rep(2, BOUND)), 0, 0, 5)
    hours = lever(result, "hours").reps[0]
    # 20 more hours cover the 53 needed: chances in the period × 53/40, each at most 1
    assert hours.coverage == 1.0
    assert hours.revenue == Decimal("28250.00")  # 5,000 + 5,000 + 5,000 + 13,250
    assert hours.cost == Decimal("900.00")


def test_no_lever_is_the_forecast_and_a_lever_moves_the_probability_close_to_exact():
    values = [float(3_000 + 1_700 * (i % 9)) for i in range(60)]
    p_win = [0.2 + 0.01 * (i % 40) for i in range(60)]
    p_in = [0.5 + 0.008 * (i % 50) for i in range(60)]
    won, quota = 20_000.0, Decimal(170_000)

    def exact(conversion: float) -> float:
        wins = [(v, min(1.0, w * conversion) * i)
                for v, w, i in zip(values, p_win, p_in, strict=True)]
        return win_distribution(wins, shift=won).prob_at_least(float(quota))

    dist = win_distribution([(v, w * i) for v, w, i in zip(values, p_win, p_in, strict=True)],
                            shift=won)
    points = dist.points()
    survival, left = [], 1.0
    for value, p in points:
        survival.append((float(value), left))
        left -= p
    one = RepBase(1, "Rep 1", quota, Decimal(20_000), exact(1.0), tuple(values), tuple(p_win),
                  tuple(p_in), (), RepHours(500, 4, 0, None, None), tuple(survival))
    still = apply_levers(base(one)).combined.reps[0]
    assert still.probability == still.baseline_probability == exact(1.0)
    trained = lever(apply_levers(base(one), 0, 0.2, 0), "conversion").reps[0]
    assert trained.probability > exact(1.0) + 0.1
    assert trained.probability == pytest.approx(exact(1.2), abs=0.03)


def test_curves_run_from_no_lever_to_the_full_scale():
    curves = lever_curves(base(rep(1, SPARE), rep(2, BOUND)), steps=5)
    assert [c.lever for c in curves] == ["leads", "conversion", "hours"]
    for curve in curves:
        assert curve.sizes == (0.0, 0.25, 0.5, 0.75, 1.0)
        assert curve.revenue[0] == Decimal("48000.00")  # both reps, no lever
        assert [rep_id for rep_id, _ in curve.reps] == [1, 2]
    hours = curves[2]
    assert hours.values[-1] == 10.0
    assert list(hours.revenue) == sorted(hours.revenue)  # more hours never lower revenue


def test_without_hours_history_leads_scale_the_new_pipeline_and_hours_do_nothing():
    unknown = RepHours(100, 4, 10, None, None)
    result = apply_levers(base(rep(1, unknown)), 0.5, 0, 5)
    assert lever(result, "leads").reps[0].revenue == Decimal("29000.00")
    assert lever(result, "hours").reps[0].gain == 0


def test_a_rep_with_no_hours_left_keeps_the_forecast_when_no_lever_moves():
    # capacity used up: today's coverage is read at its floor, and no lever means no change
    drained = RepHours(work_hours=0, weeks=4, leads=10, prospecting_per_lead=2,
                       selling_per_win=20)
    still = apply_levers(base(rep(1, drained))).combined.reps[0]
    assert still.revenue == still.baseline_revenue == Decimal("24000.00")


def test_a_lead_costs_what_the_sources_spent_over_the_year_per_lead_they_brought(manager):
    """From the monthly spend (Settings → Lead spend): 1,200 spent on a source over the
    year, four leads from it → 300 a lead; without any spend, the setting."""
    from app import settings
    from app.deals import DealDraft, create_deal
    from app.forecast.whatif import lever_costs
    from app.reports.spend import put_spend
    from db.models import LeadSource

    today = date.today()
    assert lever_costs(today).per_lead == Decimal(settings.get("whatif_cost_per_lead"))
    fair = LeadSource.create(name="Trade fair", channel="event")
    for n in range(4):
        create_deal(DealDraft(f"Lead {n}", company="Acme", source_id=fair.id), manager)
    put_spend({(fair.id, today.replace(day=1)): "1200"}, manager)
    costs = lever_costs(today)
    assert (costs.per_lead, costs.per_lead_source) == (Decimal("300.00"), "sources")
