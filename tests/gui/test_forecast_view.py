"""The Forecast page driven through real widgets: cards built from hand-made outlooks, the
deals table, the distribution chart, and the whole page on a real database — a quota typed
into the grid moves the card, a click opens the deals, a double-click opens a deal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from app.clock import local_today
from app.deals import DealDraft, create_deal
from app.forecast import DealChance, Forecast, Outlook, StageRate, period_of
from app.users import create_rep
from ui.context import Topic, UiContext
from ui.forecast.card import OutlookCard, percent
from ui.forecast.chart import DistributionChart, histogram, trimmed
from ui.forecast.deals_model import DEAL_ID_ROLE, DealChancesModel
from ui.forecast.view import ForecastView
from ui.formatting import format_money

pytestmark = pytest.mark.gui

RATE = StageRate(5, "Proposal", 0.65, 0.7, 83, 0.69)


def chance(title: str, value: str, p_win: float, p_in: float) -> DealChance:
    worth = Decimal(value)
    return DealChance(1, "u-" + title, title, "Acme", "Proposal", worth, RATE, p_win, p_in,
                      (worth * Decimal(p_win * p_in)).quantize(Decimal("0.01")))


def outlook(**changes) -> Outlook:
    fields = dict(
        rep_id=7, rep_name="Lena Fischer", quota=Decimal("110000"), won=Decimal("61000"),
        open_expected=Decimal("15418"), new_pipeline_expected=Decimal("0"),
        expected=Decimal("76418"), probability=0.00003, gap=Decimal("33582"),
        leads_needed=10, hours_needed=239.4, hours_available=122.0,
        verdict="capacity-bound",
        reason="The 10 more leads needed would take 239 hours but only 122 are left.",
        deals=(chance("Small", "1000", 0.5, 0.5), chance("Big", "20000", 0.6, 0.9)),
        distribution=((Decimal("61000"), 0.2), (Decimal("70000"), 0.5),
                      (Decimal("90000"), 0.3)),
    )
    fields.update(changes)
    return Outlook(**fields)


# ------------------------------------------------------------ widgets on hand-made data

def test_a_card_reads_at_a_glance_without_colour(qtbot):
    card = OutlookCard(outlook(), "USD")
    qtbot.addWidget(card)
    assert card.name.text() == "Lena Fischer"
    assert "Capacity-bound" in card.verdict.text()
    assert card.probability.text() == percent(0.00003) and card.probability.text().startswith("<")
    assert format_money(Decimal("61000"), "USD") in card.figures.text()
    assert format_money(Decimal("110000"), "USD") in card.figures.text()
    assert "only 122 are left" in card.reason.text()
    assert "<b>10</b> more leads" in card.needs.text()
    assert "239 h" in card.needs.text() and "122 h left" in card.needs.text()
    assert "color:" in card.needs.text()  # hours short: the hours are marked


def test_a_card_without_a_quota_says_so_and_updates_in_place(qtbot):
    card = OutlookCard(outlook(quota=None, probability=None, verdict="no quota",
                               reason="No quota is set for this period."), "EUR")
    qtbot.addWidget(card)
    assert card.probability.text() == "—"
    assert card.probability_caption.text() == "no quota set for this period"
    assert "No quota" in card.verdict.text() and card.needs.text() == ""
    card.set_outlook(outlook(verdict="on track", probability=0.91), "EUR")
    assert "On track" in card.verdict.text() and card.probability.text() == percent(0.91)


def test_clicking_a_card_asks_for_its_deals(qtbot):
    card = OutlookCard(outlook(), "USD")
    qtbot.addWidget(card)
    card.show()
    with qtbot.waitSignal(card.sig_open) as opened:
        qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    assert opened.args == [7]
    with qtbot.waitSignal(card.sig_open):
        qtbot.keyClick(card, Qt.Key.Key_Return)


def test_the_deals_model_puts_the_largest_contribution_first(qtmodeltester):
    model = DealChancesModel()
    qtmodeltester.check(model)
    model.set_deals(outlook().deals, "USD")
    qtmodeltester.check(model)
    assert [model.index(r, 0).data() for r in range(2)] == ["Big", "Small"]
    assert model.index(0, 4).data() == f"{percent(0.65)} / {percent(0.7)} (83)"
    assert model.index(0, 7).data() == format_money(Decimal("10800"), "USD")
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert model.index(0, 3).data(Qt.ItemDataRole.TextAlignmentRole) == right
    assert model.headerData(3, Qt.Orientation.Horizontal,
                            Qt.ItemDataRole.TextAlignmentRole) == right


def test_the_histogram_keeps_every_bit_of_probability():
    low, width, mass = histogram(outlook().distribution, bins=4)
    assert low == 61000 and width == pytest.approx(7250)
    assert mass == pytest.approx([0.2, 0.5, 0.0, 0.3])


def test_the_far_tails_are_left_out_of_the_bars():
    points = ((Decimal(1), 0.0001), (Decimal(2), 0.5), (Decimal(3), 0.4999),
              (Decimal(900), 0.0000001))
    assert [v for v, _ in trimmed(points)] == [Decimal(2), Decimal(3)]


def test_the_chart_marks_the_quota_or_says_there_is_none(qtbot):
    chart = DistributionChart()
    qtbot.addWidget(chart)
    chart.set_outlook(outlook(probability=0.4), "USD", "2026-Q4")
    assert chart.quota_value == 110000
    assert "40 % chance of reaching the quota" in chart.chart().title()
    chart.set_outlook(outlook(probability=0.001), "USD", "2026-Q4")
    assert "&lt;1 % chance" in chart.chart().title()  # rich text: shown as "<1 %"
    assert len(chart.chart().series()) == 2  # the bars below the quota, and the marker
    chart.set_outlook(outlook(quota=None, probability=None), "USD", "2026-Q4")
    assert "no quota set" in chart.chart().title()
    for certain in ((), ((Decimal(0), 1.0),)):
        chart.set_outlook(outlook(distribution=certain), "USD", "2026-Q4")
        assert "no range of outcomes" in chart.chart().title()
        assert chart.chart().series() == [] and chart.chart().axes() == []


# -------------------------------------------------------------- the page on a database

@pytest.fixture
def deal(rep, stages, manager):
    return create_deal(DealDraft("Roof for Acme", company="Acme", owner_id=rep.id,
                                 stage_id=stages["Proposal"].id, value=Decimal("40000"),
                                 expected_close=local_today() + timedelta(days=3)), manager)


def loaded(view: ForecastView) -> bool:
    return view.forecast is not None and view.status.text().startswith("As of")


@pytest.fixture
def view(qtbot, ui_context, deal):
    widget = ForecastView(ui_context)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitUntil(lambda: loaded(widget))
    return widget


def test_a_quota_typed_into_the_grid_moves_the_card(qtbot, view, rep, ui_context):
    card = view.cards[rep.id]
    assert "No quota" in card.verdict.text() and card.probability.text() == "—"
    assert view.banner.isVisibleTo(view)

    view.quotas_button.click()
    grid = view._quota_window.panel
    qtbot.waitUntil(lambda: grid.model.grid is not None)
    quarter = period_of(local_today()).label
    column = 1 + [p.label for p in grid.model.grid.periods].index(quarter)
    row = grid.model.row_of(rep.id)
    grid.table.setFocus()
    grid.table.setCurrentIndex(grid.model.index(row, column))
    qtbot.keyClick(grid.table, "1")
    editor = grid.table.findChild(QLineEdit)
    qtbot.keyClicks(editor, "0000")
    qtbot.keyClick(editor, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: "No quota" not in card.verdict.text(), timeout=10_000)
    assert view.cards[rep.id] is card  # updated in place, not rebuilt
    assert card.probability.text().endswith("%")
    assert format_money(Decimal("10000"), "USD") in card.figures.text()
    assert not view.banner.isVisibleTo(view)  # the team now has the reps' sum

    view._quota_window.close()  # Ctrl+Z still works once the window is closed
    ui_context.undo_stack.undo()
    qtbot.waitUntil(lambda: "No quota" in card.verdict.text(), timeout=10_000)


def test_a_card_opens_its_deals_and_a_deal_opens_its_dialog(qtbot, view, rep, deal,
                                                            monkeypatch):
    from ui.deals.dialog import DealDialog

    opened = []
    monkeypatch.setattr(DealDialog, "show_existing",
                        classmethod(lambda cls, parent, context, deal_id: opened.append(deal_id)))
    qtbot.mouseClick(view.cards[rep.id], Qt.MouseButton.LeftButton)
    assert view.pages.currentIndex() == 1
    assert "Ravi Rep" in view.detail_title.text()
    assert view.deals_model.rowCount() == 1
    index = view.deals_model.index(0, 0)
    assert index.data() == "Roof for Acme" and index.data(DEAL_ID_ROLE) == deal.id
    rect = view.deals_view.visualRect(index)
    # A double click is a press and release, then the double-click event.
    qtbot.mouseClick(view.deals_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.deals_view.viewport(), Qt.MouseButton.LeftButton,
                      pos=rect.center())
    assert opened == [deal.id]
    qtbot.mouseClick(view.back_button, Qt.MouseButton.LeftButton)
    assert view.pages.currentIndex() == 0


def test_the_page_recomputes_when_deals_change(qtbot, view, rep, stages, manager,
                                               ui_context):
    view.open_card(None)
    assert view.deals_model.rowCount() == 1
    create_deal(DealDraft("Door for Beta", owner_id=rep.id, stage_id=stages["Qualified"].id,
                          value=Decimal("5000")), manager)
    ui_context.bus.changed(Topic.DEALS)
    qtbot.waitUntil(lambda: view.deals_model.rowCount() == 2)
    assert view.pages.currentIndex() == 1  # the drill-down stays open, refreshed


def test_a_rep_sees_their_own_card_first(qtbot, workspace, manager, rep, deal):
    other = create_rep("Aaron Able", role="rep")
    context = UiContext(workspace, rep)
    widget = ForecastView(context)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: loaded(widget))
    first = widget.rep_grid.itemAtPosition(0, 0).widget()
    assert first.rep_id == rep.id and first.mine
    assert first.probability_caption.text() == "no quota set for you"
    assert widget.rep_grid.itemAtPosition(0, 1).widget().rep_id == other.id
    context.runner.wait()


def test_the_period_picker_steps_through_quarters(qtbot, view):
    current = view.forecast.period
    view.stepper.next.click()
    qtbot.waitUntil(lambda: view.forecast.period == current.shifted(1))
    assert view.stepper.label.text().startswith(current.shifted(1).label)
    view.stepper.current.click()
    qtbot.waitUntil(lambda: view.forecast.period == current)


def test_the_view_builds_against_a_hand_made_forecast(qtbot, ui_context, monkeypatch):
    """The page shows whatever the engine returns: two reps and the team, in order."""
    import ui.forecast.view as page

    team = outlook(rep_id=None, rep_name="Team", verdict="needs more pipeline")
    made = Forecast(period_of(local_today()), local_today(),
                    (outlook(rep_id=101, rep_name="Bea"), outlook(rep_id=102, rep_name="Cal")),
                    team, (RATE,))
    monkeypatch.setattr(page, "compute_forecast", lambda period, as_of=None: made)
    widget = ForecastView(ui_context)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.forecast is made)
    assert [widget.rep_grid.itemAt(i).widget().name.text() for i in range(2)] == ["Bea", "Cal"]
    assert "Needs more pipeline" in widget.cards[None].verdict.text()


def test_switching_user_puts_the_new_users_card_first(qtbot, view, manager, rep, ui_context):
    other = create_rep("Aaron Able", role="rep")
    ui_context.bus.changed(Topic.REPS)
    qtbot.waitUntil(lambda: other.id in view.cards)
    assert view.rep_grid.itemAtPosition(0, 0).widget().rep_id == other.id
    ui_context.set_actor(other)  # already first by name: only the marking changes
    qtbot.waitUntil(lambda: view.cards[other.id].mine)
    first = view.rep_grid.itemAtPosition(0, 0).widget()
    assert first is view.cards[other.id]
    # a widget added to a shown layout is shown on the next turn of the event loop
    qtbot.waitUntil(lambda: first.isVisibleTo(view))
    ui_context.set_actor(rep)
    qtbot.waitUntil(lambda: view.rep_grid.itemAtPosition(0, 0).widget().rep_id == rep.id)
    first = view.rep_grid.itemAtPosition(0, 0).widget()
    assert first.mine and first is view.cards[rep.id]
    assert not view.rep_grid.itemAtPosition(0, 1).widget().mine
