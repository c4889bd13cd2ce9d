"""Gap, leads and hours needed, and the verdict, on hand-computed cases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.forecast.verdict import Needs, Rates, needs, verdict

RATES = Rates(average_won_value=Decimal(20_000), lead_to_win=0.25,
              selling_hours_per_win=30.0, prospecting_hours_per_lead=4.0)


def test_leads_and_hours_needed_by_hand():
    # gap 100,000 - 60,000 = 40,000 -> 2 wins of 20,000 -> 8 leads at 1 in 4;
    # hours: 8 leads x 4 h + 2 wins x 30 h = 92
    need = needs(Decimal(100_000), Decimal(60_000), RATES)
    assert need.gap == Decimal(40_000)
    assert need.leads_needed == 8
    assert need.hours_needed == pytest.approx(92.0)


def test_no_gap_needs_nothing_and_unknown_rates_say_none():
    assert needs(Decimal(50_000), Decimal(70_000), RATES) == Needs(Decimal(0), 0, 0.0)
    unknown = needs(Decimal(50_000), Decimal(10_000), Rates(None, None, None, None))
    assert (unknown.gap, unknown.leads_needed, unknown.hours_needed) == (
        Decimal(40_000), None, None)
    no_hours = needs(Decimal(50_000), Decimal(10_000),
                     Rates(Decimal(10_000), 0.5, None, None))
    assert (no_hours.leads_needed, no_hours.hours_needed) == (8, None)


@pytest.mark.parametrize(("probability", "ceiling", "available", "expected"), [
    (0.85, Decimal(150_000), 200.0, "on track"),
    (0.40, Decimal(150_000), 200.0, "needs more pipeline"),  # 92 hours of 200 left
    (0.40, Decimal(150_000), 60.0, "capacity-bound"),  # 92 hours, only 60 left
    (0.02, Decimal(90_000), 200.0, "out of reach"),  # everything open is not enough
])
def test_each_verdict_is_reached(probability, ceiling, available, expected):
    quota = Decimal(100_000)
    need = needs(quota, Decimal(60_000), RATES)
    label, reason = verdict(quota, probability, ceiling, need, available)
    assert label == expected
    assert reason.endswith(".") and len(reason.split(". ")) == 1  # one sentence


def test_reasons_name_the_numbers_a_manager_acts_on():
    quota = Decimal(100_000)
    need = needs(quota, Decimal(60_000), RATES)
    _, capacity = verdict(quota, 0.4, Decimal(150_000), need, 60.0)
    assert "92 hours" in capacity and "60" in capacity and "more leads will not help" in capacity
    _, more = verdict(quota, 0.4, Decimal(150_000), need, 200.0)
    assert "8 more leads" in more and "40,000" in more
    _, reach = verdict(quota, 0.02, Decimal(90_000), need, 200.0)
    assert "90,000" in reach and "100,000" in reach


def test_without_a_quota_there_is_no_verdict():
    assert verdict(None, None, Decimal(0), Needs(Decimal(0), None, None), 10.0)[0] == "no quota"


def test_a_period_that_is_over_says_what_was_won():
    quota = Decimal(100_000)
    need = needs(quota, Decimal(60_000), RATES)
    label, reason = verdict(quota, 0.0, Decimal(60_000), need, 0.0, ended=True)
    assert label == "out of reach" and "ended with 60,000 won of the 100,000" in reason
    assert verdict(quota, 1.0, Decimal(120_000), need, 0.0, ended=True)[0] == "on track"


def test_a_quota_covered_by_the_expected_value_but_unlikely_says_so():
    quota = Decimal(100_000)
    need = needs(quota, Decimal(110_000), RATES)  # no gap
    label, reason = verdict(quota, 0.62, Decimal(300_000), need, 144.0)
    assert label == "needs more pipeline"
    assert "cover the 100,000 quota" in reason and "only 62 %" in reason
    assert "0 more leads" not in reason and "0 gap" not in reason
    assert len(reason.split(". ")) == 1


def test_one_lead_is_singular_and_a_fraction_of_one_is_still_one():
    quota = Decimal(100_000)
    one = needs(quota, Decimal(95_000), RATES)  # 5,000 gap -> 0.25 wins -> 1 lead
    assert one.leads_needed == 1
    _, reason = verdict(quota, 0.5, Decimal(300_000), one, 200.0)
    assert "about 1 more lead closes the" in reason
    part = needs(quota, Decimal(98_000), RATES)  # 0.4 leads
    assert part.leads_needed == 1  # the card and the command line show this figure too
    _, reason = verdict(quota, 0.5, Decimal(300_000), part, 200.0)
    assert "about 1 more lead closes the" in reason and "0 more" not in reason
    _, capacity = verdict(quota, 0.5, Decimal(300_000), one, 1.0)  # 1 x 4 h + 0.25 x 30 h
    assert "The 1 more lead needed would take 12 hours but only 1 is left" in capacity


@pytest.mark.parametrize(("probability", "shown"), [
    (0.003, "<1 %"), (0.41, "41 %"), (0.998, ">99 %"), (1.0, "100 %")])
def test_percentages_in_sentences_read_like_the_cards(probability, shown):
    quota = Decimal(100_000)
    need = needs(quota, Decimal(60_000), RATES)
    _, reason = verdict(quota, probability, Decimal(150_000), need, 200.0)
    assert f" {shown}" in reason
