"""Typed access to the ``setting`` table (currency, fiscal year, thresholds, current user)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.money import CENT
from db.connection import writing
from db.models import Setting

DEFAULTS: dict[str, str] = {
    "currency": "USD",
    "fiscal_year_start_month": "1",
    "sales_ready_threshold": "60",
    "revenue_per_hour_target": "1000",
    # The share of a sale that is profit, as a fraction: the value of a lead and the return
    # on a source's spend are worked out from profit, not from revenue.
    "gross_margin": "0.7",
    "current_user": "",
    # the what-if's lever costs (issue 12): a lead's cost when no lead source has a cost set,
    # training that raises a rep's conversion by 10 %, an hour of selling time bought
    "whatif_cost_per_lead": "60",
    "whatif_training_cost_per_rep": "2500",
    "whatif_hourly_cost": "45",
}


@dataclass(frozen=True)
class Settings:
    currency: str
    fiscal_year_start_month: int
    sales_ready_threshold: int
    revenue_per_hour_target: Decimal
    current_user: str
    gross_margin: Decimal = Decimal("0.7")


def get(key: str) -> str:
    row = Setting.get_or_none(Setting.key == key)
    return row.value if row is not None else DEFAULTS.get(key, "")


def put(key: str, value: str) -> None:
    with writing():
        Setting.insert(key=key, value=value).on_conflict(
            conflict_target=[Setting.key], update={Setting.value: value}
        ).execute()


LEVER_COSTS = ("whatif_cost_per_lead", "whatif_training_cost_per_rep", "whatif_hourly_cost")


def put_lever_cost(key: str, amount: Decimal) -> None:
    """Remember one of the what-if's lever costs (``key`` in :data:`LEVER_COSTS`). A cost
    cannot be negative; the user is told which."""
    from app.errors import ValidationError

    if key not in LEVER_COSTS:
        raise ValueError(f"{key} is not a lever cost")
    if amount < 0:
        raise ValidationError("A cost cannot be negative: write 0 or more.", field=key)
    put(key, str(amount.quantize(CENT)))


def load() -> Settings:
    """All settings at once, defaults filled in."""
    stored = dict(Setting.select(Setting.key, Setting.value).tuples())
    merged = {**DEFAULTS, **stored}
    return Settings(
        currency=merged["currency"],
        fiscal_year_start_month=int(merged["fiscal_year_start_month"]),
        sales_ready_threshold=int(merged["sales_ready_threshold"]),
        revenue_per_hour_target=Decimal(merged["revenue_per_hour_target"]),
        current_user=merged["current_user"],
        gross_margin=Decimal(merged["gross_margin"]),
    )
