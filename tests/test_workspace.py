"""Opening databases and the first-run state."""

from __future__ import annotations

import pytest

from app import workspace
from app.errors import UsageError
from app.pipeline import list_stages


def test_a_new_database_needs_the_first_run(workspace):
    from app.workspace import needs_first_run

    assert needs_first_run()


def test_starting_empty_installs_the_default_pipeline_and_a_manager(manager):
    stages = list_stages()
    assert [s.name for s in stages][:3] == ["Suspect", "Nurturing", "Sales-ready lead"]
    assert sum(s.outcome == "won" for s in stages) == 1
    assert sum(s.outcome == "lost" for s in stages) >= 1
    assert {s.side for s in stages if s.position < 2} == {"marketing"}
    assert manager.is_manager
    from app.users import current_user

    assert current_user() == manager
    assert not workspace.needs_first_run()


def test_a_team_whose_reps_an_import_made_gets_its_manager(any_workspace, tmp_path):
    """On SQLite and PostgreSQL: the start-up state asks for the manager, and naming one who
    is among the reps (deactivated meanwhile) promotes that rep rather than refusing."""
    from app.importing import ImportOptions, run_import
    from app.users import find_rep, has_manager
    from db.models import Rep

    path = tmp_path / "deals.csv"
    path.write_text("Title,Company,Owner\nRoof,Acme,Ravi Rep\n", encoding="utf-8")
    run_import(path, ImportOptions(), None)
    state = workspace.start_state(None)
    assert (state.first_run, state.needs_manager, state.actor) == (False, True, None)
    Rep.update(active=False).where(Rep.name == "Ravi Rep").execute()

    done = workspace.initialise("RAVI REP")
    assert not done.pipeline_set_up and len(list_stages()) == 9
    ravi = find_rep("Ravi Rep")
    assert done.manager == ravi and ravi.is_manager and ravi.active
    assert has_manager() and Rep.select().count() == 1
    assert workspace.start_state(None) == workspace.StartState(False, ravi, False)


def test_counts_for_the_status_bar(manager, stages):
    from app.deals import DealDraft, create_deal
    from app.pipeline import move_deal

    first = create_deal(DealDraft(title="A"), manager)
    create_deal(DealDraft(title="B"), manager)
    move_deal(first.id, stages["Lost"].id, manager, lost_reason="No budget")
    create_deal(DealDraft(title="C", stage_id=stages["Qualified"].id), manager)
    counts = workspace.counts()
    assert (counts.deals, counts.open_deals, counts.leads, counts.reps) == (3, 1, 1, 1)


def test_the_default_database_lives_in_the_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert workspace.default_database_path() == tmp_path / "Funnelcast" / "funnelcast.sqlite"


def test_a_folder_is_not_a_database(tmp_path):
    with pytest.raises(UsageError, match="is a folder"):
        workspace.open_workspace(tmp_path)


def test_a_url_password_is_never_shown():
    assert (
        workspace._hide_password("postgresql://sam:secret@db.local/sales")
        == "postgresql://sam:***@db.local/sales"
    )
