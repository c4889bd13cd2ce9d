"""One what-if lever as a card: its slider, what it costs (editable, remembered in the
settings), and what it does for the team — revenue, chance of quota, cost and the revenue
each unit of money brings back. A rep the lever hurts (a lead flood on a rep with no spare
hours) is named on the card in the warning colour, with the revenue lost.

Signals:
    sig_moved(lever: str) — the slider moved (the panel recomputes on the GUI thread).
    sig_cost_edited(key: str, amount: Decimal) — a cost was typed and confirmed.
"""

from __future__ import annotations

import html
from decimal import Decimal

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.deals import format_amount, parse_amount
from app.errors import ValidationError
from app.forecast import LeverCosts, LeverResult
from app.forecast.whatif import HOURS_FULL_SCALE, LEVER_LABELS
from ui.forecast.card import percent
from ui.formatting import currency_symbol, format_money
from ui.theme import SUCCESS, danger

HOURS_STEPS_PER_HOUR = 2  # the hours slider moves in half hours
HURT_EPSILON = Decimal("0.5")  # a change in revenue smaller than this is no change


def lever_size_text(lever: str, size: float) -> str:
    """The slider's value as the manager reads it: "+40 % leads", "+2.5 h a week per rep"."""
    locale = QLocale()
    if lever == "hours":
        return f"+{locale.toString(size, 'f', 1)} h a week per rep"
    noun = "leads" if lever == "leads" else "conversion"
    return f"+{locale.toString(round(size * 100))} % {noun}"


def ratio_text(value: float | None) -> str:
    return "—" if value is None else QLocale().toString(value, "f", 2)


def signed_money(value: Decimal, currency: str) -> str:
    text = format_money(abs(value), currency)
    return f"+{text}" if value > 0 else (f"−{text}" if value < 0 else text)


class LeverCard(QFrame):
    sig_moved = Signal(str)
    sig_cost_edited = Signal(str, object)

    COST_KEYS = {"leads": "whatif_cost_per_lead", "conversion": "whatif_training_cost_per_rep",
                 "hours": "whatif_hourly_cost"}
    COST_CAPTIONS = {"leads": "A lead costs", "conversion": "Training per rep (+10 %)",
                     "hours": "An hour costs"}

    def __init__(self, lever: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.lever = lever
        self.currency = "USD"
        self.setObjectName("ForecastCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

        self.title = QLabel(LEVER_LABELS[lever])
        self.title.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.best = QLabel("Pays best")
        self.best.setObjectName("Verdict")
        self.best.setStyleSheet(f"font-weight: 600; color: {SUCCESS.name()};")
        self.best.hide()
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.best)

        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if lever == "hours":
            self.slider.setRange(0, int(HOURS_FULL_SCALE * HOURS_STEPS_PER_HOUR))
            self.slider.setPageStep(HOURS_STEPS_PER_HOUR)
        else:
            self.slider.setRange(0, 100)
            self.slider.setSingleStep(5)
            self.slider.setPageStep(10)
        self.slider.setAccessibleName(LEVER_LABELS[lever])
        self.size_label = QLabel()
        self.size_label.setStyleSheet("font-size: 13pt; font-weight: 600;")

        self.cost_edit = QLineEdit()
        self.cost_edit.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.cost_edit.setMaximumWidth(110)
        line = QApplication.palette().color(QPalette.ColorRole.Mid).name()
        self.cost_edit.setStyleSheet(  # on the card's own background, an input needs a frame
            f"QLineEdit {{ border: 1px solid {line}; border-radius: 4px; padding: 2px 6px; }}")
        self.cost_edit.setAccessibleName(self.COST_CAPTIONS[lever])
        self.cost_edit.editingFinished.connect(self._cost_typed)
        self.cost_symbol = QLabel()
        self.cost_note = QLabel()
        self.cost_note.setObjectName("Muted")
        cost_row = QHBoxLayout()
        cost_row.addWidget(QLabel(self.COST_CAPTIONS[lever]))
        cost_row.addStretch(1)
        cost_row.addWidget(self.cost_symbol)
        cost_row.addWidget(self.cost_edit)

        self.figures: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        for row, (key, text) in enumerate((("revenue", "Revenue in the period"),
                                           ("gain", "Against today"),
                                           ("chance", "Chance of quota"),
                                           ("cost", "Cost"),
                                           ("return", "Revenue per 1 spent"))):
            caption = QLabel(text)
            value = QLabel("—")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.figures[key] = value
            grid.addWidget(caption, row, 0)
            grid.addWidget(value, row, 1)
        grid.setColumnStretch(0, 1)

        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setTextFormat(Qt.TextFormat.RichText)
        self.warning.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(6)
        layout.addLayout(head)
        layout.addWidget(self.size_label)
        layout.addWidget(self.slider)
        layout.addLayout(cost_row)
        layout.addWidget(self.cost_note)
        layout.addSpacing(4)
        layout.addLayout(grid)
        layout.addWidget(self.warning)
        layout.addStretch(1)
        self.slider.valueChanged.connect(self._moved)
        self._moved()

    # ------------------------------------------------------------------ the lever
    def size(self) -> float:
        """The lever's size in the engine's unit: a fraction, or hours a week per rep."""
        if self.lever == "hours":
            return self.slider.value() / HOURS_STEPS_PER_HOUR
        return self.slider.value() / 100

    def _moved(self) -> None:
        self.size_label.setText(lever_size_text(self.lever, self.size()))
        self.sig_moved.emit(self.lever)

    # ------------------------------------------------------------------- costs
    def set_costs(self, costs: LeverCosts, currency: str) -> None:
        self.currency = currency
        amount = {"leads": costs.per_lead, "conversion": costs.training_per_rep,
                  "hours": costs.per_hour}[self.lever]
        if not self.cost_edit.hasFocus():
            self.cost_edit.setText(format_amount(amount, "", QLocale().decimalPoint()))
        self.cost_symbol.setText(currency_symbol(currency))
        from_sources = self.lever == "leads" and costs.per_lead_source == "sources"
        self.cost_edit.setReadOnly(from_sources)
        self.cost_note.setVisible(self.lever != "hours")
        if from_sources:
            self.cost_note.setText("What the lead sources cost ÷ the leads they brought")
        elif self.lever == "leads":
            self.cost_note.setText("No lead source has a cost: this figure is used")
        else:
            self.cost_note.setText("Per rep, for each 10 % more conversion")

    def _cost_typed(self) -> None:
        if self.cost_edit.isReadOnly() or not self.cost_edit.isModified():
            return
        self.cost_edit.setModified(False)
        locale = QLocale()
        try:
            amount = parse_amount(self.cost_edit.text(), locale.groupSeparator(),
                                  locale.decimalPoint())
        except ValidationError as error:
            self.sig_cost_edited.emit(self.COST_KEYS[self.lever], error)
            return
        self.sig_cost_edited.emit(self.COST_KEYS[self.lever], amount)

    # ----------------------------------------------------------------- results
    def show_result(self, result: LeverResult, best: bool) -> None:
        team, money = result.team, self.currency
        self.figures["revenue"].setText(format_money(team.revenue, money))
        gain = self.figures["gain"]
        gain.setText(signed_money(team.gain, money))
        hurt = team.gain < -HURT_EPSILON
        gain.setStyleSheet(f"color: {danger().name()}; font-weight: 600;" if hurt else "")
        self.figures["chance"].setText(
            f"{percent(team.baseline_probability)} → {percent(team.probability)}"
            if team.probability is not None else "no quota set")
        self.figures["cost"].setText(format_money(team.cost, money))
        self.figures["return"].setText(ratio_text(team.return_per_money))
        self.best.setVisible(best)
        self.warning.setText(self._hurt_text(result))
        self.warning.setVisible(bool(self.warning.text()))

    def _hurt_text(self, result: LeverResult) -> str:
        """The reps this lever costs revenue, and why (no spare hours for the leads)."""
        locale, lines, unworked = QLocale(), [], False
        for p in sorted(result.reps, key=lambda p: p.gain):
            if p.gain >= -HURT_EPSILON:
                continue
            line = f"▼ <b>{html.escape(p.rep_name)}</b> {signed_money(p.gain, self.currency)}"
            if p.leads_unworked > 0.05:
                unworked = True
                line += (f" · {locale.toString(p.leads_unworked, 'f', 1)} of "
                         f"{locale.toString(p.extra_leads, 'f', 1)} leads unworked")
            lines.append(line)
        if not lines:
            return ""
        if unworked:
            lines.append("No spare hours: leads not worked still take time to look at, "
                         "taken from closing deals.")
        return f"<span style='color: {danger().name()}'>{'<br>'.join(lines)}</span>"
