"""Item models and undo commands for the stage and checklist editor.

The models edit plain drafts from :mod:`app.stage_admin` in memory; nothing is written until
the tab's Save. Every edit a user makes (``setData``, a drag, add, delete) becomes a
QUndoCommand on the editor's own undo stack, so Ctrl+Z walks back through unsaved edits.
Commands only touch the models through their ``_apply_*`` methods, which emit the proper
model signals.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QByteArray, QMimeData, QModelIndex, Qt
from PySide6.QtGui import QColor, QUndoCommand, QUndoStack

from app.stage_admin import ChecklistDraft, StageDraft
from ui.stage_colours import stage_colour

ROW_MIME = "application/x-funnelcast-row"
SIDE_LABELS = {"marketing": "Marketing", "sales": "Sales"}
OUTCOME_LABELS = {"open": "Open", "won": "Won", "lost": "Lost"}


def _row_mime(row: int) -> QMimeData:
    data = QMimeData()
    data.setData(ROW_MIME, QByteArray(str(row).encode()))
    return data


def _dropped_row(data: QMimeData) -> int | None:
    if not data.hasFormat(ROW_MIME):
        return None
    try:
        return int(data.data(ROW_MIME).data().decode())
    except ValueError:
        return None


def _drop_target(row: int, parent: QModelIndex, count: int) -> int:
    """Where a drop lands, as a "before this row" index (count: at the end)."""
    if row >= 0:
        return row
    if parent.isValid():
        return parent.row()
    return count


class ReorderableTable(QAbstractTableModel):
    """Shared behaviour: a list of rows that can be dragged into a new order."""

    def __init__(self, undo_stack: QUndoStack, parent=None):
        super().__init__(parent)
        self.undo_stack = undo_stack
        self.editable = True

    def _rows(self) -> list:
        raise NotImplementedError

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows())

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [ROW_MIME]

    def mimeData(self, indexes) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        return _row_mime(rows[0] if rows else -1)

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        return self.editable and _dropped_row(data) is not None

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        source = _dropped_row(data)
        if not self.editable or source is None or not 0 <= source < len(self._rows()):
            return False
        self.request_move(source, _drop_target(row, parent, len(self._rows())))
        # False: the move is done (as an undoable command); the view must not also remove
        # the dragged row as it would after an ordinary move between models.
        return False

    def request_move(self, source: int, before: int) -> None:
        raise NotImplementedError

    def _apply_move(self, source: int, before: int) -> None:
        """Move row ``source`` so it sits before row ``before`` (len(rows): last)."""
        rows = self._rows()
        if before in (source, source + 1):
            return
        self.beginMoveRows(QModelIndex(), source, source, QModelIndex(), before)
        item = rows.pop(source)
        rows.insert(before - 1 if before > source else before, item)
        self.endMoveRows()

    def _base_flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled if self.editable else Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags


class MoveRowCommand(QUndoCommand):
    def __init__(self, model: ReorderableTable, source: int, before: int, text: str,
                 reveal: Callable[[], None] = lambda: None):
        super().__init__(text)
        self.model, self.source, self.before, self.reveal = model, source, before, reveal
        self.final = before - 1 if before > source else before

    def redo(self) -> None:
        self.reveal()
        self.model._apply_move(self.source, self.before)

    def undo(self) -> None:
        self.reveal()
        back = self.source + 1 if self.source > self.final else self.source
        self.model._apply_move(self.final, back)


# --------------------------------------------------------------------------------------------
# Stages


class StageListModel(ReorderableTable):
    """The pipeline's stages in order: name (with its colour), side, outcome, probability,
    rot days and the deals each holds. ``reassign`` collects, for deleted stages that hold
    deals, the name of the stage their deals move to."""

    COLUMNS = ("Stage", "Side", "Outcome", "Probability", "Rots after", "Deals")
    FIELDS = ("name", "side", "outcome", "probability", "rot_days", None)
    NUMERIC = (3, 4, 5)

    def __init__(self, undo_stack: QUndoStack, parent=None):
        super().__init__(undo_stack, parent)
        self.stages: list[StageDraft] = []
        self.deal_counts: dict[int, int] = {}
        self.reassign: dict[int, str] = {}

    def _rows(self) -> list:
        return self.stages

    def load(self, stages: list[StageDraft], deal_counts: dict[int, int]) -> None:
        self.beginResetModel()
        self.stages = stages
        self.deal_counts = deal_counts
        self.reassign = {}
        self.endResetModel()

    def colour_of(self, row: int) -> QColor:
        """The stage's colour as the pipeline shows it (its own, or its default)."""
        stage = self.stages[row]
        return stage_colour(stage.colour, row, stage.outcome)

    def deals_in(self, stage: StageDraft) -> int:
        return self.deal_counts.get(stage.id, 0) if stage.id is not None else 0

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.COLUMNS[section]
            if role == Qt.ItemDataRole.TextAlignmentRole and section in self.NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        stage, column = self.stages[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(stage, column)
        if role == Qt.ItemDataRole.EditRole:
            field = self.FIELDS[column]
            if field == "rot_days":
                return stage.rot_days or 0
            return getattr(stage, field) if field else None
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return self.colour_of(index.row())
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return "Drag to reorder; double-click to rename."
        return None

    def _display(self, stage: StageDraft, column: int) -> str:
        if column == 0:
            return stage.name
        if column == 1:
            return SIDE_LABELS.get(stage.side, stage.side)
        if column == 2:
            return OUTCOME_LABELS.get(stage.outcome, stage.outcome)
        if column == 3:
            return f"{stage.probability} %"
        if column == 4:
            return f"{stage.rot_days} days" if stage.rot_days else "Never"
        count = self.deals_in(stage)
        return f"{count:,}"

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        flags = self._base_flags(index)
        if index.isValid() and self.editable and self.FIELDS[index.column()] is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: QModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or not self.editable:
            return False
        field = self.FIELDS[index.column()]
        if field is None:
            return False
        stage = self.stages[index.row()]
        if field == "name":
            value = " ".join(str(value).split())
            if not value:
                return False
        elif field in ("probability", "rot_days"):
            value = int(value)
            if field == "rot_days":
                value = value or None
        if getattr(stage, field) == value:
            return False
        self.undo_stack.push(SetStageFieldCommand(self, stage, field, value))
        return True

    def set_colour(self, row: int, colour: str) -> None:
        stage = self.stages[row]
        if stage.colour != colour:
            self.undo_stack.push(SetStageFieldCommand(self, stage, "colour", colour))

    def request_move(self, source: int, before: int) -> None:
        if before in (source, source + 1):
            return
        name = self.stages[source].name
        self.undo_stack.push(MoveRowCommand(self, source, before, f"Move {name}"))

    def _apply_field(self, stage: StageDraft, field: str, value) -> None:
        setattr(stage, field, value)
        row = self.stages.index(stage)
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def _apply_insert(self, row: int, stage: StageDraft) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self.stages.insert(row, stage)
        self.endInsertRows()

    def _apply_remove(self, row: int) -> StageDraft:
        self.beginRemoveRows(QModelIndex(), row, row)
        stage = self.stages.pop(row)
        self.endRemoveRows()
        return stage

    def unique_name(self, base: str) -> str:
        taken = {s.name.casefold() for s in self.stages}
        name, n = base, 2
        while name.casefold() in taken:
            name, n = f"{base} {n}", n + 1
        return name


class SetStageFieldCommand(QUndoCommand):
    def __init__(self, model: StageListModel, stage: StageDraft, field: str, value):
        super().__init__(f"Change {stage.name}")
        self.model, self.stage, self.field = model, stage, field
        self.old, self.new = getattr(stage, field), value

    def redo(self) -> None:
        self.model._apply_field(self.stage, self.field, self.new)

    def undo(self) -> None:
        self.model._apply_field(self.stage, self.field, self.old)


class InsertStageCommand(QUndoCommand):
    def __init__(self, model: StageListModel, row: int, stage: StageDraft):
        super().__init__(f"Add {stage.name}")
        self.model, self.row, self.stage = model, row, stage

    def redo(self) -> None:
        self.model._apply_insert(self.row, self.stage)

    def undo(self) -> None:
        self.model._apply_remove(self.row)


class RemoveStageCommand(QUndoCommand):
    """Deletes a stage from the draft; ``target`` names where its deals go on save."""

    def __init__(self, model: StageListModel, row: int, target: str | None):
        stage = model.stages[row]
        super().__init__(f"Delete {stage.name}")
        self.model, self.row, self.stage, self.target = model, row, stage, target

    def redo(self) -> None:
        self.model._apply_remove(self.row)
        if self.stage.id is not None and self.target:
            self.model.reassign[self.stage.id] = self.target

    def undo(self) -> None:
        self.model._apply_insert(self.row, self.stage)
        if self.stage.id is not None:
            self.model.reassign.pop(self.stage.id, None)


# --------------------------------------------------------------------------------------------
# Checklist


class ChecklistModel(ReorderableTable):
    """The checklist of one stage (``stage``): item text, required flag, weight.

    ``reveal(stage)`` is called before an undo or redo touches a stage's checklist, so the
    editor shows the stage being changed (and this model is then showing it).
    """

    COLUMNS = ("Criterion to enter the stage", "Required", "Weight")

    def __init__(self, undo_stack: QUndoStack, reveal: Callable[[StageDraft], None],
                 parent=None):
        super().__init__(undo_stack, parent)
        self.stage: StageDraft | None = None
        self.reveal = reveal

    def _rows(self) -> list:
        return self.stage.checklist if self.stage is not None else []

    def show_stage(self, stage: StageDraft | None) -> None:
        if stage is self.stage:
            return
        self.beginResetModel()
        self.stage = stage
        self.endResetModel()

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        if (orientation == Qt.Orientation.Horizontal and section == 2
                and role == Qt.ItemDataRole.TextAlignmentRole):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        item, column = self._rows()[index.row()], index.column()
        if column == 0 and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return item.text
        if column == 1:
            if role == Qt.ItemDataRole.CheckStateRole:
                return (Qt.CheckState.Checked if item.required else Qt.CheckState.Unchecked)
            if role == Qt.ItemDataRole.DisplayRole:
                return "Required" if item.required else "Optional"
        if column == 2:
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
                return item.weight
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return ("Required items must be ticked before a deal enters the stage; the weight "
                    "counts toward the lead score.")
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        flags = self._base_flags(index)
        if index.isValid() and self.editable:
            if index.column() == 1:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            else:
                flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: QModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not self.editable or self.stage is None:
            return False
        item, column = self._rows()[index.row()], index.column()
        if column == 1 and role == Qt.ItemDataRole.CheckStateRole:
            field, value = "required", Qt.CheckState(value) == Qt.CheckState.Checked
        elif column == 0 and role == Qt.ItemDataRole.EditRole:
            field, value = "text", " ".join(str(value).split())
            if not value:
                return False
        elif column == 2 and role == Qt.ItemDataRole.EditRole:
            field, value = "weight", int(value)
        else:
            return False
        if getattr(item, field) == value:
            return False
        self.undo_stack.push(SetItemFieldCommand(self, self.stage, item, field, value))
        return True

    def request_move(self, source: int, before: int) -> None:
        if before in (source, source + 1) or self.stage is None:
            return
        stage = self.stage
        self.undo_stack.push(
            MoveRowCommand(self, source, before, f"Reorder the {stage.name} checklist",
                           reveal=lambda: self.reveal(stage))
        )

    def _apply_field(self, stage: StageDraft, item: ChecklistDraft, field: str, value) -> None:
        self.reveal(stage)
        setattr(item, field, value)
        row = self._rows().index(item)
        self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))

    def _apply_insert(self, stage: StageDraft, row: int, item: ChecklistDraft) -> None:
        self.reveal(stage)
        self.beginInsertRows(QModelIndex(), row, row)
        stage.checklist.insert(row, item)
        self.endInsertRows()

    def _apply_remove(self, stage: StageDraft, row: int) -> ChecklistDraft:
        self.reveal(stage)
        self.beginRemoveRows(QModelIndex(), row, row)
        item = stage.checklist.pop(row)
        self.endRemoveRows()
        return item


class SetItemFieldCommand(QUndoCommand):
    def __init__(self, model: ChecklistModel, stage: StageDraft, item: ChecklistDraft,
                 field: str, value):
        super().__init__(f"Change a {stage.name} checklist item")
        self.model, self.stage, self.item, self.field = model, stage, item, field
        self.old, self.new = getattr(item, field), value

    def redo(self) -> None:
        self.model._apply_field(self.stage, self.item, self.field, self.new)

    def undo(self) -> None:
        self.model._apply_field(self.stage, self.item, self.field, self.old)


class InsertItemCommand(QUndoCommand):
    def __init__(self, model: ChecklistModel, stage: StageDraft, row: int,
                 item: ChecklistDraft):
        super().__init__(f"Add a {stage.name} checklist item")
        self.model, self.stage, self.row, self.item = model, stage, row, item

    def redo(self) -> None:
        self.model._apply_insert(self.stage, self.row, self.item)

    def undo(self) -> None:
        self.model._apply_remove(self.stage, self.row)


class RemoveItemCommand(QUndoCommand):
    def __init__(self, model: ChecklistModel, stage: StageDraft, row: int):
        super().__init__(f"Remove a {stage.name} checklist item")
        self.model, self.stage, self.row = model, stage, row
        self.item = stage.checklist[row]

    def redo(self) -> None:
        self.model._apply_remove(self.stage, self.row)

    def undo(self) -> None:
        self.model._apply_insert(self.stage, self.row, self.item)
