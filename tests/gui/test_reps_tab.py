"""Settings → Reps driven through real widgets: add, edit, deactivate, undo, read-only."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from app.deals import DealDraft, create_deal
from app.rep_admin import list_rep_rows
from app.users import get_rep, list_reps
from db.models import Rep
from ui.settings.reps_model import RepsModel
from ui.settings.reps_tab import RepsTab

pytestmark = pytest.mark.gui


@pytest.fixture
def tab(qtbot, ui_context):
    widget = RepsTab(ui_context)
    qtbot.addWidget(widget)
    widget.resize(1000, 500)
    widget.show()
    qtbot.waitUntil(lambda: bool(widget.model.rows))  # read on the worker
    return widget


def _reload(qtbot, tab):
    """Read the team again (as after a change elsewhere) and wait for it."""
    before = tab.model.rows
    tab.reload()
    qtbot.waitUntil(lambda: tab.model.rows is not before)


def _row(tab, name):
    return next(i for i, r in enumerate(tab.model.rows) if r.rep.name == name)


def test_model_passes_the_model_tester(qtmodeltester, rep):
    model = RepsModel(lambda _id, _changes: True)
    model.load(list_rep_rows())
    qtmodeltester.check(model)


def test_add_a_rep_from_the_form_and_undo(qtbot, tab):
    qtbot.keyClicks(tab.name_edit, "Nina North")
    qtbot.keyClicks(tab.email_edit, "nina@example.com")
    tab.hours_spin.setValue(32)
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Nina North" in [r.rep.name for r in tab.model.rows])
    added = next(r for r in list_reps() if r.name == "Nina North")
    assert added.weekly_capacity_hours == Decimal(32)
    assert tab.name_edit.text() == ""
    tab.context.undo_stack.undo()
    qtbot.waitUntil(lambda: "Nina North" not in [r.rep.name for r in tab.model.rows])
    assert "Nina North" not in [r.name for r in list_reps(include_inactive=True)]


def test_a_bad_name_shows_why_and_adds_nothing(qtbot, tab):
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "needs a name" in tab.status.text())
    assert len(tab.model.rows) == 1


def test_edit_capacity_in_the_table_and_undo(qtbot, tab, rep):
    _reload(qtbot, tab)
    index = tab.model.index(_row(tab, "Ravi Rep"), 3)
    assert tab.model.setData(index, 30.5)
    qtbot.waitUntil(lambda: tab.model.data(index) == "30.5 h")
    assert get_rep(rep.id).weekly_capacity_hours == Decimal("30.5")
    tab.context.undo_stack.undo()
    qtbot.waitUntil(lambda: get_rep(rep.id).weekly_capacity_hours == Decimal(40))
    tab.context.undo_stack.redo()
    qtbot.waitUntil(lambda: get_rep(rep.id).weekly_capacity_hours == Decimal("30.5"))


def test_a_rejected_edit_keeps_the_old_value(qtbot, tab, rep):
    _reload(qtbot, tab)
    index = tab.model.index(_row(tab, "Ravi Rep"), 1)
    tab.model.setData(index, "not an email")
    qtbot.waitUntil(lambda: "not an email address" in tab.status.text())
    assert tab.model.data(index) == "ravi@example.com"


def test_removing_a_rep_with_deals_deactivates_them(qtbot, tab, rep, manager, stages):
    create_deal(DealDraft("Acme", owner_id=rep.id, stage_id=stages["Qualified"].id), manager)
    _reload(qtbot, tab)
    tab.view.selectRow(_row(tab, "Ravi Rep"))
    qtbot.mouseClick(tab.remove_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "deactivated" in tab.status.text())
    assert Rep.get_by_id(rep.id).active is False
    qtbot.waitUntil(
        lambda: tab.model.data(tab.model.index(_row(tab, "Ravi Rep"), 4)) == "Inactive")
    assert tab.model.rows[_row(tab, "Ravi Rep")].open_deals == 1
    tab.context.undo_stack.undo()
    qtbot.waitUntil(lambda: Rep.get_by_id(rep.id).active is True)


def test_a_rep_sees_the_team_read_only(qtbot, ui_context, rep):
    ui_context.actor = rep
    widget = RepsTab(ui_context)
    qtbot.addWidget(widget)
    assert not widget.form.isVisibleTo(widget)
    assert "Only a manager" in widget.read_only_note.text()
    qtbot.waitUntil(lambda: bool(widget.model.rows))
    index = widget.model.index(0, 0)
    assert not widget.model.flags(index) & Qt.ItemFlag.ItemIsEditable
