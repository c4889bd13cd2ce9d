"""The conflict dialog of a workbook merge: each field changed both in the manager's database
and in the rep's workbook since the export, side by side, with the manager's choice.

:class:`ConflictModel` is a two-level tree: a deal, then its conflicting fields. A field row
shows the value at export, the database's value ("mine") with who changed it and when, and
the workbook's ("theirs"); ticking one side chooses it. A deal row's ticks choose that side
for every field of the deal (partly ticked when its fields differ). A field left unchosen
holds its whole deal back: nothing of it is merged (``app.offline.merge``'s rule).

Tests never show the dialog: they drive :class:`ConflictDialog` directly, or patch
:meth:`ConflictDialog.ask`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.offline.merge_types import FIELD_LABELS, FieldConflict, FieldValue
from ui import theme
from ui.formatting import format_date, format_money, format_stamp

Index = QModelIndex | QPersistentModelIndex
OURS, THEIRS = "ours", "theirs"
Choices = dict[tuple[str, str], str]

COL_WHAT, COL_ORIGINAL, COL_OURS, COL_THEIRS, COL_WHO = range(5)
_SIDE_OF_COLUMN = {COL_OURS: OURS, COL_THEIRS: THEIRS}
# The "Changed in your database" column's tooltip: what it can and cannot say.
WHO_TIP = ("Who changed the value in your database, and when. Where Funnelcast does not "
           "record that for the field (an edit in the deal dialog), it shows the last edit "
           "of the deal instead, labelled “Last edit of this deal”.")
_NO_PARENT = 0  # the internal id of a deal row; a field row holds its deal's row + 1


def value_text(value: FieldValue, currency: str) -> str:
    """A field's value as the user's locale writes it; "(empty)" for none."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, Decimal):
        return format_money(value, currency, cents=True)
    if isinstance(value, date):
        return format_date(value)
    return str(value)


class ConflictModel(QAbstractItemModel):
    """Deals and their conflicting fields, with the choice per field (see the module
    docstring). ``choices()`` gives ``(deal_uuid, field) -> "ours"|"theirs"`` for the fields
    chosen so far.

    Signals:
        sig_choices_changed() — a choice was made or cleared.
    """

    sig_choices_changed = Signal()

    def __init__(self, conflicts: Iterable[FieldConflict], rep_name: str, currency: str,
                 parent=None):
        super().__init__(parent)
        self._currency = currency
        self._headers = ("Deal / field", "At export", "Your database",
                         f"{rep_name}’s workbook", "Changed in your database")
        self._deals: list[tuple[str, str]] = []  # (uuid, title), in the plan's order
        self._fields: list[list[FieldConflict]] = []
        seen: dict[str, int] = {}
        for conflict in conflicts:
            if conflict.deal_uuid not in seen:
                seen[conflict.deal_uuid] = len(self._deals)
                self._deals.append((conflict.deal_uuid, conflict.title))
                self._fields.append([])
            self._fields[seen[conflict.deal_uuid]].append(conflict)
        self._choices: Choices = {}

    # -- the choices --------------------------------------------------------------------------
    def choices(self) -> Choices:
        return dict(self._choices)

    def unresolved(self) -> int:
        """How many fields have no choice yet."""
        return sum(len(fields) for fields in self._fields) - len(self._choices)

    def held_back(self) -> list[str]:
        """Titles of the deals a field without a choice holds back."""
        return [title for (uuid, title), fields in zip(self._deals, self._fields, strict=True)
                if any((uuid, c.field) not in self._choices for c in fields)]

    def choose_all(self, side: str) -> None:
        """"All mine" / "All theirs": ``side`` for every field of every deal."""
        for row in range(len(self._deals)):
            self._choose_deal(row, side)
        self.sig_choices_changed.emit()

    def choose_deal(self, deal_uuid: str, side: str | None) -> None:
        """``side`` for every field of one deal (None clears its choices)."""
        self._choose_deal(next(i for i, (uuid, _) in enumerate(self._deals)
                               if uuid == deal_uuid), side)
        self.sig_choices_changed.emit()

    def choose(self, deal_uuid: str, field: str, side: str | None) -> None:
        """``side`` for one field (None clears it)."""
        row = next(i for i, (uuid, _) in enumerate(self._deals) if uuid == deal_uuid)
        self._set(row, field, side)
        self._changed_row(row)
        self.sig_choices_changed.emit()

    def _choose_deal(self, row: int, side: str | None) -> None:
        for conflict in self._fields[row]:
            self._set(row, conflict.field, side)
        self._changed_row(row)

    def _set(self, row: int, field: str, side: str | None) -> None:
        key = (self._deals[row][0], field)
        if side is None:
            self._choices.pop(key, None)
        else:
            self._choices[key] = side

    def _changed_row(self, row: int) -> None:
        """The deal row and all its fields repaint (their ticks depend on each other)."""
        deal = self.index(row, 0)
        self.dataChanged.emit(self.index(row, COL_OURS), self.index(row, COL_THEIRS),
                              [Qt.ItemDataRole.CheckStateRole])
        last = len(self._fields[row]) - 1
        self.dataChanged.emit(self.index(0, COL_OURS, deal), self.index(last, COL_THEIRS, deal),
                              [Qt.ItemDataRole.CheckStateRole])

    # -- Qt model -----------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _NO_PARENT)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == _NO_PARENT:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _NO_PARENT)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._deals)
        if parent.internalId() == _NO_PARENT and parent.column() == 0:
            return len(self._fields[parent.row()])
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == COL_WHO:
            return WHO_TIP
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() in _SIDE_OF_COLUMN:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def _conflict(self, index: Index) -> FieldConflict | None:
        if index.internalId() == _NO_PARENT:
            return None
        return self._fields[index.internalId() - 1][index.row()]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        conflict = self._conflict(index)
        column = index.column()
        if conflict is None:
            return self._deal_data(index.row(), column, role)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._field_text(conflict, column)
        if role == Qt.ItemDataRole.CheckStateRole and column in _SIDE_OF_COLUMN:
            chosen = self._choices.get((conflict.deal_uuid, conflict.field))
            return (Qt.CheckState.Checked if chosen == _SIDE_OF_COLUMN[column]
                    else Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.ToolTipRole and column in _SIDE_OF_COLUMN:
            return ("Keep your database’s value" if column == COL_OURS
                    else "Take the workbook’s value")
        if role == Qt.ItemDataRole.ForegroundRole and column in (COL_ORIGINAL, COL_WHO):
            return theme.muted_text()
        return None

    def _field_text(self, conflict: FieldConflict, column: int) -> str:
        if column == COL_WHAT:
            return FIELD_LABELS.get(conflict.field, conflict.field)
        if column == COL_ORIGINAL:
            return value_text(conflict.original, self._currency)
        if column == COL_OURS:
            return value_text(conflict.ours, self._currency)
        if column == COL_THEIRS:
            return value_text(conflict.theirs, self._currency)
        text = conflict.changed_text(format_stamp(conflict.changed_at) or "at an unknown time")
        return text[0].upper() + text[1:]

    def _deal_data(self, row: int, column: int, role: int):
        uuid, title = self._deals[row]
        if role == Qt.ItemDataRole.DisplayRole and column == COL_WHAT:
            return title
        if role == Qt.ItemDataRole.DisplayRole and column in _SIDE_OF_COLUMN:
            return "every field"
        if role == Qt.ItemDataRole.ForegroundRole and column in _SIDE_OF_COLUMN:
            return theme.muted_text()
        if role == Qt.ItemDataRole.FontRole and column == COL_WHAT:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.CheckStateRole and column in _SIDE_OF_COLUMN:
            side = _SIDE_OF_COLUMN[column]
            picked = sum(1 for c in self._fields[row] if self._choices.get((uuid, c.field))
                         == side)
            if picked == 0:
                return Qt.CheckState.Unchecked
            return (Qt.CheckState.Checked if picked == len(self._fields[row])
                    else Qt.CheckState.PartiallyChecked)
        if role == Qt.ItemDataRole.ToolTipRole and column in _SIDE_OF_COLUMN:
            return ("Keep your database’s value in every field of this deal"
                    if column == COL_OURS else
                    "Take the workbook’s value in every field of this deal")
        return None

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (not index.isValid() or role != Qt.ItemDataRole.CheckStateRole
                or index.column() not in _SIDE_OF_COLUMN):
            return False
        ticked = Qt.CheckState(value) != Qt.CheckState.Unchecked
        side = _SIDE_OF_COLUMN[index.column()] if ticked else None
        conflict = self._conflict(index)
        if conflict is None:
            self.choose_deal(self._deals[index.row()][0], side)
        else:
            self.choose(conflict.deal_uuid, conflict.field, side)
        return True


class ConflictDialog(QDialog):
    """The conflicts of one merge, with "All mine" / "All theirs" and a line saying what the
    choices will do. Accepted: :meth:`choices` holds the manager's choices."""

    def __init__(self, conflicts: Iterable[FieldConflict], rep_name: str, currency: str,
                 chosen: Choices | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Changed on both sides")
        self.model = ConflictModel(conflicts, rep_name, currency, self)
        for (deal_uuid, field), side in (chosen or {}).items():
            self.model.choose(deal_uuid, field, side)

        intro = QLabel(
            f"These fields were changed both in your database and in {rep_name}’s workbook "
            "since the workbook was made. Tick the value to keep, per field or for a whole "
            "deal. A deal with a field left unticked is not merged at all.")
        intro.setWordWrap(True)
        self.view = QTreeView()
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setUniformRowHeights(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.expandAll()
        self.view.setStyleSheet("QTreeView::item { padding: 3px 6px 3px 0; }")
        if theme.is_dark():
            # Fusion frames a check box in the window colour made darker: on a dark view it
            # vanishes. Frame the choices in the muted text colour instead (the header keeps
            # the dialog's palette).
            palette = self.view.palette()
            palette.setColor(QPalette.ColorRole.Window, theme.muted_text().lighter(160))
            self.view.setPalette(palette)
            self.view.header().setPalette(self.palette())
        header = self.view.header()
        header.setStretchLastSection(True)  # the room left over goes after the values
        for column in (COL_WHAT, COL_ORIGINAL, COL_OURS, COL_THEIRS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)

        self.all_mine = QPushButton("All &mine")
        self.all_mine.setToolTip("Keep your database’s value in every conflict")
        self.all_mine.clicked.connect(lambda: self.model.choose_all(OURS))
        self.all_theirs = QPushButton("All &theirs")
        self.all_theirs.setToolTip("Take the workbook’s value in every conflict")
        self.all_theirs.clicked.connect(lambda: self.model.choose_all(THEIRS))
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Use these choices")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(self.all_mine)
        row.addWidget(self.all_theirs)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.model.sig_choices_changed.connect(self._show_status)
        self._show_status()
        self.resize(920, 480)

    def choices(self) -> Choices:
        return self.model.choices()

    def _show_status(self) -> None:
        held = self.model.held_back()
        if not held:
            self.status.setText("Every conflict has a choice.")
            self.status.setStyleSheet(f"color: {theme.SUCCESS.name()};")
            return
        left = self.model.unresolved()
        self.status.setText(
            f"{left} field{'s' if left != 1 else ''} without a choice: "
            f"{'; '.join(held)} will not be merged.")
        self.status.setStyleSheet(f"color: {theme.WARNING.name()};")

    @classmethod
    def ask(cls, parent: QWidget | None, conflicts: Iterable[FieldConflict], rep_name: str,
            currency: str, chosen: Choices | None = None) -> Choices | None:
        """Show the dialog modally; the choices, or None when the user cancels."""
        dialog = cls(conflicts, rep_name, currency, chosen, parent)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.choices()
        finally:
            dialog.deleteLater()
