"""Lead score: checklist completion plus smoothed fit to past wins, explained by factors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.deals import DealDraft, create_deal
from app.lead_score import fit_model, score_leads, size_band
from app.pipeline import missing_requirements, set_checked
from db.models import ChecklistItem, LeadSource, Stage


@pytest.fixture
def sources(manager):
    return {s.name: s.id for s in LeadSource.select()}


def _closed(manager, stages, sources, n, outcome, **attrs):
    for i in range(n):
        create_deal(DealDraft(f"{outcome} {attrs} {i}", stage_id=stages[outcome].id,
                              **attrs), manager)


@pytest.fixture
def history(manager, stages, sources):
    """Software/51–200/Europe/Referral deals mostly won; Retail/1–10/APAC/Event mostly lost."""
    winner = dict(industry="Software", company_size=120, region="Europe",
                  source_id=sources["Referral"])
    loser = dict(industry="Retail", company_size=4, region="APAC", source_id=sources["Event"])
    _closed(manager, stages, sources, 8, "Won", **winner)
    _closed(manager, stages, sources, 2, "Lost", **winner)
    _closed(manager, stages, sources, 1, "Won", **loser)
    _closed(manager, stages, sources, 9, "Lost", **loser)
    return winner, loser


def test_a_lead_like_past_winners_ranks_above_one_unlike_them(manager, stages, history):
    winner, loser = history
    like = create_deal(DealDraft("Like winners", stage_id=stages["Nurturing"].id,
                                 **winner), manager)
    unlike = create_deal(DealDraft("Unlike winners", stage_id=stages["Nurturing"].id,
                                   value=Decimal(90000), **loser), manager)
    ranked = score_leads()
    assert [lead.deal_id for lead in ranked] == [like.id, unlike.id]
    top, bottom = ranked
    assert top.score > bottom.score
    labels = [f.label for f in top.factors]
    assert "Industry: Software" in labels
    industry = next(f for f in top.factors if f.label == "Industry: Software")
    assert industry.points > 0 and "won 8 of 10" in industry.detail
    assert next(f for f in bottom.factors if f.label == "Industry: Retail").points < 0


def test_ticking_the_checklist_raises_the_score(manager, stages, history):
    winner, _ = history
    lead = create_deal(DealDraft("Lead", stage_id=stages["Nurturing"].id, **winner), manager)
    before = score_leads()[0]
    assert before.checklist_done == 0 and before.checklist_total == 7
    for item in missing_requirements(lead.id, stages["Sales-ready lead"].id):
        set_checked(lead.id, item.id, True, manager)
    after = score_leads()[0]
    assert after.score > before.score
    assert after.checklist_done == 4
    assert after.factors[0].label == "Checklist"


def test_not_ready_lists_what_is_missing(manager, stages, history):
    winner, _ = history
    lead = create_deal(DealDraft("Lead", stage_id=stages["Nurturing"].id, **winner), manager)
    scored = score_leads()[0]
    assert not scored.ready
    assert "A named buyer" in scored.missing
    assert "Fits the ideal customer profile" not in scored.missing  # already in Nurturing
    assert scored.not_ready_reason.startswith("Missing: ")
    for item in missing_requirements(lead.id, stages["Sales-ready lead"].id):
        set_checked(lead.id, item.id, True, manager)
    scored = score_leads(threshold=50)[0]
    assert scored.missing == () and scored.ready and scored.not_ready_reason == ""
    assert not score_leads(threshold=100)[0].ready


def test_a_suspect_also_needs_the_nurturing_items(manager, stages):
    create_deal(DealDraft("Cold", stage_id=stages["Suspect"].id), manager)
    assert "Fits the ideal customer profile" in score_leads()[0].missing


def test_smoothing_keeps_a_single_win_from_dominating(manager, stages, history, sources):
    create_deal(DealDraft("One-off", stage_id=stages["Won"].id, industry="Mining"), manager)
    model = fit_model()
    mining, _ = model.rate("industry", "mining")
    software, _ = model.rate("industry", "software")
    assert model.base < mining < software < 1


def test_only_open_marketing_side_deals_are_scored(manager, stages, history):
    create_deal(DealDraft("On the board", stage_id=stages["Qualified"].id), manager)
    assert score_leads() == []


def test_no_history_scores_on_the_checklist_alone(manager, stages):
    create_deal(DealDraft("A", stage_id=stages["Nurturing"].id, industry="Software"), manager)
    (lead,) = score_leads()
    fit = sum(f.points for f in lead.factors if f.label != "Checklist")
    assert fit == pytest.approx(0)
    assert lead.score == 40  # every value counts at the base rate: the full fit share


@pytest.mark.parametrize(
    ("employees", "band"), [(None, ""), (1, "1–10"), (10, "1–10"), (11, "11–50"),
                            (200, "51–200"), (201, "201–1,000"), (5000, "1,000+")],
)
def test_size_bands(employees, band):
    assert size_band(employees) == band


def test_scoring_takes_a_fixed_number_of_queries(manager, stages, history):
    from db.connection import database

    for i in range(30):
        create_deal(DealDraft(f"Lead {i}", stage_id=stages["Nurturing"].id,
                              industry="Software"), manager)
    db = database.obj
    statements = []
    original = db.execute_sql

    def counting(sql, params=None, *args, **kwargs):
        statements.append(sql)
        return original(sql, params, *args, **kwargs)

    db.execute_sql = counting
    try:
        assert len(score_leads()) == 30
    finally:
        db.execute_sql = original
    assert len(statements) <= 8


def test_ticks_on_later_sales_stages_do_not_count(manager, stages, history):
    """Only the marketing stages' and the sales-ready items make the checklist figure: a
    lead ticking ahead on a later sales stage's item is not scored higher for it."""
    winner, _ = history
    lead = create_deal(DealDraft("Lead", stage_id=stages["Nurturing"].id, **winner), manager)
    before = score_leads()[0]
    later = (ChecklistItem.select().join_from(ChecklistItem, Stage)
             .where(Stage.side == "sales",
                    Stage.position > stages["Sales-ready lead"].position)
             .order_by(Stage.position).first())
    assert later is not None
    set_checked(lead.id, later.id, True, manager)
    after = score_leads()[0]
    assert before.checklist_done == after.checklist_done == 0
    assert after.score == before.score
