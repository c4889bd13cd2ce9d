"""Settings → Activity kinds: the kinds reps log hours under, and their categories.

A manager renames a kind in place (its activities follow), picks its category from a list,
ticks whether it is offered when logging, adds, reorders (within its category) and removes
kinds, then saves everything at once through :func:`app.activity_kinds.save_kinds`. The
editing model (undo stack, Save / Revert, read-only banner for reps) is
:class:`ui.settings.staged_editor.StagedEditor`, the same as Stages'. Removing a kind that
has hours only stops offering it (so its hours keep their category); an unused one goes.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from app.activity_kinds import KindDraft, KindsSaved, load_kinds, save_kinds
from ui.context import Topic, UiContext
from ui.settings.staged_editor import StagedEditor, draft_table, tool_button
from ui.settings.stages_model import MoveRowCommand, ReorderableTable
from ui.theme import muted_text

CATEGORIES = ("prospecting", "selling", "other")
ModelIndex = QModelIndex | QPersistentModelIndex
KIND_TOPICS = frozenset({Topic.ACTIVITIES, Topic.SETTINGS})  # kinds live in both


def make_tab(context: UiContext) -> QWidget:
    """The tab's factory (see ``ui.settings.view.TABS``)."""
    return ActivityKindsTab(context)


class KindsModel(ReorderableTable):
    """Columns: name (editable), category (editable), offered (checkable), activities logged.

    Edits the drafts in memory; every edit is a command on the tab's undo stack. Rows move
    only among their category's (a kind given another category joins it when saved: the
    list is loaded grouped by category)."""

    HEADERS = ("Kind", "Category", "Offered", "Activities logged")

    def __init__(self, undo_stack: QUndoStack, parent=None):
        super().__init__(undo_stack, parent)
        self.kinds: list[KindDraft] = []

    def _rows(self) -> list:
        return self.kinds

    def load(self, kinds: list[KindDraft]) -> None:
        self.beginResetModel()
        self.kinds = kinds
        self.endResetModel()

    def kind(self, row: int) -> KindDraft:
        return self.kinds[row]

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        kind = self.kinds[index.row()]
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
        flags = self._base_flags(index)
        if not index.isValid() or not self.editable:
            return flags
        if index.column() in (0, 1):
            return flags | Qt.ItemFlag.ItemIsEditable
        if index.column() == 2:
            return flags | Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: ModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not self.editable:
            return False
        kind, column = self.kinds[index.row()], index.column()
        if role == Qt.ItemDataRole.EditRole and column == 0:
            field, value = "name", " ".join(str(value).split())
            if not value:
                return False
        elif role == Qt.ItemDataRole.EditRole and column == 1 and value in CATEGORIES:
            field = "category"
        elif role == Qt.ItemDataRole.CheckStateRole and column == 2:
            field, value = "active", Qt.CheckState(value) == Qt.CheckState.Checked
        else:
            return False
        if getattr(kind, field) == value:
            return False
        self.undo_stack.push(SetKindFieldCommand(self, kind, field, value))
        return True

    def request_move(self, source: int, before: int) -> None:
        """Move within the kind's category only (a drop elsewhere is ignored)."""
        target = before - 1 if before > source else before
        if before in (source, source + 1) or not 0 <= target < len(self.kinds):
            return
        if self.kinds[target].category != self.kinds[source].category:
            return
        self.undo_stack.push(MoveRowCommand(self, source, before,
                                            f"Move {self.kinds[source].name}"))

    def _apply_field(self, kind: KindDraft, field: str, value) -> None:
        setattr(kind, field, value)
        row = self.kinds.index(kind)
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def _apply_insert(self, row: int, kind: KindDraft) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self.kinds.insert(row, kind)
        self.endInsertRows()

    def _apply_remove(self, row: int) -> KindDraft:
        self.beginRemoveRows(QModelIndex(), row, row)
        kind = self.kinds.pop(row)
        self.endRemoveRows()
        return kind

    def unique_name(self, base: str) -> str:
        taken = {k.name.casefold() for k in self.kinds}
        return next(n for n in (f"{base} {i}" if i else base for i in range(1000))
                    if n.casefold() not in taken)


class SetKindFieldCommand(QUndoCommand):
    def __init__(self, model: KindsModel, kind: KindDraft, field: str, value):
        super().__init__(f"Change {kind.name}")
        self.model, self.kind, self.field = model, kind, field
        self.old, self.new = getattr(kind, field), value

    def redo(self) -> None:
        self.model._apply_field(self.kind, self.field, self.new)

    def undo(self) -> None:
        self.model._apply_field(self.kind, self.field, self.old)


class InsertKindCommand(QUndoCommand):
    def __init__(self, model: KindsModel, row: int, kind: KindDraft):
        super().__init__(f"Add {kind.name}")
        self.model, self.row, self.kind = model, row, kind

    def redo(self) -> None:
        self.model._apply_insert(self.row, self.kind)

    def undo(self) -> None:
        self.model._apply_remove(self.row)


class RemoveKindCommand(QUndoCommand):
    def __init__(self, model: KindsModel, row: int):
        self.kind = model.kinds[row]
        super().__init__(f"Remove {self.kind.name}")
        self.model, self.row = model, row

    def redo(self) -> None:
        self.model._apply_remove(self.row)

    def undo(self) -> None:
        self.model._apply_insert(self.row, self.kind)


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


class ActivityKindsTab(StagedEditor):
    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(context, what="change activity kinds",
                         save_tip="Save the activity kinds", topics=KIND_TOPICS,
                         parent=parent)
        self.model = KindsModel(self.undo_stack, self)
        self.view = draft_table(self.model, stretch=0)
        self.view.setItemDelegateForColumn(1, CategoryDelegate(self.view))

        self.add_button = tool_button("Add kind", "ph.plus", "Add a kind; then type its name",
                                      "Ctrl+Shift+N")
        self.remove_button = tool_button(
            "Remove", "ph.trash", "Remove an unused kind; a kind with hours is switched off "
            "instead, so its hours keep their category")
        self.up_button = tool_button("Up", "ph.arrow-up", "Move up within its category",
                                     "Alt+Up")
        self.down_button = tool_button("Down", "ph.arrow-down",
                                       "Move down within its category", "Alt+Down")
        toolbar = self.toolbar(self.add_button, self.remove_button, self.up_button,
                               self.down_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.intro)
        layout.addWidget(self.read_only_note)
        layout.addLayout(toolbar)
        layout.addWidget(self.error_label)
        layout.addWidget(self.view, 1)

        self.add_button.clicked.connect(self._add)
        self.remove_button.clicked.connect(self._remove)
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        self.view.selectionModel().currentRowChanged.connect(self._update_state)
        self.watch(self.view)
        self.start()

    # ----------------------------------------------------------------- the base's hooks
    def intro_text(self, manager: bool) -> str:
        return ("Every logged hour counts as prospecting, selling or other through its kind. "
                "Renaming a kind renames it on every activity; a kind already used is switched "
                "off rather than deleted, so its hours keep their category."
                + (" Nothing changes until you save." if manager else ""))

    def set_editable(self, editable: bool) -> None:
        self.model.editable = editable

    def update_actions(self, editable: bool) -> None:
        row = self._selected_row()
        self.remove_button.setEnabled(editable and row is not None)
        self.up_button.setEnabled(editable and row is not None
                                  and self._neighbour(row, -1) is not None)
        self.down_button.setEnabled(editable and row is not None
                                    and self._neighbour(row, 1) is not None)

    def load_work(self) -> list[KindDraft]:
        return load_kinds()

    def show_loaded(self, kinds: list[KindDraft]) -> None:
        selected = self._selected_row()
        keep = self.model.kind(selected).id if selected is not None else None
        self.model.load(kinds)
        rows = [i for i, k in enumerate(kinds) if keep is not None and k.id == keep]
        if rows:
            self.view.selectRow(rows[0])

    def plan(self) -> list[KindDraft]:
        return copy.deepcopy(self.model.kinds)

    def save_work(self, plan: list[KindDraft], actor, **_options) -> KindsSaved:
        return save_kinds(plan, actor)

    def saved_note(self, report: KindsSaved) -> str:
        off = (f"; {report.switched_off} used kind(s) switched off"
               if report.switched_off else "")
        return f"Saved{off}"

    # ----------------------------------------------------------------- edits
    def _selected_row(self) -> int | None:
        index = self.view.selectionModel().currentIndex()
        return index.row() if index.isValid() and index.row() < self.model.rowCount() else None

    def _neighbour(self, row: int, step: int) -> int | None:
        other = row + step
        kinds = self.model.kinds
        if 0 <= other < len(kinds) and kinds[other].category == kinds[row].category:
            return other
        return None

    def _add(self) -> None:
        """Add "New kind" at the end of Other and open its name for typing."""
        if not self.editable:
            return
        kind = KindDraft(self.model.unique_name("New kind"), "other")
        row = len(self.model.kinds)
        self.undo_stack.push(InsertKindCommand(self.model, row, kind))
        index = self.model.index(row, 0)
        self.view.setCurrentIndex(index)
        self.view.edit(index)

    def _remove(self) -> None:
        row = self._selected_row()
        if row is None or not self.editable:
            return
        kind = self.model.kind(row)
        if kind.uses:  # what the save will do anyway: keep it, stop offering it
            self.model.setData(self.model.index(row, 2), Qt.CheckState.Unchecked.value,
                               Qt.ItemDataRole.CheckStateRole)
        else:
            self.undo_stack.push(RemoveKindCommand(self.model, row))

    def _move(self, step: int) -> None:
        row = self._selected_row()
        if row is None or not self.editable or self._neighbour(row, step) is None:
            return
        self.model.request_move(row, row + 2 if step > 0 else row - 1)
        self.view.setCurrentIndex(self.model.index(row + step, 0))
