"""Every deal as a table model that stays quick on 100,000 rows.

Why this shape (issue 3's measurements): a QSortFilterProxyModel over a Python model took
27 s to sort 100k rows. Here the model holds only the ordered deal ids that
:func:`app.deal_table.select_ids` returns for the current filter and sort, and a cache of
rows fetched a page at a time when the view asks for them (as Anki's browser does). Sorting
re-lays out the same ids (selection kept); a new filter resets the model.

Edits go through the app: value, expected close and owner via :func:`app.deals.update_deal`
(optimistic version), stage through the gated move the board uses. A refused edit changes
nothing and its message goes out on ``sig_error``.

Both queries run on the worker as :class:`ui.operations.Query`: the ordered ids (up to
~170 ms for a sort of 100k deals, too long for the GUI thread) and the totals line (a GROUP BY
over every matching deal). A newer query supersedes an older one of the same kind: still
queued, it never runs; already answered, its answer is dropped. What the superseded one
would have renewed carries over (a filter change, then a sort: the rows are reset). Edits
are :class:`ui.operations.Write` operations. Rows for the view are read on the worker too:
the first page comes with the ids (so a new filter paints its rows at once), and a row the
view asks for beyond the pages read shows empty until its page arrives (a few ms; never
another row's data), as Anki's browser does.

Signals:
    sig_rows_ready() — the rows for the current filter and sort are in place.
    sig_totals(count: int, summary: app.deal_table.DealSummary | None) — the rows changed;
        the summary (open pipeline, won in :attr:`DealTableModel.period`) is None until the
        worker has it.
    sig_error(message: str) — an edit was refused.
    sig_edited(deal_id: int) — an edit was saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from app.clock import local_today, to_local
from app.deal_table import (
    COLUMNS,
    DealRow,
    DealSummary,
    DealTableSpec,
    fetch_rows,
    select_ids,
    select_summary,
)
from app.deals import format_amount, parse_amount, update_deal
from app.errors import FunnelcastError
from app.periods import Period, period_of
from ui.context import Topic, UiContext
from ui.formatting import format_date, format_money, format_stamp
from ui.operations import Query, Write
from ui.theme import danger

Index = QModelIndex | QPersistentModelIndex

LABELS = {
    "title": "Title", "company": "Company", "stage": "Stage", "owner": "Owner",
    "source": "Source", "value": "Value", "expected_close": "Expected close",
    "next_step_due": "Next step due", "lost_reason": "Lost because", "updated_at": "Last change",
}
EDIT_HINT = "F2 or a click on the selected row changes it here; double-click opens the deal."
EDITABLE = {"value", "expected_close", "owner", "stage"}
DEAL_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PAGE = 200  # rows fetched at once around the one the view asks for
_STRENGTH = {"relayout": 0, "refresh": 1, "reset": 2}  # how much of the model a query renews
CACHE_LIMIT = 5_000


class DealTableModel(QAbstractTableModel):
    sig_totals = Signal(object, object)
    sig_error = Signal(object)
    sig_edited = Signal(object)
    sig_rows_ready = Signal()

    def __init__(self, context: UiContext,
                 mover: Callable[[int, int, int, Callable[[bool], None]], None] | None = None,
                 parent=None):
        """``mover(deal_id, stage_id, version, on_done)`` starts a gated stage move of the
        row as shown and calls ``on_done(moved)`` when it settled (the stage column is
        read-only without it)."""
        super().__init__(parent)
        self._context = context
        self._loading = False
        self._pending_how = "relayout"  # the strongest change asked for and not yet applied
        self.currency = context.settings.currency
        self._mover = mover
        self._spec = DealTableSpec()
        self._ids: list[int] = []
        self._rows: dict[int, DealRow] = {}
        self._asked: set[int] = set()  # ids whose page is being read on the worker
        self._today = local_today()
        self._loaded = False
        self.totals: DealSummary | None = None

    # ------------------------------------------------------------- queries
    @property
    def spec(self) -> DealTableSpec:
        return self._spec

    def set_spec(self, spec: DealTableSpec) -> None:
        """Show what ``spec`` selects. A change of sort only re-reads the order and re-lays
        out the rows (the view keeps its selection; the totals stand); a change of filter
        resets the model and sums the totals again."""
        if spec == self._spec and self._loaded:
            return
        unsorted = replace(spec, sort="", descending=False)
        same_rows = self._loaded and unsorted == replace(self._spec, sort="", descending=False)
        self._spec = spec
        self._query("relayout" if same_rows else "reset")

    def refresh(self) -> None:
        """Read again after deals changed elsewhere; selection and scroll are kept when the
        number of rows did not change."""
        self._query("refresh")

    def _query(self, how: str) -> None:
        """Select the ids for the current spec (on the worker when there is one), then apply
        them by ``how``: "relayout" (same rows, new order), "reset" (new rows), "refresh"
        (relayout if the count is unchanged)."""
        if self.loading and _STRENGTH[self._pending_how] > _STRENGTH[how]:
            # A filter change still on its way must not become a mere re-sort: the rows
            # themselves change, so the newest query's answer resets the model.
            how = self._pending_how
        self._pending_how = how
        self._loading = True
        spec = self._spec

        def read(_control) -> tuple[list[int], dict[int, DealRow]]:
            ids = select_ids(spec)
            return ids, fetch_rows(ids[:PAGE])

        Query(self, self._context, read, supersede="ids",
              ).success(lambda answer: self._ids_arrived(how, *answer),
                        ).failure(self.sig_error.emit).run()

    @property
    def loading(self) -> bool:
        """True while the rows for the latest filter or sort are still being selected."""
        return self._loading

    def _ids_arrived(self, how: str, ids: list[int], first: dict[int, DealRow]) -> None:
        self._loading = False
        if how == "relayout" or (how == "refresh" and len(ids) == len(self._ids)):
            self._relayout(ids, first)
        else:
            self._reset(ids, first)
        if how != "relayout":
            self._sum_totals()
        self.sig_rows_ready.emit()

    def _reset(self, ids: list[int], first: dict[int, DealRow]) -> None:
        self.beginResetModel()
        self._ids = ids
        self._rows = dict(first)
        self._asked.clear()
        self._today = local_today()
        self._loaded = True
        self.endResetModel()

    @property
    def period(self) -> Period:
        """The period the footer's "won" counts: the current fiscal quarter."""
        return period_of(self._today, "quarter",
                         self._context.settings.fiscal_year_start_month)

    def _sum_totals(self) -> None:
        spec, period = self._spec, self.period
        self.totals = None
        self.sig_totals.emit(len(self._ids), None)
        Query(self, self._context, lambda _control: select_summary(spec, period),
              supersede="totals").success(self._totals_arrived).failure(self.sig_error.emit).run()

    def _totals_arrived(self, totals: DealSummary) -> None:
        self.totals = totals
        self.sig_totals.emit(len(self._ids), totals)

    def _relayout(self, ids: list[int], first: dict[int, DealRow]) -> None:
        """Same rows, new order: persistent indexes (selection, current) follow their deal."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        new = []
        if old:
            where = {deal_id: row for row, deal_id in enumerate(ids)}
            for index in old:
                row = where.get(self._ids[index.row()], -1) if index.row() < len(
                    self._ids) else -1
                new.append(self.index(row, index.column()) if row >= 0 else QModelIndex())
        self._ids = ids
        self._rows = dict(first)
        self._asked.clear()
        self._today = local_today()
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def row(self, row: int) -> DealRow | None:
        """The deal shown at ``row``, or None while its page is read on the worker (asked
        for on first use; the cells fill in when it arrives)."""
        deal_id = self._ids[row]
        found = self._rows.get(deal_id)
        if found is None and deal_id not in self._asked:
            if len(self._rows) > CACHE_LIMIT:
                self._rows.clear()
            start = max(0, row - PAGE // 4)
            page = self._ids[start:start + PAGE]
            self._read_rows([i for i in page if i not in self._rows and i not in self._asked],
                            start, start + len(page) - 1)
        return found

    def _read_rows(self, ids: list[int], first: int, last: int,
                   then: Callable[[], None] | None = None) -> None:
        """Read ``ids`` (shown in rows ``first``..``last``) on the worker and repaint those
        rows when they arrive; ``then()`` after. The worker answers in order, so the rows
        are never older than the latest reset or relayout; if one came meanwhile (a new
        filter asked for before these, answered first), the rows are kept by deal id but
        ``first``..``last`` show other deals now, and the view asks again for what it shows."""
        self._asked.update(ids)
        shown = self._ids

        def arrived(rows: dict[int, DealRow]) -> None:
            self._asked.difference_update(ids)
            self._rows.update(rows)
            if self._ids is shown:
                self.dataChanged.emit(self.index(first, 0),
                                      self.index(last, len(COLUMNS) - 1))
            if then is not None:
                then()

        def failed(message: str) -> None:
            self._asked.difference_update(ids)
            self.sig_error.emit(message)

        Query(self, self._context, lambda _control: fetch_rows(ids),
              ).success(arrived).failure(failed).run()

    def deal_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, deal_id: int) -> int:
        try:
            return self._ids.index(deal_id)
        except ValueError:
            return -1

    # ---------------------------------------------------------- Qt model
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return LABELS[COLUMNS[section]]
            if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[section] == "value":
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == DEAL_ID_ROLE:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole,
                        Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.ForegroundRole,
                        Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.row(index.row())
        if row is None:
            return None
        key = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if key == "value":
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            overdue = (key == "next_step_due" and row.next_step_due is not None
                       and row.next_step_due < self._today and row.stage_outcome == "open")
            return danger() if overdue else None
        if role == Qt.ItemDataRole.EditRole:
            return self._edit_value(row, key)
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole text where a column elides it
            if key == "next_step_due":
                return row.next_step or None
            if key == "updated_at":
                return f"Last changed {format_stamp(row.updated_at)}"
            if key in ("owner", "stage") and self.flags(index) & Qt.ItemFlag.ItemIsEditable:
                return EDIT_HINT
            return getattr(row, key) or None if key in ("title", "company",
                                                        "lost_reason") else None
        return self._display(row, key)

    def _display(self, row: DealRow, key: str) -> str:
        if key == "value":
            return format_money(row.value, self.currency)
        if key in ("expected_close", "next_step_due"):
            return format_date(getattr(row, key))
        if key == "updated_at":  # the day; the time is in the tooltip (a narrow column)
            return format_date(to_local(row.updated_at).date())
        if key == "stage":
            return row.stage_name
        if key == "owner":
            return row.owner_name or "—"
        if key == "source":
            return row.source_name
        return getattr(row, key)

    def _edit_value(self, row: DealRow, key: str):
        if key == "value":  # what the editor shows: the locale's decimal point, no groups
            return format_amount(row.value, "", QLocale().decimalPoint())
        if key == "expected_close":
            d = row.expected_close
            return QDate(d.year, d.month, d.day) if d else QDate()
        if key == "owner":
            return row.owner_id
        if key == "stage":
            return row.stage_id
        return self._display(row, key)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        key = COLUMNS[index.column()]
        if key in EDITABLE and (key != "stage" or self._mover is not None):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        if not self.flags(index) & Qt.ItemFlag.ItemIsEditable:
            return False
        row = self.row(index.row())
        if row is None:
            return False
        key = COLUMNS[index.column()]
        if key == "stage":
            if value is None or int(value) == row.stage_id:
                return False
            # Later, not inside the editor's commit: the gate dialog may open, and the
            # editor losing focus to it must not commit a second time.
            QTimer.singleShot(0, lambda: self._move(row.id, int(value), row.version))
            return True
        try:
            if key == "value":  # typed as the deal dialog takes it: "12,500.50" in English
                locale = QLocale()
                changes = {"value": parse_amount(str(value), locale.groupSeparator(),
                                                 locale.decimalPoint())}
            elif key == "expected_close":
                changes = {"expected_close": (value.toPython() if isinstance(value, QDate)
                                              and value.isValid() else None)}
            else:
                changes = {"owner_id": int(value) if value is not None else None}
        except FunnelcastError as error:
            self.sig_error.emit(str(error))
            return False
        actor = self._context.actor
        Write(self, self._context,
              lambda _control: update_deal(row.id, changes, row.version, actor),
              announce={Topic.DEALS},
              ).success(lambda _deal: self._saved(row.id)).failure(self.sig_error.emit).run()
        return True

    def _move(self, deal_id: int, stage_id: int, version: int) -> None:
        self._mover(deal_id, stage_id, version,
                    lambda moved: self._saved(deal_id) if moved else None)

    def _saved(self, deal_id: int) -> None:
        """An edit of ``deal_id`` was written: read the row as stored (on the worker), show
        it, then say so (``sig_edited``), so a next edit starts from the new version."""
        row = self.row_of(deal_id)
        if row < 0:
            self.sig_edited.emit(deal_id)
            return
        self._asked.discard(deal_id)
        self._read_rows([deal_id], row, row, then=lambda: self.sig_edited.emit(deal_id))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(COLUMNS):
            self.set_spec(replace(self._spec, sort=COLUMNS[column],
                                  descending=order == Qt.SortOrder.DescendingOrder))
