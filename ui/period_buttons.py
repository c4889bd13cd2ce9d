"""The controls that step a page through weeks, months or quarters.

Every page with periods (Forecast, Reports, Activities, Quotas, Spend) offers the same keys —
Alt+Left, Alt+Right, Alt+Home — and the same look; they are made here so the keys and the
look cannot drift apart between pages.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QToolButton

from ui.theme import icon


def step_button(icon_name: str, tip: str, shortcut: str) -> QToolButton:
    """A borderless icon button with ``shortcut``, which its tooltip names."""
    button = QToolButton()
    button.setIcon(icon(icon_name))
    button.setShortcut(QKeySequence(shortcut))
    button.setToolTip(f"{tip} ({shortcut})")
    button.setAutoRaise(True)
    return button


class PeriodStepper:
    """Previous and next arrows, the period's name between them, and a button back to the
    period holding today.

    ``earlier`` and ``later`` are the arrows' tooltips ("Previous quarter"), ``home`` the
    button's text and ``home_tip`` what it goes back to. :meth:`connect` steps an offset
    from today's period: the page's ``go(offset)`` receives ``offset ± 1`` or 0.
    """

    def __init__(self, earlier: str, later: str, home: str, home_tip: str):
        self.previous = step_button("ph.caret-left", earlier, "Alt+Left")
        self.next = step_button("ph.caret-right", later, "Alt+Right")
        self.current = QPushButton(home)
        self.current.setShortcut(QKeySequence("Alt+Home"))
        self.current.setToolTip(f"{home_tip} (Alt+Home)")
        self.label = QLabel()
        self.label.setStyleSheet("font-weight: 600; padding: 0 6px;")

    def add_to(self, bar: QHBoxLayout) -> None:
        """Lay the four out in their usual order: ‹ name › home."""
        for widget in (self.previous, self.label, self.next, self.current):
            bar.addWidget(widget)

    def connect(self, go: Callable[[int], None], offset: Callable[[], int]) -> None:
        """Step with ``go``; ``offset`` reads the page's current offset at the click."""
        self.previous.clicked.connect(lambda: go(offset() - 1))
        self.next.clicked.connect(lambda: go(offset() + 1))
        self.current.clicked.connect(lambda: go(0))
