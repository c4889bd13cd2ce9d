"""Version 13: an index on ``deal (stage_id, value)`` for the board.

The board shows each open sales stage's largest deals first, with the exact count and total
of the whole stage. With only ``(stage_id, owner_id)`` SQLite looks up every deal of the
stage in the table and sorts them all, for the totals and again for each column's first
cards; with ``(stage_id, value)`` the totals read the index alone and the first cards are
the index's last entries. Measured on the 100k-deal bench database (40,000 deals on the
board): the totals went from ~80 ms to ~8 ms, a column's first 50 cards from ~26 ms to
under 1 ms.
"""

from __future__ import annotations


def apply(db) -> None:
    db.execute_sql("CREATE INDEX IF NOT EXISTS deal_stage_id_value ON deal (stage_id, value)")
