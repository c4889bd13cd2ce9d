"""Help › Keyboard shortcuts lists the window's real shortcuts, features' included; Help ›
About tells the version, the data and log folders and the bundled icons' licence."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAction, QKeySequence

import ui.help_menu as help_module
from app.about import version
from app.crash_log import log_path
from app.workspace import default_database_path
from ui.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, ui_context):
    win = MainWindow(ui_context)
    qtbot.add_widget(win)
    with qtbot.wait_signal(win.sig_first_paint, timeout=5000):
        win.show()
    return win


@pytest.fixture
def shown(monkeypatch):
    dialogs = []
    monkeypatch.setattr(help_module, "show_dialog", dialogs.append)
    return dialogs


def _rows(model):
    return [tuple(model.index(r, c).data() for c in range(model.columnCount()))
            for r in range(model.rowCount())]


def test_the_shortcuts_dialog_lists_the_menus_real_shortcuts(qtbot, qtmodeltester, window,
                                                             shown):
    qtbot.waitUntil(lambda: window.actions_by_name["import"].isEnabled(), timeout=10_000)
    window.actions_by_name["shortcuts"].trigger()
    (dialog,) = shown
    qtbot.add_widget(dialog)
    qtmodeltester.check(dialog.model)
    rows = _rows(dialog.model)
    native = QKeySequence.SequenceFormat.NativeText
    assert ("File", "Import", QKeySequence("Ctrl+I").toString(native)) in rows
    assert ("Go", "Board", QKeySequence("Ctrl+1").toString(native)) in rows
    assert ("Help", "Keyboard shortcuts", QKeySequence(
        QKeySequence.StandardKey.HelpContents).toString(native)) in rows
    # Made from the actions, not a copy: every menu action with keys is there, and a
    # shortcut given later shows up the next time the dialog opens.
    with_keys = [a for m in window.menuBar().actions() for a in m.menu().actions()
                 if a.shortcuts() and not a.isSeparator()]
    assert len(rows) == len(with_keys)
    window.actions_by_name["backup"].setShortcut(QKeySequence("Ctrl+Shift+B"))
    window.actions_by_name["shortcuts"].trigger()
    assert ("File", "Back up now", QKeySequence("Ctrl+Shift+B").toString(native)) in _rows(
        shown[1].model)
    qtbot.add_widget(shown[1])


def test_shortcut_rows_name_submenus_and_drop_mnemonics(qapp):
    from PySide6.QtWidgets import QMenuBar

    bar = QMenuBar()
    menu = bar.addMenu("&View")
    sub = menu.addMenu("&Zoom")
    zoom = QAction("Zoom &in", bar)
    zoom.setShortcut(QKeySequence("Ctrl++"))
    sub.addAction(zoom)
    plain = QAction("No keys", bar)
    menu.addAction(plain)
    assert help_module.shortcut_rows(bar) == [
        ("View › Zoom", "Zoom in", QKeySequence("Ctrl++").toString(
            QKeySequence.SequenceFormat.NativeText))]


def test_about_tells_version_folders_and_the_icons_licence(qtbot, window, ui_context, shown):
    window.actions_by_name["about"].trigger()
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    (dialog,) = shown
    qtbot.add_widget(dialog)
    places = dialog.places.text()
    assert str(default_database_path().parent) in places
    assert str(log_path().parent) in places
    assert ui_context.workspace.location in places
    assert f"version {version()}" in dialog.findChild(type(dialog.places)).text()
    assert "Phosphor icons" in dialog.licences.text()
    assert "MIT License, Copyright (c) 2023 Phosphor Icons" in dialog.licences.text()
    assert "Permission is hereby granted" in dialog.licence_text.toPlainText()
