"""The Leads view driven through real widgets: ranking, filter, empty state, hand-off."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.deals import DealDraft, create_deal, get_deal
from app.lead_score import score_leads
from app.pipeline import missing_requirements
from db.models import StageChange
from ui.gate_dialog import GateAnswer, GateDialog
from ui.leads.model import LeadsModel
from ui.leads.view import LeadsView

pytestmark = pytest.mark.gui


def _open(qtbot, context) -> LeadsView:
    view = LeadsView(context)
    qtbot.addWidget(view)
    view.resize(1300, 700)
    view.show()
    qtbot.waitUntil(lambda: not view.loading, timeout=10_000)
    return view


def _reloaded(qtbot, view) -> None:
    qtbot.waitUntil(lambda: not view.loading, timeout=10_000)


@pytest.fixture
def leads(manager, stages):
    """A lead with its checklist half done and a cold one; the first ranks higher."""
    from app.pipeline import set_checked

    warm = create_deal(DealDraft("Warm lead", company="Acme", stage_id=stages["Nurturing"].id),
                       manager)
    cold = create_deal(DealDraft("Cold lead", company="Zenith", stage_id=stages["Suspect"].id),
                       manager)
    for item in missing_requirements(warm.id, stages["Sales-ready lead"].id)[:2]:
        set_checked(warm.id, item.id, True, manager)
    return warm, cold


def test_model_passes_the_model_tester(qtmodeltester, leads):
    model = LeadsModel("USD")
    model.load(score_leads())
    qtmodeltester.check(model)


def test_empty_state_says_what_to_do(qtbot, ui_context):
    view = _open(qtbot, ui_context)
    assert view.pages.currentWidget() is view.empty_label
    assert "Import a spreadsheet" in view.empty_label.text()
    assert not view.handoff_button.isEnabled()


def test_leads_are_ranked_with_why_and_not_ready_marks(qtbot, ui_context, leads):
    warm, cold = leads
    view = _open(qtbot, ui_context)
    model = view.model
    assert [lead.deal_id for lead in model.rows] == [warm.id, cold.id]
    why = model.data(model.index(0, LeadsModel.WHY))
    assert why.startswith("+") and "checklist" in why
    assert model.data(model.index(0, 2)) == "2/7"  # Nurturing 2 + Sales-ready 5
    assert model.data(model.index(0, LeadsModel.STATUS)) == "Not ready"
    tip = model.data(model.index(0, LeadsModel.STATUS), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Missing: ") and "A named buyer" not in tip  # ticked already
    assert "Still needed" in view.detail_missing.text()
    assert view.detail_title.text() == "Warm lead"


def test_search_filters_the_list(qtbot, ui_context, leads):
    view = _open(qtbot, ui_context)
    qtbot.keyClicks(view.search_edit, "zenith")
    assert [lead.title for lead in view.model.rows] == ["Cold lead"]
    assert "1 of 2 leads" in view.count_label.text()
    view.search_edit.clear()
    view.ready_only.setChecked(True)
    assert view.model.rows == []
    assert view.pages.currentWidget() is view.empty_label
    assert "No lead matches" in view.empty_label.text()


def test_hand_a_lead_to_sales_ticking_items_in_the_gate(qtbot, ui_context, leads, rep,
                                                         stages, monkeypatch):
    warm, _cold = leads
    view = _open(qtbot, ui_context)
    asked = []

    def fake_ask(parent, context, gate):
        asked.append((gate.deal_id, gate.stage.id))
        assert [m.id for m in gate.missing] == [
            m.id for m in missing_requirements(gate.deal_id, gate.stage.id)]
        return GateAnswer(ticked=tuple(m.id for m in gate.missing))

    monkeypatch.setattr(GateDialog, "ask", fake_ask)
    view.owner_combo.setCurrentIndex(view.owner_combo.findData(rep.id))
    with qtbot.waitSignal(view.sig_handoff_settled):
        qtbot.mouseClick(view.handoff_button, Qt.MouseButton.LeftButton)
    assert asked == [(warm.id, stages["Sales-ready lead"].id)]
    after = get_deal(warm.id)
    assert (after.owner_id, after.stage_id) == (rep.id, stages["Sales-ready lead"].id)
    assert "is now with Ravi Rep" in view.banner.text()
    _reloaded(qtbot, view)
    assert [lead.title for lead in view.model.rows] == ["Cold lead"]
    # Ctrl+Z (the application's undo stack) sends it back.
    ui_context.undo_stack.undo()
    qtbot.waitUntil(lambda: "Warm lead" in [lead.title for lead in view.model.rows])
    back = get_deal(warm.id)
    assert (back.owner_id, back.stage_id) == (None, stages["Nurturing"].id)


def test_cancelling_the_gate_changes_nothing(qtbot, ui_context, leads, rep, stages,
                                             monkeypatch):
    warm, _cold = leads
    view = _open(qtbot, ui_context)
    monkeypatch.setattr(GateDialog, "ask", lambda *args: None)
    view.owner_combo.setCurrentIndex(view.owner_combo.findData(rep.id))
    with qtbot.waitSignal(view.sig_handoff_settled) as settled:
        view.hand_selected_to_sales()
    assert settled.args == [None]
    after = get_deal(warm.id)
    assert (after.owner_id, after.stage_id) == (None, stages["Nurturing"].id)


def test_a_manager_override_is_recorded(qtbot, ui_context, leads, rep, monkeypatch):
    warm, _cold = leads
    view = _open(qtbot, ui_context)
    monkeypatch.setattr(GateDialog, "ask",
                        lambda *args: GateAnswer(override_reason="Board member intro"))
    view.owner_combo.setCurrentIndex(view.owner_combo.findData(rep.id))
    with qtbot.waitSignal(view.sig_handoff_settled) as settled:
        view.hand_selected_to_sales()
    done = settled.args[0]
    assert done is not None and done.overridden == 2
    change = StageChange.get(StageChange.uuid == done.stage_change_uuid)
    assert change.override_reason == "Board member intro"
    assert get_deal(warm.id).owner_id == rep.id


def test_the_ranking_shows_before_the_hand_off_list_is_read(qtbot, ui_context, leads, rep,
                                                            monkeypatch):
    import threading

    from ui.leads import view as view_module

    released = threading.Event()
    real = view_module.list_rep_rows
    monkeypatch.setattr(view_module, "list_rep_rows",
                        lambda: real() if released.wait(10) else [])
    view = LeadsView(ui_context)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)  # ranked while the reps are read
    assert view.loading and view.owner_combo.count() == 0
    assert not view.handoff_button.isEnabled()
    released.set()
    qtbot.waitUntil(lambda: not view.loading)
    assert view.owner_combo.findData(rep.id) >= 0 and view.handoff_button.isEnabled()
