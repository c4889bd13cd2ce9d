"""The Forecast page's "Trend & track record" section (issue 12).

- **Trend** (top): the chance of quota at the end of each week of the period so far, per rep
  and for the team (:func:`app.forecast.forecast_trend`, on the worker).
- **How good is the forecast?** (below): for each closed past quarter with quotas, what the
  forecast said every fortnight and whether quota was reached; the Brier score beside the
  plain weighted pipeline's; a reliability chart when there are enough checks; and, in
  plain words, when the history is too short to judge.

The track record takes seconds on a large database, so it runs one period per worker job
(:func:`app.forecast.iter_track_record` with the job's control for progress and cancel),
each period shown as it arrives and the scores recomputed over the periods so far. Both are
read when the section is first shown and again when the data changes while it is open.
"""

from __future__ import annotations

import html

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QScatterSeries
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPointF, Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.forecast import (
    Period,
    PeriodRecord,
    TrackRecord,
    forecast_trend,
    iter_track_record,
)
from app.forecast.track_record import RELIABILITY_MIN, closed_periods, score
from ui.context import UiContext
from ui.forecast.card import percent
from ui.forecast.chart_style import (
    fresh_chart,
    percent_axis,
    series_colour,
    style_chart,
    text_colour,
)
from ui.forecast.period_panel import PeriodPanel
from ui.forecast.trend_chart import TrendChart
from ui.formatting import format_date, format_money
from ui.operations import Query
from ui.table_look import list_table
from ui.theme import SUCCESS, danger

REACHED, FIRST_DAY = 3, 4  # columns: whether quota was reached, then each check
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


class ChecksModel(QAbstractTableModel):
    """One row per period and rep (the team last): the quota, whether it was reached, and
    what the forecast said at each fortnight (columns "Day 14", "Day 28", …)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.currency = "USD"
        self.days: list[int] = []  # day of the period of each check column
        self.rows: list[tuple] = []  # (period label, name, quota, {day: check}, reached, team)

    def clear(self) -> None:
        self.beginResetModel()
        self.days, self.rows = [], []
        self.endResetModel()

    def add(self, record: PeriodRecord, currency: str) -> None:
        """Append one period's rows (the columns grow if it has more checks)."""
        self.currency = currency
        start = record.period.start
        grouped: dict = {}
        for c in record.checks:
            key = c.rep_id if c.rep_id is not None else "team"
            row = grouped.setdefault(key, [record.period.label, c.rep_name, c.quota, {},
                                           c.reached, c.rep_id is None])
            row[3][(c.as_of - start).days + 1] = c
        days = sorted(set(self.days) | {d for r in grouped.values() for d in r[3]})
        team = [r for r in grouped.values() if r[5]]
        rows = [r for r in grouped.values() if not r[5]] + team
        if days != self.days:
            self.beginResetModel()
            self.days = days
            self.rows += [tuple(r) for r in rows]
            self.endResetModel()
            return
        if rows:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows += [tuple(r) for r in rows]
            self.endInsertRows()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else 4 + len(self.days)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section < FIRST_DAY:
                return ("Quarter", "Who", "Quota", "Reached?")[section]
            return f"Day {self.days[section - FIRST_DAY]}"
        if role == Qt.ItemDataRole.ToolTipRole and section >= FIRST_DAY:
            return (f"What the forecast said on day {self.days[section - FIRST_DAY]} of the "
                    "quarter")
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return LEFT if section < 2 else RIGHT
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        label, name, quota, checks, reached, team = self.rows[index.row()]
        column, last = index.column(), REACHED
        check = checks.get(self.days[column - FIRST_DAY]) if column >= FIRST_DAY else None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return label
            if column == 1:
                return name
            if column == 2:
                return format_money(quota, self.currency)
            if column == last:
                return "Yes" if reached else "No"
            return percent(check.probability) if check is not None else ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return LEFT if column < 2 else RIGHT
        if role == Qt.ItemDataRole.ForegroundRole and column == last:
            return SUCCESS if reached else danger()
        if role == Qt.ItemDataRole.FontRole and (team or column == last):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and check is not None:
            return (f"As of {format_date(check.as_of)}: the forecast said "
                    f"{percent(check.probability)}, the weighted pipeline "
                    f"{percent(check.weighted)}; quota was "
                    f"{'reached' if reached else 'missed'}.")
        return None


class ReliabilityChart(QChartView):
    """Forecast probability (binned) against the share that reached quota; the diagonal is a
    forecast that means what it says."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFixedSize(340, 300)
        self.chart_ = QChart()
        self.setChart(self.chart_)

    def set_record(self, record: TrackRecord) -> None:
        chart = self.chart_ = fresh_chart(self)
        style_chart(chart)
        chart.setTitle("Reliability")
        chart.legend().setVisible(True)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        diagonal = QLineSeries()
        diagonal.setName("means what it says")
        diagonal.setPen(QPen(text_colour(), 1, Qt.PenStyle.DashLine))
        diagonal.append([QPointF(0, 0), QPointF(100, 100)])
        dots = QLineSeries()
        dots.setName("the forecast")
        dots.setPen(QPen(series_colour(0), 2))
        dots.setPointsVisible(True)
        dots.append([QPointF(b.mean_forecast * 100, b.share_reached * 100)
                     for b in record.reliability])
        sizes = QScatterSeries()
        sizes.setColor(series_colour(0))
        sizes.setMarkerSize(9)
        sizes.append([QPointF(b.mean_forecast * 100, b.share_reached * 100)
                      for b in record.reliability])
        x_axis = percent_axis("forecast said")
        x_axis.setTickCount(5)
        y_axis = percent_axis("reached quota")
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        for series in (diagonal, dots, sizes):
            chart.addSeries(series)
            series.attachAxis(x_axis)
            series.attachAxis(y_axis)
        chart.legend().markers(sizes)[0].setVisible(False)


class TrackPanel(PeriodPanel):
    """Signals: sig_period_added(PeriodRecord) — one more closed period is shown;
    sig_trend_shown() — the trend chart was drawn."""

    sig_period_added = Signal(object)
    sig_trend_shown = Signal()

    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.trend = ()
        self.records: list[PeriodRecord] = []
        self.record: TrackRecord | None = None
        self._run = 0
        self._task = None

        self.trend_status = QLabel()
        self.trend_status.setObjectName("Muted")
        self.trend_chart = TrendChart()

        heading = QLabel("How good is the forecast?")
        heading.setStyleSheet("font-weight: 600; font-size: 12pt; padding-top: 6px;")
        self.judgement = QLabel()
        self.judgement.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress_text = QLabel()
        self.progress_text.setObjectName("Muted")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop checking past quarters (what is shown stays)")
        self.cancel_button.clicked.connect(self.cancel_record)
        self.again_button = QPushButton("Check again")
        self.again_button.clicked.connect(self.load_record)
        self.again_button.hide()
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_text)
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        progress_row.addWidget(self.again_button)
        progress_row.addStretch(0)
        for button in (self.cancel_button, self.again_button):
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

        self.model = ChecksModel(self)
        self.table = list_table(self.model, padding=6)
        self.reliability = ReliabilityChart()
        self.reliability.hide()
        self.reliability_note = QLabel()
        self.reliability_note.setObjectName("Muted")
        self.reliability_note.setWordWrap(True)
        self.reliability_note.setMaximumWidth(340)
        side = QVBoxLayout()
        side.addWidget(self.reliability)
        side.addWidget(self.reliability_note)
        side.addStretch(1)
        self.lower = lower = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        lower.setSpacing(12)
        lower.addWidget(self.table, 1, Qt.AlignmentFlag.AlignTop)
        lower.addLayout(side)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 4, 4, 4)
        column.setSpacing(8)
        column.addWidget(self.trend_status)
        column.addWidget(self.trend_chart)
        column.addWidget(heading)
        column.addWidget(self.judgement)
        column.addLayout(progress_row)
        column.addLayout(lower, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def _fit_table(self) -> None:
        """Every row shown (the page scrolls, not the table), the columns to their contents."""
        self.table.resizeColumnsToContents()
        rows = self.model.rowCount()
        height = self.table.horizontalHeader().height() + self.table.frameWidth() * 2
        height += sum(self.table.rowHeight(r) for r in range(rows)) + 2
        self.table.setFixedHeight(max(height, 120))
        self._fit_lower()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_lower()

    def _fit_lower(self) -> None:
        """The reliability chart beside the checks when both fit, else below them: a table
        cut off on the right would hide the last checks."""
        header = self.table.horizontalHeader()
        needed = header.length() + self.table.frameWidth() * 2 + 12 + self.reliability.width()
        beside = needed <= self.width() - 24
        direction = (QBoxLayout.Direction.LeftToRight if beside
                     else QBoxLayout.Direction.TopToBottom)
        if self.lower.direction() != direction:
            self.lower.setDirection(direction)

    # ----------------------------------------------------------------- loading
    def load(self) -> None:
        self.stale = False
        self.load_trend()
        self.load_record()

    def load_trend(self) -> None:
        period = self.period
        self.trend_status.setText(f"Working out the trend of {period.label}…")
        Query(self, self.context, lambda control: (period, forecast_trend(period, job=control)),
              supersede="trend").success(self._trend_arrived).failure(
            self._trend_failed).progress(lambda f, m: self.trend_status.setText(
                f"Working out the trend of {period.label}: {m}…")).run()

    def _trend_arrived(self, answer) -> None:
        period, points = answer
        if period != self.period:
            return
        self.trend = points
        self.trend_status.setText("Each point is the forecast as it stood then, with only "
                                  "what was known by that day.")
        self.trend_chart.set_trend(points, period.label)
        self.sig_trend_shown.emit()

    def _trend_failed(self, error) -> None:
        self.trend_status.setText(str(error))

    def load_record(self) -> None:
        """Find the closed quarters, then check them one job each, newest answer only."""
        self.cancel_record(quiet=True)
        self._run += 1
        run = self._run
        self.records, self.record = [], None
        self.model.clear()
        self._fit_table()
        self._running(True, "Finding the closed quarters with quotas…", 0.0)
        self._task = Query(self, self.context, lambda _control: closed_periods()).success(
            lambda periods: self._check(run, periods, 0)).failure(self._record_failed).run()

    def _check(self, run: int, periods: list[Period], i: int) -> None:
        if run != self._run:
            return
        if i == len(periods):
            self._task = None
            self._show_score(done=True)
            return
        period, total = periods[i], len(periods)

        def work(control, period=period):
            return next(iter_track_record([period], control))

        def progress(fraction: float, message: str) -> None:
            if run == self._run:
                self._running(True, f"Checking {message} ({i + 1} of {total})",
                              (i + fraction) / total)

        def arrived(record: PeriodRecord) -> None:
            if run != self._run:
                return
            self.records.append(record)
            self.model.add(record, self.currency)
            self._fit_table()
            self._show_score(done=False)
            self.sig_period_added.emit(record)
            self._check(run, periods, i + 1)

        self._task = Query(self, self.context, work).success(arrived).progress(
            progress).failure(self._record_failed).cancelled(
            lambda: self._cancelled(run, total)).run()

    def cancel_record(self, quiet: bool = False) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if not quiet:
            self._run += 1  # late answers of the cancelled run are dropped
            self._cancelled(self._run, None)

    def _cancelled(self, run: int, total: int | None) -> None:
        if run != self._run:
            return
        self._running(False)
        self.progress_text.setText(f"Stopped after {len(self.records)} quarter"
                                   f"{'s' if len(self.records) != 1 else ''}.")
        self.progress_text.show()

    def _record_failed(self, error) -> None:
        self._running(False)
        self.judgement.setText(str(error))

    def _running(self, running: bool, message: str = "", fraction: float = 0.0) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.again_button.setVisible(not running)
        self.progress_text.setVisible(running)
        if running:
            self.progress_text.setText(message)
            self.progress.setValue(round(fraction * 1000))

    def _show_score(self, done: bool) -> None:
        self.record = record = score(self.records)
        if done:
            self._running(False)
        self.judgement.setText(record.judgement if done or record.checks
                               else "Checking the past quarters…")
        self.reliability.setVisible(bool(record.reliability))
        if record.reliability:
            self.reliability.set_record(record)
            self.reliability_note.setText(
                "Dots on the diagonal: when the forecast said 70 %, 70 % of those reps "
                "reached quota.")
        else:
            self.reliability_note.setText(html.escape(
                f"A reliability chart needs at least {RELIABILITY_MIN} checks; there "
                f"{'is' if record.checks == 1 else 'are'} {record.checks} so far."))
