"""Opening another database in the window: a rep's working copy, or a database from the
recent list, in place of the one open now.

The open runs on the window's worker after everything queued there (so no job of the old
window reads the new database), with the window disabled meanwhile. When it succeeds, the
old window gives way to a new one built on the new database (its own context, worker, undo
stack and pages: nothing of the old database's data survives in it). When it is refused,
the database open before is the current one again (``app.workspace.switching_database``)
and the window carries on; the user reads why.

Every file opened this way is remembered in the recent list (QSettings), newest first: a
working copy by its workbook, so opening it again checks whether the workbook changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QToolBar

from app import workspace
from app.errors import UsageError
from app.jobs import JobControl
from app.users import RepInfo
from app.workspace import Workspace
from ui.operations import Write

RECENT_KEY = "recent/databases"
RECENT_LIMIT = 8
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")

# The windows opened here, kept alive by Python until they close.
_windows: list = []


@dataclass(frozen=True)
class Opened:
    """A database ready for a window: what was opened and who acts in it. ``message`` is
    for the status bar of the new window (e.g. that an old copy was kept aside)."""

    workspace: Workspace
    actor: RepInfo
    message: str = ""


# ------------------------------------------------------------------ the recent list
def recent() -> list[str]:
    """The files opened recently (databases, and update workbooks opened as working copies),
    newest first, those that still exist."""
    stored = QSettings().value(RECENT_KEY) or []
    paths = [stored] if isinstance(stored, str) else list(stored)
    return [path for path in paths if Path(path).exists()]


def remember(path: str | Path) -> None:
    """Put ``path`` first in the recent list."""
    text = str(Path(path).resolve())
    paths = [text] + [p for p in recent() if p != text]
    QSettings().setValue(RECENT_KEY, paths[:RECENT_LIMIT])


def is_workbook(path: str | Path) -> bool:
    return Path(path).suffix.lower() in WORKBOOK_SUFFIXES


def recent_label(path: str) -> str:
    name = Path(path).name
    return f"{name} (working copy)" if is_workbook(path) else name


# ------------------------------------------------------------------ opening (on the worker)
def open_database_file(path: str, _control: JobControl | None = None) -> Opened:
    """A database file from the recent list, with the user it was last used by."""
    with workspace.switching_database():
        opened = workspace.open_workspace(path, create=False)
        state = workspace.start_state(None)
        if state.first_run or state.needs_manager or state.actor is None:
            raise UsageError(f"{Path(path).name} has no team set up yet: start Funnelcast "
                             "with --db on it to set it up.")
        return Opened(opened, state.actor)


def open_workbook(path: str, control: JobControl | None = None) -> Opened:
    """An update workbook as a working copy, its rep acting."""
    from app.offline.working_copy import open_working_copy
    from app.users import current_user

    with workspace.switching_database():
        copy = open_working_copy(path, control)
        actor = current_user()
        if actor is None:  # a copy always names its rep; this is a damaged one
            raise UsageError(f"The working copy of {Path(path).name} names no rep; open the "
                             "workbook the manager sent again.")
    message = ""
    if copy.set_aside is not None:
        message = (f"{Path(path).name} changed since you last worked on it, so the working "
                   f"copy was made afresh; your unsaved work is kept in {copy.set_aside}.")
    elif not copy.reused:
        message = f"Made a working copy of {Path(path).name}."
    return Opened(copy.workspace, actor, message)


def opener_for(path: str) -> Callable[[JobControl], Opened]:
    if is_workbook(path):
        return lambda control: open_workbook(path, control)
    return lambda control: open_database_file(path, control)


# ------------------------------------------------------------------ switching
def switch_database(window, path: str) -> None:
    """Open ``path`` (a database, or an update workbook as its working copy) in place of
    ``window``'s database (see the module docstring). Unsaved work in the window is looked
    after first (``window.may_close``)."""
    if not window.may_close(lambda: switch_database(window, path)):
        return
    parts = [window.centralWidget(), window.menuBar(), *window.findChildren(QToolBar)]
    for part in parts:  # nothing new is asked of the old database meanwhile
        part.setEnabled(False)
    window.statusBar().showMessage(f"Opening {Path(path).name}…")

    def refused(message: str) -> None:
        for part in parts:
            part.setEnabled(True)
        window.statusBar().clearMessage()
        QMessageBox.warning(window, "Open", message)

    Write(window, window.context, opener_for(path), announce=()).success(
        lambda opened: _replace_window(window, opened, path)).failure(refused).run()


def _replace_window(old, opened: Opened, path: str) -> None:
    """The new database is open: a new window on it takes the old one's place."""
    from ui.context import UiContext
    from ui.main_window import MainWindow

    app = QApplication.instance()
    quits = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)
    try:
        old.context.runner.shutdown()  # what the old window still asked for is dropped
        old.close_guards.clear()  # looked after before the switch began
        old.close()  # remembers its layout for the new window
        window = MainWindow(UiContext(opened.workspace, opened.actor))
        _windows.append(window)
        window.destroyed.connect(lambda *_: _windows.remove(window) if window in _windows
                                 else None)
        if opened.message:  # after the window's own first-paint messages
            window.sig_first_paint.connect(lambda: QTimer.singleShot(
                0, window, lambda: window.statusBar().showMessage(opened.message, 15_000)))
        window.show()
    finally:
        app.setQuitOnLastWindowClosed(quits)
    old.deleteLater()
    remember(path)
