"""The chance of quota against each lever's size, from none to its full scale (+100 % leads,
+100 % conversion, +10 selling hours a week): where a lever flattens it stops paying, where
it falls (a lead flood on a rep with no spare hours) it does harm. The team's curves, or one
rep's; a dot on each curve marks where its slider stands.

The curves come from :func:`app.forecast.lever_curves`, computed once per base; a slider
tick only moves the dots (:meth:`LeverCurvesChart.set_positions`).
"""

from __future__ import annotations

import html

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QScatterSeries, QValueAxis
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsView, QWidget

from app.forecast import LEVERS, LeverCurve
from app.forecast.whatif import HOURS_FULL_SCALE, LEVER_LABELS
from ui.forecast.chart_style import (
    fresh_chart,
    percent_axis,
    series_colour,
    style_axis,
    style_chart,
)

TEAM = "team"
STOPS_PAYING = 0.01  # a step of the curve that adds less than one point of chance


def stops_paying(sizes: tuple[float, ...], probabilities: tuple[float | None, ...]
                 ) -> int | None:
    """The index on a curve from which no further step adds :data:`STOPS_PAYING` or more
    to the chance of quota (0: the lever never pays; None: no chance to judge)."""
    if not sizes or any(p is None for p in probabilities):
        return None
    last = 0
    for i in range(1, len(probabilities)):
        if probabilities[i] - probabilities[i - 1] >= STOPS_PAYING:
            last = i
    return last


def curve_of(curve: LeverCurve, who) -> tuple[float | None, ...]:
    """The probabilities of ``who`` (:data:`TEAM` or a rep id) along ``curve``."""
    if who == TEAM:
        return curve.team
    return next((probs for rep_id, probs in curve.reps if rep_id == who), ())


class LeverCurvesChart(QChartView):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setMinimumHeight(300)
        self.chart_ = QChart()
        self.setChart(self.chart_)
        self.curves: tuple[LeverCurve, ...] = ()
        self.lines: dict[str, QLineSeries] = {}
        self.dots: dict[str, QScatterSeries] = {}
        self.rings: dict[str, QScatterSeries] = {}  # where each lever stops paying
        self.who = TEAM

    def set_curves(self, curves: tuple[LeverCurve, ...], who, name: str) -> None:
        """Draw ``who``'s curves (:data:`TEAM` or a rep id; ``name`` for the title)."""
        self.curves, self.who = curves, who
        chart = self.chart_ = fresh_chart(self)
        self.lines, self.dots, self.rings = {}, {}, {}
        style_chart(chart)
        chart.legend().setVisible(True)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        drawn = {c.lever: curve_of(c, who) for c in curves}
        if not any(p is not None for probs in drawn.values() for p in probs):
            chart.legend().setVisible(False)
            chart.setTitle(html.escape(f"{name}: no quota set, so no chance of quota to "
                                       "draw"))
            return
        x_axis = QValueAxis()
        x_axis.setRange(0, 100)
        x_axis.setLabelFormat("%.0f %%")
        x_axis.setTickCount(6)
        style_axis(x_axis, f"lever size, share of full scale (+100 % leads or conversion, "
                           f"+{HOURS_FULL_SCALE:g} h a week)")
        y_axis = percent_axis("chance of quota")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for n, curve in enumerate(curves):
            colour = series_colour(n)
            line = QLineSeries()
            line.setName(LEVER_LABELS[curve.lever])
            line.setPen(QPen(colour, 2.5))
            line.append([QPointF(s * 100, (p or 0.0) * 100)
                         for s, p in zip(curve.sizes, drawn[curve.lever], strict=True)])
            dot = QScatterSeries()
            dot.setMarkerSize(11)
            dot.setColor(colour)
            dot.setBorderColor(colour.darker(130))
            for series in (line, dot):
                chart.addSeries(series)
                series.attachAxis(x_axis)
                series.attachAxis(y_axis)
            chart.legend().markers(dot)[0].setVisible(False)
            self.lines[curve.lever], self.dots[curve.lever] = line, dot
            knee = stops_paying(curve.sizes, drawn[curve.lever])
            if knee is not None and knee < len(curve.sizes) - 1:
                ring = QScatterSeries()
                ring.setMarkerSize(16)
                ring.setColor(Qt.GlobalColor.transparent)
                ring.setBorderColor(colour)
                ring.setPen(QPen(colour, 2))
                ring.append(QPointF(curve.sizes[knee] * 100, drawn[curve.lever][knee] * 100))
                chart.addSeries(ring)
                ring.attachAxis(x_axis)
                ring.attachAxis(y_axis)
                chart.legend().markers(ring)[0].setVisible(False)
                self.rings[curve.lever] = ring
        chart.setTitle(html.escape(f"{name}: chance of quota as each lever grows (ring: "
                                   "beyond it, a lever adds under 1 point a step)"))

    def set_positions(self, positions: dict[str, tuple[float, float | None]]) -> None:
        """Each lever's dot at (share of full scale 0–1, probability) — per slider tick."""
        for lever in LEVERS:
            dot = self.dots.get(lever)
            if dot is None:
                continue
            share, probability = positions.get(lever, (0.0, None))
            if probability is None:
                dot.clear()
            else:
                dot.replace([QPointF(share * 100, probability * 100)])
