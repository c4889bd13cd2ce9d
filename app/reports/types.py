"""The Reports' figures as plain frozen dataclasses: what crosses from ``app`` to the view,
the command line and the workbook.

Conventions: money is ``Decimal`` (cents), rates and shares are ``Decimal`` fractions (0–1,
four places), days are ``Decimal`` (one place). A figure with nothing to divide by is
``None`` (shown as "—"), never 0. Every figure a manager may question carries the ids of the
deals behind it (``*_ids``), which :func:`app.reports.deals_behind` turns into rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.periods import Period

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: local days ``start``–``end`` inclusive, optionally one rep (the
    deals' owner, and that rep's hours) and one lead source (the deals' source)."""

    start: date
    end: date
    label: str  # "2026-Q4", "2026-11" or "3 Mar – 9 Apr 2026"
    rep_id: int | None = None
    source_id: int | None = None

    @classmethod
    def of(cls, period: Period, rep_id: int | None = None,
           source_id: int | None = None) -> ReportScope:
        return cls(period.start, period.end, period.label, rep_id, source_id)


@dataclass(frozen=True)
class StageRow:
    """One stage of the funnel. ``entered``: deals that reached the stage in the period
    (first time; a stage skipped on the way to a later one counts as passed); the rates are
    of those deals, by now."""

    stage_id: int
    name: str
    side: str  # "marketing" / "sales"; the won stage is on the sales side
    outcome: str  # "open" or "won"
    entered: int
    value: Decimal
    to_next: Decimal | None  # share that reached the next stage (None for the won stage)
    to_win: Decimal | None
    average_days: Decimal | None  # in the stage, over the stays that ended
    median_days: Decimal | None
    lost: int  # left for a lost stage from this one
    returned: int  # went back from this (sales) stage to the marketing side
    entered_ids: tuple[int, ...]
    next_ids: tuple[int, ...]
    won_ids: tuple[int, ...]
    lost_ids: tuple[int, ...]
    returned_ids: tuple[int, ...]


@dataclass(frozen=True)
class Funnel:
    scope: ReportScope
    rows: tuple[StageRow, ...]  # marketing stages, sales stages, then the won stage

    def side(self, side: str) -> tuple[StageRow, ...]:
        return tuple(r for r in self.rows if r.side == side)


@dataclass(frozen=True)
class Velocity:
    """Win rate and sales velocity of one rep (``rep_id``) or the team (None)."""

    rep_id: int | None
    name: str
    won: int
    lost: int
    won_value: Decimal
    lost_value: Decimal
    win_rate: Decimal | None  # won ÷ (won + lost), closed in the period
    value_win_rate: Decimal | None  # won value ÷ (won + lost value)
    average_won: Decimal | None
    cycle_days: Decimal | None  # created → won, average over the period's wins
    open_deals: int  # open on the sales side at the end of the period (or now)
    open_value: Decimal
    velocity: Decimal | None  # open × win rate × average won ÷ cycle: money per day
    won_ids: tuple[int, ...]
    lost_ids: tuple[int, ...]
    open_ids: tuple[int, ...]


@dataclass(frozen=True)
class TrendPoint:
    """One month of the trend (the scope's rep or the team)."""

    month: date  # its first day
    won: int
    won_value: Decimal
    win_rate: Decimal | None
    average_won: Decimal | None
    cycle_days: Decimal | None
    open_deals: int
    velocity: Decimal | None
    won_ids: tuple[int, ...]


@dataclass(frozen=True)
class VelocityReport:
    scope: ReportScope
    reps: tuple[Velocity, ...]
    team: Velocity
    trend: tuple[TrendPoint, ...]  # the twelve months ending with the period's last


@dataclass(frozen=True)
class SourceFigures:
    """One lead source's economics in the period (``source_id`` None: all sources)."""

    source_id: int | None
    name: str
    leads: int  # deals created in the period
    sales_ready: int  # of those, handed to sales (reached a sales stage) by now
    wins: int  # won in the period
    won_value: Decimal
    spend: Decimal  # its monthly spend, prorated by day to the period
    cost_per_lead: Decimal | None
    cost_per_win: Decimal | None
    lead_to_win: Decimal | None  # wins ÷ leads
    average_won: Decimal | None
    lead_value: Decimal | None  # average won × gross margin × lead-to-win
    return_on_spend: Decimal | None  # (won value × margin − spend) ÷ spend
    lead_ids: tuple[int, ...]
    ready_ids: tuple[int, ...]
    won_ids: tuple[int, ...]


@dataclass(frozen=True)
class SourceReport:
    scope: ReportScope
    gross_margin: Decimal
    sources: tuple[SourceFigures, ...]
    total: SourceFigures


@dataclass(frozen=True)
class HandoffGroup:
    """Leads handed to sales in the period, ready (through the checklist gate in the app) or
    not ready (a manager's override, or moved in by an import or a workbook)."""

    key: str  # "ready" / "not_ready"
    label: str
    handed: int
    overridden: int
    imported: int
    won: int
    lost: int
    open: int
    returned: int  # back on the marketing side now
    won_value: Decimal
    win_rate: Decimal | None  # won ÷ (won + lost)
    days_to_close: Decimal | None  # hand-off → won, average
    handed_ids: tuple[int, ...]
    won_ids: tuple[int, ...]
    lost_ids: tuple[int, ...]


@dataclass(frozen=True)
class HandoffReport:
    scope: ReportScope
    ready: HandoffGroup
    not_ready: HandoffGroup


@dataclass(frozen=True)
class RepTime:
    """Time and money of one rep (``rep_id``) or the team (None)."""

    rep_id: int | None
    name: str
    hours: Decimal
    selling_hours: Decimal
    prospecting_share: Decimal | None
    won_value: Decimal
    revenue_per_hour: Decimal | None  # won value ÷ selling hours
    against_target: Decimal | None  # revenue per hour ÷ target
    not_ready_hours: Decimal  # logged on leads that were not sales-ready
    not_ready_won_value: Decimal  # what those leads have been won for
    not_ready_ids: tuple[int, ...]
    won_ids: tuple[int, ...]  # the wins behind the revenue


@dataclass(frozen=True)
class TimeMoneyReport:
    scope: ReportScope
    target: Decimal
    reps: tuple[RepTime, ...]
    team: RepTime


@dataclass(frozen=True)
class DealLine:
    """A deal behind a figure, as the drill-down lists it."""

    deal_id: int
    title: str
    company: str
    owner: str
    source: str
    stage: str
    value: Decimal
    created: date
