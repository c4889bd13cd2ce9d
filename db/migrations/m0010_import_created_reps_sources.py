"""Version 10: an import remembers the reps and lead sources it created.

Undoing an import took back its deals but left the owners and sources it had added for them
(reps 6 → 7 after the undo). Each batch now lists their ids (a JSON list, "" for none), so
undo can remove those nothing else refers to. Imports made before this version list none.
"""

from __future__ import annotations


def apply(db) -> None:
    for column in ("created_reps", "created_sources"):
        db.execute_sql(f"ALTER TABLE import_batch ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
