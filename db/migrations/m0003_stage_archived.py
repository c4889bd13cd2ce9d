"""Version 3: ``stage.archived`` — a deleted stage is archived, not dropped.

Why: the StageChange history (conversion rates, cycle times, the moves recorded when a stage
is deleted) references its stages, so a stage that was ever used cannot disappear without
rewriting history. Deleting one in the stage editor moves its deals elsewhere and archives it;
live views list only stages with ``archived = 0``.
"""

from __future__ import annotations


def apply(db) -> None:
    # Plain ADD COLUMN with a default: in place on SQLite and PostgreSQL, no table rebuild.
    db.execute_sql("ALTER TABLE stage ADD COLUMN archived BOOLEAN NOT NULL DEFAULT FALSE")
