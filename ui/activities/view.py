"""The Activities section: "Timesheet" (a rep's week) and "Team" (hours and figures).

Reads and writes run on the worker (``context.runner``); every write announces
``"activities"`` on the bus and each page reloads when it hears it.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from PySide6.QtCore import QLocale, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import users
from app.activities import delete_activity, hours_refusal, list_activities
from app.clock import local_today
from app.time_figures import PERIOD_UNITS, period_containing, shift_period, team_view
from app.timesheet import load_week, set_cell
from ui.activities.commands import CellEditCommand, DeleteActivityCommand
from ui.activities.entries_model import EntriesModel
from ui.activities.quick_log import QuickLogDialog
from ui.activities.team_model import FiguresModel, TeamModel
from ui.activities.timesheet_model import HoursDelegate, TimesheetModel
from ui.context import Topic, UiContext
from ui.formatting import format_date, format_hours, format_money
from ui.operations import Query, Write
from ui.period_buttons import step_button
from ui.table_fit import fit_rows
from ui.theme import danger, icon


def error_style() -> str:
    """An error line's look, in the warning colour readable on the current palette."""
    return f"color: {danger().name()}; padding: 4px 0;"


def _compact(view: QTableView) -> None:
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)


def _span(start: date, end: date) -> str:
    return f"{format_date(start)} – {format_date(end)}"


class ActivitiesView(QWidget):
    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        title = QLabel("Activities")
        title.setObjectName("PageTitle")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.timesheet = TimesheetPage(context)
        self.team = TeamPage(context)
        self.tabs.addTab(self.timesheet, "Timesheet")
        self.tabs.addTab(self.team, "Team")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)


class TimesheetPage(QWidget):
    """A rep's week: the kinds × days grid, its totals and capacity, and the week's entries.

    Alt+Left / Alt+Right step through weeks, Alt+Home returns to this week; Delete removes
    the selected entry (undoable), Enter or a double-click edits it.
    """

    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.day = local_today()
        self.rep_id: int | None = context.actor.id if context.actor else None
        self._pending_cell: tuple | None = None
        self.refusal: str | None = None  # why the shown week is read-only for the user

        self.rep_box = QComboBox()
        self.rep_box.setMinimumContentsLength(16)
        self.rep_box.setToolTip("Whose week to show")
        self.previous = step_button("ph.caret-left", "Previous week", "Alt+Left")
        self.next = step_button("ph.caret-right", "Next week", "Alt+Right")
        self.this_week = QPushButton("This week")
        self.this_week.setShortcut(QKeySequence("Alt+Home"))
        self.this_week.setToolTip("Back to this week (Alt+Home)")
        self.week_label = QLabel()
        self.week_label.setStyleSheet("font-weight: 600; padding: 0 6px;")
        self.capacity_label = QLabel()
        self.capacity_bar = QProgressBar()
        self.capacity_bar.setTextVisible(False)
        self.capacity_bar.setFixedWidth(160)
        self.capacity_bar.setFixedHeight(8)
        self.log_button = log_button = QPushButton(icon("ph.timer"), "Log hours…")
        log_button.setToolTip("Log an activity with a note or a deal (Ctrl+L)")
        log_button.clicked.connect(self._log)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Rep"))
        bar.addWidget(self.rep_box)
        bar.addSpacing(12)
        bar.addWidget(self.previous)
        bar.addWidget(self.week_label)
        bar.addWidget(self.next)
        bar.addWidget(self.this_week)
        bar.addStretch(1)
        bar.addWidget(self.capacity_label)
        bar.addWidget(self.capacity_bar)
        bar.addSpacing(12)
        bar.addWidget(log_button)

        self.error = QLabel()
        self.error.setStyleSheet(error_style())
        self.error.setWordWrap(True)
        self.error.hide()

        self.model = TimesheetModel(self)
        self.model.editor = self._edit_cell
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(HoursDelegate(self.table))
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        _compact(self.table)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)

        self.empty = QLabel(
            "Nothing logged this week yet — type hours into a cell, or press Ctrl+L to log an "
            "activity with a note or a deal."
        )
        self.empty.setObjectName("Muted")
        self.empty.setWordWrap(True)
        self.entries_title = entries_title = QLabel("Entries this week")
        entries_title.setStyleSheet("font-weight: 600; padding-top: 6px;")
        self.entries_hint = QLabel()
        self.entries_hint.setObjectName("Muted")
        self.entries = EntriesModel(self)
        self.entries_view = QTableView()
        self.entries_view.setModel(self.entries)
        self.entries_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.entries_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.entries_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.entries_view.verticalHeader().hide()
        _compact(self.entries_view)
        self.entries_view.setShowGrid(False)
        self.entries_view.setAlternatingRowColors(True)
        entries_header = self.entries_view.horizontalHeader()
        entries_header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        entries_header.setStretchLastSection(True)
        self.entries_view.doubleClicked.connect(lambda index: self._edit_entry(index.row()))
        delete = QShortcut(QKeySequence.StandardKey.Delete, self.entries_view)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self._delete_selected)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            edit = QShortcut(QKeySequence(key), self.entries_view)
            edit.setContext(Qt.ShortcutContext.WidgetShortcut)
            edit.activated.connect(self._edit_selected)

        entries_bar = QHBoxLayout()
        entries_bar.addWidget(entries_title)
        entries_bar.addStretch(1)
        entries_bar.addWidget(self.entries_hint)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        layout.addLayout(entries_bar)
        layout.addWidget(self.entries_view, 1)
        self.bottom = QWidget()  # takes the space when there are no entries
        layout.addWidget(self.bottom, 1)

        self.previous.clicked.connect(lambda: self.go_to(self.day - timedelta(days=7)))
        self.next.clicked.connect(lambda: self.go_to(self.day + timedelta(days=7)))
        self.this_week.clicked.connect(lambda: self.go_to(local_today()))
        self.rep_box.currentIndexChanged.connect(self._rep_chosen)
        context.bus.sig_changed.connect(self._on_changed)
        context.bus.sig_user_changed.connect(self._user_switched)
        self._fill_reps()
        self.reload()

    # --------------------------------------------------------------- loading
    def _fill_reps(self) -> None:
        """Load the picker's reps on the worker (the week loads independently)."""
        Query(self, self.context, lambda _control: users.list_reps(), supersede="reps",
              ).success(self._show_reps).failure(self.show_error).run()

    def _show_reps(self, reps) -> None:
        self.rep_box.blockSignals(True)
        self.rep_box.clear()
        for rep in reps:
            self.rep_box.addItem(rep.name, rep.id)
        if self.rep_id is None and self.rep_box.count():
            self.rep_id = self.rep_box.itemData(0)
        self.rep_box.setCurrentIndex(max(self.rep_box.findData(self.rep_id), 0))
        self.rep_box.blockSignals(False)

    def _user_switched(self, rep) -> None:
        """"Switch user" shows the new user's own week, as opening the page would."""
        if rep is None:
            return
        self.rep_id = rep.id
        self._fill_reps()
        self.reload()

    def _rep_chosen(self, index: int) -> None:
        self.rep_id = self.rep_box.itemData(index)
        self.reload()

    def go_to(self, day: date) -> None:
        self.day = day
        self.reload()

    def reload(self) -> None:
        """Load the chosen rep's week on the worker; the grid updates when it arrives."""
        if self.rep_id is None:
            return
        rep_id, day = self.rep_id, self.day

        def work(_control):
            week = load_week(rep_id, day)
            return week, list_activities(rep_id, week.start, week.days[-1])

        Query(self, self.context, work, supersede="week").success(self._show).failure(
            self.show_error).run()

    def _show(self, loaded) -> None:
        week, entries = loaded
        self.refusal = hours_refusal(self.context.actor, week.rep.id, week.rep.name)
        self.model.editable = self.refusal is None
        self.model.set_week(week)
        fit_rows(self.table)
        self.entries.set_entries(entries)
        number = week.start.isocalendar().week
        self.week_label.setText(f"Week {number} · {_span(week.start, week.days[-1])}")
        self._show_capacity(week.total, week.capacity)
        self.empty.setVisible(not entries)
        self.entries_view.setVisible(bool(entries))
        self.entries_hint.setText(
            "Double-click or Enter to edit · Delete to remove (undo with Ctrl+Z)"
            if self.refusal is None else
            f"Read-only: {week.rep.name}'s week · double-click or Enter to see an entry")
        self.entries_hint.setToolTip(self.refusal or "")
        self.entries_hint.setVisible(bool(entries))
        self.entries_title.setVisible(bool(entries))
        self.bottom.setVisible(not entries)
        self._restore_cell()

    def _show_capacity(self, total: Decimal, capacity: Decimal) -> None:
        share = int(total * 100 / capacity) if capacity else 0
        text = f"{format_hours(total) or '0'} of {format_hours(capacity)} h"
        if capacity:
            text += f" ({QLocale().toString(share)} %)"
        self.capacity_label.setText(text)
        self.capacity_label.setToolTip("Hours logged this week against the rep's weekly "
                                       "capacity")
        self.capacity_bar.setRange(0, max(int(capacity * 4), 1))
        self.capacity_bar.setValue(min(int(total * 4), self.capacity_bar.maximum()))
        over = capacity and total > capacity
        self.capacity_label.setStyleSheet(f"color: {danger().name()};" if over else "")

    def _on_changed(self, topics: frozenset) -> None:
        if Topic.REPS in topics:
            self._fill_reps()
        if topics & {Topic.ACTIVITIES, Topic.REPS, Topic.SETTINGS}:
            self.reload()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    # ---------------------------------------------------------------- writes
    def _edit_cell(self, kind: str, day: date, hours: Decimal) -> None:
        week = self.model.week
        old = week.rows[[r.kind for r in week.rows].index(kind)].hours[(day - week.start).days]
        rep_id, actor = week.rep.id, self.context.actor
        self.error.hide()
        self._pending_cell = (kind, (day - week.start).days + 1)

        def done(_value) -> None:
            self.context.undo_stack.push(CellEditCommand(
                self.context, rep_id, day, kind, old, hours, self.show_error, self))

        Write(self, self.context, lambda _control: set_cell(rep_id, day, kind, hours, actor),
              announce={Topic.ACTIVITIES}).success(done).failure(self.show_error).run()

    def _restore_cell(self) -> None:
        """Keep the edited cell current after the reload, so typing can go on."""
        if self._pending_cell is None:
            return
        kind, column = self._pending_cell
        self._pending_cell = None
        try:
            row = self.model.row_of_kind(kind)
        except StopIteration:
            return
        self.table.setCurrentIndex(self.model.index(row, column))

    def _selected_row(self) -> int | None:
        rows = self.entries_view.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _delete_selected(self) -> None:
        row = self._selected_row()
        if row is None:
            return
        if self.refusal is not None:
            self.show_error(self.refusal)
            return
        entry, actor = self.entries.entry(row), self.context.actor

        def done(deleted) -> None:
            self.context.undo_stack.push(
                DeleteActivityCommand(self.context, deleted, self.show_error, self))

        Write(self, self.context, lambda _control: delete_activity(entry.id, actor),
              announce={Topic.ACTIVITIES}).success(done).failure(self.show_error).run()

    def _edit_selected(self) -> None:
        row = self._selected_row()
        if row is not None:
            self._edit_entry(row)

    def _edit_entry(self, row: int) -> None:
        QuickLogDialog.ask(self, self.context, activity=self.entries.entry(row))

    def _log(self) -> None:
        """Log for the rep shown, or for oneself when the shown week is read-only."""
        QuickLogDialog.ask(self, self.context,
                           rep_id=self.rep_id if self.refusal is None else None,
                           day=min(local_today(), self.model.week.days[-1])
                           if self.model.week else None)


class TeamPage(QWidget):
    """The team's hours for a week, month or quarter (reps × categories, with capacity) and
    where the time goes (the period's figures)."""

    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.unit = "week"
        self.start, self.end = self._period(local_today())

        self.unit_box = QComboBox()
        for unit in PERIOD_UNITS:
            self.unit_box.addItem(unit.capitalize(), unit)
        self.unit_box.setToolTip("Show a week, a month or a (fiscal) quarter")
        self.previous = step_button("ph.caret-left", "Previous period", "Alt+Left")
        self.next = step_button("ph.caret-right", "Next period", "Alt+Right")
        self.current = QPushButton("Current")
        self.current.setShortcut(QKeySequence("Alt+Home"))
        self.current.setToolTip("Back to the current period (Alt+Home)")
        self.period_label = QLabel()
        self.period_label.setStyleSheet("font-weight: 600; padding: 0 6px;")
        self.status = QLabel()
        self.status.setObjectName("Muted")

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Period"))
        bar.addWidget(self.unit_box)
        bar.addSpacing(12)
        bar.addWidget(self.previous)
        bar.addWidget(self.period_label)
        bar.addWidget(self.next)
        bar.addWidget(self.current)
        bar.addStretch(1)
        bar.addWidget(self.status)

        self.error = QLabel()
        self.error.setStyleSheet(error_style())
        self.error.setWordWrap(True)
        self.error.hide()

        self.team_model = TeamModel(self)
        self.team_view = self._table(self.team_model)
        self.figures_model = FiguresModel(self)
        self.figures_view = self._table(self.figures_model)
        self.empty = QLabel()
        self.empty.setObjectName("Muted")
        self.empty.setWordWrap(True)
        self.target_label = QLabel()
        self.target_label.setObjectName("Muted")
        figures_title = QLabel("Where the time goes")
        figures_title.setStyleSheet("font-weight: 600; padding-top: 8px;")
        figures_bar = QHBoxLayout()
        figures_bar.addWidget(figures_title)
        figures_bar.addStretch(1)
        figures_bar.addWidget(self.target_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addWidget(self.empty)
        layout.addWidget(self.team_view)
        layout.addLayout(figures_bar)
        layout.addWidget(self.figures_view)
        layout.addStretch(1)

        self.unit_box.currentIndexChanged.connect(self._unit_chosen)
        self.previous.clicked.connect(lambda: self._shift(-1))
        self.next.clicked.connect(lambda: self._shift(1))
        self.current.clicked.connect(lambda: self._go(local_today()))
        context.bus.sig_changed.connect(self._on_changed)
        self.reload()

    @staticmethod
    def _table(model) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.verticalHeader().hide()
        _compact(view)
        view.setShowGrid(False)
        view.setAlternatingRowColors(True)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Figures take the width they need; the rep's name takes what is left, so no one
        # column of numbers swallows half the table.
        view.setStyleSheet("QTableView::item { padding: 0 8px; }"
                           "QHeaderView::section { padding: 4px 8px; }")
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        return view

    def _period(self, day: date) -> tuple[date, date]:
        return period_containing(day, self.unit, self.context.settings.fiscal_year_start_month)

    def _unit_chosen(self, index: int) -> None:
        """Show the new unit's period holding today if the shown period holds it (a quarter
        back to a week is this week, not the quarter's first), else its first day's."""
        self.unit = self.unit_box.itemData(index)
        today = local_today()
        self._go(today if self.start <= today <= self.end else self.start)

    def _go(self, day: date) -> None:
        self.start, self.end = self._period(day)
        self.reload()

    def _shift(self, steps: int) -> None:
        self.start, self.end = shift_period(
            self.start, self.unit, steps, self.context.settings.fiscal_year_start_month)
        self.reload()

    def _on_changed(self, topics: frozenset) -> None:
        if topics & {Topic.ACTIVITIES, Topic.DEALS, Topic.REPS, Topic.SETTINGS}:
            self.reload()

    def reload(self) -> None:
        start, end = self.start, self.end
        self.period_label.setText(_span(start, end))
        self.status.setText("Loading…")
        Query(self, self.context, lambda _control: team_view(start, end), supersede="team",
              ).success(self._show).failure(self._failed).run()

    def _failed(self, message: str) -> None:
        self.status.setText("")
        self.error.setText(message)
        self.error.show()

    def _show(self, loaded) -> None:
        team, figures = loaded
        self.error.hide()
        settings = self.context.settings
        self.team_model.set_team(team)
        self.figures_model.set_figures(figures, settings.currency)
        fit_rows(self.team_view)
        fit_rows(self.figures_view)
        has_reps = bool(team.rows)
        if not has_reps:
            self.empty.setText("No reps yet — add the team under Settings, then log hours "
                               "with Ctrl+L.")
        else:
            self.empty.setText("No hours logged in this period yet — log them with Ctrl+L or "
                               "in the Timesheet tab, or look at an earlier period (Alt+Left).")
        self.empty.setVisible(not has_reps or not team.total)
        self.team_view.setVisible(has_reps)
        self.figures_view.setVisible(has_reps)
        self.status.setText(
            f"{format_hours(team.total)} h logged of {format_hours(team.capacity_so_far)} h "
            f"capacity to date · {format_hours(team.capacity_ahead)} h still to come")
        self.target_label.setText(
            "Target: " + format_money(settings.revenue_per_hour_target, settings.currency)
            + " per selling hour")
