"""The what-if, the trend and the track record on a PostgreSQL server equal those of the same
data on SQLite (the costs' SUM, the hours figures and the as-of reads differ per server).

Runs only when ``FUNNELCAST_TEST_POSTGRES`` names a server database the tests may wipe (see
tests/test_postgres.py)."""

from __future__ import annotations

from datetime import date

import pytest

from app.demo import generate_demo
from app.forecast import (
    apply_levers,
    forecast_trend,
    iter_track_record,
    parse_period,
    prepare_whatif,
)

pytestmark = pytest.mark.postgresql_only
TODAY = date(2026, 12, 4)


def figures() -> list:
    period = parse_period("2026-Q4")
    base = prepare_whatif(period)
    result = apply_levers(base, 1.0, 0.2, 3)
    levers = [[(p.rep_name, p.revenue, p.gain, round(p.probability or 0, 9), p.cost,
                round(p.leads_worked, 9)) for p in (*r.reps, r.team)]
              for r in (*result.levers, result.combined)]
    trend = [(p.as_of, round(p.team or 0, 9), [(n, round(x or 0, 9)) for _, n, x in p.reps])
             for p in forecast_trend(period, date(2026, 10, 20))]
    record = [(c.as_of, c.rep_name, round(c.probability, 9), round(c.weighted, 9), c.reached)
              for r in iter_track_record([parse_period("2026-Q3")]) for c in r.checks]
    return [base.costs, levers, result.summary, trend, record]


def test_the_same_data_gives_the_same_what_if_and_track_record(on_both_databases, monkeypatch):
    monkeypatch.setattr("app.clock.local_today", lambda: TODAY)
    on_server, on_file = on_both_databases(lambda: generate_demo(seed=7, today=TODAY), figures)
    assert on_server == on_file
