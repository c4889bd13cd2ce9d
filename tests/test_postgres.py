"""What only a server database does differently, for a team whose database outgrew one laptop
(``--db postgresql://…``). Everything else runs on PostgreSQL too: see tests/conftest.py.

Runs only when ``FUNNELCAST_TEST_POSTGRES`` names a server database the tests may wipe.
"""

from __future__ import annotations

from contextlib import closing

import pytest

from app.errors import UsageError
from app.importing import ImportOptions, run_import
from app.jobs import JobControl
from app.workspace import backup_now
from db.models import StageChange

pytestmark = pytest.mark.postgresql_only


def test_an_import_on_a_server_takes_no_backup_and_says_so(manager, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("Title,Company,Stage,Amount\nRoof,Acme,Qualified,1200\n", encoding="utf-8")
    report = run_import(path, ImportOptions(), manager)
    assert report.committed and report.created == 1 and report.backup is None
    assert "No backup was taken" in " ".join(report.warnings)
    assert not list(tmp_path.glob("**/*.sqlite"))


def test_a_backup_of_a_server_database_is_left_to_the_server(manager):
    with pytest.raises(UsageError, match="server's own tools"):
        backup_now("manual")


class AddDealElsewhereMidImport(JobControl):
    """While the import records its stage changes, another user of the server adds a deal on
    a connection of their own (waiting at most 0.2 s for the import's lock)."""

    def __init__(self, url: str):
        super().__init__()
        self.url, self.outcome = url, None

    def report(self, fraction, message=""):
        if message.startswith("Recording stages") and self.outcome is None:
            import psycopg2

            with closing(psycopg2.connect(self.url)) as other:
                try:
                    with other, other.cursor() as cursor:
                        cursor.execute("SET lock_timeout = '200ms'")
                        cursor.execute(
                            "INSERT INTO deal (uuid, external_id, title, company, "
                            "contact_name, contact_email, contact_phone, industry, region, "
                            "stage_id, value, next_step, created_at, stage_entered_at, "
                            "last_activity_at, lost_reason, notes, version, updated_at) "
                            "SELECT gen_random_uuid(), '', 'Typed in meanwhile', '', '', '', "
                            "'', '', '', MIN(id), 0, '', now(), now(), now(), '', '', 1, now() "
                            "FROM stage")
                    self.outcome = "added"
                except psycopg2.errors.LockNotAvailable:
                    self.outcome = "waited"
        super().report(fraction, message)


def test_a_deal_added_elsewhere_during_an_import_is_not_taken_for_one_of_its_own(
    manager, tmp_path, db_target
):
    """The import tells its new deals by their ids; on a server, another user's deal must
    not get in among them (SQLite's one write lock keeps it out by itself)."""
    path = tmp_path / "deals.csv"
    path.write_text("Title,Company,Stage,Amount\nRoof,Acme,Qualified,1200\n", encoding="utf-8")
    elsewhere = AddDealElsewhereMidImport(db_target)
    assert run_import(path, ImportOptions(), manager, elsewhere).created == 1
    assert elsewhere.outcome == "waited"  # the other user's write waits for the import
    imported = StageChange.select().where(StageChange.origin == "import")
    assert [c.deal.title for c in imported] == ["Roof"]


def test_undoing_an_import_on_a_server_takes_no_backup_and_says_so(manager, tmp_path):
    from app.importing import undo_last_import

    path = tmp_path / "deals.csv"
    path.write_text("Title,Company,Stage,Amount\nRoof,Acme,Qualified,1200\n", encoding="utf-8")
    run_import(path, ImportOptions(), manager)
    undone = undo_last_import(manager)
    assert undone.deleted == 1 and undone.backup is None
    assert "server's own tools" in undone.describe()


def test_a_server_database_from_a_newer_funnelcast_is_refused_untouched(manager, db_target):
    import psycopg2

    from app.errors import NewerDatabase
    from app.workspace import close_workspace, open_workspace
    from db.migrations import latest_version

    close_workspace()
    newer = latest_version() + 1
    with closing(psycopg2.connect(db_target)) as connection, connection, \
            connection.cursor() as cursor:
        cursor.execute("INSERT INTO schema_version VALUES (%s, '2030-01-01')", (newer,))
        cursor.execute("SELECT value FROM setting ORDER BY key")
        settings_before = cursor.fetchall()
    try:
        with pytest.raises(NewerDatabase,
                           match=f"its schema is version {newer}; this version knows"):
            open_workspace(db_target)
        with closing(psycopg2.connect(db_target)) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT value FROM setting ORDER BY key")
            assert cursor.fetchall() == settings_before
            cursor.execute("SELECT MAX(version) FROM schema_version")
            assert cursor.fetchone()[0] == newer
    finally:  # leave the schema as the fixtures expect it
        with closing(psycopg2.connect(db_target)) as connection, connection, \
                connection.cursor() as cursor:
            cursor.execute("DELETE FROM schema_version WHERE version = %s", (newer,))
        open_workspace(db_target)


def test_quotas_on_a_server_the_team_row_is_one_row(manager):
    """PostgreSQL, like SQLite, lets several NULL reps past UNIQUE(rep, period_start): the
    team's quota must still be one row that is replaced, cleared and copied forward."""
    from decimal import Decimal

    from app.periods import parse_period
    from app.quotas import copy_quotas_forward, put_quotas, quota_grid
    from db.models import Quota

    q1 = parse_period("2026-Q1")
    put_quotas(q1, {None: "90000", manager.id: "40000"}, manager)
    put_quotas(q1, {None: "95000"}, manager)
    assert Quota.select().where(Quota.rep.is_null()).count() == 1
    copy_quotas_forward(q1, manager)
    grid = quota_grid(q1, 2)
    assert grid.team.amounts == (Decimal("95000.00"), Decimal("95000.00"))
    put_quotas(q1.shifted(1), {None: None}, manager)
    assert quota_grid(q1, 2).team.amounts == (Decimal("95000.00"), Decimal("40000.00"))
    assert quota_grid(q1, 2).team.own == (True, False)
