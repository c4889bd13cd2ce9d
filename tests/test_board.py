"""The board's data: columns, totals, card facts, filters, and no query per card."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from app.board import FIRST_CARDS, MORE_CARDS, BoardFilter, load_board, title_without_company
from app.clock import local_today, utcnow
from app.deals import DealDraft, create_deal, list_sources, update_deal
from app.pipeline import set_checked
from db.connection import database
from db.models import ChecklistItem


def add(stages, actor, stage: str, title: str, value: str, **extra):
    draft = DealDraft(title=title, stage_id=stages[stage].id, value=Decimal(value), **extra)
    return create_deal(draft, actor)


def column(board, name):
    return next(c for c in board.columns if c.stage.name == name)


def test_columns_are_the_open_sales_stages_in_order_with_won_and_lost_as_targets(stages):
    board = load_board()
    assert [c.stage.name for c in board.columns] == [
        "Sales-ready lead", "Qualified", "Solution fit & demo", "Proposal", "Negotiation",
    ]
    assert [s.name for s in board.won_stages] == ["Won"]
    assert [s.name for s in board.lost_stages] == ["Lost"]


def test_header_figures_count_total_and_weighted(stages, manager):
    add(stages, manager, "Proposal", "A", "1000.20")
    add(stages, manager, "Proposal", "B", "2000.00")
    add(stages, manager, "Suspect", "Marketing lead", "99999")  # not on the board
    proposal = column(load_board(), "Proposal")
    assert proposal.count == 2
    assert proposal.total_value == Decimal("3000.20")
    assert proposal.weighted_value == Decimal("1950.13")  # 65 % of 3000.20
    assert load_board().card_count == 2


def test_a_card_shows_owner_initials_progress_and_overdue_next_step(stages, manager, rep):
    yesterday = local_today() - timedelta(days=1)
    deal = add(stages, manager, "Qualified", "Pilot", "500", company="Acme",
               owner_id=rep.id, next_step="Call back", next_step_due=yesterday)
    first = ChecklistItem.select().where(ChecklistItem.stage == stages["Sales-ready lead"].id)
    for item in list(first)[:3]:
        set_checked(deal.id, item.id, True, manager)
    card = column(load_board(), "Qualified").cards[0]
    assert (card.company, card.title, card.value) == ("Acme", "Pilot", Decimal("500.00"))
    assert card.owner_initials == "RR"
    assert (card.checks_done, card.checks_total) == (3, 8)  # 5 sales-ready + 3 qualified
    assert card.overdue and card.next_step == "Call back"
    assert not card.rotting


def test_an_idle_deal_rots_after_its_stage_rot_days(stages, manager):
    add(stages, manager, "Proposal", "Quiet", "10")  # Proposal rots after 14 days
    later = utcnow() + timedelta(days=15)
    card = column(load_board(now=later, today=later.date()), "Proposal").cards[0]
    assert card.rotting and card.days_in_stage == 15


def test_a_future_next_step_stops_rotting(stages, manager):
    deal = add(stages, manager, "Proposal", "Planned", "10")
    later = utcnow() + timedelta(days=30)
    update_deal(deal.id, {"next_step_due": later.date()}, deal.version, manager)
    card = column(load_board(now=later, today=later.date()), "Proposal").cards[0]
    assert not card.rotting


def test_filters_by_owner_source_and_text(stages, manager, rep):
    source = list_sources()[0]
    add(stages, manager, "Qualified", "Roof repair", "1", company="Acme", owner_id=rep.id)
    add(stages, manager, "Qualified", "Window job", "1", company="Globex",
        source_id=source.id, owner_id=manager.id)
    titles = lambda b: [c.title for col in b.columns for c in col.cards]  # noqa: E731
    assert titles(load_board(BoardFilter(owner_id=rep.id))) == ["Roof repair"]
    assert titles(load_board(BoardFilter(source_id=source.id))) == ["Window job"]
    assert titles(load_board(BoardFilter(text="glob"))) == ["Window job"]
    assert titles(load_board(BoardFilter(text="ROOF"))) == ["Roof repair"]
    roofs = column(load_board(BoardFilter(text="roof")), "Qualified")
    assert (roofs.count, roofs.total_value) == (1, Decimal("1.00"))


def test_a_column_shows_its_largest_deals_first_with_the_exact_count_and_total(stages, manager):
    """A column of more deals than it shows at first: its count and total still cover every
    deal; asking for more shows the next ones, largest first, up to all of them."""
    many = FIRST_CARDS + 7
    for n in range(many):
        add(stages, manager, "Proposal", f"Deal {n:03d}", str(100 + n))
    proposal = column(load_board(), "Proposal")
    assert proposal.count == many and proposal.not_shown == 7
    assert proposal.total_value == Decimal(sum(100 + n for n in range(many))).quantize(
        Decimal("0.01"))
    assert [c.title for c in proposal.cards] == [f"Deal {n:03d}" for n in
                                                  reversed(range(7, many))]
    everything = column(load_board(shown={proposal.stage.id: FIRST_CARDS + MORE_CARDS}),
                        "Proposal")
    assert everything.not_shown == 0 and len(everything.cards) == many
    assert everything.cards[-1].title == "Deal 000"
    narrowed = column(load_board(BoardFilter(text="Deal 00")), "Proposal")
    assert (narrowed.count, narrowed.total_value) == (10, Decimal("1045.00"))


def test_loading_costs_the_same_queries_for_many_cards(stages, manager):
    add(stages, manager, "Qualified", "First", "1")
    add(stages, manager, "Proposal", "Second", "1")  # an empty column reads no cards

    def queries() -> int:
        count = 0
        original = database.obj.execute_sql

        def counting(*args, **kwargs):
            nonlocal count
            count += 1
            return original(*args, **kwargs)

        database.obj.execute_sql = counting
        try:
            load_board()
        finally:
            del database.obj.execute_sql
        return count

    few = queries()
    for n in range(30):
        add(stages, manager, "Proposal", f"Deal {n}", "1")
    assert queries() == few


@pytest.mark.parametrize(("title", "company", "shown"), [
    ("Ironport Manufacturing – Multi-site rollout", "Ironport Manufacturing",
     "Multi-site rollout"),
    ("Walker – Support contract", "Walker & Johnson Leasing", "Support contract"),
    ("ACME: renewal", "Acme", "renewal"),
    ("Acme – ", "Acme", "Acme – "),  # nothing else to say: the title stays whole
    ("Acmeline – pilot", "Acme", "Acmeline – pilot"),  # another name, not the company's
    ("Roof repair – phase 2", "Acme", "Roof repair – phase 2"),
    ("Pilot", "", "Pilot"),
])
def test_a_card_title_leaves_out_the_company_it_starts_with(title, company, shown):
    assert title_without_company(title, company) == shown


def test_search_ignores_the_case_of_letters_beyond_ascii_as_the_deals_table_does(
        stages, manager):
    add(stages, manager, "Qualified", "Pilot", "1", company="Müller GmbH")
    found = [c.title for col in load_board(BoardFilter(text="MÜLLER")).columns
             for c in col.cards]
    assert found == ["Pilot"]
