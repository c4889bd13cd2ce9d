"""The quick-log dialog (Ctrl+L) driven with real keystrokes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, QLocale, Qt

from app.activities import ActivityDraft, list_activities, log_activity
from app.clock import local_today
from app.deals import DealDraft, create_deal, get_deal
from db.models import Deal
from ui.activities import quick_log
from ui.activities.quick_log import QuickLogDialog
from ui.context import Topic

pytestmark = pytest.mark.gui

TODAY = local_today()


@pytest.fixture
def dialog(qtbot, ui_context):
    widget = QuickLogDialog(ui_context)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def choose_kind(dialog, name: str) -> None:
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findText(name))


def set_hours(qtbot, dialog, typed: str) -> None:
    dialog.hours.selectAll()
    qtbot.keyClicks(dialog.hours, typed.replace(".", QLocale().decimalPoint()))


def test_defaults_are_the_current_user_today_and_one_hour(dialog, manager):
    assert dialog.rep_box.currentText() == manager.name
    assert dialog.date_edit.date() == QDate(TODAY.year, TODAY.month, TODAY.day)
    assert dialog.date_edit.displayFormat() == QLocale().dateFormat(
        QLocale.FormatType.ShortFormat)
    assert dialog.hours.value() == 1.0
    assert dialog.hours.singleStep() == 0.25
    kinds = [dialog.kind_box.itemText(i) for i in range(dialog.kind_box.count())]
    assert "Cold calling" in kinds and "Travel" in kinds


def test_enter_logs_the_activity_and_announces_it(qtbot, dialog, ui_context, manager):
    choose_kind(dialog, "Demo")
    set_hours(qtbot, dialog, "2.75")
    qtbot.keyClicks(dialog.note, "walked through the reports")
    topics = []
    ui_context.bus.sig_changed.connect(topics.append)
    with qtbot.waitSignal(dialog.sig_logged) as logged:
        qtbot.keyClick(dialog.note, Qt.Key.Key_Return)
    assert logged.args[0].activity.hours == Decimal("2.75")
    [saved] = list_activities(manager.id, TODAY, TODAY)
    assert (saved.kind, saved.hours, saved.note) == ("Demo", Decimal("2.75"),
                                                     "walked through the reports")
    qtbot.waitUntil(lambda: bool(topics))  # announced once the handlers ran
    assert topics == [frozenset({Topic.ACTIVITIES})]
    assert QuickLogDialog.summary(logged.args[0]) == \
        f"Logged 2{QLocale().decimalPoint()}75 h Demo for {manager.name}."


def test_a_day_over_24_hours_is_shown_at_the_hours_field(qtbot, dialog, ui_context, manager):
    log_activity(ActivityDraft(manager.id, "Travel", TODAY, Decimal("23.5")), manager)
    set_hours(qtbot, dialog, "1")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.errors["hours"].isVisible())
    assert "at most 0.5 h more" in dialog.errors["hours"].text()
    assert dialog.hours.hasFocus()
    assert sum(a.hours for a in list_activities(manager.id, TODAY, TODAY)) == Decimal("23.50")
    assert dialog.isVisible()  # still open for a correction


def test_hours_off_the_quarter_grid_and_far_dates_are_refused_at_their_fields(qtbot, dialog,
                                                                             manager):
    set_hours(qtbot, dialog, "1.3")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.errors["hours"].isVisible())
    assert "quarter-hour" in dialog.errors["hours"].text()

    set_hours(qtbot, dialog, "1")
    far = TODAY + timedelta(days=30)
    dialog.date_edit.setDate(QDate(far.year, far.month, far.day))
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.errors["date"].isVisible())
    assert not dialog.errors["hours"].isVisible()
    assert "days ahead" in dialog.errors["date"].text()
    assert list_activities(manager.id, TODAY - timedelta(days=1), far) == []


# The completer's popup is a real popup window; the offscreen platform says it cannot raise
# it or grab the keyboard for it, which is harmless here.
@pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")
def test_deal_type_ahead_picks_a_deal_and_logging_marks_it_worked(qtbot, dialog, ui_context,
                                                                  manager):
    deal = create_deal(DealDraft(title="Website relaunch", company="Northwind"), manager)
    create_deal(DealDraft(title="Support", company="Contoso"), manager)
    Deal.update(last_activity_at=get_deal(deal.id).last_activity_at - timedelta(days=30)).where(
        Deal.id == deal.id).execute()
    dialog.deal_edit.setFocus()
    qtbot.keyClicks(dialog.deal_edit, "north")
    qtbot.waitUntil(lambda: dialog.deal_choices.rowCount() == 1)
    qtbot.waitUntil(lambda: dialog.completer.popup().isVisible())
    popup = dialog.completer.popup()
    popup.setCurrentIndex(dialog.completer.completionModel().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert dialog.deal_id == deal.id
    assert dialog.deal_edit.text() == "Northwind — Website relaunch"

    topics = []
    ui_context.bus.sig_changed.connect(topics.append)
    with qtbot.waitSignal(dialog.sig_logged):
        dialog.submit()
    qtbot.waitUntil(lambda: bool(topics))
    assert topics == [frozenset({Topic.ACTIVITIES, Topic.DEALS})]
    assert get_deal(deal.id).last_activity_at.date() >= TODAY - timedelta(days=1)
    assert list_activities(manager.id, TODAY, TODAY)[0].deal_id == deal.id


def test_deal_text_that_matches_no_pick_is_refused_at_the_deal_field(qtbot, dialog, manager):
    qtbot.keyClicks(dialog.deal_edit, "nobody we know")
    dialog.submit()
    assert dialog.errors["deal"].isVisible()
    assert "Pick a deal" in dialog.errors["deal"].text()
    assert list_activities(manager.id, TODAY, TODAY) == []


def test_editing_an_entry_saves_over_it(qtbot, ui_context, manager):
    logged = log_activity(ActivityDraft(manager.id, "Meeting", TODAY, Decimal("1"),
                                        note="first"), manager).activity
    dialog = QuickLogDialog(ui_context, activity=logged)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Edit activity"
    assert dialog.note.text() == "first"
    dialog.note.setText("first, with the CFO")
    with qtbot.waitSignal(dialog.sig_logged):
        dialog.submit()
    [saved] = list_activities(manager.id, TODAY, TODAY)
    assert (saved.id, saved.note) == (logged.id, "first, with the CFO")


def test_the_installer_enables_ctrl_l_and_opens_the_dialog(qtbot, ui_context, monkeypatch):
    from ui.main_window import MainWindow

    window = MainWindow(ui_context)
    qtbot.addWidget(window)
    action = window.actions_by_name["log_activity"]
    assert not action.isEnabled()
    opened = []

    def fake_ask(parent, context, **kwargs):
        dialog = QuickLogDialog(context, parent, **kwargs)
        opened.append(dialog)
        return dialog

    monkeypatch.setattr(QuickLogDialog, "ask", staticmethod(fake_ask))
    quick_log.install(window)
    assert action.isEnabled()
    assert action.shortcut().toString() == "Ctrl+L"
    action.trigger()
    assert len(opened) == 1 and opened[0].parent() is window
    with qtbot.waitSignal(opened[0].sig_logged):
        opened[0].submit()
    assert window.statusBar().currentMessage().startswith("Logged 1 h")


def test_a_rep_logs_for_themselves_only(qtbot, workspace, manager, rep, qsettings_isolated):
    from ui.context import UiContext

    context = UiContext(workspace, rep)
    dialog = QuickLogDialog(context)
    qtbot.addWidget(dialog)
    assert dialog.rep_box.currentText() == rep.name
    assert not dialog.rep_box.isEnabled()
    with qtbot.waitSignal(dialog.sig_logged):
        dialog.submit()
    assert [a.rep_id for a in list_activities(rep.id, TODAY, TODAY)] == [rep.id]
    context.runner.wait()


def test_the_type_ahead_model_passes_the_model_tester(qtmodeltester, manager):
    from app.activities import search_deals
    from app.deals import DealDraft, create_deal
    from ui.activities.quick_log import DealChoicesModel

    create_deal(DealDraft(title="Pilot", company="Acme"), manager)
    model = DealChoicesModel()
    model.set_choices(search_deals("acm"))
    assert model.rowCount() == 1 and "Pilot" in model.index(0, 0).data()
    assert model.index(0, 0).data(Qt.ItemDataRole.UserRole) is not None
    qtmodeltester.check(model)


def test_a_search_answered_after_the_dialog_closed_is_dropped(qtbot, ui_context, manager):
    """The user types a deal name and closes the dialog before the search answers: the
    answer must not reach the dialog's deleted list (it used to raise in the event loop)."""
    import shiboken6
    from PySide6.QtCore import QCoreApplication

    dialog = QuickLogDialog(ui_context)
    dialog.deal_edit.setText("Acme")
    dialog._search()  # the type-ahead's timer fired: a search is queued on the worker
    shiboken6.delete(dialog)
    ui_context.runner.wait()
    QCoreApplication.processEvents()  # the answer is delivered here; nothing may be raised


def test_a_dialog_gone_before_its_save_returns_is_not_called_back(qtbot, ui_context, manager):
    """Ctrl+L, Enter, and the window closes before the worker answers: the answer must not
    reach the deleted dialog ("Internal C++ object (QPushButton) already deleted")."""
    import shiboken6

    dialog = QuickLogDialog(ui_context)
    dialog.submit()
    shiboken6.delete(dialog)
    ui_context.runner.wait()
    qtbot.wait(20)  # deliver whatever the worker queued for the GUI thread
    assert [a.hours for a in list_activities(manager.id, TODAY, TODAY)] == [Decimal("1.00")]
