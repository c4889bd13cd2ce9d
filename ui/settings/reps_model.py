"""The reps editor's table model: one row per team member, edits committed through a callback.

Each edit is saved at once (it is one small row) by the ``commit(rep_id, changes)`` callback
the tab provides, which starts :func:`app.rep_admin.update_rep` on the worker and records an
undo step once it is written; the cell keeps its old value until then, and for good when the
app refuses the edit (the tab says why). The callback returns False for an edit it refuses
outright.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import QModelIndex, Qt

from app.rep_admin import RepRow
from ui import theme
from ui.header_table_model import HeaderTableModel

ROLE_LABELS = {"manager": "Manager", "rep": "Rep"}


class RepsModel(HeaderTableModel):
    HEADERS = ("Name", "Email", "Role", "Weekly hours", "Active", "Deals", "Time entries")
    FIELDS = ("name", "email", "role", "weekly_capacity_hours", "active", None, None)
    RIGHT = frozenset({3, 5, 6})

    def __init__(self, commit: Callable[[int, dict], bool], parent=None):
        super().__init__(parent)
        self.rows: list[RepRow] = []
        self.commit = commit
        self.editable = True

    def load(self, rows: list[RepRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def row_of(self, rep_id: int) -> int | None:
        return next((i for i, r in enumerate(self.rows) if r.rep.id == rep_id), None)

    def row_count(self) -> int:
        return len(self.rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        rep = row.rep
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                rep.name, rep.email, ROLE_LABELS.get(rep.role, rep.role),
                f"{rep.weekly_capacity_hours.normalize():f} h",
                "Active" if rep.active else "Inactive",
                f"{row.open_deals:,} open of {row.deals:,}" if row.deals else "None",
                f"{row.activities:,}",
            )[column]
        if role == Qt.ItemDataRole.EditRole:
            field = self.FIELDS[column]
            if field == "weekly_capacity_hours":
                return float(rep.weekly_capacity_hours)  # the spin box's value; saved exactly
            return getattr(rep, field) if field else None
        if role == Qt.ItemDataRole.CheckStateRole and column == 4:
            return Qt.CheckState.Checked if rep.active else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and not rep.active:
            return theme.muted_text()
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable and index.column() == 4:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        elif self.editable and self.FIELDS[index.column()] is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: QModelIndex, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or not self.editable:
            return False
        rep, column = self.rows[index.row()].rep, index.column()
        if column == 4 and role == Qt.ItemDataRole.CheckStateRole:
            field, value = "active", Qt.CheckState(value) == Qt.CheckState.Checked
        elif role == Qt.ItemDataRole.EditRole and self.FIELDS[column] not in (None, "active"):
            field = self.FIELDS[column]
            if field == "weekly_capacity_hours":
                # Spin boxes hand back a float; two places are all the field keeps.
                value = Decimal(str(round(float(value), 2)))
        else:
            return False
        if getattr(rep, field) == value:
            return False
        return self.commit(rep.id, {field: value})

    def replace(self, row: RepRow) -> None:
        """Show the stored state of one rep after an edit."""
        at = self.row_of(row.rep.id)
        if at is None:
            return
        self.rows[at] = row
        self.dataChanged.emit(self.index(at, 0), self.index(at, self.columnCount() - 1))
