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
