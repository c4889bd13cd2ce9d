"""Quotas per rep and for the team, per period (usually a fiscal quarter). Manager-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from peewee import JOIN

from app.deals import clean_value
from app.errors import ValidationError
from app.users import RepInfo, require_manager
from db.connection import writing
from db.models import Quota, Rep


@dataclass(frozen=True)
class QuotaInfo:
    rep_id: int | None  # None: the team's quota
    rep_name: str  # "Team" for the team
    period_start: date
    period_end: date
    amount: Decimal


def set_quota(
    rep_id: int | None, period_start: date, period_end: date, amount, actor: RepInfo | None
) -> QuotaInfo:
    """Set (create or replace) the quota of a rep, or of the team when ``rep_id`` is None,
    for the period starting ``period_start``."""
    require_manager(actor, "set quotas")
    if period_end < period_start:
        raise ValidationError("A quota's period must end after it starts.", field="period_end")
    value = clean_value(amount)
    with writing():
        rep = None
        if rep_id is not None:
            rep = Rep.get_or_none(Rep.id == rep_id)
            if rep is None:
                raise ValidationError("That rep no longer exists.", field="rep")
        # SQLite's UNIQUE(rep, period_start) lets several NULL reps through, so the team's
        # row is found and replaced explicitly rather than by an upsert.
        existing = Quota.get_or_none(
            (Quota.rep.is_null() if rep_id is None else Quota.rep == rep_id)
            & (Quota.period_start == period_start)
        )
        if existing is None:
            Quota.create(rep=rep, period_start=period_start, period_end=period_end, amount=value)
        else:
            Quota.update(period_end=period_end, amount=value).where(
                Quota.id == existing.id
            ).execute()
    return QuotaInfo(rep_id, rep.name if rep else "Team", period_start, period_end, value)


def quotas_for(period_start: date) -> list[QuotaInfo]:
    """Every quota for the period starting ``period_start``: the team's first, then by rep."""
    rows = (
        Quota.select(Quota, Rep)
        .join(Rep, JOIN.LEFT_OUTER)
        .where(Quota.period_start == period_start)
    )
    found = [
        QuotaInfo(q.rep_id, q.rep.name if q.rep_id else "Team", q.period_start, q.period_end,
                  q.amount)
        for q in rows
    ]
    return sorted(found, key=lambda q: (q.rep_id is not None, q.rep_name))
