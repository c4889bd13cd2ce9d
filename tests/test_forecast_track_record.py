"""The forecast's trend and track record, and the what-if read from the demo team's database
(real SQLite files; "today" pinned)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.forecast import (
    Check,
    PeriodRecord,
    apply_levers,
    compute_forecast,
    forecast_trend,
    iter_track_record,
    parse_period,
    prepare_whatif,
)
from app.forecast.track_record import check_days, closed_periods, score, weighted_probability
from app.forecast.types import DealChance, Outlook, StageRate
from app.jobs import Cancelled, JobControl
from db.connection import bind, make_database
from tests.conftest import DEMO_TODAY

TODAY = DEMO_TODAY  # the day the shared demo team (tests/conftest.py) is made as of
PERIOD = parse_period("2026-Q4", 1)


@pytest.fixture
def demo(demo_path, monkeypatch):
    monkeypatch.setattr("app.clock.local_today", lambda: TODAY)
    db = make_database(str(demo_path))
    bind(db)
    yield
    db.close()


def test_the_trend_is_the_as_of_forecast_at_each_week_end(demo):
    trend = forecast_trend(PERIOD)
    days = [p.as_of for p in trend]
    assert days[0] == date(2026, 10, 4) and days[-1] == TODAY  # first Sunday … today
    assert all(d.weekday() == 6 for d in days[:-1])
    for point in (trend[2], trend[-1]):
        forecast = compute_forecast(PERIOD, point.as_of)
        assert point.team == forecast.team.probability
        assert point.reps == tuple((o.rep_id, o.rep_name, o.probability)
                                   for o in forecast.reps)


def test_the_track_record_checks_each_closed_quarter_every_fortnight(demo):
    periods = closed_periods(today=TODAY)
    assert [p.label for p in periods] == ["2026-Q2", "2026-Q3"]  # the demo's past quarters
    seen = []
    records = list(iter_track_record(periods, JobControl(lambda f, _: seen.append(f))))
    assert [r.period for r in records] == periods
    assert seen == sorted(seen) and seen[-1] == 1.0
    final = compute_forecast(periods[1], periods[1].end)
    won = {o.rep_name: o.won for o in (*final.reps, final.team)}
    checks = records[1].checks
    assert {c.as_of for c in checks} == set(check_days(periods[1]))
    for c in checks:
        assert c.reached == (won[c.rep_name] >= c.quota)
        assert 0 <= c.probability <= 1 and 0 <= c.weighted <= 1
    record = score(records)
    assert record.checks == sum(len(r.checks) for r in records)
    assert "too short a history to judge" in record.judgement


def test_each_check_is_the_as_of_forecast_of_its_day(demo):
    """The track record reads the log once, up to its last period's end, and derives every
    earlier day from it: each check must still say what the forecast as of that day says."""
    periods = closed_periods(today=TODAY)
    records = list(iter_track_record(periods))
    for record in records:
        for day in sorted({c.as_of for c in record.checks})[::3]:
            forecast = compute_forecast(record.period, day)
            said = {o.rep_id: o.probability for o in (*forecast.reps, forecast.team)}
            for check in (c for c in record.checks if c.as_of == day):
                assert check.probability == said[check.rep_id]


def test_cancelling_the_track_record_stops_it(demo):
    job = JobControl()
    job.cancel()
    with pytest.raises(Cancelled):
        next(iter_track_record(closed_periods(today=TODAY), job))


def check(probability: float, weighted: float, reached: bool) -> Check:
    return Check("2026-Q3", date(2026, 7, 14), 1, "Rep", Decimal(100), probability, weighted,
                 reached)


def test_brier_scores_by_hand():
    q2 = PeriodRecord(parse_period("2026-Q2", 1), (check(0.9, 0.5, True), check(0.2, 0.5, False)))
    q3 = PeriodRecord(parse_period("2026-Q3", 1), (check(0.6, 1.0, False),))
    record = score([q2, q3])
    # ((0.1)² + (0.2)² + (0.6)²) / 3 and ((0.5)² + (0.5)² + (1.0)²) / 3
    assert record.brier == pytest.approx(0.41 / 3)
    assert record.brier_weighted == pytest.approx(1.5 / 3)
    assert record.checks == 3
    assert record.reliability == ()  # too few checks for a reliability chart
    assert "better than the weighted pipeline" in record.judgement
    assert "2 closed periods are too short a history to judge" in record.judgement
    assert score([]).brier is None and "No closed period" in score([]).judgement


def test_many_checks_give_a_reliability_table():
    checks = tuple(check(0.1, 0.5, i % 10 == 0) for i in range(20)) + tuple(
        check(0.9, 0.5, i % 10 != 0) for i in range(20))
    record = score([PeriodRecord(parse_period(f"2025-Q{q}", 1), checks[10 * (q - 1):10 * q])
                    for q in (1, 2, 3, 4)])
    low, high = record.reliability[0], record.reliability[-1]
    assert (low.count, low.mean_forecast, low.share_reached) == (20, pytest.approx(0.1), 0.1)
    assert (high.count, high.share_reached) == (20, 0.9)
    assert "too short" not in record.judgement


def test_the_weighted_pipeline_takes_expected_close_dates_at_face_value():
    rate = StageRate(1, "Proposal", 0.5, None, 0, 0.5)

    def deal(value: int, close: date) -> DealChance:
        return DealChance(value, "u", "t", "c", "Proposal", Decimal(value), rate, 0.9, 0.9,
                          Decimal(0), close)

    outlook = Outlook(1, "Rep", Decimal(150), Decimal(50), Decimal(0), Decimal(0), Decimal(0),
                      None, Decimal(0), None, None, None, "no quota", "",
                      (deal(100, date(2026, 11, 20)), deal(200, date(2027, 1, 20))), ())
    # only the deal closing inside the period counts: 50 + 100 × Bernoulli(0.5) ≥ 150
    assert weighted_probability(outlook, PERIOD) == pytest.approx(0.5)


def test_the_demo_prospector_loses_revenue_to_a_lead_flood(demo):
    base = prepare_whatif(PERIOD)
    forecast = compute_forecast(PERIOD)
    still = apply_levers(base).combined
    for projection, outlook in zip(still.reps, forecast.reps, strict=True):
        assert projection.probability == outlook.probability
        assert abs(projection.revenue - outlook.expected) <= Decimal("0.05")
    assert still.team.probability == forecast.team.probability
    assert abs(still.team.revenue - forecast.team.expected) <= Decimal("0.05")
    flood = next(r for r in apply_levers(base, 1.0, 0, 0).levers if r.lever == "leads")
    tom = next(p for p in flood.reps if p.rep_name == "Tom Becker")
    assert next(o for o in forecast.reps if o.rep_name == "Tom Becker").verdict == \
        "capacity-bound"
    assert tom.leads_unworked > 0 and tom.gain < 0
    assert tom.probability < tom.baseline_probability


def test_the_team_counts_what_nobody_owns(demo_path, tmp_path, monkeypatch):
    import shutil

    from db.models import Deal, Stage

    monkeypatch.setattr("app.clock.local_today", lambda: TODAY)
    copy = tmp_path / "nobody.sqlite"
    shutil.copy(demo_path, copy)
    db = make_database(str(copy))
    bind(db)
    try:
        sales = Stage.select(Stage.id).where(Stage.side == "sales")
        Deal.update(owner=None).where(Deal.stage.in_(sales), Deal.id % 4 == 0).execute()
        forecast = compute_forecast(PERIOD)
        still = apply_levers(prepare_whatif(PERIOD)).combined.team
        assert abs(still.revenue - forecast.team.expected) <= Decimal("0.05")
        assert still.probability == forecast.team.probability
    finally:
        db.close()
