"""File → Export weekly pipeline… (Ctrl+E): asks where, then writes the workbook on the
worker (a :class:`ui.operations.Query`) with progress and Cancel. The dialog suggests
``pipeline-YYYY-Www.xlsx`` in the folder last used (kept in QSettings)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from app import clock
from app.jobs import JobControl
from ui.context import UiContext
from ui.last_folder import last_folder, remember_folder
from ui.operations import Query, Write

LAST_FOLDER_KEY = "export/last_folder"
TITLE = "Export weekly pipeline"


def choose_save_path(parent: QWidget | None, suggested: str) -> str:
    """Ask where to save (tests replace this; a dialog is never shown in a test)."""
    path, _ = QFileDialog.getSaveFileName(parent, TITLE, suggested, "Excel workbook (*.xlsx)")
    return path


class ExportRun:
    """One export to a workbook: the file question, the job on the worker, its progress
    dialog. A subclass says where to suggest (:meth:`run`'s ``suggested``) and what to
    write (``work(path, control)``); the progress dialog's Cancel cancels the job, and the
    service then removes its temporary file, so the file that was there before stays as
    it was."""

    title = TITLE

    def __init__(self, window, context: UiContext):
        self.window = window
        self.context = context
        self.progress: QProgressDialog | None = None
        self.operation: Query | Write | None = None

    def ask_path(self, suggested: str) -> str:
        return choose_save_path(self.window, suggested)

    def run(self, suggested: str, work: Callable[[str, JobControl], object], *,
            writes: bool = False) -> bool:
        """Ask where (starting at ``suggested``), then run ``work`` there on the worker: a
        Query, or a Write announcing nothing when the export also records something in
        the database (``writes``). False when the user chose no file."""
        path = self.ask_path(suggested)
        if not path:
            return False
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        remember_folder(LAST_FOLDER_KEY, path)
        progress = QProgressDialog("Preparing the workbook…", "Cancel", 0, 100, self.window)
        progress.setWindowTitle(self.title)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        self.progress = progress
        operation: Query | Write = (
            Write(progress, self.context, lambda control: work(path, control), announce=())
            if writes else Query(progress, self.context, lambda control: work(path, control)))
        self.operation = (operation.success(self._done).failure(self._failed)
                          .progress(self._progress).cancelled(self._cancelled).run())
        progress.canceled.connect(self.operation.cancel)
        return True

    def _progress(self, fraction: float, message: str) -> None:
        progress = self.progress
        if progress is None:
            return
        if message:
            progress.setLabelText(message)
        # Last: a modal progress dialog's setValue processes events, and the result may
        # arrive and close the dialog inside it.
        progress.setValue(round(fraction * 100))

    def _close(self) -> None:
        if self.progress is not None:
            self.progress.canceled.disconnect(self.operation.cancel)
            self.progress.close()
            self.progress.deleteLater()
            self.progress = None

    def _done(self, result) -> None:
        self._close()
        self.window.statusBar().showMessage(result.describe(), 10_000)
        if result.cut:
            QMessageBox.information(self.window, self.title, result.describe())

    def _failed(self, sentence: str) -> None:
        self._close()
        QMessageBox.warning(self.window, self.title, sentence)

    def _cancelled(self) -> None:
        self._close()
        self.window.statusBar().showMessage(
            "Export cancelled; no file was written or changed.", 8000)


class WeeklyExportRun(ExportRun):
    """Export weekly pipeline…: ``pipeline-YYYY-Www.xlsx`` for this week."""

    def start(self) -> bool:
        from app.exporting import week_of  # see _export: imported at the first export

        week = week_of(clock.local_today())
        return self.run(str(Path(last_folder(LAST_FOLDER_KEY)) / week.file_name),
                        lambda path, control: _export(path, week, control))


def install(window) -> None:
    """The ``ui.features`` installer: enable Export (Ctrl+E) as "Export weekly pipeline…"."""
    context: UiContext = window.context
    action = window.actions_by_name["export"]
    action.setText("Export weekly pipeline…")
    action.setToolTip("Write this week's pipeline workbook for Excel (Ctrl+E)")
    runs: list[WeeklyExportRun] = []

    def export() -> None:
        run = WeeklyExportRun(window, context)
        if run.start():
            runs[:] = [run]  # keep the running export alive
    action.triggered.connect(export)
    action.setEnabled(True)


def _export(path, week, control):
    """Writes the workbook (on the worker). openpyxl and numpy, which the service imports,
    cost ~0.3 s: imported at the first export, not while the window opens."""
    from app.exporting import export_weekly_workbook

    return export_weekly_workbook(path, week, control)
