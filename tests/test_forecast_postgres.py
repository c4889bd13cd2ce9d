"""The forecast on a PostgreSQL server equals the forecast of the same data on SQLite.

Runs only when ``FUNNELCAST_TEST_POSTGRES`` names a server database the tests may wipe (see
tests/test_postgres.py)."""

from __future__ import annotations

from datetime import date

import pytest

from app.demo import generate_demo
from app.forecast import compute_forecast, parse_period

pytestmark = pytest.mark.postgresql_only
TODAY = date(2026, 12, 4)


def forecasts() -> list:
    period = parse_period("2026-Q4")
    out = []
    for as_of in (None, date(2026, 10, 25)):
        f = compute_forecast(period, as_of)
        out.append([(o.rep_name, o.quota, o.won, o.open_expected, o.new_pipeline_expected,
                     round(o.probability or 0, 9), o.verdict,
                     sorted((d.uuid, d.value, round(d.p_win, 9), round(d.p_in_period, 9))
                            for d in o.deals))
                    for o in (*f.reps, f.team)])
    return out


def test_the_same_data_forecasts_the_same_on_both_databases(on_both_databases, monkeypatch):
    monkeypatch.setattr("app.clock.local_today", lambda: TODAY)
    on_server, on_file = on_both_databases(lambda: generate_demo(seed=7, today=TODAY), forecasts)
    assert on_server == on_file
