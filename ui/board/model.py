"""One board column's cards as a list model; the delegate draws them.

A card is a :class:`app.board.BoardCard` reached through :data:`CARD_ROLE`. Dragging a card
carries its deal id under :data:`DEAL_MIME`; the column view that receives it asks the board
to move the deal (the model itself never moves rows: the board reloads after a move).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt

from app.board import BoardCard
from ui.formatting import format_date

DEAL_MIME = "application/x-funnelcast-deal-id"
CARD_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


class CardModel(QAbstractListModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._cards: tuple[BoardCard, ...] = ()

    def set_cards(self, cards: tuple[BoardCard, ...]) -> None:
        self.beginResetModel()
        self._cards = cards
        self.endResetModel()

    def cards(self) -> tuple[BoardCard, ...]:
        return self._cards

    def row_of(self, deal_id: int) -> int:
        """The row of ``deal_id``, or -1 when this column does not hold it."""
        return next((i for i, c in enumerate(self._cards) if c.id == deal_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._cards)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._cards):
            return None
        card = self._cards[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{card.company} — {card.short_title}" if card.company else card.title
        if role == CARD_ROLE:
            return card
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [card.title, card.company, f"Owner: {card.owner_name or 'nobody yet'}",
                     f"{card.days_in_stage} days in this stage",
                     f"Checklist: {card.checks_done} of {card.checks_total} ticked"]
            if not card.meets_checklist:
                lines.append(f"Does not meet this stage's checklist: {card.unmet_required} "
                             "required item(s) not ticked")
            if card.next_step:
                due = f" (due {format_date(card.next_step_due)})" if card.next_step_due else ""
                lines.append(f"Next step: {card.next_step}{due}")
            if card.rotting:
                lines.append("Rotting: idle past this stage's limit with no next step ahead")
            return "\n".join(line for line in lines if line)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsDragEnabled)

    def mimeTypes(self) -> list[str]:
        return [DEAL_MIME]

    def mimeData(self, indexes) -> QMimeData:
        mime = QMimeData()
        rows = [i.row() for i in indexes if i.isValid()]
        if rows:
            mime.setData(DEAL_MIME, str(self._cards[rows[0]].id).encode())
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction
