"""The Reports page on the crafted log of tests/test_reports.py, through real widgets: a
changed period changes the funnel, a click on a funnel bar or on a figure lists the deals
behind it, a double-click opens a deal, a chart copies as an image."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, QPointF, Qt
from PySide6.QtGui import QGuiApplication

from tests.test_reports import build_log
from ui.reports.tables import DEAL_ID_ROLE, IDS_ROLE
from ui.reports.view import ReportsView

pytestmark = pytest.mark.gui


def funnel_counts(view: ReportsView) -> dict[str, int]:
    return {row.name: row.entered for row in view.pages["funnel"].model.rows}


@pytest.fixture
def view(qtbot, ui_context, manager):
    log = build_log(manager)
    widget = ReportsView(ui_context)
    qtbot.addWidget(widget)
    widget.resize(1280, 800)
    widget.show()
    qtbot.waitUntil(lambda: all(p.loaded for p in widget.pages.values()), timeout=10_000)
    widget.log = log
    return widget


def choose_days(qtbot, view: ReportsView, start: date, end: date) -> None:
    view.unit.setCurrentIndex(view.unit.findData("custom"))
    view.from_date.setDate(QDate(start.year, start.month, start.day))
    view.to_date.setDate(QDate(end.year, end.month, end.day))
    qtbot.waitUntil(lambda: view.scope is not None and view.scope.start == start
                    and view.scope.end == end, timeout=10_000)


def test_changing_the_period_changes_the_funnel(qtbot, view):
    choose_days(qtbot, view, date(2025, 1, 1), date(2025, 3, 31))
    qtbot.waitUntil(lambda: funnel_counts(view).get("Suspect") == 4, timeout=10_000)
    assert funnel_counts(view)["Won"] == 3
    choose_days(qtbot, view, date(2025, 4, 1), date(2025, 6, 30))
    qtbot.waitUntil(lambda: set(funnel_counts(view).values()) == {0}, timeout=10_000)


def test_a_click_on_a_funnel_bar_lists_its_deals_and_a_double_click_opens_one(
        qtbot, view, monkeypatch):
    choose_days(qtbot, view, date(2025, 1, 1), date(2025, 3, 31))
    qtbot.waitUntil(lambda: funnel_counts(view).get("Qualified") == 4, timeout=10_000)
    page = view.pages["funnel"]
    chart = page.chart
    rows = page.model.rows
    widest = max(r.entered for r in rows)
    position = len(rows) - 1 - [r.name for r in rows].index("Qualified")  # bottom up
    series = chart.chart_.series()[0]
    point = chart.chart_.mapToPosition(QPointF(widest / 2, position), series)
    target = chart.mapFromScene(chart.chart_.mapToScene(point))
    qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=target)
    qtbot.waitUntil(lambda: view.deals_model.rowCount() == 4, timeout=10_000)
    assert view.drill.isVisible() and "Qualified" in view.drill_title.text()
    titles = {view.deals_model.index(r, 0).data() for r in range(4)}
    assert titles == {"Deal A", "Deal B", "Deal C", "Deal H"}

    from ui.deals.dialog import DealDialog
    opened = []
    monkeypatch.setattr(DealDialog, "show_existing",
                        classmethod(lambda cls, parent, context, deal_id: opened.append(deal_id)))
    first = view.deals_model.index(0, 0)
    rect = view.deals_view.visualRect(first)
    # A double click is a press and release, then the double-click event.
    qtbot.mouseClick(view.deals_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.deals_view.viewport(), Qt.MouseButton.LeftButton,
                      pos=rect.center())
    assert opened == [first.data(DEAL_ID_ROLE)]


def test_a_click_on_a_figure_lists_the_deals_behind_it(qtbot, view):
    choose_days(qtbot, view, date(2025, 1, 1), date(2025, 3, 31))
    view.tabs.setCurrentIndex(list(view.pages).index("sources"))
    page = view.pages["sources"]
    qtbot.waitUntil(lambda: any(r.name == "Web" and r.leads == 4 for r in page.model.rows),
                    timeout=10_000)
    row = next(i for i, r in enumerate(page.model.rows) if r.name == "Web")
    cell = page.model.index(row, 1)  # Leads
    assert cell.data(IDS_ROLE) is not None
    rect = page.table.visualRect(cell)
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: view.deals_model.rowCount() == 4, timeout=10_000)
    assert "Web" in view.drill_title.text()


def test_a_chart_copies_as_an_image(view):
    view.pages["funnel"].chart.copy_image()
    assert not QGuiApplication.clipboard().pixmap().isNull()


def test_the_tables_are_sound_models(qtmodeltester, view):
    for page in view.pages.values():
        qtmodeltester.check(page.model)
    qtmodeltester.check(view.deals_model)
