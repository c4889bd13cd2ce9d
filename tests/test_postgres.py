"""What only a server database does differently, for a team whose database outgrew one laptop
(``--db postgresql://…``). Everything else runs on PostgreSQL too: see tests/conftest.py.

Runs only when ``FUNNELCAST_TEST_POSTGRES`` names a server database the tests may wipe.
"""

from __future__ import annotations

import pytest

from app.errors import UsageError
from app.importing import ImportOptions, run_import
from app.workspace import backup_now

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
