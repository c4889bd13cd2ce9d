"""The funnel: for each stage, the deals that reached it in the period and what became of
them (DESIGN.md "Funnel and source reports", issue 14).

Counting rules, per deal, from its moves in time order:

- A deal *reaches* a stage the first time it enters it or any later funnel stage from its
  first stage on: a deal that skipped Demo on its way from Qualified to Proposal passed
  Demo, and one lost from Proposal passed every stage before it. A deal created (or imported)
  straight into Qualified did not pass the marketing stages before it. Re-entering a stage
  (after a loss, or going back) does not count it twice.
- A stage's row counts the deals that reached it in the period; its conversions are the
  shares of those deals that have reached the next stage, or a win, by now.
- Days in stage: each deal's time in the stage over its stays that ended (a skipped stage
  and a stay still running count for nothing); average and median over the deals.
- Where deals leave: a move from the stage into a lost stage, or from a sales stage back
  to the marketing side (returned to nurturing), by the deals of the row.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from itertools import groupby

from app.reports.log import (
    DAY,
    moves_of_deals_moved,
    ratio,
    read_stages,
    window,
)
from app.reports.types import Funnel, ReportScope, StageRow
from db.models import Deal

SECONDS_A_DAY = 86400


def funnel(scope: ReportScope) -> Funnel:
    """The funnel of ``scope`` (its rep's and source's deals, or all)."""
    stages = read_stages()
    lo, hi = window(scope.start, scope.end)
    rank, funnel_ids = stages.rank, stages.funnel
    lost_stages = stages.of("lost")
    side = stages.side
    reach: dict[int, dict[int, datetime]] = {}
    stayed: dict[int, dict[int, float]] = {}
    cohorts: list[list[int]] = [[] for _ in funnel_ids]
    cents: dict[int, int] = {}
    lost_from: dict[int, set[int]] = defaultdict(set)
    returned_from: dict[int, set[int]] = defaultdict(set)
    for deal_id, moves in groupby(moves_of_deals_moved(scope, lo, hi), key=lambda m: m[0]):
        reached: dict[int, datetime] = {}
        days: dict[int, float] = defaultdict(float)
        first = current = None
        entered: datetime | None = None  # when the deal entered ``current``
        for _deal, _from, to, at, _override, _origin, value in moves:
            if current is not None and entered is not None and current in rank:
                days[rank[current]] += (at - entered).total_seconds() / SECONDS_A_DAY
                if to in lost_stages:
                    lost_from[rank[current]].add(deal_id)
                elif side.get(to) == "marketing" and side.get(current) == "sales":
                    returned_from[rank[current]].add(deal_id)
            r = rank.get(to)
            if r is not None:
                if first is None:
                    first = r
                for k in range(first if r >= first else r, r + 1):
                    reached.setdefault(k, at)
            current, entered = to, at
            cents[deal_id] = value or 0
        counted = False
        for k, moment in reached.items():
            if lo <= moment < hi:
                cohorts[k].append(deal_id)
                counted = True
        if counted:
            reach[deal_id] = reached
            stayed[deal_id] = days
    won_rank = len(funnel_ids) - 1 if funnel_ids and stages.outcome[funnel_ids[-1]] == "won" \
        else None
    rows = []
    for k, stage_id in enumerate(funnel_ids):
        cohort = cohorts[k]
        is_won = k == won_rank
        next_ids = () if is_won or k + 1 >= len(funnel_ids) else tuple(
            d for d in cohort if k + 1 in reach[d])
        won_ids = tuple(d for d in cohort if won_rank is not None and won_rank in reach[d])
        spans = sorted(stayed[d][k] for d in cohort if k in stayed[d]) if not is_won else []
        rows.append(StageRow(
            stage_id=stage_id, name=stages.name[stage_id],
            side="sales" if is_won else side[stage_id], outcome=stages.outcome[stage_id],
            entered=len(cohort),
            value=Deal.value.python_value(sum(cents.get(d, 0) for d in cohort)),
            to_next=None if is_won else ratio(len(next_ids), len(cohort)),
            to_win=None if is_won else ratio(len(won_ids), len(cohort)),
            average_days=Decimal(sum(spans) / len(spans)).quantize(DAY) if spans else None,
            median_days=Decimal(statistics.median(spans)).quantize(DAY) if spans else None,
            lost=len(lost_ids := tuple(d for d in cohort if d in lost_from[k])),
            returned=len(returned_ids := tuple(d for d in cohort if d in returned_from[k])),
            entered_ids=tuple(cohort), next_ids=next_ids, won_ids=won_ids,
            lost_ids=lost_ids, returned_ids=returned_ids,
        ))
    return Funnel(scope, tuple(rows))
