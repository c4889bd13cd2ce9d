"""Version 1: the tables of DESIGN.md's domain model as first released (frozen copy)."""

from __future__ import annotations

import uuid

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
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
        name = CharField(unique=True)
        email = CharField(default="")
        role = CharField(default="rep")
        weekly_capacity_hours = BigIntegerField(default=4000)
        active = BooleanField(default=True)

    class Stage(Base):
        name = CharField(unique=True)
        position = IntegerField()
        side = CharField()
        outcome = CharField(default="open")
        probability = IntegerField(default=0)
        rot_days = IntegerField(null=True)

    class ChecklistItem(Base):
        stage = ForeignKeyField(Stage, on_delete="CASCADE")
        text = CharField()
        required = BooleanField(default=True)
        weight = IntegerField(default=1)
        position = IntegerField(default=0)

    class LeadSource(Base):
        name = CharField(unique=True)
        channel = CharField(default="")
        cost = BigIntegerField(default=0)

    class Deal(Base):
        uuid = UUIDField(unique=True, default=uuid.uuid4)
        title = CharField()
        company = CharField(default="")
        contact_name = CharField(default="")
        contact_email = CharField(default="")
        contact_phone = CharField(default="")
        industry = CharField(default="")
        company_size = IntegerField(null=True)
        region = CharField(default="")
        source = ForeignKeyField(LeadSource, null=True, on_delete="SET NULL")
        owner = ForeignKeyField(Rep, null=True, on_delete="RESTRICT")
        stage = ForeignKeyField(Stage, on_delete="RESTRICT")
        value = BigIntegerField(default=0)
        expected_close = DateField(null=True, index=True)
        next_step = CharField(default="")
        next_step_due = DateField(null=True)
        created_at = DateTimeField()
        stage_entered_at = DateTimeField()
        last_activity_at = DateTimeField()
        lost_reason = CharField(default="")
        notes = TextField(default="")
        version = IntegerField(default=1)
        updated_at = DateTimeField()

        class Meta:
            indexes = ((("stage", "owner"), False),)

    class ChecklistCheck(Base):
        deal = ForeignKeyField(Deal, on_delete="CASCADE")
        item = ForeignKeyField(ChecklistItem, on_delete="CASCADE")
        checked_at = DateTimeField()
        checked_by = ForeignKeyField(Rep, null=True, on_delete="SET NULL")

        class Meta:
            indexes = ((("deal", "item"), True),)

    class StageChange(Base):
        uuid = UUIDField(unique=True, default=uuid.uuid4)
        deal = ForeignKeyField(Deal, on_delete="CASCADE")
        from_stage = ForeignKeyField(Stage, null=True, on_delete="RESTRICT", backref="+")
        to_stage = ForeignKeyField(Stage, on_delete="RESTRICT", backref="+")
        changed_at = DateTimeField()
        changed_by = ForeignKeyField(Rep, null=True, on_delete="SET NULL")
        override_reason = CharField(default="")
        origin = CharField(default="app")

        class Meta:
            indexes = ((("deal", "changed_at"), False), (("to_stage", "changed_at"), False))

    class Activity(Base):
        uuid = UUIDField(unique=True, default=uuid.uuid4)
        rep = ForeignKeyField(Rep, on_delete="RESTRICT")
        deal = ForeignKeyField(Deal, null=True, on_delete="SET NULL")
        kind = CharField()
        date = DateField()
        hours = BigIntegerField()
        note = CharField(default="")

        class Meta:
            indexes = ((("rep", "date"), False), (("date",), False))

    class Quota(Base):
        rep = ForeignKeyField(Rep, null=True, on_delete="CASCADE")
        period_start = DateField()
        period_end = DateField()
        amount = BigIntegerField()

        class Meta:
            indexes = ((("rep", "period_start"), True),)

    class Setting(Base):
        key = CharField(unique=True)
        value = TextField(default="")

    db.create_tables(
        [Rep, Stage, ChecklistItem, LeadSource, Deal, ChecklistCheck, StageChange, Activity,
         Quota, Setting]
    )
