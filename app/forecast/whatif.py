"""What-if — lead generation or sales training? (issue 12)

Three levers side by side — **+X % leads**, **+Y % conversion** (training, coaching), **+Z
selling hours per rep per week** (an assistant, less admin) — each with a cost, and for each
lever, each rep and the team: the revenue projected in the period, the probability of quota,
the cost and the revenue gained per unit of money.

Split for a slider:

- :func:`prepare_whatif` reads the database once (call it on the database worker): the
  period's forecast, each rep's hours figures, the levers' costs. It returns a
  :class:`WhatIfBase`, frozen and safe to hand to the GUI thread.
- :func:`apply_levers` is pure arithmetic on that base (no database; a few milliseconds for
  thousands of deals): call it on every slider tick. :func:`lever_curves` gives the
  probability of quota against each lever's size for the chart.

What a lever does to a rep's deals is the capacity model of :mod:`.capacity`. The probability
of quota under a lever: the forecast's own distribution of the won value (exact or bucketed,
see :mod:`.distribution`) moved and stretched to the lever's mean and variance (a
location-scale map, which keeps its lumps and skew), read as the forecast's probability plus
the change the map makes — so with no lever it is the forecast's figure exactly.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from app.forecast.capacity import Effect, RepHours, effect
from app.forecast.engine import HISTORY_DAYS, compute_forecast
from app.forecast.types import Outlook
from app.money import CENT
from app.periods import Period
from app.time_figures import period_figures
from app.timesheet import working_days

LEVERS = ("leads", "conversion", "hours")
HOURS_FULL_SCALE = 10.0  # the hours lever's curve runs from 0 to this many hours a week
LEVER_LABELS = {"leads": "Lead generation", "conversion": "Training",
                "hours": "More selling hours"}


@dataclass(frozen=True)
class LeverCosts:
    """What a lever costs: a lead (from what the sources cost, or the setting when no source
    has a cost), training that raises one rep's conversion by 10 %, one selling hour."""

    per_lead: Decimal
    per_lead_source: str  # "sources" or "setting": where ``per_lead`` came from
    training_per_rep: Decimal
    per_hour: Decimal


@dataclass(frozen=True)
class RepBase:
    """One rep's inputs to the what-if, read once. The deals as parallel tuples (value,
    chance of ever being won, chance a win lands in the period); the pipeline not yet
    created as (wins expected, average value) groups; ``hours`` for the capacity model;
    ``mean``/``variance`` and ``survival`` (value, P(won ≥ value)) of the forecast's own
    distribution."""

    rep_id: int | None
    rep_name: str
    quota: Decimal | None
    won: Decimal
    probability: float | None
    values: tuple[float, ...]
    p_win: tuple[float, ...]
    p_in: tuple[float, ...]
    new_parts: tuple[tuple[float, float], ...]
    hours: RepHours
    survival: tuple[tuple[float, float], ...]
    open_wins: float = field(init=False)
    new_wins: float = field(init=False)
    mean: float = field(init=False)
    variance: float = field(init=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: derived fields are set once, here
        set_(self, "open_wins", sum(w * i for w, i in zip(self.p_win, self.p_in, strict=True)))
        set_(self, "new_wins", sum(rate for rate, _ in self.new_parts))
        mean, variance = _sum_moments(self, 1.0, 1.0, 1.0)
        set_(self, "mean", mean)
        set_(self, "variance", variance)


@dataclass(frozen=True)
class WhatIfBase:
    """Everything :func:`apply_levers` needs: the reps (``reps``), what nobody in particular
    won, has open or brings new (``unowned``, untouched by the levers but in the team's
    total), the team's quota, forecast probability and distribution (``team``, its deals
    empty), and the costs."""

    period: Period
    as_of: date
    reps: tuple[RepBase, ...]
    unowned: RepBase | None
    team: RepBase
    costs: LeverCosts


@dataclass(frozen=True)
class Projection:
    """One rep's (``rep_id`` None: the team's) figures under one set of levers.

    ``revenue``: expected won value in the period; ``gain``: against no lever; ``cost`` of
    the lever(s); ``return_per_money``: gain ÷ cost (None when nothing is spent);
    ``leads_worked``/``leads_unworked``: of the extra leads; ``coverage``: share of the
    selling hours the deals need that they get (1 = all; today's in ``coverage_today``)."""

    rep_id: int | None
    rep_name: str
    quota: Decimal | None
    revenue: Decimal
    baseline_revenue: Decimal
    gain: Decimal
    probability: float | None
    baseline_probability: float | None
    cost: Decimal
    return_per_money: float | None
    extra_leads: float
    leads_worked: float
    leads_unworked: float
    coverage: float
    coverage_today: float


@dataclass(frozen=True)
class LeverResult:
    """One lever (``lever`` in :data:`LEVERS`, or "all" for the three together) at ``size``
    (a fraction for leads and conversion, hours a week for hours): per rep and the team."""

    lever: str
    size: float
    reps: tuple[Projection, ...]
    team: Projection


@dataclass(frozen=True)
class WhatIfResult:
    """The three levers side by side (``levers``, each alone), the three together
    (``combined``), and which pays best in one sentence (``best``: the lever name or None;
    ``summary``)."""

    period: Period
    levers: tuple[LeverResult, ...]
    combined: LeverResult
    best: str | None
    summary: str


@dataclass(frozen=True)
class LeverCurve:
    """The probability of quota (team, and per rep as (rep id, probabilities)) and the team's
    revenue against one lever's size: ``sizes`` as fractions 0…1 of the lever's full scale
    (+100 % leads or conversion, +:data:`HOURS_FULL_SCALE` hours a week), ``values`` in the
    lever's own unit."""

    lever: str
    sizes: tuple[float, ...]
    values: tuple[float, ...]
    team: tuple[float | None, ...]
    revenue: tuple[Decimal, ...]
    reps: tuple[tuple[int | None, tuple[float | None, ...]], ...]


# ---- reading (database worker) ---------------------------------------------------------------


def prepare_whatif(period: Period, as_of: date | None = None) -> WhatIfBase:
    """Read the period's forecast, the reps' hours figures and the levers' costs once."""
    forecast = compute_forecast(period, as_of)
    as_of = forecast.as_of
    window = period_figures(as_of - timedelta(days=HISTORY_DAYS - 1), as_of)
    figures = {f.rep_id: f for f in window.reps}
    start = max(as_of + timedelta(days=1), period.start)
    weeks = working_days(start, period.end) / 5 if start <= period.end else 0.0
    reps = []
    owned: set[int] = set()
    for outlook in forecast.reps:
        owned.update(d.deal_id for d in outlook.deals)
        reps.append(_rep_base(outlook, _hours(outlook, figures.get(outlook.rep_id), weeks)))
    stray = [d for d in forecast.team.deals if d.deal_id not in owned]
    # the team's pipeline not yet created less the reps': what nobody in particular brings
    parts = Counter(forecast.team.new_pipeline_parts)
    parts.subtract(part for o in forecast.reps for part in o.new_pipeline_parts)
    stray_parts = tuple(part for part, n in parts.items() for _ in range(max(n, 0)))
    stray_won = forecast.team.won - sum((o.won for o in forecast.reps), Decimal(0))
    unowned = None
    if stray or stray_parts or stray_won:
        unowned = _from_deals(None, "Nobody", None, stray_won, None, stray, stray_parts,
                              RepHours(0.0, weeks, 0.0, None, None), ())
    team = _rep_base(forecast.team, RepHours(0.0, weeks, 0.0, None, None), with_deals=False)
    return WhatIfBase(period, as_of, tuple(reps), unowned, team, lever_costs(as_of))


def lever_costs(today: date) -> LeverCosts:
    """The levers' costs: a lead's from what the lead sources cost over the twelve months
    to ``today``'s (their monthly spend in whole months, this one included:
    :func:`app.reports.spend.spend_in`) ÷ the leads those sources brought since; the setting
    when no source had spend. Training and hours from the settings."""
    from app import settings
    from app.reports.spend import add_months, month_start, spend_in
    from db.models import Deal

    start = add_months(month_start(today), -11)
    end = add_months(month_start(today), 1) - timedelta(days=1)
    spent = {source: amount for source, amount in spend_in(start, end).items() if amount > 0}
    total = sum(spent.values(), Decimal(0))
    leads = Deal.select().where(
        Deal.source.in_(list(spent)),
        Deal.created_at >= datetime.combine(start, time()),
    ).count() if total else 0
    if total and leads:
        per_lead, origin = (total / leads).quantize(CENT), "sources"
    else:
        per_lead, origin = Decimal(settings.get("whatif_cost_per_lead")), "setting"
    return LeverCosts(per_lead, origin, Decimal(settings.get("whatif_training_cost_per_rep")),
                      Decimal(settings.get("whatif_hourly_cost")))


def _hours(outlook: Outlook, figures, weeks: float) -> RepHours:
    available = outlook.hours_available or 0.0
    if figures is None:
        return RepHours(available, weeks, 0.0, None, None)
    total = float(figures.total)
    other = float(figures.hours["other"]) / total if total else 0.0
    leads = figures.leads_created * 7 / HISTORY_DAYS * weeks
    per_lead = figures.prospecting_hours_per_lead
    per_win = figures.selling_hours_per_win
    return RepHours(available * (1 - other), weeks, leads,
                    float(per_lead) if per_lead is not None else None,
                    float(per_win) if per_win is not None else None)


def _rep_base(outlook: Outlook, hours: RepHours, with_deals: bool = True) -> RepBase:
    return _from_deals(outlook.rep_id, outlook.rep_name, outlook.quota, outlook.won,
                       outlook.probability, outlook.deals if with_deals else (),
                       outlook.new_pipeline_parts if with_deals else (), hours,
                       outlook.distribution)


def _from_deals(rep_id, name, quota, won, probability, deals, parts, hours, points) -> RepBase:
    return RepBase(rep_id, name, quota, won, probability,
                   tuple(float(d.value) for d in deals), tuple(d.p_win for d in deals),
                   tuple(d.p_in_period for d in deals),
                   tuple((rate, float(value)) for rate, value in parts), hours,
                   _survival(points))


def _survival(points) -> tuple[tuple[float, float], ...]:
    """(value, P(sum ≥ value)) at each point of the forecast's distribution."""
    out = []
    remaining = sum(p for _, p in points)
    for value, p in points:
        out.append((float(value), min(1.0, remaining)))
        remaining -= p
    return tuple(out)


# ---- the levers (pure) -----------------------------------------------------------------------


def apply_levers(base: WhatIfBase, leads_pct: float = 0.0, conversion_pct: float = 0.0,
                 extra_hours_per_week: float = 0.0) -> WhatIfResult:
    """Each lever alone and the three together, per rep and for the team. ``leads_pct`` and
    ``conversion_pct`` as fractions (0.5 = +50 %), ``extra_hours_per_week`` per rep. Touches
    no database."""
    sizes = {"leads": leads_pct, "conversion": conversion_pct, "hours": extra_hours_per_week}
    levers = tuple(_lever(base, name, sizes[name], *_alone(name, sizes[name]))
                   for name in LEVERS)
    combined = _lever(base, "all", 0.0, leads_pct, conversion_pct, extra_hours_per_week)
    best, summary = _best(levers)
    return WhatIfResult(base.period, levers, combined, best, summary)


def lever_curves(base: WhatIfBase, steps: int = 11) -> tuple[LeverCurve, ...]:
    """The probability of quota and the team's revenue against each lever's size, at
    ``steps`` sizes evenly from 0 to the lever's full scale."""
    fractions = tuple(i / (steps - 1) for i in range(steps)) if steps > 1 else (0.0,)
    curves = []
    for name in LEVERS:
        scale = HOURS_FULL_SCALE if name == "hours" else 1.0
        results = [_lever(base, name, f * scale, *_alone(name, f * scale)) for f in fractions]
        reps = tuple((p.rep_id, tuple(r.reps[i].probability for r in results))
                     for i, p in enumerate(results[0].reps))
        curves.append(LeverCurve(name, fractions, tuple(f * scale for f in fractions),
                                 tuple(r.team.probability for r in results),
                                 tuple(r.team.revenue for r in results), reps))
    return tuple(curves)


def _alone(name: str, size: float) -> tuple[float, float, float]:
    return (size if name == "leads" else 0.0, size if name == "conversion" else 0.0,
            size if name == "hours" else 0.0)


def _lever(base: WhatIfBase, name: str, size: float, leads: float, conversion: float,
           hours: float) -> LeverResult:
    projections = []
    team = [0.0, 0.0, 0.0, 0.0]  # mean and variance, today's mean and variance
    cost_total = Decimal(0)
    leads_extra = leads_worked = leads_unworked = need = got = got_today = 0.0
    for rep in base.reps:
        wins = rep.open_wins + rep.new_wins
        fx = effect(rep.hours, rep.open_wins, rep.new_wins, leads, conversion, hours)
        moments = (*_moments_under(rep, fx),
                   rep.mean, rep.variance)
        cost = _cost(base.costs, fx, conversion, hours, rep.hours.weeks)
        projections.append(_projection(rep, *moments, cost, fx))
        team = [t + m for t, m in zip(team, moments, strict=True)]
        cost_total += cost
        leads_extra += fx.extra_leads
        leads_worked += fx.leads_worked
        leads_unworked += fx.leads_unworked
        need += wins
        got += wins * fx.coverage
        got_today += wins * fx.coverage_today
    if base.unowned is not None:
        nobody = base.unowned
        team = [t + m for t, m in zip(team, (nobody.mean, nobody.variance) * 2, strict=True)]
    team_fx = Effect(1.0, 1.0, 1.0, got / need if need else 1.0,
                     got_today / need if need else 1.0, leads_worked, leads_unworked,
                     leads_extra)
    mean, variance, mean0, var0 = team
    return LeverResult(name, size, tuple(projections),
                       _projection(base.team, mean, variance, mean0, var0, cost_total, team_fx))


def _moments_under(rep: RepBase, fx: Effect) -> tuple[float, float]:
    if fx.scale == fx.conversion == fx.new_factor == 1.0:
        return rep.mean, rep.variance
    return _sum_moments(rep, fx.scale, fx.conversion, fx.new_factor)


def _sum_moments(rep: RepBase, scale: float, conversion: float, new_factor: float
                 ) -> tuple[float, float]:
    """Mean and variance of the won value: independent wins of the open deals at their
    lever-changed chances, plus Poisson wins of the pipeline not yet created."""
    mean, var = float(rep.won), 0.0
    for v, w, i in zip(rep.values, rep.p_win, rep.p_in, strict=True):
        p = min(1.0, w * conversion) * min(1.0, i * scale)
        mean += v * p
        var += v * v * p * (1 - p)
    for rate, value in rep.new_parts:
        lam = rate * new_factor
        mean += lam * value
        var += lam * value * value
    return mean, var


def _cost(costs: LeverCosts, fx: Effect, conversion: float, hours: float,
          weeks: float) -> Decimal:
    leads = costs.per_lead * Decimal(str(round(fx.extra_leads, 4)))
    training = costs.training_per_rep * Decimal(str(round(max(0.0, conversion) / 0.10, 6)))
    bought = costs.per_hour * Decimal(str(round(max(0.0, hours) * weeks, 4)))
    return (leads + training + bought).quantize(CENT)


def _projection(rep: RepBase, mean: float, variance: float, mean0: float, var0: float,
                cost: Decimal, fx: Effect) -> Projection:
    revenue = _money(mean)
    baseline = _money(mean0)
    gain = revenue - baseline
    back = float(gain) / float(cost) if cost > 0 else None
    return Projection(rep.rep_id, rep.rep_name, rep.quota, revenue, baseline, gain,
                      _probability(rep, mean0, var0, mean, variance), rep.probability, cost,
                      back, fx.extra_leads, fx.leads_worked, fx.leads_unworked, fx.coverage,
                      fx.coverage_today)


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


def _probability(rep: RepBase, mean0: float, var0: float, mean: float, var: float
                 ) -> float | None:
    """P(won ≥ quota) under the lever: the forecast's probability plus the change that moving
    and stretching the forecast's distribution from (mean0, var0) to (mean, var) makes."""
    if rep.quota is None or rep.probability is None:
        return None
    if not rep.survival or var0 <= 0:
        return rep.probability
    quota = float(rep.quota)
    if var <= 0:
        threshold = -math.inf if mean >= quota else math.inf
    else:
        threshold = mean0 + (quota - mean) * math.sqrt(var0 / var)
    moved = _survival_at(rep.survival, threshold) - _survival_at(rep.survival, quota)
    return min(1.0, max(0.0, rep.probability + moved))


def _survival_at(survival: tuple[tuple[float, float], ...], x: float) -> float:
    """P(sum ≥ x), linear between the distribution's points."""
    if x <= survival[0][0]:
        return 1.0 if x == -math.inf else survival[0][1]
    if x > survival[-1][0]:
        return 0.0
    i = bisect.bisect_left(survival, (x, -1.0))
    (x0, s0), (x1, s1) = survival[i - 1], survival[i]
    return s1 + (s0 - s1) * (x1 - x) / (x1 - x0)


def _best(levers: tuple[LeverResult, ...]) -> tuple[str | None, str]:
    """Which lever pays best for the team, in one sentence."""
    tried = [r for r in levers if r.size > 0]
    if not tried:
        return None, "Set a lever to compare what each one brings for what it costs."
    paying = [(r.team.return_per_money, r) for r in tried
              if r.team.gain > 0 and r.team.return_per_money is not None]
    if not paying:
        return None, ("No lever pays in this period: none raises the expected revenue for "
                      "what it costs.")
    ratio, best = max(paying, key=lambda pair: pair[0])
    others = [f"{LEVER_LABELS[r.lever].lower()} {_ratio(r.team)}" for r in tried
              if r is not best]
    tail = f" (against {', '.join(others)})" if others else ""
    return best.lever, (
        f"{LEVER_LABELS[best.lever]} pays best: each 1 spent brings "
        f"{ratio:,.2f} more revenue in the period{tail}.")


def _ratio(p: Projection) -> str:
    return "—" if p.return_per_money is None else f"{p.return_per_money:,.2f}"
