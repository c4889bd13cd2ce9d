"""Lead sources and their economics (DESIGN.md idea 4, issue 14).

Per source, in the period: leads (deals created), sales-ready leads (of those, handed to a
sales stage by now), wins (deals standing won whose latest move into a won stage falls in the
period — the rule of :mod:`app.time_figures`), won value, and spend (:func:`spend_in`).
From them:

- cost per lead = spend ÷ leads; cost per win = spend ÷ wins;
- lead-to-win rate = wins ÷ leads (the period's; its inverse is the leads a win takes);
- value of a lead = the profit of the average first sale (average won deal × the gross-margin
  setting) ÷ the leads a win takes, that is × the lead-to-win rate;
- return on spend = (won value × gross margin − spend) ÷ spend: 0 breaks even, 1 doubles it.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from app import settings
from app.errors import NotFound
from app.matching import name_key
from app.money import CENT
from app.reports.log import deal_filter, marks, ratio, read_stages, window, wins_between
from app.reports.spend import spend_in
from app.reports.types import ZERO, ReportScope, SourceFigures, SourceReport
from db.connection import database
from db.models import Deal, LeadSource

NO_SOURCE = "No source"


def source_report(scope: ReportScope) -> SourceReport:
    stages = read_stages()
    sales = sorted(stages.handed)
    lo, hi = window(scope.start, scope.end)
    p = database.obj.param
    where, params = deal_filter(scope)
    leads = database.obj.execute_sql(
        f"SELECT d.id, d.source_id, EXISTS (SELECT 1 FROM stage_change sc WHERE "
        f"sc.deal_id = d.id AND sc.to_stage_id IN ({marks(sales)})) "
        f"FROM deal d WHERE d.created_at >= {p} AND d.created_at < {p}{where}",
        [*sales, lo, hi, *params]).fetchall()
    wins = wins_between(scope, lo, hi, stages.of("won"))
    lead_ids, ready_ids, won_ids = defaultdict(list), defaultdict(list), defaultdict(list)
    won_cents: dict[int | None, int] = defaultdict(int)
    for deal_id, source_id, ready in leads:
        lead_ids[source_id].append(deal_id)
        if ready:
            ready_ids[source_id].append(deal_id)
    for deal_id, _owner, source_id, cents in wins:
        won_ids[source_id].append(deal_id)
        won_cents[source_id] += cents or 0
    spend = spend_in(scope.start, scope.end, scope.source_id)
    margin = settings.load().gross_margin
    names = LeadSource.select(LeadSource.id, LeadSource.name).order_by(LeadSource.name)
    if scope.source_id is not None:
        names = names.where(LeadSource.id == scope.source_id)
    shown: list[tuple[int | None, str]] = list(names.tuples())
    if scope.source_id is None and (lead_ids.get(None) or won_ids.get(None)):
        shown.append((None, NO_SOURCE))
    to_money = Deal.value.python_value
    rows = tuple(
        _figures(source_id, name, lead_ids[source_id], ready_ids[source_id],
                 won_ids[source_id], to_money(won_cents[source_id]),
                 spend.get(source_id, ZERO) if source_id is not None else ZERO, margin)
        for source_id, name in shown)
    total = _figures(
        None, "All sources", [d for ids in lead_ids.values() for d in ids],
        [d for ids in ready_ids.values() for d in ids],
        [d for ids in won_ids.values() for d in ids], to_money(sum(won_cents.values())),
        sum(spend.values(), ZERO), margin)
    return SourceReport(scope, margin, rows, total)


def _figures(source_id: int | None, name: str, leads: list[int], ready: list[int],
             won: list[int], won_value: Decimal, spend: Decimal,
             margin: Decimal) -> SourceFigures:
    lead_to_win = ratio(len(won), len(leads))
    average = ratio(won_value, len(won), CENT)
    lead_value = None
    if average is not None and lead_to_win is not None:
        lead_value = (average * margin * lead_to_win).quantize(CENT)
    return SourceFigures(
        source_id=source_id, name=name, leads=len(leads), sales_ready=len(ready),
        wins=len(won), won_value=won_value, spend=spend,
        cost_per_lead=ratio(spend, len(leads), CENT), cost_per_win=ratio(spend, len(won), CENT),
        lead_to_win=lead_to_win, average_won=average, lead_value=lead_value,
        return_on_spend=ratio(won_value * margin - spend, spend),
        lead_ids=tuple(sorted(leads)), ready_ids=tuple(sorted(ready)),
        won_ids=tuple(sorted(won)),
    )


def source_named(name: str) -> int:
    """The id of the lead source called ``name`` (any case); a :class:`NotFound` naming the
    sources there are otherwise."""
    wanted = name_key(name)
    sources = list(LeadSource.select(LeadSource.id, LeadSource.name).tuples())
    for source_id, source in sources:
        if name_key(source) == wanted:
            return source_id
    known = ", ".join(sorted(n for _, n in sources)) or "none yet"
    raise NotFound(f"No lead source is called “{name}” (the sources are: {known}).")
