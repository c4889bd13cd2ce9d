"""The distribution of won value against exhaustive enumeration."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.forecast.distribution import choose_width, win_distribution


def enumerate_exactly(wins: list[tuple[float, float]], target: float) -> float:
    """P(Σ won values ≥ target), summing over every subset of won deals."""
    total = 0.0
    for outcome in itertools.product((0, 1), repeat=len(wins)):
        p, value = 1.0, 0.0
        for won, (v, q) in zip(outcome, wins, strict=True):
            p *= q if won else 1 - q
            value += v if won else 0.0
        if value >= target - 1e-6:  # the same tolerance as Distribution.prob_at_least
            total += p
    return total


def random_pipeline(rng: random.Random) -> list[tuple[float, float]]:
    n = rng.randint(1, 14)
    style = rng.choice(("uniform", "heavy", "round"))
    wins = []
    for _ in range(n):
        if style == "uniform":
            value = round(rng.uniform(500, 60_000), 2)
        elif style == "heavy":
            value = round(8_000 * math.exp(rng.gauss(0, 1.2)), 2)
        else:  # many deals of the same few values: sums pile up on the quota
            value = rng.choice((5_000.0, 10_000.0, 25_000.0))
        wins.append((value, rng.choice((rng.random(), rng.uniform(0.01, 0.2), 0.95))))
    return wins


def test_probability_of_quota_is_within_half_a_point_of_enumeration():
    rng = random.Random(11)
    worst = 0.0
    for _ in range(150):
        wins = random_pipeline(rng)
        won = rng.choice((0.0, 12_345.67))
        total = sum(v for v, _ in wins)
        for target in (won + total * rng.random(), won + rng.choice([v for v, _ in wins])):
            exact = enumerate_exactly(wins, target - won)
            got = win_distribution(wins, shift=won).prob_at_least(target)
            worst = max(worst, abs(got - exact))
    assert worst <= 0.005


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 10_000_000).map(lambda c: c / 100),
                          st.floats(0.0, 1.0)), min_size=1, max_size=12),
       st.floats(0.0, 1.0))
def test_any_pipeline_matches_enumeration_and_keeps_the_mean(wins, fraction):
    target = sum(v for v, _ in wins) * fraction
    dist = win_distribution(wins)
    assert dist.prob_at_least(target) == pytest.approx(enumerate_exactly(wins, target),
                                                       abs=0.005)
    assert dist.mean == pytest.approx(sum(v * p for v, p in wins), rel=1e-6, abs=1e-6)
    assert sum(dist.mass) == pytest.approx(1.0)


def test_the_not_yet_created_wins_are_a_poisson_count_of_their_value():
    """Two deals plus Poisson(1.5) wins of 4,000: against the sum over the Poisson count."""
    wins = [(10_000.0, 0.5), (3_000.0, 0.8)]
    rate, value = 1.5, 4_000.0
    dist = win_distribution(wins, poisson=[(rate, value)])
    for target in (4_000.0, 13_000.0, 21_000.0, 30_000.0):
        exact = sum(
            math.exp(-rate) * rate ** k / math.factorial(k)
            * enumerate_exactly(wins, target - k * value)
            for k in range(40))
        assert dist.prob_at_least(target) == pytest.approx(exact, abs=0.005)
    assert dist.mean == pytest.approx(5_000 + 2_400 + rate * value, rel=1e-6)


def test_chart_points_are_few_and_sum_to_one():
    rng = random.Random(3)
    wins = [(rng.uniform(1_000, 50_000), rng.random()) for _ in range(400)]
    points = win_distribution(wins, shift=100_000.0).points()
    assert 10 <= len(points) <= 200
    assert sum(p for _, p in points) == pytest.approx(1.0)
    values = [v for v, _ in points]
    assert values == sorted(values) and values[0] >= 100_000


def test_nothing_open_is_the_value_already_won_for_certain():
    dist = win_distribution([], shift=5_000.0)
    assert dist.prob_at_least(5_000.0) == 1.0
    assert dist.prob_at_least(5_000.01) == 0.0


def test_the_bucketed_dp_for_large_pipelines_is_within_half_a_point_too():
    """Forced onto buckets (what a pipeline with too many distinct sums gets), random
    pipelines of up to 14 deals still match enumeration at random quotas."""
    rng = random.Random(5)
    worst = 0.0
    for _ in range(150):
        wins = [(round(rng.uniform(500, 60_000), 2), rng.random())
                for _ in range(rng.randint(1, 14))]
        width = choose_width([v for v, _ in wins], [p for _, p in wins])
        dist = win_distribution(wins, width=width)
        target = sum(v for v, _ in wins) * rng.random()
        worst = max(worst, abs(dist.prob_at_least(target) - enumerate_exactly(wins, target)))
    assert worst <= 0.005


def test_a_large_pipeline_goes_to_buckets_and_keeps_its_mean():
    rng = random.Random(9)
    wins = [(rng.uniform(1_000, 90_000), rng.random()) for _ in range(2_000)]
    dist = win_distribution(wins)
    assert len(dist.values) < 20_000
    assert dist.mean == pytest.approx(sum(v * p for v, p in wins), rel=1e-9)


def test_a_large_pipeline_on_buckets_matches_a_ten_times_finer_grid():
    """Thousands of deals: the default buckets against a grid ten times finer (whose own
    error is a hundred times smaller), at quotas across the distribution."""
    rng = random.Random(17)
    wins = [(round(8_000 * math.exp(rng.gauss(0, 1.0)), 2), rng.uniform(0.02, 0.6))
            for _ in range(1_500)]
    coarse = win_distribution(wins)
    width = coarse.spread / 10
    fine = win_distribution(wins, width=width)
    mean = coarse.mean
    sigma = math.sqrt(sum(p * (1 - p) * v * v for v, p in wins))
    for z in (-2.5, -1.5, -0.5, 0.0, 0.7, 1.6, 2.4):
        target = mean + z * sigma
        assert coarse.prob_at_least(target) == pytest.approx(fine.prob_at_least(target),
                                                             abs=0.005)
