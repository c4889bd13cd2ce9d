"""Consistent copies of a SQLite database, kept beside it, and the start-up integrity check."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import threading
import time
from datetime import datetime
from pathlib import Path

from db.connection import busy_timeout_seconds, is_busy

KEEP_BACKUPS = 10

# A copy being written touches its ``.partial`` file continuously and is filed within seconds
# of finishing (an import keeps it until its commit), so one untouched for this long was left
# by a copy that was killed or crashed, in this process or another.
LEFTOVER_AGE_SECONDS = 15 * 60

# SQLite's result codes (the low byte of an extended code) that mean "this is not a sound
# database file", as opposed to "cannot get at it now" (busy, permissions, I/O).
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


class DatabaseBusy(Exception):
    """Another connection (usually another program) holds the database locked."""


class NotDamaged(Exception):
    """A restore was refused: the file it would replace passes its integrity check."""


def backup_folder(db_path: Path) -> Path:
    """Where backups of ``db_path`` live: ``<name>-backups/`` in the same folder."""
    return db_path.with_name(f"{db_path.stem}-backups")


def list_backups(db_path: Path) -> list[Path]:
    """Backups of ``db_path``, newest first."""
    folder = backup_folder(db_path)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{db_path.stem}-*.sqlite"), key=lambda p: p.name, reverse=True)


class PendingBackup:
    """A backup being written on a thread of its own, so a long job (an import reading its
    file) need not wait for the copy: :meth:`wait` waits for it, :meth:`keep` then files it
    under its name, :meth:`discard` stops and deletes it without touching the backups
    already kept.

    The copy is made with ``VACUUM INTO`` on a connection of its own: a consistent snapshot of
    the last committed state, even while another connection writes (WAL mode), into a
    temporary name that is renamed only by :meth:`keep`, so a crash never leaves a
    half-written file under a backup's name.
    """

    def __init__(self, db_path: Path, reason: str, now: datetime | None = None):
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
        safe_reason = "".join(ch if ch.isalnum() else "-" for ch in reason)[:30] or "backup"
        folder = backup_folder(db_path)
        self._made_folder = not folder.is_dir()
        folder.mkdir(parents=True, exist_ok=True)
        remove_leftover_partials(db_path)
        self.db_path = db_path
        self.target = folder / f"{db_path.stem}-{stamp}-{safe_reason}.sqlite"
        self._partial = self.target.with_suffix(".partial")
        self._partial.unlink(missing_ok=True)
        self._error: BaseException | None = None
        # Opened here, used by the thread: discard() can interrupt it from this one.
        self._source = sqlite3.connect(db_path, check_same_thread=False)
        self._thread = threading.Thread(target=self._write, name="backup")
        self._thread.start()

    def _write(self) -> None:
        try:
            self._source.execute("VACUUM INTO ?", (str(self._partial),))
        except BaseException as exc:  # handed to wait(), on the caller's thread
            self._error = exc

    def wait(self) -> Path:
        """Wait for the copy and return the path :meth:`keep` will give it. Raises what the
        copy raised (a full disk: ``sqlite3.OperationalError``), the partial copy deleted."""
        self._thread.join()
        self._source.close()
        if self._error is not None:
            self._partial.unlink(missing_ok=True)
            raise self._error
        return self.target

    def keep(self) -> Path:
        """Wait for the copy, name it, keep only the newest :data:`KEEP_BACKUPS`, return its
        path."""
        self.wait()
        os.replace(self._partial, self.target)
        for old in list_backups(self.db_path)[KEEP_BACKUPS:]:
            old.unlink(missing_ok=True)
        return self.target

    def discard(self) -> None:
        """Stop the copy if it is still running, and delete it; the backups already kept are
        left alone. A backup folder this copy created is removed again when nothing else is
        in it, so a rejected import leaves no trace beside the database."""
        if self._thread.is_alive():
            self._source.interrupt()
        self._thread.join()
        self._source.close()
        self._partial.unlink(missing_ok=True)
        if self._made_folder:
            with contextlib.suppress(OSError):  # something was filed there meanwhile
                self._partial.parent.rmdir()


def remove_leftover_partials(db_path: Path) -> list[Path]:
    """Delete the ``.partial`` copies of ``db_path`` that a killed or crashed backup left in its
    backup folder (each is as large as the database, and is never a backup), and return them.

    A partial written right now by another process is left alone: only those untouched for
    :data:`LEFTOVER_AGE_SECONDS` are removed (see there for why that age is safe)."""
    folder = backup_folder(db_path)
    if not folder.is_dir():
        return []
    cutoff = time.time() - LEFTOVER_AGE_SECONDS
    removed = []
    for partial in folder.glob(f"{db_path.stem}-*.partial"):
        try:
            if partial.stat().st_mtime < cutoff:
                partial.unlink()
                removed.append(partial)
        except OSError:
            pass  # gone already, or not ours to delete: the next start tries again
    return removed


def write_backup(db_path: Path, reason: str, *, now: datetime | None = None) -> Path:
    """Copy ``db_path`` to a timestamped file (see :class:`PendingBackup`), keep only the
    newest :data:`KEEP_BACKUPS`, and return the copy's path."""
    return PendingBackup(db_path, reason, now).keep()


def read_only_uri(db_path: Path) -> str:
    """A ``file:`` URI that opens ``db_path`` read-only; escaped, so a path holding ``%``,
    ``?`` or ``#`` names the same file."""
    return f"{db_path.resolve().as_uri()}?mode=ro"


def quick_check(db_path: Path) -> str | None:
    """Run ``PRAGMA quick_check`` on a read-only connection of its own.

    Returns None when the file is sound, else the damage SQLite reports: the check's first
    complaint, or "file is not a database" / "database disk image is malformed" when SQLite
    cannot even read it as a database. Only those are damage. A file another program holds
    locked (past the busy timeout) raises :class:`DatabaseBusy`; any other failure to get at
    the file (permissions, a missing folder, an I/O error) raises the ``sqlite3.Error``: it
    says nothing about the file's health.
    """
    try:
        con = sqlite3.connect(read_only_uri(db_path), uri=True, timeout=busy_timeout_seconds())
        try:
            rows = con.execute("PRAGMA quick_check(1)").fetchall()
        finally:
            con.close()
    except sqlite3.Error as exc:
        if is_busy(exc):
            raise DatabaseBusy(str(exc)) from exc
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
            return str(exc)
        raise
    first = rows[0][0] if rows else "no answer"
    return None if first == "ok" else first


def restore_backup(backup: Path, db_path: Path) -> None:
    """Replace a damaged ``db_path`` with ``backup``; the damaged file is kept as ``*.damaged``
    with its write-ahead log beside it (``*.damaged-wal``: its newest transactions may be
    there).

    Only damage justifies throwing away newer data: a file that passes ``quick_check``
    raises :class:`NotDamaged`, one another program holds locked :class:`DatabaseBusy`, one
    that cannot be read for another reason its ``sqlite3.Error``; in each case nothing is
    touched. A missing ``db_path`` is simply restored. The caller must have closed every
    connection to ``db_path`` first.
    """
    if db_path.exists() and quick_check(db_path) is None:
        raise NotDamaged(str(db_path))
    # The copy is made and flushed first, beside the database: if it fails (an unreadable
    # backup, a full disk) the damaged file is still where it was, never nothing at all.
    partial = db_path.with_name(db_path.name + ".restoring")
    try:
        with backup.open("rb") as source, partial.open("wb") as target:
            shutil.copyfileobj(source, target)
            target.flush()
            os.fsync(target.fileno())
    except OSError:
        partial.unlink(missing_ok=True)
        raise
    kept = _unused(db_path.with_name(db_path.name + ".damaged"))
    for suffix in ("-wal", "-shm"):
        log = Path(f"{db_path}{suffix}")
        if log.exists():
            os.replace(log, Path(f"{kept}{suffix}"))
    if db_path.exists():
        os.replace(db_path, kept)
    os.replace(partial, db_path)


def _unused(path: Path) -> Path:
    """``path``, or ``path.2``, ``path.3`` … : an earlier restore's damaged file is kept too."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}.{n}")
    return candidate
