"""Settings → Lead spend: what each lead source cost, month by month, and the two settings
the reports turn wins into profit and hours into a benchmark with (gross margin, revenue
per selling hour target).

A small grid: sources as rows, six months as columns (step with the arrows). Typing an
amount writes it on the worker and puts an undo step on the shared stack (Ctrl+Z); Delete
clears a month. Every write announces ``Topic.SPEND`` (or ``Topic.SETTINGS``) on the bus, so the
Reports page recomputes. A rep sees everything read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from PySide6.QtCore import (
    QAbstractTableModel,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import settings
from app.clock import local_today
from app.deals import format_amount, parse_amount
from app.errors import FunnelcastError
from app.reports import (
    Economics,
    SpendChange,
    SpendGrid,
    economics,
    put_spend,
    set_economics,
    spend_grid,
)
from app.reports.spend import add_months
from ui import theme
from ui.context import Topic, UiContext
from ui.formatting import format_money
from ui.operations import Query, UndoableWrite, Write
from ui.period_buttons import step_button
from ui.table_fit import fit_rows

MONTHS = 6
Index = QModelIndex | QPersistentModelIndex
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class SpendCommand(UndoableWrite):
    """A spend write already made; undo writes ``change.before`` back, redo ``after``."""

    def __init__(self, context: UiContext, text: str, change: SpendChange, on_failure,
                 owner: QObject):
        super().__init__(context, owner, text, announce={Topic.SPEND}, on_failure=on_failure)
        self.change = change

    def redo_work(self):
        return put_spend(self.change.after, self.context.actor)

    def undo_work(self):
        return put_spend(self.change.before, self.context.actor)


class EconomicsCommand(UndoableWrite):
    def __init__(self, context: UiContext, before: Economics, after: Economics, on_failure,
                 owner: QObject):
        super().__init__(context, owner, "Change the gross margin and hourly target",
                         announce={Topic.SETTINGS}, on_failure=on_failure)
        self.before, self.after = before, after

    def redo_work(self):
        return set_economics(self.after, self.context.actor)

    def undo_work(self):
        return set_economics(self.before, self.context.actor)


class SpendGridModel(QAbstractTableModel):
    """Column 0 names the source; column ``i + 1`` is ``grid.months[i]``. Editing hands
    (source id, month, text) to ``editor``; the grid reloads from the database after."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grid: SpendGrid | None = None
        self.currency = "USD"
        self.editable = False
        self.editor: Callable[[int, date, str], None] | None = None

    def set_grid(self, grid: SpendGrid, currency: str, editable: bool) -> None:
        self.beginResetModel()
        self.grid, self.currency, self.editable = grid, currency, editable
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.grid is None else len(self.grid.sources)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.grid is None else len(self.grid.months) + 1

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or self.grid is None:
            return None
        if not 0 <= section < self.columnCount():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return "Source" if section == 0 else f"{self.grid.months[section - 1]:%b %Y}"
        if role == Qt.ItemDataRole.TextAlignmentRole and section:
            return RIGHT
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.grid is None:
            return None
        source_id, name = self.grid.sources[index.row()]
        column = index.column()
        if column == 0:
            return name if role == Qt.ItemDataRole.DisplayRole else None
        amount = self.grid.amount(source_id, self.grid.months[column - 1])
        if role == Qt.ItemDataRole.DisplayRole:
            return format_money(amount, self.currency) if amount else ""
        if role == Qt.ItemDataRole.EditRole:
            return format_amount(amount.normalize(), "", QLocale().decimalPoint()) \
                if amount else ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"What {name} cost in {self.grid.months[column - 1]:%B %Y}"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable and index.column() > 0:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (role != Qt.ItemDataRole.EditRole or self.editor is None
                or not self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        text = str(value if value is not None else "").strip()
        if text == str(self.data(index, Qt.ItemDataRole.EditRole)):
            return False
        source_id, _name = self.grid.sources[index.row()]
        self.editor(source_id, self.grid.months[index.column() - 1], text)
        return True


class SpendPanel(QWidget):
    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.offset = 0
        intro = QLabel("What each lead source cost, month by month: the reports' cost per "
                       "lead, cost per win and return on spend use each period's months. "
                       "Type an amount; Delete clears a month; Ctrl+Z undoes.")
        intro.setObjectName("Muted")
        intro.setWordWrap(True)
        self.previous = step_button("ph.caret-left", "Earlier months", "Alt+Left")
        self.next = step_button("ph.caret-right", "Later months", "Alt+Right")
        self.range_label = QLabel()
        self.range_label.setStyleSheet("font-weight: 600; padding: 0 6px;")
        self.current = QPushButton("Recent months")
        self.current.setToolTip("Back to the months up to this one")
        bar = QHBoxLayout()
        bar.addWidget(self.previous)
        bar.addWidget(self.range_label)
        bar.addWidget(self.next)
        bar.addWidget(self.current)
        bar.addStretch(1)

        self.model = SpendGridModel(self)
        self.model.editor = self._edit
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        clear = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table)
        clear.setContext(Qt.ShortcutContext.WidgetShortcut)
        clear.activated.connect(self.clear_current)

        self.margin = QDoubleSpinBox()
        self.margin.setRange(0, 100)
        self.margin.setDecimals(1)
        self.margin.setSuffix(" %")
        self.margin.setToolTip("The share of a sale that is profit: the value of a lead and the "
                               "return on spend use profit, not revenue")
        self.target = QDoubleSpinBox()
        self.target.setRange(1, 10_000_000)
        self.target.setDecimals(0)
        self.target.setToolTip("What a selling hour should bring in (a common B2B benchmark: "
                               "1,000 per hour)")
        for box in (self.margin, self.target):
            box.editingFinished.connect(self._economics_edited)
        for box in (self.margin, self.target):
            box.setMinimumWidth(120)
        form = QFormLayout()
        form.addRow("Gross margin", self.margin)
        form.addRow("Revenue per selling hour target", self.target)
        economics_row = QHBoxLayout()
        economics_row.addLayout(form)
        economics_row.addStretch(1)

        self.note = QLabel()
        self.note.setObjectName("Muted")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.danger().name()};")
        self.error.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.addWidget(intro)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        layout.addSpacing(8)
        layout.addLayout(economics_row)
        layout.addWidget(self.error)
        layout.addWidget(self.note)
        layout.addStretch(1)
        self._economics: Economics | None = None

        self.previous.clicked.connect(lambda: self.go(self.offset - 1))
        self.next.clicked.connect(lambda: self.go(self.offset + 1))
        self.current.clicked.connect(lambda: self.go(0))
        context.bus.sig_changed.connect(self._on_changed)
        context.bus.sig_user_changed.connect(lambda _rep: self.reload())
        self.reload()

    @property
    def is_manager(self) -> bool:
        return self.context.actor is not None and self.context.actor.is_manager

    def _on_changed(self, topics: frozenset) -> None:
        if topics & {Topic.SPEND, Topic.SETTINGS, Topic.DEALS}:
            self.reload()

    def go(self, offset: int) -> None:
        self.offset = offset
        self.reload()

    def reload(self) -> None:
        first = add_months(local_today().replace(day=1), -(MONTHS - 1) + self.offset * MONTHS)

        def work(_control):
            return spend_grid(first, MONTHS), economics(), settings.load().currency

        Query(self, self.context, work, supersede="grid").success(self._show).failure(
            self.show_error).run()

    def _show(self, result) -> None:
        grid, stored, currency = result
        self.model.set_grid(grid, currency, self.is_manager)
        fit_rows(self.table)
        self.range_label.setText(f"{grid.months[0]:%b %Y} – {grid.months[-1]:%b %Y}")
        self._economics = stored
        for box, value in ((self.margin, stored.gross_margin * 100),
                           (self.target, stored.revenue_per_hour_target)):
            box.blockSignals(True)
            box.setValue(float(value))
            box.setEnabled(self.is_manager)
            box.blockSignals(False)

    def _edit(self, source_id: int, month: date, text: str) -> None:
        locale = self.locale()
        try:
            amount = parse_amount(text, locale.groupSeparator(), locale.decimalPoint())
        except FunnelcastError as error:
            self.show_error(f"{error} Nothing was saved.")
            return
        name = dict(self.model.grid.sources)[source_id]
        label = f"{'Clear' if not amount else 'Set'} {name}'s spend for {month:%B %Y}"
        actor = self.context.actor

        def done(change: SpendChange) -> None:
            self.context.undo_stack.push(SpendCommand(self.context, label, change,
                                                      self.show_error, self))
            self.show_note(f"{label}: done. Ctrl+Z undoes it.")

        Write(self, self.context, lambda _c: put_spend({(source_id, month): amount}, actor),
              announce={Topic.SPEND}).success(done).failure(self.show_error).run()

    def clear_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid() and self.model.flags(index) & Qt.ItemFlag.ItemIsEditable:
            self.model.setData(index, "")

    def _economics_edited(self) -> None:
        if self._economics is None or not self.is_manager:
            return
        wanted = Economics(Decimal(str(round(self.margin.value(), 1))) / 100,
                           Decimal(str(round(self.target.value()))))
        if wanted == self._economics:
            return
        actor = self.context.actor

        def done(before: Economics) -> None:
            self.context.undo_stack.push(EconomicsCommand(self.context, before, wanted,
                                                          self.show_error, self))
            self.show_note("Gross margin and hourly target saved. Ctrl+Z undoes it.")

        self._economics = wanted
        Write(self, self.context, lambda _c: set_economics(wanted, actor),
              announce={Topic.SETTINGS}).success(done).failure(self.show_error).run()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self.note.clear()

    def show_note(self, text: str) -> None:
        self.error.hide()
        self.note.setText(text)


def make_spend_tab(context: UiContext) -> QWidget:
    """Settings → Lead spend."""
    return SpendPanel(context)
