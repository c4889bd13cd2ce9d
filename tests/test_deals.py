"""Creating and editing deals: validation, optimistic version, sources."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.deals import DealDraft, create_deal, get_deal, list_sources, update_deal
from app.errors import ConflictError, ValidationError
from db.models import StageChange


def test_a_new_deal_starts_in_the_first_stage_with_its_entry_recorded(stages, manager):
    deal = create_deal(DealDraft(title="  Acme   pilot ", value=Decimal("12.345")), manager)
    assert deal.title == "Acme pilot"
    assert deal.stage_id == stages["Suspect"].id
    assert deal.value == Decimal("12.34")  # half-even to the cent
    entry = StageChange.get(StageChange.deal == deal.id)
    assert entry.from_stage_id is None and entry.to_stage_id == stages["Suspect"].id


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "   "}, "title"),
    ({"value": "-5"}, "value"),
    ({"value": "ten"}, "value"),
    ({"contact_email": "not-an-address"}, "contact_email"),
    ({"owner_id": 9999}, "owner_id"),
])
def test_bad_input_names_the_field_and_changes_nothing(manager, changes, field):
    deal = create_deal(DealDraft(title="Acme", value=Decimal("10")), manager)
    with pytest.raises(ValidationError) as refused:
        update_deal(deal.id, changes, deal.version, manager)
    assert refused.value.field == field
    assert get_deal(deal.id) == deal


def test_an_edit_bumps_the_version_and_a_stale_edit_is_a_conflict(manager, rep):
    deal = create_deal(DealDraft(title="Acme"), manager)
    edited = update_deal(deal.id, {"value": "2500", "expected_close": date(2026, 6, 30),
                                   "owner_id": rep.id}, deal.version, manager)
    assert edited.version == deal.version + 1
    assert (edited.value, edited.owner_id) == (Decimal("2500.00"), rep.id)
    with pytest.raises(ConflictError):
        update_deal(deal.id, {"title": "Mine"}, deal.version, rep)
    assert get_deal(deal.id).title == "Acme"


def test_an_edit_that_changes_nothing_keeps_the_version(manager):
    deal = create_deal(DealDraft(title="Acme", value=Decimal("5")), manager)
    assert update_deal(deal.id, {"value": "5.00"}, deal.version, manager).version == deal.version


def test_sources_are_listed_by_name(manager):
    names = [s.name for s in list_sources()]
    assert names == sorted(names) and names
