"""Rotting: spotting deals nobody has touched for longer than their stage allows.

DESIGN.md "Rotting": a deal idle (no activity, stage move or edit) longer than its stage's
``rot_days``, with no next step due in the future, is flagged. A next step due today still
counts as "in the future" (the rep has a plan for today), one due yesterday does not.
Pure functions, so the board, the table and reports agree on one rule.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta


def last_touched(
    last_activity_at: datetime, stage_entered_at: datetime, updated_at: datetime
) -> datetime:
    """The latest sign of life: an activity, a stage move or an edit (all UTC)."""
    return max(last_activity_at, stage_entered_at, updated_at)


def is_rotting(
    *,
    last_activity_at: datetime,
    stage_entered_at: datetime,
    updated_at: datetime,
    rot_days: int | None,
    next_step_due: date | None,
    now: datetime,
    today: date,
) -> bool:
    """True when the deal has been idle more than ``rot_days`` days before ``now`` (UTC)
    and has no next step due on or after ``today`` (the user's local date).

    A stage without ``rot_days`` (won, lost, or a manager's choice) never rots.
    """
    if rot_days is None:
        return False
    if next_step_due is not None and next_step_due >= today:
        return False
    idle = now - last_touched(last_activity_at, stage_entered_at, updated_at)
    return idle > timedelta(days=rot_days)
