"""The database connection: one proxy, initialised at start-up from a path or a URL.

Peewee keeps one connection per thread, so a worker thread that touches the models gets its
own connection; it should call :func:`close_thread_connection` when its job ends.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from peewee import Database, DatabaseProxy, PostgresqlDatabase, SqliteDatabase

database = DatabaseProxy()

# WAL lets the GUI read while a worker writes; synchronous=FULL makes a committed change
# survive a power cut (~0.4 ms a commit); busy_timeout waits for a competing writer instead of
# failing at once; foreign_keys makes SQLite enforce the references the models declare.
BUSY_TIMEOUT_MS = 5000
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_MS,
    "synchronous": "full",
    "cache_size": -32_000,  # 32 MB page cache
}


def busy_timeout_seconds() -> float:
    """How long a connection waits for another one's lock before giving up (the
    ``busy_timeout`` above), for connections opened without those pragmas."""
    return BUSY_TIMEOUT_MS / 1000


# SQLite's SQLITE_BUSY and SQLITE_LOCKED (the low byte of an extended result code).
_BUSY_CODES = (5, 6)


def is_busy(error: BaseException) -> bool:
    """True when ``error`` means another connection held the database locked past the busy
    timeout ("database is locked"), as sqlite3 raises it or as peewee re-raises it (peewee
    wraps the driver's exception: as its first argument, or as the exception it was raised
    while handling)."""
    for candidate in (error, *error.args[:1], error.__cause__, error.__context__):
        if isinstance(candidate, sqlite3.Error):
            return getattr(candidate, "sqlite_errorcode", 0) & 0xFF in _BUSY_CODES
    return False


def is_url(target: str) -> bool:
    """True when ``target`` names a server database (``postgresql://...``), not a file."""
    return "://" in target


def make_database(target: str) -> Database:
    """Build (without connecting) a database for a SQLite path or a PostgreSQL URL."""
    if is_url(target):
        from playhouse.db_url import connect as connect_url

        db = connect_url(target, autoconnect=True)
        if not isinstance(db, PostgresqlDatabase):
            raise ValueError("only postgresql:// URLs are supported")
        return db
    db = SqliteDatabase(str(Path(target)), pragmas=SQLITE_PRAGMAS, autoconnect=True,
                        timeout=busy_timeout_seconds())
    db.register_function(_unicode_lower, "unicode_lower", 1, deterministic=True)
    return db


def _unicode_lower(text: object) -> object:
    """SQL ``unicode_lower(x)`` on SQLite: Python's ``str.lower``, since SQLite's own
    ``lower()`` and ``LIKE`` fold ASCII letters alone (PostgreSQL's fold every letter)."""
    return text.lower() if isinstance(text, str) else text


def bind(db: Database) -> None:
    """Point every model at ``db``."""
    if database.obj is not None and database.obj is not db and not database.obj.is_closed():
        database.obj.close()
    database.initialize(db)


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


def sqlite_path() -> Path | None:
    """The file behind the current database, or None for a server database."""
    return Path(database.obj.database) if is_sqlite() else None


def data_version() -> int | None:
    """SQLite's ``PRAGMA data_version`` on this thread's connection: it changes whenever
    another connection commits (and also when one truncates the write-ahead log), so two
    equal readings mean nobody else wrote in between. None on a server database."""
    if not is_sqlite():
        return None
    return database.obj.execute_sql("PRAGMA data_version").fetchone()[0]


_write_checks: dict[str, Callable[[], None]] = {}


def set_write_check(check: Callable[[], None] | None, purpose: str = "thread") -> None:
    """Install ``check`` under ``purpose`` (replacing the check installed under it; None
    removes it). Every check installed is called whenever :func:`writing` begins a write
    transaction; one raises to refuse the write, or blocks until it may go ahead. The GUI
    installs one that refuses on its event-loop thread ("thread": a write there could freeze
    the window behind another writer's lock); :mod:`app.workspace` one that holds writes
    until the integrity check running in the background has passed ("integrity")."""
    if check is None:
        _write_checks.pop(purpose, None)
    else:
        _write_checks[purpose] = check


def writing() -> AbstractContextManager:
    """A write transaction (every write in ``app`` begins here; see :func:`set_write_check`).

    On SQLite it starts ``BEGIN IMMEDIATE`` so the write lock is taken up front: a read that
    later upgrades to a write could otherwise fail with "database is locked" mid-transaction.
    Nested calls become savepoints.
    """
    for check in tuple(_write_checks.values()):
        check()
    if is_sqlite() and database.obj.transaction_depth() == 0:
        return database.atomic("IMMEDIATE")
    return database.atomic()


def lock_for_writing(*models) -> None:
    """Inside a write transaction: keep every other writer out of ``models``' tables until
    the transaction ends, so what it reads there stays true until it commits. Readers are
    never held up.

    On SQLite, :func:`writing` began the transaction with ``BEGIN IMMEDIATE``, which already
    holds the database's one write lock: nothing to do. On PostgreSQL each table is locked
    ``IN SHARE ROW EXCLUSIVE MODE``: that mode conflicts with itself and with the lock every
    INSERT, UPDATE and DELETE takes, but not with a SELECT's; a competing writer waits for
    the commit (or the rollback). Tables are locked in the order given: pass them in the
    same order everywhere (deals first) so two such transactions cannot deadlock."""
    if is_sqlite() or not models:
        return
    names = ", ".join(f'"{model._meta.table_name}"' for model in models)
    database.obj.execute_sql(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")


def close_thread_connection() -> None:
    """Close this thread's connection (workers call this when their job ends)."""
    if database.obj is not None and not database.obj.is_closed():
        database.obj.close()
