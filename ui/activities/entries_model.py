"""The list of a week's activities under the timesheet, where single entries (with their
notes and deals) are edited or deleted."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from app.activities import ActivityInfo
from ui.formatting import format_date, format_hours
from ui.header_table_model import HeaderTableModel

ModelIndex = QModelIndex | QPersistentModelIndex


class EntriesModel(HeaderTableModel):
    """One row per activity: date, kind, hours, deal, note."""

    HEADERS = ("Date", "Activity", "Hours", "Deal", "Note")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._entries: list[ActivityInfo] = []

    def set_entries(self, entries: list[ActivityInfo]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entry(self, row: int) -> ActivityInfo:
        return self._entries[row]

    def row_count(self) -> int:
        return len(self._entries)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                format_date(entry.date), entry.kind, format_hours(entry.hours),
                entry.deal_label, entry.note,
            )[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column in (3, 4):
            return (entry.deal_label, entry.note)[column - 3] or None
        return None
