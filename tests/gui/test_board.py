"""The board: columns and cards, gated drops (dialog patched), undo, filters."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QDropEvent

from app.deals import DealDraft, create_deal, get_deal
from app.pipeline import missing_requirements
from db.models import ChecklistCheck, StageChange
from ui.board.model import CARD_ROLE, DEAL_MIME
from ui.board.view import BoardView
from ui.formatting import format_money
from ui.gate_dialog import GateAnswer, GateDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def deals(stages, manager, rep):
    made = {}
    for title, company, stage, owner, value in (
        ("Pilot", "Acme", "Sales-ready lead", rep, "5000"),
        ("Renewal", "Globex", "Qualified", manager, "12000"),
        ("Upgrade", "Initech", "Negotiation", rep, "800"),
    ):
        made[title] = create_deal(DealDraft(
            title=title, company=company, stage_id=stages[stage].id, owner_id=owner.id,
            value=Decimal(value)), manager).id
    return made


@pytest.fixture
def board(qtbot, ui_context, deals):
    view = BoardView(ui_context)
    qtbot.addWidget(view)
    view.resize(1200, 760)
    with qtbot.waitSignal(view.sig_loaded):
        pass
    return view


def drop(qtbot, view: BoardView, deal_id: int, stage_id: int) -> bool:
    """The drop path: waits until the move is settled (written, or refused or cancelled)
    and the board is read again; True when the deal moved."""
    with (qtbot.waitSignal(view.sig_loaded, timeout=5000),
          qtbot.waitSignal(view.sig_move_settled, timeout=5000) as settled):
        view.drop_deal(deal_id, stage_id)
    return settled.args[1]


def titles(view: BoardView, stage_id: int) -> list[str]:
    model = view.column_for(stage_id).model
    return [model.index(row).data(CARD_ROLE).title for row in range(model.rowCount())]


@pytest.fixture
def gate(monkeypatch):
    """Patch the gate dialog; ``gate.answer`` is what it returns, ``gate.calls`` its asks."""

    class Gate:
        answer: GateAnswer | None = None
        calls: list[tuple[int, int]] = []

    def ask(_cls, _parent, _context, facts):
        Gate.calls.append((facts.deal_id, facts.stage.id))
        return Gate.answer

    Gate.calls = []
    monkeypatch.setattr(GateDialog, "ask", classmethod(ask))
    return Gate


def test_every_card_model_passes_the_model_tester(board, qtmodeltester):
    for column in board.columns:
        qtmodeltester.check(column.model)


def test_columns_show_their_deals_and_header_figures(board, stages):
    assert titles(board, stages["Sales-ready lead"].id) == ["Pilot"]
    assert titles(board, stages["Qualified"].id) == ["Renewal"]
    header = board.column_for(stages["Qualified"].id)
    assert header.count_label.text().startswith("1 deal · ")
    assert "12,000" in header.count_label.text()
    assert "3,000" in header.money_label.text()  # 25 % of 12,000
    assert [z.stage.name for z in board.drop_zones] == ["Won", "Lost"]


def test_a_drop_ticks_the_gate_items_moves_the_card_and_undo_takes_it_back(
        qtbot, board, stages, deals, gate, ui_context):
    pilot, qualified = deals["Pilot"], stages["Qualified"].id
    missing = missing_requirements(pilot, qualified)
    gate.answer = GateAnswer(ticked=tuple(m.id for m in missing))

    # The drop event a drag delivers to the Qualified column (handed to its handler: the
    # offscreen platform has no drag manager to route it).
    target = board.column_for(qualified).list_view
    mime = QMimeData()
    mime.setData(DEAL_MIME, str(pilot).encode())
    drop = QDropEvent(QPoint(20, 20).toPointF(), Qt.DropAction.MoveAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    with (qtbot.waitSignal(board.sig_loaded),
          qtbot.waitSignal(board.sig_move_settled) as settled):
        target.dropEvent(drop)
        assert drop.isAccepted()
    assert settled.args == [pilot, True]
    assert "Pilot" in titles(board, qualified)

    assert gate.calls == [(pilot, qualified)]
    assert titles(board, stages["Sales-ready lead"].id) == []
    assert ChecklistCheck.select().where(ChecklistCheck.deal == pilot).count() == len(missing)
    moves = StageChange.select().where(StageChange.deal == pilot)
    assert moves.count() == 2

    with qtbot.waitSignal(board.sig_loaded):
        ui_context.undo_stack.undo()
    assert titles(board, stages["Sales-ready lead"].id) == ["Pilot"]
    assert get_deal(pilot).stage_id == stages["Sales-ready lead"].id
    assert moves.count() == 1

    with qtbot.waitSignal(board.sig_loaded):
        ui_context.undo_stack.redo()
    assert "Pilot" in titles(board, qualified)
    assert moves.count() == 2


def test_a_cancelled_gate_moves_nothing(qtbot, board, stages, deals, gate, ui_context):
    gate.answer = None
    assert not drop(qtbot, board, deals["Pilot"], stages["Qualified"].id)
    assert titles(board, stages["Sales-ready lead"].id) == ["Pilot"]
    assert ui_context.undo_stack.count() == 0


def test_a_move_back_needs_no_gate(qtbot, board, stages, deals, gate):
    assert drop(qtbot, board, deals["Renewal"], stages["Sales-ready lead"].id)
    assert gate.calls == []
    assert "Renewal" in titles(board, stages["Sales-ready lead"].id)


def test_a_manager_override_is_recorded(qtbot, board, stages, deals, gate):
    gate.answer = GateAnswer(override_reason="Existing customer")
    assert drop(qtbot, board, deals["Pilot"], stages["Qualified"].id)
    change = StageChange.select().where(StageChange.deal == deals["Pilot"]).order_by(
        StageChange.id.desc()).first()
    assert change.override_reason == "Existing customer"


def test_a_reps_override_is_refused_and_said_so(qtbot, board, stages, deals, gate, ui_context, rep):
    ui_context.set_actor(rep)
    gate.answer = GateAnswer(override_reason="Trust me")
    assert not drop(qtbot, board, deals["Pilot"], stages["Qualified"].id)
    assert not board.banner.isHidden()
    assert "Only a manager" in board.banner.text()
    assert titles(board, stages["Sales-ready lead"].id) == ["Pilot"]


def test_dropping_on_lost_asks_why_and_takes_the_card_off_the_board(
        qtbot, board, stages, deals, gate):
    gate.answer = GateAnswer(lost_reason="No budget")
    assert drop(qtbot, board, deals["Upgrade"], stages["Lost"].id)
    assert gate.calls == [(deals["Upgrade"], stages["Lost"].id)]
    assert titles(board, stages["Negotiation"].id) == []
    assert get_deal(deals["Upgrade"]).lost_reason == "No budget"


def test_search_and_owner_filters_narrow_the_cards(qtbot, board, stages, rep):
    with qtbot.waitSignal(board.sig_loaded):
        board.search_edit.setText("glob")
    assert titles(board, stages["Qualified"].id) == ["Renewal"]
    assert titles(board, stages["Sales-ready lead"].id) == []
    assert board.column_for(stages["Sales-ready lead"].id).count_label.text().startswith(
        "0 deals · ")
    with qtbot.waitSignal(board.sig_loaded):
        board.search_edit.clear()
    with qtbot.waitSignal(board.sig_loaded):
        board.owner_combo.setCurrentIndex(board.owner_combo.findData(rep.id))
    assert titles(board, stages["Qualified"].id) == []
    assert titles(board, stages["Negotiation"].id) == ["Upgrade"]


def test_typed_search_waits_for_the_pause_but_a_cleared_box_reads_at_once(
        qtbot, board, stages, monkeypatch):
    """As on the Deals page: a burst of keys reads the board once, after the pause."""
    reads: list[str] = []
    real_reload = board.reload
    monkeypatch.setattr(board, "reload", lambda: (reads.append(board.search_edit.text()),
                                                  real_reload()))
    qtbot.keyClicks(board.search_edit, "glob")
    assert reads == []  # still typing: nothing read yet
    with qtbot.waitSignal(board.sig_loaded):
        pass
    assert reads == ["glob"]
    assert titles(board, stages["Qualified"].id) == ["Renewal"]
    board.search_edit.selectAll()
    qtbot.keyClick(board.search_edit, Qt.Key.Key_Backspace)
    assert reads == ["glob", ""]  # asked at once
    with qtbot.waitSignal(board.sig_loaded):
        pass
    assert titles(board, stages["Sales-ready lead"].id) == ["Pilot"]


def test_a_long_column_shows_its_first_cards_the_exact_total_and_more_on_request(
        qtbot, ui_context, stages, manager):
    """A column of more deals than its first page: the header counts and sums all of them,
    and Show more brings in the rest, largest first."""
    from app.board import FIRST_CARDS

    many = FIRST_CARDS + 12
    for n in range(many):
        create_deal(DealDraft(title=f"Deal {n:03d}", stage_id=stages["Proposal"].id,
                              value=Decimal(1000 + n)), manager)
    view = BoardView(ui_context)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.sig_loaded):
        pass
    proposal = view.column_for(stages["Proposal"].id)
    assert proposal.model.rowCount() == FIRST_CARDS
    total = format_money(Decimal(sum(1000 + n for n in range(many))), "USD")
    assert proposal.count_label.text() == f"{many} deals · {total}"
    assert not proposal.more_button.isHidden()
    assert proposal.more_button.text() == "Show 12 more"
    with qtbot.waitSignal(view.sig_loaded):
        proposal.more_button.click()
    assert titles(view, stages["Proposal"].id) == [f"Deal {n:03d}" for n in
                                                    reversed(range(many))]
    assert proposal.more_button.isHidden()
    assert proposal.count_label.text() == f"{many} deals · {total}"


def test_a_move_updates_both_columns_totals(qtbot, board, stages, deals, gate):
    """At once (before the worker answers) and after the board is read again."""
    renewal, qualified = deals["Renewal"], stages["Qualified"].id
    ready = stages["Sales-ready lead"].id

    def headers():
        return [board.column_for(stage).count_label.text() for stage in (ready, qualified)]

    def money(amount):
        return format_money(Decimal(amount), "USD")

    assert headers() == [f"1 deal · {money(5000)}", f"1 deal · {money(12000)}"]
    after = [f"2 deals · {money(17000)}", f"0 deals · {money(0)}"]
    with (qtbot.waitSignal(board.sig_loaded), qtbot.waitSignal(board.sig_move_settled)):
        board.drop_deal(renewal, ready)  # a move back: no gate
        assert headers() == after
    assert headers() == after


def test_an_empty_board_says_what_to_do(qtbot, ui_context, stages):
    view = BoardView(ui_context)
    qtbot.addWidget(view)
    assert "Loading" in view.empty_label.text()
    with qtbot.waitSignal(view.sig_loaded):
        pass
    assert "Ctrl+N" in view.empty_label.text()
    assert not view.empty_label.isHidden()


def test_ctrl_right_moves_the_selected_card_to_the_next_column(qtbot, board, stages, deals,
                                                               gate):
    missing = missing_requirements(deals["Pilot"], stages["Qualified"].id)
    gate.answer = GateAnswer(ticked=tuple(m.id for m in missing))
    column = board.column_for(stages["Sales-ready lead"].id)
    column.list_view.setCurrentIndex(column.model.index(0))
    with qtbot.waitSignal(board.sig_loaded):
        qtbot.keyClick(column.list_view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert gate.calls == [(deals["Pilot"], stages["Qualified"].id)]
    assert "Pilot" in titles(board, stages["Qualified"].id)


def test_enter_on_a_card_opens_its_deal(qtbot, board, stages, deals, monkeypatch):
    from ui.deals.dialog import DealDialog

    opened = []
    monkeypatch.setattr(DealDialog, "show_existing", classmethod(
        lambda _cls, _parent, _context, deal_id: opened.append(deal_id)))
    column = board.column_for(stages["Qualified"].id)
    column.list_view.setCurrentIndex(column.model.index(0))
    qtbot.keyClick(column.list_view, Qt.Key.Key_Return)
    assert opened == [deals["Renewal"]]


def test_a_stale_card_is_not_moved_over_someone_elses_change(qtbot, board, stages, deals, gate,
                                                              manager):
    """The board shows Pilot as loaded; meanwhile a colleague closes it as lost."""
    from app.pipeline import move_deal

    move_deal(deals["Pilot"], stages["Lost"].id, manager, lost_reason="Chose a rival")
    gate.answer = GateAnswer(override_reason="Pushing on")
    assert not drop(qtbot, board, deals["Pilot"], stages["Qualified"].id)
    assert "changed by someone else" in board.banner.text()
    assert get_deal(deals["Pilot"]).stage_id == stages["Lost"].id


def test_a_dropped_card_moves_at_once_and_goes_back_when_refused(qtbot, board, stages, deals,
                                                                  gate, manager):
    """Optimistic: the card is in its new column before the worker has answered; when the
    move is refused (a colleague closed the deal meanwhile) it leaves that column again and
    the banner says why."""
    from app.pipeline import move_deal

    move_deal(deals["Pilot"], stages["Lost"].id, manager, lost_reason="Chose a rival")
    qualified = stages["Qualified"].id
    with qtbot.waitSignal(board.sig_move_settled) as settled:
        board.drop_deal(deals["Pilot"], qualified)
        assert "Pilot" in titles(board, qualified)  # at once, nothing written yet
    assert settled.args == [deals["Pilot"], False]
    assert "Pilot" not in titles(board, qualified)
    assert "changed by someone else" in board.banner.text()


def test_a_rep_sees_their_own_deals_first_and_each_users_owner_filter_is_remembered(
        qtbot, ui_context, stages, deals, manager, rep):
    ready, qualified = stages["Sales-ready lead"].id, stages["Qualified"].id
    ui_context.set_actor(rep)
    view = BoardView(ui_context)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.sig_loaded):
        pass
    assert (titles(view, ready), titles(view, qualified)) == (["Pilot"], [])  # Ravi's own
    qtbot.waitUntil(lambda: view.owner_combo.currentText() == "Ravi Rep")

    with qtbot.waitSignal(view.sig_loaded):
        view.owner_combo.setCurrentIndex(0)  # Ravi chooses everyone's deals
    assert titles(view, qualified) == ["Renewal"]
    with qtbot.waitSignal(view.sig_loaded):
        ui_context.set_actor(manager)  # a manager sees everyone's until they choose
    assert view.owner_combo.currentText() == "All owners"
    with qtbot.waitSignal(view.sig_loaded):
        view.owner_combo.setCurrentIndex(view.owner_combo.findData(rep.id))
    with qtbot.waitSignal(view.sig_loaded):
        ui_context.set_actor(rep)  # Ravi again: what he chose
    assert view.owner_combo.currentText() == "All owners"
    assert titles(view, qualified) == ["Renewal"]

    ui_context.set_actor(manager)
    later = BoardView(ui_context)  # the manager's next visit: the rep they chose
    qtbot.addWidget(later)
    with qtbot.waitSignal(later.sig_loaded):
        pass
    assert (titles(later, ready), titles(later, qualified)) == (["Pilot"], [])
    qtbot.waitUntil(lambda: later.owner_combo.currentText() == "Ravi Rep")


def test_the_owner_filter_remembered_on_one_database_is_not_read_on_another(
        qtbot, ui_context, deals, manager, rep, tmp_path):
    """Rep ids belong to one database: Maria's choice of Ravi (id 2) on the team's file
    must not make another file's board show whoever has id 2 there."""
    from app import workspace
    from app.users import create_rep
    from ui.context import UiContext

    view = BoardView(ui_context)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.owner_combo.findData(rep.id) >= 0)
    with qtbot.waitSignal(view.sig_loaded):
        view.owner_combo.setCurrentIndex(view.owner_combo.findData(rep.id))
    ui_context.runner.wait()

    other = workspace.open_workspace(tmp_path / "other.sqlite")
    olga = workspace.start_empty("Olga Owner")
    someone = create_rep("Sam Else", role="rep")
    assert (olga.id, someone.id) == (manager.id, rep.id)  # the same ids, other people
    context = UiContext(other, olga)
    elsewhere = BoardView(context)
    qtbot.addWidget(elsewhere)
    qtbot.waitUntil(lambda: elsewhere.owner_combo.findData(someone.id) >= 0)
    assert elsewhere.owner_combo.currentText() == "All owners"  # a manager's default
    context.runner.wait()
