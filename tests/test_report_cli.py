"""``report`` on the command line: the JSON keys a script reads, money as exact strings."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.test_cli import run

FUNNEL = {"name", "side", "outcome", "entered", "value", "to_next", "to_win", "average_days",
          "median_days", "lost", "returned"}
SOURCE = {"name", "leads", "sales_ready", "wins", "won_value", "spend", "cost_per_lead",
          "cost_per_win", "lead_to_win", "average_won", "lead_value", "return_on_spend"}
REP = {"name", "won", "lost", "won_value", "lost_value", "win_rate", "value_win_rate",
       "average_won", "cycle_days", "open_deals", "open_value", "velocity", "hours",
       "selling_hours", "prospecting_share", "revenue_per_hour", "against_target",
       "not_ready_hours", "not_ready_won_value"}
GROUP = {"key", "label", "handed", "overridden", "imported", "won", "lost", "open", "returned",
         "won_value", "win_rate", "days_to_close"}
HEAD = {"report", "period", "start", "end", "rep", "source"}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("cli") / "demo.sqlite")
    assert run("--db", db, "demo").returncode == 0
    return db


def report(db, *args):
    result = run("--db", db, "report", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_report_carries_its_keys(demo_db):
    funnel = report(demo_db, "funnel")
    assert set(funnel) == HEAD | {"stages"}
    assert all(set(row) == FUNNEL for row in funnel["stages"])
    sources = report(demo_db, "sources")
    assert set(sources) == HEAD | {"gross_margin", "sources", "total"}
    for row in (*sources["sources"], sources["total"]):
        assert set(row) == SOURCE
        Decimal(row["spend"])  # money as a string of Decimal
        assert row["lead_to_win"] is None or 0 <= row["lead_to_win"] <= 1  # a fraction
    reps = report(demo_db, "reps")
    assert set(reps) == HEAD | {"target_per_hour", "reps", "team", "trend"}
    assert reps["reps"] and all(set(row) == REP for row in (*reps["reps"], reps["team"]))
    assert len(reps["trend"]) == 12
    handoff = report(demo_db, "handoff")
    assert set(handoff) == HEAD | {"ready", "not_ready"}
    assert set(handoff["ready"]) == GROUP == set(handoff["not_ready"])


def test_the_rep_filter_and_a_bad_period(demo_db):
    names = [row["name"] for row in report(demo_db, "reps")["reps"]]
    one = report(demo_db, "reps", "--rep", names[0])
    assert [row["name"] for row in one["reps"]] == [names[0]] and one["rep"] == names[0]
    wrong = run("--db", demo_db, "report", "funnel", "--period", "next week")
    assert wrong.returncode != 0 and "2026-Q4" in wrong.stderr
