"""How a verdict looks: its words (read without colour) and its colour in light and dark.

The words lead, the colour only helps the eye: a manager scanning the cards on a grey-scale
screen, or one who does not tell red from green, reads the same verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor

from ui.theme import is_dark


@dataclass(frozen=True)
class VerdictStyle:
    label: str  # shown on the card, capitalised
    symbol: str  # a glyph before the label (shape as well as colour)
    light: str
    dark: str

    def color(self) -> QColor:
        return QColor(self.dark if is_dark() else self.light)


STYLES: dict[str, VerdictStyle] = {
    "on track": VerdictStyle("On track", "✓", "#15803d", "#4ade80"),
    "needs more pipeline": VerdictStyle("Needs more pipeline", "▲", "#b45309", "#fbbf24"),
    "capacity-bound": VerdictStyle("Capacity-bound", "◆", "#7c3aed", "#c4b5fd"),
    "out of reach": VerdictStyle("Out of reach", "✕", "#b91c1c", "#f87171"),
    "no quota": VerdictStyle("No quota", "–", "#5f6b7a", "#9aa3ae"),
}


def style_of(verdict: str) -> VerdictStyle:
    """The style of ``verdict``; an unknown one (a newer engine) is shown in plain words."""
    return STYLES.get(verdict, VerdictStyle(verdict.capitalize(), "•", "#5f6b7a", "#9aa3ae"))
