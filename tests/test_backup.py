"""Backups are consistent copies, pruned to ten; a damaged database is never opened."""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import datetime, timedelta

import pytest

from app.errors import DatabaseBusy, DatabaseDamaged, UsageError
from app.workspace import backup_now, close_workspace, open_workspace, restore_backup, start_empty
from db import backup

pytestmark = pytest.mark.sqlite_only  # backups are copies of a SQLite file


def test_a_backup_is_a_readable_copy_with_the_data(manager, db_path):
    written = backup_now("before-import")
    assert written.parent == backup.backup_folder(db_path)
    with sqlite3.connect(written) as copy:
        names = [r[0] for r in copy.execute("SELECT name FROM rep")]
        assert names == ["Maria Manager"]
        assert copy.execute("PRAGMA quick_check").fetchone()[0] == "ok"


def test_only_the_newest_ten_backups_are_kept(manager, db_path):
    start = datetime(2026, 1, 1, 9, 0)
    written = [
        backup.write_backup(db_path, "test", now=start + timedelta(minutes=i)) for i in range(13)
    ]
    kept = backup.list_backups(db_path)
    assert len(kept) == backup.KEEP_BACKUPS
    assert kept[0] == written[-1]
    assert not written[0].exists() and not written[2].exists()


def _damage(path):
    with open(path, "r+b") as handle:
        handle.seek(4096)  # a page past the header: SQLite notices on quick_check
        handle.write(b"\xff" * 4096 * 3)


def test_a_damaged_database_is_reported_with_its_newest_backup(tmp_path):
    path = tmp_path / "team.sqlite"
    open_workspace(path)
    start_empty("Maria Manager")
    good = backup_now("nightly")
    close_workspace()
    _damage(path)

    with pytest.raises(DatabaseDamaged) as caught:
        open_workspace(path)
    assert caught.value.backups[0] == good
    assert good.name in str(caught.value)

    restore_backup(path, good)
    open_workspace(path)
    try:
        from app.users import list_reps

        assert [r.name for r in list_reps()] == ["Maria Manager"]
        assert path.with_name("team.sqlite.damaged").exists()
    finally:
        close_workspace()


def test_a_file_that_is_not_a_database_is_refused_as_a_wrong_path(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("these are my notes, not a database\n" * 200)
    with pytest.raises(UsageError, match="is not a Funnelcast database"):
        open_workspace(path)
    assert path.read_text().startswith("these are my notes")  # untouched


def test_a_path_with_percent_and_question_marks_is_not_mistaken_for_damage(tmp_path):
    folder = tmp_path / "Q3 100% done?"
    folder.mkdir()
    path = folder / "team.sqlite"
    open_workspace(path)
    start_empty("Maria Manager")
    close_workspace()
    assert backup.quick_check(path) is None
    open_workspace(path)  # and opens again without a false alarm
    close_workspace()


def test_restoring_keeps_the_damaged_files_log_beside_it(tmp_path):
    path = tmp_path / "team.sqlite"
    open_workspace(path)
    start_empty("Maria Manager")
    good = backup_now("nightly")
    close_workspace()
    _damage(path)
    (tmp_path / "team.sqlite-wal").write_bytes(b"recent transactions")
    restore_backup(path, good)
    assert (tmp_path / "team.sqlite.damaged-wal").read_bytes() == b"recent transactions"


def test_a_restore_that_cannot_copy_the_backup_leaves_the_damaged_file_in_place(tmp_path):
    """The damaged file used to be moved aside before the copy: a backup that could not be
    read left no database at all, and the next start made a new, empty one."""
    path = tmp_path / "team.sqlite"
    open_workspace(path)
    start_empty("Maria Manager")
    close_workspace()
    _damage(path)
    damaged = path.read_bytes()
    unreadable = tmp_path / "team-backups" / "folder.sqlite"
    unreadable.mkdir(parents=True)  # not a file: reading it fails
    with pytest.raises(UsageError, match=r"Cannot restore the database .* Nothing was changed"):
        restore_backup(path, unreadable)
    assert path.read_bytes() == damaged
    assert not [p.name for p in tmp_path.iterdir() if "damaged" in p.name or "restoring" in p.name]


def test_a_second_restore_keeps_the_first_damaged_file(tmp_path):
    path = tmp_path / "team.sqlite"
    open_workspace(path)
    start_empty("Maria Manager")
    good = backup_now("nightly")
    close_workspace()
    for _ in range(2):
        _damage(path)
        restore_backup(path, good)
    assert path.with_name("team.sqlite.damaged").exists()
    assert path.with_name("team.sqlite.damaged.2").exists()


def _reps(path) -> list[str]:
    with sqlite3.connect(path) as con:
        names = [r[0] for r in con.execute("SELECT name FROM rep ORDER BY name")]
    con.close()
    return names


def test_a_restore_never_replaces_a_healthy_database(tmp_path):
    path = tmp_path / "team.sqlite"
    open_workspace(path)
    start_empty("Maria Manager")
    older = backup_now("nightly")
    from app.users import create_rep

    create_rep("Newer Rep", "", role="rep")  # in the live file only
    close_workspace()

    with pytest.raises(UsageError) as caught:
        restore_backup(path, older)
    assert str(caught.value) == (
        f"The database {path} passes its integrity check, so it was not replaced by the older "
        f"backup {older.name}. Nothing was changed.")
    with pytest.raises(backup.NotDamaged):  # the file-level function refuses on its own
        backup.restore_backup(older, path)
    assert _reps(path) == ["Maria Manager", "Newer Rep"]
    assert not path.with_name("team.sqlite.damaged").exists()


def test_a_restore_never_replaces_a_database_another_program_holds(
    tmp_path, short_busy_timeout, lock_holder
):
    path = tmp_path / "team.sqlite"
    open_workspace(path)
    start_empty("Maria Manager")
    older = backup_now("nightly")
    close_workspace()
    lock_holder(path, exclusive=True)
    with pytest.raises(DatabaseBusy):
        restore_backup(path, older)
    assert not path.with_name("team.sqlite.damaged").exists()
    assert not path.with_name("team.sqlite.restoring").exists()


def _leftover(db_path, name: str, age_seconds: float):
    """A ``.partial`` copy as a killed backup leaves it: full size, ``age_seconds`` old."""
    partial = backup.backup_folder(db_path) / f"{db_path.stem}-{name}.partial"
    partial.parent.mkdir(exist_ok=True)
    with sqlite3.connect(db_path) as con:
        con.execute("VACUUM INTO ?", (str(partial),))
    con.close()
    then = time.time() - age_seconds
    os.utime(partial, (then, then))
    return partial


def test_partial_copies_left_by_killed_backups_are_removed_at_the_next_backup(manager, db_path):
    orphans = [_leftover(db_path, f"2026010{i}-before-import", 3600 * (i + 1)) for i in range(3)]
    being_written = _leftover(db_path, "20261204-before-import", 5)  # another process, now
    backup_now("manual")
    assert [p.exists() for p in orphans] == [False, False, False]
    assert being_written.exists()
    assert len(backup.list_backups(db_path)) == 1  # partials never count as backups


def test_partial_copies_left_by_killed_backups_are_removed_at_the_next_start(tmp_path):
    path = tmp_path / "team.sqlite"
    open_workspace(path)
    start_empty("Maria Manager")
    close_workspace()
    orphan = _leftover(path, "20260101-before-import", backup.LEFTOVER_AGE_SECONDS + 60)
    being_written = _leftover(path, "20261204-before-import", 5)
    open_workspace(path)
    close_workspace()
    assert not orphan.exists() and being_written.exists()
