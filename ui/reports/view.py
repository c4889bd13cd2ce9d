"""The Reports section: the funnel, win rate and velocity, lead sources, hand-off quality,
and time and money, for a period (a quarter, a month or custom days), one rep and one
source.

Each part is computed on the worker (:mod:`app.reports`) as a task of its own, the tab in
front first, and shown as it arrives; a newer request supersedes the answers of an older
one. A click on a bar or on an underlined figure lists the deals behind it below the tabs;
a double-click opens a deal. Right-click a chart to copy it as an image. The page reloads
when deals, stages, hours, reps, settings or spend change.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import settings
from app.clock import local_today
from app.deals import list_sources
from app.periods import period_of
from app.reports import ReportScope, deals_behind
from app.users import list_reps
from ui.context import Topic, UiContext
from ui.formatting import format_date
from ui.operations import Query
from ui.period_buttons import PeriodStepper
from ui.reports.charts import ReportChart
from ui.reports.parts import PARTS, Part
from ui.reports.tables import DEAL_ID_ROLE, IDS_ROLE, DealLinesModel, FiguresModel
from ui.table_look import list_table
from ui.theme import error_label, icon

TOPICS = frozenset({Topic.DEALS, Topic.STAGES, Topic.ACTIVITIES, Topic.REPS, Topic.SETTINGS,
                    Topic.SPEND})
RELOAD_PAUSE_MS = 150
UNITS = (("Quarter", "quarter"), ("Month", "month"), ("Custom", "custom"))


def make_scope(unit: str, offset: int, custom: tuple[date, date], rep_id: int | None,
               source_id: int | None, fiscal_start_month: int, today: date) -> ReportScope:
    """The scope the filter bar describes: ``offset`` quarters or months from today's, or
    the custom days."""
    if unit == "custom":
        start, end = custom
        label = f"{format_date(start)} – {format_date(end)}"
        return ReportScope(start, end, label, rep_id, source_id)
    period = period_of(today, unit, fiscal_start_month).shifted(offset)
    return ReportScope.of(period, rep_id, source_id)


def _table() -> QTableView:
    view = list_table(select_rows=False)
    view.horizontalHeader().setStretchLastSection(False)
    return view


class PartPage(QWidget):
    """One tab: the part's chart, how to read it, and its table."""

    def __init__(self, part: Part, parent: QWidget | None = None):
        super().__init__(parent)
        self.part = part
        self.chart: ReportChart = part.chart()
        self.loading = QLabel("Working out the figures…")
        self.loading.setObjectName("Muted")
        self.note = QLabel(part.note)
        self.note.setObjectName("Muted")
        self.note.setWordWrap(True)
        self.model = FiguresModel(part.columns, lambda row: getattr(row, "name", None)
                                  or getattr(row, "label", ""), self)
        self.table = _table()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.loading)
        layout.addWidget(self.chart, 3)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 2)
        self.loaded = False

    def show_report(self, report, currency: str) -> None:
        self.loading.hide()
        self.chart.show_data(report, currency)
        self.model.set_rows(self.part.rows(report), currency, total=self.part.total)
        self.loaded = True


class ReportsView(QWidget):
    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.offset = 0
        self.currency = "USD"
        self.scope: ReportScope | None = None

        title = QLabel("Reports")
        title.setObjectName("PageTitle")

        self.unit = QComboBox()
        for label, key in UNITS:
            self.unit.addItem(label, key)
        self.unit.setToolTip("Report on a fiscal quarter, a month or days of your choice")
        self.stepper = PeriodStepper("Previous period", "Next period", "Current",
                                     "Back to the current quarter or month")
        today = local_today()
        self.from_date = QDateEdit(QDate(today.year, today.month, 1))
        self.to_date = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.from_date, self.to_date):
            edit.setCalendarPopup(True)
            edit.hide()
        self.rep = QComboBox()
        self.rep.addItem("All reps", None)
        self.rep.setToolTip("Only this rep's deals and hours")
        self.source = QComboBox()
        self.source.addItem("All sources", None)
        self.source.setToolTip("Only the deals from this lead source")
        self.status = QLabel()
        self.status.setObjectName("Muted")
        bar = QHBoxLayout()
        bar.addWidget(self.unit)
        bar.addWidget(self.stepper.previous)
        bar.addWidget(self.stepper.label)
        bar.addWidget(self.from_date)
        bar.addWidget(self.to_date)
        bar.addWidget(self.stepper.next)
        bar.addWidget(self.stepper.current)
        bar.addSpacing(16)
        bar.addWidget(self.rep)
        bar.addWidget(self.source)
        bar.addStretch(1)
        bar.addWidget(self.status)

        self.error = error_label()

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.pages: dict[str, PartPage] = {}
        for part in PARTS:
            page = PartPage(part)
            page.chart.sig_bar.connect(self.show_deals)
            page.table.clicked.connect(self._cell_clicked)
            self.pages[part.key] = page
            self.tabs.addTab(page, part.label)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self._build_drill())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        layout.setSpacing(8)
        layout.addWidget(title)
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addWidget(self.splitter, 1)

        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(RELOAD_PAUSE_MS)
        self._pause.timeout.connect(self.reload)
        self.unit.currentIndexChanged.connect(self._unit_changed)
        self.stepper.connect(self.go, lambda: self.offset)
        for edit in (self.from_date, self.to_date):
            edit.dateChanged.connect(lambda _d: self._pause.start())
        for combo in (self.rep, self.source):
            combo.currentIndexChanged.connect(lambda _i: self._pause.start())
        context.bus.sig_changed.connect(self._on_changed)
        self._load_choices()
        self.reload()

    # ---------------------------------------------------------------- layout
    def _build_drill(self) -> QWidget:
        self.drill = QWidget()
        self.drill_title = QLabel()
        self.drill_title.setStyleSheet("font-weight: 600;")
        self.drill_title.setWordWrap(True)
        close = QPushButton(icon("ph.x-circle"), "")
        close.setFlat(True)
        close.setToolTip("Close the list (Esc)")
        close.clicked.connect(self.close_deals)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.drill)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.close_deals)
        top = QHBoxLayout()
        top.addWidget(self.drill_title, 1)
        hint = QLabel("Largest first · double-click a deal to open it")
        hint.setObjectName("Muted")
        top.addWidget(hint)
        top.addWidget(close)
        self.deals_model = DealLinesModel(self)
        self.deals_view = _table()
        self.deals_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.deals_view.setModel(self.deals_model)
        self.deals_view.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        self.deals_view.doubleClicked.connect(self._open_deal)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self.deals_view)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda: self._open_deal(self.deals_view.currentIndex()))
        layout = QVBoxLayout(self.drill)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.deals_view, 1)
        self.drill.hide()
        return self.drill

    # --------------------------------------------------------------- loading
    def _on_changed(self, topics: frozenset) -> None:
        if topics & {Topic.REPS, Topic.DEALS}:
            self._load_choices()
        if topics & TOPICS:
            self._pause.start()

    def _unit_changed(self) -> None:
        custom = self.unit.currentData() == "custom"
        for widget in (self.from_date, self.to_date):
            widget.setVisible(custom)
        for widget in (self.stepper.previous, self.stepper.next, self.stepper.current,
                       self.stepper.label):
            widget.setVisible(not custom)
        self.offset = 0
        self.reload()

    def go(self, offset: int) -> None:
        self.offset = offset
        self.reload()

    def _load_choices(self) -> None:
        def work(_control):
            return ([(r.id, r.name) for r in list_reps(include_inactive=True)],
                    [(s.id, s.name) for s in list_sources()])

        Query(self, self.context, work, supersede="choices").success(self._show_choices).failure(
            self._failed).run()

    def _show_choices(self, choices) -> None:
        for combo, items in zip((self.rep, self.source), choices, strict=True):
            chosen = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:
                combo.removeItem(1)
            for item_id, name in items:
                combo.addItem(name, item_id)
            index = combo.findData(chosen)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    def reload(self) -> None:
        """Compute every part on the worker, the tab in front first; only the newest
        request's answers are shown, each as it arrives (each part is a query superseding
        the older one of the same part)."""
        unit, offset = self.unit.currentData(), self.offset
        custom = (self.from_date.date().toPython(), self.to_date.date().toPython())
        rep_id, source_id = self.rep.currentData(), self.source.currentData()
        if unit == "custom" and custom[1] < custom[0]:
            self._failed("The custom period ends before it starts: pick a later “to” date.")
            return
        self.error.hide()
        self.status.setText("Updating…")
        front = self.tabs.currentIndex()
        order = [PARTS[front], *(p for i, p in enumerate(PARTS) if i != front)]
        today = local_today()

        def scope_of() -> tuple[ReportScope, str]:
            stored = settings.load()
            return (make_scope(unit, offset, custom, rep_id, source_id,
                               stored.fiscal_year_start_month, today), stored.currency)

        for part in order:
            def work(_control, part=part):
                scope, currency = scope_of()
                return part.key, scope, part.load(scope), currency

            Query(self, self.context, work, supersede=("part", part.key)).success(
                self._show).failure(self._failed).run()

    def _failed(self, error) -> None:
        self.status.clear()
        self.error.setText(str(error))
        self.error.show()

    def _show(self, result) -> None:
        key, scope, report, currency = result
        self.scope, self.currency = scope, currency
        self.stepper.label.setText(f"{scope.label} · {format_date(scope.start)} – "
                                  f"{format_date(scope.end)}")
        self.pages[key].show_report(report, currency)
        if all(page.loaded for page in self.pages.values()):
            self.status.clear()

    # ------------------------------------------------------------ drill-down
    def _cell_clicked(self, index: QModelIndex) -> None:
        found = index.data(IDS_ROLE)
        if found is not None:
            self.show_deals(*found)

    def show_deals(self, caption: str, ids) -> None:
        """List the deals ``ids`` below the tabs (loaded on the worker)."""
        self.drill_title.setText(f"{caption} — {len(ids)} deal{'s' if len(ids) != 1 else ''}")
        self.drill.show()
        ids = tuple(ids)

        Query(self, self.context, lambda _c: deals_behind(ids), supersede="drill").success(
            lambda lines: self.deals_model.set_lines(lines, self.currency)).failure(
            self._failed).run()

    def close_deals(self) -> None:
        self.drill.hide()

    def _open_deal(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        from ui.deals.dialog import DealDialog

        DealDialog.show_existing(self, self.context, index.data(DEAL_ID_ROLE))
