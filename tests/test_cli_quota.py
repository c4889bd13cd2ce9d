"""``quota set`` and ``quota list`` as a script runs them: real processes on a real file."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from app.workspace import close_workspace
from tests.test_cli import run


@pytest.fixture
def db(db_path, rep):
    """A database with Maria Manager (the current user) and Ravi Rep, closed for the CLI."""
    close_workspace()
    return str(db_path)


def listed(db: str, period: str) -> dict:
    result = run("--db", db, "--json", "quota", "list", "--period", period)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_set_a_rep_and_the_team_then_list_them(db):
    first = run("--db", db, "quota", "set", "ravi rep", "2026-Q3", "50000.50")
    assert first.returncode == 0, first.stderr
    assert "Ravi Rep's quota for 2026-Q3 (2026-07-01 to 2026-09-30) is now 50,000.50 USD" \
        in first.stdout
    summed = listed(db, "2026-Q3")
    assert summed["team"] == {"amount": "50000.50", "set_for_team": False}
    assert run("--db", db, "quota", "set", "--team", "2026-Q3", "60000").returncode == 0
    payload = listed(db, "2026-Q3")
    assert payload["start"] == "2026-07-01" and payload["end"] == "2026-09-30"
    assert {r["rep"]: r["amount"] for r in payload["reps"]} == {
        "Maria Manager": None, "Ravi Rep": "50000.50"}
    assert payload["team"] == {"amount": "60000.00", "set_for_team": True}
    text = run("--db", db, "quota", "list", "--period", "2026-Q3").stdout
    assert "60,000.00 USD  (set for the team)" in text


def test_a_month_is_a_period_too(db):
    assert run("--db", db, "quota", "set", "Ravi Rep", "2026-11", "9000").returncode == 0
    assert listed(db, "2026-11")["reps"][1]["amount"] == "9000.00"
    assert listed(db, "2026-Q4")["reps"][1]["amount"] is None


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--as", "Ravi Rep", "quota", "set", "Ravi Rep", "2026-Q3", "1"], 1,
     "Only a manager can set quotas; Ravi Rep is a rep."),
    (["quota", "set", "Nobody", "2026-Q3", "1"], 1, "There is no rep called 'Nobody'"),
    (["quota", "set", "Ravi Rep", "2026-Q5", "1"], 1, "“2026-Q5” is not a period"),
    (["quota", "set", "Ravi Rep", "2026-Q3", "a lot"], 1, "'a lot' is not"),
    (["quota", "set", "Ravi Rep", "2026-Q3", "-5"], 1, "zero or more"),
    (["quota", "set", "--team", "2026-Q3"], 2, "quota set --team PERIOD AMOUNT"),
    (["quota", "set", "Ravi", "Rep", "2026-Q3", "5"], 2, "a name with spaces goes in quotes"),
    (["quota"], 2, "required"),
])
def test_rejected_input_changes_nothing_and_says_why(db, args, code, message):
    result = run("--db", db, *args)
    assert result.returncode == code
    assert message in result.stderr and "Traceback" not in result.stderr
    assert listed(db, "2026-Q3")["reps"][1]["amount"] is None


def test_list_defaults_to_the_current_quarter(db):
    from app.clock import local_today
    from app.periods import period_of

    current = period_of(local_today()).label
    assert run("--db", db, "quota", "set", "--team", current, "1234").returncode == 0
    payload = json.loads(run("--db", db, "--json", "quota", "list").stdout)
    assert payload["period"] == current
    assert Decimal(payload["team"]["amount"]) == Decimal("1234")


def test_quarters_follow_the_fiscal_year_start(db_path, rep):
    from app import settings

    settings.put("fiscal_year_start_month", "4")
    close_workspace()
    db = str(db_path)
    assert run("--db", db, "quota", "set", "Ravi Rep", "2026-Q1", "7000").returncode == 0
    payload = listed(db, "2026-Q1")
    assert (payload["start"], payload["end"]) == ("2026-04-01", "2026-06-30")
