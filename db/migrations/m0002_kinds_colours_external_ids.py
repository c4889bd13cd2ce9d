"""Version 2: activity kinds as a manager setting, stage colours, external record ids.

- ``activity_kind`` maps each kind to its category (prospecting / selling / other). It is
  seeded with the default kinds, plus any kind already used in ``activity`` (as "other", so
  no logged hour is lost from the figures).
- ``stage.colour`` for the board; ``deal.external_id`` for matching re-imports from a CRM;
  ``deal.updated_by`` so every edit of a deal records who made it.
"""

from __future__ import annotations

from peewee import BooleanField, CharField, IntegerField, Model

DEFAULT_KINDS = (
    ("Cold calling", "prospecting"),
    ("Research", "prospecting"),
    ("Lead-gen email", "prospecting"),
    ("Networking", "prospecting"),
    ("Meeting", "selling"),
    ("Demo", "selling"),
    ("Proposal", "selling"),
    ("Negotiation", "selling"),
    ("Follow-up", "selling"),
    ("Admin", "other"),
    ("Training", "other"),
    ("Travel", "other"),
)


def apply(db) -> None:
    class ActivityKind(Model):
        name = CharField(unique=True)
        category = CharField()
        position = IntegerField(default=0)
        active = BooleanField(default=True)

        class Meta:
            database = db
            table_name = "activity_kind"

    db.create_tables([ActivityKind])
    # Plain ADD COLUMN with a default: SQLite and PostgreSQL both do it in place, with no
    # table rebuild.
    for statement in (
        "ALTER TABLE stage ADD COLUMN colour VARCHAR(255) NOT NULL DEFAULT ''",
        "ALTER TABLE deal ADD COLUMN external_id VARCHAR(255) NOT NULL DEFAULT ''",
        "CREATE INDEX deal_external_id ON deal (external_id)",
        "ALTER TABLE deal ADD COLUMN updated_by_id INTEGER NULL "
        "REFERENCES rep (id) ON DELETE SET NULL",
    ):
        db.execute_sql(statement)
    rows = [{"name": n, "category": c, "position": i} for i, (n, c) in enumerate(DEFAULT_KINDS)]
    known = {n for n, _ in DEFAULT_KINDS}
    used = [r[0] for r in db.execute_sql("SELECT DISTINCT kind FROM activity ORDER BY kind")]
    rows += [
        {"name": k, "category": "other", "position": len(rows) + i}
        for i, k in enumerate(u for u in used if u not in known)
    ]
    ActivityKind.insert_many(rows).execute()
