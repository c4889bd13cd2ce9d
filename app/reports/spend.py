"""What each lead source cost, month by month (``SourceSpend``), and the spend of a period.

Why monthly: a campaign's money belongs to the months it ran, so cost per lead and return on
spend of a quarter use that quarter's spend. A period that covers part of a month takes the
month's spend in proportion to the days it covers (a custom period of 1–15 March takes
15/31 of March's).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from app import settings
from app.deals import clean_value
from app.errors import ValidationError
from app.money import CENT
from app.users import RepInfo, require_manager
from db.connection import writing
from db.models import LeadSource, SourceSpend

Cell = tuple[int, date]  # (source id, first day of the month)


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class SpendGrid:
    """Spend of every source over ``months`` (first days); a missing cell is zero."""

    months: tuple[date, ...]
    sources: tuple[tuple[int, str], ...]  # (id, name), by name
    amounts: dict[Cell, Decimal]

    def amount(self, source_id: int, month: date) -> Decimal:
        return self.amounts.get((source_id, month), Decimal("0.00"))


@dataclass(frozen=True)
class SpendChange:
    """A write done: each cell's amount ``before`` and ``after`` (undo writes ``before``)."""

    before: dict[Cell, Decimal]
    after: dict[Cell, Decimal]

    @property
    def changed(self) -> bool:
        return self.before != self.after


def spend_grid(first_month: date, months: int) -> SpendGrid:
    """The spend of ``months`` months from ``first_month``'s."""
    first = month_start(first_month)
    shown = tuple(add_months(first, i) for i in range(months))
    rows = SourceSpend.select(SourceSpend.source, SourceSpend.month, SourceSpend.amount).where(
        SourceSpend.month.between(shown[0], shown[-1]))
    sources = tuple(LeadSource.select(LeadSource.id, LeadSource.name)
                    .order_by(LeadSource.name).tuples())
    return SpendGrid(shown, sources, {(s.source_id, s.month): s.amount for s in rows})


def _clean(amount, source: str, month: date) -> Decimal:
    try:
        return clean_value(amount)
    except ValidationError:
        raise ValidationError(
            f"Spend is an amount of zero or more (such as 2500); {str(amount)!r} for "
            f"{source} in {month:%B %Y} is not.", field="amount") from None


def put_spend(amounts: Mapping[Cell, object], actor: RepInfo | None) -> SpendChange:
    """Set several months' spend in one transaction (zero clears a month). All or nothing;
    a manager's job."""
    require_manager(actor, "set what lead sources cost")
    names = dict(LeadSource.select(LeadSource.id, LeadSource.name).tuples())
    cleaned = {}
    for (source_id, month), amount in amounts.items():
        if source_id not in names:
            raise ValidationError("That lead source no longer exists; reload and try again.",
                                  field="source")
        cleaned[(source_id, month_start(month))] = _clean(amount, names[source_id], month)
    before = {}
    with writing():
        for (source_id, month), amount in cleaned.items():
            row = SourceSpend.get_or_none((SourceSpend.source == source_id)
                                          & (SourceSpend.month == month))
            before[(source_id, month)] = row.amount if row else Decimal("0.00")
            if row is not None and not amount:
                row.delete_instance()
            elif row is not None:
                row.amount = amount
                row.save()
            elif amount:
                SourceSpend.create(source=source_id, month=month, amount=amount)
    return SpendChange(before, cleaned)


def spend_in(start: date, end: date, source_id: int | None = None) -> dict[int, Decimal]:
    """source id -> its spend over the days ``start``–``end``: whole months in full, a month
    the period covers in part by the share of its days covered."""
    query = SourceSpend.select(SourceSpend.source, SourceSpend.month, SourceSpend.amount).where(
        SourceSpend.month.between(month_start(start), end))
    if source_id is not None:
        query = query.where(SourceSpend.source == source_id)
    totals: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for row in query:
        last = add_months(row.month, 1) - timedelta(days=1)
        covered = (min(end, last) - max(start, row.month)).days + 1
        days = (last - row.month).days + 1
        share = row.amount if covered >= days else row.amount * covered / days
        totals[row.source_id] += share
    return {s: v.quantize(CENT) for s, v in totals.items()}


@dataclass(frozen=True)
class Economics:
    """The settings that turn the reports' wins into profit and hours into a benchmark."""

    gross_margin: Decimal  # a fraction, 0–1
    revenue_per_hour_target: Decimal


def economics() -> Economics:
    stored = settings.load()
    return Economics(stored.gross_margin, stored.revenue_per_hour_target)


def set_economics(wanted: Economics, actor: RepInfo | None) -> Economics:
    """Store the gross margin (0–100 %) and the revenue-per-hour target (more than zero);
    returns what they were, for undo. A manager's job."""
    require_manager(actor, "change the gross margin and the hourly target")
    if not Decimal(0) <= wanted.gross_margin <= Decimal(1):
        raise ValidationError("The gross margin is a share of a sale between 0 % and 100 %.",
                              field="gross_margin")
    if wanted.revenue_per_hour_target <= 0:
        raise ValidationError("The revenue-per-hour target is an amount above zero (such as "
                              "1000).", field="revenue_per_hour_target")
    before = economics()
    with writing():
        settings.put("gross_margin", str(wanted.gross_margin))
        settings.put("revenue_per_hour_target", str(wanted.revenue_per_hour_target))
    return before
