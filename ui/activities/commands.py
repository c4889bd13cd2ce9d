"""Undoable activity changes on the shared undo stack (Ctrl+Z / Ctrl+Shift+Z).

Each command is pushed *after* its first write succeeded (so a refused change never lands on
the stack); that first ``redo()`` Qt makes on push is therefore skipped. Undo and redo run
their writes on the worker and announce ``"activities"`` on the bus; a refusal (say the day
filled up meanwhile) is reported through ``on_error``. The widget that shows those refusals
is the command's ``owner``: once it is gone an undo still writes, but nobody is called back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand

from app.activities import ActivityInfo, delete_activity, restore_activity
from app.timesheet import set_cell
from ui.activities.hours_text import format_hours
from ui.context import UiContext

ErrorSink = Callable[[str], None]


class _ActivityCommand(QUndoCommand):
    def __init__(self, context: UiContext, text: str, on_error: ErrorSink, owner: QObject):
        super().__init__(text)
        self.context = context
        self.on_error = on_error
        self.owner = owner
        self._pushed = False

    def _run(self, work) -> None:
        self.context.runner.submit(
            lambda _control: work(), owner=self.owner,
            on_result=lambda _value: self.context.bus.changed("activities"),
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


class CellEditCommand(_ActivityCommand):
    """A timesheet cell went from ``old`` to ``new`` hours."""

    def __init__(self, context: UiContext, rep_id: int, day: date, kind: str, old: Decimal,
                 new: Decimal, on_error: ErrorSink, owner: QObject):
        super().__init__(
            context, f"{kind} on {day.isoformat()}: {format_hours(old) or '0'} → "
                     f"{format_hours(new) or '0'} h", on_error, owner)
        self.rep_id, self.day, self.kind, self.old, self.new = rep_id, day, kind, old, new

    def do(self):
        return set_cell(self.rep_id, self.day, self.kind, self.new, self.context.actor)

    def undo_work(self):
        return set_cell(self.rep_id, self.day, self.kind, self.old, self.context.actor)


class DeleteActivityCommand(_ActivityCommand):
    """An activity was deleted; undo puts it back (same uuid, note and deal)."""

    def __init__(self, context: UiContext, deleted: ActivityInfo, on_error: ErrorSink,
                 owner: QObject):
        super().__init__(context, f"Delete {format_hours(deleted.hours)} h {deleted.kind}",
                         on_error, owner)
        self.info = deleted

    def do(self):
        return delete_activity(self.info.id, self.context.actor)

    def undo_work(self):
        self.info = restore_activity(self.info, self.context.actor)  # it gets a new id
        return self.info
