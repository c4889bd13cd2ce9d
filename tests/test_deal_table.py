"""The deals table's SQL side: filter, sort, totals and row fetches."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.clock import local_today
from app.deal_table import (
    COLUMNS,
    DealSummary,
    DealTableSpec,
    fetch_rows,
    select_ids,
    select_summary,
    select_totals,
)
from app.deals import DealDraft, create_deal, list_sources
from app.periods import period_of
from app.pipeline import move_deal


@pytest.fixture
def deals(stages, manager, rep):
    source = list_sources()[0]
    made = {}
    for title, company, stage, owner, value, close, src in (
        ("Beta roll-out", "zeta corp", "Proposal", rep, "300", date(2026, 3, 1), source.id),
        ("alpha pilot", "Acme", "Qualified", manager, "100.60", None, None),
        ("Gamma deal", "Midway", "Won", None, "200", date(2026, 1, 5), None),
        ("Delta lost", "Acme Labs", "Lost", rep, "50", date(2026, 2, 1), source.id),
    ):
        draft = DealDraft(title=title, company=company, stage_id=stages[stage].id,
                          owner_id=owner.id if owner else None, value=Decimal(value),
                          expected_close=close, source_id=src,
                          contact_email=f"{title.split()[0].lower()}@example.com")
        made[title] = create_deal(draft, manager).id
    return made


def titles(spec: DealTableSpec) -> list[str]:
    ids = select_ids(spec)
    rows = fetch_rows(ids)
    return [rows[i].title for i in ids]


def test_sorts_by_text_ignoring_case_both_ways(deals):
    assert titles(DealTableSpec(sort="title", descending=False)) == [
        "alpha pilot", "Beta roll-out", "Delta lost", "Gamma deal"]
    assert titles(DealTableSpec(sort="title", descending=True)) == [
        "Gamma deal", "Delta lost", "Beta roll-out", "alpha pilot"]


def test_sorts_by_stage_in_pipeline_order_and_by_money(deals):
    assert titles(DealTableSpec(sort="stage", descending=False)) == [
        "alpha pilot", "Beta roll-out", "Gamma deal", "Delta lost"]
    assert titles(DealTableSpec(sort="value", descending=True)) == [
        "Beta roll-out", "Gamma deal", "alpha pilot", "Delta lost"]


def test_empty_dates_and_owners_sort_last_either_way(deals):
    for descending in (False, True):
        assert titles(DealTableSpec(sort="expected_close", descending=descending))[-1] \
            == "alpha pilot"
        assert titles(DealTableSpec(sort="owner", descending=descending))[-1] == "Gamma deal"


def test_every_column_sorts(deals):
    for column in COLUMNS:
        assert sorted(select_ids(DealTableSpec(sort=column))) == sorted(deals.values())


def test_filters_combine_and_text_matches_company_title_and_email(deals, rep, stages):
    assert set(titles(DealTableSpec(owner_id=rep.id))) == {"Beta roll-out", "Delta lost"}
    assert titles(DealTableSpec(stage_id=stages["Won"].id)) == ["Gamma deal"]
    assert set(titles(DealTableSpec(text="acme"))) == {"alpha pilot", "Delta lost"}
    assert titles(DealTableSpec(text="gamma@")) == ["Gamma deal"]
    assert titles(DealTableSpec(text="acme", owner_id=rep.id)) == ["Delta lost"]
    assert titles(DealTableSpec(source_id=list_sources()[0].id, stage_id=stages["Proposal"].id)) \
        == ["Beta roll-out"]


def test_totals_are_exact_and_weighted_by_stage_probability(deals):
    # 300 × 65 % + 100.60 × 25 % + 200 × 100 % + 50 × 0 %
    assert select_totals(DealTableSpec()) == (Decimal("650.60"), Decimal("420.15"))
    assert select_totals(DealTableSpec(text="nothing like this"))[0] == Decimal("0.00")


def test_the_summary_keeps_open_pipeline_and_won_in_the_period_apart(deals, stages, manager):
    this_month = period_of(local_today(), "month")
    # Open: 300 (Proposal, 65 %) + 100.60 (Qualified, 25 %); the won 200 and lost 50 are
    # not pipeline.
    assert select_summary(DealTableSpec(), this_month) == DealSummary(
        4, 2, Decimal("400.60"), Decimal("220.15"), 1, Decimal("200.00"))
    # A period the win does not fall in: nothing won, the rest unchanged.
    assert select_summary(DealTableSpec(), this_month.shifted(-1)) \
        == DealSummary(4, 2, Decimal("400.60"), Decimal("220.15"), 0, Decimal("0.00"))
    # Filters apply to every figure.
    move_deal(deals["alpha pilot"], stages["Won"].id, manager, override_reason="Signed early")
    assert select_summary(DealTableSpec(text="acme"), this_month) \
        == DealSummary(2, 0, Decimal("0.00"), Decimal("0.00"), 1, Decimal("100.60"))


def test_the_lost_reason_is_a_column_of_its_own(deals, stages, manager):
    move_deal(deals["Beta roll-out"], stages["Lost"].id, manager, lost_reason="Went with a rival")
    rows = fetch_rows(list(deals.values()))
    assert rows[deals["Beta roll-out"]].lost_reason == "Went with a rival"
    assert rows[deals["alpha pilot"]].lost_reason == ""
    assert "lost_reason" in COLUMNS


def test_rows_carry_names_for_display_and_version_for_edits(deals):
    row = fetch_rows([deals["Beta roll-out"]])[deals["Beta roll-out"]]
    assert (row.stage_name, row.owner_name, row.source_name) == (
        "Proposal", "Ravi Rep", list_sources()[0].name)
    assert row.value == Decimal("300.00") and row.version == 1
    assert fetch_rows([]) == {}


def test_an_unknown_sort_column_is_refused(deals):
    with pytest.raises(ValueError):
        select_ids(DealTableSpec(sort="colour"))


def test_search_ignores_the_case_of_every_letter_not_only_ascii(stages, manager):
    """SQLite's LIKE folds ASCII letters alone: "MÜLLER" missed "Müller" there, while
    PostgreSQL found it. The deals table (and the board, by the same rule) find it on both."""
    for title, company in (("Pilot", "Müller GmbH"), ("Élan renewal", "Øresund AB"),
                           ("Other", "Muller Inc")):
        create_deal(DealDraft(title=title, company=company, stage_id=stages["Qualified"].id),
                    manager)
    for typed in ("MÜLLER", "müller", "Müller"):
        assert titles(DealTableSpec(text=typed)) == ["Pilot"], typed
    assert titles(DealTableSpec(text="élan")) == titles(DealTableSpec(text="ØRESUND")) \
        == ["Élan renewal"]
    assert set(titles(DealTableSpec(text="MULLER"))) == {"Other"}  # no accent folding
