"""The Activities section driven through real widgets: the week grid, its totals, undo, the
entries list and the team tab."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QDoubleSpinBox

from app.activities import ActivityDraft, list_activities, log_activity
from app.clock import local_today
from app.deals import DealDraft, create_deal
from app.timesheet import capacity_for, week_start
from app.users import create_rep
from ui.activities.view import ActivitiesView, TeamPage, TimesheetPage
from ui.context import Topic
from ui.formatting import format_date, format_hours

pytestmark = pytest.mark.gui

MONDAY = week_start(local_today())


def loaded(page) -> bool:
    return page.model.week is not None


@pytest.fixture
def page(qtbot, ui_context):
    widget = TimesheetPage(ui_context)
    qtbot.addWidget(widget)
    widget.resize(1100, 760)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: loaded(widget))
    return widget


def text(model, row, column) -> str:
    return model.index(row, column).data(Qt.ItemDataRole.DisplayRole)


def type_into_cell(qtbot, page, kind: str, column: int, typed: str) -> None:
    """Select a cell, start typing (the view opens the editor), finish with Enter."""
    index = page.model.index(page.model.row_of_kind(kind), column)
    page.table.setFocus()
    page.table.setCurrentIndex(index)
    qtbot.keyClick(page.table, typed[0])
    editor = page.table.findChild(QDoubleSpinBox)
    assert editor is not None  # typing opened the quarter-hour spin box
    qtbot.keyClicks(editor, typed[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_models_pass_the_model_tester(qtbot, qtmodeltester, page, ui_context, manager):
    qtmodeltester.check(page.model)  # an empty week
    log_activity(ActivityDraft(manager.id, "Demo", MONDAY, Decimal("2"), note="pilot"), manager)
    ui_context.bus.changed(Topic.ACTIVITIES)
    qtbot.waitUntil(lambda: page.entries.rowCount() == 1)
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.entries)


def test_typing_hours_into_a_cell_updates_the_totals_and_capacity(qtbot, page, manager):
    model = page.model
    assert text(model, model.total_row(), 8) == "0"
    assert "0 of 40 h" in page.capacity_label.text()
    assert page.empty.isVisibleTo(page)

    point = QLocale().decimalPoint()
    type_into_cell(qtbot, page, "Demo", 1, f"2{point}5")  # Monday
    qtbot.waitUntil(lambda: text(model, model.total_row(), 8) == f"2{point}5")
    assert text(model, model.total_row(), 1) == f"2{point}5"  # Monday's total
    selling = next(r for r in range(model.rowCount()) if text(model, r, 0) == "Selling")
    assert text(model, selling, 8) == f"2{point}5"
    assert f"2{point}5 of 40 h" in page.capacity_label.text()
    assert [a.hours for a in list_activities(manager.id, MONDAY, MONDAY)] == [Decimal("2.50")]
    assert not page.empty.isVisibleTo(page)
    assert page.entries.rowCount() == 1

    type_into_cell(qtbot, page, "Cold calling", 1, "4")
    qtbot.waitUntil(lambda: text(model, model.total_row(), 8) == f"6{point}5")
    prospecting = next(r for r in range(model.rowCount()) if text(model, r, 0) == "Prospecting")
    assert text(model, prospecting, 1) == "4"


def test_a_cell_edit_is_undone_with_the_undo_stack(qtbot, page, ui_context, manager):
    type_into_cell(qtbot, page, "Meeting", 1, "3")
    model = page.model
    qtbot.waitUntil(lambda: text(model, model.total_row(), 8) == "3")
    assert ui_context.undo_stack.canUndo()
    ui_context.undo_stack.undo()
    qtbot.waitUntil(lambda: text(model, model.total_row(), 8) == "0")
    assert list_activities(manager.id, MONDAY, MONDAY) == []
    ui_context.undo_stack.redo()
    qtbot.waitUntil(lambda: text(model, model.total_row(), 8) == "3")


def test_a_cell_over_the_day_limit_shows_the_message_and_changes_nothing(qtbot, page,
                                                                          ui_context, manager):
    log_activity(ActivityDraft(manager.id, "Travel", MONDAY, Decimal("23")), manager)
    ui_context.bus.changed(Topic.ACTIVITIES)
    model = page.model
    qtbot.waitUntil(lambda: text(model, model.total_row(), 8) == "23")
    type_into_cell(qtbot, page, "Demo", 1, "2")
    qtbot.waitUntil(lambda: page.error.isVisibleTo(page))
    assert "at most 1 h more" in page.error.text()
    assert text(model, model.total_row(), 8) == "23"
    assert not ui_context.undo_stack.canUndo()


def test_deleting_an_entry_keeps_notes_safe_with_undo(qtbot, page, ui_context, manager):
    deal = create_deal(DealDraft(title="Pilot", company="Acme"), manager)
    log_activity(ActivityDraft(manager.id, "Demo", MONDAY, Decimal("1.5"), deal_id=deal.id,
                               note="went well"), manager)
    ui_context.bus.changed(Topic.ACTIVITIES)
    qtbot.waitUntil(lambda: page.entries.rowCount() == 1)
    assert text(page.entries, 0, 3) == "Acme — Pilot"
    page.entries_view.setFocus()
    page.entries_view.selectRow(0)
    qtbot.keyClick(page.entries_view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: page.entries.rowCount() == 0)
    ui_context.undo_stack.undo()
    qtbot.waitUntil(lambda: page.entries.rowCount() == 1)
    [back] = list_activities(manager.id, MONDAY, MONDAY)
    assert (back.note, back.deal_id) == ("went well", deal.id)


def test_week_navigation_and_rep_choice(qtbot, page, manager):
    other = create_rep("Ola Other", weekly_capacity_hours=30)
    log_activity(ActivityDraft(manager.id, "Admin", MONDAY - timedelta(days=7), Decimal("5")),
                 manager)
    start = page.model.week.start
    qtbot.keyClick(page, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.model.week.start == start - timedelta(days=7))
    assert text(page.model, page.model.total_row(), 8) == "5"
    assert f"Week {(start - timedelta(days=7)).isocalendar().week}" in page.week_label.text()
    qtbot.keyClick(page, Qt.Key.Key_Home, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: page.model.week.start == start)

    assert page.rep_box.currentText() == manager.name  # the current user by default
    page.context.bus.changed(Topic.REPS)
    qtbot.waitUntil(lambda: page.rep_box.findText(other.name) >= 0)
    page.rep_box.setCurrentIndex(page.rep_box.findText(other.name))
    qtbot.waitUntil(lambda: page.model.week.rep.id == other.id)
    assert "of 30 h" in page.capacity_label.text()


def test_a_rep_sees_another_reps_week_read_only(qtbot, workspace, manager, rep,
                                                qsettings_isolated):
    from ui.context import UiContext

    context = UiContext(workspace, rep)
    widget = TimesheetPage(context)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: loaded(widget))
    demo = widget.model.index(widget.model.row_of_kind("Demo"), 1)
    assert widget.model.flags(demo) & Qt.ItemFlag.ItemIsEditable
    widget.rep_box.setCurrentIndex(widget.rep_box.findText(manager.name))
    qtbot.waitUntil(lambda: widget.model.week.rep.id == manager.id)
    demo = widget.model.index(widget.model.row_of_kind("Demo"), 1)
    assert not widget.model.flags(demo) & Qt.ItemFlag.ItemIsEditable
    context.runner.wait()


def test_the_rep_picker_follows_switch_user(qtbot, page, ui_context, manager, rep):
    assert page.rep_box.currentText() == manager.name
    ui_context.set_actor(rep)  # what the status bar's "Switch user" does once it is written
    qtbot.waitUntil(lambda: page.model.week.rep.id == rep.id)
    assert page.rep_box.currentText() == rep.name
    demo = page.model.index(page.model.row_of_kind("Demo"), 1)
    assert page.model.flags(demo) & Qt.ItemFlag.ItemIsEditable  # their own week


def test_a_rep_opens_another_reps_entry_read_only_with_the_reason(qtbot, monkeypatch,
                                                                  workspace, manager, rep,
                                                                  qsettings_isolated):
    from ui.activities.quick_log import QuickLogDialog
    from ui.context import UiContext

    log_activity(ActivityDraft(manager.id, "Demo", MONDAY, Decimal("1.5"), note="pilot"),
                 manager)
    context = UiContext(workspace, rep)
    widget = TimesheetPage(context)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(lambda: loaded(widget) and widget.rep_box.findText(manager.name) >= 0)
    widget.rep_box.setCurrentIndex(widget.rep_box.findText(manager.name))
    qtbot.waitUntil(lambda: widget.model.week.rep.id == manager.id
                    and widget.entries.rowCount() == 1)
    assert "Read-only" in widget.entries_hint.text()

    opened = []
    monkeypatch.setattr(QuickLogDialog, "ask", classmethod(
        lambda cls, parent, ctx, **kw: opened.append(cls(ctx, parent, **kw)) or opened[-1]))
    widget.entries_view.selectRow(0)
    widget.entries_view.setFocus()
    qtbot.keyClick(widget.entries_view, Qt.Key.Key_Return)
    assert len(opened) == 1
    dialog = opened[0]
    qtbot.addWidget(dialog)
    assert dialog.read_only_note.isVisibleTo(dialog)
    assert "Ravi Rep can log only their own hours" in dialog.read_only_note.text()
    assert not dialog.log_button.isVisibleTo(dialog)  # no Save to be refused on
    assert dialog.hours.isReadOnly() and dialog.note.isReadOnly()
    assert not dialog.kind_box.isEnabled()
    assert dialog.hours.text() == f"1{QLocale().decimalPoint()}5 h"
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return)  # Enter does not try to save
    assert list_activities(manager.id, MONDAY, MONDAY)[0].note == "pilot"

    qtbot.keyClick(widget.entries_view, Qt.Key.Key_Delete)  # nor does Delete
    assert "Ravi Rep can log only their own hours" in widget.error.text()
    assert len(list_activities(manager.id, MONDAY, MONDAY)) == 1

    qtbot.mouseClick(widget.log_button, Qt.MouseButton.LeftButton)  # logs one's own hours
    logging = opened[-1]
    qtbot.addWidget(logging)
    assert logging.refusal is None and logging.rep_box.currentData() == rep.id
    context.runner.wait()


def test_team_tab_shows_reps_categories_and_capacity(qtbot, qtmodeltester, ui_context,
                                                     manager, rep):
    log_activity(ActivityDraft(rep.id, "Cold calling", MONDAY, Decimal("3")), manager)
    log_activity(ActivityDraft(rep.id, "Demo", MONDAY, Decimal("5")), manager)
    team = TeamPage(ui_context)
    qtbot.addWidget(team)
    qtbot.waitUntil(lambda: team.team_model.rowCount() == 3)  # two people and the team
    model = team.team_model
    names = [text(model, r, 0) for r in range(model.rowCount())]
    assert names == ["Maria Manager", "Ravi Rep", "Team"]
    so_far = capacity_for(Decimal(40), MONDAY, local_today())  # this week, up to today
    assert [text(model, 1, c) for c in (1, 2, 3, 4, 5)] == ["3", "5", "0", "8",
                                                           format_hours(so_far)]
    assert text(model, 2, 5) == format_hours(2 * so_far)  # the team's capacity to date
    qtmodeltester.check(team.team_model)
    qtmodeltester.check(team.figures_model)
    figures = team.figures_model
    assert text(figures, 1, 1).startswith("3 h") and text(figures, 1, 4) == "—"

    team.unit_box.setCurrentIndex(team.unit_box.findData("quarter"))
    qtbot.waitUntil(lambda: (team.end - team.start).days > 80)
    qtbot.waitUntil(lambda: text(team.team_model, 1, 4) == "8")


def test_quarter_used_is_measured_against_capacity_to_date(qtbot, monkeypatch, ui_context,
                                                          manager, rep):
    """Early December, 45 of the quarter's 66 working days are behind us: hours logged read
    against what could have been worked by now, and the other 21 days are shown apart."""
    today = date(2026, 12, 2)
    monkeypatch.setattr("app.clock.local_today", lambda: today)
    monkeypatch.setattr("ui.activities.view.local_today", lambda: today)
    for day in (date(2026, 10, 5), date(2026, 11, 2), date(2026, 12, 1)):
        log_activity(ActivityDraft(rep.id, "Demo", day, Decimal("8")), manager, today=today)
    view = ActivitiesView(ui_context)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    team = view.team
    team.unit_box.setCurrentIndex(team.unit_box.findData("quarter"))
    qtbot.waitUntil(lambda: team.period_label.text().startswith(format_date(date(2026, 10, 1)))
                    and text(team.team_model, 1, 4) == "24")
    model = team.team_model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(8)]
    assert headers[5:] == ["Capacity to date", "Used", "Still to come"]
    # 24 h of 40 h × 45 days ÷ 5 = 360 h (not of the quarter's 528 h)
    assert [text(model, 1, c) for c in (5, 6, 7)] == ["360", "7 %", "168"]
    assert [text(model, 2, c) for c in (5, 6, 7)] == ["720", "3 %", "336"]
    assert "720 h capacity to date" in team.status.text()
    assert "336 h still to come" in team.status.text()

    team.unit_box.setCurrentIndex(team.unit_box.findData("week"))  # back to this week
    qtbot.waitUntil(lambda: team.start == date(2026, 11, 30))


def test_vs_target_is_a_dash_with_a_reason_in_a_week_without_wins(qtbot, ui_context,
                                                                  manager, rep, stages):
    log_activity(ActivityDraft(rep.id, "Demo", MONDAY, Decimal("5")), manager)
    team = TeamPage(ui_context)
    qtbot.addWidget(team)
    qtbot.waitUntil(lambda: team.figures_model.rowCount() == 3)
    figures = team.figures_model
    ravi = [text(figures, r, 0) for r in range(3)].index("Ravi Rep")
    assert text(figures, ravi, 7) == "—" and text(figures, ravi, 6) == "—"
    tip = figures.index(ravi, 7).data(Qt.ItemDataRole.ToolTipRole)
    assert "No deal was won in this period" in tip
    assert figures.index(ravi, 7).data(Qt.ItemDataRole.ForegroundRole) is None  # not red

    won = create_deal(DealDraft(title="Pilot", company="Acme", value=Decimal(9000),
                                owner_id=rep.id, stage_id=stages["Won"].id), manager)
    assert won.id
    team.reload()
    qtbot.waitUntil(lambda: text(figures, ravi, 7) != "—")
    assert text(figures, ravi, 7) == "180 %"  # $9,000 over 5 selling hours against $1,000


def test_the_section_has_both_tabs(qtbot, ui_context):
    view = ActivitiesView(ui_context)
    qtbot.addWidget(view)
    assert [view.tabs.tabText(i) for i in range(view.tabs.count())] == ["Timesheet", "Team"]
    qtbot.waitUntil(lambda: loaded(view.timesheet))
