"""The forecast's snapshot of a cutoff is reused only while nobody has written since."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from app.demo import generate_demo
from app.forecast import compute_forecast, parse_period
from app.forecast.history import Cutoff
from app.forecast.snapshot import snapshot
from db.connection import bind, make_database
from db.migrations import migrate
from db.models import Deal

TODAY = date(2026, 12, 4)
PERIOD = parse_period("2026-Q4")


@pytest.fixture
def demo(tmp_path, monkeypatch):
    monkeypatch.setattr("app.clock.local_today", lambda: TODAY)
    path = tmp_path / "demo.sqlite"
    db = make_database(str(path))
    bind(db)
    migrate(db)
    generate_demo(seed=7, today=TODAY)
    yield path
    db.close()


def biggest_open_deal(forecast):
    return max(forecast.team.deals, key=lambda d: d.expected)


def test_nothing_written_reuses_the_snapshot(demo):
    cutoff = Cutoff.at(TODAY, TODAY)
    assert snapshot(cutoff) is snapshot(cutoff)


def test_a_write_on_this_connection_is_in_the_next_forecast(demo):
    before = compute_forecast(PERIOD)
    deal = biggest_open_deal(before)
    Deal.update(value=deal.value * 10).where(Deal.id == deal.deal_id).execute()
    after = compute_forecast(PERIOD)
    assert biggest_open_deal(after).value == deal.value * 10
    assert after.team.open_expected > before.team.open_expected


def test_another_connections_commit_is_in_the_next_forecast(demo):
    before = compute_forecast(PERIOD)
    deal = biggest_open_deal(before)
    other = sqlite3.connect(demo)
    with other:
        other.execute("UPDATE deal SET value = value * 10 WHERE id = ?", (deal.deal_id,))
    other.close()
    after = compute_forecast(PERIOD)
    assert biggest_open_deal(after).value == deal.value * 10
    assert after.team.open_expected > before.team.open_expected
