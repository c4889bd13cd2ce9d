"""``forecast`` on the command line: the JSON a script reads, the table a person reads."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.test_cli import run

KEYS = {"rep", "quota", "won", "expected", "probability", "gap", "leads_needed",
        "hours_needed", "hours_available", "verdict", "reason", "open_expected",
        "new_pipeline_expected", "deals"}
VERDICTS = {"on track", "needs more pipeline", "capacity-bound", "out of reach", "no quota"}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = str(tmp_path_factory.mktemp("cli") / "demo.sqlite")
    assert run("--db", db, "demo").returncode == 0
    return db


def test_json_carries_every_key_for_each_rep_and_the_team(demo_db):
    result = run("--db", demo_db, "forecast", "--json", "--period", "2026-Q4",
                 "--as-of", "2026-11-15")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert set(payload) == {"period", "as_of", "reps", "team"}
    assert payload["period"] == "2026-Q4" and payload["as_of"] == "2026-11-15"
    assert payload["reps"]
    for entry in (*payload["reps"], payload["team"]):
        assert set(entry) == KEYS
        assert entry["verdict"] in VERDICTS
        assert Decimal(entry["won"]) <= Decimal(entry["expected"])  # money as exact strings
        assert Decimal(entry["gap"]) >= 0
        assert entry["probability"] is None or 0 <= entry["probability"] <= 1
        for deal in entry["deals"]:
            assert set(deal) == {"uuid", "title", "value", "probability", "p_in_period"}
            assert isinstance(deal["value"], str) and 0 <= deal["probability"] <= 1
    assert payload["team"]["rep"] == "Team"


def test_text_is_a_table_per_rep_and_the_team(demo_db):
    result = run("--db", demo_db, "forecast")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Forecast for ")
    assert any(line.startswith("Team ") for line in lines)
    assert "Verdict" in result.stdout and "P(quota)" in result.stdout


def test_a_bad_period_or_date_is_refused_in_a_sentence(demo_db):
    period = run("--db", demo_db, "forecast", "--period", "Q4")
    assert period.returncode == 1 and "2026-Q4" in period.stderr
    day = run("--db", demo_db, "forecast", "--as-of", "yesterday")
    assert day.returncode == 2 and "YYYY-MM-DD" in day.stderr
    assert "Traceback" not in period.stderr + day.stderr
