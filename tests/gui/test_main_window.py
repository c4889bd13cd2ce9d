"""The main window's shell: sections, status bar, user switching, remembered layout."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from ui.main_window import MainWindow
from ui.navigation import SECTIONS

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, ui_context):
    win = MainWindow(ui_context)
    qtbot.add_widget(win)
    with qtbot.wait_signal(win.sig_first_paint, timeout=5000):
        win.show()
    return win


def test_every_section_opens_its_own_page(qtbot, window):
    """Each section in the sidebar builds its page (the Reports page was once built but
    never wired to its section, which showed "not built yet")."""
    from ui.forecast.view import ForecastView
    from ui.reports.view import ReportsView

    pages = {}
    for section in SECTIONS:
        pages[section.key] = window.show_section(section.key)
        assert window.current_section() == section.key
    assert isinstance(pages["reports"], ReportsView)
    assert isinstance(pages["forecast"], ForecastView)
    assert len({type(page) for page in pages.values()}) == len(SECTIONS)


def test_the_status_bar_shows_the_database_the_counts_and_the_user(qtbot, window, ui_context):
    qtbot.wait_until(lambda: "deals" in window._counts.text(), timeout=5000)
    assert window._counts.text() == "0 open deals · 0 leads · 0 in all · 1 rep"
    assert window._location.text() == ui_context.workspace.location
    assert window._user_button.text() == "Maria Manager · manager"


def test_switching_user_changes_who_acts(qtbot, window, ui_context, rep):
    qtbot.wait_until(lambda: window._team is not None)  # read on the worker at load
    window._fill_user_menu()
    ravi = next(a for a in window._user_menu.actions() if a.text().startswith("Ravi Rep"))
    with qtbot.wait_signal(ui_context.bus.sig_user_changed):
        ravi.trigger()
    assert ui_context.actor.name == "Ravi Rep"
    assert window._user_button.text() == "Ravi Rep · rep"
    from app.users import current_user

    assert current_user().name == "Ravi Rep"  # kept for the next start


def test_layout_and_section_are_remembered(qtbot, ui_context):
    first = MainWindow(ui_context)
    qtbot.add_widget(first)
    first.show()
    first.resize(781, 677)
    first.show_section("activities")
    first.close()
    assert QSettings().value("main/section") == "activities"

    second = MainWindow(ui_context)
    qtbot.add_widget(second)
    with qtbot.wait_signal(second.sig_first_paint, timeout=5000):
        second.show()
    assert second.current_section() == "activities"
    assert (second.width(), second.height()) == (781, 677)


def test_backup_now_writes_a_backup(qtbot, window, ui_context, db_path):
    from app.workspace import backup_now  # noqa: F401  (the action calls it on the worker)

    window.actions_by_name["backup"].trigger()
    ui_context.runner.wait()
    qtbot.wait_until(lambda: "Backup written" in window.statusBar().currentMessage(), timeout=5000)
    assert list((db_path.parent / "funnelcast-backups").glob("*.sqlite"))


def test_ctrl_1_to_7_open_their_sections(qtbot, window):
    """Each shortcut has one owner (the Go menu), so Qt never finds it ambiguous."""
    from PySide6.QtGui import QKeySequence

    window.activateWindow()
    qtbot.wait_until(window.isActiveWindow, timeout=5000)
    for section in reversed(SECTIONS):  # from the last, so every press changes the page
        combo = QKeySequence(section.shortcut)[0]
        qtbot.keyClick(window, combo.key(), combo.keyboardModifiers())
        assert window.current_section() == section.key, section.shortcut
        assert window._nav_buttons[section.key].isChecked()
    assert window.current_section() == "board"


def test_ctrl_q_while_the_worker_runs_calls_nothing_back(qtbot, window, ui_context):
    import threading

    started, release = threading.Event(), threading.Event()
    heard = []

    def job(_control):
        started.set()
        release.wait(5)
        return "late"

    ui_context.runner.submit(job, owner=window.statusBar(),
                             on_result=lambda text: window.statusBar().showMessage(text),
                             on_finished=lambda: heard.append("finished"))
    qtbot.wait_until(started.is_set, timeout=5000)
    release.set()  # the job ends while the window closes
    window.actions_by_name["quit"].trigger()
    assert not window.isVisible()
    qtbot.wait(20)  # anything queued for the window would arrive now
    assert heard == [] and window.statusBar().currentMessage() != "late"


def test_the_user_menu_opens_from_the_team_read_on_the_worker(
        qtbot, rep, window, ui_context, gui_thread_sql):
    from app.users import create_rep
    from ui.context import Topic

    qtbot.wait_until(lambda: window._team is not None)
    gui_thread_sql.clear()
    window._user_menu.aboutToShow.emit()
    assert gui_thread_sql == []  # opening the menu reads nothing on the GUI thread
    assert [a.text() for a in window._user_menu.actions()] == [
        "Maria Manager (manager)", "Ravi Rep (rep)"]
    create_rep("Una Newcomer")
    with qtbot.wait_signal(window.sig_team_read):
        ui_context.bus.changed(Topic.REPS)
    window._user_menu.aboutToShow.emit()
    assert "Una Newcomer (rep)" in [a.text() for a in window._user_menu.actions()]


def test_damage_the_background_check_finds_is_told_with_the_backup_offer(
        qtbot, tmp_path, qsettings_isolated, monkeypatch):
    """The window opens on the data at once; when the check running meanwhile finds damage,
    the user is offered the newest backup (the existing damaged-database path) and
    Funnelcast closes."""
    from PySide6.QtWidgets import QApplication

    from app.errors import DatabaseDamaged
    from app.users import current_user
    from app.workspace import close_workspace, open_workspace
    from tests.test_workspace import damaged_past_what_opening_reads
    from ui import application
    from ui.context import UiContext

    path = tmp_path / "team.sqlite"
    damaged_past_what_opening_reads(path)
    offered, quitting = [], []
    monkeypatch.setattr(application, "offer_restore",
                        lambda _parent, damaged: offered.append(damaged) and False)
    monkeypatch.setattr(QApplication, "quit", staticmethod(lambda: quitting.append(True)))
    opened = open_workspace(path, defer_check=True)
    context = UiContext(opened, current_user())
    try:
        window = MainWindow(context)
        qtbot.add_widget(window)
        window.show()
        qtbot.wait_until(lambda: bool(quitting), timeout=10_000)
        assert len(offered) == 1 and isinstance(offered[0], DatabaseDamaged)
        assert offered[0].path == path
    finally:
        context.runner.wait()
        close_workspace()


@pytest.mark.parametrize("section", [s.key for s in SECTIONS])
def test_the_window_is_ready_on_whichever_page_it_opens(qtbot, ui_context, section):
    """Once the page it opens on shows its data the toolbar's features are installed and
    the status bar counts, whatever that page is."""
    QSettings().setValue("main/section", section)
    window = MainWindow(ui_context)
    qtbot.add_widget(window)
    with qtbot.wait_signal(window.sig_ready, timeout=10_000):
        window.show()
    assert window.current_section() == section
    assert window.actions_by_name["log_activity"].isEnabled()
    qtbot.wait_until(lambda: "deals" in window._counts.text(), timeout=5000)
