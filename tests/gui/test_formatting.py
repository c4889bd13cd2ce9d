"""Score points as the Leads view writes them: signed, and never a negative zero."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from app.lead_score import Factor, LeadScore
from ui.formatting import format_points
from ui.leads.model import LeadsModel

pytestmark = pytest.mark.gui


@given(st.floats(min_value=-1000, max_value=1000, allow_nan=False), st.integers(0, 2))
def test_points_are_signed_and_never_a_negative_zero(points, places):
    text = format_points(points, places)
    assert float(text) == pytest.approx(round(points, places), abs=10 ** -places)
    if float(text) == 0:
        assert text == f"{0:.{places}f}"  # "0", not "-0" nor "+0"
    else:
        assert text[0] == ("+" if points > 0 else "-")


def test_a_factor_that_rounds_to_nothing_is_not_shown_as_minus_zero(qtmodeltester):
    """The Leads view showed "-0 11–50 staff" for a size band worth -0.3 points."""
    lead = LeadScore(
        deal_id=1, version=1, title="Roof", company="Acme", stage_id=1, stage_name="Suspect",
        source="", owner="", value=Decimal("100"), score=38, checklist_done=2,
        checklist_total=4,
        factors=(Factor("Checklist", "2 of 4 items", 38.0),
                 Factor("Size: 11–50", "like the average", -0.3)),
        missing=(), ready=False)
    model = LeadsModel("USD")
    model.load([lead])
    qtmodeltester.check(model)
    assert model.index(0, LeadsModel.WHY).data() == "+38 checklist"
    tooltip = model.index(0, LeadsModel.WHY).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "+38.0  Checklist — 2 of 4 items\n-0.3  Size: 11–50 — like the average"
