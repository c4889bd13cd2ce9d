"""The Board section: a column per open sales stage, Won and Lost drop zones below.

Each column is a QListView over a :class:`ui.board.model.CardModel` painted by
:class:`ui.board.delegate.CardDelegate`. A column holds its largest deals first (50 of a
stage's 18,000 on the 100k-deal database) under the exact count and value of all of them,
and a "Show more" button reads the next ones; :func:`app.board.load_board` reads all of
that, filters included, on the worker (a newer read supersedes an older one still on its
way). Every drop goes through :meth:`BoardView.drop_deal`, which moves the card at once
(optimistic, totals included) and makes the move through the shared gated move
(:func:`ui.deal_actions.move_with_gate`) on the worker; a refusal puts the card back and
says why. Nothing here waits for the database on the GUI thread, even during an import.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.board import MORE_CARDS, Board, BoardCard, BoardColumn, BoardFilter, load_board
from app.deals import list_sources
from app.pipeline import StageInfo
from app.users import list_reps
from app.workspace import Workspace
from ui.board.delegate import CardDelegate
from ui.board.model import CARD_ROLE, DEAL_MIME, CardModel
from ui.context import Topic, UiContext
from ui.deal_actions import move_with_gate
from ui.formatting import format_money
from ui.operations import Query
from ui.search_pause import SearchPause
from ui.theme import danger, icon, muted_text

COLUMN_MIN_WIDTH = 196
# The owner filter each user left the board with, per database: rep ids belong to one
# database, so another one (or a rep's working copy) must not read or overwrite it.
OWNER_KEY = "board/owner/{database}/{rep_id}"


def owner_key(workspace: Workspace, rep_id: int) -> str:
    """The UI-settings key of ``rep_id``'s owner filter on ``workspace``'s database, which is
    told by its location (a file by its full path, a server by its URL without password):
    known without a query, and another file is another database."""
    place = str(Path(workspace.location).resolve()) if workspace.is_file else workspace.location
    database = hashlib.sha1(place.encode()).hexdigest()[:16]
    return OWNER_KEY.format(database=database, rep_id=rep_id)


def _dropped_deal(event) -> int | None:
    mime = event.mimeData()
    if not mime.hasFormat(DEAL_MIME):
        return None
    try:
        return int(bytes(mime.data(DEAL_MIME)).decode())
    except ValueError:
        return None


class CardListView(QListView):
    """One column's cards. Enter opens the selected deal; Ctrl+Right / Ctrl+Left moves it to
    the next / previous column (through the same gate as a drag).

    Signals: sig_dropped(deal_id), sig_open(deal_id), sig_step(deal_id, +1 or -1).
    """

    sig_dropped = Signal(object)
    sig_open = Signal(object)
    sig_step = Signal(object, object)

    def __init__(self, empty_text: str, parent=None):
        super().__init__(parent)
        self.empty_text = empty_text
        self.setUniformItemSizes(True)
        # A column of 10,000 cards is laid out a batch per event-loop turn, not in one go:
        # the window stays responsive while a large board arrives (bench_responsiveness).
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(1000)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSpacing(0)
        self.viewport().setAutoFillBackground(False)
        self.doubleClicked.connect(lambda index: self.sig_open.emit(index.data(CARD_ROLE).id))

    def keyPressEvent(self, event) -> None:
        current = self.currentIndex()
        if current.isValid():
            deal_id = current.data(CARD_ROLE).id
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.sig_open.emit(deal_id)
                return
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier and event.key() in (
                    Qt.Key.Key_Right, Qt.Key.Key_Left):
                self.sig_step.emit(deal_id, 1 if event.key() == Qt.Key.Key_Right else -1)
                return
        super().keyPressEvent(event)

    def dragEnterEvent(self, event) -> None:
        if _dropped_deal(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if _dropped_deal(event) is not None:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        deal_id = _dropped_deal(event)
        if deal_id is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.sig_dropped.emit(deal_id)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.model() is not None and self.model().rowCount() == 0:
            painter = QPainter(self.viewport())
            painter.setPen(muted_text())
            painter.drawText(self.viewport().rect().adjusted(12, 24, -12, -12),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
                             | Qt.TextFlag.TextWordWrap, self.empty_text)


class BoardColumnWidget(QFrame):
    """A stage's header (name, count, total, weighted) over its card list, and under it a
    "Show more" button while some of its deals have no card yet.

    Signal: sig_show_more(stage_id) — the user asked for the column's next cards.
    """

    sig_show_more = Signal(object)

    def __init__(self, stage: StageInfo, delegate: CardDelegate, parent=None):
        super().__init__(parent)
        self.stage = stage
        self.setObjectName("BoardColumn")
        self.setMinimumWidth(COLUMN_MIN_WIDTH)
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 10, 4, 0)
        column.setSpacing(2)
        self.name_label = QLabel(stage.name)
        self.name_label.setStyleSheet("font-weight: 600; font-size: 11pt; padding-left: 2px;")
        self.name_label.setToolTip(f"{stage.name}: {stage.probability} % win probability")
        column.addWidget(self.name_label)
        self.count_label = QLabel("0")
        self.money_label = QLabel()
        for label in (self.count_label, self.money_label):
            label.setObjectName("Muted")
            label.setStyleSheet("padding-left: 2px;")
            label.setToolTip(f"Total value, and weighted by the stage's "
                             f"{stage.probability} % win probability")
            column.addWidget(label)
        column.addSpacing(6)
        self.model = CardModel(self)
        self.list_view = CardListView("No deals here. Drag a card in when it qualifies.")
        self.list_view.setModel(self.model)
        self.list_view.setItemDelegate(delegate)
        column.addWidget(self.list_view, 1)
        self.more_button = QPushButton()
        self.more_button.setFlat(True)
        self.more_button.hide()
        self.more_button.clicked.connect(self._ask_for_more)
        column.addWidget(self.more_button)

    def show_column(self, column: BoardColumn, currency: str) -> None:
        self.model.set_cards(column.cards)
        self.count_label.setText(f"{column.count:,} deal{'s' if column.count != 1 else ''} · "
                                 f"{format_money(column.total_value, currency)}")
        self.money_label.setText(f"Weighted {format_money(column.weighted_value, currency)}")
        self.more_button.setEnabled(True)
        self.more_button.setVisible(column.not_shown > 0)
        if column.not_shown > 0:
            step = min(MORE_CARDS, column.not_shown)
            self.more_button.setText(f"Show {step:,} more")
            self.more_button.setToolTip(
                f"{len(column.cards):,} of {column.count:,} shown, largest first")

    def _ask_for_more(self) -> None:
        self.more_button.setEnabled(False)
        self.more_button.setText("Loading…")
        self.sig_show_more.emit(self.stage.id)


class DropZone(QFrame):
    """A Won or Lost target under the columns. Signal: sig_dropped(deal_id)."""

    sig_dropped = Signal(object)

    def __init__(self, stage: StageInfo, parent=None):
        super().__init__(parent)
        self.stage = stage
        self.setAcceptDrops(True)
        self.setObjectName("DropZone")
        self.setMinimumHeight(52)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 8, 16, 8)
        won = stage.outcome == "won"
        badge = QLabel()
        badge.setPixmap(icon("ph.trophy" if won else "ph.x-circle").pixmap(QSize(20, 20)))
        label = QLabel(f"<b>{stage.name}</b> — drop a card here to mark it "
                       f"{'won' if won else 'lost'}")
        row.addStretch(1)
        row.addWidget(badge)
        row.addWidget(label)
        row.addStretch(1)
        self._set_hover(False)

    def _set_hover(self, hover: bool) -> None:
        style = "solid" if hover else "dashed"
        self.setStyleSheet(f"#DropZone {{ border: 2px {style} palette(mid); border-radius: 8px; "
                           f"background: {'palette(midlight)' if hover else 'transparent'}; }}")

    def dragEnterEvent(self, event) -> None:
        if _dropped_deal(event) is not None:
            event.acceptProposedAction()
            self._set_hover(True)
        else:
            event.ignore()

    def dragLeaveEvent(self, event) -> None:
        self._set_hover(False)

    def dropEvent(self, event) -> None:
        self._set_hover(False)
        deal_id = _dropped_deal(event)
        if deal_id is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.sig_dropped.emit(deal_id)


class BoardView(QWidget):
    """The Board page. ``columns`` and ``drop_zones`` are public for tests.

    The board is read on the worker, filters included, so a refresh after every change or
    keystroke never freezes the window. ``shown`` maps a stage id to how many of its cards
    the user asked to see with "Show more"; a reload keeps them, a new filter starts over.

    Signals:
        sig_loaded() — a read of the board ended: the fresh board is on screen, or the
            banner says why it could not be read.
        sig_move_settled(deal_id, moved: bool) — a drop's move was written (True), or was
            refused or cancelled and the card went back (False).
    """

    sig_loaded = Signal()
    sig_move_settled = Signal(object, object)

    def __init__(self, context: UiContext, parent=None):
        super().__init__(parent)
        self.context = context
        self._board: Board | None = None
        self.shown: dict[int, int] = {}
        self.columns: list[BoardColumnWidget] = []
        self.drop_zones: list[DropZone] = []

        page = QVBoxLayout(self)
        page.setContentsMargins(12, 12, 12, 12)
        page.setSpacing(10)
        bar = QHBoxLayout()
        title = QLabel("Board")
        title.setObjectName("PageTitle")
        bar.addWidget(title)
        bar.addSpacing(16)
        self.owner_combo = QComboBox()
        self.owner_combo.setMinimumWidth(150)
        self.owner_combo.setToolTip("Show one rep's deals")
        self.source_combo = QComboBox()
        self.source_combo.setMinimumWidth(150)
        self.source_combo.setToolTip("Show deals from one lead source")
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search company, title or contact (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(260)
        self.search_edit.addAction(icon("ph.magnifying-glass"),
                                   QLineEdit.ActionPosition.LeadingPosition)
        bar.addWidget(self.owner_combo)
        bar.addWidget(self.source_combo)
        bar.addWidget(self.search_edit, 1)
        bar.addSpacing(12)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("Muted")
        bar.addWidget(self.summary_label)
        page.addLayout(bar)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(f"color: {danger().name()}; padding: 2px 0;")
        self.banner.hide()
        page.addWidget(self.banner)

        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setObjectName("Muted")
        self.empty_label.hide()
        page.addWidget(self.empty_label)

        self._strip = QWidget()
        self._strip_row = QHBoxLayout(self._strip)
        self._strip_row.setContentsMargins(0, 0, 0, 0)
        self._strip_row.setSpacing(6)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(self._strip)
        scroll.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        page.addWidget(scroll, 1)
        self._zones_row = QHBoxLayout()
        self._zones_row.setSpacing(12)
        page.addLayout(self._zones_row)
        self.setStyleSheet("#BoardColumn { background: palette(alternate-base); "
                           "border: 1px solid palette(midlight); border-radius: 8px; }"
                           "#BoardColumn QScrollBar:vertical { width: 8px; }")

        self._delegate = CardDelegate(context.settings.currency, self)
        self._owner_id = self._remembered_owner()
        self.owner_combo.currentIndexChanged.connect(self._owner_chosen)
        context.bus.sig_user_changed.connect(self._user_changed)
        self.source_combo.currentIndexChanged.connect(self._filter_changed)
        self._search_pause = SearchPause(self.search_edit, self._filter_changed)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search_edit.setFocus)
        context.bus.sig_changed.connect(self._on_changed)
        self.reload()  # first: the owner filter is known already (see _remembered_owner)
        self._fill_filters()

    # ---------------------------------------------------------------- data
    def _fill_filters(self) -> None:
        """Read the owners and sources on the worker, for the filter boxes."""
        Query(self, self.context, lambda _control: (list_reps(), list_sources()),
              supersede="filters").success(self._show_filters).failure(self.show_error).run()

    def _show_filters(self, loaded) -> None:
        reps, sources = loaded
        for combo, everyone, items, chosen in (
            (self.owner_combo, "All owners", [(r.id, r.name) for r in reps], self._owner_id),
            (self.source_combo, "All sources", [(s.id, s.name) for s in sources],
             self.source_combo.currentData()),
        ):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everyone, None)
            for item_id, name in items:
                combo.addItem(name, item_id)
            found = combo.findData(chosen)
            combo.setCurrentIndex(found if found >= 0 else 0)
            combo.blockSignals(False)
        if self.owner_combo.currentData() != self._owner_id:  # that rep has left the team
            self._owner_id = None
            self._filter_changed()

    def _remembered_owner(self) -> int | None:
        """The owner filter the acting user last left the board with, kept per user and
        database in the UI settings (:func:`owner_key`); until they choose one, a rep sees
        their own deals and a manager everyone's."""
        actor = self.context.actor
        if actor is None:
            return None
        stored = QSettings().value(owner_key(self.context.workspace, actor.id))
        if stored is None:
            return None if actor.is_manager else actor.id
        return int(stored) if str(stored).isdigit() else None

    def _owner_chosen(self) -> None:
        self._owner_id = self.owner_combo.currentData()
        if self.context.actor is not None:
            QSettings().setValue(owner_key(self.context.workspace, self.context.actor.id),
                                 "all" if self._owner_id is None else str(self._owner_id))
        self._filter_changed()

    def _user_changed(self, _rep) -> None:
        """Another user acts now: the board shows what they left it showing."""
        self._owner_id = self._remembered_owner()
        found = self.owner_combo.findData(self._owner_id)
        self.owner_combo.blockSignals(True)
        self.owner_combo.setCurrentIndex(max(found, 0))
        self.owner_combo.blockSignals(False)
        self._filter_changed()

    def current_filter(self) -> BoardFilter:
        return BoardFilter(owner_id=self._owner_id,
                           source_id=self.source_combo.currentData(),
                           text=self.search_edit.text())

    def _filter_changed(self) -> None:
        self._search_pause.cancel()
        self.shown.clear()
        self.reload()

    def reload(self) -> None:
        """Read the board again on the worker; :meth:`show_board` draws it when it arrives
        (a newer reload supersedes an older one still on its way)."""
        if self._board is None:
            self._show_empty("Loading the board…")
        wanted, shown = self.current_filter(), dict(self.shown)
        Query(self, self.context, lambda _control: load_board(wanted, shown=shown),
              supersede="board").success(self.show_board).failure(self._not_loaded).run()

    def show_more(self, stage_id: int) -> None:
        """Read ``MORE_CARDS`` more of a column's cards (the whole board is read again, so
        every figure on it stays of one moment)."""
        column = next((c for c in self._board.columns if c.stage.id == stage_id), None)
        if column is not None:
            self.shown[stage_id] = len(column.cards) + MORE_CARDS
            self.reload()

    def _not_loaded(self, message: str) -> None:
        self.show_error(message)
        self.sig_loaded.emit()

    def show_board(self, board: Board) -> None:
        """Draw ``board`` (as read from the database with the current filters)."""
        self._draw(board)
        self.sig_loaded.emit()

    def _draw(self, board: Board) -> None:
        self._board = board
        if [c.stage.id for c in board.columns] != [c.stage.id for c in self.columns]:
            self._build_columns(board)
        filtered = self.current_filter() != BoardFilter()
        currency = self.context.settings.currency
        empty_text = ("Nothing here matches the filters." if filtered
                      else "No deals here. Drag a card in when it qualifies.")
        for widget, column in zip(self.columns, board.columns, strict=True):
            widget.list_view.empty_text = empty_text
            widget.show_column(column, currency)
        total = sum((c.total_value for c in board.columns), Decimal("0.00"))
        weighted = sum((c.weighted_value for c in board.columns), Decimal("0.00"))
        self.summary_label.setText(
            f"{board.card_count:,} open deal{'s' if board.card_count != 1 else ''} · "
            f"{format_money(total, currency)} · weighted {format_money(weighted, currency)}"
        )
        if not board.columns:
            self._show_empty("There are no open sales stages. A manager can add them in "
                             "Settings → Stages.")
        elif board.card_count == 0 and not filtered:
            self._show_empty("No deals on the board yet — add one with Ctrl+N, import a "
                             "spreadsheet, or hand sales-ready leads over from Leads.")
        elif board.card_count == 0:
            self._show_empty("No deal matches these filters. Clear the search or choose "
                             "“All owners” and “All sources”.")
        else:
            self.empty_label.hide()

    def _build_columns(self, board: Board) -> None:
        for widget in self.columns + self.drop_zones:
            widget.setParent(None)
            widget.deleteLater()
        self.columns, self.drop_zones = [], []
        for column in board.columns:
            widget = BoardColumnWidget(column.stage, self._delegate)
            widget.list_view.sig_dropped.connect(
                lambda deal_id, stage_id=column.stage.id: self._drop_later(deal_id, stage_id))
            widget.list_view.sig_open.connect(self.open_deal)
            widget.sig_show_more.connect(self.show_more)
            widget.list_view.sig_step.connect(
                lambda deal_id, step, at=len(self.columns): self._step(deal_id, at + step))
            self._strip_row.addWidget(widget, 1)
            self.columns.append(widget)
        for stage in (*board.won_stages, *board.lost_stages):
            zone = DropZone(stage)
            zone.sig_dropped.connect(
                lambda deal_id, stage_id=stage.id: self._drop_later(deal_id, stage_id))
            self._zones_row.addWidget(zone, 1)
            self.drop_zones.append(zone)

    def _show_empty(self, text: str) -> None:
        self.empty_label.setText(text)
        self.empty_label.show()

    def _on_changed(self, topics: frozenset) -> None:
        if topics & {Topic.REPS, Topic.STAGES}:
            self._fill_filters()
        if topics & {Topic.SETTINGS}:
            self._delegate.currency = self.context.settings.currency
        if topics & {Topic.DEALS, Topic.STAGES, Topic.REPS, Topic.SETTINGS, Topic.ACTIVITIES}:
            self.reload()

    # --------------------------------------------------------------- moves
    def _drop_later(self, deal_id: int, stage_id: int) -> None:
        # The drag's event loop is still running during a drop: ask the gate afterwards.
        QTimer.singleShot(0, lambda: self.drop_deal(deal_id, stage_id))

    def _step(self, deal_id: int, column: int) -> None:
        if 0 <= column < len(self.columns):
            self.drop_deal(deal_id, self.columns[column].stage.id)

    def drop_deal(self, deal_id: int, to_stage_id: int) -> None:
        """Move ``deal_id`` to ``to_stage_id`` as a drop does: the card moves at once, the
        move itself goes through the gate dialog when needed and onto the undo stack on the
        worker; ``sig_move_settled`` says how it ended. A refused or cancelled move puts the
        card back (the board it was taken from is drawn again, then reloaded)."""
        self.banner.hide()
        before = self._board
        card = next((card for column in (before.columns if before else ())
                     for card in column.cards if card.id == deal_id), None)
        if before is not None and card is not None and card.stage_id != to_stage_id:
            self._show_moved(before, card, to_stage_id)

        def settled(moved: bool) -> None:
            if not moved and before is not None and self._board is not before:
                self._draw(before)  # the reload the refusal announced follows
            self.sig_move_settled.emit(deal_id, moved)

        move_with_gate(self, self.context, deal_id, to_stage_id, on_failure=self.show_error,
                       on_done=settled,
                       expected_version=card.version if card is not None else None)

    def _show_moved(self, board: Board, card: BoardCard, to_stage_id: int) -> None:
        """Draw ``board`` with ``card`` taken out of its column and put at the top of
        ``to_stage_id``'s (gone from the board when that is a Won or Lost zone); the columns'
        counts and totals follow, exact (the reload after the move reads them again)."""
        moved = replace(card, stage_id=to_stage_id, days_in_stage=0)

        def after(column: BoardColumn) -> BoardColumn:
            if column.stage.id == card.stage_id:
                return replace(column, cards=tuple(c for c in column.cards if c.id != card.id),
                               count=column.count - 1,
                               total_value=column.total_value - card.value)
            if column.stage.id == to_stage_id:
                return replace(column, cards=(moved, *column.cards), count=column.count + 1,
                               total_value=column.total_value + card.value)
            return column

        self._draw(replace(board, columns=tuple(after(c) for c in board.columns)))

    def show_error(self, message: str) -> None:
        self.banner.setText(message)
        self.banner.show()

    def open_deal(self, deal_id: int) -> None:
        from ui.deals.dialog import DealDialog

        DealDialog.show_existing(self, self.context, deal_id)

    def column_for(self, stage_id: int) -> BoardColumnWidget:
        return next(c for c in self.columns if c.stage.id == stage_id)
