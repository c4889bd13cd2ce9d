"""Time and money: what a selling hour earns, per rep, against the target (DESIGN.md ideas
3 and 4, issue 14).

Revenue per selling hour, the share of hours spent prospecting and the target come from
:func:`app.time_figures.period_figures` (its rules: a win counts for the deal's owner in the
period of its latest move into a won stage). Beside them, the hours each rep logged in the
period on leads that were not sales-ready — deals still on the marketing side, and deals
handed to sales without passing the gate (an override, an import or a workbook) — and what
those deals have been won for so far: the time idea 2 says is wasted, and what it bought.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from app.reports.log import marks, read_stages, window, wins_between
from app.reports.types import ZERO, ReportScope, RepTime, TimeMoneyReport
from app.time_figures import TimeFigures, period_figures
from db.bulk import rows_by_id
from db.connection import database
from db.models import Activity, Deal


def time_and_money(scope: ReportScope) -> TimeMoneyReport:
    """Per rep (the scope's rep only, when it names one) and the team; the scope's source
    does not apply (hours are logged per rep, not per source)."""
    figures = period_figures(scope.start, scope.end)
    stages = read_stages()
    marketing = sorted(stages.marketing)
    sales = sorted(stages.handed)
    p = database.obj.param
    rows = database.obj.execute_sql(
        "SELECT a.rep_id, a.deal_id, SUM(a.hours) FROM activity a "
        f"WHERE a.date >= {p} AND a.date <= {p} AND a.deal_id IS NOT NULL AND ("
        f"a.deal_id IN (SELECT id FROM deal WHERE stage_id IN ({marks(marketing)})) OR "
        "a.deal_id IN (SELECT deal_id FROM stage_change WHERE from_stage_id IN "
        f"({marks(marketing)}) AND to_stage_id IN ({marks(sales)}) AND "
        "(override_reason <> '' OR origin <> 'app'))) GROUP BY a.rep_id, a.deal_id",
        [scope.start, scope.end, *marketing, *marketing, *sales]).fetchall()
    won = stages.of("won")
    won_ids: dict[int | None, list[int]] = defaultdict(list)
    for deal_id, owner_id, _source, _value in wins_between(
            ReportScope(scope.start, scope.end, scope.label), *window(scope.start, scope.end),
            won):
        won_ids[owner_id].append(deal_id)
    deal_ids = sorted({deal_id for _, deal_id, _ in rows})
    won_value = {d: Deal.value.python_value(v or 0) for d, stage, v in
                 rows_by_id(Deal, (Deal.id, Deal.stage, Deal.value), deal_ids) if stage in won}
    hours: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    deals: dict[int | None, set[int]] = defaultdict(set)
    for rep_id, deal_id, units in rows:
        hours[rep_id] += Activity.hours.from_units(units)
        deals[rep_id].add(deal_id)
    reps = tuple(
        _row(f, hours.get(f.rep_id, ZERO), deals.get(f.rep_id, set()), won_value,
             won_ids.get(f.rep_id, []))
        for f in figures.reps if scope.rep_id is None or f.rep_id == scope.rep_id)
    team = _row(figures.team, sum(hours.values(), ZERO),
                {d for ids in deals.values() for d in ids}, won_value,
                [d for ids in won_ids.values() for d in ids])
    return TimeMoneyReport(scope, figures.team.target_per_hour, reps, team)


def _row(f: TimeFigures, not_ready_hours: Decimal, not_ready: set[int],
         won_value: dict[int, Decimal], won_ids: list[int]) -> RepTime:
    return RepTime(
        rep_id=f.rep_id, name=f.name, hours=f.total, selling_hours=f.hours["selling"],
        prospecting_share=f.share("prospecting"), won_value=f.won_value,
        revenue_per_hour=f.revenue_per_selling_hour, against_target=f.against_target,
        not_ready_hours=not_ready_hours,
        not_ready_won_value=sum((won_value.get(d, ZERO) for d in not_ready), ZERO),
        not_ready_ids=tuple(sorted(not_ready)), won_ids=tuple(sorted(won_ids)),
    )
