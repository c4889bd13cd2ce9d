"""The quota grid: each rep's quota per period, the team's row, copy a period forward, undo.

It lives in Settings → Quotas (beside Reps, where a manager sets the team up) and opens from
the Forecast page's "Quotas…" button in a window of its own, so a manager can change a
quota and watch the forecast cards move. Reads and writes run on the worker; every write
announces ``"quotas"`` on the bus and goes on the shared undo stack. A rep sees the grid
read-only, with a note saying why.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, QObject, QSize, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import settings
from app.clock import local_today
from app.deals import parse_amount
from app.errors import FunnelcastError
from app.periods import Period, period_of
from app.quotas import QuotaChange, copy_quotas_forward, put_quotas, quota_grid
from ui import theme
from ui.context import Topic, UiContext
from ui.operations import Query, UndoableWrite, Write
from ui.period_buttons import PeriodStepper
from ui.quotas.model import QuotaGridModel
from ui.table_fit import fit_rows

PAGE = {"quarter": 4, "month": 6}  # periods shown at once: a fiscal year, or half of one


def page_start(today: date, unit: str, fiscal_start_month: int, offset: int) -> Period:
    """The first period of the page holding ``today`` (the fiscal year's Q1, or the first
    month of its half), moved ``offset`` pages on."""
    current = period_of(today, unit, fiscal_start_month)
    months_in = (current.start.month - fiscal_start_month) % 12
    index = months_in // 3 if unit == "quarter" else months_in
    size = PAGE[unit]
    return current.shifted(-(index % size) + offset * size)


class QuotaCommand(UndoableWrite):
    """A quota write already made (``change``); undo writes ``change.before`` back, redo
    ``change.after``."""

    def __init__(self, context: UiContext, text: str, change: QuotaChange, on_failure,
                 owner: QObject):
        super().__init__(context, owner, text, announce={Topic.QUOTAS}, on_failure=on_failure)
        self.change = change

    def redo_work(self):
        return put_quotas(self.change.period, self.change.after, self.context.actor)

    def undo_work(self):
        return put_quotas(self.change.period, self.change.before, self.context.actor)


class MoneyDelegate(QStyledItemDelegate):
    """A right-aligned line edit: amounts are typed as the locale writes them."""

    def createEditor(self, parent, option, index):
        editor = QLineEdit(parent)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        editor.setFrame(False)
        return editor


class QuotaPanel(QWidget):
    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.unit = "quarter"
        self.offset = 0
        self._focus: tuple[int | None, str] | None = None

        self.intro = intro = QLabel()
        intro.setObjectName("Muted")
        intro.setWordWrap(True)
        self.read_only_note = theme.read_only_label()

        self.unit_box = QComboBox()
        self.unit_box.addItem("Quarters", "quarter")
        self.unit_box.addItem("Months", "month")
        self.unit_box.setToolTip("Quotas per fiscal quarter or per month")
        self.stepper = PeriodStepper("Earlier periods", "Later periods", "This year",
                                     "Back to the periods holding today")
        self.copy_button = QPushButton(theme.icon("ph.copy"), "Copy forward")
        self.copy_button.clicked.connect(self.copy_forward)
        for button in (self.stepper.current, self.copy_button):
            button.setAutoDefault(False)  # in the Quotas window Enter belongs to the grid

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show"))
        bar.addWidget(self.unit_box)
        bar.addSpacing(12)
        self.stepper.add_to(bar)
        bar.addStretch(1)
        bar.addWidget(self.copy_button)

        self.error = theme.error_label()
        self.status = QLabel()
        self.status.setObjectName("Muted")
        self.empty = QLabel("No reps yet — add reps in Settings → Reps, then give each a "
                            "quota here.")
        self.empty.setObjectName("Muted")
        self.empty.setWordWrap(True)
        self.empty.hide()

        self.model = QuotaGridModel(self)
        self.model.editor = self._edit
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(MoneyDelegate(self.table))
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        self.table.setStyleSheet("QTableView::item { padding: 0 12px; }"
                                 "QHeaderView::section { padding: 4px 12px; }")
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setMinimumSectionSize(120)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        clear = QShortcut(QKeySequence.StandardKey.Delete, self.table)
        clear.setContext(Qt.ShortcutContext.WidgetShortcut)
        clear.activated.connect(self.clear_current)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addWidget(self.read_only_note)
        layout.addLayout(bar)
        layout.addWidget(self.error)
        layout.addWidget(self.empty)
        layout.addWidget(self.table)
        layout.addWidget(self.status)
        layout.addStretch(1)

        self.unit_box.currentIndexChanged.connect(self._unit_chosen)
        self.stepper.connect(self.go, lambda: self.offset)
        self.table.selectionModel().currentChanged.connect(lambda *_: self._update_copy())
        context.bus.sig_changed.connect(self._on_changed)
        context.bus.sig_user_changed.connect(lambda _rep: self._apply_role())
        self._apply_role()
        self.reload()

    def sizeHint(self) -> QSize:
        return QSize(980, 400)

    # --------------------------------------------------------------- loading
    @property
    def is_manager(self) -> bool:
        return self.context.actor is not None and self.context.actor.is_manager

    def _apply_role(self) -> None:
        manager = self.is_manager
        self.intro.setText(
            "Each rep's quota per period. Double-click a cell or start typing to set one, "
            "Delete clears it, Ctrl+Z undoes. The team's quota is the reps' sum unless you "
            "set one for the team." if manager else
            "Each rep's quota per period. The team's quota is the reps' sum unless a manager "
            "sets one for the team.")
        self.model.set_editable(manager)
        self.copy_button.setVisible(manager)
        self.read_only_note.setVisible(not manager)
        actor = self.context.actor
        if not manager:
            who = f"{actor.name} is a rep" if actor else "nobody is signed in"
            self.read_only_note.setText(
                f"Only a manager can change quotas; {who}, so this is read-only.")

    def _unit_chosen(self, index: int) -> None:
        self.unit = self.unit_box.itemData(index)
        self.stepper.current.setText("This year" if self.unit == "quarter" else "This half-year")
        self.go(0)

    def go(self, offset: int) -> None:
        self.offset = offset
        self.reload()

    def reload(self) -> None:
        """Read the grid on the worker; a reply to an older request is dropped."""
        unit, offset = self.unit, self.offset

        def work(_control):
            stored = settings.load()
            first = page_start(local_today(), unit, stored.fiscal_year_start_month, offset)
            return quota_grid(first, PAGE[unit]), stored.currency

        Query(self, self.context, work, supersede="grid").success(self._show).failure(
            self.show_error).run()

    def _show(self, loaded) -> None:
        grid, currency = loaded
        current = self.table.currentIndex()
        self.model.set_grid(grid, currency)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        fit_rows(self.table)
        self.stepper.label.setText(f"{grid.periods[0].label} – {grid.periods[-1].label}")
        self.empty.setVisible(not any(r.role == "rep" for r in grid.reps))
        self._restore_current(current)
        self._update_copy()

    def _restore_current(self, before: QModelIndex) -> None:
        """Keep the cell the user was on (or the one just edited) current after a reload."""
        if self._focus is not None:
            rep_id, label = self._focus
            self._focus = None
            labels = [p.label for p in self.model.grid.periods]
            if label in labels:
                try:
                    row = self.model.row_of(rep_id)
                except StopIteration:
                    return
                self.table.setCurrentIndex(self.model.index(row, labels.index(label) + 1))
                return
        if before.isValid() and before.row() < self.model.rowCount():
            self.table.setCurrentIndex(self.model.index(before.row(), before.column()))

    def _on_changed(self, topics: frozenset) -> None:
        if topics & {Topic.QUOTAS, Topic.REPS, Topic.SETTINGS}:
            self.reload()

    def show_error(self, message: str) -> None:
        self.status.clear()
        self.error.setText(message)
        self.error.show()

    def show_note(self, message: str) -> None:
        self.error.hide()
        self.status.setText(message)

    # ---------------------------------------------------------------- writes
    def _source_column(self) -> int:
        """The period "Copy forward" copies: the current cell's, else today's, else the
        first shown."""
        grid = self.model.grid
        column = self.table.currentIndex().column()
        if column >= 1:
            return column
        today = local_today()
        return next((i + 1 for i, p in enumerate(grid.periods) if p.contains(today)), 1)

    def _update_copy(self) -> None:
        if self.model.grid is None:
            self.copy_button.setEnabled(False)
            return
        period = self.model.period(self._source_column())
        self.copy_button.setEnabled(self.is_manager)
        self.copy_button.setText(f"Copy {period.label} to {period.shifted(1).label}")
        self.copy_button.setToolTip(
            f"Give {period.shifted(1).label} the same quotas as {period.label} (Ctrl+Z "
            "undoes); choose another period by clicking a cell in its column")

    def _edit(self, rep_id: int | None, period: Period, text: str) -> None:
        """The model's editor: parse what was typed, write it on the worker, push the undo
        step once it is saved."""
        locale = self.locale()
        try:
            amount = (None if not text else
                      parse_amount(text, locale.groupSeparator(), locale.decimalPoint()))
        except FunnelcastError as error:
            self.show_error(f"{error} Nothing was saved.")
            return
        line = self.model.row(self.model.row_of(rep_id))
        whose = "the team's" if rep_id is None else f"{line.name}'s"
        self._focus = (rep_id, period.label)
        self._write(lambda actor: put_quotas(period, {rep_id: amount}, actor),
                    f"{'Clear' if amount is None else 'Set'} {whose} {period.label} quota")

    def clear_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid() and self.model.flags(index) & Qt.ItemFlag.ItemIsEditable:
            self.model.setData(index, "")

    def copy_forward(self) -> None:
        period = self.model.period(self._source_column())
        self._write(lambda actor: copy_quotas_forward(period, actor),
                    f"Copy {period.label}'s quotas to {period.shifted(1).label}")

    def _write(self, work, text: str) -> None:
        actor = self.context.actor

        def done(change: QuotaChange) -> None:
            self.context.undo_stack.push(QuotaCommand(self.context, text, change,
                                                      self.show_error, self))
            self.show_note(f"{text}: done. Ctrl+Z undoes it." if change.changed
                           else f"{text}: nothing changed.")

        Write(self, self.context, lambda _control: work(actor), announce={Topic.QUOTAS},
              ).success(done).failure(self.show_error).run()


class QuotaWindow(QDialog):
    """The grid in a window of its own (from the Forecast page); not modal, so the cards
    behind it update as quotas change."""

    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Quotas — Funnelcast")
        self.panel = QuotaPanel(context, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 6, 18, 12)
        layout.addWidget(self.panel)
        self.resize(self.panel.sizeHint())


def make_quotas_tab(context: UiContext) -> QWidget:
    """Settings → Quotas."""
    return QuotaPanel(context)
