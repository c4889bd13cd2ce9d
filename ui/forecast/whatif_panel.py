"""The Forecast page's "What if" section (issue 12): lead generation, training or more selling
hours — which pays best?

Top: the three levers side by side (:class:`~ui.forecast.lever_card.LeverCard`), each with
its slider, its cost (edited in place, remembered in the settings through the worker) and
the team's figures; below them the one sentence saying which lever pays best. Then the
chance of quota against each lever's size (the team's, or the rep picked in the table) and
the reps' figures under one lever (the one last moved, or picked above the table).

The database is read once per period and change (:func:`app.forecast.prepare_whatif` and
:func:`app.forecast.lever_curves`, on the worker); a slider tick is
:func:`app.forecast.apply_levers` on the GUI thread, well under a millisecond on the demo,
so the figures follow the slider with no round trip. Ctrl+R (or Reset) puts every lever back
to none: today's forecast.
"""

from __future__ import annotations

import time
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from app import settings
from app.errors import FunnelcastError
from app.forecast import (
    LEVERS,
    WhatIfBase,
    WhatIfResult,
    apply_levers,
    lever_curves,
    prepare_whatif,
)
from app.forecast.whatif import HOURS_FULL_SCALE, LEVER_LABELS
from ui.context import Topic, UiContext
from ui.forecast.curves_chart import TEAM, LeverCurvesChart
from ui.forecast.gain_delegate import GainBarDelegate
from ui.forecast.lever_card import LeverCard
from ui.forecast.period_panel import PeriodPanel
from ui.forecast.whatif_model import REP_ID_ROLE, TEAM_KEY, ProjectionsModel
from ui.formatting import format_date
from ui.operations import Query, Write
from ui.table_look import list_table
from ui.theme import danger, icon

TABLE_LEVERS = (*LEVERS, "all")
TABLE_TITLES = {**LEVER_LABELS, "all": "All three together"}


class WhatIfPanel(PeriodPanel):
    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.base: WhatIfBase | None = None
        self.curves = ()
        self.result: WhatIfResult | None = None
        self.tick_ms = 0.0  # the last slider tick's recompute, for the record

        self.status = QLabel("Set a lever to see what it brings.")
        self.status.setObjectName("Muted")
        self.reset_button = QPushButton(icon("ph.arrow-counter-clockwise"), "Reset to today")
        self.reset_button.setToolTip("Every lever back to none: today's forecast (Ctrl+R)")
        self.reset_button.clicked.connect(self.reset)
        reset = QShortcut(QKeySequence("Ctrl+R"), self)
        reset.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        reset.activated.connect(self.reset)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.reset_button)

        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {danger().name()};")
        self.error.hide()

        self.cards = {lever: LeverCard(lever) for lever in LEVERS}
        levers = QHBoxLayout()
        levers.setSpacing(12)
        for card in self.cards.values():
            card.sig_moved.connect(self._moved)
            card.sig_cost_edited.connect(self._save_cost)
            levers.addWidget(card, 1)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size: 11pt; font-weight: 600; padding: 2px 0;")

        self.chart = LeverCurvesChart()
        self.table_levers = QTabBar()
        self.table_levers.setDrawBase(False)
        for lever in TABLE_LEVERS:
            self.table_levers.addTab(TABLE_TITLES[lever])
        self.table_levers.currentChanged.connect(lambda _i: self._show_table())
        self.model = ProjectionsModel(self)
        self.table = list_table(self.model)
        self.table.setItemDelegateForColumn(3, GainBarDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_curves())
        table_hint = QLabel("Pick a rep to see their curves in the chart")
        table_hint.setObjectName("Muted")
        table_head = QHBoxLayout()
        table_head.addWidget(QLabel("<b>Per rep, under</b>"))
        table_head.addWidget(self.table_levers)
        table_head.addStretch(1)
        table_head.addWidget(table_hint)

        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 4, 4, 4)
        column.setSpacing(10)
        column.addLayout(top)
        column.addWidget(self.error)
        column.addLayout(levers)
        column.addWidget(self.summary)
        column.addLayout(table_head)
        column.addWidget(self.table)
        column.addWidget(self.chart)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.setEnabled(False)  # until the base arrives

    # ----------------------------------------------------------------- loading
    def load(self) -> None:
        """Read the base and the curves on the worker; the newest request's answer wins."""
        self.stale = False
        period = self.period
        self.status.setText("Reading the forecast, the hours and the costs…")

        def work(_control):
            base = prepare_whatif(period)
            return base, lever_curves(base)

        Query(self, self.context, work, supersede="base").success(self._loaded).failure(
            self._failed).run()

    def _failed(self, error) -> None:
        self.error.setText(str(error))
        self.error.show()

    def _loaded(self, answer) -> None:
        base, curves = answer
        self.error.hide()
        self.base, self.curves = base, curves
        self.setEnabled(True)
        for card in self.cards.values():
            card.set_costs(base.costs, self.currency)
        self.status.setText(f"{base.period.label} as of {format_date(base.as_of)}: what each "
                            "lever would bring by the end of the period, for what it costs.")
        self.recompute()
        self._show_curves()

    # --------------------------------------------------------------- the levers
    def _moved(self, lever: str) -> None:
        if self.table_levers.currentIndex() != TABLE_LEVERS.index("all"):
            self.table_levers.setCurrentIndex(TABLE_LEVERS.index(lever))
        self.recompute()

    def recompute(self) -> None:
        """Apply the sliders to the base, on this thread (no database), and show it."""
        if self.base is None:
            return
        started = time.perf_counter()
        sizes = {lever: card.size() for lever, card in self.cards.items()}
        self.result = result = apply_levers(self.base, sizes["leads"], sizes["conversion"],
                                            sizes["hours"])
        for lever_result in result.levers:
            self.cards[lever_result.lever].show_result(lever_result,
                                                       best=result.best == lever_result.lever)
        self.summary.setText(result.summary)
        self._show_table()
        self._show_positions()
        self.tick_ms = (time.perf_counter() - started) * 1000

    def _show_table(self) -> None:
        if self.result is None:
            return
        lever = TABLE_LEVERS[max(0, self.table_levers.currentIndex())]
        chosen = self.result.combined if lever == "all" else next(
            r for r in self.result.levers if r.lever == lever)
        self.model.set_result(chosen, self.currency)
        rows = self.model.rowCount()
        height = self.table.horizontalHeader().height() + 4
        height += sum(self.table.rowHeight(r) for r in range(rows))
        self.table.setFixedHeight(height)

    def _who(self):
        index = self.table.selectionModel().currentIndex()
        if not index.isValid():
            return TEAM, "Team"
        key = index.siblingAtColumn(0).data(REP_ID_ROLE)
        name = index.siblingAtColumn(0).data()
        return (TEAM, "Team") if key == TEAM_KEY else (key, name)

    def _show_curves(self) -> None:
        who, name = self._who()
        if self.curves:
            self.chart.set_curves(self.curves, who, name)
            self._show_positions()

    def _show_positions(self) -> None:
        if self.result is None:
            return
        who = self.chart.who
        positions = {}
        for r in self.result.levers:
            projection = r.team if who == TEAM else next(
                (p for p in r.reps if p.rep_id == who), None)
            share = r.size / HOURS_FULL_SCALE if r.lever == "hours" else r.size
            positions[r.lever] = (share, projection.probability if projection else None)
        self.chart.set_positions(positions)

    def reset(self) -> None:
        """Every lever back to none: today's forecast."""
        for card in self.cards.values():
            card.slider.setValue(0)

    # -------------------------------------------------------------------- costs
    def _save_cost(self, key: str, amount) -> None:
        """Remember a lever's cost (on the worker) and read the base again."""
        if isinstance(amount, FunnelcastError):
            self._failed(amount)
            return

        def work(_control, key=key, amount=amount):
            settings.put_lever_cost(key, Decimal(amount))

        Write(self, self.context, work, announce={Topic.SETTINGS}).failure(self._failed).run()
