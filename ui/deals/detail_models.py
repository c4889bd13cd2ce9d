"""Models behind the deal dialog's lists: the checklist tree, the stage history and the
deal's activities. Small lists, but real item models so views stay views."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

from app.deal_detail import ActivityEntry, ChecklistEntry, StageChangeEntry
from ui.formatting import format_date, format_stamp
from ui.header_table_model import HeaderTableModel
from ui.theme import muted_text

Index = QModelIndex | QPersistentModelIndex
NO_PARENT = 0xFFFFFFFF  # internalId of a stage row; an item row stores its stage's index


class ChecklistModel(QAbstractItemModel):
    """Stages (top level) and their checklist items (checkable). Ticks are held here until
    the dialog saves: :meth:`changes` says which items to tick or untick."""

    def __init__(self, entries: tuple[ChecklistEntry, ...], parent=None):
        super().__init__(parent)
        self._groups: list[tuple[str, list[ChecklistEntry]]] = []
        self._original: dict[int, bool] = {}
        self._checked: dict[int, bool] = {}
        self._take(entries, {})

    def _take(self, entries: tuple[ChecklistEntry, ...], pending: dict[int, bool]) -> None:
        self._groups = []
        for entry in entries:
            if not self._groups or self._groups[-1][0] != entry.stage_name:
                self._groups.append((entry.stage_name, []))
            self._groups[-1][1].append(entry)
        self._original = {e.item_id: e.checked for e in entries}
        self._checked = {**self._original,
                         **{i: v for i, v in pending.items() if i in self._original}}

    def reload(self, entries: tuple[ChecklistEntry, ...]) -> None:
        """Show the deal's ticks as stored now (e.g. after the gate ticked some on a stage
        move), keeping the user's own unsaved ticks on top."""
        pending = self.changes()
        self.beginResetModel()
        self._take(entries, pending)
        self.endResetModel()

    def changes(self) -> dict[int, bool]:
        """Item id -> ticked, for the items the user changed."""
        return {i: v for i, v in self._checked.items() if v != self._original[i]}

    def mark_saved(self) -> None:
        """The ticks as they stand were saved: :meth:`changes` is empty until the next tick."""
        self._original = dict(self._checked)

    def ticked_count(self) -> tuple[int, int]:
        return sum(self._checked.values()), len(self._checked)

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, NO_PARENT) if row < len(self._groups) \
                else QModelIndex()
        if parent.internalId() != NO_PARENT:
            return QModelIndex()
        items = self._groups[parent.row()][1]
        return self.createIndex(row, 0, parent.row()) if row < len(items) else QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == NO_PARENT:
            return QModelIndex()
        return self.createIndex(index.internalId(), 0, NO_PARENT)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._groups)
        if parent.column() != 0 or parent.internalId() != NO_PARENT:
            return 0
        return len(self._groups[parent.row()][1])

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 1

    def _entry(self, index: Index) -> ChecklistEntry | None:
        if not index.isValid() or index.internalId() == NO_PARENT:
            return None
        return self._groups[index.internalId()][1][index.row()]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        entry = self._entry(index)
        if entry is None:
            name, items = self._groups[index.row()]
            if role == Qt.ItemDataRole.DisplayRole:
                done = sum(self._checked[e.item_id] for e in items)
                return f"{name}  ({done}/{len(items)})"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.text + ("" if entry.required else "  (optional)")
        if role == Qt.ItemDataRole.CheckStateRole:
            return (Qt.CheckState.Checked if self._checked[entry.item_id]
                    else Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.ToolTipRole and entry.checked and entry.checked_at:
            who = f" by {entry.checked_by}" if entry.checked_by else ""
            return f"Ticked {format_stamp(entry.checked_at)}{who}"
        if role == Qt.ItemDataRole.ForegroundRole and not entry.required:
            return muted_text()
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._entry(index) is None:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        entry = self._entry(index)
        if entry is None or role != Qt.ItemDataRole.CheckStateRole:
            return False
        state = value if isinstance(value, Qt.CheckState) else Qt.CheckState(value)
        self._checked[entry.item_id] = state == Qt.CheckState.Checked
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        group = self.index(index.internalId(), 0)
        self.dataChanged.emit(group, group, [Qt.ItemDataRole.DisplayRole])
        return True


class _ReadOnlyTable(HeaderTableModel):
    HEADERS: tuple[str, ...] = ()

    def __init__(self, rows: tuple, parent=None):
        super().__init__(parent)
        self._rows = rows

    def row_count(self) -> int:
        return len(self._rows)

    def set_rows(self, rows: tuple) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.cell(self._rows[index.row()], index.column())
        return None

    def cell(self, row, column: int) -> str:
        raise NotImplementedError


class HistoryModel(_ReadOnlyTable):
    """Stage changes, newest first, in local time."""

    HEADERS = ("When", "Move", "By", "Override reason", "Origin")

    def __init__(self, rows: tuple[StageChangeEntry, ...], parent=None):
        super().__init__(tuple(reversed(rows)), parent)

    def cell(self, row: StageChangeEntry, column: int) -> str:
        if column == 0:
            return format_stamp(row.changed_at)
        if column == 1:
            return f"{row.from_stage} → {row.to_stage}" if row.from_stage \
                else f"Created in {row.to_stage}"
        if column == 2:
            return row.changed_by or "—"
        if column == 3:
            return row.override_reason
        return {"app": "Funnelcast", "import": "Import", "workbook": "Rep workbook"}.get(
            row.origin, row.origin)


class ActivityModel(_ReadOnlyTable):
    HEADERS = ("Date", "Kind", "Rep", "Hours", "Note")

    def cell(self, row: ActivityEntry, column: int) -> str:
        return (format_date(row.date), row.kind, row.rep, f"{row.hours:f}", row.note)[column]
