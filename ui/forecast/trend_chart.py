"""The trend: the chance of quota as the forecast gave it at the end of each week of the
period so far (and today), one line per rep and a heavier one for the team — from
:func:`app.forecast.forecast_trend`, point for point."""

from __future__ import annotations

import html
from datetime import date, datetime, time

from PySide6.QtCharts import QChart, QChartView, QDateTimeAxis, QLineSeries
from PySide6.QtCore import QDateTime, QPointF, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsView, QWidget

from app.forecast import TrendPoint
from ui.forecast.chart_style import (
    fresh_chart,
    percent_axis,
    series_colour,
    style_axis,
    style_chart,
    text_colour,
)


def msecs(day: date) -> float:
    return float(QDateTime(datetime.combine(day, time(12))).toMSecsSinceEpoch())


class TrendChart(QChartView):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setMinimumHeight(300)
        self.chart_ = QChart()
        self.setChart(self.chart_)
        style_chart(self.chart_)
        self.lines: dict[str, QLineSeries] = {}

    def set_trend(self, points: tuple[TrendPoint, ...], period_label: str) -> None:
        """One line per rep with a quota, and the team's; a point per week's end."""
        chart = self.chart_ = fresh_chart(self)
        self.lines = {}
        style_chart(chart)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        series: dict[str, list[tuple[date, float]]] = {}
        for point in points:
            for _rep_id, name, probability in point.reps:
                if probability is not None:
                    series.setdefault(name, []).append((point.as_of, probability))
            if point.team is not None:
                series.setdefault("Team", []).append((point.as_of, point.team))
        if not series:
            chart.legend().setVisible(False)
            chart.setTitle(html.escape(
                f"{period_label}: no quotas set, so no chance of quota to follow"
                if points else f"{period_label} has not started: no trend yet"))
            return
        chart.legend().setVisible(True)
        chart.setTitle(html.escape(f"{period_label}: chance of quota at the end of each week"))
        x_axis = QDateTimeAxis()
        x_axis.setFormat("d MMM")
        days = [p.as_of for p in points]
        x_axis.setRange(QDateTime(datetime.combine(days[0], time(0))),
                        QDateTime(datetime.combine(days[-1], time(23))))
        x_axis.setTickCount(min(len(days), 8) if len(days) > 1 else 2)
        style_axis(x_axis, "forecast as of the end of the week")
        y_axis = percent_axis("chance of quota")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        names = [n for n in series if n != "Team"] + (["Team"] if "Team" in series else [])
        for n, name in enumerate(names):
            line = QLineSeries()
            line.setName(name)
            line.setPointsVisible(True)
            if name == "Team":
                line.setPen(QPen(text_colour(), 3.5))
            else:
                line.setPen(QPen(series_colour(n), 2))
            line.append([QPointF(msecs(day), p * 100) for day, p in series[name]])
            chart.addSeries(line)
            line.attachAxis(x_axis)
            line.attachAxis(y_axis)
            self.lines[name] = line
