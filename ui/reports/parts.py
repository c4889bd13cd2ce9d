"""The five parts of the Reports page: what each loads (an :mod:`app.reports` function),
draws (a chart) and lists (table columns, with the deals behind each countable figure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.reports import (
    ReportScope,
    funnel,
    handoff_quality,
    source_report,
    time_and_money,
    velocity_report,
)
from ui.reports.charts import (
    FunnelChart,
    HandoffChart,
    ReportChart,
    SourcesChart,
    TimeChart,
    TrendChart,
)
from ui.reports.tables import Column, money, number, rate, text


@dataclass(frozen=True)
class Part:
    key: str
    label: str
    load: Callable[[ReportScope], object]
    chart: type[ReportChart]
    columns: tuple[Column, ...]
    rows: Callable[[object], list]
    total: bool  # the last row is a total
    note: str  # how to read it, under the chart


def _name(row) -> str:
    return row.name if hasattr(row, "name") else row.label


FUNNEL = Part(
    "funnel", "Funnel", funnel, FunnelChart,
    (
        Column("Stage", text(lambda r: r.name), right=False),
        Column("Side", text(lambda r: r.side.capitalize()), right=False),
        Column("Entered", number(lambda r: r.entered), lambda r: r.entered_ids, "entered"),
        Column("Value", money(lambda r: r.value), lambda r: r.entered_ids, "entered"),
        Column("To next stage", rate(lambda r: r.to_next), lambda r: r.next_ids,
               "went on to the next stage",
               tip="Of the deals that entered, the share that reached the next stage by now"),
        Column("To a win", rate(lambda r: r.to_win), lambda r: r.won_ids, "won",
               tip="Of the deals that entered, the share won by now"),
        Column("Avg days", number(lambda r: r.average_days),
               tip="Days in the stage, over the stays that ended"),
        Column("Median days", number(lambda r: r.median_days)),
        Column("Lost here", number(lambda r: r.lost), lambda r: r.lost_ids, "lost from here"),
        Column("Back to nurturing", number(lambda r: r.returned), lambda r: r.returned_ids,
               "returned to the marketing side"),
    ),
    lambda report: list(report.rows), False,
    "A deal that skipped a stage counts as having passed it; one lost from a later stage "
    "passed the earlier ones. Click a bar or an underlined figure for its deals.",
)

VELOCITY = Part(
    "velocity", "Win rate && velocity", velocity_report, TrendChart,
    (
        Column("Rep", text(_name), right=False),
        Column("Won", number(lambda r: r.won), lambda r: r.won_ids, "won"),
        Column("Lost", number(lambda r: r.lost), lambda r: r.lost_ids, "lost"),
        Column("Win rate", rate(lambda r: r.win_rate), tip="Won ÷ closed, by count"),
        Column("By value", rate(lambda r: r.value_win_rate), tip="Won value ÷ closed value"),
        Column("Average won", money(lambda r: r.average_won), lambda r: r.won_ids, "won"),
        Column("Cycle (days)", number(lambda r: r.cycle_days),
               tip="Days from creation to the win, averaged over the period's wins"),
        Column("Open", number(lambda r: r.open_deals), lambda r: r.open_ids,
               "open at the end of the period",
               tip="Open sales deals at the end of the period (now, for this one)"),
        Column("Velocity / day", money(lambda r: r.velocity),
               tip="Open × win rate × average won ÷ cycle days"),
    ),
    lambda report: [*report.reps, report.team], True,
    "Velocity: what the open pipeline turns into wins per day if the period's rates hold.",
)

SOURCES = Part(
    "sources", "Lead sources", source_report, SourcesChart,
    (
        Column("Source", text(_name), right=False),
        Column("Leads", number(lambda r: r.leads), lambda r: r.lead_ids, "leads"),
        Column("Sales-ready", number(lambda r: r.sales_ready), lambda r: r.ready_ids,
               "handed to sales"),
        Column("Wins", number(lambda r: r.wins), lambda r: r.won_ids, "won"),
        Column("Won value", money(lambda r: r.won_value), lambda r: r.won_ids, "won"),
        Column("Spend", money(lambda r: r.spend)),
        Column("Per lead", money(lambda r: r.cost_per_lead)),
        Column("Per win", money(lambda r: r.cost_per_win)),
        Column("Lead → win", rate(lambda r: r.lead_to_win)),
        Column("Value of a lead", money(lambda r: r.lead_value),
               tip="Profit of the average first sale ÷ the leads a win takes"),
        Column("Return", rate(lambda r: r.return_on_spend),
               tip="(Won value × gross margin − spend) ÷ spend"),
    ),
    lambda report: [*report.sources, report.total], True,
    "Spend is set per source and month in Settings → Lead spend; the gross margin turns "
    "won value into profit.",
)

HANDOFF = Part(
    "handoff", "Hand-off", handoff_quality, HandoffChart,
    (
        Column("Leads handed to sales", text(_name), right=False),
        Column("Handed", number(lambda r: r.handed), lambda r: r.handed_ids, "handed over"),
        Column("By override", number(lambda r: r.overridden)),
        Column("By import", number(lambda r: r.imported)),
        Column("Won", number(lambda r: r.won), lambda r: r.won_ids, "won"),
        Column("Lost", number(lambda r: r.lost), lambda r: r.lost_ids, "lost"),
        Column("Open", number(lambda r: r.open)),
        Column("Back to nurturing", number(lambda r: r.returned)),
        Column("Win rate", rate(lambda r: r.win_rate)),
        Column("Days to win", number(lambda r: r.days_to_close)),
    ),
    lambda report: [report.ready, report.not_ready], False,
    "Sales-ready: through the checklist gate in the app. Not ready: a manager's override, "
    "or moved over by an import or a workbook.",
)

TIME = Part(
    "time", "Time && money", time_and_money, TimeChart,
    (
        Column("Rep", text(_name), right=False),
        Column("Hours", number(lambda r: r.hours)),
        Column("Selling hours", number(lambda r: r.selling_hours)),
        Column("Prospecting", rate(lambda r: r.prospecting_share),
               tip="Share of all hours spent prospecting"),
        Column("Won", money(lambda r: r.won_value), lambda r: r.won_ids, "won"),
        Column("Per selling hour", money(lambda r: r.revenue_per_hour), lambda r: r.won_ids,
               "won"),
        Column("Of target", rate(lambda r: r.against_target)),
        Column("Hours on not-ready leads", number(lambda r: r.not_ready_hours),
               lambda r: r.not_ready_ids, "not-ready leads worked",
               tip="Hours on leads still on the marketing side or handed over not ready"),
        Column("They won", money(lambda r: r.not_ready_won_value), lambda r: r.not_ready_ids,
               "not-ready leads worked"),
    ),
    lambda report: [*report.reps, report.team], True,
    "Revenue per selling hour against the target in the settings; hours on leads that were "
    "not sales-ready beside what those leads have been won for.",
)

PARTS: tuple[Part, ...] = (FUNNEL, VELOCITY, SOURCES, HANDOFF, TIME)
