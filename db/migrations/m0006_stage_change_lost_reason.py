"""Version 6: the lost reason is recorded on the move into a lost stage.

The deal keeps only its current reason; the event log now keeps each one, so undoing a move
restores exactly the reason the deal had before, and reports can count reasons over time.
Existing moves into a lost stage take the deal's current reason.
"""

from __future__ import annotations


def apply(db) -> None:
    db.execute_sql(
        "ALTER TABLE stage_change ADD COLUMN lost_reason VARCHAR(255) NOT NULL DEFAULT ''"
    )
    db.execute_sql(
        "UPDATE stage_change SET lost_reason = (SELECT deal.lost_reason FROM deal"
        " WHERE deal.id = stage_change.deal_id)"
        " WHERE to_stage_id IN (SELECT id FROM stage WHERE outcome = 'lost')"
    )
