"""Version 12: merging a rep's update workbook can be undone, and knows which exports it merged.

A merge adds stage moves, checklist ticks and activities besides changing deals; "Undo last
import" must take those back too, so each carries the batch that added it
(``import_batch_id``, NULL for everything else). The batch remembers the update workbook it
merged (its export id, when it was exported and for which rep, and when the file was
saved), so an older workbook of the same rep merged after a newer one, or an older save of
a workbook already merged, is recognised, and what the newer one changed is not overwritten
with stale values.
"""

from __future__ import annotations


def apply(db) -> None:
    for table in ("stage_change", "checklist_check", "activity"):
        db.execute_sql(
            f"ALTER TABLE {table} ADD COLUMN import_batch_id INTEGER"
            " REFERENCES import_batch (id) ON DELETE SET NULL"
        )
    for column in ("export_id", "export_rep"):
        db.execute_sql(
            f"ALTER TABLE import_batch ADD COLUMN {column} VARCHAR(255) NOT NULL DEFAULT ''")
    for column in ("exported_at", "saved_at"):
        db.execute_sql(f"ALTER TABLE import_batch ADD COLUMN {column} TIMESTAMP")
