"""The import, its re-import and its undo on a PostgreSQL server, for a team whose database
outgrew one laptop (``--db postgresql://…``).

Runs only when ``FUNNELCAST_TEST_POSTGRES`` names a server database the tests may wipe, e.g.
``postgresql://fc:fc@localhost/fctest`` (and the ``postgres`` extra is installed); every
test starts from an empty ``public`` schema.
"""

from __future__ import annotations

from decimal import Decimal

from app.importing import ImportOptions, run_import, undo_last_import
from db.models import Deal, StageChange
from tests.conftest import needs_postgres

pytestmark = needs_postgres


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
    assert undo_last_import(server_manager).deleted == 2
    assert Deal.select().count() == 0
