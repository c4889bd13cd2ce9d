"""The deals table: model checks, inline edits saved through the app, gated stage edits,
SQL sort and filter, the totals line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from app.deal_table import COLUMNS, DealTableSpec
from app.deals import DealDraft, create_deal, get_deal
from app.pipeline import missing_requirements
from app.rep_admin import update_rep
from ui.context import Topic
from ui.deals.table_model import DEAL_ID_ROLE
from ui.deals.view import DealsView
from ui.formatting import format_money
from ui.gate_dialog import GateDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def deals(stages, manager, rep):
    made = {}
    for title, company, stage, owner, value in (
        ("Pilot", "Acme", "Sales-ready lead", rep, "5000"),
        ("Renewal", "Globex", "Qualified", manager, "12000"),
        ("Upgrade", "Initech", "Won", rep, "800"),
    ):
        made[title] = create_deal(DealDraft(
            title=title, company=company, stage_id=stages[stage].id, owner_id=owner.id,
            value=Decimal(value)), manager).id
    return made


@pytest.fixture
def view(qtbot, ui_context, deals):
    widget = DealsView(ui_context)
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    with qtbot.waitSignal(widget.model.sig_rows_ready):  # the first query runs on the worker
        widget.show()
    qtbot.waitExposed(widget)
    return widget


def cell(view: DealsView, deal_id: int, column: str):
    row = view.model.row_of(deal_id)
    return view.model.index(row, COLUMNS.index(column))


def money(view: DealsView, amount: str) -> str:
    return format_money(Decimal(amount), view.context.settings.currency)


def column_texts(view: DealsView, column: str) -> list[str]:
    c = COLUMNS.index(column)
    return [view.model.index(r, c).data() for r in range(view.model.rowCount())]


def test_the_model_passes_the_model_tester(view, qtmodeltester):
    qtmodeltester.check(view.model)


def test_typing_a_value_in_the_cell_saves_it(qtbot, view, deals):
    index = cell(view, deals["Pilot"], "value")
    view.table.setCurrentIndex(index)
    view.table.edit(index)
    editors = view.table.viewport().findChildren(QLineEdit)
    assert len(editors) == 1
    editor = editors[0]
    assert editor.text() == "5000.00"
    editor.selectAll()
    qtbot.keyClicks(editor, "7250.50")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the delegate commits on the next loop turn
    with qtbot.waitSignal(view.model.sig_edited):  # saved, and the row read again
        pass
    assert get_deal(deals["Pilot"]).value == Decimal("7250.50")
    assert "7,251" in cell(view, deals["Pilot"], "value").data()  # whole units shown
    # Open pipeline: 7,250.50 + 12,000 (the won 800 is not pipeline)
    qtbot.waitUntil(lambda: money(view, "19251") in view.totals_label.text())


def test_a_value_typed_with_group_separators_is_taken_as_the_dialog_takes_it(qtbot, view,
                                                                            deals):
    index = cell(view, deals["Pilot"], "value")
    view.table.setCurrentIndex(index)
    view.table.edit(index)
    editor = view.table.viewport().findChildren(QLineEdit)[0]
    editor.selectAll()
    qtbot.keyClicks(editor, "12,500")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: get_deal(deals["Pilot"]).value == Decimal("12500.00"))
    assert view.banner.isHidden()


def test_a_value_in_another_locales_format_is_refused_quoting_it(view, deals):
    assert not view.model.setData(cell(view, deals["Pilot"], "value"), "12.500,50")
    assert "'12.500,50' is not an amount" in view.banner.text()
    assert get_deal(deals["Pilot"]).value == Decimal("5000.00")


def test_leaving_the_owner_of_a_departed_rep_unchanged_keeps_them(qtbot, view, deals, rep,
                                                                 manager):
    update_rep(rep.id, {"active": False}, manager)
    with qtbot.waitSignal(view.model.sig_rows_ready):
        view.context.bus.changed(Topic.REPS)
    before = get_deal(deals["Pilot"])
    index = cell(view, deals["Pilot"], "owner")
    view.table.setCurrentIndex(index)
    view.table.edit(index)
    editor = view.table.viewport().findChildren(QComboBox)[0]
    assert editor.currentText() == "Ravi Rep (inactive)"
    view.table.setFocus()  # focus leaves the editor: the view commits what it shows
    qtbot.waitUntil(lambda: not view.table.viewport().findChildren(QComboBox))
    assert get_deal(deals["Pilot"]) == before and view.banner.isHidden()
    # A deal of an active owner offers the active reps only.
    index = cell(view, deals["Renewal"], "owner")
    view.table.setCurrentIndex(index)
    view.table.edit(index)
    editor = view.table.viewport().findChildren(QComboBox)[0]
    assert [editor.itemText(i) for i in range(editor.count())] == ["No owner",
                                                                  "Maria Manager"]


def test_the_owner_filter_finds_a_departed_reps_deals(qtbot, view, deals, rep, manager):
    update_rep(rep.id, {"active": False}, manager)
    with qtbot.waitSignal(view.model.sig_rows_ready):
        view.context.bus.changed(Topic.REPS)
    found = view.owner_combo.findData(rep.id)
    assert view.owner_combo.itemText(found) == "Ravi Rep (inactive)"
    with qtbot.waitSignal(view.model.sig_rows_ready):
        view.owner_combo.setCurrentIndex(found)
    assert sorted(column_texts(view, "title")) == ["Pilot", "Upgrade"]


def test_a_bad_value_is_refused_with_the_reason_and_nothing_changes(qtbot, view, deals):
    view.model.setData(cell(view, deals["Pilot"], "value"), "-3")
    qtbot.waitUntil(lambda: "cannot be negative" in view.banner.text())
    assert not view.banner.isHidden()
    assert get_deal(deals["Pilot"]).value == Decimal("5000.00")


def test_expected_close_and_owner_edits_are_saved(qtbot, view, deals, manager):
    with qtbot.waitSignal(view.model.sig_edited):  # written on the worker
        assert view.model.setData(cell(view, deals["Pilot"], "expected_close"),
                                  QDate(2026, 9, 30))
    with qtbot.waitSignal(view.model.sig_edited):
        assert view.model.setData(cell(view, deals["Pilot"], "owner"), manager.id)
    saved = get_deal(deals["Pilot"])
    assert saved.expected_close == date(2026, 9, 30) and saved.owner_id == manager.id
    with qtbot.waitSignal(view.model.sig_edited):
        assert view.model.setData(cell(view, deals["Pilot"], "expected_close"), QDate())
    assert get_deal(deals["Pilot"]).expected_close is None


def test_a_stage_edit_goes_through_the_gate(qtbot, view, deals, stages, monkeypatch,
                                            gui_thread_sql):
    asked = []

    def ask(cls, parent, context, gate):
        dialog = cls(parent, context, gate)  # the real dialog, without its modal loop
        asked.append((gate.deal_id, gate.stage.id, len(dialog.boxes)))
        for box, _item in dialog.boxes:
            box.setChecked(True)
        return dialog.answer()

    monkeypatch.setattr(GateDialog, "ask", classmethod(ask))
    qualified = stages["Qualified"].id
    required = len(missing_requirements(deals["Pilot"], qualified))
    gui_thread_sql.clear()
    assert view.model.setData(cell(view, deals["Pilot"], "stage"), qualified)
    qtbot.waitUntil(lambda: bool(asked))
    assert gui_thread_sql == []  # the gate's facts were read on the worker
    qtbot.waitUntil(lambda: cell(view, deals["Pilot"], "stage").data() == "Qualified")
    assert asked == [(deals["Pilot"], qualified, required)] and required > 0
    assert get_deal(deals["Pilot"]).stage_id == qualified
    view.context.undo_stack.undo()  # written on the worker; the table then re-reads
    qtbot.waitUntil(lambda: cell(view, deals["Pilot"], "stage").data() == "Sales-ready lead")


def test_sorting_a_column_reorders_rows_and_keeps_the_selection(qtbot, view, deals):
    view.table.selectRow(view.model.row_of(deals["Renewal"]))
    with qtbot.waitSignal(view.model.sig_rows_ready):
        view.table.sortByColumn(COLUMNS.index("value"), Qt.SortOrder.AscendingOrder)
    assert column_texts(view, "title") == ["Upgrade", "Pilot", "Renewal"]
    with qtbot.waitSignal(view.model.sig_rows_ready):
        view.table.sortByColumn(COLUMNS.index("title"), Qt.SortOrder.DescendingOrder)
    assert column_texts(view, "title") == ["Upgrade", "Renewal", "Pilot"]
    assert view.table.currentIndex().data(DEAL_ID_ROLE) == deals["Renewal"]


def test_filters_narrow_the_rows_and_the_totals(qtbot, view, stages, rep):
    view.search_edit.setText("acme")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert column_texts(view, "title") == ["Pilot"]
    qtbot.waitUntil(lambda: view.totals_label.text().startswith("1 deal ")
                    and f"Open pipeline: 1 deal, {money(view, '5000')}"
                    in view.totals_label.text())
    with qtbot.waitSignal(view.model.sig_rows_ready):
        view.search_edit.clear()
        view.apply_filter()
    with qtbot.waitSignal(view.model.sig_rows_ready):
        view.owner_combo.setCurrentIndex(view.owner_combo.findData(rep.id))
    assert sorted(column_texts(view, "title")) == ["Pilot", "Upgrade"]
    with qtbot.waitSignal(view.model.sig_rows_ready):
        view.stage_combo.setCurrentIndex(view.stage_combo.findData(stages["Won"].id))
    assert column_texts(view, "title") == ["Upgrade"]
    with qtbot.waitSignal(view.model.sig_rows_ready):
        view.search_edit.setText("nothing like it")
        view.apply_filter()
    assert view.model.rowCount() == 0
    assert "No deal matches" in view.empty_label.text()


def test_the_footer_shows_open_pipeline_and_won_this_quarter_apart(qtbot, view):
    # Open: 5,000 × 10 % + 12,000 × 25 % = 3,500 weighted; the 800 was won today. One sum
    # of the three (17,800) would be no figure anyone uses.
    qtbot.waitUntil(lambda: "Won" in view.totals_label.text())
    text = view.totals_label.text()
    assert text.startswith("3 deals")
    assert (f"Open pipeline: 2 deals, {money(view, '17000')} "
            f"(weighted {money(view, '3500')})") in text
    assert f"Won in {view.model.period.label}: 1, {money(view, '800')}" in text
    assert "17,800" not in text


def test_double_clicking_a_row_opens_its_deal(qtbot, view, deals, monkeypatch):
    from ui.deals.dialog import DealDialog

    opened = []
    monkeypatch.setattr(DealDialog, "show_existing", classmethod(
        lambda _cls, _parent, _context, deal_id: opened.append(deal_id)))
    index = cell(view, deals["Renewal"], "company")
    rect = view.table.visualRect(index)
    # A double click is a press and release, then the double-click event.
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened == [deals["Renewal"]]


def test_a_stage_edit_on_a_stale_row_is_refused(qtbot, view, deals, stages, manager):
    from app.pipeline import move_deal

    move_deal(deals["Pilot"], stages["Lost"].id, manager, lost_reason="Chose a rival")
    assert view.model.setData(cell(view, deals["Pilot"], "stage"), stages["Qualified"].id)
    qtbot.waitUntil(lambda: "changed by someone else" in view.banner.text())
    assert get_deal(deals["Pilot"]).stage_id == stages["Lost"].id


@pytest.fixture
def counted(qtbot, ui_context, deals, monkeypatch):
    """A table model on the real worker; ``calls`` lists the id queries that ran."""
    from ui.deals import table_model
    from ui.deals.table_model import DealTableModel

    calls = []
    real = table_model.select_ids
    monkeypatch.setattr(table_model, "select_ids", lambda spec: calls.append(spec) or real(spec))
    model = DealTableModel(ui_context)
    with qtbot.waitSignal(model.sig_rows_ready):
        model.set_spec(DealTableSpec(sort="title"))
    calls.clear()
    return model, calls


def test_a_superseded_query_never_runs(qtbot, counted, rep):
    model, calls = counted
    with qtbot.waitSignal(model.sig_rows_ready):
        model.set_spec(DealTableSpec(text="ac", sort="title"))  # typing "acme" quickly
        model.set_spec(DealTableSpec(text="acme", sort="title"))
    assert [spec.text for spec in calls] == ["acme"]  # "ac" skipped its query
    assert model.rowCount() == 1


def test_a_sort_right_after_a_filter_still_shows_the_filtered_rows(qtbot, counted, rep):
    model, _calls = counted
    totals = []
    model.sig_totals.connect(lambda count, summary: totals.append((count, summary)))
    model.set_spec(DealTableSpec(owner_id=rep.id, sort="title"))  # fewer rows
    model.set_spec(DealTableSpec(owner_id=rep.id, sort="value", descending=False))  # re-sort
    # (the totals of the fixture's own query may still arrive first: wait for these)
    qtbot.waitUntil(lambda: bool(totals) and totals[-1][0] == 2 and totals[-1][1] is not None)
    titles = [model.index(r, COLUMNS.index("title")).data() for r in range(model.rowCount())]
    assert titles == ["Upgrade", "Pilot"]  # rep's deals only, by value
    count, summary = totals[-1]
    assert (count, summary.open_value, summary.won_value) == (
        2, Decimal("5000.00"), Decimal("800.00"))


def test_typed_text_waits_for_the_pause_but_a_cleared_box_shows_every_deal_at_once(
        qtbot, view):
    qtbot.keyClicks(view.search_edit, "acme")
    assert view.model.spec.text == ""  # still typing: no query yet
    qtbot.waitUntil(lambda: view.model.rowCount() == 1)
    assert view.model.spec.text == "acme"
    view.search_edit.selectAll()
    qtbot.keyClick(view.search_edit, Qt.Key.Key_Backspace)
    assert view.model.spec.text == "" and view.model.loading  # asked at once
    qtbot.waitUntil(lambda: view.model.rowCount() == 3)


def test_the_filter_lists_are_read_on_the_worker(qtbot, ui_context, deals, rep,
                                                 gui_thread_sql):
    assert ui_context.settings.currency  # the session's settings, read once when it began
    gui_thread_sql.clear()
    widget = DealsView(ui_context)
    qtbot.addWidget(widget)
    assert widget.owner_combo.count() == 1  # "All owners" until the lists arrive
    qtbot.waitUntil(lambda: widget.owner_combo.count() > 1)
    assert gui_thread_sql == []
    assert widget.owner_combo.findData(rep.id) > 0
    assert widget.stage_combo.itemText(1) == "Suspect"


def test_rows_past_the_first_page_are_read_on_the_worker_and_then_shown(
        qtbot, ui_context, stages, manager, gui_thread_sql):
    from ui.deals.table_model import PAGE

    for number in range(PAGE + 50):
        create_deal(DealDraft(title=f"Deal {number:03}", stage_id=stages["Suspect"].id),
                    manager)
    widget = DealsView(ui_context)
    qtbot.addWidget(widget)
    widget.resize(1200, 600)
    with qtbot.waitSignal(widget.model.sig_rows_ready):
        widget.show()
    widget.table.sortByColumn(COLUMNS.index("title"), Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: cell_text(widget, 0) == "Deal 000")
    gui_thread_sql.clear()
    last = widget.model.rowCount() - 1
    assert cell_text(widget, last) is None  # not read yet: empty, never another deal's
    widget.table.scrollToBottom()
    qtbot.waitUntil(lambda: cell_text(widget, last) == f"Deal {PAGE + 49:03}")
    assert gui_thread_sql == []


def cell_text(view: DealsView, row: int):
    return view.model.index(row, COLUMNS.index("title")).data()
