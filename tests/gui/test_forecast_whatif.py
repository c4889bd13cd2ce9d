"""The Forecast page's What if and Trend & track record sections on the demo team's database
("today" pinned): a slider moves the figures, the table and the chart; the capacity-bound
prospector's loss under a lead flood is shown; Ctrl+R resets; a typed cost is remembered;
the trend drawn is the engine's; the track record fills in period by period and cancels."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QCoreApplication, Qt

from app import settings, users
from app.forecast import apply_levers, forecast_trend, parse_period
from app.workspace import close_workspace, open_workspace
from tests.conftest import DEMO_TODAY
from ui.context import UiContext
from ui.forecast.curves_chart import stops_paying
from ui.forecast.trend_chart import msecs
from ui.forecast.view import ForecastView
from ui.formatting import format_money
from ui.theme import DANGER

pytestmark = pytest.mark.gui

TODAY = DEMO_TODAY  # the day the shared demo team (tests/conftest.py) is made as of
PERIOD = parse_period("2026-Q4", 1)


@pytest.fixture
def view(qtbot, demo_path, monkeypatch, qsettings_isolated):
    monkeypatch.setattr("app.clock.local_today", lambda: TODAY)
    monkeypatch.setattr("ui.forecast.view.local_today", lambda: TODAY)
    workspace = open_workspace(str(demo_path))
    manager = next(r for r in users.list_reps() if r.role == "manager")
    context = UiContext(workspace, manager)
    widget = ForecastView(context)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitUntil(lambda: widget.forecast is not None, timeout=20_000)
    yield widget
    widget.track.cancel_record(quiet=True)
    context.runner.wait()
    close_workspace()


def open_whatif(qtbot, view):
    view.section_bar.setCurrentIndex(1)
    qtbot.waitUntil(lambda: view.whatif.base is not None, timeout=20_000)
    return view.whatif


def row_of(model, name: str) -> int:
    return next(i for i, p in enumerate(model.rows) if p.rep_name == name)


def test_a_slider_moves_the_figures_the_table_and_the_chart(qtbot, view):
    panel = open_whatif(qtbot, view)
    card = panel.cards["leads"]
    today = card.figures["revenue"].text()
    assert today == format_money(panel.result.levers[0].team.baseline_revenue, "USD")
    panel.reset_button.setFocus()
    qtbot.waitUntil(panel.reset_button.hasFocus)
    qtbot.keyClick(panel.reset_button, Qt.Key.Key_Tab)  # the sliders are on the Tab chain
    assert card.slider.hasFocus()
    for _ in range(10):  # PageUp: +10 % each, from the keyboard
        qtbot.keyClick(card.slider, Qt.Key.Key_PageUp)
    assert card.slider.value() == 100 and card.size_label.text() == "+100 % leads"
    flood = next(r for r in apply_levers(panel.base, 1.0, 0, 0).levers if r.lever == "leads")
    assert card.figures["revenue"].text() == format_money(flood.team.revenue, "USD") != today
    # the capacity-bound prospector loses revenue, in red, with the leads he cannot work
    tom = row_of(panel.model, "Tom Becker")
    gain = panel.model.index(tom, 3)
    assert gain.data().startswith("−") and gain.data(Qt.ItemDataRole.ForegroundRole) == DANGER
    assert "Tom Becker" in card.warning.text() and card.warning.isVisibleTo(panel)
    assert panel.chart.dots["leads"].points()[0].x() == pytest.approx(100)
    # picking Tom shows his curves: the lead flood's curve falls
    panel.table.selectRow(tom)
    assert "Tom Becker" in panel.chart.chart().title()
    line = panel.chart.lines["leads"].points()
    assert line[-1].y() < line[0].y()
    assert panel.chart.rings["leads"].points()[0].x() == 0  # a lead flood never pays for him
    # Ctrl+R: back to today
    qtbot.keyClick(card.slider, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert card.slider.value() == 0 and card.figures["revenue"].text() == today
    assert panel.tick_ms < 1000  # recorded; the figure itself is in the report, not a test


def test_a_typed_cost_is_remembered_and_used(qtbot, view):
    panel = open_whatif(qtbot, view)
    card = panel.cards["conversion"]
    card.slider.setValue(10)
    assert card.figures["cost"].text() == format_money(
        panel.base.costs.training_per_rep * len(panel.base.reps), "USD")
    card.cost_edit.setFocus()
    card.cost_edit.selectAll()
    qtbot.keyClicks(card.cost_edit, "1000")
    qtbot.keyClick(card.cost_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.base.costs.training_per_rep == 1000, timeout=20_000)
    assert settings.get("whatif_training_cost_per_rep") == "1000.00"
    assert card.figures["cost"].text() == format_money(Decimal(1000) * len(panel.base.reps), "USD")
    assert card.slider.value() == 10  # a reload keeps the levers where they were


def test_the_trend_drawn_is_the_engines(qtbot, view):
    with qtbot.waitSignal(view.track.sig_trend_shown, timeout=60_000):
        view.section_bar.setCurrentIndex(2)
    expected = forecast_trend(PERIOD, TODAY)
    team = [(p.x(), p.y()) for p in view.track.trend_chart.lines["Team"].points()]
    assert team == [(msecs(p.as_of), pytest.approx(p.team * 100)) for p in expected]
    tom = [p.y() for p in view.track.trend_chart.lines["Tom Becker"].points()]
    assert tom == [pytest.approx(dict((n, v) for _i, n, v in p.reps)["Tom Becker"] * 100)
                   for p in expected]


def test_the_track_record_fills_in_as_each_period_arrives(qtbot, view):
    track = view.track
    with qtbot.waitSignal(track.sig_period_added, timeout=60_000) as first:
        view.section_bar.setCurrentIndex(2)
    assert first.args[0].period.label == "2026-Q2"
    assert track.model.rowCount() == len({c.rep_id for c in first.args[0].checks})
    assert track.cancel_button.isVisibleTo(track)  # still checking 2026-Q3
    qtbot.waitUntil(lambda: not track.cancel_button.isVisibleTo(track), timeout=60_000)
    assert [r.period.label for r in track.records] == ["2026-Q2", "2026-Q3"]
    assert "too short a history to judge" in track.judgement.text()
    assert track.reliability.isVisibleTo(track)  # 72 checks: enough for the chart
    # Check again, then cancel at once: nothing more arrives, and it says so
    track.load_record()
    track.cancel_record()
    assert "Stopped after 0 quarters" in track.progress_text.text()
    view.context.runner.wait()
    QCoreApplication.processEvents()  # the cancelled run's late signals: dropped
    assert track.records == [] and track.model.rowCount() == 0


def test_a_lever_stops_paying_where_no_further_step_adds_a_point():
    sizes = (0.0, 0.25, 0.5, 0.75, 1.0)
    assert stops_paying(sizes, (0.10, 0.20, 0.25, 0.255, 0.256)) == 2
    assert stops_paying(sizes, (0.10, 0.05, 0.02, 0.01, 0.0)) == 0  # never pays
    assert stops_paying(sizes, (0.1, 0.2, 0.3, 0.4, 0.5)) == 4  # still paying at full scale
    assert stops_paying(sizes, (None,) * 5) is None  # no quota


def test_redrawing_the_curves_leaves_nothing_of_the_old_chart(qtbot):
    from app.forecast import LeverCurve
    from ui.forecast.curves_chart import TEAM, LeverCurvesChart

    curve = LeverCurve("leads", (0.0, 1.0), (0.0, 1.0), (0.1, 0.2), (), ((1, (0.3, 0.5)),))
    chart = LeverCurvesChart()
    qtbot.addWidget(chart)
    chart.resize(800, 300)
    chart.show()
    chart.set_curves((curve,), TEAM, "Team")
    QCoreApplication.processEvents()  # laid out: axes' ticks and labels made
    drawn = len(chart.scene().items())
    chart.resize(800, 500)
    chart.set_curves((curve,), 1, "Tom")  # a rep picked: redrawn at another size
    QCoreApplication.processEvents()
    assert len(chart.scene().items()) == drawn  # no stale grid or labels left in the scene
