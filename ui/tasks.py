"""Running ``app`` calls off the GUI thread.

All database work from the GUI that can take long goes through :class:`TaskRunner`, whose one
worker thread serialises it (SQLite has one writer at a time anyway; Anki does the same). A
:class:`Task` reports back on the GUI thread through its signals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from app import crash_log
from app.jobs import Cancelled, JobControl, release_thread_connection


class Task(QObject):
    """One background call.

    Signals (payloads are ``object`` so large ints and dataclasses pass intact):
        sig_progress(fraction: float, message: str)
        sig_result(value)        — the call returned
        sig_error(error)         — a FunnelcastError (its message is for the user)
        sig_cancelled()          — the user cancelled; nothing was written
        sig_finished()           — always last
    """

    sig_progress = Signal(object, object)
    sig_result = Signal(object)
    sig_error = Signal(object)
    sig_cancelled = Signal()
    sig_finished = Signal()

    def __init__(self, fn: Callable[[JobControl], Any]):
        super().__init__()
        self._fn = fn
        self.control = JobControl(on_progress=self._progress)

    def _progress(self, fraction: float, message: str) -> None:
        self.sig_progress.emit(fraction, message)

    def cancel(self) -> None:
        self.control.cancel()

    def run(self) -> None:
        """Runs on the worker thread; never lets an exception escape."""
        try:
            result = self._fn(self.control)
        except Cancelled:
            self.sig_cancelled.emit()
        except Exception as error:  # a bug is logged; the user always gets one sentence
            self.sig_error.emit(crash_log.for_user(error))
        else:
            self.sig_result.emit(result)
        finally:
            release_thread_connection()
            self.sig_finished.emit()


class _Runnable(QRunnable):
    def __init__(self, task: Task):
        super().__init__()
        self.task = task
        self.setAutoDelete(True)

    def run(self) -> None:
        self.task.run()


class TaskRunner(QObject):
    """Queues tasks on a single worker thread; keeps them alive until they finish."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._running: set[Task] = set()
        self._waiting: list[Task] = []

    def submit(
        self,
        fn: Callable[[JobControl], Any],
        *,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        on_finished: Callable[[], None] | None = None,
    ) -> Task:
        """Queue ``fn(control)`` and return its task. Handlers given here, or connected to the
        task's signals in the same breath, run on the GUI thread: the job starts on the next
        turn of the event loop, never before the caller's connections exist, so even a job
        that fails at once is heard."""
        task = Task(fn)
        for signal, handler in ((task.sig_result, on_result), (task.sig_error, on_error),
                                (task.sig_finished, on_finished)):
            if handler is not None:
                signal.connect(handler)
        self._running.add(task)
        task.sig_finished.connect(lambda: self._running.discard(task))
        self._waiting.append(task)
        QTimer.singleShot(0, self, self._start_waiting)
        return task

    def _start_waiting(self) -> None:
        while self._waiting:
            self._pool.start(_Runnable(self._waiting.pop(0)))

    def wait(self, msecs: int = 30_000) -> bool:
        """Run everything queued and block until it is done (tests, and before quitting)."""
        self._start_waiting()
        return self._pool.waitForDone(msecs)

    def shutdown(self, msecs: int = 10_000) -> None:
        """At quit: drop jobs not yet started, ask running ones to cancel, wait for them.
        A worker still running while Python tears down would hang the process."""
        self._waiting.clear()
        self._pool.clear()
        for task in list(self._running):
            task.cancel()
        self._pool.waitForDone(msecs)
