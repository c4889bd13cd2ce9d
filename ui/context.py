"""What every view and dialog is given: the acting user, settings, the task runner and a
change bus, so widgets never reach for globals."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from app import settings
from app.settings import Settings
from app.users import RepInfo
from app.workspace import Workspace
from ui.tasks import TaskRunner


class Topic(StrEnum):
    """What a change touched; a view refreshes when a topic it shows is announced. A typo is
    an AttributeError, not a view that silently never refreshes."""

    DEALS = "deals"  # deals, their stage moves, checklist ticks, hand-offs, imports
    ACTIVITIES = "activities"
    STAGES = "stages"  # stages and their checklist items
    REPS = "reps"
    SETTINGS = "settings"
    QUOTAS = "quotas"
    SPEND = "spend"  # what lead sources cost, per month


class DataBus(QObject):
    """Tells open views that data changed so they can refresh.

    Signals:
        sig_changed(topics: frozenset[Topic]) — announced by ``ui.operations.Write`` (and the
            undo commands) after a change; a view refreshes when a topic it shows is named.
        sig_user_changed(rep: RepInfo) — the acting user was switched.
        sig_failed(message: str) — an operation with no failure handler of its own was
            refused; the main window shows the sentence.
    """

    sig_changed = Signal(object)
    sig_user_changed = Signal(object)
    sig_failed = Signal(object)

    def changed(self, *topics: Topic) -> None:
        if not all(isinstance(topic, Topic) for topic in topics):
            raise TypeError(f"announce Topic members, not {topics!r}")
        self.sig_changed.emit(frozenset(topics))


class UiContext(QObject):
    """Shared state for the GUI session. ``actor`` may be None only before the first run.

    ``undo_stack`` takes a QUndoCommand for every undoable change (stage moves, deletions).
    """

    def __init__(self, workspace: Workspace, actor: RepInfo | None, parent: QObject | None = None):
        super().__init__(parent)
        self.workspace = workspace
        self.actor = actor
        self.bus = DataBus(self)
        self.runner = TaskRunner(self)
        self.undo_stack = QUndoStack(self)  # Ctrl+Z / Ctrl+Shift+Z in the Edit menu
        self._settings: Settings | None = None
        # Connected before any view's slot, so views refreshing on a settings change read the
        # new ones (an undo step announces it too).
        self.bus.sig_changed.connect(self._forget_settings)

    def _forget_settings(self, topics: frozenset) -> None:
        if Topic.SETTINGS in topics:
            self._settings = None

    @property
    def settings(self) -> Settings:
        """Cached; reloaded after a settings change on the bus."""
        if self._settings is None:
            self._settings = settings.load()
        return self._settings

    def settings_changed(self) -> None:
        self.bus.changed(Topic.SETTINGS)

    def set_actor(self, rep: RepInfo) -> None:
        self.actor = rep
        self.bus.sig_user_changed.emit(rep)
