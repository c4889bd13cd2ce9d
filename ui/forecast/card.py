"""A forecast card: one rep's (or the team's) outlook at a glance.

Top to bottom: the name and the verdict (words first, colour second); the probability of
reaching quota as a large number; the quota bar (won, then expected, with the quota marked);
the verdict's reason; leads and hours needed against the hours left. A card updates in place
(:meth:`OutlookCard.set_outlook`) so a recompute does not rebuild the page.

Signals:
    sig_open(rep_id: int | None) — the card was clicked, or Enter/Space pressed on it.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QLocale, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.forecast import Outlook
from app.forecast.verdict import whole_percent
from ui.forecast.verdicts import style_of
from ui.formatting import format_money
from ui.theme import accent, muted_text


def percent(probability: float | None) -> str:
    """A probability as a whole percent; "<1 %" and ">99 %" rather than a misleading 0 or
    100 when it is merely very small or very large."""
    if probability is None:
        return "—"
    prefix, number = whole_percent(probability)
    return f"{prefix}{QLocale().toString(number)} %"


def count(value: float | None) -> str:
    return "—" if value is None else QLocale().toString(round(value))


class QuotaBar(QWidget):
    """Won (solid), expected (lighter, from won to expected) and the quota (a marker), on one
    scale that fits the largest of the three."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.won = self.expected = Decimal(0)
        self.quota: Decimal | None = None
        self.setMinimumHeight(18)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(240, 18)

    def set_values(self, won: Decimal, expected: Decimal, quota: Decimal | None) -> None:
        self.won, self.expected, self.quota = won, expected, quota
        self.update()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        track = QRectF(0, 4, self.width() - 4, self.height() - 8)
        scale = max(self.won, self.expected, self.quota or Decimal(0), Decimal(1)) * Decimal(
            "1.05")

        def x(value: Decimal) -> float:
            return track.left() + float(value / scale) * track.width()

        painter.setPen(Qt.PenStyle.NoPen)
        track_colour = QColor(palette.color(QPalette.ColorRole.WindowText))
        track_colour.setAlpha(38)  # a faint track in light and dark alike
        painter.setBrush(track_colour)
        painter.drawRoundedRect(track, 4, 4)
        colour = accent()
        lighter = QColor(colour)
        lighter.setAlpha(90)
        painter.setBrush(lighter)
        painter.drawRoundedRect(QRectF(track.left(), track.top(),
                                       x(self.expected) - track.left(), track.height()), 4, 4)
        painter.setBrush(colour)
        painter.drawRoundedRect(QRectF(track.left(), track.top(),
                                       x(self.won) - track.left(), track.height()), 4, 4)
        if self.quota is not None:
            pen = QPen(palette.color(QPalette.ColorRole.WindowText), 2)
            painter.setPen(pen)
            marker = x(self.quota)
            painter.drawLine(int(marker), 0, int(marker), self.height())
        painter.end()


class OutlookCard(QFrame):
    sig_open = Signal(object)

    def __init__(self, outlook: Outlook, currency: str, *, mine: bool = False,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("ForecastCard")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.mine = mine
        self.setProperty("mine", mine)  # the acting user's own card: an accent border

        self.name = QLabel()
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.name.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.verdict = QLabel()
        self.verdict.setObjectName("Verdict")
        head = QHBoxLayout()
        head.setSpacing(8)
        head.addWidget(self.name, 1)
        head.addWidget(self.verdict, 0, Qt.AlignmentFlag.AlignTop)

        self.probability = QLabel()
        self.probability.setTextFormat(Qt.TextFormat.PlainText)  # "<1 %" is not a tag
        self.probability.setObjectName("Probability")
        self.probability.setStyleSheet("font-size: 24pt; font-weight: 600;")
        self.probability_caption = QLabel("chance of making quota")
        self.probability_caption.setObjectName("Muted")
        self.probability_caption.setWordWrap(True)
        big = QHBoxLayout()
        big.setSpacing(8)
        big.addWidget(self.probability, 0, Qt.AlignmentFlag.AlignBottom)
        big.addWidget(self.probability_caption, 1, Qt.AlignmentFlag.AlignBottom)

        self.bar = QuotaBar()
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.reason = QLabel()
        self.reason.setTextFormat(Qt.TextFormat.PlainText)  # the engine's words, verbatim
        self.reason.setWordWrap(True)
        self.reason.setObjectName("Muted")
        self.reason.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.needs = QLabel()
        self.needs.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)
        layout.addLayout(head)
        layout.addLayout(big)
        layout.addWidget(self.bar)
        layout.addWidget(self.figures)
        layout.addWidget(self.reason)
        layout.addWidget(self.needs)
        layout.addStretch(1)
        self.set_outlook(outlook, currency)

    @property
    def rep_id(self) -> int | None:
        return self.outlook.rep_id

    def set_outlook(self, outlook: Outlook, currency: str) -> None:
        """Show ``outlook`` (a recompute): the same card, new figures."""
        self.outlook = outlook
        style = style_of(outlook.verdict)
        colour = style.color()
        tint = QColor(colour)
        tint.setAlpha(38)
        self.name.setText(outlook.rep_name)
        self.verdict.setText(f"{style.symbol}  {style.label}")
        self.verdict.setStyleSheet(
            f"color: {colour.name()}; background: {tint.name(QColor.NameFormat.HexArgb)};"
            f"border: 1px solid {colour.name()}; border-radius: 10px; padding: 2px 10px;"
            "font-weight: 600;")
        has_quota = outlook.quota is not None
        self.probability.setText(percent(outlook.probability) if has_quota else "—")
        whose = "your" if self.mine else ""
        self.probability_caption.setText(
            f"{whose} chance of making quota".strip() if has_quota
            else f"no quota set for {'you' if self.mine else 'this period'}")

        def money(value: Decimal | None) -> str:
            return format_money(value, currency)

        self.bar.set_values(outlook.won, outlook.expected, outlook.quota)
        quota = f" of {money(outlook.quota)} quota" if has_quota else ""
        self.figures.setText(f"<b>{money(outlook.won)}</b> won · <b>{money(outlook.expected)}"
                             f"</b> expected{quota}")
        self.reason.setText(outlook.reason)
        self.needs.setText(self._needs_text(outlook, money))
        self.bar.setToolTip(
            f"Won {money(outlook.won)}; expected {money(outlook.expected)} (open deals "
            f"{money(outlook.open_expected)}, pipeline not yet created "
            f"{money(outlook.new_pipeline_expected)})"
            + (f"; quota {money(outlook.quota)} (the line)" if has_quota else ""))
        self.setAccessibleName(f"{outlook.rep_name}: {style.label}, "
                               f"{percent(outlook.probability)} chance of quota")

    @staticmethod
    def _needs_text(outlook: Outlook, money) -> str:
        if outlook.quota is None:
            return ""
        if not outlook.gap:
            return "No gap: what is expected covers the quota."
        parts = [f"Gap {money(outlook.gap)}"]
        if outlook.leads_needed is not None:
            parts.append(f"<b>{count(outlook.leads_needed)}</b> more leads")
        if outlook.hours_needed is not None and outlook.hours_available is not None:
            short = outlook.hours_needed > outlook.hours_available
            hours = (f"<b>{count(outlook.hours_needed)} h</b> needed of "
                     f"{count(outlook.hours_available)} h left")
            if short:
                colour = style_of("out of reach").color().name()
                hours = f"<span style='color:{colour}'>{hours}</span>"
            parts.append(hours)
        return " · ".join(parts)

    # ----------------------------------------------------------- interaction
    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.sig_open.emit(self.rep_id)
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.sig_open.emit(self.rep_id)
            return
        super().keyPressEvent(event)


def card_stylesheet() -> str:
    """The cards' frame: a rounded panel that lifts on hover and shows keyboard focus."""
    base = QApplication.palette().color(QPalette.ColorRole.Base).name()
    line = QApplication.palette().color(QPalette.ColorRole.Mid).name()
    return (f"#ForecastCard {{ background: {base}; border: 1px solid {line}; "
            "border-radius: 10px; }"
            f"#ForecastCard[mine=\"true\"] {{ border: 2px solid {accent().name()}; }}"
            f"#ForecastCard:hover {{ border: 1px solid {accent().name()}; }}"
            f"#ForecastCard:focus {{ border: 2px solid {accent().name()}; }}"
            f"#ForecastCard QLabel#Muted {{ color: {muted_text().name()}; }}")
