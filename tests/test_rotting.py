"""Rotting: idle past the stage's rot days with no next step due ahead."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.rotting import is_rotting, last_touched

NOW = datetime(2026, 5, 20, 12, 0)
TODAY = date(2026, 5, 20)


def rot(*, idle_days: float, rot_days: int | None = 14, due: date | None = None,
        touched_by: str = "activity") -> bool:
    old = NOW - timedelta(days=60)
    recent = NOW - timedelta(days=idle_days)
    stamps = {"last_activity_at": old, "stage_entered_at": old, "updated_at": old}
    stamps[{"activity": "last_activity_at", "move": "stage_entered_at",
            "edit": "updated_at"}[touched_by]] = recent
    return is_rotting(**stamps, rot_days=rot_days, next_step_due=due, now=NOW, today=TODAY)


def test_a_deal_idle_longer_than_its_stage_allows_rots():
    assert rot(idle_days=15)


def test_a_deal_idle_exactly_the_allowed_days_is_not_yet_rotting():
    assert not rot(idle_days=14)


def test_any_sign_of_life_counts_activity_move_or_edit():
    for kind in ("activity", "move", "edit"):
        assert not rot(idle_days=3, touched_by=kind), kind
        assert rot(idle_days=30, touched_by=kind), kind


def test_a_next_step_due_today_or_later_keeps_it_fresh():
    assert not rot(idle_days=40, due=TODAY)
    assert not rot(idle_days=40, due=TODAY + timedelta(days=5))


def test_an_overdue_next_step_does_not_save_it():
    assert rot(idle_days=40, due=TODAY - timedelta(days=1))


def test_a_stage_without_rot_days_never_rots():
    assert not rot(idle_days=400, rot_days=None)


def test_last_touched_is_the_latest_stamp():
    a, b, c = NOW - timedelta(days=3), NOW - timedelta(days=1), NOW - timedelta(days=2)
    assert last_touched(a, b, c) == b
