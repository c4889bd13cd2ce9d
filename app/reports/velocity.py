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
from datetime import date, datetime
from decimal import Decimal

from app.money import CENT
from app.reports.log import (
    DAY,
    days_between,
    deal_filter,
    marks,
    moment,
    ratio,
    read_stages,
    window,
)
from app.reports.types import ZERO, ReportScope, TrendPoint, Velocity, VelocityReport
from db.connection import database
from db.models import Deal, Rep

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


def _closings(scope: ReportScope, closing: list[int], lo: datetime, hi: datetime) -> list:
    """(id, owner, value cents, created at, stage, closed at) of the deals in scope standing
    in a won or lost stage whose latest move into one falls in [lo, hi)."""
    p = database.obj.param
    where, params = deal_filter(scope)
    return database.obj.execute_sql(
        "SELECT d.id, d.owner_id, d.value, d.created_at, d.stage_id, c.closed_at FROM deal d "
        "JOIN (SELECT deal_id, MAX(changed_at) AS closed_at FROM stage_change WHERE "
        f"to_stage_id IN ({marks(closing)}) GROUP BY deal_id) c ON c.deal_id = d.id "
        f"WHERE d.stage_id IN ({marks(closing)}) AND c.closed_at >= {p} "
        f"AND c.closed_at < {p}{where}",
        [*closing, *closing, lo, hi, *params]).fetchall()


def _open_at(scope: ReportScope, sales_open: list[int], edges: list[datetime]) -> list:
    """(deal id, owner, value cents, open at each edge: 0/1...) for the deals in scope that
    stood in an open sales stage at one of ``edges`` at least: the moves into the open
    sales stages (from elsewhere) count +1 and the moves out of them −1, summed up to each
    edge — one scan, without replaying each deal's moves."""
    p = database.obj.param
    where, params = deal_filter(scope)
    m = marks(sales_open)
    # "+column": a scan in table order is several times faster here than SQLite's choice
    # of walking the stage index and fetching each row from it
    delta = f"CASE WHEN +sc.to_stage_id IN ({m}) THEN 1 ELSE -1 END"
    columns = ", ".join(f"SUM(CASE WHEN x.at < {p} THEN x.delta ELSE 0 END) AS e{i}"
                        for i in range(len(edges)))
    crossing = (f"((+sc.to_stage_id IN ({m}) AND (sc.from_stage_id IS NULL OR "
                f"+sc.from_stage_id NOT IN ({m}))) OR (+sc.from_stage_id IN ({m}) AND "
                f"+sc.to_stage_id NOT IN ({m})))")
    any_open = " OR ".join(f"g.e{i} > 0" for i in range(len(edges)))
    return database.obj.execute_sql(
        f"SELECT g.deal_id, d.owner_id, d.value, {', '.join(f'g.e{i}' for i in range(len(edges)))}"
        f" FROM (SELECT x.deal_id AS deal_id, {columns} FROM (SELECT sc.deal_id AS deal_id, "
        f"sc.changed_at AS at, {delta} AS delta FROM stage_change sc WHERE {crossing} "
        f"AND sc.changed_at < {p}) x GROUP BY x.deal_id) g "
        f"JOIN deal d ON d.id = g.deal_id WHERE ({any_open}){where}",
        [*edges, *sales_open, *sales_open * 4, max(edges), *params]).fetchall()


def velocity_report(scope: ReportScope) -> VelocityReport:
    stages = read_stages()
    won_stages = stages.of("won")
    closing = sorted(won_stages | stages.of("lost"))
    lo, hi = window(scope.start, scope.end)
    months = _months(scope.end)
    month_edges = [window(m, m)[0] for m in months]
    # the moments the open pipeline is counted at: each month's end, then the period's
    edges = sorted({*month_edges[1:], hi})
    period: dict[int | None, _Tally] = defaultdict(_Tally)  # owner -> tally
    team = _Tally()
    trend = [_Tally() for _ in months[:-1]]
    to_money = Deal.value.python_value
    for deal_id, owner, cents, created, stage, closed in _closings(
            scope, closing, min(month_edges[0], lo), max(edges)):
        closed = moment(closed)
        value = to_money(cents or 0)
        tallies = []
        if lo <= closed < hi:
            tallies += [period[owner], team]
        m = bisect_right(month_edges, closed) - 1
        if 0 <= m < len(trend):
            tallies.append(trend[m])
        for tally in tallies:
            if stage in won_stages:
                tally.won.append(deal_id)
                tally.won_value += value
                tally.cycle += days_between(moment(created), closed)
            else:
                tally.lost.append(deal_id)
                tally.lost_value += value
    at_hi = edges.index(hi)
    at_month_end = [edges.index(month_edges[m + 1]) for m in range(len(trend))]
    for deal_id, owner, cents, *flags in _open_at(scope, sorted(stages.sales_open), edges):
        if flags[at_hi] > 0:
            tally = period[owner]
            tally.open.append(deal_id)
            tally.open_value += to_money(cents or 0)
            team.open.append(deal_id)
            team.open_value += to_money(cents or 0)
        for m, e in enumerate(at_month_end):
            if flags[e] > 0:
                trend[m].open.append(deal_id)
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
