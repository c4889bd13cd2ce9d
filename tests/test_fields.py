"""Money and hours come back exactly as they were stored."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from db.fields import ScaledDecimalField

cents = st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"),
                    places=2, allow_nan=False, allow_infinity=False)


@given(cents)
def test_every_cent_amount_round_trips_exactly(amount):
    field = ScaledDecimalField(places=2)
    assert field.python_value(field.db_value(amount)) == amount


def test_a_deal_value_is_stored_without_float_error(manager):
    from app.deals import DealDraft, create_deal, get_deal

    draft = DealDraft(title="Exact", value=Decimal("0.10") + Decimal("0.20"))
    created = create_deal(draft, manager)
    assert get_deal(created.id).value == Decimal("0.30")
