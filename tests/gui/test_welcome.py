"""First start: the welcome dialog and "Who are you?"."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app import users, workspace
from app.pipeline import list_stages
from ui.context import UiContext
from ui.welcome import ChooseUserDialog, NameManagerDialog, WelcomeDialog, who_is_acting

pytestmark = pytest.mark.gui


@pytest.fixture
def context(workspace):
    """The session before the window: nobody acts yet."""
    session = UiContext(workspace, None)
    yield session
    session.runner.wait()


@pytest.fixture
def dialog(qtbot, context):
    welcome = WelcomeDialog(context)
    qtbot.add_widget(welcome)
    return welcome


def test_start_empty_needs_a_name_and_changes_nothing_without_one(qtbot, dialog):
    qtbot.mouseClick(dialog.empty_button, Qt.MouseButton.LeftButton)
    assert "Type your name" in dialog.message.text()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert workspace.needs_first_run() and list_stages() == []


def test_start_empty_installs_the_pipeline_with_the_user_as_manager(qtbot, dialog):
    qtbot.keyClicks(dialog.name_edit, "Sam Owner")
    qtbot.keyClicks(dialog.email_edit, "sam@example.com")
    with qtbot.wait_signal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.empty_button, Qt.MouseButton.LeftButton)
        assert not dialog.demo_button.isEnabled()  # saved on the worker, not the GUI thread
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.choice == "empty"
    assert users.current_user().name == "Sam Owner" and users.current_user().is_manager
    assert len(list_stages()) == 9


def test_a_bad_email_is_shown_and_nothing_is_created(qtbot, dialog):
    qtbot.keyClicks(dialog.name_edit, "Sam Owner")
    qtbot.keyClicks(dialog.email_edit, "sam at example")
    qtbot.mouseClick(dialog.empty_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not an email address" in dialog.message.text(), timeout=10_000)
    assert users.list_reps() == [] and list_stages() == []
    assert dialog.empty_button.isEnabled()  # the user can correct it and try again


def test_the_demo_team_is_built_in_the_background(qtbot, dialog):
    with qtbot.wait_signal(dialog.accepted, timeout=60_000):
        qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
        assert not dialog.demo_button.isEnabled()  # busy while the worker runs
    assert dialog.choice == "demo"
    assert users.current_user().is_manager
    assert len(users.list_reps()) >= 5


def test_who_are_you_offers_managers_first_and_saves_the_choice_on_the_worker(
        qtbot, rep, context):
    chooser = ChooseUserDialog(context)
    qtbot.add_widget(chooser)
    assert chooser.chosen_name() == "Maria Manager"
    chooser.combo.setCurrentIndex(1)
    assert chooser.chosen_name() == "Ravi Rep"
    with qtbot.wait_signal(chooser.accepted, timeout=10_000):
        chooser.buttons.accepted.emit()  # OK
        assert not chooser.buttons.isEnabled()  # saved on the worker, not the GUI thread
    assert chooser.chosen.name == "Ravi Rep" and users.current_user().name == "Ravi Rep"


def test_enter_in_the_name_field_starts_empty(qtbot, dialog):
    dialog.show()  # Enter also reaches the default button (the demo's) of a shown dialog
    qtbot.keyClicks(dialog.name_edit, "Sam Owner")
    with qtbot.wait_signal(dialog.accepted, timeout=10_000):
        qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    dialog.context.runner.wait()
    assert dialog.choice == "empty" and users.current_user().name == "Sam Owner"
    assert len(users.list_reps()) == 1  # no demo team was built as well


@pytest.fixture
def imported(workspace, tmp_path):
    """A database made by an import into a new file: its pipeline, and the file's owners
    as reps, but no manager and no current user."""
    from app.importing import ImportOptions, run_import

    path = tmp_path / "deals.csv"
    path.write_text("Title,Company,Owner\nRoof,Acme,Ravi Rep\nDoor,Beta,Tia Closer\n",
                    encoding="utf-8")
    assert run_import(path, ImportOptions(), None).created == 2
    assert not users.has_manager() and users.current_user() is None


@pytest.fixture
def naming(qtbot, imported, context):
    dialog = NameManagerDialog(context)
    qtbot.add_widget(dialog)
    dialog.show()
    return dialog


def test_picking_an_imported_rep_makes_them_the_manager(qtbot, naming):
    assert [naming.name_combo.itemText(i) for i in range(naming.name_combo.count())] == [
        "Ravi Rep", "Tia Closer"]
    assert naming.name_combo.currentText() == ""  # nobody is assumed
    naming.name_combo.setCurrentIndex(0)
    with qtbot.wait_signal(naming.accepted, timeout=10_000):
        qtbot.mouseClick(naming.continue_button, Qt.MouseButton.LeftButton)
    ravi = users.current_user()
    assert ravi.name == "Ravi Rep" and ravi.is_manager
    assert [r.name for r in users.list_reps()] == ["Ravi Rep", "Tia Closer"]  # promoted, not added


def test_typing_a_new_name_adds_the_manager(qtbot, naming):
    qtbot.keyClicks(naming.name_combo.lineEdit(), "Olga Owner")
    qtbot.keyClicks(naming.email_edit, "olga@example.com")
    with qtbot.wait_signal(naming.accepted, timeout=10_000):
        qtbot.keyClick(naming.email_edit, Qt.Key.Key_Return)
    olga = users.current_user()
    assert (olga.name, olga.email, olga.is_manager) == ("Olga Owner", "olga@example.com", True)
    assert not users.find_rep("Ravi Rep").is_manager


def test_naming_the_manager_needs_a_name_and_a_good_email(qtbot, naming):
    qtbot.mouseClick(naming.continue_button, Qt.MouseButton.LeftButton)
    assert "Type your name first" in naming.message.text()
    qtbot.keyClicks(naming.name_combo.lineEdit(), "Olga Owner")
    qtbot.keyClicks(naming.email_edit, "olga at example")
    qtbot.mouseClick(naming.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not an email address" in naming.message.text(), timeout=10_000)
    assert naming.continue_button.isEnabled() and naming.result() != QDialog.DialogCode.Accepted
    assert not users.has_manager()


def test_a_database_an_import_made_asks_who_manages_it_before_the_window(
        qtbot, imported, context, monkeypatch):
    """It used to skip the welcome and offer only the imported reps in "Who are you?", so
    the database never got a manager."""
    asked = []

    def answer(context):
        asked.append("manager")
        dialog = NameManagerDialog(context)
        qtbot.add_widget(dialog)
        qtbot.keyClicks(dialog.name_combo.lineEdit(), "Olga Owner")
        with qtbot.wait_signal(dialog.accepted, timeout=10_000):
            qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
        return True

    monkeypatch.setattr(NameManagerDialog, "ask", answer)
    monkeypatch.setattr(WelcomeDialog, "ask", lambda context: asked.append("welcome"))
    monkeypatch.setattr(ChooseUserDialog, "ask", lambda context: asked.append("who"))

    actor = who_is_acting(context, None)
    context.runner.wait()
    assert asked == ["manager"]
    assert actor.name == "Olga Owner" and actor.is_manager
    assert users.current_user() == actor


def test_who_are_you_saves_the_choice_on_the_worker_before_the_window(
        qtbot, rep, context, monkeypatch):
    """The choice used to be written on the GUI thread after the dialog closed (the GUI
    tests refuse a write begun there)."""
    from app import settings

    settings.put("current_user", "")  # reps, but nobody chosen on this computer yet

    def answer(context):
        chooser = ChooseUserDialog(context)
        qtbot.add_widget(chooser)
        chooser.combo.setCurrentIndex(chooser.combo.findData("Ravi Rep"))
        with qtbot.wait_signal(chooser.accepted, timeout=10_000):
            chooser.buttons.accepted.emit()
        return chooser.chosen

    monkeypatch.setattr(ChooseUserDialog, "ask", answer)
    actor = who_is_acting(context, None)
    assert actor.name == "Ravi Rep" and users.current_user() == actor
