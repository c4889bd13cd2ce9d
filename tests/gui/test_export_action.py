"""File → Export weekly pipeline… (Ctrl+E): the dialog's suggestion, the export on the
worker, the remembered folder."""

from __future__ import annotations

import openpyxl
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QProgressDialog, QPushButton

from app import clock
from app.exporting import week_of
from ui.exporting import install as export_install
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, ui_context):
    win = MainWindow(ui_context)
    qtbot.add_widget(win)
    with qtbot.wait_signal(win.sig_first_paint, timeout=5000):
        win.show()
    qtbot.wait_until(lambda: win.actions_by_name["export"].isEnabled(), timeout=5000)
    return win


def test_the_menu_action_writes_the_workbook_and_remembers_the_folder(
        qtbot, window, ui_context, tmp_path, monkeypatch):
    action = window.actions_by_name["export"]
    file_menu = window.menuBar().actions()[0].menu()
    assert action in file_menu.actions()
    assert action.text() == "Export weekly pipeline…"
    assert action.shortcut() == QKeySequence("Ctrl+E")
    folder = tmp_path / "reports"
    folder.mkdir()
    suggestions = []

    def answer(parent, suggested):
        suggestions.append(suggested)
        return str(folder / "weekly")  # the user left out the extension

    monkeypatch.setattr(export_install, "choose_save_path", answer)
    action.trigger()
    target = folder / "weekly.xlsx"
    qtbot.wait_until(lambda: "Wrote" in window.statusBar().currentMessage(), timeout=20_000)
    assert target.exists()
    assert openpyxl.load_workbook(target).sheetnames[0] == "Summary"
    week = week_of(clock.local_today())
    assert suggestions[0].endswith(week.file_name)
    assert QSettings().value(export_install.LAST_FOLDER_KEY) == str(folder)

    action.trigger()  # the next export suggests the same folder
    assert suggestions[1] == str(folder / week.file_name)
    qtbot.wait_until(lambda: not ui_context.runner.busy, timeout=20_000)


def test_cancelling_the_file_dialog_writes_nothing(qtbot, window, ui_context, monkeypatch,
                                                   tmp_path):
    monkeypatch.setattr(export_install, "choose_save_path", lambda parent, suggested: "")
    window.actions_by_name["export"].trigger()
    assert window.findChildren(QProgressDialog) == []
    assert QSettings().value(export_install.LAST_FOLDER_KEY) is None


def test_cancel_in_the_progress_dialog_keeps_the_old_file(qtbot, window, monkeypatch,
                                                          tmp_path):
    target = tmp_path / "pipeline.xlsx"
    target.write_bytes(b"last week's")
    monkeypatch.setattr(export_install, "choose_save_path",
                        lambda parent, suggested: str(target))
    window.actions_by_name["export"].trigger()
    (progress,) = window.findChildren(QProgressDialog)
    progress.findChild(QPushButton).click()  # Cancel, before the job has written anything
    qtbot.wait_until(lambda: "cancelled" in window.statusBar().currentMessage(),
                     timeout=20_000)
    assert target.read_bytes() == b"last week's"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".sqlite"
                  and "sqlite" not in p.name) == ["pipeline.xlsx", "qs"]


def test_export_says_why_it_waits_and_is_plain_once_it_can_run(qtbot, ui_context):
    """Greyed out, the action's tooltip gave no reason ("Export the weekly workbook
    (Ctrl+E)"): now it says what it waits for, and once enabled it says what it does."""
    win = MainWindow(ui_context)
    qtbot.add_widget(win)
    actions = win.actions_by_name
    for name in ("new_deal", "log_activity", "import", "export"):
        assert not actions[name].isEnabled()
        assert actions[name].toolTip().endswith(": available in a moment, once the window "
                                                "has loaded")
    with qtbot.wait_signal(win.sig_first_paint, timeout=5000):
        win.show()
    qtbot.wait_until(lambda: actions["export"].isEnabled(), timeout=5000)
    assert actions["export"].toolTip() == ("Write this week's pipeline workbook for Excel "
                                           "(Ctrl+E)")
    assert actions["import"].isEnabled()
    assert actions["import"].toolTip() == "Import deals from a file (Ctrl+I)"
