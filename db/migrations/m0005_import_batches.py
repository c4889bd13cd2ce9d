"""Version 5: a record of each import, so "Undo last import" can take it back.

- ``import_batch``: one row per committed import (file, sheet, who, when, counts, the backup
  taken before it, and ``undone_at`` once undone).
- ``import_change``: one row per deal the import created or updated; ``before`` holds the
  updated fields' previous values as JSON (empty for a created deal), ``version_after`` the
  deal's version right after the import (undo refuses to overwrite later edits), and
  ``stage_change`` the StageChange the import recorded, if any.
"""

from __future__ import annotations

import uuid

from peewee import (
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    UUIDField,
)


def apply(db) -> None:
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Rep(Base):
        class Meta:
            table_name = "rep"

    class Deal(Base):
        class Meta:
            table_name = "deal"

    class StageChange(Base):
        class Meta:
            table_name = "stage_change"

    class ImportBatch(Base):
        uuid = UUIDField(unique=True, default=uuid.uuid4)
        file_name = CharField()
        sheet = CharField(default="")
        started_at = DateTimeField()
        finished_at = DateTimeField()
        actor = ForeignKeyField(Rep, null=True, on_delete="SET NULL")
        created_count = IntegerField(default=0)
        updated_count = IntegerField(default=0)
        unchanged_count = IntegerField(default=0)
        skipped_count = IntegerField(default=0)
        backup_path = CharField(default="")
        undone_at = DateTimeField(null=True)

    class ImportChange(Base):
        batch = ForeignKeyField(ImportBatch, on_delete="CASCADE")
        deal = ForeignKeyField(Deal, on_delete="CASCADE")
        kind = CharField()
        before = TextField(default="")
        version_after = IntegerField()
        stage_change = ForeignKeyField(StageChange, null=True, on_delete="SET NULL")

        class Meta:
            indexes = ((("batch", "deal"), False),)

    db.create_tables([ImportBatch, ImportChange])
