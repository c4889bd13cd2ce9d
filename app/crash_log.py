"""Where unexpected errors go: a log file for whoever fixes the bug, one sentence for the user.

A user never sees a traceback: each front end's last line of defence (the GUI's worker and
exception hook, the command line) turns whatever escaped into :func:`for_user`'s error and
shows its message.
"""

from __future__ import annotations

import traceback
from datetime import datetime
from pathlib import Path

from platformdirs import user_log_path

from app.errors import DatabaseBusy, FunnelcastError
from db.connection import is_busy, sqlite_path


def log_path() -> Path:
    return user_log_path("Funnelcast", appauthor=False) / "funnelcast.log"


def record(error: BaseException) -> Path:
    """Append ``error`` with its traceback to the log file and return the file's path."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            log.write(f"\n--- {datetime.now().isoformat(timespec='seconds')}\n")
            log.write("".join(traceback.format_exception(error)))
    except OSError:
        pass  # a log we cannot write must not hide the original problem
    return path


def sentence(error: BaseException, path: Path) -> str:
    """What the user reads about an unexpected error."""
    return (
        f"Something unexpected went wrong ({type(error).__name__}: {error}). Nothing more was "
        f"written. The details are in {path}; please send that file to whoever supports "
        "Funnelcast."
    )


def for_user(error: Exception) -> FunnelcastError:
    """What the user is told about ``error``, an exception no ``app`` call translated.

    This is the one place database failures that are not bugs become sentences: "database
    is locked" (another program kept its write lock past the busy timeout, on any read or
    write) is a :class:`DatabaseBusy`, not logged. Anything else is a bug: it is recorded
    and the user gets :func:`sentence`."""
    if isinstance(error, FunnelcastError):
        return error
    if is_busy(error):
        return DatabaseBusy(sqlite_path())
    return FunnelcastError(sentence(error, record(error)))
