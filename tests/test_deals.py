"""Creating and editing deals: validation, optimistic version, sources."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.deal_detail import checklist_for
from app.deals import (
    DealDraft,
    create_deal,
    format_amount,
    get_deal,
    list_sources,
    owner_choices,
    parse_amount,
    save_deal,
    update_deal,
)
from app.errors import ConflictError, NotFound, ValidationError
from app.rep_admin import update_rep
from db.models import ChecklistCheck, ChecklistItem, Deal, StageChange


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


# ------------------------------------------------------------------ amounts
# (group, decimal) as QLocale gives them: English, German, French (narrow no-break space),
# Swiss, and none at all.
SEPARATORS = [(",", "."), (".", ","), ("\u202f", ","), ("’", "."), ("", ".")]


@pytest.mark.parametrize(("text", "group", "decimal", "amount"), [
    ("12,500.50", ",", ".", "12500.50"),
    ("12.500,50", ".", ",", "12500.50"),
    ("1\u202f250\u202f000,5", "\u202f", ",", "1250000.5"),
    ("  7 250 ", ",", ".", "7250"),
    ("", ",", ".", "0"),
    (".5", ",", ".", "0.5"),
    ("-3", ",", ".", "-3"),  # the sign is clean_value's to refuse, with its own message
])
def test_an_amount_is_read_with_the_locales_separators(text, group, decimal, amount):
    assert parse_amount(text, group, decimal) == Decimal(amount)


@pytest.mark.parametrize(("text", "group", "decimal"), [
    ("12.500,50", ",", "."),  # German typing in an English locale: not 12.5005
    ("ten", ",", "."),
    ("1,,000", ",", "."),
    (",500", ",", "."),
    ("1.2.3", ",", "."),
    ("NaN", ",", "."),
    ("1e5", ",", "."),
    ("-", ",", "."),
])
def test_what_is_not_an_amount_is_refused_quoting_it(text, group, decimal):
    with pytest.raises(ValidationError) as refused:
        parse_amount(text, group, decimal)
    assert refused.value.field == "value" and repr(text.strip()) in str(refused.value)


@given(
    st.decimals(min_value=Decimal("-999999999999.99"), max_value=Decimal("999999999999.99"),
                allow_nan=False, allow_infinity=False, places=2),
    st.sampled_from(SEPARATORS),
)
def test_a_formatted_amount_reads_back_as_itself(value, separators):
    group, decimal = separators
    assert parse_amount(format_amount(value, group, decimal), group, decimal) == value


# ------------------------------------------------------------------ owners
def test_an_inactive_owner_is_kept_in_the_choices_of_their_deal_and_in_filters(manager, rep):
    update_rep(rep.id, {"active": False}, manager)
    assert [c.id for c in owner_choices()] == [manager.id]
    kept = owner_choices(keep=rep.id)
    assert [(c.id, c.label, c.active) for c in kept] == [
        (manager.id, "Maria Manager", True), (rep.id, "Ravi Rep (inactive)", False)]
    assert owner_choices(everyone=True) == kept


# ------------------------------------------------------------------ save_deal
def _items(deal_id: int | None, stage_name: str) -> list[int]:
    return [e.item_id for e in checklist_for(deal_id) if e.stage_name == stage_name]


def test_save_deal_writes_fields_and_ticks_in_one_go(manager, stages):
    first, second = _items(None, "Sales-ready lead")[:2]
    made = save_deal(None, DealDraft(title="Acme"), {first: True}, None, manager)
    assert ChecklistCheck.select().where(ChecklistCheck.deal == made.id).count() == 1
    edited = save_deal(made.id, {"notes": "Call back"}, {first: False, second: True},
                       made.version, manager)
    assert edited.notes == "Call back" and edited.version > made.version
    assert [c.item_id for c in ChecklistCheck.select().where(
        ChecklistCheck.deal == made.id)] == [second]


def test_a_tick_only_save_bumps_the_version_and_is_checked_against_it(manager, stages):
    deal = create_deal(DealDraft(title="Acme"), manager)
    item = _items(deal.id, "Sales-ready lead")[0]
    ticked = save_deal(deal.id, {}, {item: True}, deal.version, manager)
    assert ticked.version > deal.version
    with pytest.raises(ConflictError):  # made against the version before the tick
        save_deal(deal.id, {}, {item: False}, deal.version, manager)
    assert ChecklistCheck.select().where(ChecklistCheck.deal == deal.id).count() == 1


def test_a_tick_on_an_item_deleted_meanwhile_writes_nothing(manager, stages):
    deal = create_deal(DealDraft(title="Acme", notes="Old"), manager)
    kept, gone = _items(deal.id, "Sales-ready lead")[:2]
    ChecklistItem.delete_by_id(gone)  # a manager edited the checklist meanwhile
    with pytest.raises(NotFound):
        save_deal(deal.id, {"notes": "New"}, {kept: True, gone: True}, deal.version, manager)
    assert get_deal(deal.id) == deal
    assert not ChecklistCheck.select().where(ChecklistCheck.deal == deal.id).exists()
    with pytest.raises(NotFound):
        save_deal(None, DealDraft(title="Fresh"), {kept: True, gone: True}, None, manager)
    assert Deal.select().count() == 1  # the new deal was not half-made either


@pytest.mark.parametrize(("typed", "group", "decimal"), [
    ("12,50", ",", "."),  # meant 12.50, not 1,250
    ("1,5", ",", "."),
    ("1,2,3", ",", "."),
    ("12.50", ".", ","),  # German locale: meant 12,50
    ("1,2345", ",", "."),
])
def test_a_group_separator_that_cannot_be_thousands_is_refused(typed, group, decimal):
    from app.deals import parse_amount

    with pytest.raises(ValidationError, match="not an amount"):
        parse_amount(typed, group, decimal)


def test_a_text_longer_than_its_column_is_refused_before_the_save(manager):
    """On PostgreSQL a varchar(255) refuses a longer title at the write; the editor must say
    so first, naming the field, on both databases."""
    with pytest.raises(ValidationError, match="Company is 300 characters long; it holds at most"):
        create_deal(DealDraft("Roof", company="x" * 300), manager)
    with pytest.raises(ValidationError, match="Company size"):
        create_deal(DealDraft("Roof", company_size=2**40), manager)


def test_control_characters_are_dropped_from_what_is_typed(manager):
    deal = create_deal(DealDraft("Roof\x00", company="Ac\x07me", notes="line one\nline\x00 two"),
                       manager)
    assert (deal.title, deal.company, deal.notes) == ("Roof", "Acme", "line one\nline two")


def test_a_new_deal_in_a_later_stage_meets_its_gate(stages, manager):
    from app.pipeline import GateBlocked, missing_requirements

    sales_ready = stages["Sales-ready lead"].id
    with pytest.raises(GateBlocked, match="Before entering Sales-ready lead") as refused:
        save_deal(None, DealDraft(title="Straight to sales", stage_id=sales_ready), {}, None,
                  manager)
    assert not Deal.select().where(Deal.title == "Straight to sales").exists()
    required = {item.id: True for item in refused.value.missing}
    made = save_deal(None, DealDraft(title="Straight to sales", stage_id=sales_ready),
                     required, None, manager)
    assert made.stage_id == sales_ready
    assert missing_requirements(made.id, sales_ready, new=True) == []
    # The first stage has no entry criteria: a bare new lead is fine there.
    assert save_deal(None, DealDraft(title="Bare lead"), {}, None, manager).stage_id \
        == stages["Suspect"].id
