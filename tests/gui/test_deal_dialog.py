"""The deal dialog: fields saved through the app, inline errors, conflicts, checklist
ticks, history, and New deal (Ctrl+N) wired by its installer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication

from app.deals import DealDraft, create_deal, get_deal, update_deal
from app.pipeline import move_deal
from db.models import ChecklistCheck
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
    widget = DealDialog(None, ui_context, deal.id)
    qtbot.addWidget(widget)
    return widget


def test_its_models_pass_the_model_tester(dialog, qtmodeltester):
    qtmodeltester.check(dialog.checklist_model)
    qtmodeltester.check(dialog.history_model)
    qtmodeltester.check(dialog.activity_model)


def test_editing_fields_and_saving_updates_the_deal(dialog, deal, rep):
    dialog.inputs["company"].setText("Acme Industries")
    dialog.inputs["value"].setText("12,500.50")
    dialog.inputs["owner_id"].setCurrentIndex(dialog.inputs["owner_id"].findData(rep.id))
    dialog.inputs["expected_close"].setDate(QDate(2026, 12, 15))
    dialog.inputs["notes"].setPlainText("Wants a pilot first")
    assert dialog.save()
    saved = get_deal(deal.id)
    assert (saved.company, saved.value, saved.owner_id) == (
        "Acme Industries", Decimal("12500.50"), rep.id)
    assert saved.expected_close == date(2026, 12, 15)
    assert saved.notes == "Wants a pilot first"


def test_a_bad_email_is_shown_at_the_field_and_nothing_is_saved(qtbot, dialog, deal):
    dialog.inputs["contact_email"].setText("not an address")
    assert not dialog.save()
    error = dialog.errors["contact_email"]
    assert not error.isHidden() and "not an email address" in error.text()
    assert get_deal(deal.id) == deal


def test_leaving_a_bad_value_marks_it_at_once(dialog):
    dialog.inputs["value"].setText("lots")
    dialog.inputs["value"].editingFinished.emit()
    assert "is not an amount" in dialog.errors["value"].text()
    dialog.inputs["value"].setText("10")
    dialog.inputs["value"].editingFinished.emit()
    assert dialog.errors["value"].isHidden()


def test_a_change_made_meanwhile_is_reported_not_overwritten(dialog, deal, manager):
    update_deal(deal.id, {"title": "Pilot (renamed elsewhere)"}, deal.version, manager)
    dialog.inputs["company"].setText("Mine")
    assert not dialog.save()
    assert "changed by someone else" in dialog.banner.text()
    assert get_deal(deal.id).company == "Acme"


def test_ticking_the_checklist_is_saved_with_the_deal(dialog, deal):
    model = dialog.checklist_model
    stage_row = next(r for r in range(model.rowCount())
                     if model.index(r, 0).data().startswith("Qualified"))
    item = model.index(0, 0, model.index(stage_row, 0))
    assert model.setData(item, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert "(1/3)" in model.index(stage_row, 0).data()
    assert dialog.save()
    assert ChecklistCheck.select().where(ChecklistCheck.deal == deal.id).count() == 1


def test_the_history_shows_moves_with_the_override_reason(dialog):
    model = dialog.history_model
    newest = [model.index(0, c).data() for c in range(model.columnCount())]
    assert newest[1] == "Sales-ready lead → Qualified"
    assert newest[2] == "Maria Manager" and newest[3] == "Known buyer"
    assert model.index(1, 1).data() == "Created in Sales-ready lead"


def test_new_deal_is_wired_to_ctrl_n_and_creates_a_deal(qtbot, ui_context, stages):
    from ui.main_window import MainWindow

    window = MainWindow(ui_context)
    qtbot.addWidget(window)
    action = window.actions_by_name["new_deal"]
    assert not action.isEnabled()
    install_new_deal(window)
    assert action.isEnabled() and action.shortcut().toString() == "Ctrl+N"
    action.trigger()
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, DealDialog) and w.isVisible())
    assert not dialog.save()  # no title yet
    assert "needs a title" in dialog.errors["title"].text()
    dialog.inputs["title"].setText("Fresh lead")
    dialog.inputs["value"].setText("900")
    assert dialog.save()
    created = get_deal(dialog.saved.id)
    assert created.title == "Fresh lead" and created.stage_id == stages["Suspect"].id
    dialog.close()


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
