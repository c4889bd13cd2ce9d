"""A rep's weekly timesheet, and the team's hours for a week or any period.

The timesheet is a *view* of the activity log: a cell (rep, day, kind) shows the sum of the
hours of that rep's activities of that kind on that day. Editing a cell maps to Activity rows
as follows (:func:`set_cell`), so that no note and no deal link is ever lost:

- Activities in the cell that carry a deal or a note are *detailed*; they are never changed
  from the timesheet. Their sum is the cell's floor: asking for less is refused, with a
  message pointing at those activities.
- The remaining activities (no deal, no note) are *plain*: just hours. The cell keeps at most
  one plain activity, which absorbs the difference — it is set to ``new value − detailed``
  (the oldest plain activity is kept, extra plain ones are deleted, one is created when there
  was none), or removed when the difference is zero.

So after an edit the cell's sum is exactly the new value, and every detailed activity is as
it was. All the checks of :mod:`app.activities` apply (quarter hours, 24 hours a day, an
active kind, a date at most a week ahead when adding hours, who may log for whom). Rows of
inactive kinds are therefore read-only in the timesheet; their activities are edited one by
one.

Rows of a week are every active kind, plus inactive kinds that hold hours that week, grouped
by category in the order prospecting, selling, other. Weeks start on Monday.

The team view sums hours per rep and category for a period with one grouped query, and
compares them with each rep's capacity: weekly capacity × working days (Monday–Friday) ÷ 5.
"Used" compares the hours logged with the capacity *to date* (the period's working days up
to and including today), never with days still to come: in the first days of a quarter
the whole quarter's capacity would make every rep look idle. The rest of the period's
capacity is reported beside it (:class:`TeamRow`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from peewee import Case, fn

from app import clock
from app.activities import (
    check_day_total,
    clean_date,
    clean_hours,
    resolve_kind,
    resolve_rep,
)
from app.activity_kinds import category_of_kinds, list_kinds
from app.errors import ValidationError
from app.users import RepInfo, get_rep, list_reps
from db.connection import writing
from db.models import CATEGORIES, Activity, Rep

ZERO = Decimal("0.00")
DAYS = 7


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def working_days(start: date, end: date) -> int:
    """Monday–Friday days from ``start`` to ``end`` inclusive."""
    if end < start:
        return 0
    days = (end - start).days + 1
    full, rest = divmod(days, 7)
    extra = sum(1 for i in range(rest) if (start.weekday() + i) % 7 < 5)
    return full * 5 + extra


def capacity_for(weekly: Decimal, start: date, end: date) -> Decimal:
    """A rep's capacity for a period: weekly capacity pro rata over its working days."""
    return (weekly * working_days(start, end) / 5).quantize(Decimal("0.01"))


def capacity_to_date(weekly: Decimal, start: date, end: date, today: date) -> Decimal:
    """The part of :func:`capacity_for` (``start``–``end``) already behind us on ``today``:
    its working days up to and including today (all of a past period, none of a future
    one). What hours logged so far are measured against."""
    return capacity_for(weekly, start, min(end, today))


def used_share(logged: Decimal, capacity_so_far: Decimal) -> Decimal | None:
    """Hours logged as a fraction of the capacity to date; None when no working day has
    passed yet (nothing to compare with)."""
    return (logged / capacity_so_far).quantize(Decimal("0.0001")) if capacity_so_far else None


@dataclass(frozen=True)
class TimesheetRow:
    """One kind's hours over the week. ``floor`` per day: hours in that cell carried by
    activities with a deal or a note, which a cell edit cannot go below."""

    kind: str
    category: str
    active: bool
    hours: tuple[Decimal, ...]  # Monday..Sunday
    floor: tuple[Decimal, ...]

    @property
    def total(self) -> Decimal:
        return sum(self.hours, ZERO)


@dataclass(frozen=True)
class Week:
    """A rep's week. ``rows`` are grouped by category (see :data:`db.models.CATEGORIES`)."""

    rep: RepInfo
    start: date
    rows: tuple[TimesheetRow, ...]

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.start + timedelta(days=i) for i in range(DAYS))

    @property
    def day_totals(self) -> tuple[Decimal, ...]:
        return tuple(sum((r.hours[d] for r in self.rows), ZERO) for d in range(DAYS))

    @property
    def category_totals(self) -> dict[str, Decimal]:
        totals = dict.fromkeys(CATEGORIES, ZERO)
        for row in self.rows:
            totals[row.category] = totals.get(row.category, ZERO) + row.total
        return totals

    @property
    def total(self) -> Decimal:
        return sum(self.day_totals, ZERO)

    @property
    def capacity(self) -> Decimal:
        return self.rep.weekly_capacity_hours


def load_week(rep_id: int, any_day: date) -> Week:
    """The timesheet of ``rep_id`` for the week holding ``any_day``."""
    rep = get_rep(rep_id)
    start = week_start(any_day)
    end = start + timedelta(days=DAYS - 1)
    detailed = Case(None, [((Activity.deal.is_null(False)) | (Activity.note != ""),
                            Activity.hours)], 0)
    cells = (
        Activity.select(Activity.kind, Activity.date, fn.SUM(Activity.hours),
                        fn.SUM(detailed))
        .where(Activity.rep == rep_id, Activity.date.between(start, end))
        .group_by(Activity.kind, Activity.date)
        .tuples()
    )
    to_hours = Activity.hours.from_units
    hours: dict[str, list[Decimal]] = {}
    floors: dict[str, list[Decimal]] = {}
    for kind, day, total, floor in cells:
        offset = (_as_date(day) - start).days
        hours.setdefault(kind, [ZERO] * DAYS)[offset] = to_hours(total)
        floors.setdefault(kind, [ZERO] * DAYS)[offset] = to_hours(floor)
    rows: list[TimesheetRow] = []
    seen: set[str] = set()
    for kind in list_kinds(include_inactive=True):
        if kind.active or kind.name in hours:
            rows.append(_row(kind.name, kind.category, kind.active, hours, floors))
            seen.add(kind.name)
    # Hours under a kind nobody defines any more still count, as "other".
    for name in sorted(set(hours) - seen):
        rows.append(_row(name, "other", False, hours, floors))
    rows.sort(key=lambda r: CATEGORIES.index(r.category) if r.category in CATEGORIES else 9)
    return Week(rep, start, tuple(rows))


def _row(kind, category, active, hours, floors) -> TimesheetRow:
    empty = [ZERO] * DAYS
    return TimesheetRow(kind, category, active, tuple(hours.get(kind, empty)),
                        tuple(floors.get(kind, empty)))


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def set_cell(rep_id: int, day: date, kind: str, hours, actor: RepInfo | None, *,
             today: date | None = None) -> Decimal:
    """Make the cell (rep, day, kind) hold ``hours`` (0 clears it); returns the new value.

    See the module docstring for how the cell maps to Activity rows. Raises
    :class:`ValidationError` (field ``hours``) when the value is not in quarter hours, the
    day would exceed 24 hours, or it is below the hours logged with notes or deals.
    """
    value = clean_hours(hours, allow_zero=True)
    with writing():
        rep = resolve_rep(rep_id, actor)
        kind = resolve_kind(kind).name
        in_cell = list(
            Activity.select()
            .where(Activity.rep == rep_id, Activity.date == day, Activity.kind == kind)
            .order_by(Activity.id)
        )
        current = sum((a.hours for a in in_cell), ZERO)
        if value == current:
            return value
        if value > current:
            clean_date(day, today)
        detailed = [a for a in in_cell if a.deal_id is not None or a.note]
        plain = [a for a in in_cell if a not in detailed]
        floor = sum((a.hours for a in detailed), ZERO)
        if value < floor:
            raise ValidationError(
                f"{kind} on {day.isoformat()} holds {floor.normalize():f} h logged with notes or "
                "against deals; to go lower, edit or delete those activities.",
                field="hours",
            )
        check_day_total(rep, day, value - current)
        rest = value - floor
        keep = plain[0] if plain and rest > 0 else None
        drop = [a.id for a in plain if a is not keep]
        if drop:
            Activity.delete().where(Activity.id.in_(drop)).execute()
        if keep is not None:
            Activity.update(hours=rest).where(Activity.id == keep.id).execute()
        elif rest > 0:
            Activity.create(uuid=uuid.uuid4(), rep=rep, deal=None, kind=kind,
                            date=day, hours=rest, note="")
    return value


# ------------------------------------------------------------------ the team


@dataclass(frozen=True)
class TeamRow:
    rep_id: int
    name: str
    hours: dict[str, Decimal]  # category -> hours
    capacity: Decimal  # for the whole period
    capacity_so_far: Decimal  # for its working days up to today (see capacity_to_date)

    @property
    def total(self) -> Decimal:
        return sum(self.hours.values(), ZERO)

    @property
    def capacity_ahead(self) -> Decimal:
        """The period's capacity still to come (after today)."""
        return self.capacity - self.capacity_so_far

    @property
    def used(self) -> Decimal | None:
        return used_share(self.total, self.capacity_so_far)


@dataclass(frozen=True)
class TeamHours:
    """Hours per rep and category from ``start`` to ``end`` inclusive."""

    start: date
    end: date
    rows: tuple[TeamRow, ...]

    @property
    def totals(self) -> dict[str, Decimal]:
        return {c: sum((r.hours[c] for r in self.rows), ZERO) for c in CATEGORIES}

    @property
    def total(self) -> Decimal:
        return sum(self.totals.values(), ZERO)

    @property
    def capacity(self) -> Decimal:
        return sum((r.capacity for r in self.rows), ZERO)

    @property
    def capacity_so_far(self) -> Decimal:
        return sum((r.capacity_so_far for r in self.rows), ZERO)

    @property
    def capacity_ahead(self) -> Decimal:
        return self.capacity - self.capacity_so_far

    @property
    def used(self) -> Decimal | None:
        return used_share(self.total, self.capacity_so_far)


def hours_by_rep_and_category(start: date, end: date) -> dict[int, dict[str, Decimal]]:
    """rep id -> category -> hours in the period: one GROUP BY over the (date) index; kinds
    are mapped to categories afterwards (a dozen kinds, not a join per row)."""
    categories = category_of_kinds()
    sums = (
        Activity.select(Activity.rep, Activity.kind, fn.SUM(Activity.hours))
        .where(Activity.date.between(start, end))
        .group_by(Activity.rep, Activity.kind)
        .tuples()
    )
    out: dict[int, dict[str, Decimal]] = {}
    for rep_id, kind, units in sums:
        per_rep = out.setdefault(rep_id, dict.fromkeys(CATEGORIES, ZERO))
        category = categories.get(kind, "other")
        per_rep[category] += Activity.hours.from_units(units)
    return out


def team_hours(start: date, end: date, *,
               hours: dict[int, dict[str, Decimal]] | None = None,
               today: date | None = None) -> TeamHours:
    """The team view: every active rep, plus inactive reps who logged hours in the period,
    by name. ``hours`` may pass :func:`hours_by_rep_and_category` already computed for the
    same period (the Team tab shares it with the time figures). ``today`` (default: the
    local date) splits the capacity into what is behind and what is still to come."""
    today = today or clock.local_today()
    if end < start:
        raise ValidationError("The period ends before it starts.", field="period")
    if hours is None:
        hours = hours_by_rep_and_category(start, end)
    active = {r.id for r in list_reps()}
    reps = Rep.select(Rep.id, Rep.name, Rep.weekly_capacity_hours).where(
        Rep.id.in_(list(active | set(hours)))
    ).order_by(Rep.name)
    rows = tuple(
        TeamRow(
            rep.id, rep.name, hours.get(rep.id, dict.fromkeys(CATEGORIES, ZERO)),
            capacity_for(rep.weekly_capacity_hours, start, end),
            capacity_to_date(rep.weekly_capacity_hours, start, end, today),
        )
        for rep in reps
    )
    return TeamHours(start, end, rows)
