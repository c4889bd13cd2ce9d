"""What every view and dialog is given: the acting user, settings, the task runner and a
change bus, so widgets never reach for globals."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from app import settings
from app.settings import Settings
from app.users import RepInfo
from app.workspace import Workspace
from ui.tasks import TaskRunner


class DataBus(QObject):
    """Tells open views that data changed so they can refresh.

    Signals:
        sig_changed(topics: frozenset[str]) — e.g. {"deals"}, {"activities"}, {"stages"},
            {"reps"}, {"settings"}, {"quotas"}; a view refreshes when a topic it shows is named.
        sig_user_changed(rep: RepInfo) — the acting user was switched.
    """

    sig_changed = Signal(object)
    sig_user_changed = Signal(object)

    def changed(self, *topics: str) -> None:
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
        # Connected before any view's slot, so views refreshing on "settings" read the new ones.
        self.bus.sig_changed.connect(self._forget_settings)

    @property
    def settings(self) -> Settings:
        """Cached; reloaded after a "settings" change on the bus."""
        if self._settings is None:
            self._settings = settings.load()
        return self._settings

    def _forget_settings(self, topics: frozenset[str]) -> None:
        if "settings" in topics:
            self._settings = None

    def set_actor(self, rep: RepInfo) -> None:
        self.actor = rep
        self.bus.sig_user_changed.emit(rep)
