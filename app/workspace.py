"""Opening a database: integrity check, backup before migrating, migrations, first-run state.

Both front ends call :func:`open_workspace` first; nothing else touches a database that has
not been through it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from peewee import Database, DatabaseError, SqliteDatabase, fn
from platformdirs import user_data_path

from app.defaults import install_default_pipeline
from app.errors import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseReadOnly,
    FunnelcastError,
    NewerDatabase,
    UsageError,
    ValidationError,
)
from app.offline.copy_rules import is_working_copy
from app.users import RepInfo, appoint_manager, has_manager, list_reps, resolve_actor
from db import backup
from db.connection import (
    bind,
    database,
    is_busy,
    is_url,
    make_database,
    set_write_check,
    sqlite_path,
    writing,
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
    integrity_checked: bool = True  # False: checking in the background (when_checked)


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


def open_workspace(target: str | Path | None = None, *, defer_check: bool = False,
                   create: bool = True) -> Workspace:
    """Open (creating if needed) the database at ``target`` and bring its schema up to date.

    ``create=False`` is for a caller that only uses a database already there (a command
    that reads or changes one): a SQLite file that does not exist raises
    :class:`UsageError` and nothing is created, neither file nor folder, so a mistyped
    path is told as such instead of answering from a new, empty database.

    A SQLite file is integrity-checked first: a damaged file raises :class:`DatabaseDamaged`
    listing its backups and is never opened. Before migrating a database that already has
    data, a backup is written beside it. What is not damage is never reported as damage:
    a file another program holds locked raises :class:`DatabaseBusy` (``opening``), a file
    or folder this user cannot write :class:`DatabaseReadOnly`, and a database written by a
    newer Funnelcast :class:`NewerDatabase`; each before anything is written to it.

    ``defer_check`` lets the GUI show a large file's data at once: the check (``quick_check``
    reads every page: 1–1.75 s on the 100k-deal bench database) then runs in the background
    and only writes wait for it (see :class:`_BackgroundCheck` for why this and not a check
    after an unclean shutdown alone); ``integrity_checked`` on the result is False and
    :func:`when_checked` tells its outcome. A file that needs migrating is always checked
    first, since migrating a damaged file could make things worse.
    """
    target = str(target) if target is not None else str(default_database_path())
    try:
        return _open(target, defer_check, create)
    except FunnelcastError:
        raise
    except Exception as exc:
        if is_busy(exc):  # "database is locked" on any statement while opening
            raise DatabaseBusy(_hide_password(target), opening=True) from exc
        raise


def _open(target: str, defer_check: bool, create: bool) -> Workspace:
    checked = True
    if not is_url(target):
        path = Path(target).expanduser()
        if path.is_dir():
            raise UsageError(f"{path} is a folder; give the path of a database file.")
        if not create and not path.exists():
            raise UsageError(f"There is no database at {path}. Check the path, or create "
                             "one with init.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"Cannot create the folder for {path}: {exc.strerror}.") from exc
        _refuse_if_read_only(path)
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
    _bind(db)
    try:
        db.connect(reuse_if_open=True)
    except Exception as exc:  # peewee wraps driver errors in many classes
        if is_busy(exc):
            raise
        hint = (" Install PostgreSQL support with: .venv/bin/pip install -e '.[postgres]'."
                if "driver not found" in str(exc) else "")
        reason = str(exc).strip().rstrip(".")
        raise UsageError(f"Cannot open the database {shown}: {reason}.{hint}") from exc
    before = current_version(db)
    if before > latest_version():
        close_workspace()
        raise NewerDatabase(shown, before, latest_version())
    file = sqlite_path()
    if file is not None:
        backup.remove_leftover_partials(file)
    taken = None
    todo = pending(db)
    if todo:
        if before > 0 and file is not None:
            taken = backup.write_backup(file, f"before-v{latest_version()}")
        migrate(db)
    if not checked:  # opened, and not to be refused: now the file is read in the background
        _BackgroundCheck.start(Path(target))
    return Workspace(
        location=shown,
        is_file=not is_url(target),
        schema_version=current_version(db),
        migrated_from=before if todo else None,
        backup=taken,
        integrity_checked=checked,
    )


def _refuse_if_read_only(path: Path) -> None:
    """Refuse a database this user cannot change rather than open it read-only: everything
    Funnelcast does writes (who is using it, every edit, the backup before an import), and a
    window that loses each change at save time would cost the user work; a SQLite database
    in WAL mode cannot even be read where its ``-wal``/``-shm`` files cannot be made."""
    logs = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
    for candidate in (path, *logs):
        if candidate.exists() and not os.access(candidate, os.W_OK):
            raise DatabaseReadOnly(path, candidate)
    if not os.access(path.parent, os.W_OK):
        if not path.exists():
            raise UsageError(f"Cannot create the database {path}: you are not allowed to write "
                             f"to the folder {path.parent}. Choose a folder of your own.")
        raise DatabaseReadOnly(path, path.parent)


def _raise_if_damaged(path: Path) -> None:
    try:
        problem = backup.quick_check(path)
    except backup.DatabaseBusy as exc:
        raise DatabaseBusy(path, opening=True) from exc
    except sqlite3.Error as exc:  # not damage: the file could not be read at all
        reason = str(exc).strip().rstrip(".")
        raise UsageError(f"Cannot open the database {path}: {reason}.") from exc
    if problem is None:
        return
    backups = backup.list_backups(path)
    if "not a database" in problem and not backups:
        # Never ours (no backups beside it): most likely a wrong path, not damage.
        raise UsageError(f"{path} is not a Funnelcast database (not SQLite at all); check the "
                         "path, or give a new file name to start a new database.")
    raise DatabaseDamaged(path, problem, backups)


def check_integrity() -> None:
    """``PRAGMA quick_check`` on the open SQLite file; raises :class:`DatabaseDamaged`. While
    the check of :func:`open_workspace` runs in the background, waits for its outcome."""
    running = _BackgroundCheck.current
    if running is not None:
        running.wait()
        return
    path = sqlite_path()
    if path is not None:
        _raise_if_damaged(path)


def _bind(db: Database) -> None:
    """Make ``db`` the current database. The background check belongs to one file: binding
    any other database stops it, so that database's writes neither wait for nor are refused
    by what was found in the file before."""
    running = _BackgroundCheck.current
    if running is not None and not (isinstance(db, SqliteDatabase)
                                    and Path(db.database) == running.path):
        _BackgroundCheck.stop()
    bind(db)


class _BackgroundCheck:
    """The integrity check of a file opened with ``defer_check``, on a thread of its own.

    Why in the background, and not only after an unclean shutdown: SQLite survives a crash of
    the program (and, in WAL mode with full sync, a power cut); what damages a file is
    mostly what happens to it outside Funnelcast (a sync tool or a copy taken mid-write, a
    failing disk), which a clean-shutdown marker cannot see. So every start checks, and
    nothing waits for it but writes: reading a damaged file shows at worst wrong figures
    for a moment, writing to it could spread the damage.

    The check runs at the lowest priority the system gives a thread (Linux): on a busy
    machine it would otherwise take the processor from the window showing the data (0.3–0.5 s
    more to the board on the bench machine, shared by other jobs). While it runs, every
    write transaction waits for it (a write check, see
    :func:`db.connection.set_write_check`; at most the check's duration). Once it passes
    the write check goes and writes cost nothing more. When it finds damage (or cannot read
    the file) the check stays and refuses every write with what it found, the user's
    sentence, until the database is closed; :func:`when_checked` tells the front end, which
    offers the newest backup. A check stopped while running (another database was opened)
    tells nobody, unless :meth:`resume` makes it the current one again.
    """

    current: _BackgroundCheck | None = None

    def __init__(self, path: Path):
        self.path = path
        self.problem: FunnelcastError | None = None
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._listeners: list[Callable[[FunnelcastError | None], None]] = []
        self._thread = threading.Thread(target=self._run, name="integrity-check", daemon=True)

    @classmethod
    def start(cls, path: Path) -> None:
        cls.stop()
        check = cls.current = cls(path)
        set_write_check(check.wait, "integrity")
        check._thread.start()

    @classmethod
    def stop(cls) -> None:
        """Forget the check (closing the database) and lift its hold on writes. A check still
        running is left to end on its own, unheard: it reads through a read-only connection
        of its own and changes nothing, so quitting need not wait for it."""
        check = cls.current
        if check is None:
            set_write_check(None, "integrity")
            return
        with check._lock:
            cls.current = None
            set_write_check(None, "integrity")

    @classmethod
    def resume(cls, check: _BackgroundCheck) -> None:
        """Make ``check`` current again, its file being the database once more (a switch to
        another one failed): writes are held again unless it has passed meanwhile, and the
        listeners it had hear its outcome (now, if it is known)."""
        cls.stop()
        with check._lock:
            cls.current = check
            if not check._done.is_set():
                set_write_check(check.wait, "integrity")
                return
            if check.problem is not None:
                set_write_check(check.wait, "integrity")
            listeners, check._listeners = check._listeners, []
        for listener in listeners:
            listener(check.problem)

    def _run(self) -> None:
        if sys.platform.startswith("linux"):  # a thread's own niceness (Linux alone)
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        try:
            _raise_if_damaged(self.path)
        except FunnelcastError as problem:
            self.problem = problem
        except Exception as error:  # a bug: no write may go ahead on an unchecked file
            from app.crash_log import for_user

            self.problem = for_user(error)
        with self._lock:
            self._done.set()
            if _BackgroundCheck.current is not self:
                return  # stopped: its listeners hear the outcome only if it is resumed
            if self.problem is None:
                set_write_check(None, "integrity")
            listeners, self._listeners = self._listeners, []
        for listener in listeners:
            listener(self.problem)

    def wait(self) -> None:
        """Block until the check is done; raise what it found."""
        self._done.wait()
        if self.problem is not None:
            raise self.problem

    def when_done(self, listener: Callable[[FunnelcastError | None], None]) -> None:
        with self._lock:
            if not self._done.is_set():
                self._listeners.append(listener)
                return
        listener(self.problem)


def when_checked(listener: Callable[[FunnelcastError | None], None]) -> None:
    """Call ``listener(problem)`` once the background integrity check of the open database
    is done: None when it passed (or none was needed), else what it found (most often
    :class:`DatabaseDamaged`; writes are refused meanwhile). It is called on the check's own
    thread, or at once when the check is already done."""
    running = _BackgroundCheck.current
    if running is None:
        listener(None)
    else:
        running.when_done(listener)


@dataclass(frozen=True)
class StartState:
    first_run: bool  # nobody in the database yet: welcome first
    actor: RepInfo | None  # --as NAME, else the current user in the settings
    needs_manager: bool = False  # reps but no manager (an import made them): name one first


def start_state(acting_user: str | None) -> StartState:
    """What the GUI needs before its window: first run or not, whether the team still needs
    its manager named, and who is acting.

    These are the first reads of a database whose check may be deferred; if they fail
    because the file is damaged, the check runs now and raises :class:`DatabaseDamaged`.
    """
    try:
        if needs_first_run():
            return StartState(True, None)
        # A rep's working copy holds the rep alone: its manager is in the team's database.
        return StartState(False, resolve_actor(acting_user),
                          needs_manager=not has_manager() and not is_working_copy())
    except DatabaseError as exc:
        if is_busy(exc):
            raise DatabaseBusy(sqlite_path(), opening=True) from exc
        check_integrity()
        raise


@contextmanager
def switching_database() -> Iterator[None]:
    """For a window that opens another database in place of its own: when the block fails
    after it opened (bound) another one, the database open before is the current one
    again, so the window can carry on where it was, its background integrity check with it
    (still holding writes if it has not passed)."""
    previous, check = database.obj, _BackgroundCheck.current
    try:
        yield
    except BaseException:
        if previous is not None and database.obj is not previous:
            close_workspace()
            bind(previous)
            if check is not None:
                _BackgroundCheck.resume(check)
        raise


def close_workspace() -> None:
    _BackgroundCheck.stop()
    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()


def needs_first_run() -> bool:
    """True on a database with nobody in it yet: the welcome dialog (or ``demo``) comes first."""
    return not Rep.select().exists()


def is_blank() -> bool:
    """True on a database nothing has been put in yet: no stages, no reps, no deals."""
    return not (Stage.select().exists() or Rep.select().exists() or Deal.select().exists())


def start_empty(manager_name: str, email: str = "") -> RepInfo:
    """First run without demo data, or a team whose manager is still to be named: the
    default pipeline (unless the database has one: an import set it up) and the user as its
    manager and current user (:func:`app.users.appoint_manager`: a rep of that name is
    promoted). One transaction: a rejected name leaves the database as it was."""
    with writing():
        install_default_pipeline()
        return appoint_manager(manager_name, email)


@dataclass(frozen=True)
class Initialised:
    """What ``init`` did."""

    manager: RepInfo | None
    pipeline_set_up: bool  # False: the database had its pipeline, and gained its manager


def initialise(manager_name: str | None) -> Initialised:
    """The command line's ``init``: what the welcome dialog's "Start empty" does
    (:func:`start_empty`), or, without a manager's name, the default pipeline alone (the
    window then asks who manages it).

    A database that has its pipeline but no manager (an import into a new file set it up
    and made the file's owners reps) gains the named manager. Anything else that already
    has a pipeline is refused, and nothing changes."""
    with writing():
        stages = Stage.select().count()
        managers = [rep.name for rep in list_reps() if rep.is_manager]
        if stages and (manager_name is None or managers):
            if managers:
                held = f" and a manager ({', '.join(managers)})"
                hint = ""
            else:
                held = ""
                hint = " To name its manager, run init again with --manager NAME."
            raise ValidationError(f"This database already has a pipeline ({stages} stages)"
                                  f"{held}, so init changed nothing.{hint}")
        if manager_name is not None:
            return Initialised(start_empty(manager_name), pipeline_set_up=not stages)
        install_default_pipeline()
        return Initialised(None, pipeline_set_up=True)


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


# What the user is told when a change that backs a file up first runs on a server database.
SERVER_BACKUPS = ("No backup was taken: a server database is backed up with the server's own "
                  "tools.")


def backup_if_file(reason: str) -> Path | None:
    """:func:`backup_now` when the open database is a file; None on a server database, which
    Funnelcast does not copy (its own backups apply: :data:`SERVER_BACKUPS` says so). For a
    change made on either kind of database that is to be preceded by a backup where one can
    be taken (undoing an import)."""
    path = sqlite_path()
    return backup.write_backup(path, reason) if path is not None else None


def backup_note() -> str:
    """The sentence a confirmation ends with before a change that calls
    :func:`backup_if_file` first: what it will do about a backup on the open database."""
    if sqlite_path() is not None:
        return "A backup is taken first."
    return "Funnelcast takes no backup of a server database: the server's own backups apply."


def start_backup(reason: str) -> backup.PendingBackup:
    """Start a backup of the open SQLite database on a thread of its own; the caller keeps
    or discards it (:class:`db.backup.PendingBackup`). Raises UsageError on a server
    database."""
    return backup.PendingBackup(_database_file(), reason)


def restore_backup(db_path: Path, chosen: Path) -> None:
    """Put ``chosen`` in place of a damaged ``db_path`` (kept as ``*.damaged``), then it can be
    opened with :func:`open_workspace`. Nothing may hold the database open.

    Refused, with nothing touched, unless ``db_path`` really is damaged (see
    :func:`db.backup.restore_backup`): a healthy file raises UsageError, a locked one
    :class:`DatabaseBusy`."""
    close_workspace()
    try:
        backup.restore_backup(chosen, db_path)
    except backup.NotDamaged:
        raise UsageError(
            f"The database {db_path} passes its integrity check, so it was not replaced by the "
            f"older backup {chosen.name}. Nothing was changed."
        ) from None
    except backup.DatabaseBusy as exc:
        raise DatabaseBusy(db_path, opening=True) from exc
    except sqlite3.Error as exc:
        reason = str(exc).strip().rstrip(".")
        raise UsageError(f"Cannot restore the database {db_path}: {reason}. Nothing was "
                         "changed.") from exc
    except OSError as exc:
        raise UsageError(f"Cannot restore the database {db_path} from {chosen.name}: "
                         f"{exc.strerror or exc}. Nothing was changed.") from exc
