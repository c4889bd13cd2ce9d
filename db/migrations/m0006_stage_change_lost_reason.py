"""Version 6: the lost reason is recorded on the move into a lost stage.

The deal keeps only its current reason; the event log now keeps each one, so undoing a move
restores exactly the reason the deal had before. Past moves into a lost stage cannot be told
apart any more: each takes the deal's current reason (so history before version 6 shows a
deal's latest reason, not the one given at the time). A deal that is not in a lost stage
now has no lost reason, as the app keeps it from here on.
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
    db.execute_sql(
        "UPDATE deal SET lost_reason = ''"
        " WHERE stage_id IN (SELECT id FROM stage WHERE outcome <> 'lost')"
    )
