"""Settings → Activity kinds: the kinds reps log hours under, and their categories.

A manager renames a kind in place (its activities follow), picks its category from a list,
ticks whether it is offered when logging, adds, reorders and removes kinds. Removing a used
kind deactivates it instead (its hours keep their category); removal is undoable. Reps see
the list read-only.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.activity_kinds import (
    KindInfo,
    create_kind,
    list_kinds,
    move_kind,
    remove_kind,
    rename_kind,
    restore_kind,
    set_active,
    set_category,
)
from ui.context import Topic, UiContext
from ui.header_table_model import HeaderTableModel
from ui.operations import Query, UndoableWrite, Write
from ui.theme import DANGER, icon, muted_text

CATEGORIES = ("prospecting", "selling", "other")
ModelIndex = QModelIndex | QPersistentModelIndex


def make_tab(context: UiContext) -> QWidget:
    """The tab's factory (see ``ui.settings.view.TABS``)."""
    return ActivityKindsTab(context)


class KindsModel(HeaderTableModel):
    """Columns: name (editable), category (editable), offered (checkable), activities logged.

    Edits go to ``writer(work)``, a callable that runs an ``app`` call on the worker; the
    model is refreshed from the database afterwards, never changed optimistically.
    """

    HEADERS = ("Kind", "Category", "Offered", "Activities logged")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._kinds: list[KindInfo] = []
        self.editable = False
        self.writer = None
        self.actor = None

    def set_kinds(self, kinds: list[KindInfo]) -> None:
        self.beginResetModel()
        self._kinds = list(kinds)
        self.endResetModel()

    def kind(self, row: int) -> KindInfo:
        return self._kinds[row]

    def names(self) -> set[str]:
        return {k.name.casefold() for k in self._kinds}

    def row_count(self) -> int:
        return len(self._kinds)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        kind = self._kinds[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == 0:
                return kind.name
            if column == 1:
                return kind.category.capitalize() if role == Qt.ItemDataRole.DisplayRole \
                    else kind.category
            if column == 3:
                return f"{kind.uses:,}"
            return None
        if role == Qt.ItemDataRole.CheckStateRole and column == 2:
            return Qt.CheckState.Checked if kind.active else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ForegroundRole and not kind.active:
            return muted_text()
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return "Offered when logging hours; unticked kinds keep their history."
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self.editable:
            return base
        if index.column() in (0, 1):
            return base | Qt.ItemFlag.ItemIsEditable
        if index.column() == 2:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base

    def setData(self, index: ModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or self.writer is None or not self.editable:
            return False
        kind, actor, column = self._kinds[index.row()], self.actor, index.column()
        if role == Qt.ItemDataRole.EditRole and column == 0 and str(value) != kind.name:
            self.writer(lambda: rename_kind(kind.id, str(value), actor))
        elif role == Qt.ItemDataRole.EditRole and column == 1 and value != kind.category:
            self.writer(lambda: set_category(kind.id, str(value), actor))
        elif role == Qt.ItemDataRole.CheckStateRole and column == 2:
            active = Qt.CheckState(value) == Qt.CheckState.Checked
            self.writer(lambda: set_active(kind.id, active, actor))
        else:
            return False
        return True


class CategoryDelegate(QStyledItemDelegate):
    """Picks a category from the three."""

    def createEditor(self, parent: QWidget, option, index: ModelIndex) -> QWidget:
        box = QComboBox(parent)
        for category in CATEGORIES:
            box.addItem(category.capitalize(), category)
        return box

    def setEditorData(self, editor: QWidget, index: ModelIndex) -> None:
        editor.setCurrentIndex(max(editor.findData(index.data(Qt.ItemDataRole.EditRole)), 0))

    def setModelData(self, editor: QWidget, model, index: ModelIndex) -> None:
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


KIND_TOPICS = frozenset({Topic.ACTIVITIES, Topic.SETTINGS})  # kinds live in both


class RemoveKindCommand(UndoableWrite):
    """A kind was removed (deleted, or deactivated when used); undo puts it back."""

    def __init__(self, tab: ActivityKindsTab, before: KindInfo):
        super().__init__(tab.context, tab, f"Remove activity kind {before.name}",
                         announce=KIND_TOPICS, on_failure=tab.show_error)
        self.before = before

    def redo_work(self) -> None:
        remove_kind(self.before.id, self.context.actor)

    def undo_work(self) -> None:
        restore_kind(self.before, self.context.actor)


class ActivityKindsTab(QWidget):
    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        manager = context.actor is not None and context.actor.is_manager
        intro = QLabel(
            "Every logged hour counts as prospecting, selling or other through its kind. "
            "Renaming a kind renames it on every activity; a kind already used is switched "
            "off rather than deleted, so its hours keep their category."
            if manager else
            "Only a manager can change activity kinds; this is the list reps log hours under."
        )
        intro.setWordWrap(True)
        intro.setObjectName("Muted")
        self.model = KindsModel(self)
        self.model.editable = manager
        self.model.writer = self.write
        self.model.actor = context.actor
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setItemDelegateForColumn(1, CategoryDelegate(self.view))
        self.view.verticalHeader().hide()
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

        self.add_button = QPushButton(icon("ph.plus"), "Add kind")
        self.add_button.setToolTip("Add a kind (Ctrl+Shift+N); then type its name")
        self.add_button.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.remove_button = QPushButton(icon("ph.trash"), "Remove")
        self.remove_button.setToolTip("Delete an unused kind, or switch off a used one "
                                      "(undo with Ctrl+Z)")
        self.up_button = QPushButton(icon("ph.arrow-up"), "Up")
        self.up_button.setToolTip("Move up within its category (Alt+Up)")
        self.up_button.setShortcut(QKeySequence("Alt+Up"))
        self.down_button = QPushButton(icon("ph.arrow-down"), "Down")
        self.down_button.setToolTip("Move down within its category (Alt+Down)")
        self.down_button.setShortcut(QKeySequence("Alt+Down"))
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button,
                       self.down_button):
            button.setEnabled(manager)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {DANGER.name()};")
        self.error.setWordWrap(True)
        self.error.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.addWidget(intro)
        layout.addLayout(buttons)
        layout.addWidget(self.error)
        layout.addWidget(self.view, 1)

        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self._select_after: int | None = None
        self._edit_selected = False
        context.bus.sig_changed.connect(self._on_changed)
        self.reload()

    def reload(self) -> None:
        Query(self, self.context,
              lambda _control: list_kinds(include_inactive=True, with_uses=True),
              supersede="kinds").success(self._show).failure(self.show_error).run()

    def _show(self, kinds: list[KindInfo]) -> None:
        self.model.set_kinds(kinds)
        if self._select_after is not None:
            row = next((i for i, k in enumerate(kinds) if k.id == self._select_after), None)
            self._select_after = None
            if row is not None:
                self.view.selectRow(row)
                if self._edit_selected:
                    self.view.edit(self.model.index(row, 0))
        self._edit_selected = False

    def write(self, work, *, then=None) -> None:
        """Run ``work`` (an app call) as a :class:`Write`; the tab reloads on the
        announcement; a refusal shows its sentence (and the tab shows what is stored)."""
        self.error.hide()
        Write(self, self.context, lambda _control: work(), announce=KIND_TOPICS,
              ).success(then or (lambda _result: None)).failure(self._failed).run()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _failed(self, message: str) -> None:
        self.show_error(message)
        self.reload()

    def _on_changed(self, topics: frozenset) -> None:
        if topics & KIND_TOPICS:
            self.reload()

    def _selected(self) -> KindInfo | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.kind(rows[0].row()) if rows else None

    def _add(self) -> None:
        """Add "New kind" under Other and open its name for typing."""
        taken = self.model.names()
        name = next(n for n in (f"New kind {i}" if i else "New kind" for i in range(1000))
                    if n.casefold() not in taken)
        actor = self.context.actor

        def edit_new(kind: KindInfo) -> None:
            self._select_after = kind.id
            self._edit_selected = True

        self.write(lambda: create_kind(name, "other", actor), then=edit_new)

    def _remove(self) -> None:
        kind = self._selected()
        if kind is None:
            return
        actor = self.context.actor
        self.write(lambda: remove_kind(kind.id, actor),
                   then=lambda _r: self.context.undo_stack.push(RemoveKindCommand(self, kind)))

    def _move(self, step: int) -> None:
        kind = self._selected()
        if kind is None:
            return
        actor = self.context.actor
        self._select_after = kind.id
        self.write(lambda: move_kind(kind.id, step, actor))
