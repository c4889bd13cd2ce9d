"""Undoable activity changes on the shared undo stack (Ctrl+Z / Ctrl+Shift+Z); their writes
run on the worker and announce ``Topic.ACTIVITIES`` (see :class:`ui.operations.UndoableWrite`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QObject

from app.activities import ActivityInfo, delete_activity, restore_activity
from app.timesheet import set_cell
from ui.context import Topic, UiContext
from ui.formatting import format_hours
from ui.operations import MessageSink, UndoableWrite


class _ActivityCommand(UndoableWrite):
    def __init__(self, context: UiContext, text: str, on_error: MessageSink, owner: QObject):
        super().__init__(context, owner, text, announce={Topic.ACTIVITIES},
                         on_failure=on_error)


class CellEditCommand(_ActivityCommand):
    """A timesheet cell went from ``old`` to ``new`` hours."""

    def __init__(self, context: UiContext, rep_id: int, day: date, kind: str, old: Decimal,
                 new: Decimal, on_error: MessageSink, owner: QObject):
        super().__init__(
            context, f"{kind} on {day.isoformat()}: {format_hours(old) or '0'} → "
                     f"{format_hours(new) or '0'} h", on_error, owner)
        self.rep_id, self.day, self.kind, self.old, self.new = rep_id, day, kind, old, new

    def redo_work(self):
        return set_cell(self.rep_id, self.day, self.kind, self.new, self.context.actor)

    def undo_work(self):
        return set_cell(self.rep_id, self.day, self.kind, self.old, self.context.actor)


class DeleteActivityCommand(_ActivityCommand):
    """An activity was deleted; undo puts it back (same uuid, note and deal)."""

    def __init__(self, context: UiContext, deleted: ActivityInfo, on_error: MessageSink,
                 owner: QObject):
        super().__init__(context, f"Delete {format_hours(deleted.hours)} h {deleted.kind}",
                         on_error, owner)
        self.info = deleted

    def redo_work(self):
        return delete_activity(self.info.id, self.context.actor)

    def undo_work(self):
        self.info = restore_activity(self.info, self.context.actor)  # it gets a new id
        return self.info
