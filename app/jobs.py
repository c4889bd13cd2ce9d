"""Progress and cancellation for long jobs, without Qt.

A long service takes a :class:`JobControl`; it calls :meth:`JobControl.report` as it goes,
which also raises :class:`Cancelled` once the user has asked to stop. The service must leave
nothing half-written when that happens (it runs inside one transaction).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.errors import FunnelcastError


class Cancelled(FunnelcastError):
    """The user cancelled the job; nothing was written."""

    def __init__(self, message: str = "Cancelled; nothing was changed."):
        super().__init__(message)


class JobControl:
    """Passed into a long job: progress out, cancellation in. Thread-safe."""

    def __init__(self, on_progress: Callable[[float, str], None] | None = None):
        self._on_progress = on_progress
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def raise_if_cancelled(self) -> None:
        if self._cancelled.is_set():
            raise Cancelled()

    def report(self, fraction: float, message: str = "") -> None:
        """Report progress (0.0–1.0) and stop here if the job was cancelled."""
        self.raise_if_cancelled()
        if self._on_progress is not None:
            self._on_progress(max(0.0, min(1.0, fraction)), message)


def release_thread_connection() -> None:
    """Close the calling thread's database connection; workers call it when a job ends."""
    from db.connection import close_thread_connection

    close_thread_connection()


def refuse_writes_where(check: Callable[[], None] | None) -> None:
    """Have every write transaction call ``check`` first; it raises to refuse the write.
    The GUI refuses writes on its own thread this way (``ui.operations``) without ``app``
    or ``db`` knowing of Qt. None removes the check."""
    from db.connection import set_write_check

    set_write_check(check)
