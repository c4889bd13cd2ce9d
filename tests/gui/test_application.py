"""Starting the GUI on a database that is not ready: the user is told why and may retry."""

from __future__ import annotations

import pytest

from app.workspace import close_workspace, open_workspace, start_empty
from ui import application

pytestmark = pytest.mark.gui


@pytest.fixture
def team_file(tmp_path):
    path = tmp_path / "team.sqlite"
    open_workspace(path)
    start_empty("Maria Manager")
    close_workspace()
    return path


def test_a_locked_database_offers_another_try_and_then_opens(
    qtbot, team_file, short_busy_timeout, lock_holder, monkeypatch
):
    other = lock_holder(team_file, exclusive=True)
    asked = []

    def retry_once_the_other_program_is_done(_parent, busy):
        asked.append(str(busy))
        other.close()
        return True

    offered_restore = []
    monkeypatch.setattr(application, "ask_retry", retry_once_the_other_program_is_done)
    monkeypatch.setattr(application, "offer_restore",
                        lambda _parent, damaged: offered_restore.append(damaged) and False)
    opened = application._open(str(team_file))
    try:
        assert offered_restore == []  # it was never called damaged
        assert opened is not None and opened.location == str(team_file)
        assert len(asked) == 1 and asked[0].startswith("Another program is using the database")
        assert "damaged" not in asked[0]
    finally:
        close_workspace()


def test_quitting_at_the_retry_question_leaves_the_database_alone(
    qtbot, team_file, short_busy_timeout, lock_holder, monkeypatch
):
    lock_holder(team_file, exclusive=True)
    monkeypatch.setattr(application, "ask_retry", lambda _parent, _busy: False)
    monkeypatch.setattr(application, "offer_restore", lambda _parent, _damaged: False)
    assert application._open(str(team_file)) is None
    assert sorted(p.name for p in team_file.parent.iterdir() if "damaged" in p.name) == []
