"""Errors a user can cause, each with a message written for that user.

The UI shows ``str(error)``; the command line prints it and exits with ``exit_code``.
"""

from __future__ import annotations

from pathlib import Path


class FunnelcastError(Exception):
    """Base for every error meant for a user's eyes; nothing was changed when it is raised."""

    exit_code = 1


class ValidationError(FunnelcastError):
    """A value was rejected. ``field`` names the input so a form can mark it."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(FunnelcastError):
    """A named thing (rep, stage, deal) does not exist."""


class PermissionDenied(FunnelcastError):
    """The acting user's role does not allow the action."""


class ConflictError(FunnelcastError):
    """The record changed since it was read (optimistic locking)."""


class UsageError(FunnelcastError):
    """A command was called wrongly, or a file could not be read or written."""

    exit_code = 2


class DatabaseDamaged(FunnelcastError):
    """The database file failed its integrity check (SQLite itself reported damage: a busy or
    unreadable file is never called damaged); ``backups`` lists copies, newest first."""

    exit_code = 2

    def __init__(self, path: Path, problem: str, backups: list[Path]):
        hint = (
            f"The newest backup is {backups[0].name}."
            if backups
            else "There is no backup of it."
        )
        super().__init__(
            f"The database {path} is damaged and was not opened ({problem}). {hint}"
        )
        self.path = path
        self.problem = problem
        self.backups = backups


class DatabaseBusy(FunnelcastError):
    """Another program held the database locked for longer than Funnelcast waits; nothing was
    changed, and trying again later can succeed. ``opening`` says whether it happened while
    opening the database (the GUI then offers to retry) rather than during a change."""

    exit_code = 2

    def __init__(self, location: str | Path | None, *, opening: bool = False):
        where = f"the database {location}" if location is not None else "the database"
        if opening:
            message = (f"Another program is using {where} and holds it locked, so Funnelcast "
                       "cannot open it now. Nothing was changed. Close that program or wait "
                       "for it to finish, then try again.")
        else:
            message = (f"Another program is writing to {where} and did not finish in time. "
                       "Nothing was changed; try again in a moment.")
        super().__init__(message)
        self.location = location
        self.opening = opening


class DatabaseReadOnly(UsageError):
    """The database file, or the folder it is in, cannot be written by this user."""

    def __init__(self, path: Path, blocked: Path):
        what = "the folder it is in" if blocked != path else "the file"
        super().__init__(
            f"The database {path} cannot be changed: you are not allowed to write to {what}"
            f" ({blocked}). Nothing was opened or changed. Ask whoever manages that folder to "
            "let you write to it, or copy the database into a folder of your own and open the "
            "copy."
        )
        self.path = path
        self.blocked = blocked


class NewerDatabase(UsageError):
    """The database was written by a newer Funnelcast; this one must not change it."""

    def __init__(self, location: str, version: int, known: int):
        super().__init__(
            f"The database {location} was written by a newer version of Funnelcast (its schema "
            f"is version {version}; this version knows up to {known}). It was not opened and "
            "nothing in it was changed. Install the newer Funnelcast to open it."
        )
        self.version = version
        self.known = known
