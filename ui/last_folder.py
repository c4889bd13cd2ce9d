"""The folder a file dialog opens in: the one last used for that purpose (kept in the UI
settings, QSettings), else the user's Documents folder, never the program's own folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths


def last_folder(key: str) -> str:
    """The folder remembered under ``key`` while it still exists, else Documents."""
    stored = QSettings().value(key)
    if isinstance(stored, str) and stored and Path(stored).is_dir():
        return stored
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)


def remember_folder(key: str, file_path: str) -> None:
    """Remember the folder holding ``file_path`` under ``key``."""
    QSettings().setValue(key, str(Path(file_path).parent))
