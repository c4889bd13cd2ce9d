"""Win rate and sales velocity, per rep and for the team, with a monthly trend
(DESIGN.md idea 4, issue 14).

- A deal *closes* in a period when its last move, into a won or a lost stage, falls in it
  and it still stands there (the rule :mod:`app.time_figures` uses for wins: the latest move
  into a won stage, deals won now). It counts for its owner.
- Win rate: won ÷ (won + lost) by count, and the same by value. Average won deal: won value
  ÷ wins. Sales cycle: days from the deal's creation to its win, averaged over the wins.
- Open opportunities: deals standing in an open sales stage at the end of the period (now,
  for a period not over yet), rebuilt from the moves.
- Velocity = open opportunities × win rate × average won deal ÷ cycle days: the money the
  pipeline turns into wins per day, if the period's rates hold.

The trend covers the twelve months ending with the period's last month, for the scope (one
rep's deals, or the team's).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import groupby

from app.reports.log import (
    CENT,
    DAY,
    days_between,
    facts_of_deals_moved,
    moves_of_deals_moved,
    ratio,
    read_stages,
    window,
)
from app.reports.types import ZERO, ReportScope, TrendPoint, Velocity, VelocityReport
from db.models import Rep

TREND_MONTHS = 12


@dataclass
class _Tally:
    won: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)
    open: list[int] = field(default_factory=list)
    won_value: Decimal = ZERO
    lost_value: Decimal = ZERO
    open_value: Decimal = ZERO
    cycle: Decimal = Decimal(0)

    def figures(self) -> dict:
        won, lost = len(self.won), len(self.lost)
        win_rate = ratio(won, won + lost)
        average = ratio(self.won_value, won, CENT)
        cycle = ratio(self.cycle, won, DAY)
        velocity = None  # also when wins came the day they were created: no cycle
        if win_rate is not None and average is not None and cycle:
            velocity = (len(self.open) * win_rate * average / cycle).quantize(CENT)
        return {
            "won": won, "lost": lost, "won_value": self.won_value,
            "lost_value": self.lost_value, "win_rate": win_rate,
            "value_win_rate": ratio(self.won_value, self.won_value + self.lost_value),
            "average_won": average, "cycle_days": cycle, "open_deals": len(self.open),
            "open_value": self.open_value, "velocity": velocity,
            "won_ids": tuple(sorted(self.won)), "lost_ids": tuple(sorted(self.lost)),
            "open_ids": tuple(sorted(self.open)),
        }


def _months(end: date) -> list[date]:
    """The first days of the TREND_MONTHS months ending with ``end``'s month, and of the
    month after."""
    index = end.year * 12 + end.month - 1 - TREND_MONTHS + 1
    return [date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(TREND_MONTHS + 1)]


def velocity_report(scope: ReportScope) -> VelocityReport:
    stages = read_stages()
    won_stages, lost_stages = stages.of("won"), stages.of("lost")
    sales_open = frozenset(stages.sales_open)
    lo, hi = window(scope.start, scope.end)
    months = _months(scope.end)
    month_edges = [window(m, m)[0] for m in months]
    trend_lo = min(month_edges[0], lo)
    # the moments the open pipeline is counted at: each month's end, then the period's
    edges = sorted({*month_edges[1:], hi})
    facts = facts_of_deals_moved(scope, trend_lo, None, sales_open)
    period = defaultdict(_Tally)  # owner -> tally
    team = _Tally()
    trend = [_Tally() for _ in months[:-1]]
    open_at: list[dict[int, list[int]]] = [defaultdict(list) for _ in edges]  # owner ->
    hi_index = edges.index(hi)
    for deal_id, moves in groupby(moves_of_deals_moved(scope, trend_lo, None, sales_open),
                                  key=lambda m: m[0]):
        fact = facts.get(deal_id)
        if fact is None:
            continue
        moves = list(moves)
        for i, (_d, _f, to, at, _o, _origin) in enumerate(moves):
            if to in sales_open:
                until = moves[i + 1][3] if i + 1 < len(moves) else None
                first = bisect_right(edges, at)
                last = len(edges) if until is None else bisect_right(edges, until)
                for e in range(first, last):
                    open_at[e][fact.owner_id].append(deal_id)
        last_to, closed = moves[-1][2], moves[-1][3]
        if last_to not in won_stages and last_to not in lost_stages:
            continue
        won = last_to in won_stages
        tallies = []
        if lo <= closed < hi:
            tallies += [period[fact.owner_id], team]
        m = bisect_right(month_edges, closed) - 1
        if 0 <= m < len(trend):
            tallies.append(trend[m])
        for tally in tallies:
            if won:
                tally.won.append(deal_id)
                tally.won_value += fact.value
                tally.cycle += days_between(fact.created_at, closed)
            else:
                tally.lost.append(deal_id)
                tally.lost_value += fact.value
    for owner, ids in open_at[hi_index].items():
        period[owner].open = ids
        period[owner].open_value = sum((facts[d].value for d in ids), ZERO)
        team.open += ids
        team.open_value += period[owner].open_value
    for m, tally in enumerate(trend):
        tally.open = [d for ids in open_at[edges.index(month_edges[m + 1])].values()
                      for d in ids]
    wanted = {o for o in period if o is not None}
    reps = Rep.select(Rep.id, Rep.name).where((Rep.active == True) | Rep.id.in_(list(wanted)))
    if scope.rep_id is not None:
        reps = reps.where(Rep.id == scope.rep_id)
    rows = tuple(Velocity(rep_id, name, **_velocity_fields(period.get(rep_id, _Tally())))
                 for rep_id, name in reps.order_by(Rep.name).tuples())
    points = tuple(
        TrendPoint(month, **{k: v for k, v in tally.figures().items()
                             if k in TrendPoint.__dataclass_fields__})
        for month, tally in zip(months, trend, strict=False))
    return VelocityReport(scope, rows, Velocity(None, "Team", **_velocity_fields(team)), points)


def _velocity_fields(tally: _Tally) -> dict:
    return {k: v for k, v in tally.figures().items() if k in Velocity.__dataclass_fields__}
