"""Settings → Stages driven through real widgets: edit, reorder, delete, undo, save."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QColor, QKeySequence, QUndoStack
from PySide6.QtWidgets import QLabel, QLineEdit

from app.board import load_board
from app.deals import DealDraft, create_deal, get_deal
from app.stage_admin import load_pipeline
from db.models import ChecklistCheck, ChecklistItem, Stage, StageChange
from ui.settings.stages_model import ChecklistModel, StageListModel
from ui.settings.stages_tab import ColourDialog, MoveDealsDialog, StagesTab, UnmetCriteriaDialog
from ui.theme import SUCCESS

pytestmark = pytest.mark.gui


@pytest.fixture
def tab(qtbot, ui_context):
    widget = StagesTab(ui_context)
    qtbot.addWidget(widget)
    widget.resize(1100, 600)
    widget.show()
    qtbot.waitUntil(lambda: widget.loaded)
    return widget


def _row(tab, name):
    return [s.name for s in tab.stage_model.stages].index(name)


def _save(qtbot, tab):
    with qtbot.waitSignal(tab.context.bus.sig_changed, timeout=10_000):
        qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.undo_stack.isClean())  # the saved pipeline is reloaded


def _by_name(drafts):
    return {d.name: d for d in drafts}


def _reload_counts(qtbot, tab) -> None:
    """Revert (reload on the worker) to pick up a deal made in Qualified by the test."""
    tab.revert()
    qtbot.waitUntil(lambda: tab.stage_model.deals_in(
        tab.stage_model.stages[_row(tab, "Qualified")]) == 1)


def _stored_names():
    return [s.name for s in load_pipeline()]


def test_models_pass_the_model_tester(qtmodeltester, ui_context):
    stack = QUndoStack()
    stages = StageListModel(stack)
    stages.load(load_pipeline(), {})
    qtmodeltester.check(stages)
    checklist = ChecklistModel(stack, lambda _stage: None)
    checklist.show_stage(stages.stages[2])
    qtmodeltester.check(checklist)


def test_edit_a_stage_and_save(qtbot, tab):
    row = _row(tab, "Proposal")
    index = tab.stage_model.index(row, 0)
    tab.stage_view.setCurrentIndex(index)
    tab.stage_view.edit(index)
    editor = tab.stage_view.viewport().findChild(QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "Proposal sent")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next loop turn
    qtbot.waitUntil(lambda: tab.stage_model.stages[row].name == "Proposal sent")
    tab.stage_model.setData(tab.stage_model.index(row, 3), 70)
    assert tab.save_button.isEnabled() and tab.dirty_label.text() == "Unsaved changes"
    assert "Proposal" in _stored_names()  # staged, not saved yet
    _save(qtbot, tab)
    stored = Stage.get(Stage.name == "Proposal sent")
    assert stored.probability == 70
    assert not tab.save_button.isEnabled()


def test_ctrl_z_undoes_unsaved_edits_and_revert_discards(qtbot, tab):
    row = _row(tab, "Qualified")
    tab.stage_model.setData(tab.stage_model.index(row, 0), "Discovery")
    tab.stage_model.setData(tab.stage_model.index(row, 4), 30)
    tab.stage_view.setFocus()
    qtbot.keySequence(tab.stage_view, QKeySequence.StandardKey.Undo)
    assert tab.stage_model.stages[row].rot_days == 21
    assert tab.stage_model.stages[row].name == "Discovery"
    qtbot.mouseClick(tab.revert_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.stage_model.stages[row].name == "Qualified")
    assert not tab.undo_stack.canUndo()


def test_drag_reorder_persists(qtbot, tab):
    model = tab.stage_model
    source = _row(tab, "Nurturing")
    data = model.mimeData([model.index(source, 0)])
    model.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert [s.name for s in model.stages][:2] == ["Nurturing", "Suspect"]
    _save(qtbot, tab)
    assert _stored_names()[:2] == ["Nurturing", "Suspect"]


def test_checklist_edit_add_reorder_and_undo(qtbot, tab):
    tab.select_stage_row(_row(tab, "Proposal"))
    checklist = tab.checklist_model
    assert [i.text for i in checklist.stage.checklist] == ["Timeline agreed",
                                                           "Expected outcomes agreed"]
    qtbot.mouseClick(tab.add_item, Qt.MouseButton.LeftButton)
    editor = tab.checklist_view.viewport().findChild(QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, "Budget holder signed off")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: checklist.stage.checklist[-1].text == "Budget holder signed off")
    checklist.setData(checklist.index(2, 1), Qt.CheckState.Unchecked.value,
                      Qt.ItemDataRole.CheckStateRole)
    data = checklist.mimeData([checklist.index(2, 0)])
    checklist.dropMimeData(data, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert checklist.stage.checklist[0].text == "Budget holder signed off"
    # Undo while another stage is shown: the editor jumps back to Proposal's checklist.
    tab.select_stage_row(0)
    tab.undo_stack.undo()
    assert checklist.stage.name == "Proposal"
    assert [i.text for i in checklist.stage.checklist][-1] == "Budget holder signed off"
    tab.undo_stack.redo()
    _save(qtbot, tab)
    proposal = next(s for s in load_pipeline() if s.name == "Proposal")
    first = proposal.checklist[0]
    assert (first.text, first.required) == ("Budget holder signed off", False)


def test_delete_a_stage_with_deals_asks_where_and_records_the_moves(
    qtbot, tab, monkeypatch, manager, stages
):
    deal = create_deal(DealDraft("Acme", stage_id=stages["Qualified"].id), manager)
    _reload_counts(qtbot, tab)
    asked = []

    def fake_ask(parent, name, count, choices):
        asked.append((name, count))
        return "Solution fit & demo"

    monkeypatch.setattr(MoveDealsDialog, "ask", fake_ask)
    tab.select_stage_row(_row(tab, "Qualified"))
    qtbot.mouseClick(tab.delete_stage, Qt.MouseButton.LeftButton)
    assert asked == [("Qualified", 1)]
    assert "Qualified" not in [s.name for s in tab.stage_model.stages]
    _save(qtbot, tab)
    assert get_deal(deal.id).stage_id == stages["Solution fit & demo"].id
    last = StageChange.select().where(StageChange.deal == deal.id).order_by(
        StageChange.id.desc()).first()
    assert last.override_reason == "Stage Qualified deleted"


def test_cancelling_the_destination_keeps_the_stage(qtbot, tab, monkeypatch, manager, stages):
    create_deal(DealDraft("Acme", stage_id=stages["Qualified"].id), manager)
    _reload_counts(qtbot, tab)
    monkeypatch.setattr(MoveDealsDialog, "ask", lambda *args: None)
    tab.select_stage_row(_row(tab, "Qualified"))
    qtbot.mouseClick(tab.delete_stage, Qt.MouseButton.LeftButton)
    assert "Qualified" in [s.name for s in tab.stage_model.stages]


def test_won_stage_cannot_be_deleted(qtbot, tab):
    tab.select_stage_row(_row(tab, "Won"))
    assert not tab.delete_stage.isEnabled()
    assert "cannot be removed" in tab.delete_stage.toolTip()


def test_a_save_error_is_shown_and_nothing_changes(qtbot, tab):
    tab.stage_model.setData(tab.stage_model.index(_row(tab, "Negotiation"), 2), "won")
    tab.save()
    qtbot.waitUntil(lambda: "exactly one won stage" in tab.error_label.text(), timeout=10_000)
    qtbot.waitUntil(lambda: not tab._saving)
    assert tab.error_label.isVisible()
    assert Stage.get(Stage.name == "Negotiation").outcome == "open"
    assert tab.save_button.isEnabled()


def test_a_rep_sees_it_read_only(qtbot, ui_context, rep):
    ui_context.actor = rep
    widget = StagesTab(ui_context)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.loaded)
    assert widget.read_only_note.isVisibleTo(widget)
    assert "Only a manager" in widget.read_only_note.text()
    assert not widget.save_button.isVisibleTo(widget)
    index = widget.stage_model.index(0, 0)
    assert not widget.stage_model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert not widget.stage_model.setData(index, "Cold")


def _add_required_criterion_to(qtbot, tab, stage: str, text: str) -> None:
    """Select ``stage``, click "Add criterion" (required by default), type its text."""
    tab.select_stage_row(_row(tab, stage))
    qtbot.mouseClick(tab.add_item, Qt.MouseButton.LeftButton)
    editor = tab.checklist_view.viewport().findChild(QLineEdit)
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tab.checklist_model.stage.checklist[-1].text == text)


def _prompt(qtbot, tab) -> UnmetCriteriaDialog:
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.findChild(UnmetCriteriaDialog) is not None, timeout=10_000)
    dialog = tab.findChild(UnmetCriteriaDialog)
    qtbot.waitExposed(dialog)
    return dialog


def _proposal_deals(manager, stages, count: int) -> list[int]:
    return [create_deal(DealDraft(f"Deal {n}", stage_id=stages["Proposal"].id), manager).id
            for n in range(count)]


def _checks_of(text: str):
    return list(ChecklistCheck.select().join(ChecklistItem).where(ChecklistItem.text == text))


def test_a_new_required_criterion_asks_and_leaving_flags_the_deals(qtbot, tab, manager,
                                                                   stages):
    deal_ids = _proposal_deals(manager, stages, 3)
    _add_required_criterion_to(qtbot, tab, "Proposal", "Legal contact named")
    dialog = _prompt(qtbot, tab)
    text = dialog.findChild(QLabel).text()
    assert "“Legal contact named” is now required to enter Proposal, but 3 deals already " \
        "there have not met it" in text
    assert not _checks_of("Legal contact named")  # nothing written while asking

    with qtbot.waitSignal(tab.context.bus.sig_changed, timeout=10_000):
        qtbot.mouseClick(dialog.leave_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.undo_stack.isClean() and tab.dirty_label.text() == "Saved")
    assert "Legal contact named" in [i.text for i in _by_name(load_pipeline())[
        "Proposal"].checklist]
    assert not _checks_of("Legal contact named")
    cards = {c.id: c for col in load_board().columns for c in col.cards}
    assert all(not cards[d].meets_checklist for d in deal_ids)  # flagged on the board


def test_a_new_required_criterion_can_be_ticked_for_the_deals_by_the_manager(
        qtbot, tab, manager, stages):
    deal_ids = _proposal_deals(manager, stages, 2)
    _add_required_criterion_to(qtbot, tab, "Proposal", "Legal contact named")
    dialog = _prompt(qtbot, tab)
    with qtbot.waitSignal(tab.context.bus.sig_changed, timeout=10_000):
        qtbot.mouseClick(dialog.tick_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.undo_stack.isClean())
    assert "ticked for 2 deal(s)" in tab.dirty_label.text()
    checks = _checks_of("Legal contact named")
    assert sorted(c.deal_id for c in checks) == sorted(deal_ids)
    assert {c.checked_by_id for c in checks} == {manager.id}


def test_cancelling_the_prompt_saves_nothing_and_keeps_the_edit(qtbot, tab, manager, stages):
    _proposal_deals(manager, stages, 1)
    _add_required_criterion_to(qtbot, tab, "Proposal", "Legal contact named")
    dialog = _prompt(qtbot, tab)
    dialog.reject()
    qtbot.waitUntil(lambda: tab.save_button.isEnabled())
    assert not tab.undo_stack.isClean() and tab.dirty_label.text() == "Unsaved changes"
    assert "Legal contact named" not in [i.text for i in _by_name(load_pipeline())[
        "Proposal"].checklist]


def test_a_criterion_for_a_stage_without_deals_saves_without_asking(qtbot, tab):
    _add_required_criterion_to(qtbot, tab, "Negotiation", "Signatory named")
    _save(qtbot, tab)
    assert tab.findChild(UnmetCriteriaDialog) is None
    assert "Signatory named" in [i.text for i in _by_name(load_pipeline())[
        "Negotiation"].checklist]


def test_swatches_show_each_stages_colour_and_the_dialog_starts_on_it(qtbot, tab,
                                                                      monkeypatch):
    model = tab.stage_model
    swatches = [model.index(r, 0).data(Qt.ItemDataRole.DecorationRole).name()
                for r in range(model.rowCount())]
    assert len(set(swatches)) == len(swatches)  # no longer all one grey
    won = _row(tab, "Won")
    assert swatches[won] == SUCCESS.name()

    offered = []
    monkeypatch.setattr(ColourDialog, "ask", staticmethod(
        lambda parent, current, title: offered.append(current.name()) or QColor("#123456")))
    proposal = _row(tab, "Proposal")
    tab.select_stage_row(proposal)
    qtbot.mouseClick(tab.colour_button, Qt.MouseButton.LeftButton)
    assert offered == [swatches[proposal]]  # the stage's own colour, not the accent
    assert model.index(proposal, 0).data(Qt.ItemDataRole.DecorationRole).name() == "#123456"
    qtbot.mouseClick(tab.colour_button, Qt.MouseButton.LeftButton)
    assert offered[-1] == "#123456"
