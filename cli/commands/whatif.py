"""``whatif [--period P] [--leads PCT] [--conversion PCT] [--hours H]``: lead generation or
sales training? Each lever alone and the three together, per rep and for the team: revenue
projected in the period, probability of quota, cost and return per unit of money, and which
lever pays best (issue 12; the model is in app/forecast/capacity.py).

JSON: ``{"period", "as_of", "costs", "best", "summary", "levers": [{"lever", "size", "reps":
[...], "team": {...}}], "combined": {...}}``; money as strings of Decimal, probabilities and
percentages as fractions 0–1.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.output import emit_json, say

if TYPE_CHECKING:  # only for the annotations: importing it opens peewee
    from cli.context import Context

NAME = "whatif"
HELP = "what +leads, +conversion or +selling hours would bring, cost and return"
CREATES_DATABASE = False


def _amount(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1000:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not a lever size: write a number from 0 to 1000, e.g. 20.")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", metavar="YYYY-Qn|YYYY-MM",
                        help="a fiscal quarter (2026-Q4) or a month (2026-11); "
                             "default: the current quarter")
    parser.add_argument("--leads", type=_amount, default=20.0, metavar="PCT",
                        help="more leads, in per cent (default 20)")
    parser.add_argument("--conversion", type=_amount, default=10.0, metavar="PCT",
                        help="better conversion from training, in per cent (default 10)")
    parser.add_argument("--hours", type=_amount, default=2.0, metavar="H",
                        help="more selling hours per rep per week (default 2)")


def run(args: argparse.Namespace, context: Context) -> int:
    from app import clock, settings
    from app.forecast import apply_levers, parse_period, period_of, prepare_whatif

    fiscal = settings.load().fiscal_year_start_month
    period = (parse_period(args.period, fiscal) if args.period
              else period_of(clock.local_today(), "quarter", fiscal))
    base = prepare_whatif(period)
    result = apply_levers(base, args.leads / 100, args.conversion / 100, args.hours)
    if args.json:
        emit_json(as_json(base, result))
    else:
        say(describe(base, result))
    return 0


def _projection(p) -> dict:
    return {
        "rep": p.rep_name, "quota": p.quota, "revenue": p.revenue,
        "baseline_revenue": p.baseline_revenue, "gain": p.gain,
        "probability": p.probability, "baseline_probability": p.baseline_probability,
        "cost": p.cost, "return_per_money": p.return_per_money,
        "extra_leads": p.extra_leads, "leads_worked": p.leads_worked,
        "leads_unworked": p.leads_unworked, "coverage": p.coverage,
        "coverage_today": p.coverage_today,
    }


def _lever(result) -> dict:
    return {"lever": result.lever, "size": result.size,
            "reps": [_projection(p) for p in result.reps], "team": _projection(result.team)}


def as_json(base, result) -> dict:
    return {
        "period": base.period.label,
        "as_of": base.as_of,
        "costs": {"per_lead": base.costs.per_lead, "per_lead_from": base.costs.per_lead_source,
                  "training_per_rep": base.costs.training_per_rep,
                  "per_hour": base.costs.per_hour},
        "best": result.best,
        "summary": result.summary,
        "levers": [_lever(r) for r in result.levers],
        "combined": _lever(result.combined),
    }


def _size(lever) -> str:
    if lever.lever == "hours":
        return f"+{lever.size:g} selling hours a week"
    if lever.lever == "leads":
        return f"+{lever.size:.0%} leads"
    if lever.lever == "conversion":
        return f"+{lever.size:.0%} conversion"
    return "all three together"


def _p(value) -> str:
    return "—" if value is None else f"{value:.0%}"


def describe(base, result) -> str:
    """A table per lever (reps and team), then which lever pays best."""
    lines = [f"What-if for {base.period.label} as of {base.as_of.isoformat()}: a lead costs "
             f"{base.costs.per_lead:,.2f} (from the {base.costs.per_lead_source}), training "
             f"{base.costs.training_per_rep:,.0f} per rep for +10 % conversion, an hour "
             f"{base.costs.per_hour:,.2f}."]
    head = ("", "Revenue", "Today", "Gain", "P(quota)", "Today", "Cost", "Return",
            "Leads worked")
    for lever in (*result.levers, result.combined):
        rows = [head]
        for p in (*lever.reps, lever.team):
            rows.append((p.rep_name, f"{p.revenue:,.0f}", f"{p.baseline_revenue:,.0f}",
                         f"{p.gain:+,.0f}", _p(p.probability), _p(p.baseline_probability),
                         f"{p.cost:,.0f}",
                         "—" if p.return_per_money is None else f"{p.return_per_money:,.2f}",
                         f"{p.leads_worked:.1f} of {p.extra_leads:.1f}"
                         if p.extra_leads else "—"))
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        lines += ["", _size(lever)]
        lines += ["  ".join([r[0].ljust(widths[0])]
                            + [c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)])
                  for r in rows]
    lines += ["", result.summary]
    return "\n".join(lines)
