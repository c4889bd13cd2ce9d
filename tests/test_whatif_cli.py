"""``whatif`` and ``forecast --history`` on the command line: the JSON a script reads."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.test_cli import run

PROJECTION = {"rep", "quota", "revenue", "baseline_revenue", "gain", "probability",
              "baseline_probability", "cost", "return_per_money", "extra_leads",
              "leads_worked", "leads_unworked", "coverage", "coverage_today"}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("whatif") / "demo.sqlite")
    assert run("--db", db, "demo").returncode == 0
    return db


def test_whatif_json_gives_each_lever_per_rep_and_team(demo_db):
    result = run("--db", demo_db, "--json", "whatif", "--leads", "100", "--conversion", "10",
                 "--hours", "3")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {"period", "as_of", "costs", "best", "summary", "levers",
                            "combined"}
    assert [lever["lever"] for lever in payload["levers"]] == ["leads", "conversion", "hours"]
    assert [lever["size"] for lever in payload["levers"]] == [1.0, 0.1, 3.0]
    assert payload["best"] in {"leads", "conversion", "hours", None}
    assert Decimal(payload["costs"]["per_lead"]) > 0
    for lever in (*payload["levers"], payload["combined"]):
        assert lever["reps"]
        for entry in (*lever["reps"], lever["team"]):
            assert set(entry) == PROJECTION
            gain = Decimal(entry["revenue"]) - Decimal(entry["baseline_revenue"])
            assert gain == Decimal(entry["gain"])  # money as exact strings
    conversion = payload["levers"][1]
    assert all(Decimal(e["gain"]) >= 0 for e in conversion["reps"])


def test_whatif_refuses_a_lever_size_that_is_not_a_number(demo_db):
    result = run("--db", demo_db, "whatif", "--leads", "lots")
    assert result.returncode != 0
    assert "“lots” is not a lever size" in result.stderr
    assert "Traceback" not in result.stderr


def test_forecast_history_json_scores_the_past_quarters(demo_db):
    result = run("--db", demo_db, "--json", "forecast", "--history")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {"brier", "brier_weighted", "checks", "judgement", "reliability",
                            "periods"}
    assert len(payload["periods"]) == 2 and payload["checks"] > 0
    assert 0 <= payload["brier"] <= 1 and 0 <= payload["brier_weighted"] <= 1
    assert "too short a history to judge" in payload["judgement"]
    for period in payload["periods"]:
        for c in period["checks"]:
            assert set(c) == {"as_of", "rep", "quota", "probability", "weighted", "reached"}
    table = run("--db", demo_db, "forecast", "--history")
    assert table.returncode == 0 and "Brier score" in table.stdout
