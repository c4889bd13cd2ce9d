"""Item models of the import wizard: the column mapping (editable), the stage values to map
(editable), and the problems found by a dry run. They hold plain dataclasses from
:mod:`app.importing` and edit plain dicts; nothing here touches the database."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from app.importing import FIELDS, ColumnInfo
from app.importing.landing import LandingSample
from app.importing.plan import RowProblem
from ui import theme
from ui.formatting import format_date, format_money
from ui.header_table_model import HeaderTableModel

SKIP_LABEL = "Don’t import"
CHOICES_ROLE = Qt.ItemDataRole.UserRole + 1  # the list of labels an editable cell offers

Index = QModelIndex | QPersistentModelIndex


def sample_text(value) -> str:
    """A cell as read, the way the user's locale writes it (dates) or as typed."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _ChoiceColumnModel(HeaderTableModel):
    """A table whose third column is a choice the user makes (the only editable cells)."""

    EDIT_COLUMN = 2

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == self.EDIT_COLUMN:
            base |= Qt.ItemFlag.ItemIsEditable
        return base


class ColumnMappingModel(_ChoiceColumnModel):
    """One row per column of the file: its header, example values, and the field it imports
    as (editable; "Don’t import" leaves it out). A field already taken by another column is
    shown in the danger colour until one of them is changed."""

    HEADERS = ("Column in the file", "Examples", "Imports as")
    EDIT_COLUMN = 2

    def __init__(self, columns: list[ColumnInfo], parent=None):
        super().__init__(parent)
        self._columns = list(columns)
        self._fields: list[str | None] = [c.field for c in columns]
        self._labels = [SKIP_LABEL, *FIELDS.values()]
        self._by_label = {label: key for key, label in FIELDS.items()}

    # -- the mapping --------------------------------------------------------------------------
    def mapping(self) -> dict[int, str | None]:
        """Column index -> field key (None: not imported), for ImportOptions.columns."""
        return {c.index: f for c, f in zip(self._columns, self._fields, strict=True)}

    def choose(self, fields: dict[int, str | None]) -> bool:
        """Set the field of each column index in ``fields`` (None: not imported), as a
        remembered earlier choice; unknown fields are ignored. Returns whether any choice
        differs from what was shown."""
        changed = False
        for row, column in enumerate(self._columns):
            if column.index in fields:
                key = fields[column.index]
                if (key is None or key in FIELDS) and self._fields[row] != key:
                    self._fields[row] = key
                    changed = True
        if changed and self._columns:
            self.dataChanged.emit(self.index(0, self.EDIT_COLUMN),
                                  self.index(self.rowCount() - 1, self.EDIT_COLUMN))
        return changed

    def duplicates(self) -> list[str]:
        """Labels of fields chosen for more than one column."""
        chosen = [f for f in self._fields if f]
        return sorted({FIELDS[f] for f in chosen if chosen.count(f) > 1})

    def mapped_fields(self) -> set[str]:
        return {f for f in self._fields if f}

    # -- Qt model -----------------------------------------------------------------------------
    def row_count(self) -> int:
        return len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column = self._columns[index.row()]
        chosen = self._fields[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if index.column() == 0:
                return column.header or f"(column {index.row() + 1}, no header)"
            if index.column() == 1:
                return " · ".join(sample_text(v) for v in column.samples) or "(empty)"
            return FIELDS[chosen] if chosen else SKIP_LABEL
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 1:
            return "\n".join(sample_text(v) for v in column.samples) or None
        if role == CHOICES_ROLE and index.column() == self.EDIT_COLUMN:
            return self._labels
        if role == Qt.ItemDataRole.ForegroundRole:
            if index.column() == self.EDIT_COLUMN and chosen is None:
                return theme.muted_text()
            if (index.column() == self.EDIT_COLUMN and chosen
                    and self._fields.count(chosen) > 1):
                return theme.danger()
            if index.column() == 1:
                return theme.muted_text()
        return None

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (not index.isValid() or index.column() != self.EDIT_COLUMN
                or role != Qt.ItemDataRole.EditRole):
            return False
        if value != SKIP_LABEL and value not in self._by_label:
            return False
        self._fields[index.row()] = self._by_label.get(value)
        first = self.index(0, self.EDIT_COLUMN)
        last = self.index(self.rowCount() - 1, self.EDIT_COLUMN)
        self.dataChanged.emit(first, last)  # duplicates elsewhere may have changed colour
        return True


class StageValuesModel(_ChoiceColumnModel):
    """The file's stage values that match no stage: value, rows holding it, and the stage
    to import it as (editable, empty until chosen)."""

    HEADERS = ("Stage in the file", "Rows", "Import as")
    EDIT_COLUMN = 2
    UNCHOSEN = "Choose a stage…"

    def __init__(self, unknown: dict[str, list[int]], stage_names: list[str], parent=None):
        super().__init__(parent)
        self._values = list(unknown.items())
        self._stages = list(stage_names)
        self._chosen: dict[str, str] = {}

    def mapping(self) -> dict[str, str]:
        return dict(self._chosen)

    def missing(self) -> list[str]:
        return [value for value, _ in self._values if value not in self._chosen]

    def row_count(self) -> int:
        return len(self._values)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        value, rows = self._values[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if index.column() == 0:
                return value
            if index.column() == 1:
                shown = ", ".join(str(r) for r in rows[:8])
                return shown + (f" and {len(rows) - 8} more" if len(rows) > 8 else "")
            return self._chosen.get(value, self.UNCHOSEN)
        if role == CHOICES_ROLE and index.column() == self.EDIT_COLUMN:
            return self._stages
        if (role == Qt.ItemDataRole.ForegroundRole and index.column() == self.EDIT_COLUMN
                and value not in self._chosen):
            return theme.WARNING
        return None

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (not index.isValid() or index.column() != self.EDIT_COLUMN
                or role != Qt.ItemDataRole.EditRole or value not in self._stages):
            return False
        self._chosen[self._values[index.row()][0]] = value
        self.dataChanged.emit(index, index)
        return True


class ProblemsModel(HeaderTableModel):
    """Every problem a dry run found: spreadsheet row ("whole column" for a problem of a
    column as a whole), column and reason (read-only)."""

    HEADERS = ("Row", "Column", "Problem")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._problems: list[RowProblem] = []

    def set_problems(self, problems: list[RowProblem]) -> None:
        self.beginResetModel()
        self._problems = list(problems)
        self.endResetModel()

    def row_count(self) -> int:
        return len(self._problems)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        problem = self._problems[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            row = "whole column" if problem.row is None else str(problem.row)
            return (row, problem.column, problem.message)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 2:
            return problem.message
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class LandingModel(HeaderTableModel):
    """The preview's first rows as they will land (:class:`app.importing.landing.
    LandingSample`): spreadsheet row, what happens to it, then one column per imported
    field, its values written the way the rest of the app shows them. An owner or source the
    import creates is marked "(new)"; a skipped row is in the danger colour."""

    FIXED = ("Row", "What happens")

    def __init__(self, parent=None):
        super().__init__(parent)
        self.currency = ""
        self.HEADERS = self.FIXED
        self._sample = LandingSample((), (), ())

    def set_sample(self, sample: LandingSample | None, currency: str) -> None:
        """Show ``sample`` (None: nothing), amounts in ``currency``."""
        self.beginResetModel()
        self.currency = currency
        self._sample = sample or LandingSample((), (), ())
        self.HEADERS = (*self.FIXED, *self._sample.labels)
        self.RIGHT = frozenset(len(self.FIXED) + i for i, key in
                               enumerate(self._sample.fields) if key == "value")
        self.endResetModel()

    def row_count(self) -> int:
        return len(self._sample.rows)

    def _text(self, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return format_money(value, self.currency, cents=True)
        if isinstance(value, date):
            return format_date(value)
        if isinstance(value, str) and value in self._sample.new_names:
            return f"{value} (new)"
        return str(value)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self._sample.rows[index.row()], index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 0:
                return str(row.row) if role == Qt.ItemDataRole.DisplayRole else None
            if column == 1:
                return row.note
            return self._text(row.values[column - len(self.FIXED)]) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and (column == 0 or column in self.RIGHT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            if row.action == "invalid":
                return theme.danger()
            if row.action == "unchanged":
                return theme.muted_text()
        return None
