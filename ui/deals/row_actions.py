"""What a user can do to one row of the deals table, from its context menu and the keyboard.

The menu (right-click, or the Menu key / Shift+F10) offers: Open, Move to stage ▸, Mark won,
Mark lost…, Change stage / Change owner in the cell (F2), Log hours on this deal…, and
Delete (Del; Ctrl+Z brings it back). Every action goes through ``ui.deal_actions``, the
same code the board and the deal dialog use, so a move from here meets the same gate.

:class:`DealTable` is the table itself: F2 on a column that cannot be edited in place
edits the row's stage (so F2 always does something), and a double-click still opens the
deal, never an editor.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QMainWindow, QMenu, QTableView, QWidget

from app.activities import DealChoice
from app.deal_table import COLUMNS
from app.pipeline import StageInfo
from ui.context import UiContext
from ui.deal_actions import close_as, delete_with_undo, log_hours_on, move_with_gate
from ui.deals.table_model import DealTableModel
from ui.theme import icon


class DealTable(QTableView):
    """The deals table view: F2 anywhere in a row edits what can be edited there."""

    def edit(self, index, trigger=None, event=None):  # type: ignore[override]
        if trigger is None:  # the one-argument slot overload
            return super().edit(index)
        if (trigger == QAbstractItemView.EditTrigger.EditKeyPressed and index.isValid()
                and not index.flags() & Qt.ItemFlag.ItemIsEditable):
            stage = index.siblingAtColumn(COLUMNS.index("stage"))
            if stage.flags() & Qt.ItemFlag.ItemIsEditable:
                self.setCurrentIndex(stage)
                index = stage
        return super().edit(index, trigger, event)


class RowActions(QObject):
    """The context menu and keys of a :class:`DealTable`. ``stages()`` gives the pipeline's
    stages as the page last read them; ``on_error(message)`` shows a refusal;
    ``on_open(index)`` opens the deal (the page's dialog)."""

    def __init__(self, table: DealTable, model: DealTableModel, context: UiContext, *,
                 stages: Callable[[], list[StageInfo]], on_error: Callable[[str], None],
                 on_open: Callable[[QModelIndex], None]):
        super().__init__(table)
        self.table, self.model, self.context = table, model, context
        self._stages, self._on_error, self._on_open = stages, on_error, on_open
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._menu_at)
        delete = QShortcut(QKeySequence.StandardKey.Delete, table, self.delete_current)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.menu: QMenu | None = None  # the menu last shown (tests read it)

    # ------------------------------------------------------------------ the menu
    def _menu_at(self, point: QPoint) -> None:
        index = self.table.indexAt(point)
        if not index.isValid():
            return
        self.table.setCurrentIndex(index)
        self.build_menu(index).popup(self.table.viewport().mapToGlobal(point))

    def build_menu(self, index: QModelIndex) -> QMenu:
        """The menu for the row of ``index`` (built fresh: the row and the stages change)."""
        row = self.model.row(index.row())
        menu = QMenu(self.table)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        opened = menu.addAction(icon("ph.arrow-square-out"), "Open", lambda: self._on_open(index))
        opened.setShortcut(QKeySequence(Qt.Key.Key_Return))
        menu.setDefaultAction(opened)
        move = menu.addMenu(icon("ph.arrows-left-right"), "Move to stage")
        for stage in self._stages():
            action = move.addAction(stage.name, lambda s=stage: self.move(index, s.id))
            action.setCheckable(True)
            action.setChecked(stage.id == row.stage_id)
            action.setEnabled(stage.id != row.stage_id)
        won = menu.addAction(icon("ph.trophy"), "Mark won", lambda: self.close_as(index, "won"))
        won.setEnabled(row.stage_outcome != "won")
        lost = menu.addAction(icon("ph.x-circle"), "Mark lost…",
                              lambda: self.close_as(index, "lost"))
        lost.setEnabled(row.stage_outcome != "lost")
        menu.addSeparator()
        for key, text in (("stage", "Change stage here"), ("owner", "Change owner here")):
            action = menu.addAction(icon("ph.pencil-simple"), text,
                                    lambda k=key: self.edit_in_place(index, k))
            if key == "stage":
                action.setShortcut(QKeySequence(Qt.Key.Key_F2))
        menu.addAction(icon("ph.clock"), "Log hours on this deal…", lambda: self.log_hours(index))
        menu.addSeparator()
        delete = menu.addAction(icon("ph.trash"), "Delete", lambda: self.delete(index))
        delete.setShortcut(QKeySequence.StandardKey.Delete)
        delete.setToolTip("Edit → Undo (Ctrl+Z) brings it back")
        for action in menu.actions():  # shortcuts are shown as hints; the table owns the keys
            action.setShortcutVisibleInContextMenu(True)
        self.menu = menu
        return menu

    # ---------------------------------------------------------------- the actions
    def _row(self, index: QModelIndex):
        return self.model.row(index.row()) if index.isValid() else None

    def move(self, index: QModelIndex, stage_id: int) -> None:
        row = self._row(index)
        if row is not None:
            move_with_gate(self.table, self.context, row.id, stage_id, on_failure=self._on_error,
                           expected_version=row.version)

    def close_as(self, index: QModelIndex, outcome: str) -> None:
        row = self._row(index)
        if row is not None:
            close_as(self.table, self.context, row.id, outcome, self._stages(),
                     on_failure=self._on_error, expected_version=row.version)

    def edit_in_place(self, index: QModelIndex, key: str) -> None:
        cell = index.siblingAtColumn(COLUMNS.index(key))
        self.table.setCurrentIndex(cell)
        self.table.edit(cell)

    def log_hours(self, index: QModelIndex) -> QWidget | None:
        row = self._row(index)
        if row is None:
            return None
        return log_hours_on(self.table, self.context,
                            DealChoice(row.id, row.title, row.company, row.stage_name))

    def delete(self, index: QModelIndex) -> None:
        row = self._row(index)
        if row is not None:
            delete_with_undo(self.table, self.context, row.id, expected_version=row.version,
                             on_failure=self._on_error, on_done=self._tell)

    def delete_current(self) -> None:
        self.delete(self.table.currentIndex())

    def _tell(self, message: str) -> None:
        window = self.table.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(message, 8000)

