"""The flat arrow buttons that step a page through weeks, months or quarters."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QToolButton

from ui.theme import icon


def step_button(icon_name: str, tip: str, shortcut: str) -> QToolButton:
    """A borderless icon button with ``shortcut``, which its tooltip names."""
    button = QToolButton()
    button.setIcon(icon(icon_name))
    button.setShortcut(QKeySequence(shortcut))
    button.setToolTip(f"{tip} ({shortcut})")
    button.setAutoRaise(True)
    return button
