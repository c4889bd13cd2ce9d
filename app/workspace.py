"""Opening a database: integrity check, backup before migrating, migrations, first-run state.

Both front ends call :func:`open_workspace` first; nothing else touches a database that has
not been through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from peewee import DatabaseError, fn
from platformdirs import user_data_path

from app import settings
from app.defaults import install_default_pipeline
from app.errors import DatabaseDamaged, UsageError
from app.users import RepInfo, create_rep, resolve_actor
from db import backup
from db.connection import (
    bind,
    database,
    is_url,
    make_database,
    sqlite_path,
    wait_for_checkpoints,
)
from db.migrations import current_version, is_up_to_date, latest_version, migrate, pending
from db.models import Deal, Rep, Stage


@dataclass(frozen=True)
class Workspace:
    """What was opened: ``location`` is the file path or the URL (password hidden)."""

    location: str
    is_file: bool
    schema_version: int
    migrated_from: int | None  # the old version when migrations ran, else None
    backup: Path | None  # the backup taken before migrating, if any
    integrity_checked: bool = True  # False: call check_integrity() before showing data


@dataclass(frozen=True)
class Counts:
    deals: int  # every deal, closed ones too
    open_deals: int  # open on the sales side (what the board shows)
    leads: int  # open on the marketing side (what the Leads view ranks)
    reps: int


def default_database_path() -> Path:
    """The default SQLite file in the user's data folder (e.g. ~/.local/share/Funnelcast)."""
    return user_data_path("Funnelcast", appauthor=False) / "funnelcast.sqlite"


def _hide_password(url: str) -> str:
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, creds = head.partition("//")
    user = creds.split(":", 1)[0]
    return f"{scheme}//{user}:***@{tail}"


def open_workspace(target: str | Path | None = None, *, defer_check: bool = False) -> Workspace:
    """Open (creating if needed) the database at ``target`` and bring its schema up to date.

    A SQLite file is integrity-checked first: a damaged file raises :class:`DatabaseDamaged`
    listing its backups and is never opened. Before migrating a database that already has
    data, a backup is written beside it.

    ``defer_check`` lets the GUI put its window on screen before checking a large file
    (``quick_check`` reads every page: ~0.4 s at 250 MB). The caller must then run
    :func:`check_integrity` before it shows or changes any data; ``integrity_checked`` on
    the result says whether that is still to do. A file that needs migrating is always
    checked first, since migrating a damaged file could make things worse.
    """
    target = str(target) if target is not None else str(default_database_path())
    checked = True
    if not is_url(target):
        path = Path(target).expanduser()
        if path.is_dir():
            raise UsageError(f"{path} is a folder; give the path of a database file.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"Cannot create the folder for {path}: {exc.strerror}.") from exc
        if path.exists() and path.stat().st_size > 0:
            if defer_check and is_up_to_date(path):
                checked = False
            else:
                _raise_if_damaged(path)
        target = str(path)
    shown = _hide_password(target)
    try:
        db = make_database(target)
    except ValueError:
        raise UsageError(
            f"{shown} is not a database Funnelcast can use: give a file path or a "
            "postgresql://user:password@host/name URL."
        ) from None
    bind(db)
    try:
        db.connect(reuse_if_open=True)
    except Exception as exc:  # peewee wraps driver errors in many classes
        hint = (" Install PostgreSQL support with: .venv/bin/pip install -e '.[postgres]'."
                if "driver not found" in str(exc) else "")
        reason = str(exc).strip().rstrip(".")
        raise UsageError(f"Cannot open the database {shown}: {reason}.{hint}") from exc
    before = current_version(db)
    taken = None
    todo = pending(db)
    if todo:
        path = sqlite_path()
        if before > 0 and path is not None:
            taken = backup.write_backup(path, f"before-v{latest_version()}")
        migrate(db)
    return Workspace(
        location=shown,
        is_file=not is_url(target),
        schema_version=current_version(db),
        migrated_from=before if todo else None,
        backup=taken,
        integrity_checked=checked,
    )


def _raise_if_damaged(path: Path) -> None:
    problem = backup.quick_check(path)
    if problem is None:
        return
    backups = backup.list_backups(path)
    if "not a database" in problem and not backups:
        # Never ours (no backups beside it): most likely a wrong path, not damage.
        raise UsageError(f"{path} is not a Funnelcast database (not SQLite at all); check the "
                         "path, or give a new file name to start a new database.")
    raise DatabaseDamaged(path, problem, backups)


def check_integrity() -> None:
    """``PRAGMA quick_check`` on the open SQLite file; raises :class:`DatabaseDamaged`."""
    path = sqlite_path()
    if path is not None:
        _raise_if_damaged(path)


@dataclass(frozen=True)
class StartState:
    first_run: bool  # nobody in the database yet: welcome first
    actor: RepInfo | None  # --as NAME, else the current user in the settings


def start_state(acting_user: str | None) -> StartState:
    """What the GUI needs before its window: first run or not, and who is acting.

    These are the first reads of a database whose check may be deferred; if they fail
    because the file is damaged, the check runs now and raises :class:`DatabaseDamaged`.
    """
    try:
        if needs_first_run():
            return StartState(True, None)
        return StartState(False, resolve_actor(acting_user))
    except DatabaseError:
        check_integrity()
        raise


def close_workspace() -> None:
    wait_for_checkpoints()
    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()


def needs_first_run() -> bool:
    """True on a database with nobody in it yet: the welcome dialog (or ``demo``) comes first."""
    return not Rep.select().exists()


def start_empty(manager_name: str, email: str = "") -> RepInfo:
    """First run without demo data: the default pipeline, and the user as its manager."""
    install_default_pipeline()
    manager = create_rep(manager_name, email, role="manager")
    settings.put("current_user", manager.name)
    return manager


def counts() -> Counts:
    """Figures for the status bar; indexed counts, cheap on 100k deals."""
    by_side = dict(
        Deal.select(Stage.side, fn.COUNT(Deal.id))
        .join(Stage)
        .where(Stage.outcome == "open")
        .group_by(Stage.side)
        .tuples()
    )
    return Counts(
        deals=Deal.select().count(),
        open_deals=by_side.get("sales", 0),
        leads=by_side.get("marketing", 0),
        reps=Rep.select().where(Rep.active == True).count(),
    )


def _database_file() -> Path:
    path = sqlite_path()
    if path is None:
        raise UsageError("Backups of a server database are made with the server's own tools.")
    return path


def backup_now(reason: str = "manual") -> Path:
    """Write a backup of the open SQLite database and return its path."""
    return backup.write_backup(_database_file(), reason)


def backup_if_file(reason: str) -> Path | None:
    """Before a write that takes back a user's work: a backup of the open SQLite database
    (its path), or None on a server database, which is backed up with the server's own
    tools (and must not make the write fail)."""
    path = sqlite_path()
    return None if path is None else backup.write_backup(path, reason)


def start_backup(reason: str) -> backup.PendingBackup:
    """Start a backup of the open SQLite database on a thread of its own; the caller keeps
    or discards it (:class:`db.backup.PendingBackup`). Raises UsageError on a server
    database."""
    return backup.PendingBackup(_database_file(), reason)


def restore_backup(db_path: Path, chosen: Path) -> None:
    """Put ``chosen`` in place of a damaged ``db_path`` (kept as ``*.damaged``), then it can be
    opened with :func:`open_workspace`. Nothing may hold the database open."""
    close_workspace()
    backup.restore_backup(chosen, db_path)
