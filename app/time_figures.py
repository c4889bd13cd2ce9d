"""Where the time goes: hour figures per rep and for the team over a period.

DESIGN.md idea 3 (more raw leads can mean fewer sales) and idea 4 (know your numbers) need:

- hours by category (prospecting, selling, other) and each category's share of all hours;
- selling hours per won deal — selling hours in the period ÷ deals won in the period;
- prospecting hours per lead created — prospecting hours ÷ deals created in the period;
- won revenue per selling hour — won value in the period ÷ selling hours, against the
  ``revenue_per_hour_target`` setting;
- hours logged against deals that are still on the marketing side (time spent on leads that
  were not sales-ready).

Attribution: a won deal counts for its owner; its won date is the ``changed_at`` of its
latest StageChange into a won stage, and only deals that are in a won stage now count. A lead
counts for the rep who created it in the app (``changed_by`` of its first StageChange, when
its origin is "app"); a deal's creation time is that StageChange's ``changed_at``. The team
figures count every hour, win and lead, including wins with no owner and leads created by
nobody in particular (imports).

The period runs from local midnight starting ``start`` to local midnight after ``end``.
Each figure is one SQL aggregate grouped by rep (GROUP BY), never a loop over rows, so a
quarter over 500,000 activities stays fast. A ratio with nothing to divide by is ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from peewee import Case, fn

from app import settings
from app.activities import day_start_utc
from app.errors import ValidationError
from app.money import CENT
from app.timesheet import ZERO, TeamHours, hours_by_rep_and_category, team_hours
from db.models import CATEGORIES, Activity, Deal, Rep, Stage, StageChange

SHARE = Decimal("0.0001")


@dataclass(frozen=True)
class TimeFigures:
    """The figures of one rep (``rep_id``) or of the team (``rep_id`` None)."""

    rep_id: int | None
    name: str
    hours: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, ZERO))
    won_deals: int = 0
    won_value: Decimal = ZERO
    leads_created: int = 0
    marketing_side_hours: Decimal = ZERO
    target_per_hour: Decimal = Decimal(1000)

    @property
    def total(self) -> Decimal:
        return sum(self.hours.values(), ZERO)

    def share(self, category: str) -> Decimal | None:
        """``category``'s fraction (0–1) of all hours logged; None without hours."""
        return _ratio(self.hours[category], self.total, SHARE)

    @property
    def selling_hours_per_win(self) -> Decimal | None:
        return _ratio(self.hours["selling"], Decimal(self.won_deals), CENT)

    @property
    def prospecting_hours_per_lead(self) -> Decimal | None:
        return _ratio(self.hours["prospecting"], Decimal(self.leads_created), CENT)

    @property
    def revenue_per_selling_hour(self) -> Decimal | None:
        return _ratio(self.won_value, self.hours["selling"], CENT)

    @property
    def against_target(self) -> Decimal | None:
        """Revenue per selling hour as a fraction of the target (1 = on target)."""
        per_hour = self.revenue_per_selling_hour
        return None if per_hour is None else _ratio(per_hour, self.target_per_hour, SHARE)


@dataclass(frozen=True)
class PeriodFigures:
    start: date
    end: date
    reps: tuple[TimeFigures, ...]
    team: TimeFigures


PERIOD_UNITS = ("week", "month", "quarter")


def period_containing(day: date, unit: str, fiscal_start_month: int = 1) -> tuple[date, date]:
    """The week (Monday–Sunday), month or fiscal quarter holding ``day``, as (start, end)
    inclusive. Quarters start in ``fiscal_start_month`` and every third month after it."""
    if unit == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if unit not in PERIOD_UNITS:
        raise ValidationError(f"A period is one of {', '.join(PERIOD_UNITS)}.", field="period")
    months = 1 if unit == "month" else 3
    index = day.year * 12 + day.month - 1
    index -= (day.month - fiscal_start_month) % months
    start = date(index // 12, index % 12 + 1, 1)
    after = index + months
    return start, date(after // 12, after % 12 + 1, 1) - timedelta(days=1)


def shift_period(start: date, unit: str, steps: int,
                 fiscal_start_month: int = 1) -> tuple[date, date]:
    """The period ``steps`` units before (negative) or after the one starting at ``start``."""
    if unit == "week":
        return period_containing(start + timedelta(weeks=steps), unit)
    months = steps * (1 if unit == "month" else 3)
    index = start.year * 12 + start.month - 1 + months
    return period_containing(date(index // 12, index % 12 + 1, 1), unit, fiscal_start_month)


def team_view(start: date, end: date, *,
              today: date | None = None) -> tuple[TeamHours, PeriodFigures]:
    """What the Team tab shows: the team's hours with capacity (to date and still to come,
    as of ``today``) and the period's figures, summing the hours once for both."""
    hours = hours_by_rep_and_category(start, end)
    return (team_hours(start, end, hours=hours, today=today),
            period_figures(start, end, hours=hours))


def _ratio(numerator: Decimal, denominator: Decimal, places: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (numerator / denominator).quantize(places)


def period_figures(start: date, end: date, *,
                   hours: dict[int, dict[str, Decimal]] | None = None) -> PeriodFigures:
    """Figures for every active rep (and inactive reps with hours or wins) and the team.
    ``hours``: :func:`app.timesheet.hours_by_rep_and_category` for the same period, when the
    caller has it already."""
    if end < start:
        raise ValidationError("The period ends before it starts.", field="period")
    target = settings.load().revenue_per_hour_target
    lo, hi = day_start_utc(start), day_start_utc(end + timedelta(days=1))
    if hours is None:
        hours = hours_by_rep_and_category(start, end)
    wins = _wins(lo, hi)
    leads = _leads(lo, hi)
    marketing = _marketing_side_hours(start, end)

    shown = set(hours) | {r for r in wins if r is not None}
    reps = Rep.select(Rep.id, Rep.name).where(
        (Rep.active == True) | Rep.id.in_(list(shown))
    ).order_by(Rep.name)
    rows = []
    for rep_id, name in reps.tuples():
        count, value = wins.get(rep_id, (0, ZERO))
        rows.append(TimeFigures(
            rep_id, name, hours.get(rep_id, dict.fromkeys(CATEGORIES, ZERO)), count, value,
            leads.get(rep_id, 0), marketing.get(rep_id, ZERO), target,
        ))
    team_hours = dict.fromkeys(CATEGORIES, ZERO)
    for per_rep in hours.values():
        for category, value in per_rep.items():
            team_hours[category] += value
    team = TimeFigures(
        None, "Team", team_hours,
        sum(c for c, _ in wins.values()), sum((v for _, v in wins.values()), ZERO),
        sum(leads.values()), sum(marketing.values(), ZERO), target,
    )
    return PeriodFigures(start, end, tuple(rows), team)


def _wins(lo, hi) -> dict[int | None, tuple[int, Decimal]]:
    """owner id (None: no owner) -> (deals won in [lo, hi), their value).

    A deal's latest move into a won stage before ``hi`` falls on or after ``lo`` exactly
    when it has some move into a won stage in [lo, hi), so only the period's moves are read
    (over the (to_stage, changed_at) index), not every win in the history.
    """
    won_stages = Stage.select(Stage.id).where(Stage.outcome == "won")
    won_in_period = StageChange.select(StageChange.deal).where(
        StageChange.to_stage.in_(won_stages), StageChange.changed_at >= lo,
        StageChange.changed_at < hi,
    )
    rows = (
        Deal.select(Deal.owner, fn.COUNT(Deal.id), fn.SUM(Deal.value))
        .where(Deal.stage.in_(won_stages), Deal.id.in_(won_in_period))
        .group_by(Deal.owner)
        .tuples()
    )
    return {owner: (count, Deal.value.from_units(units)) for owner, count, units in rows}


def _leads(lo, hi) -> dict[int | None, int]:
    """creator id (None: nobody in particular) -> deals created in [lo, hi).

    Only a deal created in the app counts for the rep who created it; one that came in with
    an import or a workbook counts for the team alone (under None), or whoever ran a
    50,000-row import would be credited with 50,000 leads.
    """
    creator = Case(None, [(StageChange.origin == "app", StageChange.changed_by)], None)
    rows = (
        StageChange.select(creator, fn.COUNT(StageChange.id))
        .where(StageChange.from_stage.is_null(), StageChange.changed_at >= lo,
               StageChange.changed_at < hi)
        .group_by(creator)
        .tuples()
    )
    return dict(rows)


def _marketing_side_hours(start: date, end: date) -> dict[int, Decimal]:
    """rep id -> hours logged in the period against deals now on the marketing side."""
    marketing_deals = Deal.select(Deal.id).join(Stage).where(Stage.side == "marketing")
    rows = (
        Activity.select(Activity.rep, fn.SUM(Activity.hours))
        .where(Activity.deal.in_(marketing_deals), Activity.date.between(start, end))
        .group_by(Activity.rep)
        .tuples()
    )
    return {rep_id: Activity.hours.from_units(units) for rep_id, units in rows}
