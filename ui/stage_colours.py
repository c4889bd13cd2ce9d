"""The colour a stage is shown in: its own (Settings → Stages → Colour…), or, while it has
none (``""``, as every stage of a new database), a default from a fixed set picked by its
place in the pipeline — won green, lost red, the open stages a run of distinct hues. One
rule for every screen that shows a stage's colour (the stage editor's swatches and its
colour dialog; the board may draw it the same way)."""

from __future__ import annotations

from PySide6.QtGui import QColor

from ui.theme import DANGER, SUCCESS

# Distinct mid-tone hues, readable on light and dark backgrounds alike.
OPEN_STAGE_COLOURS = ("#0ea5e9", "#8b5cf6", "#14b8a6", "#6366f1", "#f59e0b", "#ec4899",
                      "#84cc16", "#f97316", "#06b6d4", "#a855f7")


def stage_colour(colour: str, index: int, outcome: str) -> QColor:
    """``colour`` (#rrggbb) when set; else the default for the ``index``-th stage of the
    pipeline with that ``outcome`` ("open", "won", "lost")."""
    if colour:
        return QColor(colour)
    if outcome == "won":
        return QColor(SUCCESS)
    if outcome == "lost":
        return QColor(DANGER)
    return QColor(OPEN_STAGE_COLOURS[index % len(OPEN_STAGE_COLOURS)])
