"""Peewee models: today's schema, as DESIGN.md's domain model describes it.

The models bind to :data:`db.connection.database`, a proxy initialised at start-up with a
SQLite path or a PostgreSQL URL. Migrations in :mod:`db.migrations` never import these
classes; they carry frozen copies of the table shapes they create or change.
"""

from __future__ import annotations

import uuid

from peewee import (
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

from db.connection import database
from db.fields import ScaledDecimalField

ROLES = ("manager", "rep")
SIDES = ("marketing", "sales")
OUTCOMES = ("open", "won", "lost")
ORIGINS = ("app", "import", "workbook")
CATEGORIES = ("prospecting", "selling", "other")


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Rep(BaseModel):
    name = CharField(unique=True)
    email = CharField(default="")
    role = CharField(default="rep")  # one of ROLES
    weekly_capacity_hours = ScaledDecimalField(places=2, default=40)
    active = BooleanField(default=True)


class Stage(BaseModel):
    name = CharField(unique=True)
    position = IntegerField()
    side = CharField()  # one of SIDES
    outcome = CharField(default="open")  # one of OUTCOMES
    probability = IntegerField(default=0)  # 0-100, the manager's estimate
    rot_days = IntegerField(null=True)
    colour = CharField(default="")  # "#rrggbb" or "" for the theme's default
    archived = BooleanField(default=False)  # deleted in the editor; kept for the history


class ChecklistItem(BaseModel):
    stage = ForeignKeyField(Stage, backref="checklist", on_delete="CASCADE")
    text = CharField()
    required = BooleanField(default=True)
    weight = IntegerField(default=1)
    position = IntegerField(default=0)


class LeadSource(BaseModel):
    name = CharField(unique=True)
    channel = CharField(default="")


class SourceSpend(BaseModel):
    """What a lead source cost in one month (``month`` is its first day)."""

    source = ForeignKeyField(LeadSource, backref="spend", on_delete="CASCADE", index=False)
    month = DateField()
    amount = ScaledDecimalField(places=2, default=0)

    class Meta:
        indexes = ((("source", "month"), True),)


class ImportBatch(BaseModel):
    """One committed import; "Undo last import" takes back the newest not yet undone."""

    uuid = UUIDField(unique=True, default=uuid.uuid4)
    file_name = CharField()
    sheet = CharField(default="")
    started_at = DateTimeField()  # UTC
    finished_at = DateTimeField()
    actor = ForeignKeyField(Rep, null=True, on_delete="SET NULL", backref="+")
    created_count = IntegerField(default=0)
    updated_count = IntegerField(default=0)
    unchanged_count = IntegerField(default=0)
    skipped_count = IntegerField(default=0)
    backup_path = CharField(default="")
    undone_at = DateTimeField(null=True)
    # The ids of the reps and lead sources it created, as JSON lists ("" for none): undo
    # removes those nothing else refers to by then.
    created_reps = TextField(default="")
    created_sources = TextField(default="")
    # A merged update workbook (app.offline): its export id, rep, export time and the file's
    # save time (None if it had none); "" / None for a spreadsheet import.
    export_id = CharField(default="")
    export_rep = CharField(default="")
    exported_at = DateTimeField(null=True)
    saved_at = DateTimeField(null=True)


class Deal(BaseModel):
    uuid = UUIDField(unique=True, default=uuid.uuid4)
    # The record id in the CRM it came from. No index: an import reads every deal's keys at
    # once, and nothing else looks a deal up by it.
    external_id = CharField(default="")
    title = CharField()
    company = CharField(default="")
    contact_name = CharField(default="")
    contact_email = CharField(default="")
    contact_phone = CharField(default="")
    industry = CharField(default="")
    company_size = IntegerField(null=True)  # employees
    region = CharField(default="")
    source = ForeignKeyField(LeadSource, null=True, backref="deals", on_delete="SET NULL")
    owner = ForeignKeyField(Rep, null=True, backref="deals", on_delete="RESTRICT")
    stage = ForeignKeyField(Stage, backref="deals", on_delete="RESTRICT", index=False)
    value = ScaledDecimalField(places=2, default=0)
    expected_close = DateField(null=True, index=True)
    next_step = CharField(default="")
    next_step_due = DateField(null=True)
    created_at = DateTimeField()  # UTC, naive
    stage_entered_at = DateTimeField()
    last_activity_at = DateTimeField()
    lost_reason = CharField(default="")
    notes = TextField(default="")
    version = IntegerField(default=1)
    updated_at = DateTimeField()
    updated_by = ForeignKeyField(Rep, null=True, on_delete="SET NULL", backref="+", index=False)
    # The import that created the deal ("Undo last import" deletes these), else None. No
    # index: only undoing an import looks deals up by it.
    import_batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL", backref="+",
                                   index=False)

    class Meta:
        # (stage, value): the board's column totals and each column's largest deals.
        indexes = ((("stage", "owner"), False), (("stage", "value"), False))


class ChecklistCheck(BaseModel):
    deal = ForeignKeyField(Deal, backref="checks", on_delete="CASCADE", index=False)
    item = ForeignKeyField(ChecklistItem, backref="checks", on_delete="CASCADE")
    checked_at = DateTimeField()
    checked_by = ForeignKeyField(Rep, null=True, on_delete="SET NULL")
    # The workbook merge that added it ("Undo last import" deletes these), else None.
    import_batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL", backref="+",
                                   index=False)

    class Meta:
        indexes = ((("deal", "item"), True),)


class StageChange(BaseModel):
    uuid = UUIDField(unique=True, default=uuid.uuid4)
    deal = ForeignKeyField(Deal, backref="stage_changes", on_delete="CASCADE", index=False)
    from_stage = ForeignKeyField(Stage, null=True, on_delete="RESTRICT", backref="+")
    to_stage = ForeignKeyField(Stage, on_delete="RESTRICT", backref="+", index=False)
    changed_at = DateTimeField()
    changed_by = ForeignKeyField(Rep, null=True, on_delete="SET NULL")
    override_reason = CharField(default="")
    origin = CharField(default="app")  # one of ORIGINS
    lost_reason = CharField(default="")  # on a move into a lost stage
    # The workbook merge that added it ("Undo last import" deletes these), else None.
    import_batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL", backref="+",
                                   index=False)

    class Meta:
        indexes = ((("deal", "changed_at"), False), (("to_stage", "changed_at"), False))


class ActivityKind(BaseModel):
    name = CharField(unique=True)
    category = CharField()  # one of CATEGORIES
    position = IntegerField(default=0)
    active = BooleanField(default=True)


class Activity(BaseModel):
    uuid = UUIDField(unique=True, default=uuid.uuid4)
    rep = ForeignKeyField(Rep, backref="activities", on_delete="RESTRICT", index=False)
    deal = ForeignKeyField(Deal, null=True, backref="activities", on_delete="SET NULL")
    kind = CharField()  # an ActivityKind name
    date = DateField()
    hours = ScaledDecimalField(places=2)
    note = CharField(default="")
    # The workbook merge that added it ("Undo last import" deletes these), else None.
    import_batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL", backref="+",
                                   index=False)

    class Meta:
        indexes = (
            (("rep", "date"), False),
            (("date", "rep", "kind", "hours", "deal"), False),  # covering: period sums (v4)
        )


class Quota(BaseModel):
    # None: the team's quota
    rep = ForeignKeyField(Rep, null=True, backref="quotas", on_delete="CASCADE", index=False)
    period_start = DateField()
    period_end = DateField()
    amount = ScaledDecimalField(places=2)

    class Meta:
        indexes = ((("rep", "period_start"), True),)


class Setting(BaseModel):
    key = CharField(unique=True)
    value = TextField(default="")


class ImportChange(BaseModel):
    """A deal an import updated (``kind`` "updated", with the previous values of the changed
    fields as JSON in ``before``), and the version it left the deal at. The deals an import
    created are marked on the deal (``Deal.import_batch``) and expected at version 1; a
    "created" record holds another version only where undoing a later import put one of
    them back at a new version."""

    batch = ForeignKeyField(ImportBatch, backref="changes", on_delete="CASCADE", index=False)
    deal = ForeignKeyField(Deal, backref="+", on_delete="CASCADE")
    kind = CharField()
    before = TextField(default="")
    version_after = IntegerField()
    stage_change = ForeignKeyField(StageChange, null=True, on_delete="SET NULL", backref="+")

    class Meta:
        indexes = ((("batch", "deal"), False),)


ALL_MODELS = (
    Rep,
    Stage,
    ChecklistItem,
    LeadSource,
    SourceSpend,
    Deal,
    ChecklistCheck,
    StageChange,
    ActivityKind,
    Activity,
    Quota,
    Setting,
    ImportBatch,
    ImportChange,
)

