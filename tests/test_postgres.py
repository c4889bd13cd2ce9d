"""The import, its re-import and its undo on a PostgreSQL server, for a team whose database
outgrew one laptop (``--db postgresql://…``).

Runs only when ``FUNNELCAST_TEST_POSTGRES`` names a server database the tests may wipe, e.g.
``postgresql://fc:fc@localhost/fctest`` (and the ``postgres`` extra is installed); every
test starts from an empty ``public`` schema.
"""

from __future__ import annotations

import os
from decimal import Decimal

import pytest

from app.importing import ImportOptions, run_import, undo_last_import
from app.workspace import close_workspace, open_workspace, start_empty
from db.models import Deal, StageChange

URL = os.environ.get("FUNNELCAST_TEST_POSTGRES", "")
pytestmark = pytest.mark.skipif(not URL, reason="FUNNELCAST_TEST_POSTGRES names no server")


@pytest.fixture
def server_manager():
    import psycopg2

    with psycopg2.connect(URL) as connection, connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    open_workspace(URL)
    yield start_empty("Maria Manager", "maria@example.com")
    close_workspace()


def test_import_reimport_and_undo_on_a_server(server_manager, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("Title,Company,Stage,Amount\nRoof,Acme,Qualified,1200\n"
                    "Door,Beta,Closed lost,300\n", encoding="utf-8")
    report = run_import(path, ImportOptions(), server_manager)
    assert report.committed and report.created == 2 and report.backup is None
    assert "No backup was taken" in " ".join(report.warnings)
    assert len({d.uuid for d in Deal.select()}) == 2
    assert StageChange.select().where(StageChange.origin == "import").count() == 2
    assert Deal.get(Deal.title == "Door").lost_reason == "Imported as lost"

    again = run_import(path, ImportOptions(), server_manager)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)

    path.write_text("Title,Company,Stage,Amount\nRoof,Acme,Proposal,1500\n", encoding="utf-8")
    assert run_import(path, ImportOptions(), server_manager).updated == 1
    assert undo_last_import(server_manager).restored == 1
    roof = Deal.get(Deal.title == "Roof")
    assert roof.value == Decimal("1200.00") and roof.stage.name == "Qualified"
    undone = undo_last_import(server_manager)
    assert undone.deleted == 2 and undone.backup is None
    assert "server's own tools" in undone.describe()
    assert Deal.select().count() == 0


def test_a_server_database_from_a_newer_funnelcast_is_refused_untouched(server_manager):
    import psycopg2

    from app.errors import NewerDatabase
    from db.migrations import latest_version

    close_workspace()
    newer = latest_version() + 1
    with psycopg2.connect(URL) as connection, connection.cursor() as cursor:
        cursor.execute("INSERT INTO schema_version VALUES (%s, '2030-01-01')", (newer,))
        cursor.execute("SELECT value FROM setting ORDER BY key")
        settings_before = cursor.fetchall()
    with pytest.raises(NewerDatabase, match=f"its schema is version {newer}; this version knows"):
        open_workspace(URL)
    with psycopg2.connect(URL) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT value FROM setting ORDER BY key")
        assert cursor.fetchall() == settings_before
        cursor.execute("SELECT MAX(version) FROM schema_version")
        assert cursor.fetchone()[0] == newer


def test_quotas_on_a_server_the_team_row_is_one_row(server_manager):
    """PostgreSQL, like SQLite, lets several NULL reps past UNIQUE(rep, period_start): the
    team's quota must still be one row that is replaced, cleared and copied forward."""
    from app.periods import parse_period
    from app.quotas import copy_quotas_forward, put_quotas, quota_grid
    from db.models import Quota

    q1 = parse_period("2026-Q1")
    put_quotas(q1, {None: "90000", server_manager.id: "40000"}, server_manager)
    put_quotas(q1, {None: "95000"}, server_manager)
    assert Quota.select().where(Quota.rep.is_null()).count() == 1
    copy_quotas_forward(q1, server_manager)
    grid = quota_grid(q1, 2)
    assert grid.team.amounts == (Decimal("95000.00"), Decimal("95000.00"))
    put_quotas(q1.shifted(1), {None: None}, server_manager)
    assert quota_grid(q1, 2).team.amounts == (Decimal("95000.00"), Decimal("40000.00"))
    assert quota_grid(q1, 2).team.own == (True, False)
