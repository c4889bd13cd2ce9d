"""The "Against today" cell of the what-if's rep table as a small diverging bar beside the
figure: left and red for revenue lost, right and green for revenue gained, on one scale for
the column — so the rep a lever hurts (a lead flood on a capacity-bound rep) stands out at a
glance, before any number is read."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from ui.theme import DANGER, SUCCESS, muted_text

BAR_WIDTH = 64  # px beside the text
GAIN_ROLE = Qt.ItemDataRole.UserRole + 2  # the gain as a float
SCALE_ROLE = Qt.ItemDataRole.UserRole + 3  # the largest |gain| in the column


class GainBarDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        return QSize(size.width() + BAR_WIDTH + 8, size.height())

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        super().paint(painter, option, index)
        gain, scale = index.data(GAIN_ROLE), index.data(SCALE_ROLE)
        if gain is None or not scale:
            return
        rect = option.rect
        centre = rect.left() + 8 + BAR_WIDTH / 2
        height = max(4.0, rect.height() * 0.45)
        top = rect.top() + (rect.height() - height) / 2
        length = (BAR_WIDTH / 2) * min(1.0, abs(gain) / scale)
        colour = QColor(DANGER if gain < 0 else SUCCESS)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        left = centre - length if gain < 0 else centre
        painter.drawRoundedRect(QRectF(left, top, length, height), 2, 2)
        painter.setPen(muted_text())
        painter.drawLine(int(centre), rect.top() + 3, int(centre), rect.bottom() - 3)
        painter.restore()
