"""Starting the GUI: display check, QApplication, the database, first run, the main window."""

from __future__ import annotations

import os
import sys
import time

from app import crash_log, workspace
from app.errors import DatabaseBusy, DatabaseDamaged, FunnelcastError
from ui.platform_check import (
    display_available,
    missing_libraries_message,
    missing_xcb_libraries,
    no_display_message,
)


def _python_command() -> str:
    """How the user can run this Python again: relative to the current folder when inside
    it (".venv/bin/python"), else its full path."""
    here = os.path.abspath(os.curdir)
    python = os.path.abspath(sys.executable)
    return os.path.relpath(python) if python.startswith(here + os.sep) else python


def run_gui(db: str | None, acting_user: str | None) -> int:
    """Open the window on ``db`` (default: the user's data folder). Returns the exit code."""
    started = time.perf_counter()
    if not display_available():
        print(no_display_message(_python_command()), file=sys.stderr)
        return 2
    missing = missing_xcb_libraries()
    if missing:
        print(missing_libraries_message(missing), file=sys.stderr)
        return 2

    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.formatting import adopt_system_locale
    from ui.theme import apply_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("Funnelcast")
    app.setApplicationName("Funnelcast")
    app.setApplicationDisplayName("Funnelcast")
    apply_theme(app)
    adopt_system_locale()

    opened = _open(db)
    if opened is None:
        return 2

    from ui.context import UiContext
    from ui.main_window import MainWindow
    from ui.welcome import who_is_acting

    context = UiContext(opened, None)
    try:
        actor = who_is_acting(context, acting_user)
        if actor is None:
            return 0
    except DatabaseDamaged as damaged:
        return restart_after_damage(damaged)
    except FunnelcastError as error:
        QMessageBox.critical(None, "Funnelcast", str(error))
        return error.exit_code
    context.actor = actor
    report_unexpected_errors(app)
    # From here on every write goes through ui.operations onto the worker; the start-up
    # above (opening and migrating) wrote before the window existed (who acts is saved
    # on the worker already).
    from ui.operations import forbid_gui_thread_writes

    forbid_gui_thread_writes()

    window = MainWindow(context)
    if os.environ.get("FUNNELCAST_BENCH_FIRST_DATA"):  # bench/bench_startup.py
        def report(what: str) -> None:
            print(f"{what} {time.perf_counter() - started:.3f}", flush=True)

        window.sig_first_paint.connect(lambda: report("first-paint"))
        window.sig_ready.connect(lambda: (report("first-data"), app.quit()))
    window.show()
    code = app.exec()
    context.runner.shutdown()
    workspace.close_workspace()
    return code


def offer_restore(parent, damaged: DatabaseDamaged) -> bool:
    """Tell the user the database is damaged and offer its newest backup. True when the
    backup was put in place (the damaged file is kept beside it)."""
    from PySide6.QtWidgets import QMessageBox

    if not damaged.backups:
        QMessageBox.critical(parent, "Damaged database", str(damaged))
        return False
    box = QMessageBox(QMessageBox.Icon.Critical, "Damaged database", str(damaged), parent=parent)
    restore = box.addButton("Restore the newest backup", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if box.clickedButton() is not restore:
        return False
    try:
        workspace.restore_backup(damaged.path, damaged.backups[0])
    except FunnelcastError as refused:  # not damaged after all, or held by another program
        QMessageBox.warning(parent, "Funnelcast", str(refused))
        return False
    return True


def ask_retry(parent, busy: DatabaseBusy) -> bool:
    """Tell the user another program holds the database locked; True when they choose to
    try again (tests patch this instead of showing the box)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, "Database in use", str(busy), parent=parent)
    retry = box.addButton("Try again", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(retry)
    box.exec()
    return box.clickedButton() is retry


def restart_after_damage(damaged: DatabaseDamaged, parent=None) -> int:
    """Offer the backup; if it was restored, start Funnelcast afresh on it. Exit code."""
    from PySide6.QtCore import QProcess

    if offer_restore(parent, damaged):
        QProcess.startDetached(sys.executable, sys.argv)
        return 0
    return 2


def report_unexpected_errors(app) -> None:
    """From now on a bug in a slot is logged and told to the user (:func:`_report_unexpected`);
    once ``app`` is quitting it is only logged: a dialog then would hold the exit open over
    half-destroyed windows."""
    sys.excepthook = _report_unexpected
    app.aboutToQuit.connect(_quitting)


def _quitting() -> None:
    sys.excepthook = _log_unexpected


def _log_unexpected(kind, error, trace) -> None:
    """A bug while quitting: the log gets it, nobody is asked anything."""
    if not issubclass(kind, KeyboardInterrupt):
        crash_log.record(error.with_traceback(trace))


def _report_unexpected(kind, error, trace) -> None:
    """A bug in a slot: log the traceback, tell the user in one sentence, keep running."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    if issubclass(kind, KeyboardInterrupt):
        QApplication.quit()
        return
    told = crash_log.for_user(error.with_traceback(trace))
    QMessageBox.critical(QApplication.activeWindow(), "Funnelcast", str(told))


def _open(db: str | None):
    """Open the database, offering the newest backup when it is damaged and another try
    when another program holds it locked. None: give up."""
    from PySide6.QtWidgets import QMessageBox

    try:
        return workspace.open_workspace(db, defer_check=True)
    except DatabaseDamaged as damaged:
        return _open(db) if offer_restore(None, damaged) else None
    except DatabaseBusy as busy:
        return _open(db) if ask_retry(None, busy) else None
    except FunnelcastError as error:
        QMessageBox.critical(None, "Funnelcast", str(error))
        return None
