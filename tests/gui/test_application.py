"""Starting and running the GUI: a database that is not ready is explained (the user may
retry), and a bug in a slot is reported before and while the application quits."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

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


def test_a_bug_is_shown_while_running_and_only_logged_once_quitting(qtbot, monkeypatch,
                                                                    tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # put back after the test
    shown = []
    monkeypatch.setattr(QMessageBox, "critical",
                        staticmethod(lambda _parent, _title, text: shown.append(text)))
    app = QApplication.instance()
    application.report_unexpected_errors(app)

    def bug(message):
        try:
            raise RuntimeError(message)
        except RuntimeError as error:
            sys.excepthook(type(error), error, error.__traceback__)

    bug("while running")
    assert len(shown) == 1 and "while running" in shown[0]
    app.aboutToQuit.emit()  # Ctrl+Q: the event loop is winding down
    bug("while quitting")
    assert len(shown) == 1  # no dialog holds the exit open
    log = (tmp_path / "Funnelcast" / "log" / "funnelcast.log").read_text()
    assert "while running" in log and "while quitting" in log
    app.aboutToQuit.disconnect(application._quitting)  # the test's QApplication lives on
