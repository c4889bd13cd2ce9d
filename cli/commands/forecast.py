"""``forecast [--period YYYY-Qn|YYYY-MM] [--as-of YYYY-MM-DD]``: each rep's and the team's
outlook for a period — quota, won, expected, probability of quota, gap, leads and hours
needed, verdict and reason.

JSON: ``{"period", "as_of", "reps": [{"rep", ...}], "team": {...}}``; money as strings of
Decimal, probabilities as fractions 0–1.

``forecast --history``: the track record instead — for each closed past quarter with quotas,
what the forecast and the plain weighted pipeline said every fortnight and whether quota was
reached, their Brier scores, the reliability table and whether the history is long enough to
judge. JSON: ``{"brier", "brier_weighted", "checks", "judgement", "reliability": [...],
"periods": [{"period", "checks": [{"as_of", "rep", "quota", "probability", "weighted",
"reached"}]}]}``.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING

from cli.output import emit_json, say

if TYPE_CHECKING:  # only for the annotations: importing it opens peewee
    from cli.context import Context

NAME = "forecast"
HELP = "the forecast of a period per rep and for the team (probability of quota, verdict)"
CREATES_DATABASE = False


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not a date: write it as YYYY-MM-DD, e.g. 2026-11-15.") from None


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", metavar="YYYY-Qn|YYYY-MM",
                        help="a fiscal quarter (2026-Q4) or a month (2026-11); "
                             "default: the current quarter")
    parser.add_argument("--as-of", type=_day, metavar="YYYY-MM-DD",
                        help="forecast from the pipeline as it stood at the end of that day, "
                             "with only the history before it (deal values as they are today)")
    parser.add_argument("--history", action="store_true",
                        help="the track record: how good the forecast was in the past four "
                             "quarters, against the plain weighted pipeline")


def run(args: argparse.Namespace, context: Context) -> int:
    from app import clock, settings
    from app.forecast import compute_forecast, parse_period, period_of

    if args.history:
        from app.forecast import track_record

        record = track_record()
        if args.json:
            emit_json(history_json(record))
        else:
            say(describe_history(record))
        return 0
    fiscal = settings.load().fiscal_year_start_month
    if args.period:
        period = parse_period(args.period, fiscal)
    else:
        period = period_of(args.as_of or clock.local_today(), "quarter", fiscal)
    forecast = compute_forecast(period, args.as_of)
    if args.json:
        emit_json(as_json(forecast))
    else:
        say(describe(forecast))
    return 0


def _outlook_json(outlook) -> dict:
    return {
        "rep": outlook.rep_name,
        "quota": outlook.quota,
        "won": outlook.won,
        "expected": outlook.expected,
        "probability": outlook.probability,
        "gap": outlook.gap,
        "leads_needed": outlook.leads_needed,
        "hours_needed": outlook.hours_needed,
        "hours_available": outlook.hours_available,
        "verdict": outlook.verdict,
        "reason": outlook.reason,
        "open_expected": outlook.open_expected,
        "new_pipeline_expected": outlook.new_pipeline_expected,
        "deals": [
            {"uuid": d.uuid, "title": d.title, "value": d.value,
             "probability": d.probability, "p_in_period": d.p_in_period}
            for d in outlook.deals
        ],
    }


def as_json(forecast) -> dict:
    return {
        "period": forecast.period.label,
        "as_of": forecast.as_of,
        "reps": [_outlook_json(o) for o in forecast.reps],
        "team": _outlook_json(forecast.team),
    }


def _num(value, places: int = 0) -> str:
    return "—" if value is None else f"{value:,.{places}f}"


def describe(forecast) -> str:
    """A table of the reps and the team, then each verdict's reason."""
    head = ("", "Quota", "Won", "Open", "New", "Expected", "P(quota)", "Gap", "Leads",
            "Hours need", "Hours left", "Verdict")
    rows = [head]
    for o in (*forecast.reps, forecast.team):
        rows.append((
            o.rep_name, _num(o.quota), _num(o.won), _num(o.open_expected),
            _num(o.new_pipeline_expected), _num(o.expected),
            "—" if o.probability is None else f"{o.probability:.0%}", _num(o.gap),
            _num(o.leads_needed), _num(o.hours_needed), _num(o.hours_available), o.verdict,
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = [f"Forecast for {forecast.period.label} ({forecast.period.start.isoformat()} to "
             f"{forecast.period.end.isoformat()}) as of {forecast.as_of.isoformat()}"]
    from app import clock

    if forecast.as_of < clock.local_today():
        lines.append("Pipeline rebuilt from the stage history as it stood then; deal values "
                     "are today's.")
    lines.append("")
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(row[1:-1], widths[1:-1], strict=True)]
        cells.append(row[-1])
        lines.append("  ".join(cells))
    lines.append("")
    lines += [f"{o.rep_name}: {o.reason}" for o in (*forecast.reps, forecast.team)]
    return "\n".join(lines)


def history_json(record) -> dict:
    return {
        "brier": record.brier,
        "brier_weighted": record.brier_weighted,
        "checks": record.checks,
        "judgement": record.judgement,
        "reliability": [{"low": b.low, "high": b.high, "count": b.count,
                         "mean_forecast": b.mean_forecast, "share_reached": b.share_reached}
                        for b in record.reliability],
        "periods": [
            {"period": r.period.label,
             "checks": [{"as_of": c.as_of, "rep": c.rep_name, "quota": c.quota,
                         "probability": c.probability, "weighted": c.weighted,
                         "reached": c.reached} for c in r.checks]}
            for r in record.periods
        ],
    }


def describe_history(record) -> str:
    """Per closed period, each check's forecast and weighted pipeline beside the outcome."""
    lines = []
    for r in record.periods:
        rows = [("As of", "", "Quota", "Forecast", "Weighted", "Reached")]
        rows += [(c.as_of.isoformat(), c.rep_name, _num(c.quota), f"{c.probability:.0%}",
                  f"{c.weighted:.0%}", "yes" if c.reached else "no") for c in r.checks]
        widths = [max(len(row[i]) for row in rows) for i in range(6)]
        lines += [f"{r.period.label} ({r.period.start.isoformat()} to "
                  f"{r.period.end.isoformat()})"]
        lines += ["  ".join([row[0].ljust(widths[0]), row[1].ljust(widths[1])]
                            + [c.rjust(w) for c, w in zip(row[2:], widths[2:], strict=True)])
                  for row in rows]
        lines.append("")
    if record.reliability:
        lines.append("Reliability: forecast band, checks, mean forecast, share that reached "
                     "quota")
        lines += [f"  {b.low:.0%}–{b.high:.0%}  {b.count:4d}  {b.mean_forecast:.0%}  "
                  f"{b.share_reached:.0%}" for b in record.reliability]
        lines.append("")
    lines.append(record.judgement)
    return "\n".join(lines)
