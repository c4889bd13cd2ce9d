"""The Reports' charts (QtCharts), themed from the palette like the Forecast's.

Every chart is a :class:`ReportChart`: it re-draws itself from its last data when the
palette changes (light ↔ dark), offers "Copy chart as image" on a right-click, and reports a
click on a bar as ``sig_bar(caption, deal ids)`` so the view can list the deals behind it.

Signals:
    sig_bar(caption: str, ids: tuple[int, ...]) — a bar was clicked
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QEvent, QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from app.reports import Funnel, HandoffReport, SourceReport, TimeMoneyReport, VelocityReport
from ui.formatting import currency_symbol, format_money
from ui.theme import SUCCESS, WARNING, accent, muted_text

MARKETING = QColor("#8b5cf6")  # the marketing side, beside the accent blue of the sales side


def percent_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{float(value) * 100:.0f} %"


class ReportChart(QChartView):
    sig_bar = Signal(object, object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(260)
        self.chart_ = QChart()
        self.chart_.setMargins(QMargins(6, 6, 6, 6))
        self.chart_.setBackgroundRoundness(10)
        self.chart_.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self.setChart(self.chart_)
        self._data = None
        self._currency = "USD"
        self._keep: list = []  # series and sets alive while drawn

    # ---------------------------------------------------------------- contract
    def show_data(self, data, currency: str) -> None:
        self._data, self._currency = data, currency
        self._redraw()

    def draw(self, data, currency: str) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ common
    def _redraw(self) -> None:
        chart = self.chart_
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        self._keep = []
        self._theme()
        if self._data is not None:
            self.draw(self._data, self._currency)

    def _theme(self) -> None:
        palette = QApplication.palette()
        chart = self.chart_
        chart.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
        chart.setBackgroundPen(QPen(palette.color(QPalette.ColorRole.Mid)))
        title_font = QFont(QApplication.font())
        title_font.setBold(True)
        chart.setTitleFont(title_font)
        chart.setTitleBrush(palette.color(QPalette.ColorRole.WindowText))
        chart.legend().setLabelColor(palette.color(QPalette.ColorRole.WindowText))

    def _style_axis(self, axis, title: str = "") -> None:
        line = QApplication.palette().color(QPalette.ColorRole.Mid)
        axis.setLabelsBrush(muted_text())
        axis.setGridLineColor(line)
        axis.setLinePenColor(line)
        axis.setTitleBrush(muted_text())
        if title:
            axis.setTitleText(title)

    def _axes(self, categories: Sequence[str], top: float, label_format: str,
              value_title: str, horizontal: bool = False) -> tuple:
        names = QBarCategoryAxis()
        names.append(list(categories))
        values = QValueAxis()
        values.setRange(0, top if top > 0 else 1)
        values.setLabelFormat(label_format)
        values.setTickCount(5)
        values.applyNiceNumbers()
        self._style_axis(names)
        self._style_axis(values, value_title)
        if horizontal:
            self.chart_.addAxis(values, Qt.AlignmentFlag.AlignBottom)
            self.chart_.addAxis(names, Qt.AlignmentFlag.AlignLeft)
        else:
            self.chart_.addAxis(names, Qt.AlignmentFlag.AlignBottom)
            self.chart_.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        for series in self.chart_.series():
            series.attachAxis(names)
            series.attachAxis(values)
        return names, values

    def _bar_set(self, label: str, colour: QColor, values: Sequence[float],
                 on_click: Callable[[int], None] | None) -> QBarSet:
        bars = QBarSet(label)
        bars.append([float(v) for v in values])
        bars.setColor(colour)
        bars.setBorderColor(colour)
        bars.setLabelColor(QApplication.palette().color(QPalette.ColorRole.WindowText))
        if on_click is not None:
            bars.clicked.connect(on_click)
        self._keep.append(bars)
        return bars

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._redraw()

    def contextMenuEvent(self, event) -> None:
        menu = QMenu(self)
        menu.addAction("Copy chart as image", self.copy_image)
        menu.exec(event.globalPos())

    def copy_image(self) -> None:
        """Put the chart, as drawn now, on the clipboard (paste it into a slide or a mail)."""
        QGuiApplication.clipboard().setPixmap(self.grab())


class FunnelChart(ReportChart):
    """The stages as a centred funnel (widest at the top), marketing side in violet and
    sales side in the accent; each stage's label says how many entered and how many went on."""

    def draw(self, funnel: Funnel, currency: str) -> None:
        rows = list(reversed(funnel.rows))  # the category axis counts from the bottom
        widest = max((r.entered for r in rows), default=0) or 1
        self.chart_.setTitle(f"Funnel, {funnel.scope.label}: deals that entered each stage")
        self.chart_.legend().setVisible(True)
        series = QHorizontalStackedBarSeries()
        series.setBarWidth(0.8)
        pad = [(widest - r.entered) / 2 for r in rows]
        clear = QColor(0, 0, 0, 0)

        def clicked(i: int) -> None:
            row = rows[i]
            self.sig_bar.emit(f"{row.name}: {row.entered} deals entered in "
                              f"{funnel.scope.label}", row.entered_ids)

        left = self._bar_set("", clear, pad, clicked)
        marketing = self._bar_set("Marketing side", MARKETING,
                                  [r.entered if r.side == "marketing" else 0 for r in rows],
                                  clicked)
        sales = self._bar_set("Sales side", accent(),
                              [r.entered if r.side == "sales" else 0 for r in rows], clicked)
        right = self._bar_set("", clear, pad, clicked)
        for bars in (left, marketing, sales, right):
            series.append(bars)
        self.chart_.addSeries(series)
        for marker in self.chart_.legend().markers(series):
            marker.setVisible(bool(marker.label()))
        labels = []
        for r in rows:
            onward = f" · {percent_text(r.to_next)} on" if r.to_next is not None else ""
            labels.append(f"{r.name}  {r.entered}{onward}")
        _names, values = self._axes(labels, widest, "%.0f", "", horizontal=True)
        values.setVisible(False)


class TrendChart(ReportChart):
    """Won value per month (bars) with the win rate (line, right axis), twelve months."""

    def draw(self, report: VelocityReport, currency: str) -> None:
        points = report.trend
        who = "team" if report.scope.rep_id is None else report.reps[0].name \
            if report.reps else "rep"
        self.chart_.setTitle(f"Won per month and win rate, last twelve months ({who})")
        self.chart_.legend().setVisible(True)
        series = QBarSeries()

        def clicked(i: int) -> None:
            p = points[i]
            self.sig_bar.emit(f"Won in {p.month:%B %Y}: {p.won} deals", p.won_ids)

        series.append(self._bar_set("Won", accent(),
                                    [p.won_value / 1000 for p in points], clicked))
        self.chart_.addSeries(series)
        top = max((float(p.won_value) / 1000 for p in points), default=0) * 1.1
        names, _values = self._axes([f"{p.month:%b %y}" for p in points], top,
                                    f"{currency_symbol(currency)}%.0fk", "won")
        rate = QLineSeries()
        rate.setName("Win rate (right)")
        rate.setPen(QPen(SUCCESS, 2.5))
        rate.setPointsVisible(True)
        for i, p in enumerate(points):
            if p.win_rate is not None:
                rate.append(QPointF(i, float(p.win_rate) * 100))
        self.chart_.addSeries(rate)
        self._keep.append(rate)
        percent_axis = QValueAxis()
        percent_axis.setRange(0, 100)
        percent_axis.setLabelFormat("%.0f %%")
        percent_axis.setTickCount(5)
        self._style_axis(percent_axis)
        percent_axis.setGridLineVisible(False)
        self.chart_.addAxis(percent_axis, Qt.AlignmentFlag.AlignRight)
        rate.attachAxis(names)
        rate.attachAxis(percent_axis)


class SourcesChart(ReportChart):
    """Per source: what it cost in the period beside the profit its wins brought."""

    def draw(self, report: SourceReport, currency: str) -> None:
        rows = report.sources
        margin = report.gross_margin
        self.chart_.setTitle(f"Spend and profit from wins by source, {report.scope.label} "
                             f"(gross margin {percent_text(margin)})")
        self.chart_.legend().setVisible(True)
        series = QBarSeries()
        profit = [r.won_value * margin / 1000 for r in rows]

        def spend_clicked(i: int) -> None:
            r = rows[i]
            self.sig_bar.emit(f"{r.name}: {r.leads} leads for "
                              f"{format_money(r.spend, currency)}", r.lead_ids)

        def profit_clicked(i: int) -> None:
            r = rows[i]
            self.sig_bar.emit(f"{r.name}: {r.wins} wins, {format_money(r.won_value, currency)}",
                              r.won_ids)

        spend = [r.spend / 1000 for r in rows]
        series.append(self._bar_set("Spend", WARNING, spend, spend_clicked))
        series.append(self._bar_set("Profit from wins", SUCCESS, profit, profit_clicked))
        self.chart_.addSeries(series)
        top = max([float(v) for v in (*profit, *spend)] or [0]) * 1.1
        self._axes([r.name for r in rows], top, f"{currency_symbol(currency)}%.0fk", "")


class HandoffChart(ReportChart):
    """Win rate of leads handed over sales-ready beside those handed over too early."""

    def draw(self, report: HandoffReport, currency: str) -> None:
        groups = (report.ready, report.not_ready)
        self.chart_.setTitle(f"Win rate by how leads were handed to sales, {report.scope.label}")
        self.chart_.legend().setVisible(False)
        series = QBarSeries()
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value %")
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)

        def clicked(i: int) -> None:
            g = groups[i]
            self.sig_bar.emit(f"{g.label}: {g.handed} leads handed over in "
                              f"{report.scope.label}", g.handed_ids)

        series.append(self._bar_set("Win rate", accent(),
                                    [round(float(g.win_rate or 0) * 100) for g in groups],
                                    clicked))
        self.chart_.addSeries(series)
        self._axes([f"{g.label} ({g.handed})" for g in groups], 100, "%.0f %%", "won of closed")


class TimeChart(ReportChart):
    """Revenue per selling hour per rep, with the target as a dashed line."""

    def draw(self, report: TimeMoneyReport, currency: str) -> None:
        rows = report.reps
        symbol = currency_symbol(currency)
        self.chart_.setTitle(f"Revenue per selling hour, {report.scope.label} "
                             f"(target {format_money(report.target, currency)}, dashed)")
        self.chart_.legend().setVisible(False)
        series = QBarSeries()

        def clicked(i: int) -> None:
            r = rows[i]
            self.sig_bar.emit(f"{r.name}: won in {report.scope.label}", r.won_ids)

        series.append(self._bar_set("Revenue per selling hour", accent(),
                                    [r.revenue_per_hour or 0 for r in rows], clicked))
        self.chart_.addSeries(series)
        top = max([float(r.revenue_per_hour or 0) for r in rows] + [float(report.target)]) * 1.15
        _names, values = self._axes([r.name for r in rows], top, f"{symbol}%.0f", "per hour")
        target = QLineSeries()
        target.setPen(QPen(QApplication.palette().color(QPalette.ColorRole.WindowText), 2,
                           Qt.PenStyle.DashLine))
        target.append([QPointF(0, float(report.target)), QPointF(1, float(report.target))])
        self.chart_.addSeries(target)
        self._keep.append(target)
        across = QValueAxis()
        across.setRange(0, 1)
        across.setVisible(False)
        self.chart_.addAxis(across, Qt.AlignmentFlag.AlignTop)
        target.attachAxis(across)
        target.attachAxis(values)
