"""The File menu's update-workbook actions: the manager exports a rep's workbook, the rep opens
it as a working copy (the window's title says so, Save is the rep's Ctrl+S), works through
the gate and the quick log, saves, and is asked before unsaved work is lost."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import Qt

from app.offline.reader import read_update_book
from ui import database_switch
from ui.main_window import MainWindow
from ui.offline import install as offline

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def data_folder(tmp_path, monkeypatch):
    """Working copies go to a data folder of the test's own."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def deals(manager, rep, stages):
    from app.deals import DealDraft, create_deal

    acme = create_deal(DealDraft(title="Acme renewal", company="Acme", owner_id=rep.id,
                                 stage_id=stages["Qualified"].id, value=Decimal("12000")),
                       manager)
    create_deal(DealDraft(title="Globex pilot", company="Globex", owner_id=rep.id,
                          stage_id=stages["Proposal"].id, value=Decimal("5000")), manager)
    return acme


def _show(qtbot, window: MainWindow) -> MainWindow:
    with qtbot.wait_signal(window.sig_first_paint, timeout=5000):
        window.show()
    qtbot.wait_until(lambda: window.actions_by_name["open_workbook"].isEnabled(),
                     timeout=5000)
    window.context.runner.wait()
    qtbot.wait_until(lambda: not window.context.runner.busy, timeout=5000)
    return window


@pytest.fixture
def window(qtbot, ui_context, deals):
    """The manager's window; a switch to another database deletes it (and the test closes
    the window that took its place)."""
    shown = _show(qtbot, MainWindow(ui_context))
    yield shown
    for opened in [shown, *database_switch._windows]:
        if shiboken6.isValid(opened):
            opened.close_guards.clear()
            opened.close()
            opened.deleteLater()


def _export(qtbot, window, monkeypatch, target: Path) -> None:
    monkeypatch.setattr(offline, "choose_rep", lambda parent, names: "Ravi Rep")
    monkeypatch.setattr(offline, "choose_export_path", lambda parent, suggested: str(target))
    window.actions_by_name["export_rep_workbook"].trigger()
    qtbot.wait_until(lambda: target.name in window.statusBar().currentMessage(),
                     timeout=20_000)


def _open_copy(qtbot, window, monkeypatch, workbook: Path) -> MainWindow:
    monkeypatch.setattr(offline, "choose_workbook", lambda parent: str(workbook))
    window.actions_by_name["open_workbook"].trigger()
    qtbot.wait_until(lambda: bool(database_switch._windows), timeout=20_000)
    copy = database_switch._windows[-1]
    qtbot.wait_until(lambda: copy.windowTitle().startswith("Working copy"), timeout=10_000)
    return copy


def test_the_manager_exports_a_reps_workbook_but_has_nothing_to_save(
        qtbot, window, monkeypatch, tmp_path):
    actions = window.actions_by_name
    assert actions["export_rep_workbook"].isEnabled()
    assert actions["open_workbook"].isEnabled()
    assert not actions["save_workbook"].isEnabled()  # Ctrl+S belongs to a working copy
    assert window.windowTitle() == "Funnelcast"
    names = []
    monkeypatch.setattr(offline, "choose_rep", lambda parent, offered: names.extend(offered)
                        or "Ravi Rep")
    monkeypatch.setattr(offline, "choose_export_path",
                        lambda parent, suggested: str(tmp_path / "ravi"))
    actions["export_rep_workbook"].trigger()
    target = tmp_path / "ravi.xlsx"
    qtbot.wait_until(lambda: str(target) in window.statusBar().currentMessage(),
                     timeout=20_000)
    assert names == ["Ravi Rep"]  # the reps, not the manager
    assert sorted(d.title for d in read_update_book(target).deals) == ["Acme renewal",
                                                                        "Globex pilot"]


def test_a_rep_cannot_export_other_reps_workbooks(qtbot, window, ui_context, rep):
    from app.users import set_current_user

    with qtbot.wait_signal(ui_context.bus.sig_user_changed):
        ui_context.set_actor(set_current_user("Ravi Rep"))
    assert not window.actions_by_name["export_rep_workbook"].isEnabled()


def test_the_rep_works_in_the_copy_and_saves_it(qtbot, window, monkeypatch, tmp_path,
                                                data_folder):
    from app.pipeline import find_stage, missing_requirements
    from db.models import Deal
    from ui import deal_actions
    from ui.activities.quick_log import QuickLogDialog
    from ui.gate_dialog import GateDialog

    workbook = tmp_path / "ravi.xlsx"
    _export(qtbot, window, monkeypatch, workbook)
    copy = _open_copy(qtbot, window, monkeypatch, workbook)
    assert copy.windowTitle() == "Working copy — Ravi Rep (ravi.xlsx)[*]"
    qtbot.wait_until(lambda: not shiboken6.isValid(window))  # the manager's window gave way
    actions = copy.actions_by_name
    assert actions["save_workbook"].isEnabled()
    assert actions["save_workbook"].shortcut().toString() == "Ctrl+S"
    for name in ("export_rep_workbook", "import", "new_deal"):
        assert not actions[name].isEnabled(), name
    assert copy.context.actor.name == "Ravi Rep"
    assert str(workbook.resolve()) in database_switch.recent()
    assert list((data_folder / "Funnelcast" / "working-copies").glob("ravi-*.sqlite"))

    # A move through the gate: the rep ticks what is missing in the gate dialog (a rep
    # cannot override it, in a working copy as anywhere).
    acme = Deal.get(Deal.title == "Acme renewal")
    demo = find_stage("Solution fit & demo")
    missing = tuple(item.id for item in missing_requirements(acme.id, demo.id))

    def tick_everything(cls, parent, context, deal_id, to_stage_id):
        gate = cls(parent, context, deal_id, to_stage_id)
        qtbot.add_widget(gate)
        assert gate.override_edit.isHidden() and not gate.move_button.isEnabled()
        for box, _item in gate.boxes:
            box.setChecked(True)
        assert gate.move_button.isEnabled()
        return gate.answer()

    monkeypatch.setattr(GateDialog, "ask", classmethod(tick_everything))
    refusals = []
    with qtbot.wait_signal(copy.context.bus.sig_changed, timeout=10_000):
        deal_actions.move_with_gate(copy, copy.context, acme.id, demo.id,
                                    on_failure=refusals.append)
    assert not refusals
    qtbot.wait_until(copy.isWindowModified, timeout=5000)

    # Hours in the quick log.
    dialog = QuickLogDialog(copy.context, copy)
    qtbot.add_widget(dialog)
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findText("Demo"))
    dialog.hours.setValue(1.5)
    with qtbot.wait_signal(dialog.sig_logged, timeout=10_000):
        dialog.submit()

    copy.activateWindow()
    qtbot.wait_until(copy.isActiveWindow, timeout=5000)
    qtbot.keyClick(copy, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.wait_until(lambda: "Saved to ravi.xlsx" in copy.statusBar().currentMessage(),
                     timeout=20_000)
    qtbot.wait_until(lambda: not copy.isWindowModified(), timeout=5000)
    book = read_update_book(workbook)
    assert [(m.from_stage, m.to_stage) for m in book.moves] == [("Qualified",
                                                                 "Solution fit & demo")]
    assert [(h.kind, h.hours, h.day) for h in book.hours] == [("Demo", Decimal("1.50"),
                                                               date.today())]
    assert {c.item_id for c in book.checks if c.done and not c.was_done} == set(missing)


def test_closing_with_unsaved_work_asks_and_saves_first(qtbot, window, monkeypatch, tmp_path):
    from app.deals import update_deal
    from db.models import Deal
    from ui.context import Topic
    from ui.operations import Write

    workbook = tmp_path / "ravi.xlsx"
    _export(qtbot, window, monkeypatch, workbook)
    copy = _open_copy(qtbot, window, monkeypatch, workbook)
    acme = Deal.get(Deal.title == "Acme renewal")
    with qtbot.wait_signal(copy.context.bus.sig_changed, timeout=10_000):
        Write(copy, copy.context, lambda _c: update_deal(acme.id, {"value": Decimal("15000")},
                                                         acme.version, copy.context.actor),
              announce={Topic.DEALS}).run()
    qtbot.wait_until(copy.isWindowModified, timeout=5000)

    asked = []
    monkeypatch.setattr(offline, "ask_save", lambda parent, info: asked.append(info)
                        or offline.CANCEL)
    copy.close()
    assert copy.isVisible() and len(asked) == 1  # cancelled: nothing lost, still open

    monkeypatch.setattr(offline, "ask_save", lambda parent, info: offline.SAVE)
    copy.close()
    qtbot.wait_until(lambda: not copy.isVisible(), timeout=20_000)  # closed once saved
    (row,) = [d for d in read_update_book(workbook).deals if d.title == "Acme renewal"]
    assert row.value == Decimal("15000.00") and row.original.value == Decimal("12000.00")


def test_a_file_that_is_no_update_workbook_leaves_the_window_as_it_was(
        qtbot, window, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    other = tmp_path / "notes.xlsx"
    other.write_bytes(b"no")
    warned = []
    monkeypatch.setattr(QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: warned.append(text)))
    monkeypatch.setattr(offline, "choose_workbook", lambda parent: str(other))
    window.actions_by_name["open_workbook"].trigger()
    qtbot.wait_until(lambda: bool(warned), timeout=10_000)
    assert "not a Funnelcast update workbook" in warned[0]
    assert window.isVisible() and window.centralWidget().isEnabled()
    assert not database_switch._windows
    from app.users import current_user

    assert current_user().name == "Maria Manager"  # the manager's database is still open


def test_open_recent_goes_back_to_the_managers_database(qtbot, window, monkeypatch,
                                                         tmp_path, db_path):
    workbook = tmp_path / "ravi.xlsx"
    _export(qtbot, window, monkeypatch, workbook)
    copy = _open_copy(qtbot, window, monkeypatch, workbook)
    assert copy.recent_menu.isEnabled()
    copy.recent_menu.aboutToShow.emit()
    offered = {action.text(): action for action in copy.recent_menu.actions()}
    assert list(offered) == [db_path.name]  # not the working copy itself
    offered[db_path.name].trigger()
    # The copy's window goes (and leaves the list) once the new one is up: wait for the new
    # one, not for a count that holds only until the old one is deleted.
    qtbot.wait_until(lambda: database_switch._windows[-1] is not copy, timeout=20_000)
    back = database_switch._windows[-1]
    qtbot.wait_until(lambda: back.actions_by_name["export_rep_workbook"].isEnabled(),
                     timeout=10_000)
    assert back.context.actor.name == "Maria Manager"
    assert back.windowTitle() == "Funnelcast"
    assert not back.actions_by_name["save_workbook"].isEnabled()
    back.recent_menu.aboutToShow.emit()
    assert [a.text() for a in back.recent_menu.actions()] == ["ravi.xlsx (working copy)"]
