"""The quota grid driven through real widgets: typing a quota, the team's sum, copy forward,
undo, and a rep who may only look."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QLineEdit

from app.clock import local_today
from app.periods import period_of
from app.quotas import put_quotas, quota_grid
from ui.context import Topic, UiContext
from ui.formatting import format_money
from ui.quotas.model import QuotaGridModel
from ui.quotas.panel import PAGE, QuotaPanel, page_start

pytestmark = pytest.mark.gui


def money(amount: int) -> str:
    return format_money(Decimal(amount), "USD")


def this_year():
    return page_start(local_today(), "quarter", 1, 0)


@pytest.fixture
def panel(qtbot, ui_context, rep):
    widget = QuotaPanel(ui_context)
    qtbot.addWidget(widget)
    widget.resize(1000, 500)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: widget.model.grid is not None)
    return widget


def cell(panel, name: str, column: int) -> str:
    model = panel.model
    row = next(r for r in range(model.rowCount()) if model.row(r).name == name)
    return model.index(row, column).data(Qt.ItemDataRole.DisplayRole)


def type_into(qtbot, panel, name: str, column: int, typed: str) -> None:
    """Select a cell, start typing (the view opens the editor), finish with Enter."""
    model = panel.model
    row = next(r for r in range(model.rowCount()) if model.row(r).name == name)
    panel.table.setFocus()
    panel.table.setCurrentIndex(model.index(row, column))
    qtbot.keyClick(panel.table, typed[0])
    editor = panel.table.findChild(QLineEdit)
    assert editor is not None and editor.alignment() & Qt.AlignmentFlag.AlignRight
    qtbot.keyClicks(editor, typed[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)


def test_the_model_passes_the_model_tester(qtmodeltester, manager, rep):
    put_quotas(this_year(), {rep.id: "50000"}, manager)
    model = QuotaGridModel()
    qtmodeltester.check(model)  # nothing loaded yet
    model.set_grid(quota_grid(this_year(), 4), "USD")
    model.editable = True
    qtmodeltester.check(model)


def test_typing_a_quota_saves_it_adds_it_to_the_team_and_undo_takes_it_back(
        qtbot, panel, rep, ui_context):
    group = QLocale().groupSeparator()
    assert cell(panel, "Team", 1) == "—"
    type_into(qtbot, panel, "Ravi Rep", 1, f"50{group}000")
    qtbot.waitUntil(lambda: cell(panel, "Ravi Rep", 1) == money(50000))
    assert cell(panel, "Team", 1) == money(50000) + " (sum)"
    assert quota_grid(this_year(), 1).reps[1].amounts == (Decimal("50000.00"),)
    assert panel.table.currentIndex().column() == 1  # still on the edited cell

    ui_context.undo_stack.undo()
    qtbot.waitUntil(lambda: cell(panel, "Ravi Rep", 1) == "")
    assert quota_grid(this_year(), 1).reps[1].amounts == (None,)
    ui_context.undo_stack.redo()
    qtbot.waitUntil(lambda: cell(panel, "Ravi Rep", 1) == money(50000))


def test_the_team_set_on_its_own_shows_so_and_delete_goes_back_to_the_sum(
        qtbot, panel, rep, manager):
    put_quotas(this_year(), {rep.id: "50000"}, manager)
    type_into(qtbot, panel, "Team", 1, "60000")
    qtbot.waitUntil(lambda: cell(panel, "Team", 1) == money(60000))
    team = panel.model.index(panel.model.team_row(), 1)
    assert "Set for the team" in team.data(Qt.ItemDataRole.ToolTipRole)
    assert team.data(Qt.ItemDataRole.FontRole).bold()
    panel.table.setCurrentIndex(team)
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: cell(panel, "Team", 1) == money(50000) + " (sum)")


def test_a_bad_amount_says_why_and_saves_nothing(qtbot, panel, rep):
    type_into(qtbot, panel, "Ravi Rep", 2, "lots")
    qtbot.waitUntil(lambda: "'lots' is not an amount" in panel.error.text())
    assert panel.error.isVisibleTo(panel)
    assert quota_grid(this_year(), 4).reps[1].amounts == (None,) * 4


def test_copy_forward_copies_the_chosen_column_and_undoes(qtbot, panel, rep, manager,
                                                          ui_context):
    first = this_year()
    put_quotas(first, {rep.id: "40000", None: "45000"}, manager)
    ui_context.bus.changed(Topic.QUOTAS)
    qtbot.waitUntil(lambda: cell(panel, "Ravi Rep", 1) == money(40000))
    panel.table.setCurrentIndex(panel.model.index(0, 1))
    label = f"Copy {first.label} to {first.shifted(1).label}"
    assert panel.copy_button.text() == label
    panel.copy_button.click()
    qtbot.waitUntil(lambda: cell(panel, "Ravi Rep", 2) == money(40000))
    assert cell(panel, "Team", 2) == money(45000)
    ui_context.undo_stack.undo()
    qtbot.waitUntil(lambda: cell(panel, "Ravi Rep", 2) == "")
    assert cell(panel, "Team", 2) == "—"


def test_months_show_half_a_fiscal_year(qtbot, panel):
    panel.unit_box.setCurrentIndex(panel.unit_box.findData("month"))
    qtbot.waitUntil(lambda: panel.model.columnCount() == PAGE["month"] + 1)
    labels = [p.label for p in panel.model.grid.periods]
    assert period_of(local_today(), "month").label in labels
    first = panel.model.grid.periods[0]
    panel.stepper.next.click()
    qtbot.waitUntil(lambda: panel.model.grid.periods[0] == first.shifted(6))
    assert panel.stepper.label.text() == f"{first.shifted(6).label} – {first.shifted(11).label}"


def test_a_rep_sees_the_grid_but_cannot_edit_it(qtbot, workspace, manager, rep):
    put_quotas(this_year(), {rep.id: "50000"}, manager)
    context = UiContext(workspace, rep)
    widget = QuotaPanel(context)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.grid is not None)
    assert "Only a manager can change quotas; Ravi Rep is a rep" in widget.read_only_note.text()
    assert widget.read_only_note.isVisibleTo(widget)
    assert not widget.copy_button.isVisibleTo(widget)
    index = widget.model.index(1, 1)
    assert not widget.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    widget.table.setCurrentIndex(index)
    qtbot.keyClick(widget.table, "7")
    assert widget.table.findChild(QLineEdit) is None  # no editor opened
    qtbot.keyClick(widget.table, Qt.Key.Key_Delete)
    context.runner.wait()
    assert quota_grid(this_year(), 1).reps[1].amounts == (Decimal("50000.00"),)


def test_a_page_is_the_fiscal_year_or_half_of_it():
    from datetime import date

    april = page_start(date(2026, 12, 4), "quarter", 4, 0)
    assert (april.label, april.start) == ("2026-Q1", date(2026, 4, 1))
    assert page_start(date(2026, 12, 4), "quarter", 4, -1).start == date(2025, 4, 1)
    assert page_start(date(2026, 12, 4), "month", 4, 0).start == date(2026, 10, 1)
    assert page_start(date(2026, 2, 1), "quarter", 1, 1).label == "2027-Q1"


def test_the_grid_follows_the_fiscal_year_start(qtbot, ui_context, rep):
    from app import settings

    settings.put("fiscal_year_start_month", "4")
    widget = QuotaPanel(ui_context)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.model.grid is not None)
    assert all(p.fiscal_start_month == 4 for p in widget.model.grid.periods)
    assert widget.model.grid.periods[0].start.month == 4


def test_switching_to_a_rep_makes_the_open_grid_read_only(qtbot, panel, rep, ui_context):
    index = panel.model.index(panel.model.row_of(rep.id), 1)
    assert panel.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    ui_context.set_actor(rep)
    assert not panel.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert panel.read_only_note.isVisibleTo(panel) and not panel.copy_button.isVisibleTo(panel)
