"""Running ``app`` calls off the GUI thread.

All database work from the GUI that can take long goes through :class:`TaskRunner`, whose one
worker thread serialises it (SQLite has one writer at a time anyway; Anki does the same). A
:class:`Task` reports back on the GUI thread through its signals.

Every job has an *owner*: the widget (or other QObject) its callbacks touch. The callbacks are
delivered through an :class:`OwnerBinding`, a child of the owner, so a job that finishes after
its dialog closed, or its page was rebuilt, calls nothing: "Internal C++ object already
deleted" cannot come from a late result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

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
        self.bindings: list[OwnerBinding] = []  # who hears of it (see OwnerBinding)

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


class OwnerBinding(QObject):
    """Hands a task's outcome to callbacks on the GUI thread for as long as ``owner`` lives.

    It is a child of ``owner``: when the owner is destroyed Qt destroys the binding with it,
    which disconnects the task's signals from its slots and discards the calls already queued
    for it, so no callback runs on a widget that is gone. It holds no reference to the owner
    (that would keep a dialog alive in Python) and deletes itself after the task's last
    signal.
    A task may have several bindings (``ui.operations`` binds a write's announcement to the
    bus, its handlers to their widget).
    """

    def __init__(self, owner: QObject, task: Task, *,
                 on_result: Callable[[Any], None] | None = None,
                 on_error: Callable[[Exception], None] | None = None,
                 on_finished: Callable[[], None] | None = None,
                 on_progress: Callable[[float, str], None] | None = None,
                 on_cancelled: Callable[[], None] | None = None):
        if not isinstance(owner, QObject):
            raise TypeError(f"a task's owner must be a QObject, not {type(owner).__name__}")
        alive = shiboken6.isValid(owner)  # an undo can outlive the view that made it
        super().__init__(owner if alive else None)
        self._on_result, self._on_error = on_result, on_error
        self._on_finished, self._on_progress = on_finished, on_progress
        self._on_cancelled = on_cancelled
        if not alive:
            self.drop()
        task.sig_progress.connect(self._progress)
        task.sig_result.connect(self._result)
        task.sig_error.connect(self._error)
        task.sig_cancelled.connect(self._cancelled)
        task.sig_finished.connect(self._finished)
        task.bindings.append(self)

    def drop(self) -> None:
        """Forget the callbacks: whatever the task still reports goes nowhere."""
        self._on_result = self._on_error = self._on_finished = None
        self._on_progress = self._on_cancelled = None

    def _owner_alive(self) -> bool:
        """The binding dies with its owner; a handler may have destroyed both meanwhile."""
        return shiboken6.isValid(self) and self.parent() is not None

    @Slot(object, object)
    def _progress(self, fraction: float, message: str) -> None:
        if self._on_progress is not None and self._owner_alive():
            self._on_progress(fraction, message)

    @Slot(object)
    def _result(self, value: Any) -> None:
        if self._on_result is not None and self._owner_alive():
            self._on_result(value)

    @Slot(object)
    def _error(self, error: Exception) -> None:
        if self._on_error is not None and self._owner_alive():
            self._on_error(error)

    @Slot()
    def _cancelled(self) -> None:
        if self._on_cancelled is not None and self._owner_alive():
            self._on_cancelled()

    @Slot()
    def _finished(self) -> None:
        if self._on_finished is not None and self._owner_alive():
            self._on_finished()
        if shiboken6.isValid(self):
            self.deleteLater()


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
        self._closed = False

    def submit(
        self,
        fn: Callable[[JobControl], Any],
        *,
        owner: QObject,
        on_result: Callable[[Any], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
        on_finished: Callable[[], None] | None = None,
        on_progress: Callable[[float, str], None] | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> Task:
        """Queue ``fn(control)`` and return its task. The handlers run on the GUI thread
        while ``owner`` (the widget they touch) exists; once it is destroyed they are dropped
        and the job's outcome goes nowhere (see :class:`OwnerBinding`). The job starts on the
        next turn of the event loop, after the handlers are connected, so even a job that
        fails at once is heard."""
        task = Task(fn)
        OwnerBinding(owner, task, on_result=on_result, on_error=on_error,
                     on_finished=on_finished, on_progress=on_progress,
                     on_cancelled=on_cancelled)
        if self._closed:  # quitting: the job never runs, nobody hears of it
            return task
        self._running.add(task)
        task.sig_finished.connect(lambda: self._running.discard(task))
        self._waiting.append(task)
        QTimer.singleShot(0, self, self._start_waiting)
        return task

    @property
    def busy(self) -> bool:
        """True while a job is queued or running, or its last signals are still on their way
        to the GUI thread."""
        return bool(self._waiting or self._running)

    def _start_waiting(self) -> None:
        while self._waiting:
            self._pool.start(_Runnable(self._waiting.pop(0)))

    def wait(self, msecs: int = 30_000) -> bool:
        """Run everything queued and block until it is done (tests, and before quitting)."""
        self._start_waiting()
        return self._pool.waitForDone(msecs)

    def shutdown(self, msecs: int = 10_000) -> None:
        """At quit: drop jobs not yet started, ask running ones to cancel, wait for them,
        then forget every callback still on its way, and run nothing submitted later. A
        worker still running while Python tears down would hang the process; a result
        delivered after this would reach widgets being destroyed and a closed database."""
        self._closed = True
        self._waiting.clear()
        self._pool.clear()
        for task in list(self._running):
            task.cancel()
        self._pool.waitForDone(msecs)
        for task in list(self._running):
            for binding in task.bindings:
                if shiboken6.isValid(binding):
                    binding.drop()
        self._running.clear()
