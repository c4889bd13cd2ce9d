"""Assembles the forecast of a period: per rep and for the team.

Reads the database (call it on the database worker). See :mod:`app.forecast` for the
contract of each figure.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from peewee import fn

from app import clock
from app.activities import day_start_utc
from app.errors import ValidationError
from app.forecast.distribution import win_distribution
from app.forecast.history import (
    Cutoff,
    Log,
    RunRate,
    StageFacts,
    blend,
    history_at,
    load_log,
)
from app.forecast.model import Model, value_bands
from app.forecast.types import DealChance, Forecast, Outlook, StageRate
from app.forecast.verdict import Needs, Rates, needs, verdict
from app.money import CENT
from app.periods import Period
from app.quotas import quotas_in_force
from app.time_figures import period_figures
from app.timesheet import ZERO, capacity_for
from db.models import Activity, Rep

HISTORY_DAYS = 182  # the recent half-year of hours, wins and leads behind leads and hours


def compute_forecast(period: Period, as_of: date | None = None) -> Forecast:
    """The forecast of ``period`` as it stood at the end of ``as_of`` (default: today),
    from the history before then. A day after today is refused: the future's event log is
    not written yet, and a forecast "as of" it would call a running period finished."""
    today = clock.local_today()
    if as_of is not None and as_of > today:
        raise ValidationError(
            f"A forecast as of {as_of.isoformat()} cannot be made yet: pick today "
            f"({today.isoformat()}) or an earlier day.", field="as_of")
    cutoff = Cutoff.at(as_of or today, today)
    return forecast_from_log(load_log(cutoff), period, cutoff)


def forecast_from_log(log: Log, period: Period, cutoff: Cutoff) -> Forecast:
    """The forecast of ``period`` at ``cutoff`` from ``log`` (read up to that cutoff or a
    later one): several cutoffs share one read of the log."""
    as_of = cutoff.as_of
    facts = log.facts
    history = history_at(log, cutoff)
    rates = stage_rates(facts, history.passed)
    deals = history.open_deals()
    thresholds = value_bands([d.value for d in deals])
    model = Model(facts, {r.stage_id: r.blended for r in rates.values()},
                  {r.stage_id: r.n for r in rates.values()}, history.visits(thresholds),
                  history.slips(), thresholds)
    start_moment = day_start_utc(period.start)
    end_moment = day_start_utc(period.end + timedelta(days=1))
    by_rep: dict[int | None, list[DealChance]] = defaultdict(list)
    for deal in deals:
        rate = rates.get(deal.stage_id)
        if rate is None:
            continue
        p_win, p_in = model.chance(deal, cutoff.moment, as_of, period.start, period.end,
                                   start_moment, end_moment)
        by_rep[deal.owner_id].append(DealChance(
            deal.deal_id, deal.uuid, deal.title, deal.company, rate.stage_name, deal.value,
            rate, p_win, p_in, (deal.value * Decimal(p_win * p_in)).quantize(CENT),
            deal.expected_close))
    won = history.won_between(start_moment, end_moment)
    new_pipeline = history.run_rates(period)
    ended = cutoff.moment >= end_moment
    quotas = quotas_in_force(period)
    window = period_figures(as_of - timedelta(days=HISTORY_DAYS - 1), as_of)
    figures = {f.rep_id: f for f in window.reps}
    reps = _reps_shown(set(by_rep) | set(won) | set(quotas))
    outlooks = []
    for rep_id, name, weekly in reps:
        available = _hours_available(weekly, as_of, period, rep_id, cutoff.live)
        runs = [new_pipeline[rep_id]] if rep_id in new_pipeline else []
        outlooks.append(_outlook(rep_id, name, quotas.get(rep_id), won.get(rep_id, ZERO),
                                 by_rep.get(rep_id, []), runs, _rates(figures.get(rep_id)),
                                 available, ended))
    team_deals = [d for ds in by_rep.values() for d in ds]
    team_available = sum((o.hours_available or 0.0 for o in outlooks), 0.0)
    team = _outlook(None, "Team", quotas.get(None), sum(won.values(), ZERO), team_deals,
                    list(new_pipeline.values()), _rates(window.team), team_available, ended)
    return Forecast(period, as_of, tuple(outlooks), team, tuple(rates.values()))


def stage_rates(facts: dict[int, StageFacts], counts: dict[int, dict[str, int]]
                ) -> dict[int, StageRate]:
    """stage id -> its rate as shown: the manager's, history's, and the blend (open sales
    stages, in pipeline order)."""
    rates = {}
    for s in facts.values():
        if s.outcome != "open" or s.side != "sales":
            continue
        c = counts.get(s.id, {"won": 0, "lost": 0, "open": 0})
        closed = c["won"] + c["lost"]
        manager = s.probability / 100
        rates[s.id] = StageRate(s.id, s.name, manager, c["won"] / closed if closed else None,
                                closed, blend(c["won"], closed, manager))
    return rates


def _reps_shown(involved: set[int | None]) -> list[tuple[int, str, Decimal]]:
    query = (Rep.select(Rep.id, Rep.name, Rep.weekly_capacity_hours)
             .where(((Rep.active == True) & (Rep.role == "rep"))
                    | Rep.id.in_([r for r in involved if r is not None]))
             .order_by(Rep.name))
    return list(query.tuples())


def _rates(figures) -> Rates:
    if figures is None:
        return Rates(None, None, None, None)
    average = (figures.won_value / figures.won_deals).quantize(CENT) if figures.won_deals \
        else None
    lead_to_win = figures.won_deals / figures.leads_created if figures.leads_created else None
    selling = figures.selling_hours_per_win
    prospecting = figures.prospecting_hours_per_lead
    return Rates(average, lead_to_win, float(selling) if selling is not None else None,
                 float(prospecting) if prospecting is not None else None)


def _hours_available(weekly: Decimal, as_of: date, period: Period, rep_id: int,
                     live: bool) -> float:
    """The rep's capacity over the working days left in the period, minus the hours already
    logged ahead for those days. As of a past date the log cannot say what had been logged
    ahead then, so nothing is taken off."""
    start = max(as_of + timedelta(days=1), period.start)
    if start > period.end:
        return 0.0
    capacity = capacity_for(weekly, start, period.end)
    logged = ZERO
    if live:
        ahead = (Activity.select(fn.SUM(Activity.hours))
                 .where(Activity.rep == rep_id, Activity.date.between(start, period.end)))
        logged = Activity.hours.from_units(ahead.scalar()) or ZERO
    return float(max(ZERO, capacity - logged))


def _outlook(rep_id, name, quota, won, deals, runs: list[RunRate], rates: Rates,
             available, ended: bool) -> Outlook:
    deals = sorted(deals, key=lambda d: d.expected, reverse=True)
    open_expected = sum((d.expected for d in deals), ZERO)
    new_expected = sum((r.expected for r in runs), ZERO)
    expected = won + open_expected + new_expected
    dist = win_distribution(((float(d.value), d.p_win * d.p_in_period) for d in deals),
                            shift=float(won),
                            poisson=[(rate, float(value)) for r in runs for rate, value in r.parts])
    probability = dist.prob_at_least(float(quota)) if quota is not None else None
    need = needs(quota, expected, rates) if quota is not None else Needs(ZERO, None, None)
    ceiling = won + sum((d.value for d in deals if d.p_in_period > 0), ZERO) + new_expected
    label, reason = verdict(quota, probability, ceiling, need, available, ended=ended)
    return Outlook(rep_id, name, quota, won, open_expected, new_expected, expected, probability,
                   need.gap, need.leads_needed, need.hours_needed, available, label, reason,
                   tuple(deals), dist.points(),
                   tuple(part for r in runs for part in r.parts))
