"""Quotas per rep and for the team, per period (a fiscal quarter or a month).

Everyone may read them; only a manager writes (:func:`app.users.require_manager`).

The team's quota for a period is the one set for the team (a row with no rep) when there is
one, otherwise the sum of the reps' quotas for that period: a manager who sets nothing for the
team gets the plain total, one who plans a cushion (or a stretch) sets it on its own.

A quota belongs to exactly one period: the row's ``period_start`` and ``period_end`` are the
period's. The table keeps one quota per rep per start day, so a rep cannot hold a quarter's
and a month's quota starting the same day; setting one over the other is refused rather
than silently replacing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.deals import clean_value
from app.errors import ValidationError
from app.periods import Period
from app.users import RepInfo, require_manager
from db.connection import writing
from db.models import Quota, Rep

TEAM = "Team"


@dataclass(frozen=True)
class QuotaInfo:
    rep_id: int | None  # None: the team's quota
    rep_name: str  # "Team" for the team
    period_start: date
    period_end: date
    amount: Decimal


@dataclass(frozen=True)
class GridRow:
    """One line of the quota grid: a rep, or the team (``rep_id`` None).

    ``amounts[i]`` is the quota for the grid's ``periods[i]`` (None: none set). For the team
    it is the quota in force: the team's own where ``own[i]``, else the sum of the reps'
    (None when no rep has one either). For a rep ``own[i]`` is simply ``amounts[i] is not
    None``."""

    rep_id: int | None
    name: str
    role: str  # "manager", "rep", or "" for the team
    active: bool
    amounts: tuple[Decimal | None, ...]
    own: tuple[bool, ...]


@dataclass(frozen=True)
class QuotaGrid:
    """Quotas for consecutive periods: ``reps`` sorted by name, and the ``team`` line."""

    periods: tuple[Period, ...]
    reps: tuple[GridRow, ...]
    team: GridRow


@dataclass(frozen=True)
class QuotaChange:
    """What a write did to one period: each touched quota (rep id, None for the team) before
    and after (None: no quota). Writing ``before`` back with :func:`put_quotas` undoes it."""

    period: Period
    before: Mapping[int | None, Decimal | None]
    after: Mapping[int | None, Decimal | None]

    @property
    def changed(self) -> int:
        return sum(self.before[k] != self.after[k] for k in self.after)


def _name(rep: Rep | None) -> str:
    return rep.name if rep is not None else TEAM


def _existing(rep_id: int | None, start: date) -> Quota | None:
    # SQLite's and PostgreSQL's UNIQUE(rep, period_start) let several NULL reps through, so
    # the team's row is found explicitly rather than by an upsert.
    return Quota.get_or_none(
        (Quota.rep.is_null() if rep_id is None else Quota.rep == rep_id)
        & (Quota.period_start == start)
    )


def _put(rep_id: int | None, start: date, end: date, value: Decimal | None) -> Decimal | None:
    """Set (``value``) or clear (None) one quota inside the caller's transaction; returns the
    amount it had before (None: none)."""
    rep = None
    if rep_id is not None:
        rep = Rep.get_or_none(Rep.id == rep_id)
        if rep is None:
            raise ValidationError("That rep no longer exists.", field="rep")
    existing = _existing(rep_id, start)
    if existing is not None and existing.period_end != end:
        raise ValidationError(
            f"{_name(rep)} already has a quota for {existing.period_start.isoformat()} to "
            f"{existing.period_end.isoformat()}, which starts the same day; clear that one "
            "first (a quarter's and a month's quota cannot start on the same day).",
            field="period",
        )
    before = existing.amount if existing is not None else None
    if value is None:
        if existing is not None:
            existing.delete_instance()
    elif existing is None:
        Quota.create(rep=rep, period_start=start, period_end=end, amount=value)
    elif existing.amount != value:
        Quota.update(amount=value).where(Quota.id == existing.id).execute()
    return before


def set_quota(
    rep_id: int | None, period_start: date, period_end: date, amount, actor: RepInfo | None
) -> QuotaInfo:
    """Set (create or replace) the quota of a rep, or of the team when ``rep_id`` is None,
    for the period from ``period_start`` to ``period_end``."""
    require_manager(actor, "set quotas")
    if period_end < period_start:
        raise ValidationError("A quota's period must end after it starts.", field="period_end")
    value = _clean(amount)
    with writing():
        _put(rep_id, period_start, period_end, value)
        rep = Rep.get_or_none(Rep.id == rep_id) if rep_id is not None else None
    return QuotaInfo(rep_id, _name(rep), period_start, period_end, value)


def _clean(amount) -> Decimal:
    """A quota as Decimal cents: the same rule as a deal's value, in a quota's words."""
    try:
        return clean_value(amount)
    except ValidationError:
        raise ValidationError(
            f"A quota is an amount of zero or more (such as 50000); {str(amount)!r} is not.",
            field="amount",
        ) from None


def put_quotas(
    period: Period, amounts: Mapping[int | None, object], actor: RepInfo | None
) -> QuotaChange:
    """Set or clear several quotas of ``period`` in one transaction: ``amounts`` maps a rep
    id (None: the team) to an amount, or to None to clear it. All or nothing."""
    require_manager(actor, "set quotas")
    cleaned = {k: (None if v is None else _clean(v)) for k, v in amounts.items()}
    with writing():
        before = {k: _put(k, period.start, period.end, v) for k, v in cleaned.items()}
    return QuotaChange(period, before, cleaned)


def copy_quotas_forward(period: Period, actor: RepInfo | None) -> QuotaChange:
    """Copy ``period``'s quotas (each rep's, and the team's when set on its own) to the next
    period, replacing what that one had for the same people; others there are kept. Raises
    :class:`ValidationError` when ``period`` has none to copy."""
    require_manager(actor, "set quotas")
    source = {
        q.rep_id: q.amount
        for q in Quota.select().where(
            (Quota.period_start == period.start) & (Quota.period_end == period.end)
        )
    }
    if not source:
        raise ValidationError(
            f"{period.label} has no quotas to copy; set some first.", field="period"
        )
    return put_quotas(period.shifted(1), source, actor)


def quotas_in_force(period: Period) -> dict[int | None, Decimal]:
    """rep id -> the rep's quota for exactly ``period`` (start and end both match: a
    quarter's quota is not its first month's), and None -> the team's in force (its own, or
    the sum of the reps'; absent when neither exists). The same figures as the quota grid's
    column for ``period``."""
    grid = quota_grid(period, 1)
    amounts = {row.rep_id: row.amounts[0] for row in (*grid.reps, grid.team)}
    return {rep_id: amount for rep_id, amount in amounts.items() if amount is not None}


def quota_grid(first: Period, count: int = 4) -> QuotaGrid:
    """The quotas of ``count`` consecutive periods from ``first``: a row for every active
    member of the team (managers too: in a small team the owner often sells) and for anyone
    inactive who holds a quota in those periods, and the team's row."""
    periods = tuple(first.shifted(i) for i in range(count))
    column = {(p.start, p.end): i for i, p in enumerate(periods)}
    held: dict[int | None, list[Decimal | None]] = {}
    for rep_id, start, end, amount in (
        Quota.select(Quota.rep, Quota.period_start, Quota.period_end, Quota.amount)
        .where((Quota.period_start >= periods[0].start) & (Quota.period_end <= periods[-1].end))
        .tuples()
    ):
        if (start, end) in column:
            held.setdefault(rep_id, [None] * count)[column[(start, end)]] = amount
    people = (
        Rep.select(Rep.id, Rep.name, Rep.role, Rep.active)
        .where((Rep.active == True) | Rep.id.in_([k for k in held if k is not None]))
        .order_by(Rep.name)
        .tuples()
    )
    reps = []
    for rep_id, name, role, active in people:
        amounts = tuple(held.get(rep_id, [None] * count))
        reps.append(GridRow(rep_id, name, role, bool(active), amounts,
                            tuple(a is not None for a in amounts)))
    own = held.get(None, [None] * count)
    team_amounts: list[Decimal | None] = []
    for i, amount in enumerate(own):
        given = [a for a in (r.amounts[i] for r in reps) if a is not None]
        team_amounts.append(amount if amount is not None
                            else sum(given, Decimal(0)) if given else None)
    team = GridRow(None, TEAM, "", True, tuple(team_amounts), tuple(a is not None for a in own))
    return QuotaGrid(periods, tuple(reps), team)
