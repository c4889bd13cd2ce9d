"""``quota set (REP|--team) PERIOD AMOUNT`` and ``quota list [--period P]``: quotas for
automation (a planning sheet, a script at the start of a quarter).

Periods are written as in the app: ``2026-Q3`` (a fiscal quarter, from the settings' fiscal
year start) or ``2026-11`` (a month). Exit codes: 0 done, 1 the input was rejected (an
unknown rep, a bad period or amount, not a manager; nothing changed), 2 misuse.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cli.output import emit_json, say

if TYPE_CHECKING:  # only for the annotations: importing it opens peewee
    from cli.context import Context

NAME = "quota"
HELP = "set or list quotas per rep and for the team"
CREATES_DATABASE = False


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="quota_action", metavar="ACTION", required=True)
    setter = actions.add_parser(
        "set", help="set a rep's or the team's quota for a period (manager only)",
        usage="funnelcast quota set (REP | --team) PERIOD AMOUNT",
        description="Set (or replace) a quota. PERIOD is 2026-Q3 or 2026-11; AMOUNT is a "
                    "plain number such as 50000 or 50000.50.",
    )
    setter.add_argument("--team", action="store_true",
                        help="the team's own quota (otherwise the team's is the reps' sum)")
    setter.add_argument("values", nargs="+", metavar="REP PERIOD AMOUNT",
                        help="the rep's name (left out with --team), the period, the amount")
    setter.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print JSON instead of text")
    lister = actions.add_parser("list", help="every rep's and the team's quota for a period")
    lister.add_argument("--period", metavar="P",
                        help="2026-Q3 or 2026-11 (default: the current quarter)")
    lister.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="print JSON instead of text")


def _money(amount, currency: str) -> str:
    return "—" if amount is None else f"{amount:,.2f} {currency}"


def run(args: argparse.Namespace, context: Context) -> int:
    from app import settings
    from app.clock import local_today
    from app.errors import UsageError
    from app.periods import parse_period, period_of
    from app.quotas import TEAM, quota_grid, set_quota
    from app.users import find_rep

    stored = settings.load()
    fiscal = stored.fiscal_year_start_month
    if args.quota_action == "set":
        wanted = 2 if args.team else 3
        if len(args.values) != wanted:
            raise UsageError("Write quota set REP PERIOD AMOUNT, or quota set --team PERIOD "
                             "AMOUNT (a name with spaces goes in quotes).")
        *who, period_text, amount = args.values
        period = parse_period(period_text, fiscal)
        rep = find_rep(who[0]) if who else None
        saved = set_quota(rep.id if rep else None, period.start, period.end, amount,
                          context.actor)
        if args.json:
            emit_json({"rep": None if rep is None else saved.rep_name, "period": period.label,
                       "start": period.start, "end": period.end, "amount": saved.amount})
        else:
            say(f"{saved.rep_name}'s quota for {period.label} ({period.start.isoformat()} to "
                f"{period.end.isoformat()}) is now {_money(saved.amount, stored.currency)}.")
        return 0

    period = (parse_period(args.period, fiscal) if args.period
              else period_of(local_today(), "quarter", fiscal))
    grid = quota_grid(period, 1)
    team = grid.team
    if args.json:
        emit_json({
            "period": period.label, "start": period.start, "end": period.end,
            "currency": stored.currency,
            "reps": [{"rep": r.name, "active": r.active, "amount": r.amounts[0]}
                     for r in grid.reps],
            "team": {"amount": team.amounts[0], "set_for_team": team.own[0]},
        })
        return 0
    lines = [f"Quotas for {period.label} ({period.start.isoformat()} to "
             f"{period.end.isoformat()})"]
    width = max([len(TEAM)] + [len(r.name) for r in grid.reps])
    for row in grid.reps:
        note = "" if row.active else "  (inactive)"
        lines.append(f"  {row.name:<{width}}  {_money(row.amounts[0], stored.currency):>20}"
                     f"{note}")
    how = ("set for the team" if team.own[0]
           else "the reps' sum" if team.amounts[0] is not None else "none set")
    lines.append(f"  {TEAM:<{width}}  {_money(team.amounts[0], stored.currency):>20}  ({how})")
    say("\n".join(lines))
    return 0
