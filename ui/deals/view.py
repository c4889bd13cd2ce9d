"""The Deals section: every deal in one table, filtered and sorted in SQL, edited inline.

Filter bar (owner, stage, source, search) → a :class:`app.deal_table.DealTableSpec` → the
model re-queries. The owner filter lists inactive reps too, labelled, so a departed rep's
deals can be found and handed on. The search box waits for a short pause in typing
(:mod:`ui.search_pause`, as the board's does); clearing the box needs no pause.
Column widths come from the header and a sample of rows, never from
``resizeColumnsToContents`` (a second on 100k rows). Double-click or Enter opens the deal;
the row's context menu and keys are in :mod:`ui.deals.row_actions`, the footer in
:mod:`ui.deals.footer`.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtGui import QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from app.deal_table import COLUMNS, DealTableSpec
from app.deals import list_sources, owner_choices
from app.pipeline import list_stages
from ui.context import Topic, UiContext
from ui.deal_actions import move_with_gate
from ui.deals.columns import TableColumns
from ui.deals.footer import DealsFooter
from ui.deals.row_actions import DealTable, RowActions
from ui.deals.table_model import DEAL_ID_ROLE, DealTableModel
from ui.operations import Query
from ui.search_pause import SearchPause
from ui.theme import danger, icon

NO_DATE = QDate(1900, 1, 1)


class DealTableDelegate(QStyledItemDelegate):
    """Editors for the editable columns: a combo for owner and stage, a date edit with
    "No date" for the expected close, a plain line edit for the value.

    ``choices`` maps a column to (id, label, offered) entries; an entry not ``offered`` (an
    inactive rep) is listed only in the editor of the row it already holds. The editor always
    shows the cell's current value, so leaving it unchanged never writes another one."""

    def __init__(self, choices: dict[str, list[tuple[int | None, str, bool]]], parent=None):
        super().__init__(parent)
        self.choices = choices

    def createEditor(self, parent, option, index):
        key = COLUMNS[index.column()]
        if key in self.choices:
            current = index.data(Qt.ItemDataRole.EditRole)
            combo = QComboBox(parent)
            for item_id, label, offered in self.choices[key]:
                if offered or item_id == current:
                    combo.addItem(label, item_id)
            # Commit as soon as a choice is made (the stage choice may open the gate).
            combo.activated.connect(lambda _i, c=combo: self._commit_and_close(c))
            return combo
        if key == "expected_close":
            edit = QDateEdit(parent)
            edit.setCalendarPopup(True)
            edit.setMinimumDate(NO_DATE)
            edit.setSpecialValueText("No date")
            return edit
        return super().createEditor(parent, option, index)

    def _commit_and_close(self, editor) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor, index) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            found = editor.findData(value)
            if found < 0:  # not among the choices (e.g. the lists are being re-read): keep it
                editor.addItem(str(index.data(Qt.ItemDataRole.DisplayRole)), value)
                found = editor.count() - 1
            editor.setCurrentIndex(found)
        elif isinstance(editor, QDateEdit):
            editor.setDate(value if isinstance(value, QDate) and value.isValid() else NO_DATE)
        else:
            super().setEditorData(editor, index)

    def setModelData(self, editor, model, index) -> None:
        if isinstance(editor, QComboBox):
            if editor.currentData() != index.data(Qt.ItemDataRole.EditRole):
                model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QDateEdit):
            chosen = editor.date()
            model.setData(index, QDate() if chosen == NO_DATE else chosen,
                          Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)


class DealsView(QWidget):
    """The Deals page; ``model``, ``table`` and the filter widgets are public for tests."""

    def __init__(self, context: UiContext, parent=None):
        super().__init__(parent)
        self.context = context
        page = QVBoxLayout(self)
        page.setContentsMargins(20, 16, 20, 12)
        page.setSpacing(10)

        bar = QHBoxLayout()
        title = QLabel("Deals")
        title.setObjectName("PageTitle")
        bar.addWidget(title)
        bar.addSpacing(16)
        self.owner_combo = QComboBox()
        self.stage_combo = QComboBox()
        self.source_combo = QComboBox()
        for combo, tip, everyone in (
                (self.owner_combo, "Show one rep's deals", "All owners"),
                (self.stage_combo, "Show the deals in one stage", "All stages"),
                (self.source_combo, "Show deals from one lead source", "All sources")):
            combo.setMinimumWidth(140)
            combo.setToolTip(tip)
            combo.addItem(everyone, None)  # the rest once read (see _fill_choices)
            bar.addWidget(combo)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search title, company, contact or e-mail (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.addAction(icon("ph.magnifying-glass"),
                                   QLineEdit.ActionPosition.LeadingPosition)
        bar.addWidget(self.search_edit, 1)
        page.addLayout(bar)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(f"color: {danger().name()};")
        self.banner.hide()
        page.addWidget(self.banner)

        self.model = DealTableModel(
            context, parent=self,
            mover=lambda deal_id, stage_id, version, on_done: move_with_gate(
                self, self.context, deal_id, stage_id, on_failure=self.show_error,
                on_done=on_done, expected_version=version),
        )
        self.table = DealTable()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.SelectedClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(
            QFontMetrics(self.font()).height() + 12)
        header = self.table.horizontalHeader()
        self.columns = TableColumns(self.table)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSortIndicator(COLUMNS.index("updated_at"), Qt.SortOrder.DescendingOrder)
        self._delegate = DealTableDelegate({}, self.table)
        self.table.setItemDelegate(self._delegate)
        self.table.doubleClicked.connect(self._open_index)
        page.addWidget(self.table, 1)

        self.empty_label = QLabel()
        self.empty_label.setObjectName("Muted")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        page.addWidget(self.empty_label)

        self.totals_label = DealsFooter()
        self.totals_label.setStyleSheet("font-weight: 600;")
        page.addWidget(self.totals_label)
        self._stages = []
        self.row_actions = RowActions(self.table, self.model, context,
                                      stages=lambda: self._stages, on_error=self.show_error,
                                      on_open=self._open_index)

        self._search_pause = SearchPause(self.search_edit, self.apply_filter)
        for combo in (self.owner_combo, self.stage_combo, self.source_combo):
            combo.currentIndexChanged.connect(self.apply_filter)
        # New rows are laid out at once rather than on Qt's delayed-layout timer, so a filter
        # paints the table once, not twice (about 15 ms of a keystroke on 100k deals).
        self.model.modelReset.connect(self.table.doItemsLayout)
        self.model.sig_totals.connect(self._show_totals)
        self.model.sig_rows_ready.connect(self._first_rows, Qt.ConnectionType.SingleShotConnection)
        self.model.sig_error.connect(self.show_error)
        self.model.sig_edited.connect(self._edited)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search_edit.setFocus)
        open_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table,
                                  self._open_current)
        open_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        context.bus.sig_changed.connect(self._on_changed)
        self._fill_choices()
        self.apply_filter()

    def _first_rows(self) -> None:
        # Enabling sorting re-sorts by the indicator: a no-op once the first query is in.
        self.table.setSortingEnabled(True)
        self.size_columns()

    # ----------------------------------------------------------- filters
    def _fill_choices(self) -> None:
        """Read the filter lists (owners, inactive ones too; stages; sources) on the worker
        and fill the combos when they arrive; until then each offers only "All …", which is
        what the table shows."""
        Query(self, self.context, lambda _control: (
            owner_choices(everyone=True), list_stages(), list_sources()), supersede="choices",
              ).success(self._choices_read).run()

    def _choices_read(self, lists) -> None:
        owners, stage_list, source_list = lists
        self._stages = stage_list  # for New deal's first stage
        stages = [(s.id, s.name) for s in stage_list]
        for combo, items in (
                (self.owner_combo, [(c.id, c.label) for c in owners]),
                (self.stage_combo, stages),
                (self.source_combo, [(s.id, s.name) for s in source_list])):
            chosen = combo.currentData()
            combo.blockSignals(True)
            while combo.count() > 1:  # all but "All …"
                combo.removeItem(1)
            for item_id, name in items:
                combo.addItem(name, item_id)
            found = combo.findData(chosen)
            combo.setCurrentIndex(found if found >= 0 else 0)
            combo.blockSignals(False)
            if found < 0 and chosen is not None:  # the chosen one is gone: show everyone's
                self.apply_filter()
        self._delegate.choices = {
            "owner": [(None, "No owner", True), *((c.id, c.label, c.active) for c in owners)],
            "stage": [(item_id, name, True) for item_id, name in stages],
        }

    def current_spec(self) -> DealTableSpec:
        spec = self.model.spec
        return DealTableSpec(
            owner_id=self.owner_combo.currentData(), stage_id=self.stage_combo.currentData(),
            source_id=self.source_combo.currentData(), text=self.search_edit.text().strip(),
            sort=spec.sort, descending=spec.descending,
        )

    def apply_filter(self) -> None:
        """Query with the filter bar's values now (the search box calls this after a pause)."""
        self._search_pause.cancel()
        self.model.set_spec(self.current_spec())

    def size_columns(self) -> None:
        """Fit the columns to the rows now shown (see :mod:`ui.deals.columns`)."""
        self.columns.size_from_rows()

    def _show_totals(self, count: int, summary) -> None:
        self.totals_label.show_summary(count, summary, self.model.period,
                                       self.context.settings.currency)
        filtered = self.current_spec() != DealTableSpec(sort=self.model.spec.sort,
                                                        descending=self.model.spec.descending)
        if count:
            self.empty_label.hide()
        elif filtered:
            self.empty_label.setText("No deal matches these filters. Clear the search or "
                                     "choose “All” in the lists above.")
            self.empty_label.show()
        else:
            self.empty_label.setText("No deals yet — import a spreadsheet or add one with "
                                     "Ctrl+N.")
            self.empty_label.show()

    # ------------------------------------------------------------ events
    def show_error(self, message: str) -> None:
        self.banner.setText(message)
        self.banner.show()

    def _edited(self, _deal_id: int) -> None:
        self.banner.hide()

    def _on_changed(self, topics: frozenset) -> None:
        if topics & {Topic.REPS, Topic.STAGES}:
            self._fill_choices()
        if topics & {Topic.SETTINGS}:
            self.model.currency = self.context.settings.currency
        if topics & {Topic.DEALS, Topic.REPS, Topic.STAGES, Topic.SETTINGS}:
            self.model.refresh()

    def _open_current(self) -> None:
        self._open_index(self.table.currentIndex())

    def _open_index(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        from ui.deals.dialog import DealDialog

        DealDialog.show_existing(self, self.context, index.data(DEAL_ID_ROLE))
