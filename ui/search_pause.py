"""The pause a search box waits for before it queries, shared by the Deals table and the
board so that both answer typing alike.

A burst of keys (a held key, a fast pair) costs one query; a query still queued when the
next key asks for another never runs (the operation layer supersedes it), so the pause
need not cover a whole word. A cleared box queries at once: nobody types into an empty box.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLineEdit

# Issue 13's budget is 150 ms from the key to the filtered rows painted on 100k deals, of
# which the query and the paint take about 60–110 ms.
SEARCH_PAUSE_MS = 50


class SearchPause(QObject):
    """Calls ``apply()`` once typing in ``edit`` pauses for :data:`SEARCH_PAUSE_MS`, at once
    when the box is cleared. A view that applies its filter for another reason (a combo
    box changed) calls :meth:`cancel` so the pending search does not query again."""

    def __init__(self, edit: QLineEdit, apply: Callable[[], None]):
        super().__init__(edit)
        self._apply = apply
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_PAUSE_MS)
        self._timer.timeout.connect(apply)
        edit.textChanged.connect(self._changed)

    def _changed(self, text: str) -> None:
        if text.strip():
            self._timer.start()
        else:
            self._apply()

    @property
    def pending(self) -> bool:
        """True while typed text waits for the pause (its query is still to come)."""
        return self._timer.isActive()

    def cancel(self) -> None:
        self._timer.stop()
