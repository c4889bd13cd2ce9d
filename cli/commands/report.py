"""``report (funnel|sources|reps|handoff) [--period P] [--rep NAME] [--source NAME]``: the
Reports view's figures, from the same functions (:mod:`app.reports`).

JSON: ``{"report", "period", "start", "end", "rep", "source", ...}`` and the report's rows
(``stages``; ``sources`` and ``total``; ``reps``, ``team`` and ``trend``; ``ready`` and
``not_ready``). Money as strings of Decimal, rates and shares as fractions (0–1), days as
numbers; a figure with nothing to divide by is ``null`` (printed as "—").
"""

from __future__ import annotations

import argparse
import dataclasses
from decimal import Decimal
from typing import TYPE_CHECKING

from cli.output import emit_json, say

if TYPE_CHECKING:  # only for the annotations: importing it opens peewee
    from cli.context import Context

NAME = "report"
HELP = "the Reports view's figures: funnel, sources, reps (velocity, time) or handoff"
CREATES_DATABASE = False
KINDS = ("funnel", "sources", "reps", "handoff")
RATES = frozenset({"to_next", "to_win", "win_rate", "value_win_rate", "lead_to_win",
                   "return_on_spend", "prospecting_share", "against_target"})
DAYS = frozenset({"average_days", "median_days", "cycle_days", "days_to_close"})
HIDDEN = frozenset({"stage_id", "source_id", "rep_id"})


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=KINDS, help="which report")
    parser.add_argument("--period", metavar="YYYY-Qn|YYYY-MM",
                        help="a fiscal quarter (2026-Q4) or a month (2026-11); "
                             "default: the current quarter")
    parser.add_argument("--rep", metavar="NAME", help="only this rep's deals and hours")
    parser.add_argument("--source", metavar="NAME", help="only this lead source's deals")


def run(args: argparse.Namespace, context: Context) -> int:
    from app import clock, settings
    from app.periods import parse_period, period_of
    from app.reports import ReportScope
    from app.reports.sources import source_named
    from app.users import find_rep

    fiscal = settings.load().fiscal_year_start_month
    period = (parse_period(args.period, fiscal) if args.period
              else period_of(clock.local_today(), "quarter", fiscal))
    rep = find_rep(args.rep) if args.rep else None
    source_id = source_named(args.source) if args.source else None
    scope = ReportScope.of(period, rep.id if rep else None, source_id)
    head = {"report": args.kind, "period": period.label, "start": period.start,
            "end": period.end, "rep": rep.name if rep else None, "source": args.source}
    report = {"funnel": _funnel, "sources": _sources, "reps": _reps, "handoff": _handoff}
    body, text = report[args.kind](scope)
    if args.json:
        emit_json(head | body)
    else:
        scope_text = "".join(f" · {k} {v}" for k, v in (("rep", head["rep"]),
                                                         ("source", args.source)) if v)
        say(f"{args.kind.capitalize()} report for {period.label} ({period.start.isoformat()} "
            f"to {period.end.isoformat()}){scope_text}\n\n{text}")
    return 0


# Each report: (its JSON rows, its text table) for a scope.
def _funnel(scope) -> tuple[dict[str, object], str]:
    from app.reports import funnel

    result = funnel(scope)
    body: dict[str, object] = {"stages": [_row(r) for r in result.rows]}
    return body, _table(("Stage", "Side", "Entered", "Value", "To next", "To win", "Avg days",
                         "Median days", "Lost", "Returned"),
                        [(r.name, r.side, r.entered, r.value, _pct(r.to_next), _pct(r.to_win),
                          r.average_days, r.median_days, r.lost, r.returned)
                         for r in result.rows])


def _sources(scope) -> tuple[dict[str, object], str]:
    from app.reports import source_report

    result = source_report(scope)
    body: dict[str, object] = {"gross_margin": float(result.gross_margin),
                               "sources": [_row(s) for s in result.sources],
                               "total": _row(result.total)}
    return body, _table(("Source", "Leads", "Ready", "Wins", "Won value", "Spend", "Per lead",
                         "Per win", "Lead→win", "Lead value", "Return"),
                        [(s.name, s.leads, s.sales_ready, s.wins, s.won_value, s.spend,
                          s.cost_per_lead, s.cost_per_win, _pct(s.lead_to_win), s.lead_value,
                          _pct(s.return_on_spend))
                         for s in (*result.sources, result.total)])


def _reps(scope) -> tuple[dict[str, object], str]:
    from app.reports import time_and_money, velocity_report

    speed, hours = velocity_report(scope), time_and_money(scope)
    by_rep = {t.rep_id: t for t in hours.reps}
    merged = [(v, by_rep.get(v.rep_id)) for v in speed.reps] + [(speed.team, hours.team)]
    body: dict[str, object] = {
        "target_per_hour": hours.target,
        "reps": [_row(v) | (_row(t) if t else {}) for v, t in merged[:-1]],
        "team": _row(speed.team) | _row(hours.team),
        "trend": [_row(p) for p in speed.trend]}
    text = _table(("Rep", "Won", "Lost", "Win rate", "By value", "Avg won", "Cycle days",
                   "Open", "Velocity/day", "Rev/sell hour", "Prospecting", "Not-ready hours"),
                  [(v.name, v.won, v.lost, _pct(v.win_rate), _pct(v.value_win_rate),
                    v.average_won, v.cycle_days, v.open_deals, v.velocity,
                    t.revenue_per_hour if t else None,
                    _pct(t.prospecting_share) if t else None,
                    t.not_ready_hours if t else None) for v, t in merged])
    return body, text + f"\nTarget: {hours.target:,.2f} per selling hour"


def _handoff(scope) -> tuple[dict[str, object], str]:
    from app.reports import handoff_quality

    result = handoff_quality(scope)
    body: dict[str, object] = {"ready": _row(result.ready), "not_ready": _row(result.not_ready)}
    return body, _table(("", "Handed", "Overridden", "Imported", "Won", "Lost", "Open",
                         "Returned", "Win rate", "Days to win"),
                        [(g.label, g.handed, g.overridden, g.imported, g.won, g.lost, g.open,
                          g.returned, _pct(g.win_rate), g.days_to_close)
                         for g in (result.ready, result.not_ready)])


def _row(figures) -> dict:
    """A report row as JSON: the figures (not the deal ids behind them), rates as
    fractions and days as numbers, money as Decimal (printed as a string)."""
    out = {}
    for field in dataclasses.fields(figures):
        name, value = field.name, getattr(figures, field.name)
        if name.endswith("_ids") or name in HIDDEN:
            continue
        if value is not None and (name in RATES or name in DAYS):
            value = float(value)
        out[name] = value
    return out


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _cell(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if value.as_tuple().exponent == -2 else f"{value:,}"
    return str(value)


def _table(head: tuple[str, ...], rows: list[tuple]) -> str:
    cells = [list(head)] + [[_cell(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(head))]
    return "\n".join(
        "  ".join([r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:],
                                                                         strict=True)])
        for r in cells)
