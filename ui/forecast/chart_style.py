"""The look every Forecast chart shares: background, frame, title and axes from the palette,
so the charts follow light and dark with the rest of the window, and one series colour per
lever or rep that reads on both."""

from __future__ import annotations

import shiboken6
from PySide6.QtCharts import QAbstractAxis, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins
from PySide6.QtGui import QColor, QFont, QPalette, QPen
from PySide6.QtWidgets import QApplication

from ui.theme import ACCENT, ACCENT_DARK, DANGER, SUCCESS, WARNING, is_dark, muted_text

# Series colours in order (the team's line is drawn in the window's text colour).
SERIES_LIGHT = (ACCENT, SUCCESS, WARNING, QColor("#7c3aed"), QColor("#0e7490"), DANGER,
                QColor("#be185d"), QColor("#4d7c0f"))
SERIES_DARK = (ACCENT_DARK, QColor("#4ade80"), QColor("#fbbf24"), QColor("#a78bfa"),
               QColor("#22d3ee"), QColor("#fb923c"), QColor("#f472b6"), QColor("#a3e635"))


def series_colour(index: int) -> QColor:
    colours = SERIES_DARK if is_dark() else SERIES_LIGHT
    return QColor(colours[index % len(colours)])


def text_colour() -> QColor:
    return QApplication.palette().color(QPalette.ColorRole.WindowText)


def fresh_chart(view: QChartView) -> QChart:
    """Give ``view`` a new, empty chart and delete the old one: a chart re-used after its
    view was resized keeps drawing its previous plot area's grid."""
    old = view.chart()
    chart = QChart()
    view.setChart(chart)
    shiboken6.delete(old)
    return chart


def style_chart(chart: QChart) -> None:
    """Background, frame and title font from the palette."""
    palette = QApplication.palette()
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(10)
    chart.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
    chart.setBackgroundPen(QPen(palette.color(QPalette.ColorRole.Mid)))
    title_font = QFont(QApplication.font())
    title_font.setBold(True)
    chart.setTitleFont(title_font)
    chart.setTitleBrush(text_colour())
    legend = chart.legend()
    legend.setLabelColor(text_colour())


def style_axis(axis: QAbstractAxis, title: str) -> None:
    """Muted labels and grid, titled (every axis says what it measures)."""
    line = QApplication.palette().color(QPalette.ColorRole.Mid)
    axis.setLabelsBrush(muted_text())
    axis.setGridLineColor(line)
    axis.setLinePenColor(line)
    axis.setTitleBrush(muted_text())
    axis.setTitleText(title)


def percent_axis(title: str, high: float = 100.0) -> QValueAxis:
    """A 0–``high`` % axis (probabilities are drawn in percent)."""
    axis = QValueAxis()
    axis.setRange(0, high)
    axis.setLabelFormat("%.0f %%")
    axis.setTickCount(6)
    style_axis(axis, title)
    return axis
