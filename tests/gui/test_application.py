"""How the running application reports a bug in a slot, before and while it quits."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from ui import application

pytestmark = pytest.mark.gui


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
