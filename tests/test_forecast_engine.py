"""The assembled forecast on the demo team: as of a date, it is the forecast of the database
cut off at that date."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from peewee import fn

from app.activities import day_start_utc
from app.forecast import VERDICTS, compute_forecast, parse_period
from db.connection import bind, make_database
from db.models import Activity, Deal, StageChange
from tests.conftest import DEMO_TODAY

TODAY = DEMO_TODAY  # the day the shared demo team (tests/conftest.py) is made as of
AS_OF = date(2026, 10, 25)  # mid-quarter
PERIOD = "2026-Q4"


def open_copy(source, target):
    shutil.copy(source, target)
    db = make_database(str(target))
    bind(db)
    return db


def truncate_at(day: date) -> None:
    """Make the database what it was at the end of ``day``: later moves, deals and hours
    gone, each deal standing where its last remaining move left it."""
    cutoff = day_start_utc(day + timedelta(days=1))
    StageChange.delete().where(StageChange.changed_at >= cutoff).execute()
    Deal.delete().where(Deal.created_at >= cutoff).execute()
    Activity.delete().where(Activity.date > day).execute()
    for deal_id, stage_id, entered in (
        StageChange.select(StageChange.deal, StageChange.to_stage, StageChange.changed_at)
        .order_by(StageChange.deal, StageChange.changed_at).tuples()
    ):
        Deal.update(stage=stage_id, stage_entered_at=entered).where(Deal.id == deal_id).execute()


def comparable(outlook):
    deals = sorted((d.uuid, d.stage_name, d.value, round(d.p_win, 9), round(d.p_in_period, 9))
                   for d in outlook.deals)
    return (outlook.rep_name, outlook.quota, outlook.won, outlook.open_expected,
            outlook.new_pipeline_expected, outlook.expected, round(outlook.probability, 6),
            outlook.gap, outlook.verdict, outlook.hours_available, deals)


def test_as_of_equals_the_database_truncated_at_that_date(demo_path, tmp_path, monkeypatch):
    monkeypatch.setattr("app.clock.local_today", lambda: TODAY)
    db = open_copy(demo_path, tmp_path / "full.sqlite")
    period = parse_period(PERIOD)
    then = compute_forecast(period, AS_OF)
    latest_move = StageChange.select(fn.MAX(StageChange.changed_at)).scalar()
    db.close()

    db = open_copy(demo_path, tmp_path / "cut.sqlite")
    truncate_at(AS_OF)
    monkeypatch.setattr("app.clock.local_today", lambda: AS_OF)  # "today" is the as-of day
    live = compute_forecast(period, None)
    db.close()

    assert latest_move > datetime.combine(AS_OF, datetime.min.time())  # something was cut
    assert live.as_of == then.as_of == AS_OF
    assert [comparable(o) for o in live.reps] == [comparable(o) for o in then.reps]
    assert comparable(live.team) == comparable(then.team)
    assert [(r.stage_name, r.n, r.blended) for r in live.stage_rates] == \
        [(r.stage_name, r.n, pytest.approx(r.blended)) for r in then.stage_rates]


def test_the_demo_forecast_is_whole_and_consistent(demo_path, monkeypatch):
    monkeypatch.setattr("app.clock.local_today", lambda: TODAY)
    db = make_database(str(demo_path))
    bind(db)
    forecast = compute_forecast(parse_period(PERIOD))
    db.close()
    assert forecast.as_of == TODAY and forecast.period.label == PERIOD
    for outlook in (*forecast.reps, forecast.team):
        assert outlook.verdict in VERDICTS
        assert outlook.expected == outlook.won + outlook.open_expected + \
            outlook.new_pipeline_expected
        assert outlook.open_expected == sum((d.expected for d in outlook.deals), Decimal(0))
        expected = [d.expected for d in outlook.deals]
        assert expected == sorted(expected, reverse=True)
        assert all(0 <= d.p_win <= 1 and 0 <= d.p_in_period <= 1 for d in outlook.deals)
        assert sum(p for _, p in outlook.distribution) == pytest.approx(1.0)
        assert len(outlook.distribution) <= 200
    team = forecast.team
    assert team.won == sum((o.won for o in forecast.reps), Decimal(0))
    assert len(team.deals) == sum(len(o.deals) for o in forecast.reps)


def test_a_forecast_as_of_a_day_after_today_is_refused(manager, monkeypatch):
    """As of a future day, a running quarter read as finished: open deals counted as lost
    and most reps "out of reach"."""
    from datetime import date

    from app.errors import ValidationError
    from app.forecast import compute_forecast
    from app.periods import parse_period

    monkeypatch.setattr("app.clock.local_today", lambda: date(2026, 12, 4))
    with pytest.raises(ValidationError, match="cannot be made yet"):
        compute_forecast(parse_period("2026-Q4"), date(2027, 6, 1))
