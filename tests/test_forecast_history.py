"""Facts the forecast reads from the event log: blended stage rates and slips."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from app.forecast import compute_forecast, parse_period
from app.forecast.history import Cutoff, OpenDeal, read_history, stages
from app.forecast.model import Model
from db.models import Deal, Stage, StageChange

TODAY = date(2026, 12, 4)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch):
    monkeypatch.setattr("app.clock.local_today", lambda: TODAY)


def craft(owner_id: int | None, moves: list[tuple[str, datetime]], *, value="10000",
          expected_close: date | None = None) -> int:
    """A deal whose stage history is ``moves`` (stage name, when), written as the app
    would: a first StageChange from no stage, the deal standing in the last stage."""
    ids = {s.name: s.id for s in Stage.select()}
    first, last = moves[0], moves[-1]
    deal = Deal.create(title=f"Deal {uuid.uuid4().hex[:6]}", owner=owner_id,
                       stage=ids[last[0]], value=Decimal(value), expected_close=expected_close,
                       created_at=first[1], stage_entered_at=last[1],
                       last_activity_at=last[1], updated_at=last[1])
    before = None
    for name, when in moves:
        StageChange.create(deal=deal, from_stage=before, to_stage=ids[name], changed_at=when,
                           changed_by=owner_id)
        before = ids[name]
    return deal.id


def at(days_before: int) -> datetime:
    return datetime.combine(TODAY, datetime.min.time()) - timedelta(days=days_before)


def test_blended_rates_count_a_deal_lost_later_as_closed_from_every_stage_it_passed(rep):
    craft(rep.id, [("Sales-ready lead", at(90)), ("Qualified", at(80)),
                   ("Proposal", at(70)), ("Lost", at(60))])
    craft(rep.id, [("Sales-ready lead", at(90)), ("Qualified", at(85)), ("Won", at(50))])
    craft(rep.id, [("Qualified", at(40)), ("Lost", at(30))])
    craft(rep.id, [("Sales-ready lead", at(20))])  # still open: closed from nowhere
    forecast = compute_forecast(parse_period("2026-Q4"), TODAY)
    rates = {r.stage_name: r for r in forecast.stage_rates}

    lead = rates["Sales-ready lead"]  # passed by the lost, the won and the open deal
    assert (lead.n, lead.history, lead.manager) == (2, 0.5, 0.10)
    assert lead.blended == pytest.approx((1 + 5 * 0.10) / (2 + 5))
    qualified = rates["Qualified"]  # the deal lost from Proposal counts here too
    assert (qualified.n, qualified.history) == (3, pytest.approx(1 / 3))
    assert qualified.blended == pytest.approx((1 + 5 * 0.25) / (3 + 5))
    proposal = rates["Proposal"]
    assert (proposal.n, proposal.history) == (1, 0.0)
    assert proposal.blended == pytest.approx((0 + 5 * 0.65) / (1 + 5))
    negotiation = rates["Negotiation"]  # no history: the manager's estimate alone
    assert (negotiation.n, negotiation.history, negotiation.blended) == (0, None, 0.80)


def test_rates_as_of_a_date_ignore_what_happened_after_it(rep):
    craft(rep.id, [("Sales-ready lead", at(90)), ("Qualified", at(80)), ("Lost", at(10))])
    then = compute_forecast(parse_period("2026-Q4"), TODAY - timedelta(days=30))
    now = compute_forecast(parse_period("2026-Q4"), TODAY)
    assert {r.stage_name: r.n for r in then.stage_rates}["Qualified"] == 0
    assert {r.stage_name: r.n for r in now.stage_rates}["Qualified"] == 1
    assert [d.title for d in then.reps[0].deals] != []  # it was open then
    assert now.reps[0].deals == ()


def test_slips_are_learned_from_how_far_wins_landed_from_their_expected_close(rep):
    """Every past win came 30 days after its expected close date: an open deal expected
    to close 10 days before the period ends will slip past it, one expected 40 days
    before will land inside."""
    for k in range(12):
        won = at(200 + 7 * k)
        craft(rep.id, [("Negotiation", won - timedelta(days=20)), ("Won", won)],
              expected_close=(won - timedelta(days=30)).date())
    history = read_history(Cutoff.at(TODAY, TODAY))
    assert history.slips() == [(rep.id, 30, 12)]

    facts = stages()
    model = Model(facts, {}, {}, history.visits(()), history.slips(), ())
    end = date(2026, 12, 31)

    def open_deal(expected: date) -> OpenDeal:
        negotiation = next(s.id for s in facts.values() if s.name == "Negotiation")
        return OpenDeal(1, "u", "t", "c", rep.id, negotiation, Decimal(1000), expected,
                        at(3), at(3))

    late = model.slip_chance(open_deal(end - timedelta(days=10)), TODAY, date(2026, 10, 1), end)
    early = model.slip_chance(open_deal(end - timedelta(days=40)), TODAY, date(2026, 10, 1),
                              end)
    assert late == 0.0
    assert early == 1.0
    assert model.slip_chance(open_deal(None), TODAY, date(2026, 10, 1), end) is None
