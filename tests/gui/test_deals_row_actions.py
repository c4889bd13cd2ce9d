"""The deals table's row menu and keys (open, move, won/lost, edit in place, log hours,
delete with undo), its column chooser, and its lost-reason column."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox

from app.deal_table import COLUMNS
from app.deals import DealDraft, create_deal, get_deal
from app.errors import NotFound
from ui.activities.quick_log import QuickLogDialog
from ui.deals.columns import SETTING, TITLE_ROOM
from ui.deals.view import DealsView
from ui.gate_dialog import GateAnswer, GateDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def deals(stages, manager, rep):
    return {title: create_deal(DealDraft(
        title=title, company=company, stage_id=stages[stage].id, owner_id=rep.id,
        value=Decimal(value)), manager).id
        for title, company, stage, value in (("Pilot", "Acme", "Sales-ready lead", "5000"),
                                             ("Renewal", "Globex", "Qualified", "12000"))}


@pytest.fixture
def view(qtbot, ui_context, deals):
    widget = DealsView(ui_context)
    qtbot.addWidget(widget)
    widget.resize(1600, 600)
    with qtbot.waitSignal(widget.model.sig_rows_ready):
        widget.show()
    qtbot.waitExposed(widget)
    return widget


def cell(view: DealsView, deal_id: int, column: str):
    return view.model.index(view.model.row_of(deal_id), COLUMNS.index(column))


def menu_action(view: DealsView, deal_id: int, text: str):
    menu = view.row_actions.build_menu(cell(view, deal_id, "title"))
    found = {a.text(): a for a in menu.actions()}
    for action in menu.actions():
        if action.menu() is not None:
            found.update({f"{action.text()}/{a.text()}": a for a in action.menu().actions()})
    return found[text]


def test_the_row_menu_offers_what_a_user_does_to_a_deal(view, deals):
    menu = view.row_actions.build_menu(cell(view, deals["Pilot"], "title"))
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["Open", "Move to stage", "Mark won", "Mark lost…", "Change stage here",
                     "Change owner here", "Log hours on this deal…", "Delete"]
    current = menu_action(view, deals["Pilot"], "Move to stage/Sales-ready lead")
    assert current.isChecked() and not current.isEnabled()


def test_mark_lost_asks_the_reason_and_the_column_shows_it(qtbot, view, deals, stages,
                                                           monkeypatch):
    monkeypatch.setattr(GateDialog, "ask", classmethod(
        lambda _cls, _parent, _context, _gate: GateAnswer(lost_reason="Chose a rival")))
    menu_action(view, deals["Pilot"], "Mark lost…").trigger()
    qtbot.waitUntil(lambda: cell(view, deals["Pilot"], "lost_reason").data() == "Chose a rival")
    assert get_deal(deals["Pilot"]).stage_id == stages["Lost"].id
    assert cell(view, deals["Pilot"], "stage").data() == "Lost"


def test_move_to_stage_from_the_menu_goes_through_the_gate(qtbot, view, deals, stages,
                                                            monkeypatch):
    asked = []
    monkeypatch.setattr(GateDialog, "ask", classmethod(
        lambda _cls, _parent, _context, gate: asked.append(gate.stage.id) or None))  # cancel
    menu_action(view, deals["Pilot"], "Move to stage/Proposal").trigger()
    qtbot.waitUntil(lambda: asked == [stages["Proposal"].id])
    view.context.runner.wait()
    assert get_deal(deals["Pilot"]).stage_id == stages["Sales-ready lead"].id


def test_delete_from_the_menu_and_undo_brings_the_deal_back(qtbot, view, deals):
    menu_action(view, deals["Renewal"], "Delete").trigger()
    qtbot.waitUntil(lambda: view.model.row_of(deals["Renewal"]) < 0)
    with pytest.raises(NotFound):
        get_deal(deals["Renewal"])
    assert view.context.undo_stack.undoText() == "Delete “Renewal”"
    view.context.undo_stack.undo()
    qtbot.waitUntil(lambda: view.model.row_of(deals["Renewal"]) >= 0)
    assert get_deal(deals["Renewal"]).value == Decimal("12000.00")


def test_the_delete_key_deletes_the_current_row(qtbot, view, deals):
    view.table.setCurrentIndex(cell(view, deals["Pilot"], "company"))
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: view.model.row_of(deals["Pilot"]) < 0)


def test_f2_on_any_column_edits_the_stage_in_place(qtbot, view, deals):
    view.table.setCurrentIndex(cell(view, deals["Pilot"], "title"))
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_F2)
    editors = view.table.viewport().findChildren(QComboBox)
    assert len(editors) == 1 and editors[0].currentText() == "Sales-ready lead"
    assert view.table.currentIndex().column() == COLUMNS.index("stage")


def test_change_owner_here_opens_the_owner_editor(view, deals, rep):
    menu_action(view, deals["Pilot"], "Change owner here").trigger()
    editors = view.table.viewport().findChildren(QComboBox)
    assert len(editors) == 1 and editors[0].currentText() == rep.name


def test_log_hours_on_this_deal_opens_the_quick_log_on_it(view, deals, monkeypatch):
    opened = []
    monkeypatch.setattr(QuickLogDialog, "ask", classmethod(
        lambda cls, parent, context, **kwargs: opened.append(cls(context, parent, **kwargs))
        or opened[-1]))
    menu_action(view, deals["Renewal"], "Log hours on this deal…").trigger()
    dialog = opened[0]
    assert dialog.deal_id == deals["Renewal"]
    assert "Renewal" in dialog.deal_edit.text() and "Globex" in dialog.deal_edit.text()
    dialog.deleteLater()


def test_narrow_pages_leave_out_source_and_lost_reason_until_the_user_chooses(qtbot, view):
    source = COLUMNS.index("source")
    assert not view.table.isColumnHidden(source)  # 1600 px: room for everything
    view.resize(900, 600)
    qtbot.waitUntil(lambda: view.table.isColumnHidden(source))
    assert view.table.isColumnHidden(COLUMNS.index("lost_reason"))
    menu = view.columns.build_menu()
    shown = {a.text(): a for a in menu.actions() if a.isCheckable()}
    shown["Source"].setChecked(True)  # the user's choice stands at any width
    assert not view.table.isColumnHidden(source)
    kept = str(QSettings().value(SETTING)).split(",")
    assert "lost_reason" in kept and "source" not in kept
    view.resize(700, 600)
    qtbot.waitUntil(lambda: view.table.viewport().width() < 700)
    assert not view.table.isColumnHidden(source)


def test_the_title_gets_the_room_and_last_change_stays_narrow(qtbot, view):
    view.resize(1080, 600)  # the Deals page of a 1280-pixel window
    qtbot.waitUntil(lambda: view.table.viewport().width() < 1080)
    assert view.table.columnWidth(COLUMNS.index("title")) >= TITLE_ROOM
    assert view.table.columnWidth(COLUMNS.index("updated_at")) <= 110


def test_the_lost_reason_shows_when_lost_deals_are_listed_on_a_narrow_page(qtbot, view, deals,
                                                                          stages, manager):
    from app.pipeline import move_deal

    move_deal(deals["Pilot"], stages["Lost"].id, manager, lost_reason="No budget")
    view.resize(900, 600)
    qtbot.waitUntil(lambda: view.table.isColumnHidden(COLUMNS.index("source")))
    with qtbot.waitSignal(view.model.sig_rows_ready):
        view.stage_combo.setCurrentIndex(view.stage_combo.findData(stages["Lost"].id))
    assert not view.table.isColumnHidden(COLUMNS.index("lost_reason"))
    assert view.table.isColumnHidden(COLUMNS.index("next_step_due"))  # empty for these
    assert cell(view, deals["Pilot"], "lost_reason").data() == "No budget"
