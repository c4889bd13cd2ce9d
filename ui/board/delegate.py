"""Paints a deal card: company, title, next step and due date (red when overdue), owner
initials, days in stage, checklist progress, the rotting mark and the value.

Painting, not widgets: 5,000 cards cost nothing until they scroll into view, and every card
has the same height so the list can lay out uniformly.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from app.board import BoardCard
from ui.board.model import CARD_ROLE
from ui.formatting import format_date, format_money
from ui.theme import DANGER, SUCCESS, accent, danger, icon, muted_text, warning

PAD = 8
GAP = 6  # between cards
ICON = 14


class CardDelegate(QStyledItemDelegate):
    def __init__(self, currency: str, parent=None):
        super().__init__(parent)
        self.currency = currency
        self._icons = {}

    def _pixmap(self, name: str, color: QColor):
        key = (name, color.name())
        if key not in self._icons:
            self._icons[key] = icon(name, color).pixmap(ICON, ICON)
        return self._icons[key]

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        line = option.fontMetrics.height()
        return QSize(200, 2 * PAD + 4 * line + 3 * 5 + GAP)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        card: BoardCard | None = index.data(CARD_ROLE)
        if card is None:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = option.palette
        rect = QRectF(option.rect.adjusted(1, 1, -2, -GAP))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        border = accent() if selected else palette.color(QPalette.ColorRole.Mid)
        painter.setPen(QPen(border, 2 if selected else 1))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 6, 6)
        if card.rotting:  # a red edge reads at a glance down a long column
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(DANGER)
            painter.drawRoundedRect(QRectF(rect.left(), rect.top(), 4, rect.height()), 2, 2)

        text = palette.color(QPalette.ColorRole.Text)
        muted = muted_text()
        base_font = QFont(option.font)
        bold = QFont(option.font)
        bold.setBold(True)
        metrics = QFontMetrics(base_font)
        bold_metrics = QFontMetrics(bold)
        line = metrics.height()
        inner = option.rect.adjusted(PAD, PAD, -PAD, -PAD - GAP)
        x, y, width = inner.left(), inner.top(), inner.width()

        # Line 1: the company (bold).
        painter.setFont(bold)
        painter.setPen(text)
        painter.drawText(QRect(x, y, width, line), Qt.AlignmentFlag.AlignVCenter,
                         bold_metrics.elidedText(card.company or card.title,
                                                 Qt.TextElideMode.ElideRight, width))
        # Line 2: the title, without the company it repeats, on the whole width.
        y += line + 5
        painter.setFont(base_font)
        painter.drawText(QRect(x, y, width, line), Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(card.short_title if card.company else "",
                                            Qt.TextElideMode.ElideRight, width))
        # Line 3: next step, and its due date kept whole on the right.
        y += line + 5
        colour = danger() if card.overdue else muted
        painter.drawPixmap(x, y + (line - ICON) // 2, self._pixmap("ph.calendar-blank", colour))
        painter.setPen(colour)
        due = format_date(card.next_step_due)
        due_width = metrics.horizontalAdvance(due) + 1 if due else 0
        painter.drawText(QRect(x + width - due_width, y, due_width, line),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, due)
        step = card.next_step or ("Next step" if due else "No next step")
        room = width - ICON - 5 - (due_width + 8 if due else 0)
        painter.drawText(QRect(x + ICON + 5, y, room, line), Qt.AlignmentFlag.AlignVCenter,
                         metrics.elidedText(step, Qt.TextElideMode.ElideRight, room))
        # Line 4: owner initials, days in stage, checklist progress, rotting; the value (bold)
        # on the right.
        y += line + 5
        value = format_money(card.value, self.currency)
        value_width = bold_metrics.horizontalAdvance(value) + 1
        painter.setFont(bold)
        painter.setPen(text)
        painter.drawText(QRect(x + width - value_width, y, value_width, line),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, value)
        badge = QRectF(x, y, line + 4, line)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(accent() if card.owner_initials else muted)
        painter.drawRoundedRect(badge, line / 2, line / 2)
        small = QFont(base_font)
        small.setPointSizeF(max(6.0, base_font.pointSizeF() * 0.8))
        small.setBold(True)
        painter.setFont(small)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, card.owner_initials or "–")
        painter.setFont(base_font)
        # Days in stage and checklist progress, each where it fits before the value (the
        # tooltip says both): a large value beside a long-idle deal leaves no room for days.
        cursor = int(badge.right()) + 6
        end = x + width - value_width - 6
        days = f"{card.days_in_stage} d"
        progress = f"{card.checks_done}/{card.checks_total}"
        days_width = metrics.horizontalAdvance(days) + 1
        progress_width = ICON + 3 + metrics.horizontalAdvance(progress) + 1
        if cursor + days_width + 8 + progress_width <= end:
            painter.setPen(muted)
            painter.drawText(QRect(cursor, y, days_width, line), Qt.AlignmentFlag.AlignVCenter,
                             days)
            cursor += days_width + 7
        if cursor + progress_width <= end:
            complete = card.checks_total and card.checks_done >= card.checks_total
            # Amber: the deal does not meet its own stage's required items (a criterion
            # added after it entered; app.board.BoardCard.meets_checklist).
            check_colour = (warning() if not card.meets_checklist
                            else SUCCESS if complete else muted)
            painter.drawPixmap(cursor, y + (line - ICON) // 2,
                               self._pixmap("ph.check-square", check_colour))
            painter.setPen(check_colour)
            painter.drawText(QRect(cursor + ICON + 3, y, progress_width - ICON - 3, line),
                             Qt.AlignmentFlag.AlignVCenter, progress)
            cursor += progress_width + 7
        # The mark and its word where they fit before the value (the red edge says it too).
        room = end - cursor
        if card.rotting and room >= ICON:
            painter.drawPixmap(cursor, y + (line - ICON) // 2,
                               self._pixmap("ph.warning-circle", danger()))
            mark = "Rotting"
            room -= ICON + 3
            if metrics.horizontalAdvance(mark) <= room:
                painter.setPen(danger())
                painter.drawText(QRect(cursor + ICON + 3, y, room, line),
                                 Qt.AlignmentFlag.AlignVCenter, mark)
        painter.restore()
