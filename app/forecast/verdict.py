"""Gap, leads and hours needed, and the verdict with its one-sentence reason.

Why: a probability alone does not tell a manager what to do. The verdict says whether the
fix is more pipeline (the hours exist to work the leads needed), more selling time or
better conversion (the hours needed exceed the hours left: more leads will not help), or
nothing (on track), or whether the quota is out of reach.

Rules, in order:

- no quota → ``no quota``;
- a period that is over: quota reached → ``on track``, else ``out of reach`` (saying what
  was won);
- probability of reaching quota ≥ :data:`ON_TRACK` → ``on track``;
- won + every open deal's full value + the pipeline usually created in the rest of the
  period < quota → ``out of reach``;
- no gap (the expected value covers the quota) yet under :data:`ON_TRACK` → ``needs more
  pipeline``, saying the quota is covered but the chance is only that;
- hours needed (for the leads needed) > hours available → ``capacity-bound``;
- otherwise → ``needs more pipeline``.

Leads needed = gap ÷ (average won value × lead-to-win rate); hours needed = leads needed ×
prospecting hours per lead + wins needed × selling hours per won deal, wins needed = leads
needed × lead-to-win rate. Without the history to know a ratio, the figures that need it
are None and the verdict falls back to ``needs more pipeline`` with a reason that says so.

Sentences count leads and hours in words that agree ("1 more lead"; a gap needs at least
one) and show chances as the cards do (:func:`whole_percent`: "<1 %", ">99 %").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.timesheet import ZERO

ON_TRACK = 0.8


@dataclass(frozen=True)
class Rates:
    """A rep's (or the team's) recent selling numbers; None where there is no history."""

    average_won_value: Decimal | None
    lead_to_win: float | None
    selling_hours_per_win: float | None
    prospecting_hours_per_lead: float | None


@dataclass(frozen=True)
class Needs:
    """``leads_needed`` is a whole count: the gap's leads rounded, and at least one while
    there is a gap (a part of a lead is still a lead to find). Every place that shows it —
    card, sentence, command line, workbook — reads this one figure."""

    gap: Decimal
    leads_needed: int | None
    hours_needed: float | None


def needs(quota: Decimal | None, expected: Decimal, rates: Rates) -> Needs:
    """The gap between the quota and the expected won value, and what closing it takes."""
    if quota is None:
        return Needs(ZERO, None, None)
    gap = max(ZERO, quota - expected)
    if not gap:
        return Needs(gap, 0, 0.0)
    if not rates.average_won_value or not rates.lead_to_win:
        return Needs(gap, None, None)
    wins = float(gap / rates.average_won_value)
    leads = wins / rates.lead_to_win
    whole = max(1, round(leads))
    if rates.selling_hours_per_win is None or rates.prospecting_hours_per_lead is None:
        return Needs(gap, whole, None)
    hours = leads * rates.prospecting_hours_per_lead + wins * rates.selling_hours_per_win
    return Needs(gap, whole, hours)


def verdict(quota: Decimal | None, probability: float | None, ceiling: Decimal,
            need: Needs, hours_available: float | None, *,
            ended: bool = False) -> tuple[str, str]:
    """(verdict, reason). ``ceiling``: won + every open deal + the usual new pipeline;
    ``ended``: the period is over (``ceiling`` is then what was won)."""
    if quota is None or probability is None:
        return "no quota", "No quota is set for this period."
    prefix, number = whole_percent(probability)
    chance = f"{prefix}{number} %"
    if ended:
        if ceiling >= quota:
            return "on track", f"The period ended with {_money(ceiling)} won, quota reached."
        return "out of reach", (
            f"The period ended with {_money(ceiling)} won of the {_money(quota)} quota.")
    if probability >= ON_TRACK:
        return "on track", (
            f"The chance of reaching quota from what is won and open is {chance}.")
    if ceiling < quota:
        return "out of reach", (
            f"Even winning every open deal reaches only {_money(ceiling)} of the "
            f"{_money(quota)} quota.")
    if not need.gap:
        return "needs more pipeline", (
            f"The expected wins cover the {_money(quota)} quota, but the chance of reaching "
            f"it is only {chance} because the total rests on deals that may not close in "
            f"time: more pipeline gives it a margin.")
    if (need.leads_needed is not None and need.hours_needed is not None
            and hours_available is not None and need.hours_needed > hours_available):
        left = round(max(hours_available, 0))
        return "capacity-bound", (
            f"The {_leads(need.leads_needed)} needed would take "
            f"{_count(need.hours_needed, 'hour')} but only {left} {'is' if left == 1 else 'are'}"
            f" left: raise conversion or free selling time, more leads will not help.")
    if need.leads_needed is None:
        return "needs more pipeline", (
            f"The chance of reaching quota is {chance}; too little history to say how many "
            f"leads close the {_money(need.gap)} gap.")
    hours = (f" ({need.hours_needed:.0f} of the {_count(hours_available, 'hour')} left)"
             if need.hours_needed is not None and hours_available is not None else "")
    leads = _leads(need.leads_needed)
    close = "closes" if leads.startswith("1 ") else "close"
    return "needs more pipeline", (
        f"The chance of reaching quota is {chance}: about {leads} {close} the "
        f"{_money(need.gap)} gap{hours}.")


def whole_percent(probability: float) -> tuple[str, int]:
    """A probability as a whole percent with its prefix: ("<", 1) and (">", 99) rather than
    a misleading 0 or 100 when it is merely very small or very large; ("", n) otherwise.
    The cards and the sentences both read it."""
    if 0 < probability < 0.005:
        return "<", 1
    if 0.995 <= probability < 1:
        return ">", 99
    return "", round(probability * 100)


def _leads(count: int) -> str:
    """"1 more lead", "8 more leads"."""
    return _count(count, "more lead")


def _count(value: float, noun: str) -> str:
    whole = round(value)
    return f"{whole} {noun}" if whole == 1 else f"{whole} {noun}s"


def _money(value: Decimal) -> str:
    return f"{value:,.0f}"
