"""Were leads handed to sales too early? (DESIGN.md idea 2, measured; issue 14)

The leads handed from the marketing side to a sales stage in the period (each deal's first
such move in it) fall in two groups:

- **ready**: moved in the app through the qualification gate with nothing overridden —
  the sales-ready checklist was met (:func:`app.handoff.hand_to_sales` and the board's
  moves both go through that gate and record an override's reason on the move);
- **not ready**: a manager's override (the move records its reason), or moved in by an
  import or a rep's workbook, where no gate was asked.

For each group: how many are won, lost, still open and back on the marketing side now, the
win rate (won ÷ closed) and the days from the hand-off to the win.

Left out: the lead *score* at the hand-off. Scores are computed live (:mod:`app.lead_score`)
and not recorded, and the fit half of a past score cannot be rebuilt honestly from today's
history; the checklist gate is what the move records.
"""

from __future__ import annotations

from collections import defaultdict
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
from app.reports.types import ZERO, HandoffGroup, HandoffReport, ReportScope
from db.connection import database
from db.models import Deal

LABELS = {"ready": "Sales-ready at hand-off", "not_ready": "Handed over not ready"}


def handoff_quality(scope: ReportScope) -> HandoffReport:
    stages = read_stages()
    marketing = sorted(stages.marketing)
    sales = sorted(stages.handed)
    won = sorted(stages.of("won"))
    lo, hi = window(scope.start, scope.end)
    p = database.obj.param
    where, params = deal_filter(scope)
    rows = database.obj.execute_sql(
        "SELECT sc.deal_id, sc.changed_at, sc.override_reason, sc.origin, d.stage_id, "
        "d.value, w.won_at FROM stage_change sc JOIN deal d ON d.id = sc.deal_id "
        "LEFT JOIN (SELECT deal_id, MAX(changed_at) AS won_at FROM stage_change "
        f"WHERE to_stage_id IN ({marks(won)}) GROUP BY deal_id) w ON w.deal_id = d.id "
        f"WHERE sc.from_stage_id IN ({marks(marketing)}) "
        f"AND sc.to_stage_id IN ({marks(sales)}) "
        f"AND sc.changed_at >= {p} AND sc.changed_at < {p}{where} "
        "ORDER BY sc.deal_id, sc.changed_at, sc.id",
        [*won, *marketing, *sales, lo, hi, *params]).fetchall()
    groups: dict[str, dict] = {key: defaultdict(list) for key in LABELS}
    seen: set[int] = set()
    for deal_id, at, override, origin, stage_id, cents, won_at in rows:
        if deal_id in seen:
            continue  # handed over again in the period: its first hand-off counts
        seen.add(deal_id)
        ready = not override and origin == "app"
        group = groups["ready" if ready else "not_ready"]
        group["handed"].append(deal_id)
        if override:
            group["overridden"].append(deal_id)
        elif origin != "app":
            group["imported"].append(deal_id)
        outcome = stages.outcome.get(stage_id, "open")
        if outcome == "open" and stages.side.get(stage_id) == "marketing":
            group["returned"].append(deal_id)
        elif outcome == "won" and won_at is not None:
            group["won"].append(deal_id)
            group["won_cents"].append(cents or 0)
            group["days"].append(days_between(moment(at), moment(won_at)))
        else:
            group[outcome].append(deal_id)
    ready, not_ready = (_group(key, groups[key]) for key in LABELS)
    return HandoffReport(scope, ready, not_ready)


def _group(key: str, facts: dict[str, list]) -> HandoffGroup:
    won, lost = len(facts["won"]), len(facts["lost"])
    days = facts["days"]
    return HandoffGroup(
        key=key, label=LABELS[key], handed=len(facts["handed"]),
        overridden=len(facts["overridden"]), imported=len(facts["imported"]), won=won,
        lost=lost, open=len(facts["open"]), returned=len(facts["returned"]),
        won_value=Deal.value.python_value(sum(facts["won_cents"])).quantize(CENT) if won
        else ZERO,
        win_rate=ratio(won, won + lost),
        days_to_close=(sum(days, Decimal(0)) / len(days)).quantize(DAY) if days else None,
        handed_ids=tuple(sorted(facts["handed"])), won_ids=tuple(sorted(facts["won"])),
        lost_ids=tuple(sorted(facts["lost"])),
    )
