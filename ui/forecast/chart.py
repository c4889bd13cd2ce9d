"""The team's distribution of outcomes: how likely each amount won by the end of the period
is, with the quota marked and the part at or above it in the "on track" colour.

The engine gives the distribution as (won value, probability) points at uneven spacing;
the chart gathers them into equal-width bins (a histogram) so the bars' heights compare.
Themed from the palette, so it follows light and dark with the rest of the window.
"""

from __future__ import annotations

import html
from decimal import Decimal

from PySide6.QtCharts import QAreaSeries, QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from app.forecast import Outlook
from ui.forecast.card import percent
from ui.forecast.chart_style import fresh_chart, style_axis, style_chart, text_colour
from ui.forecast.verdicts import style_of
from ui.formatting import currency_symbol
from ui.theme import accent

BINS = 28


def trimmed(points: tuple[tuple[Decimal, float], ...], tail: float = 0.001
            ) -> tuple[tuple[Decimal, float], ...]:
    """``points`` without the far tails (each holding less than ``tail`` of the
    probability), so the bars use the width for the outcomes that can happen."""
    total, kept = 0.0, []
    for value, probability in points:
        before, total = total, total + probability
        if total >= tail and before <= 1 - tail:
            kept.append((value, probability))
    return tuple(kept) or points


def histogram(points: tuple[tuple[Decimal, float], ...], bins: int = BINS
              ) -> tuple[float, float, list[float]]:
    """(low, bin width, probability per bin) of ``points``; values in the currency unit."""
    values = [float(v) for v, _ in points]
    low, high = min(values), max(values)
    width = (high - low) / bins or 1.0
    mass = [0.0] * bins
    for value, probability in zip(values, (p for _, p in points), strict=True):
        mass[min(int((value - low) / width), bins - 1)] += probability
    return low, width, mass


def _steps(low: float, width: float, mass: list[float], lo: float, hi: float) -> list[QPointF]:
    """The outline of the histogram between ``lo`` and ``hi`` as a step line (in
    thousands), from the axis up and back down."""
    points = [QPointF(lo / 1000, 0)]
    for i, height in enumerate(mass):
        left, right = low + i * width, low + (i + 1) * width
        left, right = max(left, lo), min(right, hi)
        if left >= right:
            continue
        points += [QPointF(left / 1000, height * 100), QPointF(right / 1000, height * 100)]
    points.append(QPointF(hi / 1000, 0))
    return points


class DistributionChart(QChartView):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFixedHeight(270)
        self.chart_ = QChart()
        self.chart_.legend().setVisible(False)
        self.setChart(self.chart_)
        self.quota_value: float | None = None
        self._outlines: list[QLineSeries] = []

    def set_outlook(self, outlook: Outlook, currency: str, period_label: str) -> None:
        chart = self.chart_ = fresh_chart(self)
        chart.legend().setVisible(False)
        for outline in self._outlines:
            outline.deleteLater()
        self._outlines: list[QLineSeries] = []
        style_chart(chart)
        text = text_colour()
        symbol = currency_symbol(currency)
        if len({value for value, _ in outlook.distribution}) < 2:
            # one certain outcome (nothing open, often nothing at all): no spread to draw
            chart.setTitle(f"Team, {period_label}: no open deals yet, so no range of "
                           "outcomes to show")
            return
        low, width, mass = histogram(trimmed(outlook.distribution))
        high = low + width * len(mass)
        quota = float(outlook.quota) if outlook.quota is not None else None
        self.quota_value = quota
        left_end = min(max(quota, low), high) if quota is not None else high
        below = QColor(accent())
        below.setAlpha(120)
        above = QColor(style_of("on track").color())
        above.setAlpha(170)
        for lo, hi, colour in ((low, left_end, below), (left_end, high, above)):
            if hi <= lo:
                continue
            upper = QLineSeries(self)  # the area does not own its outline: keep it alive
            upper.append(_steps(low, width, mass, lo, hi))
            self._outlines.append(upper)
            area = QAreaSeries(upper)
            area.setBrush(colour)
            area.setPen(QPen(colour.darker(120), 1))
            chart.addSeries(area)
        peak = max(mass) * 100 * 1.15
        x_low = min(low, quota if quota is not None else low) * 0.97 / 1000
        x_high = max(high, quota if quota is not None else high) * 1.03 / 1000
        if quota is not None:
            marker = QLineSeries()
            marker.append([QPointF(quota / 1000, 0), QPointF(quota / 1000, peak)])
            marker.setPen(QPen(text, 2, Qt.PenStyle.DashLine))
            chart.addSeries(marker)
            chance = outlook.probability or 0.0
            # the title is rich text: "<1 %" must not read as a tag
            chart.setTitle(html.escape(f"Team, {period_label}: possible outcomes · "
                                       f"{percent(chance)} chance of reaching the quota "
                                       "(dashed)"))
        else:
            chart.setTitle(f"Team, {period_label}: possible outcomes (no quota set)")
        x_axis = QValueAxis()
        x_axis.setRange(x_low, x_high)
        x_axis.setLabelFormat(f"{symbol}%.0fk")
        x_axis.setTickCount(6)
        x_axis.applyNiceNumbers()  # round thousands on the ticks
        y_axis = QValueAxis()
        y_axis.setRange(0, peak)
        y_axis.setLabelFormat("%.0f %%")
        y_axis.setTickCount(4)
        y_axis.applyNiceNumbers()
        style_axis(x_axis, f"won by the end of {period_label}")
        style_axis(y_axis, "chance")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for series in chart.series():
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
