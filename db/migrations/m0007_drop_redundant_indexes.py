"""Version 7: drop single-column indexes that a composite index already covers.

Each of these is the leading column of another index on the same table, so every query that
used it can use the composite one instead; keeping both only made every insert and update
(and a 50,000-row import most of all) maintain a second copy.
"""

from __future__ import annotations

REDUNDANT = (
    "activity_rep_id",  # (rep_id, date)
    "activity_date",  # (date, rep_id, kind, hours, deal_id), migration 4
    "checklist_check_deal_id",  # unique (deal_id, item_id)
    "deal_stage_id",  # (stage_id, owner_id)
    "import_change_batch_id",  # (batch_id, deal_id)
    "quota_rep_id",  # unique (rep_id, period_start)
    "stage_change_deal_id",  # (deal_id, changed_at)
    "stage_change_to_stage_id",  # (to_stage_id, changed_at)
)


def apply(db) -> None:
    for name in REDUNDANT:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
