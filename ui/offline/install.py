"""The File menu's update-workbook actions, wired once the window is on screen.

- **Export update workbook for rep…** (a manager, not in a working copy): pick the rep, pick
  the file, write it on the worker with progress; the status bar names the file.
- **Open update workbook…** and **Open recent**: the workbook's working copy (or a recent
  database) takes the window's place (:mod:`ui.database_switch`).
- **Save updates to workbook** (Ctrl+S, only in a working copy): writes the workbook on the
  worker. The title says "Working copy — <rep> (<file>)" with Qt's modified mark while moves,
  ticks, hours or field changes are not saved yet, and closing the window (or opening
  another database) asks to save them first.

Tests never show a dialog: they patch :func:`choose_rep`, :func:`choose_workbook`,
:func:`choose_export_path` and :func:`ask_save`.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QToolBar, QWidget

from app import users
from ui import database_switch
from ui.context import Topic, UiContext
from ui.exporting.install import LAST_FOLDER_KEY, ExportRun
from ui.last_folder import last_folder, remember_folder
from ui.operations import Query, Write

if TYPE_CHECKING:  # the module itself is imported at first use (see _copies)
    from app.offline.working_copy import WorkingCopyInfo

EXPORT_TITLE = "Export update workbook"
WORKBOOK_FILTER = "Update workbook (*.xlsx)"
SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


OPEN_FOLDER_KEY = "offline/last_folder"  # where the rep keeps the workbooks they open


def _copies() -> ModuleType:
    """:mod:`app.offline.working_copy`, imported at its first use (on the worker): it brings
    the workbook reader and writer (openpyxl, calamine, numpy, ~0.5 s), which would
    otherwise load on the GUI thread as the window installs its features."""
    from app.offline import working_copy

    return working_copy

def choose_rep(parent: QWidget, names: list[str]) -> str | None:
    """Ask which rep the workbook is for; None when the user cancels."""
    name, ok = QInputDialog.getItem(parent, EXPORT_TITLE, "Export the open deals of:", names,
                                    0, False)
    return name if ok and name else None


def choose_export_path(parent: QWidget, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, EXPORT_TITLE, suggested, WORKBOOK_FILTER)
    return path


def choose_workbook(parent: QWidget) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, "Open update workbook",
                                          last_folder(OPEN_FOLDER_KEY), WORKBOOK_FILTER)
    if path:
        remember_folder(OPEN_FOLDER_KEY, path)
    return path


def ask_save(parent: QWidget, info: WorkingCopyInfo) -> str:
    """Save, discard or cancel, for a working copy with unsaved work."""
    box = QMessageBox(QMessageBox.Icon.Question, "Unsaved updates",
                      f"Save your updates to {info.workbook.name} before closing? Your "
                      "manager sees only what is saved in the workbook.", parent=parent)
    save = box.addButton("Save", QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton("Don’t save", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(save)
    box.exec()
    clicked = box.clickedButton()
    return SAVE if clicked is save else DISCARD if clicked is discard else CANCEL


def window_title(info: WorkingCopyInfo) -> str:
    """The window's title on a working copy ("[*]" is where Qt marks unsaved work)."""
    return f"Working copy — {info.rep_name} ({info.workbook.name})[*]"


class RepExportRun(ExportRun):
    """Export update workbook for rep…: ``updates-<rep>-YYYY-MM-DD.xlsx`` for the chosen
    rep. A Write: the first export gives the database its id."""

    title = EXPORT_TITLE

    def ask_path(self, suggested: str) -> str:
        return choose_export_path(self.window, suggested)

    def start(self) -> None:
        Query(self.window, self.context, lambda _control: users.list_reps()).success(
            self._pick).run()

    def _pick(self, reps) -> None:
        me = self.context.actor
        names = [rep.name for rep in reps if me is None or rep.id != me.id]
        if not names:
            QMessageBox.information(self.window, EXPORT_TITLE, "There is nobody else in the "
                                    "team yet: add your reps in Settings › Reps first.")
            return
        name = choose_rep(self.window, names)
        if name is None:
            return
        from app.offline.export import default_file_name, export_update_workbook

        suggested = str(Path(last_folder(LAST_FOLDER_KEY)) / default_file_name(name))
        self.run(suggested, lambda path, control: export_update_workbook(path, name, control),
                 writes=True)


class WorkingCopyActions:
    """The actions' state on one window: whether its database is a working copy (known
    after a query), whether that copy has unsaved work, and the save."""

    def __init__(self, window):
        self.window = window
        self.context: UiContext = window.context
        self.info: WorkingCopyInfo | None = None
        self.saving: Write | None = None
        self.exports: list[RepExportRun] = []
        actions = window.actions_by_name
        actions["open_workbook"].triggered.connect(self.open_workbook)
        actions["open_workbook"].setEnabled(True)
        actions["export_rep_workbook"].triggered.connect(self.export_for_rep)
        actions["save_workbook"].triggered.connect(lambda: self.save())
        window.recent_menu.aboutToShow.connect(self._fill_recent)
        Query(window, self.context, lambda _control: _copies().describe()).success(
            self._known).run()

    # -- what this database is ----------------------------------------------------------------
    def _known(self, info: WorkingCopyInfo | None) -> None:
        window, actions = self.window, self.window.actions_by_name
        self.info = info
        workspace = self.context.workspace
        if info is not None:
            database_switch.remember(info.workbook)
        elif workspace.is_file:
            database_switch.remember(workspace.location)
        window.recent_menu.setEnabled(bool(self._others()))
        if info is None:
            self._user_changed(self.context.actor)
            self.context.bus.sig_user_changed.connect(self._user_changed)
            return
        window.setWindowTitle(window_title(info))
        window.show_location(f"Working copy of {info.workbook}",
                             f"Saved to that workbook with Ctrl+S; kept meanwhile in "
                             f"{workspace.location}")
        actions["save_workbook"].setEnabled(True)
        toolbar = window.findChild(QToolBar, "MainToolbar")
        for name in ("export_rep_workbook", "import", "new_deal"):
            actions[name].setEnabled(False)
            actions[name].setToolTip("Not in a working copy: do this in the team’s Funnelcast")
            toolbar.removeAction(actions[name])
        toolbar.insertAction(toolbar.actions()[0] if toolbar.actions() else None,
                             actions["save_workbook"])
        self.context.bus.sig_changed.connect(self._data_changed)
        window.close_guards.append(self._guard)
        self._check_unsaved()

    def _user_changed(self, rep) -> None:
        self.window.actions_by_name["export_rep_workbook"].setEnabled(
            rep is not None and rep.is_manager)

    # -- unsaved work -------------------------------------------------------------------------
    def _data_changed(self, topics: frozenset) -> None:
        if topics & {Topic.DEALS, Topic.ACTIVITIES}:
            self.window.setWindowModified(True)  # at once; the check below may clear it
            self._check_unsaved()

    def _check_unsaved(self) -> None:
        Query(self.window, self.context, lambda _control: _copies().has_unsaved_changes(),
              supersede="unsaved").success(self.window.setWindowModified).run()

    def _guard(self, then) -> bool:
        """The window's close guard: unsaved work is saved, given up, or the close waits."""
        if not self.window.isWindowModified() or self.info is None:
            return True
        answer = ask_save(self.window, self.info)
        if answer == DISCARD:
            self.window.setWindowModified(False)
            return True
        if answer == SAVE:
            self.save(then)
        return False

    # -- the actions --------------------------------------------------------------------------
    def save(self, then=None) -> None:
        """Save updates to workbook (on the worker); ``then()`` after it was saved."""
        info = self.info
        if info is None or self.saving is not None:
            return
        self.window.statusBar().showMessage(f"Saving to {info.workbook.name}…")

        def saved(result) -> None:
            self.window.setWindowModified(False)
            self.window.statusBar().showMessage(result.describe(), 10_000)
            if then is not None:
                then()

        def failed(message: str) -> None:
            self.window.statusBar().clearMessage()
            QMessageBox.warning(self.window, "Save updates", message)

        def finished() -> None:
            self.saving = None

        self.saving = Write(self.window, self.context,
                            lambda control: _copies().save_working_copy(info.workbook,
                                                                           control),
                            announce=()).success(saved).failure(failed).finished(finished)
        self.saving.run()

    def open_workbook(self) -> None:
        path = choose_workbook(self.window)
        if path:
            database_switch.switch_database(self.window, path)

    def export_for_rep(self) -> None:
        run = RepExportRun(self.window, self.context)
        self.exports[:] = [run]  # keep the running export alive
        run.start()

    # -- the recent list ----------------------------------------------------------------------
    def _current(self) -> str:
        if self.info is not None:
            return str(self.info.workbook)
        workspace = self.context.workspace
        return str(Path(workspace.location).resolve()) if workspace.is_file else ""

    def _others(self) -> list[str]:
        return [path for path in database_switch.recent() if path != self._current()]

    def _fill_recent(self) -> None:
        menu = self.window.recent_menu
        menu.clear()
        for path in self._others():
            action = menu.addAction(database_switch.recent_label(path))
            action.setToolTip(path)
            action.triggered.connect(
                lambda _=False, chosen=path: database_switch.switch_database(self.window,
                                                                             chosen))


def install(window) -> None:
    """The ``ui.features`` installer (see the module docstring)."""
    window.working_copy_actions = WorkingCopyActions(window)
