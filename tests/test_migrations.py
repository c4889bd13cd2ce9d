"""A database made by an older version opens in this one without losing data.

The migrations that rewrite data (versions 6 and 8) are checked on PostgreSQL too, since a
team's server database goes through them as well; the rest build SQLite files."""

from __future__ import annotations

import ast
import sqlite3
from decimal import Decimal
from pathlib import Path

from app.workspace import close_workspace, open_workspace
from db import migrations
from db.connection import bind, make_database
from db.models import ALL_MODELS, ActivityKind, Deal, Rep, Stage, StageChange


def _make_v1_database(path: Path) -> None:
    """A database as version 1 of Funnelcast wrote it, with a little data in it."""
    db = make_database(str(path))
    bind(db)
    migrations.migrate(db, up_to=1)
    db.execute_sql("INSERT INTO rep (name, email, role, weekly_capacity_hours, active) "
                   "VALUES ('Old Rep', 'old@example.com', 'manager', 3750, 1)")
    db.execute_sql("INSERT INTO stage (name, position, side, outcome, probability) VALUES "
                   "('Open', 0, 'sales', 'open', 20), ('Won', 1, 'sales', 'won', 100), "
                   "('Lost', 2, 'sales', 'lost', 0)")
    deal = {
        "uuid": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "title": "Renewal", "company": "Acme",
        "contact_name": "Ann", "contact_email": "ann@acme.test", "contact_phone": "",
        "industry": "Retail", "region": "EU", "stage_id": 1, "owner_id": 1, "value": 1234567,
        "next_step": "", "lost_reason": "", "notes": "Long-standing customer",
        "created_at": "2026-01-05 10:00:00", "stage_entered_at": "2026-01-05 10:00:00",
        "last_activity_at": "2026-01-05 10:00:00", "updated_at": "2026-01-05 10:00:00",
        "version": 3,
    }
    db.execute_sql(
        f"INSERT INTO deal ({', '.join(deal)}) VALUES ({', '.join('?' * len(deal))})",
        tuple(deal.values()),
    )
    db.execute_sql("INSERT INTO activity (uuid, rep_id, kind, date, hours, note) VALUES "
                   "('11112222333344445555666677778888', 1, 'Site visit', '2026-01-06', 150, '')")
    db.close()


def test_a_version_1_database_keeps_its_data_through_every_migration(tmp_path):
    path = tmp_path / "old.sqlite"
    _make_v1_database(path)

    opened = open_workspace(path)
    try:
        assert opened.migrated_from == 1
        assert opened.schema_version == migrations.latest_version()
        deal = Deal.get(Deal.title == "Renewal")
        assert str(deal.value) == "12345.67"
        assert deal.version == 3 and deal.owner.name == "Old Rep"
        assert deal.external_id == "" and deal.stage.colour == ""
        assert Rep.get().weekly_capacity_hours == Rep.weekly_capacity_hours.python_value(3750)
        # A kind logged before kinds were a setting is kept, so its hours still count.
        assert ActivityKind.get(ActivityKind.name == "Site visit").category == "other"
        assert ActivityKind.select().where(ActivityKind.category == "selling").count() == 5
        # Migrating took a backup first, and the backup is still version 1.
        assert opened.backup is not None and opened.backup.exists()
        with sqlite3.connect(opened.backup) as old:
            assert old.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 1
    finally:
        close_workspace()


def test_reopening_an_up_to_date_database_runs_nothing(tmp_path):
    path = tmp_path / "db.sqlite"
    open_workspace(path)
    close_workspace()
    again = open_workspace(path)
    close_workspace()
    assert again.migrated_from is None and again.backup is None


def test_the_models_match_the_migrated_schema(workspace):
    db = Stage._meta.database
    for model in ALL_MODELS:
        columns = {c.name for c in db.get_columns(model._meta.table_name)}
        declared = {f.column_name for f in model._meta.sorted_fields}
        assert columns == declared, model.__name__


def test_migrations_are_frozen_and_never_import_todays_models():
    folder = Path(migrations.__file__).parent
    for source in folder.glob("m*.py"):
        tree = ast.parse(source.read_text())
        imported = {
            node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
        } | {a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names}
        assert not any(name and name.startswith("db.models") for name in imported), source.name


def test_a_migration_missed_below_the_newest_one_is_still_applied(tmp_path):
    """Two lines of work each added a migration; a database that got the later one first
    still gets the earlier one."""
    path = tmp_path / "gap.sqlite"
    db = make_database(str(path))
    bind(db)
    migrations.migrate(db)
    newest = migrations.latest_version()
    db.execute_sql("DELETE FROM schema_version WHERE version = 2")
    db.execute_sql("DROP TABLE activity_kind")  # as if migration 2 had never run
    db.execute_sql("ALTER TABLE stage DROP COLUMN colour")
    db.execute_sql("DROP INDEX IF EXISTS deal_external_id")  # gone since version 9
    db.execute_sql("ALTER TABLE deal DROP COLUMN external_id")
    db.execute_sql("ALTER TABLE deal DROP COLUMN updated_by_id")
    db.close()
    assert not migrations.is_up_to_date(path)

    opened = open_workspace(path)
    try:
        assert opened.migrated_from == newest
        assert ActivityKind.select().count() == 12
        assert migrations.is_up_to_date(path)
    finally:
        close_workspace()


def test_every_index_the_models_declare_exists_and_no_other(workspace):
    """Today's models and the migrated schema agree on indexes too (a migration that forgot
    one, or a model that still declares a dropped one, fails here)."""
    db = Stage._meta.database
    for model in ALL_MODELS:
        table = model._meta.table_name
        primary = tuple(db.get_primary_keys(table))  # PostgreSQL lists its index too
        existing = {tuple(i.columns) for i in db.get_indexes(table)} - {primary}
        declared = {tuple(f.column_name for f in index._expressions)
                    for index in model._meta.fields_to_index()}
        assert existing == declared, table


def _older_database(target: str, version: int):
    """A database at ``target`` (empty) as ``version`` of Funnelcast made it, bound."""
    db = make_database(target)
    bind(db)
    migrations.migrate(db, up_to=version)
    return db


def _sql(db, text: str) -> str:
    """``text`` with its ``?`` placeholders in ``db``'s own style."""
    return text.replace("?", db.param)


def test_version_6_records_lost_reasons_on_moves_and_clears_them_from_open_deals(
    empty_db_target,
):
    db = _older_database(empty_db_target, 5)
    db.execute_sql("INSERT INTO rep (name, email, role, weekly_capacity_hours, active) "
                   "VALUES ('Old Rep', '', 'manager', 4000, TRUE)")
    db.execute_sql("INSERT INTO stage (name, position, side, outcome, probability) VALUES "
                   "('Open', 0, 'sales', 'open', 20), ('Won', 1, 'sales', 'won', 100), "
                   "('Lost', 2, 'sales', 'lost', 0)")
    stamp = "2026-01-05 10:00:00"
    for n, (stage_id, reason) in enumerate(((3, "Price"), (1, "Timing"))):  # lost; reopened
        db.execute_sql(_sql(db,
            "INSERT INTO deal (uuid, title, company, contact_name, contact_email, "
            "contact_phone, industry, region, stage_id, value, next_step, lost_reason, notes, "
            "created_at, stage_entered_at, last_activity_at, updated_at, version) VALUES "
            "(?, ?, '', '', '', '', '', '', ?, 0, '', ?, '', ?, ?, ?, ?, 1)"),
            (f"{n:032x}", f"Deal {n}", stage_id, reason, stamp, stamp, stamp, stamp))
        db.execute_sql(_sql(db,
            "INSERT INTO stage_change (uuid, deal_id, from_stage_id, to_stage_id, changed_at, "
            "override_reason, origin) VALUES (?, ?, 1, 3, ?, '', 'app')"),
            (f"{n + 10:032x}", n + 1, stamp))
    db.close()

    open_workspace(empty_db_target)
    try:
        lost, reopened = Deal.get(Deal.title == "Deal 0"), Deal.get(Deal.title == "Deal 1")
        assert lost.lost_reason == "Price" and reopened.lost_reason == ""
        reasons = [c.lost_reason for c in StageChange.select().order_by(StageChange.deal)]
        assert reasons == ["Price", "Timing"]  # each move into Lost keeps the deal's reason
    finally:
        close_workspace()


def test_version_8_marks_imported_deals_and_keeps_only_the_exceptional_records(
    empty_db_target,
):
    """A database made by version 7 after two imports: the deals the first created carry it
    and still undo; the undo record of a deal at version 1 goes, the one saying a later undo
    left a deal at version 3 stays (the deal must be at 3 to be undone)."""
    db = _older_database(empty_db_target, 7)
    db.execute_sql("INSERT INTO stage (name, position, side, outcome, probability) VALUES "
                   "('Open', 0, 'sales', 'open', 20)")
    stamp = "2026-01-05 10:00:00"
    db.execute_sql(_sql(db,
        "INSERT INTO import_batch (uuid, file_name, sheet, started_at, finished_at, "
        "created_count, updated_count, unchanged_count, skipped_count, backup_path) "
        "VALUES (?, 'first.xlsx', 'Deals', ?, ?, 2, 0, 0, 0, '')"), ("a" * 32, stamp, stamp))
    for n, version in ((1, 1), (2, 3)):
        db.execute_sql(_sql(db,
            "INSERT INTO deal (uuid, title, company, contact_name, contact_email, "
            "contact_phone, industry, region, stage_id, value, next_step, lost_reason, notes, "
            "created_at, stage_entered_at, last_activity_at, updated_at, version, external_id)"
            " VALUES (?, ?, '', '', '', '', '', '', 1, 0, '', '', '', ?, ?, ?, ?, ?, '')"),
            (f"{n:032x}", f"Deal {n}", stamp, stamp, stamp, stamp, version))
        db.execute_sql(_sql(db, "INSERT INTO import_change (batch_id, deal_id, kind, before, "
                                "version_after) VALUES (1, ?, 'created', '', ?)"), (n, version))
    db.execute_sql(_sql(db,
        "INSERT INTO deal (uuid, title, company, contact_name, contact_email, contact_phone, "
        "industry, region, stage_id, value, next_step, lost_reason, notes, created_at, "
        "stage_entered_at, last_activity_at, updated_at, version, external_id) VALUES "
        "(?, 'Typed in', '', '', '', '', '', '', 1, 0, '', '', '', ?, ?, ?, ?, 1, '')"),
        ("f" * 32, stamp, stamp, stamp, stamp))
    db.close()

    open_workspace(empty_db_target)
    try:
        from app.importing import undo_last_import
        from db.models import ImportChange

        assert {d.title: d.import_batch_id for d in Deal.select()} == {
            "Deal 1": 1, "Deal 2": 1, "Typed in": None}
        assert [(c.deal_id, c.version_after) for c in ImportChange.select()] == [(2, 3)]
        assert undo_last_import(None).deleted == 2
        assert [d.title for d in Deal.select()] == ["Typed in"]
    finally:
        close_workspace()


def test_version_11_spreads_a_sources_single_cost_over_the_months_of_its_leads(tmp_path):
    """1,000.00 over three leads (two in January, one in February) becomes 666.66 and
    333.34: cost per lead stays 333.33 in each month and the months sum to the old cost. A
    source with a cost and no leads keeps it, in the month of the migration."""
    from datetime import date

    from db.models import SourceSpend

    path = tmp_path / "v10.sqlite"
    db = make_database(str(path))
    bind(db)
    migrations.migrate(db, up_to=10)
    db.execute_sql("INSERT INTO stage (name, position, side, outcome, probability) VALUES "
                   "('Open', 0, 'sales', 'open', 20)")
    db.execute_sql("INSERT INTO lead_source (name, channel, cost) VALUES ('Web', '', 100000), "
                   "('Fair', '', 50000), ('Free', '', 0)")
    for n, stamp in enumerate(("2026-01-05 10:00:00", "2026-01-20 10:00:00",
                               "2026-02-03 10:00:00")):
        db.execute_sql(
            "INSERT INTO deal (uuid, title, company, contact_name, contact_email, "
            "contact_phone, industry, region, stage_id, source_id, value, next_step, "
            "lost_reason, notes, created_at, stage_entered_at, last_activity_at, updated_at, "
            "version, external_id) VALUES (?, ?, '', '', '', '', '', '', 1, 1, 0, '', '', '', "
            "?, ?, ?, ?, 1, '')", (f"{n:032x}", f"Deal {n}", stamp, stamp, stamp, stamp))
    db.close()

    open_workspace(path)
    try:
        spend = {(s.source.name, s.month): s.amount for s in SourceSpend.select()}
        today = date.today().replace(day=1)
        assert spend == {("Web", date(2026, 1, 1)): Decimal("666.66"),
                         ("Web", date(2026, 2, 1)): Decimal("333.34"),
                         ("Fair", today): Decimal("500.00")}
    finally:
        close_workspace()
