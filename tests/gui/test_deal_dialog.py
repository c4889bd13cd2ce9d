"""The deal dialog: fields saved through the app, inline errors, conflicts, checklist
ticks, history, and New deal (Ctrl+N) wired by its installer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication

from app.deal_detail import load_deal_form
from app.deals import DealDraft, create_deal, get_deal, update_deal
from app.pipeline import move_deal
from app.rep_admin import update_rep
from db.models import ChecklistCheck, ChecklistItem, Deal
from ui.deal_actions import install_new_deal
from ui.deals.dialog import DealDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def deal(stages, manager):
    made = create_deal(DealDraft(title="Pilot", company="Acme", value=Decimal("5000"),
                                 stage_id=stages["Sales-ready lead"].id), manager)
    move_deal(made.id, stages["Qualified"].id, manager, override_reason="Known buyer")
    return get_deal(made.id)


@pytest.fixture
def dialog(qtbot, ui_context, deal, rep):
    widget = DealDialog(None, ui_context, load_deal_form(deal.id))
    qtbot.addWidget(widget)
    return widget


def save(qtbot, dialog: DealDialog) -> bool:
    """Press Save and wait for the worker; True when the deal was saved."""
    outcome: list[bool] = []
    dialog.sig_saved.connect(lambda _deal: outcome.append(True))
    dialog.sig_save_failed.connect(lambda _error: outcome.append(False))
    task = dialog.save()
    assert task is not None
    with qtbot.waitSignal(task.task.sig_finished):  # the operation's task
        pass
    return outcome[-1]


def tick(dialog: DealDialog, stage: str, row: int = 0, checked: bool = True) -> int | None:
    """Tick (or untick) the ``row``th item of ``stage`` on the Checklist tab; returns the item
    id when this made it a change to save."""
    model = dialog.checklist_model
    group = next(r for r in range(model.rowCount())
                 if model.index(r, 0).data().startswith(stage))
    before = set(model.changes())
    state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
    assert model.setData(model.index(row, 0, model.index(group, 0)), state,
                         Qt.ItemDataRole.CheckStateRole)
    return next(iter(set(model.changes()) - before), None)


def test_its_models_pass_the_model_tester(dialog, qtmodeltester):
    qtmodeltester.check(dialog.checklist_model)
    qtmodeltester.check(dialog.history_model)
    qtmodeltester.check(dialog.activity_model)


def test_editing_fields_and_saving_updates_the_deal(qtbot, dialog, deal, rep):
    dialog.inputs["company"].setText("Acme Industries")
    dialog.inputs["value"].setText("12,500.50")
    dialog.inputs["owner_id"].setCurrentIndex(dialog.inputs["owner_id"].findData(rep.id))
    dialog.inputs["expected_close"].setDate(QDate(2026, 12, 15))
    dialog.inputs["notes"].setPlainText("Wants a pilot first")
    assert not dialog.read_only_note.isVisibleTo(dialog)  # not a working copy
    assert save(qtbot, dialog)
    saved = get_deal(deal.id)
    assert (saved.company, saved.value, saved.owner_id) == (
        "Acme Industries", Decimal("12500.50"), rep.id)
    assert saved.expected_close == date(2026, 12, 15)
    assert saved.notes == "Wants a pilot first"


def test_a_bad_email_is_shown_at_the_field_and_nothing_is_saved(qtbot, dialog, deal):
    dialog.inputs["contact_email"].setText("not an address")
    assert not save(qtbot, dialog)
    error = dialog.errors["contact_email"]
    assert not error.isHidden() and "not an email address" in error.text()
    assert get_deal(deal.id) == deal


def test_leaving_a_bad_value_marks_it_at_once(dialog, deal):
    dialog.inputs["value"].setText("lots")
    dialog.inputs["value"].editingFinished.emit()
    assert "'lots' is not an amount" in dialog.errors["value"].text()
    dialog.inputs["value"].setText("1e5")  # Python reads it; a person does not mean it
    assert dialog.save() is None and "'1e5' is not an amount" in dialog.errors["value"].text()
    assert get_deal(deal.id) == deal
    dialog.inputs["value"].setText("10")
    dialog.inputs["value"].editingFinished.emit()
    assert dialog.errors["value"].isHidden()


def test_a_change_made_meanwhile_is_reported_not_overwritten(qtbot, dialog, deal, manager):
    update_deal(deal.id, {"title": "Pilot (renamed elsewhere)"}, deal.version, manager)
    dialog.inputs["company"].setText("Mine")
    assert not save(qtbot, dialog)
    assert "changed by someone else" in dialog.banner.text()
    assert get_deal(deal.id).company == "Acme"


def test_ticking_the_checklist_is_saved_with_the_deal(qtbot, dialog, deal):
    model = dialog.checklist_model
    tick(dialog, "Qualified")
    stage_row = next(r for r in range(model.rowCount())
                     if model.index(r, 0).data().startswith("Qualified"))
    assert "(1/3)" in model.index(stage_row, 0).data()
    assert save(qtbot, dialog)
    assert ChecklistCheck.select().where(ChecklistCheck.deal == deal.id).count() == 1
    assert get_deal(deal.id).version > deal.version  # a tick alone is a change


def test_a_deal_owned_by_a_departed_rep_keeps_its_owner(qtbot, ui_context, deal, rep,
                                                        manager):
    update_deal(deal.id, {"owner_id": rep.id}, deal.version, manager)
    update_rep(rep.id, {"active": False}, manager)  # the rep left the team
    dialog = DealDialog(None, ui_context, load_deal_form(deal.id))
    qtbot.addWidget(dialog)
    assert dialog.inputs["owner_id"].currentText() == "Ravi Rep (inactive)"
    dialog.inputs["notes"].setPlainText("Handing over soon")
    assert save(qtbot, dialog)
    saved = get_deal(deal.id)
    assert (saved.owner_id, saved.notes) == (rep.id, "Handing over soon")


def test_a_failed_tick_saves_nothing_and_keeps_the_dialog_open(qtbot, ui_context, dialog,
                                                              deal):
    dialog.show()
    before = get_deal(deal.id)
    dialog.inputs["notes"].setPlainText("Mine")
    ChecklistItem.delete_by_id(tick(dialog, "Qualified"))  # a manager removed it meanwhile
    tick(dialog, "Qualified", 1)
    assert not save(qtbot, dialog)
    assert get_deal(deal.id) == before  # neither the notes nor the version moved
    assert not ChecklistCheck.select().where(ChecklistCheck.deal == deal.id).exists()
    assert dialog.isVisible() and "checklist item" in dialog.banner.text()
    assert "Nothing was saved" in dialog.banner.text() and dialog.save_button.isEnabled()


def test_ticks_alone_are_checked_against_the_version_opened(qtbot, dialog, deal, manager):
    update_deal(deal.id, {"company": "Acme (edited elsewhere)"}, deal.version, manager)
    tick(dialog, "Qualified")
    assert not save(qtbot, dialog)
    assert "changed by someone else" in dialog.banner.text()
    assert not ChecklistCheck.select().where(ChecklistCheck.deal == deal.id).exists()


def test_save_runs_on_the_worker_and_pressing_it_twice_makes_one_deal(qtbot, ui_context,
                                                                     stages):
    dialog = DealDialog(None, ui_context, load_deal_form(None))
    qtbot.addWidget(dialog)
    dialog.inputs["title"].setText("Fresh lead")
    first = dialog.save()
    assert first is not None and not dialog.save_button.isEnabled()
    assert dialog.save() is None  # the second press, while the first runs
    with qtbot.waitSignal(first.task.sig_finished):
        pass
    assert save(qtbot, dialog)  # the window saves the same deal again, never a new one
    assert Deal.select().where(Deal.title == "Fresh lead").count() == 1


def test_a_new_deal_whose_tick_fails_is_not_created(qtbot, ui_context, stages):
    dialog = DealDialog(None, ui_context, load_deal_form(None))
    qtbot.addWidget(dialog)
    dialog.inputs["title"].setText("Fresh lead")
    gone = tick(dialog, "Sales-ready lead")
    ChecklistItem.delete_by_id(gone)
    assert not save(qtbot, dialog)
    assert not Deal.select().where(Deal.title == "Fresh lead").exists()
    tick(dialog, "Sales-ready lead", checked=False)  # untick the vanished item: saves now
    assert save(qtbot, dialog)
    assert Deal.select().where(Deal.title == "Fresh lead").count() == 1


def test_the_history_shows_moves_with_the_override_reason(dialog):
    model = dialog.history_model
    newest = [model.index(0, c).data() for c in range(model.columnCount())]
    assert newest[1] == "Sales-ready lead → Qualified"
    assert newest[2] == "Maria Manager" and newest[3] == "Known buyer"
    assert model.index(1, 1).data() == "Created in Sales-ready lead"


def test_new_deal_is_wired_to_ctrl_n_and_creates_a_deal(qtbot, ui_context, stages, manager):
    from ui.main_window import MainWindow

    window = MainWindow(ui_context)
    qtbot.addWidget(window)
    action = window.actions_by_name["new_deal"]
    assert not action.isEnabled()
    install_new_deal(window)
    assert action.isEnabled() and action.shortcut().toString() == "Ctrl+N"
    action.trigger()
    action.trigger()  # pressed twice before the lists are read: one window opens

    def open_dialogs() -> list[DealDialog]:
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, DealDialog) and w.isVisible()]

    qtbot.waitUntil(lambda: bool(open_dialogs()))
    ui_context.runner.wait()
    qtbot.wait_until(lambda: not ui_context.runner.busy)
    assert len(open_dialogs()) == 1
    dialog = open_dialogs()[0]
    saved = []
    dialog.sig_saved.connect(saved.append)
    assert not save(qtbot, dialog)  # no title yet
    assert "needs a title" in dialog.errors["title"].text() and dialog.isVisible()
    dialog.inputs["title"].setText("Fresh lead")
    dialog.inputs["value"].setText("900")
    # Pressed on the board, it starts in Sales-ready lead: that stage's gate applies.
    assert not save(qtbot, dialog)
    assert "Before entering Sales-ready lead" in dialog.banner.text()
    assert dialog.tabs.currentIndex() == 1 and Deal.select().count() == 0
    # Its four required items, and Nurturing's one, skipped on the way (as a move would).
    for stage, row in (("Nurturing", 0), *(("Sales-ready lead", r) for r in range(4))):
        tick(dialog, stage, row)
    assert save(qtbot, dialog)
    created = get_deal(saved[0].id)
    # Pressed on the board: the first sales stage, owned by the acting user.
    assert created.title == "Fresh lead" and created.stage_id == stages["Sales-ready lead"].id
    assert created.owner_id == manager.id
    assert created.value == Decimal("900.00")


def test_new_deal_on_the_leads_page_starts_as_nobodys_marketing_lead(qtbot, ui_context, stages,
                                                                     monkeypatch):
    from ui.main_window import MainWindow

    opened = []
    monkeypatch.setattr(DealDialog, "show_new", classmethod(
        lambda cls, parent, context, **kwargs: opened.append(
            cls(parent, context, load_deal_form(None), **kwargs))))
    window = MainWindow(ui_context)
    qtbot.addWidget(window)
    install_new_deal(window)
    for section, stage, owner in (("leads", "Suspect", None),
                                  ("deals", "Sales-ready lead", ui_context.actor.id)):
        window.show_section(section)
        window.actions_by_name["new_deal"].trigger()
        dialog = opened[-1]
        assert dialog.stage_box.currentText() == stage
        assert dialog.inputs["owner_id"].currentData() == owner
        dialog.deleteLater()


# The offscreen platform cannot raise a popup or grab the keyboard; it says so, harmlessly.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing the keyboard)")
def test_an_empty_date_steps_to_today_not_to_1900(qtbot):
    from PySide6.QtCore import QDate, QPoint

    from ui.deals.dialog import NO_DATE, OptionalDateEdit

    edit = OptionalDateEdit()
    qtbot.addWidget(edit)
    assert edit.date() == NO_DATE and edit.text() == "No date"
    edit.show()
    arrow = QPoint(edit.width() - 6, edit.height() // 2)
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton, pos=arrow)  # open the calendar popup
    qtbot.waitUntil(edit.calendarWidget().isVisible)
    assert edit.calendarWidget().yearShown() == QDate.currentDate().year()
    qtbot.keyClick(edit.calendarWidget(), Qt.Key.Key_Escape)
    assert edit.date() == NO_DATE
    edit.stepBy(1)
    assert edit.date() == QDate.currentDate()


def test_closing_while_a_save_runs_waits_for_it(qtbot, ui_context, stages):
    dialog = DealDialog(None, ui_context, load_deal_form(None))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.inputs["title"].setText("Closing too fast")
    task = dialog.save()
    dialog.reject()  # Cancel / Esc while the worker writes
    assert dialog.isVisible() and "Saving" in dialog.banner.text()
    with qtbot.waitSignal(dialog.sig_saved, timeout=5000):
        pass
    assert task is not None and not dialog.isVisible()  # closed once the deal was saved
    assert Deal.select().where(Deal.title == "Closing too fast").count() == 1


# ------------------------------------------------------------ the deal's own actions
@pytest.fixture
def shown(qtbot, ui_context, deal, rep):
    """The dialog of ``deal`` (5,000, in Qualified), on screen as a user sees it."""
    widget = DealDialog(None, ui_context, load_deal_form(deal.id))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_the_value_shows_in_digit_groups_and_stays_editable(qtbot, shown, deal):
    from ui.deals.dialog import amount_text

    assert shown.inputs["value"].text() == amount_text(Decimal("5000")) == "5,000"
    assert amount_text(Decimal("12500.5")) == "12,500.5"
    shown.inputs["value"].setText("85000")
    shown.inputs["value"].editingFinished.emit()
    assert shown.inputs["value"].text() == "85,000"
    assert save(qtbot, shown)
    assert get_deal(deal.id).value == Decimal("85000.00")


def test_an_unchanged_grouped_value_is_not_written_back(qtbot, shown, deal):
    shown.inputs["next_step"].setText("Call")
    assert save(qtbot, shown)
    assert get_deal(deal.id).value == Decimal("5000.00")


def test_a_past_expected_close_is_flagged_in_words_and_colour(qtbot, shown):
    edit = shown.inputs["expected_close"]
    past = QDate.currentDate().addDays(-12)
    edit.setDate(past)
    assert shown.close_note.isVisible()
    assert "passed 12 days ago" in shown.close_note.text()
    assert "passed 12 days ago" in edit.toolTip()
    assert "color" in edit.styleSheet()
    edit.setDate(QDate.currentDate().addDays(3))
    assert not shown.close_note.isVisible() and edit.toolTip() == ""


def test_a_closed_deal_is_not_flagged_for_its_old_close_date(qtbot, ui_context, deal, stages,
                                                            manager):
    update_deal(deal.id, {"expected_close": date(2020, 1, 31)}, deal.version, manager)
    move_deal(deal.id, stages["Lost"].id, manager, lost_reason="No budget")
    dialog = DealDialog(None, ui_context, load_deal_form(deal.id))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.close_note.isVisible()


def answer_gate(monkeypatch, **answer):
    from ui.gate_dialog import GateAnswer, GateDialog

    asked = []

    def ask(_cls, _parent, _context, gate):
        asked.append(gate.stage.id)
        return GateAnswer(ticked=tuple(m.id for m in gate.missing), **answer)

    monkeypatch.setattr(GateDialog, "ask", classmethod(ask))
    return asked


def test_choosing_a_stage_moves_through_the_gate_and_a_later_save_still_works(
        qtbot, shown, deal, stages, monkeypatch):
    asked = answer_gate(monkeypatch)
    shown.inputs["next_step"].setText("Send the proposal")  # an unsaved edit
    box = shown.stage_box
    box.setCurrentIndex(box.findData(stages["Proposal"].id))
    box.activated.emit(box.currentIndex())
    qtbot.waitUntil(lambda: shown.detail.stage.id == stages["Proposal"].id)
    qtbot.waitUntil(lambda: box.isEnabled())
    assert asked == [stages["Proposal"].id]
    assert shown.inputs["next_step"].text() == "Send the proposal"  # kept
    assert shown.history_model.rowCount() == 3
    assert save(qtbot, shown)  # against the version the move left, not refused
    saved = get_deal(deal.id)
    assert saved.stage_id == stages["Proposal"].id and saved.next_step == "Send the proposal"


def test_mark_lost_asks_the_reason_and_shows_it(qtbot, shown, deal, stages, monkeypatch):
    answer_gate(monkeypatch, lost_reason="Went with a rival")
    shown.action_buttons["lost"].click()
    qtbot.waitUntil(lambda: shown.detail.stage.outcome == "lost")
    qtbot.waitUntil(lambda: not shown.action_buttons["lost"].isEnabled()
                    and shown.action_buttons["won"].isEnabled())
    assert shown.inputs["lost_reason"].text() == "Went with a rival"
    assert shown.inputs["lost_reason"].isVisible()
    assert shown.stage_box.currentText() == "Lost"
    assert get_deal(deal.id).lost_reason == "Went with a rival"


def test_mark_won_cancelled_at_the_gate_changes_nothing(qtbot, shown, deal, stages,
                                                        monkeypatch):
    from ui.gate_dialog import GateDialog

    monkeypatch.setattr(GateDialog, "ask", classmethod(lambda *_args: None))
    shown.action_buttons["won"].click()
    qtbot.waitUntil(lambda: shown.action_buttons["won"].isEnabled())
    assert get_deal(deal.id).stage_id == stages["Qualified"].id
    assert shown.stage_box.currentText() == "Qualified"


def test_delete_closes_the_dialog_and_undo_brings_the_deal_back(qtbot, shown, deal):
    from app.errors import NotFound

    shown.action_buttons["delete"].click()
    qtbot.waitUntil(lambda: not shown.isVisible())
    with pytest.raises(NotFound):
        get_deal(deal.id)
    stack = shown.context.undo_stack
    assert stack.undoText() == "Delete “Pilot”"
    stack.undo()
    qtbot.waitUntil(lambda: Deal.select().where(Deal.id == deal.id).exists())
    assert get_deal(deal.id).title == "Pilot"


def test_undo_and_redo_after_the_dialog_is_gone_still_reach_the_user(
        qtbot, ui_context, deal, stages, manager):
    """The dialog deletes itself on close, so its undo outlives it: a deal made since (on
    SQLite it takes the deleted deal's id) does not stop the undo, redo deletes the deal
    brought back (not the new one), and a refusal lands in the main window's status bar."""
    from PySide6.QtWidgets import QWidget

    from app.deal_removal import delete_deal
    from app.errors import NotFound

    parent = QWidget()
    qtbot.addWidget(parent)
    DealDialog.show_existing(parent, ui_context, deal.id)
    qtbot.waitUntil(lambda: parent.findChild(DealDialog) is not None)
    dialog = parent.findChild(DealDialog)
    with qtbot.waitSignal(dialog.destroyed):
        dialog.action_buttons["delete"].click()
    another = create_deal(DealDraft(title="Another", stage_id=stages["Qualified"].id), manager)

    stack = ui_context.undo_stack
    stack.undo()
    qtbot.waitUntil(lambda: Deal.select().where(Deal.uuid == deal.uuid).exists())
    back = Deal.get(Deal.uuid == deal.uuid)
    assert back.title == "Pilot" and get_deal(another.id).title == "Another"

    stack.redo()
    qtbot.waitUntil(lambda: not Deal.select().where(Deal.uuid == deal.uuid).exists())
    assert get_deal(another.id).title == "Another"

    stack.undo()
    qtbot.waitUntil(lambda: Deal.select().where(Deal.uuid == deal.uuid).exists())
    delete_deal(Deal.get(Deal.uuid == deal.uuid).id, None, manager)  # someone else
    with qtbot.waitSignal(ui_context.bus.sig_failed) as failed:
        stack.redo()
    assert failed.args == ["That deal was already deleted."]
    with pytest.raises(NotFound):
        get_deal(back.id)


def test_log_hours_opens_the_quick_log_on_this_deal(shown, deal, monkeypatch):
    from ui.activities.quick_log import QuickLogDialog

    opened = []
    monkeypatch.setattr(QuickLogDialog, "ask", classmethod(
        lambda cls, parent, context, **kwargs: opened.append(cls(context, parent, **kwargs))
        or opened[-1]))
    shown.action_buttons["log"].click()
    assert opened[0].deal_id == deal.id and "Pilot" in opened[0].deal_edit.text()


def test_checklist_rows_have_room(shown):
    from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

    model, view = shown.checklist_model, shown.checklist_view
    item = model.index(0, 0, model.index(0, 0))
    plain = QStyledItemDelegate().sizeHint(QStyleOptionViewItem(), item).height()
    assert view.sizeHintForIndex(item).height() >= plain + 8


def test_opening_a_deal_reads_it_on_the_worker(qtbot, ui_context, deal, gui_thread_sql):
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    assert ui_context.settings.currency  # the session's settings, read once when it began
    gui_thread_sql.clear()
    DealDialog.show_existing(parent, ui_context, deal.id)
    assert parent.findChildren(DealDialog) == []  # nothing shown before the deal is read
    qtbot.waitUntil(lambda: bool(parent.findChildren(DealDialog)))
    assert gui_thread_sql == []
    dialog = parent.findChildren(DealDialog)[0]
    assert dialog.heading.text() == "Pilot" and dialog.inputs["company"].text() == "Acme"


@pytest.fixture
def copy_context(qtbot, manager, rep, stages, tmp_path):
    """A GUI session on Ravi's working copy: his deal exported, the copy opened from it."""
    from app.offline.export import export_update_workbook
    from app.offline.working_copy import open_working_copy
    from app.users import current_user
    from app.workspace import close_workspace
    from ui.context import UiContext

    create_deal(DealDraft(title="Pilot", company="Acme", owner_id=rep.id, value=Decimal("5000"),
                          stage_id=stages["Qualified"].id, next_step="Call Anna"), manager)
    workbook = export_update_workbook(tmp_path / "ravi.xlsx", "Ravi Rep").path
    close_workspace()
    opened = open_working_copy(workbook, folder=tmp_path / "copies")
    context = UiContext(opened.workspace, current_user())
    yield context
    context.runner.wait()


def test_in_a_working_copy_only_what_the_workbook_carries_can_be_edited(qtbot, copy_context):
    """The fields the workbook cannot carry back are shown read-only with the reason,
    rather than refused on Save; stage, value, expected close and next step stay editable
    and save."""
    from app.offline.copy_rules import READ_ONLY_DEAL_NOTE

    deal = Deal.get(Deal.title == "Pilot")
    dialog = DealDialog(None, copy_context, load_deal_form(deal.id))
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.read_only_note.isVisible()
    assert dialog.read_only_note.text() == READ_ONLY_DEAL_NOTE

    def held(widget) -> bool:
        return not widget.isEnabled() or getattr(widget, "isReadOnly", lambda: False)()

    assert {key for key, widget in dialog.inputs.items() if held(widget)} == {
        "title", "company", "contact_name", "contact_email", "contact_phone", "industry",
        "region", "company_size", "owner_id", "source_id", "lost_reason", "notes"}
    assert dialog.stage_box.isEnabled()
    assert dialog.inputs["notes"].toolTip() == READ_ONLY_DEAL_NOTE
    qtbot.keyClicks(dialog.inputs["title"], " renamed")
    qtbot.keyClicks(dialog.inputs["notes"], " and again")
    assert dialog.inputs["title"].text() == "Pilot"
    assert dialog.inputs["notes"].toPlainText() == ""

    dialog.inputs["value"].setText("7,500")
    dialog.inputs["next_step"].clear()
    qtbot.keyClicks(dialog.inputs["next_step"], "Send the quote")
    dialog.inputs["next_step_due"].setDate(QDate(2027, 1, 15))
    assert save(qtbot, dialog)
    saved = get_deal(deal.id)
    assert (saved.title, saved.value, saved.next_step, saved.next_step_due, saved.notes) == (
        "Pilot", Decimal("7500.00"), "Send the quote", date(2027, 1, 15), "")
