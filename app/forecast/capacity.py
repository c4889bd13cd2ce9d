"""The capacity model of the what-if (issue 12, DESIGN idea 3): what a lever does to one rep's
deals once the hours it takes are counted. Pure arithmetic, no database.

The model, in plain words, over the rest of the period:

- **Hours a rep has** for prospecting and selling: the hours left in their capacity
  (the forecast's ``hours_available``) less their usual share of other work (admin,
  training), plus the lever's extra selling hours.
- **Hours the work takes**, learned from the activity log per rep (the recent half-year):
  every lead takes ``prospecting hours per lead`` (qualifying and working it), every win
  the period is expected to bring takes ``selling hours per won deal`` (the rep's selling
  hours ÷ their wins, so the hours spent on the deals they lost are in it).
- **Coverage**: the selling hours the deals get ÷ the selling hours they need (wins
  expected × selling hours per won deal), at most 1. Today's coverage is what the forecast's
  chances were learned at; a lever changes it, and **every deal's chance of a win inside the
  period scales with the coverage it gets relative to today's** (a deal that gets less of
  the selling time won deals got is less likely to close in time; more time helps only a
  rep who is short of it). Capped at 1.
- **Extra leads**: they are worked while the rep's spare hours (hours left after today's
  leads and today's deals) can work them, each taking its prospecting hours and the selling
  hours of the wins it brings; a worked lead brings the wins the pipeline not yet created
  brings per lead today. **Leads beyond that are not worked, and the prospecting hours they
  take** (a rep must look at a lead before dropping it) **come out of the deals ready to
  close**, lowering their coverage. So a lead flood on a rep with no spare hours lowers
  revenue; on a rep with spare hours it raises it.
- **Conversion** (training, coaching): every deal's chance of ever being won, and the wins
  the pipeline not yet created brings, times (1 + Y), a chance capped at 1; the hours a deal
  takes do not change.

Without the history to know a rep's hours per lead or per win, the capacity model is off
for that rep: extra leads scale the pipeline not yet created, extra hours change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_COVERAGE = 0.05  # coverage is never read as less than this (no division by nothing)


@dataclass(frozen=True)
class RepHours:
    """One rep's hours over the rest of the period, as the capacity model reads them.

    ``work_hours``: hours left for prospecting and selling; ``leads``: leads expected in the
    rest of the period at today's pace; ``prospecting_per_lead`` and ``selling_per_win``:
    hours, None without the history to know them; ``weeks``: working weeks left."""

    work_hours: float
    weeks: float
    leads: float
    prospecting_per_lead: float | None
    selling_per_win: float | None


@dataclass(frozen=True)
class Effect:
    """What the levers do to one rep: each open deal's chance of a win in the period is
    ``min(1, p_win × conversion) × min(1, p_in_period × scale)``; the pipeline not yet
    created brings ``new_factor`` times today's wins. ``coverage``/``coverage_today``: the
    share of the selling hours the deals need that they get; leads worked and not worked."""

    scale: float
    conversion: float
    new_factor: float
    coverage: float
    coverage_today: float
    leads_worked: float
    leads_unworked: float
    extra_leads: float


def effect(hours: RepHours, open_wins: float, new_wins: float, leads_pct: float,
           conversion_pct: float, extra_hours_per_week: float) -> Effect:
    """The levers' effect on one rep. ``open_wins``/``new_wins``: the wins expected in the
    period from the open deals (Σ p_win × p_in_period) and from the pipeline not yet created
    (Σ Poisson rates). Percentages as fractions (0.5 = +50 %)."""
    conversion = 1.0 + conversion_pct
    extra_leads = max(0.0, leads_pct) * hours.leads
    a, s = hours.prospecting_per_lead, hours.selling_per_win
    if a is None or s is None:  # no history to know the hours by: no capacity limit
        per_lead = 1.0 / hours.leads if hours.leads > 0 else 0.0
        return Effect(1.0, conversion, conversion * (1 + extra_leads * per_lead), 1.0, 1.0,
                      extra_leads, 0.0, extra_leads)
    need = s * (open_wins + new_wins)  # selling hours the deals need
    selling_today = hours.work_hours - a * hours.leads
    available = selling_today + extra_hours_per_week * hours.weeks
    if need <= 0:
        return Effect(1.0, conversion, conversion, 1.0, 1.0, extra_leads, 0.0, extra_leads)
    wins_per_lead = new_wins / hours.leads if hours.leads > 0 else 0.0
    per_lead = a + wins_per_lead * s  # hours one worked lead takes
    spare = available - need
    worked = extra_leads if per_lead <= 0 else min(extra_leads, max(0.0, spare) / per_lead)
    unworked = extra_leads - worked
    for_deals = available - worked * per_lead - unworked * a
    today = _covered(selling_today, need)
    coverage = _covered(for_deals, need)
    scale = coverage / today
    new_factor = conversion * (scale + (worked / hours.leads if hours.leads > 0 else 0.0))
    return Effect(scale, conversion, new_factor, coverage, today, worked, unworked, extra_leads)


def _covered(hours: float, need: float) -> float:
    """The share of the needed selling hours that ``hours`` cover, from
    :data:`MIN_COVERAGE` to 1 (today's and a lever's alike, so no lever changes nothing)."""
    return min(1.0, max(MIN_COVERAGE, hours / need))
