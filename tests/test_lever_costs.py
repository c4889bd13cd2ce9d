"""The what-if's lever costs as the manager edits them: remembered, read back by the
what-if, and a negative cost refused with a sentence naming what to do."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app import settings
from app.errors import ValidationError
from app.forecast.whatif import lever_costs


def test_a_lever_cost_is_remembered_and_used(workspace):
    settings.put_lever_cost("whatif_training_cost_per_rep", Decimal("1234.5"))
    settings.put_lever_cost("whatif_hourly_cost", Decimal("0"))
    settings.put_lever_cost("whatif_cost_per_lead", Decimal("75"))
    costs = lever_costs(date.today())
    assert costs.training_per_rep == Decimal("1234.50") and costs.per_hour == 0
    assert (costs.per_lead, costs.per_lead_source) == (Decimal("75.00"), "setting")


def test_a_negative_cost_is_refused_and_nothing_is_written(workspace):
    with pytest.raises(ValidationError, match="cannot be negative"):
        settings.put_lever_cost("whatif_hourly_cost", Decimal("-1"))
    assert settings.get("whatif_hourly_cost") == settings.DEFAULTS["whatif_hourly_cost"]
    with pytest.raises(ValueError):
        settings.put_lever_cost("currency", Decimal("1"))
