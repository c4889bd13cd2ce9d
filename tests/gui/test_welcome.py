"""First start: the welcome dialog and "Who are you?"."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app import users, workspace
from app.pipeline import list_stages
from ui.tasks import TaskRunner
from ui.welcome import ChooseUserDialog, WelcomeDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def dialog(qtbot, workspace):
    runner = TaskRunner()
    welcome = WelcomeDialog(runner)
    qtbot.add_widget(welcome)
    yield welcome
    runner.wait()


def test_start_empty_needs_a_name_and_changes_nothing_without_one(qtbot, dialog):
    qtbot.mouseClick(dialog.empty_button, Qt.MouseButton.LeftButton)
    assert "Type your name" in dialog.message.text()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert workspace.needs_first_run() and list_stages() == []


def test_start_empty_installs_the_pipeline_with_the_user_as_manager(qtbot, dialog):
    qtbot.keyClicks(dialog.name_edit, "Sam Owner")
    qtbot.keyClicks(dialog.email_edit, "sam@example.com")
    qtbot.mouseClick(dialog.empty_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.choice == "empty"
    assert users.current_user().name == "Sam Owner" and users.current_user().is_manager
    assert len(list_stages()) == 9


def test_a_bad_email_is_shown_and_nothing_is_created(qtbot, dialog):
    qtbot.keyClicks(dialog.name_edit, "Sam Owner")
    qtbot.keyClicks(dialog.email_edit, "sam at example")
    qtbot.mouseClick(dialog.empty_button, Qt.MouseButton.LeftButton)
    assert "not an email address" in dialog.message.text()
    assert users.list_reps() == []


def test_the_demo_team_is_built_in_the_background(qtbot, dialog):
    with qtbot.wait_signal(dialog.accepted, timeout=60_000):
        qtbot.mouseClick(dialog.demo_button, Qt.MouseButton.LeftButton)
        assert not dialog.demo_button.isEnabled()  # busy while the worker runs
    assert dialog.choice == "demo"
    assert users.current_user().is_manager
    assert len(users.list_reps()) >= 5


def test_who_are_you_offers_managers_first(qtbot, rep):
    chooser = ChooseUserDialog()
    qtbot.add_widget(chooser)
    assert chooser.chosen_name() == "Maria Manager"
    chooser.combo.setCurrentIndex(1)
    assert chooser.chosen_name() == "Ravi Rep"


def test_enter_in_the_name_field_starts_empty(qtbot, dialog):
    qtbot.keyClicks(dialog.name_edit, "Sam Owner")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    assert dialog.choice == "empty" and users.current_user().name == "Sam Owner"
