"""Quotas: manager-only, one per rep (and one for the team) per period."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.errors import PermissionDenied, ValidationError
from app.periods import parse_period
from app.quotas import copy_quotas_forward, put_quotas, quota_grid, quotas_in_force, set_quota
from db.models import Rep

Q3 = (date(2026, 7, 1), date(2026, 9, 30))


def test_setting_a_quota_twice_replaces_it(manager, rep):
    set_quota(rep.id, *Q3, "50000", manager)
    set_quota(rep.id, *Q3, Decimal("65000.50"), manager)
    set_quota(None, *Q3, "200000", manager)
    set_quota(None, *Q3, "210000", manager)
    assert quotas_in_force(parse_period("2026-Q3")) == {
        None: Decimal("210000.00"),
        rep.id: Decimal("65000.50"),
    }


def test_only_a_manager_sets_quotas(rep):
    with pytest.raises(PermissionDenied):
        set_quota(rep.id, *Q3, "1000", rep)
    assert quotas_in_force(parse_period("2026-Q3")) == {}


def test_a_negative_or_backwards_quota_is_refused(manager, rep):
    with pytest.raises(ValidationError):
        set_quota(rep.id, *Q3, "-5", manager)
    with pytest.raises(ValidationError, match="must end after"):
        set_quota(rep.id, Q3[1], Q3[0], "5", manager)
    assert quotas_in_force(parse_period("2026-Q3")) == {}


# ------------------------------------------------------------------ the grid and its writes

def quarter(text: str):
    return parse_period(text)


def amounts(grid, name):
    row = grid.team if name == "Team" else next(r for r in grid.reps if r.name == name)
    return list(row.amounts)


def test_the_grid_shows_each_rep_by_period_and_the_team_as_the_sum_unless_set(manager, rep):

    q1, q2 = quarter("2026-Q1"), quarter("2026-Q2")
    put_quotas(q1, {rep.id: "50000", manager.id: "20000"}, manager)
    put_quotas(q2, {rep.id: "55000", None: "90000"}, manager)
    grid = quota_grid(q1, 3)
    assert [p.label for p in grid.periods] == ["2026-Q1", "2026-Q2", "2026-Q3"]
    assert [r.name for r in grid.reps] == ["Maria Manager", "Ravi Rep"]
    assert amounts(grid, "Ravi Rep") == [Decimal("50000.00"), Decimal("55000.00"), None]
    assert amounts(grid, "Maria Manager") == [Decimal("20000.00"), None, None]
    # Q1: nothing set for the team, so the reps' sum; Q2: the team's own; Q3: nothing at all
    assert amounts(grid, "Team") == [Decimal("70000.00"), Decimal("90000.00"), None]
    assert grid.team.own == (False, True, False)


def test_a_month_view_shows_monthly_quotas_only(manager, rep):

    put_quotas(quarter("2026-Q1"), {rep.id: "50000"}, manager)
    put_quotas(parse_period("2026-02"), {rep.id: "12000"}, manager)
    grid = quota_grid(parse_period("2026-01"), 3)
    assert amounts(grid, "Ravi Rep") == [None, Decimal("12000.00"), None]
    assert amounts(quota_grid(quarter("2026-Q1"), 1), "Ravi Rep") == [Decimal("50000.00")]


def test_a_month_quota_cannot_silently_replace_the_quarter_starting_that_day(manager, rep):

    put_quotas(quarter("2026-Q1"), {rep.id: "50000"}, manager)
    with pytest.raises(ValidationError, match="Ravi Rep already has a quota for 2026-01-01 to "
                                              "2026-03-31"):
        put_quotas(parse_period("2026-01"), {rep.id: "9000"}, manager)
    assert amounts(quota_grid(quarter("2026-Q1"), 1), "Ravi Rep") == [Decimal("50000.00")]


def test_clearing_and_putting_back_is_undo(manager, rep):

    q1 = quarter("2026-Q1")
    put_quotas(q1, {rep.id: "50000", None: "60000"}, manager)
    change = put_quotas(q1, {rep.id: None, None: "65000"}, manager)
    assert change.before == {rep.id: Decimal("50000.00"), None: Decimal("60000.00")}
    assert amounts(quota_grid(q1, 1), "Ravi Rep") == [None]
    assert quota_grid(q1, 1).team.amounts == (Decimal("65000.00"),)
    put_quotas(q1, change.before, manager)
    grid = quota_grid(q1, 1)
    assert amounts(grid, "Ravi Rep") == [Decimal("50000.00")]
    assert grid.team.amounts == (Decimal("60000.00"),)


def test_one_bad_amount_writes_nothing(manager, rep):

    q1 = quarter("2026-Q1")
    with pytest.raises(ValidationError, match="'lots' is not"):
        put_quotas(q1, {None: "90000", rep.id: "lots"}, manager)
    with pytest.raises(ValidationError, match="zero or more"):
        put_quotas(q1, {None: "90000", rep.id: "-1"}, manager)
    assert quota_grid(q1, 1).team.amounts == (None,)


def test_copy_forward_fills_the_next_period_and_can_be_taken_back(manager, rep):

    q1, q2 = quarter("2026-Q1"), quarter("2026-Q2")
    put_quotas(q1, {rep.id: "50000", None: "45000"}, manager)
    put_quotas(q2, {rep.id: "1000", manager.id: "7000"}, manager)
    change = copy_quotas_forward(q1, manager)
    assert change.period == q2 and change.changed == 2
    grid = quota_grid(q2, 1)
    assert amounts(grid, "Ravi Rep") == [Decimal("50000.00")]
    assert amounts(grid, "Maria Manager") == [Decimal("7000.00")]  # not in Q1: kept
    assert grid.team.amounts == (Decimal("45000.00"),) and grid.team.own == (True,)
    put_quotas(q2, change.before, manager)
    grid = quota_grid(q2, 1)
    assert amounts(grid, "Ravi Rep") == [Decimal("1000.00")]
    assert grid.team.own == (False,)


def test_copying_an_empty_period_says_so(manager):

    with pytest.raises(ValidationError, match="2026-Q1 has no quotas to copy"):
        copy_quotas_forward(quarter("2026-Q1"), manager)


def test_a_rep_reads_the_grid_but_cannot_write_it(manager, rep):

    q1 = quarter("2026-Q1")
    put_quotas(q1, {rep.id: "50000"}, manager)
    with pytest.raises(PermissionDenied, match="Ravi Rep is a rep"):
        put_quotas(q1, {rep.id: None}, rep)
    with pytest.raises(PermissionDenied):
        copy_quotas_forward(q1, rep)
    assert amounts(quota_grid(q1, 1), "Ravi Rep") == [Decimal("50000.00")]


def test_an_inactive_rep_keeps_a_row_only_where_they_hold_a_quota(manager, rep):

    put_quotas(quarter("2026-Q1"), {rep.id: "50000"}, manager)
    Rep.update(active=False).where(Rep.id == rep.id).execute()
    row = next(r for r in quota_grid(quarter("2026-Q1"), 2).reps if r.name == "Ravi Rep")
    assert not row.active
    assert "Ravi Rep" not in [r.name for r in quota_grid(quarter("2026-Q3"), 2).reps]


def test_a_month_never_takes_the_quarters_quota_that_starts_the_same_day(manager, rep):
    """Ravi's Q1 quota starts on 1 January like January itself: the January forecast shows
    no quota for him, only the quota set for January (Cleo's), and the team's is hers."""
    from app.forecast import compute_forecast
    from app.users import create_rep

    cleo = create_rep("Cleo Rep", "cleo@example.com", role="rep", weekly_capacity_hours=40)
    q1, january = parse_period("2026-Q1"), parse_period("2026-01")
    set_quota(rep.id, q1.start, q1.end, "90000", manager)
    set_quota(cleo.id, january.start, january.end, "30000", manager)

    month = compute_forecast(january, date(2026, 1, 10))
    assert {o.rep_name: o.quota for o in month.reps} == {
        "Cleo Rep": Decimal("30000.00"), "Ravi Rep": None}
    assert month.team.quota == Decimal("30000.00")
    quarter_ = compute_forecast(q1, date(2026, 1, 10))
    assert {o.rep_name: o.quota for o in quarter_.reps} == {
        "Cleo Rep": None, "Ravi Rep": Decimal("90000.00")}
    assert quarter_.team.quota == Decimal("90000.00")
