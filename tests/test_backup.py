"""Backups are consistent copies, pruned to ten; a damaged database is never opened."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from app.errors import DatabaseDamaged, UsageError
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
    (tmp_path / "team.sqlite-wal").write_bytes(b"recent transactions")
    restore_backup(path, good)
    assert (tmp_path / "team.sqlite.damaged-wal").read_bytes() == b"recent transactions"
