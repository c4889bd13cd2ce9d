"""File → Export weekly pipeline… (Ctrl+E): asks where, then writes the workbook on the
worker (a :class:`ui.operations.Query`) with progress and Cancel. The dialog suggests
``pipeline-YYYY-Www.xlsx`` in the folder last used (kept in QSettings)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from app import clock
from ui.context import UiContext
from ui.operations import Query

LAST_FOLDER_KEY = "export/last_folder"
TITLE = "Export weekly pipeline"


def choose_save_path(parent: QWidget | None, suggested: str) -> str:
    """Ask where to save (tests replace this; a dialog is never shown in a test)."""
    path, _ = QFileDialog.getSaveFileName(parent, TITLE, suggested, "Excel workbook (*.xlsx)")
    return path


def _last_folder() -> str:
    stored = QSettings().value(LAST_FOLDER_KEY)
    if isinstance(stored, str) and stored and Path(stored).is_dir():
        return stored
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)


class WeeklyExportRun:
    """One export: the file question, the job on the worker, its progress dialog.

    The progress dialog's Cancel cancels the job; the service then removes its temporary
    file, so the file that was there before stays as it was."""

    def __init__(self, window, context: UiContext):
        self.window = window
        self.context = context
        self.progress: QProgressDialog | None = None
        self.operation: Query | None = None

    def start(self) -> bool:
        from app.exporting import week_of  # see _export: imported at the first export

        week = week_of(clock.local_today())
        suggested = str(Path(_last_folder()) / week.file_name)
        path = choose_save_path(self.window, suggested)
        if not path:
            return False
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        QSettings().setValue(LAST_FOLDER_KEY, str(Path(path).parent))
        progress = QProgressDialog("Preparing the workbook…", "Cancel", 0, 100, self.window)
        progress.setWindowTitle(TITLE)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        self.progress = progress
        # A Query: the export reads the database and writes only the workbook file.
        self.operation = (
            Query(progress, self.context,
                  lambda control: _export(path, week, control))
            .success(self._done).failure(self._failed).progress(self._progress)
            .cancelled(self._cancelled).run())
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
            QMessageBox.information(self.window, TITLE, result.describe())

    def _failed(self, sentence: str) -> None:
        self._close()
        QMessageBox.warning(self.window, TITLE, sentence)

    def _cancelled(self) -> None:
        self._close()
        self.window.statusBar().showMessage(
            "Export cancelled; no file was written or changed.", 8000)


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
