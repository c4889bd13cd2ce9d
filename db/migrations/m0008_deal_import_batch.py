"""Version 8: a deal remembers the import that created it.

Until now every import wrote one undo record per deal it created (50,000 rows, with their
three indexes, for a 50,000-row file) only to say "delete this deal on undo, if it is still
at version 1". The deal now carries its import, and a "created" record is kept only for the
exception: a deal that undoing a later import left at another version.
"""

from __future__ import annotations


def apply(db) -> None:
    db.execute_sql(
        "ALTER TABLE deal ADD COLUMN import_batch_id INTEGER"
        " REFERENCES import_batch (id) ON DELETE SET NULL"
    )
    db.execute_sql(
        "UPDATE deal SET import_batch_id = (SELECT c.batch_id FROM import_change c"
        " WHERE c.deal_id = deal.id AND c.kind = 'created')"
        " WHERE id IN (SELECT deal_id FROM import_change WHERE kind = 'created')"
    )
    db.execute_sql("DELETE FROM import_change WHERE kind = 'created' AND version_after = 1")
