"""Where unexpected errors go: a log file for whoever fixes the bug, one sentence for the user.

A user never sees a traceback; the front ends call :func:`record` and show :func:`sentence`.
"""

from __future__ import annotations

import traceback
from datetime import datetime
from pathlib import Path

from platformdirs import user_log_path


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
