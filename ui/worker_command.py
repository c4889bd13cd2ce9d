"""An undoable change whose writes run on the database worker.

Screens push a :class:`WorkerCommand` *after* its first write succeeded (so a refused change
never lands on the stack); the ``redo()`` Qt makes on push is therefore skipped. Later undos
and redos run their write on the worker (``context.runner``), then announce ``topic`` on the
bus; a refusal (say the row changed meanwhile) is reported through ``on_error``. The widget
that shows those refusals is the command's ``owner``: once it is gone an undo still writes,
but nobody is called back (see :class:`ui.tasks.OwnerBinding`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand

from ui.context import UiContext

ErrorSink = Callable[[str], None]


class WorkerCommand(QUndoCommand):
    """Subclasses (or callers) give ``do`` and ``undo_work``: plain callables that write."""

    def __init__(self, context: UiContext, text: str, topic: str, on_error: ErrorSink,
                 owner: QObject):
        super().__init__(text)
        self.context = context
        self.owner = owner
        self.topic = topic
        self.on_error = on_error
        self._pushed = False

    def _run(self, work: Callable[[], object]) -> None:
        self.context.runner.submit(
            lambda _control: work(), owner=self.owner,
            on_result=lambda _value: self.context.bus.changed(self.topic),
            on_error=lambda error: self.on_error(str(error)),
        )

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        self._run(self.do)

    def undo(self) -> None:
        self._run(self.undo_work)

    def do(self):
        raise NotImplementedError

    def undo_work(self):
        raise NotImplementedError
