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
    """The database file failed its integrity check; ``backups`` lists copies, newest first."""

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
