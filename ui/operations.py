"""The one way a screen reaches ``app/``: operations run on the one database worker.

Every call a widget makes into ``app`` is wrapped in an operation (in the spirit of Anki's
``CollectionOp``/``QueryOp``)::

    Write(self, context, lambda _control: pipeline.move_deal(...), announce={Topic.DEALS})
        .success(self._moved)          # on the GUI thread, with what the call returned
        .failure(self.show_error)      # on the GUI thread, with the sentence for the user
        .run()

    Query(self, context, lambda _control: load_board(), supersede="board")
        .success(self.show_board)
        .run()

The contract:

- The work is ``work(control)``: it runs on the worker (:class:`ui.tasks.TaskRunner`, one
  thread, so a write never waits behind a lock held by the GUI thread, and the GUI thread
  never waits behind a write). Long work calls ``control.report(fraction, message)``, which
  reaches :meth:`Operation.progress` and raises ``Cancelled`` once :meth:`Operation.cancel` was
  called (nothing written, :meth:`Operation.cancelled` called).
- Failure: a user error (``app.errors``) reaches :meth:`Operation.failure` as its sentence; a
  bug is logged and the user gets one sentence too (``crash_log.for_user``). An operation
  given no failure handler shows the sentence through ``context.bus.sig_failed`` (the main
  window's status bar), so no refusal is ever silent.
- A :class:`Write` announces its topics (:class:`ui.context.Topic`) on the bus after the
  success handler ran, even when its owner is gone (the change was made: other views must
  refresh). A :class:`Query` announces nothing.
- Superseding: a query given ``supersede=key`` replaces any older query of the same owner and
  key still on its way: if the older one has not started it never runs, if it has, its
  answer is dropped. Only the newest answer is ever shown (no hand-rolled generation
  counters in screens).
- Lifetime: every handler is bound to ``owner`` (a QObject, normally the widget it touches)
  through :class:`ui.tasks.OwnerBinding`; once the owner is destroyed, no handler runs.
- Undo: :class:`UndoableWrite` is the one QUndoCommand base; a screen pushes it after the
  first write succeeded (see its docstring).

The GUI thread never writes: ``ui.application`` installs :func:`forbid_gui_thread_writes`,
which makes :func:`db.connection.writing` refuse to begin a write transaction there.
"""

from __future__ import annotations

import itertools
import sys
import threading
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThread
from PySide6.QtGui import QUndoCommand

from app.jobs import Cancelled, JobControl, refuse_writes_where
from ui.context import Topic, UiContext
from ui.tasks import OwnerBinding, Task

__all__ = [
    "GuiThreadWrite",
    "Operation",
    "Query",
    "Topic",
    "UndoableWrite",
    "Write",
    "forbid_gui_thread_writes",
]

T = TypeVar("T")
Work = Callable[[JobControl], T]
MessageSink = Callable[[str], None]


class _Superseded(Cancelled):
    """A newer query of the same kind was asked for before this one ran."""


# id(owner) -> {key: token of the newest query asked for}. Written on the GUI thread when a
# query is run, read on the worker before it starts and on the GUI thread when it answers;
# an owner's entry goes when the owner is destroyed.
_newest: dict[int, dict[Hashable, int]] = {}
_newest_lock = threading.Lock()
_tokens = itertools.count(1)


def _ask(owner: QObject, key: Hashable) -> Callable[[], bool]:
    """Register a new query of ``key`` for ``owner``; returns "is it superseded now?"."""
    token, owner_id = next(_tokens), id(owner)
    with _newest_lock:
        if owner_id not in _newest:
            _newest[owner_id] = {}
            owner.destroyed.connect(lambda *_: _newest.pop(owner_id, None))
        _newest[owner_id][key] = token
    return lambda: _newest.get(owner_id, {}).get(key) != token


class Operation(Generic[T]):
    """One ``app`` call on the worker, with its handlers. Build it, chain the handlers
    (each returns the operation), then :meth:`run` it once. Use :class:`Write` or
    :class:`Query`, which say whether it changes data."""

    _announce: frozenset[Topic] | Callable[[Any], Iterable[Topic]] = frozenset()
    _supersede: Hashable | None = None

    def __init__(self, owner: QObject, context: UiContext, work: Work[T]):
        self.owner = owner
        self.context = context
        self._work = work
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: MessageSink | None = None
        self._on_refusal: Callable[[Exception], None] | None = None
        self._on_progress: Callable[[float, str], None] | None = None
        self._on_cancelled: Callable[[], None] | None = None
        self._on_finished: Callable[[], None] | None = None
        self.task: Task | None = None

    # ------------------------------------------------------------------- handlers
    def success(self, handler: Callable[[T], None]) -> Operation[T]:
        """``handler(result)`` when the call returned."""
        self._on_success = handler
        return self

    def failure(self, handler: MessageSink) -> Operation[T]:
        """``handler(sentence)`` when the call was refused (or failed): nothing was written."""
        self._on_failure = handler
        return self

    def refusal(self, handler: Callable[[Exception], None]) -> Operation[T]:
        """``handler(error)`` instead of :meth:`failure`, with the ``app.errors`` exception
        itself, for a screen that points at what was refused (``ValidationError.field``) or
        tells refusals apart. ``str(error)`` is still the sentence for the user."""
        self._on_refusal = handler
        return self

    def progress(self, handler: Callable[[float, str], None]) -> Operation[T]:
        """``handler(fraction, message)`` whenever the work calls ``control.report``."""
        self._on_progress = handler
        return self

    def cancelled(self, handler: Callable[[], None]) -> Operation[T]:
        """``handler()`` when :meth:`cancel` stopped the work: nothing was written."""
        self._on_cancelled = handler
        return self

    def finished(self, handler: Callable[[], None]) -> Operation[T]:
        """``handler()`` last, whatever the outcome (not for a superseded query)."""
        self._on_finished = handler
        return self

    # ------------------------------------------------------------------- running
    def run(self) -> Operation[T]:
        """Queue the work on the worker; the handlers run later on the GUI thread."""
        if self.task is not None:
            raise RuntimeError("an operation runs once; build a new one")
        superseded = (_ask(self.owner, self._supersede) if self._supersede is not None
                      else lambda: False)

        def work(control: JobControl) -> T:
            if superseded():
                raise _Superseded()
            return self._work(control)

        def succeeded(result: T) -> None:
            if superseded():
                return
            if self._on_success is not None:
                self._on_success(result)

        def failed(error: Exception) -> None:
            if self._on_refusal is not None:
                self._on_refusal(error)
            elif self._on_failure is not None:
                self._on_failure(str(error))
            else:
                self.context.bus.sig_failed.emit(str(error))

        def cancelled() -> None:
            if not self.task.control.cancelled:
                return  # superseded: nobody asked, nobody is told
            if self._on_cancelled is not None:
                self._on_cancelled()

        def finished() -> None:
            if self._on_finished is not None and not superseded():
                self._on_finished()

        self.task = self.context.runner.submit(
            work, owner=self.owner, on_result=succeeded, on_error=failed,
            on_progress=self._on_progress, on_cancelled=cancelled, on_finished=finished)
        if self._announce:
            # Bound to the bus, not the owner: the change was made even if the owner is gone.
            topics = self._announce if callable(self._announce) else (
                lambda _result: self._announce)
            OwnerBinding(self.context.bus, self.task,
                         on_result=lambda result: self.context.bus.changed(*topics(result)))
        return self

    def cancel(self) -> None:
        """Ask the work to stop at its next ``control.report``; nothing it began is kept."""
        if self.task is not None:
            self.task.cancel()


class Write(Operation[T]):
    """An operation that changes data; on success it announces ``announce`` on the bus:
    Topic members, or a function of the result giving them (when what changed depends on
    what was written, e.g. an activity that touched its deal)."""

    def __init__(self, owner: QObject, context: UiContext, work: Work[T], *,
                 announce: Iterable[Topic] | Callable[[T], Iterable[Topic]]):
        super().__init__(owner, context, work)
        if callable(announce):
            self._announce = announce
            return
        topics = frozenset(announce)
        if not all(isinstance(topic, Topic) for topic in topics):
            raise TypeError("announce takes Topic members")
        self._announce = topics


class Query(Operation[T]):
    """An operation that only reads. With ``supersede`` (any hashable naming what it reads,
    e.g. ``"board"``) a newer query of the same owner and key replaces this one."""

    def __init__(self, owner: QObject, context: UiContext, work: Work[T], *,
                 supersede: Hashable | None = None):
        super().__init__(owner, context, work)
        self._supersede = supersede


class UndoableWrite(QUndoCommand):
    """The one undo-command base: a change already made, whose undo and redo are writes.

    A screen runs the first write as a :class:`Write` and pushes the command from its
    success handler, so a refused change never reaches the stack; the ``redo()`` Qt makes on
    push is therefore skipped. Later undos and redos run :meth:`undo_work` / :meth:`redo_work`
    (plain callables that call ``app``; they run on the worker and may keep what they return
    on ``self`` for the next step, since the worker runs them one after the other) as
    :class:`Write` operations announcing ``announce``. A refusal (say the row changed
    meanwhile) goes to ``on_failure``, bound to ``owner``; once the owner is gone (a dialog
    closed since) an undo still writes, and a refusal goes to ``context.bus.sig_failed``
    (the main window's status bar) instead, so the user still hears of it.
    """

    def __init__(self, context: UiContext, owner: QObject, text: str, *,
                 announce: Iterable[Topic], on_failure: MessageSink | None = None):
        super().__init__(text)
        self.context = context
        self.owner = owner
        self.announce = frozenset(announce)
        self.on_failure = on_failure
        self._pushed = False

    def redo_work(self) -> object:
        raise NotImplementedError

    def undo_work(self) -> object:
        raise NotImplementedError

    def after(self, result: object) -> None:
        """Called on the GUI thread (while the owner lives) after an undo or redo wrote."""

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        self._write(self.redo_work)

    def undo(self) -> None:
        self._write(self.undo_work)

    def _write(self, step: Callable[[], object]) -> None:
        operation = Write(self.owner, self.context, lambda _control: step(),
                          announce=self.announce).success(self.after)
        if self.on_failure is not None:
            operation.failure(self.on_failure)
        operation.run()
        # Bound to the bus: a refusal reaches the user even once the owner is gone.
        OwnerBinding(self.context.bus, operation.task, on_error=self._refused_without_owner)

    def _refused_without_owner(self, error: Exception) -> None:
        if not shiboken6.isValid(self.owner):
            self.context.bus.sig_failed.emit(str(error))


# ------------------------------------------------------------------ the GUI-thread rule
class GuiThreadWrite(RuntimeError):
    """A write transaction was begun on the GUI thread: a bug (it must go through a
    :class:`Write`), never a user error."""


def _began_from_ui() -> bool:
    """True when a ``ui`` module is on the calling stack: a screen, not (in a test) the
    test's own setup writing through ``app`` directly."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name.startswith("ui.") and name != __name__:
            return True
        frame = frame.f_back
    return False


def _refuse_on_gui_thread() -> None:
    application = QCoreApplication.instance()
    if (application is not None and QThread.currentThread() is application.thread()
            and _began_from_ui()):
        raise GuiThreadWrite("a write transaction began on the GUI thread; wrap the app call "
                             "in ui.operations.Write")


def forbid_gui_thread_writes(forbid: bool = True,
                             on_refusal: Callable[[GuiThreadWrite], None] | None = None) -> None:
    """Make :func:`db.connection.writing` refuse a write begun from ``ui`` code on the GUI
    thread (``forbid=False`` lifts it). Installed at start-up (``ui.application``) and by
    the GUI tests, which pass ``on_refusal`` to record a refusal even if something swallows
    the exception. ``db`` and ``app`` stay free of Qt: the check is handed to them."""
    if not forbid:
        refuse_writes_where(None)
        return

    def check() -> None:
        try:
            _refuse_on_gui_thread()
        except GuiThreadWrite as refusal:
            if on_refusal is not None:
                on_refusal(refusal)
            raise

    refuse_writes_where(check)
