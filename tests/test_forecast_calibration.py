"""Calibration on a simulated team with a known truth (the full run is
``python -m bench forecast_calibration``; this one is smaller and seeded)."""

from __future__ import annotations

from bench.forecast_sim import brier, ece, evaluate


def test_forecast_is_calibrated_and_beats_the_managers_percentages(tmp_path):
    scores = evaluate(tmp_path / "sim.sqlite", seed=3, reps=6, years=3, points=(1, 30, 60))
    assert len(scores.deals) >= 1000
    assert ece(scores.deals) <= 0.05
    assert brier(scores.deals) < brier(scores.baseline)
    # the probability of quota too: fewer predictions, so only against the baseline
    assert len(scores.quota) >= 100
    assert brier(scores.quota) < brier(scores.quota_baseline)
    assert ece(scores.quota) < ece(scores.quota_baseline)
