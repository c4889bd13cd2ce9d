"""The Forecast section: will each rep, and the team, make quota this quarter?

Three sections under one period picker, chosen with a tab bar: **Outlook** (the cards),
**What if** (:mod:`ui.forecast.whatif_panel`: lead generation, training or more selling
hours) and **Trend & track record** (:mod:`ui.forecast.track_panel`). The two newer ones
read the database only when first shown, and again after a change while shown.

The overview shows the team's card beside the team's distribution of outcomes, then a card
per rep (the acting user's own first). Clicking a card opens its deals, largest
contribution first; double-clicking a deal opens it. The forecast is computed on the worker
(:func:`app.forecast.compute_forecast`) and recomputed when deals, stages, hours, reps,
settings or quotas change; the cards update in place. Alt+Left / Alt+Right step through
quarters, Alt+Home returns to this one. "Quotas…" opens the quota grid beside the page.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from app import settings
from app.clock import local_today
from app.forecast import Forecast, Outlook, compute_forecast, period_of
from ui.context import Topic, UiContext
from ui.forecast.card import OutlookCard, card_stylesheet
from ui.forecast.chart import DistributionChart
from ui.forecast.deals_model import DEAL_ID_ROLE, DealChancesModel
from ui.forecast.track_panel import TrackPanel
from ui.forecast.whatif_panel import WhatIfPanel
from ui.formatting import format_date, format_money
from ui.operations import Query
from ui.period_buttons import PeriodStepper
from ui.table_look import list_table
from ui.theme import error_label, icon

TOPICS = frozenset(Topic)  # every change can move the forecast
COLUMNS = 3  # rep cards per row
RECOMPUTE_PAUSE_MS = 150  # a burst of changes (an import, an undo) costs one recompute
SECTIONS = ("Outlook", "What if", "Trend && track record")


class ForecastView(QWidget):
    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.offset = 0  # quarters from the current one
        self.forecast: Forecast | None = None
        self.currency = "USD"
        self.cards: dict[int | None, OutlookCard] = {}
        self.detail_open = False
        self.open_key: int | None = None  # whose deals the drill-down shows (None: team)
        self._quota_window = None

        title = QLabel("Forecast")
        title.setObjectName("PageTitle")
        self.quotas_button = QPushButton(icon("ph.target"), "Quotas…")
        self.quotas_button.setToolTip("Set each rep's and the team's quotas")
        self.quotas_button.clicked.connect(self.open_quotas)
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addStretch(1)
        heading.addWidget(self.quotas_button)

        self.stepper = PeriodStepper("Previous quarter", "Next quarter", "This quarter",
                                     "Back to the current quarter")
        self.status = QLabel("Working out the forecast…")
        self.status.setObjectName("Muted")
        bar = QHBoxLayout()
        self.stepper.add_to(bar)
        bar.addStretch(1)
        bar.addWidget(self.status)

        self.error = error_label()
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setObjectName("Muted")
        self.banner.hide()

        self.pages = QStackedWidget()
        self.pages.addWidget(self._build_overview())
        self.pages.addWidget(self._build_detail())
        self.whatif = WhatIfPanel(context)
        self.track = TrackPanel(context)
        self.sections = QStackedWidget()
        for widget in (self.pages, self.whatif, self.track):
            self.sections.addWidget(widget)
        self.section_bar = QTabBar()
        self.section_bar.setExpanding(False)
        self.section_bar.setDrawBase(False)
        for text in SECTIONS:
            self.section_bar.addTab(text)
        self.section_bar.currentChanged.connect(self.sections.setCurrentIndex)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        layout.setSpacing(8)
        layout.addLayout(heading)
        layout.addLayout(bar)
        layout.addWidget(self.section_bar)
        layout.addWidget(self.error)
        layout.addWidget(self.banner)
        layout.addWidget(self.sections, 1)
        self.setStyleSheet(card_stylesheet())

        self._pause = QTimer(self)
        self._pause.setSingleShot(True)
        self._pause.setInterval(RECOMPUTE_PAUSE_MS)
        self._pause.timeout.connect(self.reload)
        self.stepper.connect(self.go, lambda: self.offset)
        context.bus.sig_changed.connect(self._on_changed)
        context.bus.sig_user_changed.connect(lambda _rep: self._pause.start())
        self.reload()

    # ---------------------------------------------------------------- layout
    def _build_overview(self) -> QWidget:
        self.team_slot = QVBoxLayout()
        self.team_slot.setContentsMargins(0, 0, 0, 0)
        self.chart = DistributionChart()
        top = QHBoxLayout()
        top.setSpacing(12)
        top.addLayout(self.team_slot, 1)
        top.addWidget(self.chart, 2)
        self.empty = QLabel("No reps yet — add reps in Settings → Reps, give them quotas "
                            "with Quotas…, and their forecasts appear here.")
        self.empty.setObjectName("Muted")
        self.empty.setWordWrap(True)
        self.empty.hide()
        self.rep_grid = QGridLayout()
        self.rep_grid.setSpacing(12)
        reps_title = QLabel("Reps")
        reps_title.setStyleSheet("font-weight: 600; font-size: 11pt; padding-top: 6px;")
        self.reps_title = reps_title
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 4, 4, 4)
        column.setSpacing(10)
        column.addLayout(top)
        column.addWidget(reps_title)
        column.addWidget(self.empty)
        column.addLayout(self.rep_grid)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        return scroll

    def _build_detail(self) -> QWidget:
        page = QWidget()
        back = QPushButton(icon("ph.caret-left"), "All cards")
        back.setToolTip("Back to every rep's card (Esc)")
        back.clicked.connect(self.close_card)
        self.back_button = back
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), page)
        escape.activated.connect(self.close_card)
        self.detail_title = QLabel()
        self.detail_title.setStyleSheet("font-weight: 600; font-size: 12pt;")
        top_bar = QHBoxLayout()
        top_bar.addWidget(back)
        top_bar.addSpacing(8)
        top_bar.addWidget(self.detail_title)
        top_bar.addStretch(1)

        self.breakdown = QFormLayout()
        self.breakdown.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.breakdown.setHorizontalSpacing(24)
        self.breakdown_labels: dict[str, QLabel] = {}
        for key, text in (("won", "Won so far"), ("open", "Open deals (expected)"),
                          ("new", "Deals not yet created (expected)"),
                          ("expected", "Expected by the end"), ("quota", "Quota"),
                          ("gap", "Gap to quota")):
            value = QLabel()
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setMinimumWidth(110)
            self.breakdown_labels[key] = value
            self.breakdown.addRow(QLabel(text), value)
        breakdown_box = QFrame()
        breakdown_box.setObjectName("ForecastCard")
        box_layout = QVBoxLayout(breakdown_box)
        box_layout.setContentsMargins(16, 12, 16, 12)
        heading = QLabel("Where the expected revenue comes from")
        heading.setStyleSheet("font-weight: 600;")
        box_layout.addWidget(heading)
        box_layout.addLayout(self.breakdown)
        box_layout.addStretch(1)
        self.summary = summary = QHBoxLayout()
        summary.setSpacing(12)
        summary.addWidget(breakdown_box, 2)  # the card goes before it, see _show_detail
        self.detail_card: OutlookCard | None = None

        self.deals_model = DealChancesModel(self)
        self.deals_view = list_table(self.deals_model, row_extra=12)
        header = self.deals_view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(1, 190)
        self.deals_view.doubleClicked.connect(self._open_deal)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self.deals_view)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(lambda: self._open_deal(self.deals_view.currentIndex()))
        self.deals_hint = QLabel("Largest contribution first · double-click a deal to open it")
        self.deals_hint.setObjectName("Muted")
        self.no_deals = QLabel("No open deals in this forecast.")
        self.no_deals.setObjectName("Muted")

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(top_bar)
        layout.addLayout(summary)
        layout.addWidget(self.deals_hint)
        layout.addWidget(self.no_deals)
        layout.addWidget(self.deals_view, 1)
        return page

    # --------------------------------------------------------------- loading
    def _on_changed(self, topics: frozenset) -> None:
        if topics & TOPICS:
            self._pause.start()

    def go(self, offset: int) -> None:
        self.offset = offset
        self.reload()

    def reload(self) -> None:
        """Compute the forecast on the worker; only the newest request's answer is shown."""
        offset = self.offset
        self.status.setText("Updating…" if self.forecast else "Working out the forecast…")

        def work(_control):
            stored = settings.load()
            period = period_of(local_today(), "quarter",
                               stored.fiscal_year_start_month).shifted(offset)
            return compute_forecast(period), stored.currency

        Query(self, self.context, work, supersede="forecast").success(self._show).failure(
            self._failed).run()

    def _failed(self, message: str) -> None:
        self.status.clear()
        self.error.setText(message)
        self.error.show()

    def _show(self, result) -> None:
        forecast, currency = result
        self.error.hide()
        self.forecast, self.currency = forecast, currency
        period = forecast.period
        self.stepper.label.setText(f"{period.label} · {format_date(period.start)} – "
                                  f"{format_date(period.end)}")
        self.status.setText(f"As of {format_date(forecast.as_of)}")
        no_quotas = forecast.team.quota is None
        self.banner.setVisible(no_quotas)
        self.banner.setText(f"No quotas for {period.label} yet — set them with Quotas… "
                            "(top right) and each card shows its chance of making quota.")
        self._place_cards(forecast)
        self.chart.set_outlook(forecast.team, currency, period.label)
        self.whatif.set_period(period, currency)
        self.track.set_period(period, currency)
        if self.detail_open:
            outlook = self._outlook(self.open_key)
            if outlook is None:
                self.close_card()
            else:
                self._show_detail(outlook)

    def _ordered(self, forecast: Forecast) -> list[Outlook]:
        """The reps' outlooks, the acting user's own first."""
        actor = self.context.actor
        mine = [o for o in forecast.reps if actor is not None and o.rep_id == actor.id]
        return mine + [o for o in forecast.reps if o not in mine]

    def _card(self, outlook: Outlook) -> OutlookCard:
        """The card for ``outlook``'s rep, updated in place, or a new one."""
        actor = self.context.actor
        mine = actor is not None and outlook.rep_id == actor.id
        card = self.cards.get(outlook.rep_id)
        if card is not None and card.mine == mine:
            card.set_outlook(outlook, self.currency)
            return card
        if card is not None:
            card.deleteLater()
        card = OutlookCard(outlook, self.currency, mine=mine)
        card.sig_open.connect(self.open_card)
        self.cards[outlook.rep_id] = card
        return card

    def _place_cards(self, forecast: Forecast) -> None:
        team = self._card(forecast.team)
        if self.team_slot.count() == 0:
            self.team_slot.addWidget(team)
        ordered = self._ordered(forecast)
        wanted = [o.rep_id for o in ordered]
        cards = [self._card(outlook) for outlook in ordered]
        for gone in set(self.cards) - set(wanted) - {None}:
            self.cards.pop(gone).deleteLater()
        placed = [self.rep_grid.itemAt(i).widget() for i in range(self.rep_grid.count())]
        if placed != cards:  # a rep came or went, or the order (the acting user) changed
            while self.rep_grid.count():
                self.rep_grid.takeAt(0)
            for i, card in enumerate(cards):
                self.rep_grid.addWidget(card, i // COLUMNS, i % COLUMNS)
        for column in range(COLUMNS):
            self.rep_grid.setColumnStretch(column, 1)
        self.empty.setVisible(not wanted)
        self.reps_title.setVisible(bool(wanted))

    def _outlook(self, key: int | None) -> Outlook | None:
        if self.forecast is None:
            return None
        if key is None:
            return self.forecast.team
        return next((o for o in self.forecast.reps if o.rep_id == key), None)

    # ------------------------------------------------------------- drill-down
    def open_card(self, rep_id: int | None) -> None:
        """Show the deals behind ``rep_id``'s card (None: the team's)."""
        outlook = self._outlook(rep_id)
        if outlook is None:
            return
        self.open_key, self.detail_open = rep_id, True
        self._show_detail(outlook)
        self.pages.setCurrentIndex(1)
        self.deals_view.setFocus()

    def close_card(self) -> None:
        self.detail_open = False
        self.pages.setCurrentIndex(0)
        card = self.cards.get(None)
        if card is not None:
            card.setFocus()

    def _show_detail(self, outlook: Outlook) -> None:
        period = self.forecast.period.label
        self.detail_title.setText(f"{outlook.rep_name} · {period}: the deals behind the "
                                  "forecast")
        if self.detail_card is None:
            self.detail_card = OutlookCard(outlook, self.currency)
            self.detail_card.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.detail_card.setCursor(Qt.CursorShape.ArrowCursor)
            self.summary.insertWidget(0, self.detail_card, 3)
        else:
            self.detail_card.set_outlook(outlook, self.currency)

        def money(value) -> str:
            return format_money(value, self.currency) if value is not None else "—"

        for key, value in (("won", outlook.won), ("open", outlook.open_expected),
                           ("new", outlook.new_pipeline_expected),
                           ("expected", outlook.expected), ("quota", outlook.quota),
                           ("gap", outlook.gap if outlook.quota is not None else None)):
            self.breakdown_labels[key].setText(money(value))
        self.deals_model.set_deals(outlook.deals, self.currency)
        self.no_deals.setVisible(not outlook.deals)
        self.deals_view.setVisible(bool(outlook.deals))
        self.deals_hint.setVisible(bool(outlook.deals))

    def _open_deal(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        from ui.deals.dialog import DealDialog

        DealDialog.show_existing(self, self.context, index.data(DEAL_ID_ROLE))

    # ----------------------------------------------------------------- quotas
    def open_quotas(self) -> None:
        """The quota grid in a window of its own beside the cards. Made once and kept when
        closed (hidden): its undo steps and late answers may still call on it."""
        from ui.quotas.panel import QuotaWindow

        if self._quota_window is None:
            self._quota_window = QuotaWindow(self.context, self)
        self._quota_window.show()
        self._quota_window.raise_()
        self._quota_window.activateWindow()
