"""Sizing a short table to its rows."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView


def fit_rows(view: QTableView) -> None:
    """Make ``view`` exactly as tall as its rows, so a short table shows no empty area and a
    grid never hides its total row behind a scroll bar."""
    height = view.horizontalHeader().height() + 2 * view.frameWidth()
    height += sum(view.rowHeight(r) for r in range(view.model().rowCount()))
    view.setFixedHeight(height + 2)
