"""The Leads table: scored marketing-side leads, best first, filtered in memory.

Rows are :class:`app.lead_score.LeadScore` dataclasses (a few thousand at most), so a filter
keystroke re-selects from a Python list and resets the model; nothing is sorted by Qt.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate

from app.lead_score import LeadScore
from ui import theme
from ui.formatting import format_money, format_points
from ui.header_table_model import HeaderTableModel

LEAD_ROLE = Qt.ItemDataRole.UserRole + 1


class LeadsModel(HeaderTableModel):
    """Columns: score, lead, checklist progress, value, why (the top two factors, compact;
    all of them in the tooltip), status (what is missing in its tooltip).
    ``LEAD_ROLE`` gives the row's LeadScore."""

    HEADERS = ("Score", "Lead", "Checklist", "Value", "Why", "Status")
    RIGHT = frozenset({2, 3})
    WHY, STATUS = 4, 5

    def __init__(self, currency: str, parent=None):
        super().__init__(parent)
        self.currency = currency
        self.all_rows: list[LeadScore] = []
        self.rows: list[LeadScore] = []
        self._text = ""
        self._ready_only = False

    def load(self, leads: list[LeadScore]) -> None:
        self.all_rows = leads
        self._select()

    def set_filter(self, text: str, ready_only: bool) -> None:
        self._text = " ".join(text.split()).casefold()
        self._ready_only = ready_only
        self._select()

    def _select(self) -> None:
        self.beginResetModel()
        text = self._text
        self.rows = [
            lead for lead in self.all_rows
            if (not self._ready_only or lead.ready)
            and (not text or text in lead.title.casefold() or text in lead.company.casefold()
                 or text in lead.source.casefold())
        ]
        self.endResetModel()

    def row_of(self, deal_id: int) -> int | None:
        return next((i for i, lead in enumerate(self.rows) if lead.deal_id == deal_id), None)

    def row_count(self) -> int:
        return len(self.rows)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        lead, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                lead.score, lead.title, f"{lead.checklist_done}/{lead.checklist_total}",
                format_money(lead.value, self.currency), _why(lead),
                "Ready" if lead.ready else "Not ready",
            )[column]
        if role == LEAD_ROLE:
            return lead
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == self.STATUS:
            return theme.SUCCESS if lead.ready else theme.WARNING
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 1:
                company = "" if lead.company in lead.title else f" ({lead.company})"
                return f"{lead.title}{company}\nStage: {lead.stage_name}"
            if column == self.STATUS and not lead.ready:
                return lead.not_ready_reason
            if column == self.WHY:
                return "\n".join(f"{format_points(f.points, 1)}  {f.label} — {f.detail}"
                                 for f in lead.factors)
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def _why(lead: LeadScore) -> str:
    """The two biggest factors, named by their value ("+38 checklist · +6 Referral"); one
    that rounds to no points explains nothing and is left out."""
    parts = []
    for factor in lead.factors[:2]:
        points = format_points(factor.points)
        if points == format_points(0):
            continue
        kind, _, value = factor.label.partition(": ")
        name = {"Checklist": "checklist", "Size": f"{value} staff"}.get(kind, value)
        parts.append(f"{points} {name}")
    return " · ".join(parts)


class ScoreDelegate(QStyledItemDelegate):
    """Draws the score as a number beside a short bar: green for a sales-ready lead."""

    def paint(self, painter: QPainter, option, index: QModelIndex) -> None:
        self.initStyleOption(option, index)
        option.text = ""
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter,
                              option.widget)
        score = int(index.data(Qt.ItemDataRole.DisplayRole) or 0)
        rect = option.rect.adjusted(10, 0, -10, 0)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_colour = option.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        number_width = option.fontMetrics.horizontalAdvance("100") + 6
        painter.setPen(text_colour)
        painter.drawText(QRect(rect.left(), rect.top(), number_width, rect.height()),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                         str(score))
        bar = QRect(rect.left() + number_width + 8, rect.center().y() - 3,
                    max(10, rect.width() - number_width - 8), 6)
        track = QColor(text_colour)
        track.setAlphaF(0.15)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(track)
        painter.drawRoundedRect(bar, 3, 3)
        filled = QRect(bar)
        filled.setWidth(round(bar.width() * min(100, max(0, score)) / 100))
        lead = index.data(LEAD_ROLE)
        colour = theme.SUCCESS if lead is not None and lead.ready else theme.accent()
        painter.setBrush(QColor("#ffffff") if selected else colour)
        painter.drawRoundedRect(filled, 3, 3)
        painter.restore()

    def sizeHint(self, option, index):
        hint = super().sizeHint(option, index)
        hint.setWidth(130)
        return hint
