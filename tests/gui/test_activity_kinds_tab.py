"""Settings → Activity kinds, driven through the real table: staged edits saved at once
(the same editing model as Stages), and read-only for a rep."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from app.activities import ActivityDraft, list_activities, log_activity
from app.activity_kinds import list_kinds
from ui.settings.activity_kinds_tab import ActivityKindsTab

pytestmark = pytest.mark.gui

DAY = date(2026, 3, 18)


@pytest.fixture
def tab(qtbot, ui_context):
    widget = ActivityKindsTab(ui_context)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 12)
    return widget


def row_of(tab, name: str) -> int:
    """The row showing kind ``name``; -1 while it is not shown (so a wait can poll it)."""
    return next((r for r in range(tab.model.rowCount()) if tab.model.kind(r).name == name), -1)


def save(qtbot, tab) -> None:
    with qtbot.waitSignal(tab.context.bus.sig_changed, timeout=10_000):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.undo_stack.isClean())


def test_model_passes_the_model_tester(qtmodeltester, tab):
    qtmodeltester.check(tab.model)


def test_a_rename_waits_for_save_and_then_renames_logged_activities(qtbot, tab, manager):
    log_activity(ActivityDraft(manager.id, "Demo", DAY, Decimal("1")), manager, today=DAY)
    assert not tab.save_button.isEnabled()
    assert tab.model.setData(tab.model.index(row_of(tab, "Demo"), 0), "Product demo",
                             Qt.ItemDataRole.EditRole)
    assert tab.save_button.isEnabled() and tab.dirty_label.text() == "Unsaved changes"
    assert "Demo" in [k.name for k in list_kinds()]  # staged, not saved yet
    save(qtbot, tab)
    assert list_activities(manager.id, DAY, DAY)[0].kind == "Product demo"
    qtbot.waitUntil(lambda: row_of(tab, "Product demo") >= 0
                    and tab.model.kind(row_of(tab, "Product demo")).uses == 1)
    assert tab.dirty_label.text() == "Saved"


def test_a_duplicate_name_is_refused_on_save_and_the_edits_stay(qtbot, tab):
    tab.model.setData(tab.model.index(row_of(tab, "Demo"), 0), "meeting",
                      Qt.ItemDataRole.EditRole)
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.error_label.isVisibleTo(tab))
    assert "Two kinds are called" in tab.error_label.text()
    qtbot.waitUntil(lambda: tab.save_button.isEnabled())
    assert row_of(tab, "meeting") >= 0 and "Demo" in [k.name for k in list_kinds()]


def test_removing_a_used_kind_switches_it_off_ctrl_z_and_revert_undo_edits(
        qtbot, tab, manager):
    log_activity(ActivityDraft(manager.id, "Travel", DAY, Decimal("2")), manager, today=DAY)
    tab.revert()
    qtbot.waitUntil(lambda: tab.model.kind(row_of(tab, "Travel")).uses == 1)
    tab.view.selectRow(row_of(tab, "Travel"))
    qtbot.mouseClick(tab.remove_button, Qt.MouseButton.LeftButton)
    assert not tab.model.kind(row_of(tab, "Travel")).active  # kept, no longer offered
    tab.view.selectRow(row_of(tab, "Networking"))  # unused: goes
    qtbot.mouseClick(tab.remove_button, Qt.MouseButton.LeftButton)
    assert row_of(tab, "Networking") == -1
    tab.view.setFocus()
    qtbot.keySequence(tab.view, QKeySequence.StandardKey.Undo)
    assert row_of(tab, "Networking") >= 0
    qtbot.mouseClick(tab.revert_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.model.kind(row_of(tab, "Travel")).active)
    assert not tab.undo_stack.canUndo()

    tab.view.selectRow(row_of(tab, "Travel"))
    qtbot.mouseClick(tab.remove_button, Qt.MouseButton.LeftButton)
    save(qtbot, tab)
    assert "Travel" not in [k.name for k in list_kinds()]
    assert "Travel" in [k.name for k in list_kinds(include_inactive=True)]


def test_add_and_move_within_the_category_then_save(qtbot, tab):
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    row = row_of(tab, "New kind")
    assert tab.model.kind(row).category == "other"
    first_other = next(r for r in range(tab.model.rowCount())
                       if tab.model.kind(r).category == "other")
    while tab.up_button.isEnabled():
        qtbot.mouseClick(tab.up_button, Qt.MouseButton.LeftButton)
    assert row_of(tab, "New kind") == first_other  # stopped at its category's top
    save(qtbot, tab)
    others = [k.name for k in list_kinds() if k.category == "other"]
    assert others[0] == "New kind"


def test_a_rep_sees_a_read_only_banner_and_disabled_buttons(qtbot, workspace, manager, rep,
                                                            qsettings_isolated):
    from ui.context import UiContext

    context = UiContext(workspace, rep)
    widget = ActivityKindsTab(context)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 12)
    assert widget.read_only_note.isVisibleTo(widget)
    assert "Only a manager can change activity kinds; Ravi Rep is a rep" in \
        widget.read_only_note.text()
    assert not widget.model.flags(widget.model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    widget.view.selectRow(0)
    for button in (widget.add_button, widget.remove_button, widget.up_button,
                   widget.down_button):
        assert not button.isEnabled()
    assert not widget.save_button.isVisibleTo(widget)

    context.set_actor(manager)  # Switch user: the tab follows
    assert not widget.read_only_note.isVisibleTo(widget)
    assert widget.add_button.isEnabled() and widget.save_button.isVisibleTo(widget)
    context.set_actor(rep)
    assert widget.read_only_note.isVisibleTo(widget) and not widget.add_button.isEnabled()
    context.runner.wait()
