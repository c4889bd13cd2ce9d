"""Opening databases and the first-run state."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from app import workspace
from app.errors import DatabaseBusy, DatabaseDamaged, NewerDatabase, UsageError
from app.pipeline import list_stages
from db.migrations import latest_version

ROOT = Path(__file__).resolve().parent.parent


def test_a_new_database_needs_the_first_run(workspace):
    from app.workspace import needs_first_run

    assert needs_first_run()


def test_starting_empty_installs_the_default_pipeline_and_a_manager(manager):
    stages = list_stages()
    assert [s.name for s in stages][:3] == ["Suspect", "Nurturing", "Sales-ready lead"]
    assert sum(s.outcome == "won" for s in stages) == 1
    assert sum(s.outcome == "lost" for s in stages) >= 1
    assert {s.side for s in stages if s.position < 2} == {"marketing"}
    assert manager.is_manager
    from app.users import current_user

    assert current_user() == manager
    assert not workspace.needs_first_run()


@pytest.mark.usefixtures("workspace")  # opened on both backends; the name is the module's here
def test_a_team_whose_reps_an_import_made_gets_its_manager(tmp_path):
    """On SQLite and PostgreSQL: the start-up state asks for the manager, and naming one who
    is among the reps (deactivated meanwhile) promotes that rep rather than refusing."""
    from app.importing import ImportOptions, run_import
    from app.users import find_rep, has_manager
    from db.models import Rep

    path = tmp_path / "deals.csv"
    path.write_text("Title,Company,Owner\nRoof,Acme,Ravi Rep\n", encoding="utf-8")
    run_import(path, ImportOptions(), None)
    state = workspace.start_state(None)
    assert (state.first_run, state.needs_manager, state.actor) == (False, True, None)
    Rep.update(active=False).where(Rep.name == "Ravi Rep").execute()

    done = workspace.initialise("RAVI REP")
    assert not done.pipeline_set_up and len(list_stages()) == 9
    ravi = find_rep("Ravi Rep")
    assert done.manager == ravi and ravi.is_manager and ravi.active
    assert has_manager() and Rep.select().count() == 1
    assert workspace.start_state(None) == workspace.StartState(False, ravi, False)


def test_counts_for_the_status_bar(manager, stages):
    from app.deals import DealDraft, create_deal
    from app.pipeline import move_deal

    first = create_deal(DealDraft(title="A"), manager)
    create_deal(DealDraft(title="B"), manager)
    move_deal(first.id, stages["Lost"].id, manager, lost_reason="No budget")
    create_deal(DealDraft(title="C", stage_id=stages["Qualified"].id), manager)
    counts = workspace.counts()
    assert (counts.deals, counts.open_deals, counts.leads, counts.reps) == (3, 1, 1, 1)


def test_the_default_database_lives_in_the_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert workspace.default_database_path() == tmp_path / "Funnelcast" / "funnelcast.sqlite"


def test_a_folder_is_not_a_database(tmp_path):
    with pytest.raises(UsageError, match="is a folder"):
        workspace.open_workspace(tmp_path)


def test_a_url_password_is_never_shown():
    assert (
        workspace._hide_password("postgresql://sam:secret@db.local/sales")
        == "postgresql://sam:***@db.local/sales"
    )


def _made_with_a_manager(path: Path) -> None:
    workspace.open_workspace(path)
    workspace.start_empty("Maria Manager")
    workspace.close_workspace()


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("defer_check", [False, True])
def test_a_database_another_program_holds_locked_is_busy_not_damaged(
    tmp_path, short_busy_timeout, lock_holder, defer_check
):
    path = tmp_path / "team.sqlite"
    _made_with_a_manager(path)
    other = lock_holder(path, exclusive=True)

    with pytest.raises(DatabaseBusy) as caught:
        workspace.open_workspace(path, defer_check=defer_check)
    assert not isinstance(caught.value, DatabaseDamaged)
    assert caught.value.opening
    assert str(caught.value) == (
        f"Another program is using the database {path} and holds it locked, so Funnelcast "
        "cannot open it now. Nothing was changed. Close that program or wait for it to "
        "finish, then try again.")

    other.close()  # the other program is done: the same database opens, data intact
    workspace.open_workspace(path, defer_check=defer_check)
    try:
        workspace.check_integrity()
        assert not workspace.needs_first_run()
    finally:
        workspace.close_workspace()


# The command line, as a user who may read but not write what the test made. The tests run as
# root, which file permissions do not stop, so the child then gives up root for ``nobody``
# after start-up (the interpreter's own folder may be closed to ``nobody``, hence what the
# command imports when it runs is imported first).
_AS_ANOTHER_USER = """
import os, sys
import traceback
import app.crash_log, app.demo, app.users, app.workspace, cli.context
from cli.main import build_parser, main
build_parser()
if os.geteuid() == 0:
    os.setgroups([]); os.setgid(65534); os.setuid(65534)
sys.exit(main(sys.argv[1:]))
"""


def _run_as_another_user(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", _AS_ANOTHER_USER, *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


@pytest.mark.parametrize("blocked", ["folder", "file"])
def test_a_database_the_user_cannot_write_is_refused_and_left_untouched(blocked):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        path = folder / "team.sqlite"
        _made_with_a_manager(path)
        if blocked == "file":
            folder.chmod(0o1777)  # anyone may make files here, but not change this one
            path.chmod(0o444)
        else:
            path.chmod(0o666)  # the file may be changed, but no -wal or backup made beside it
            folder.chmod(0o555)
        before = _fingerprint(path)
        try:
            result = _run_as_another_user("--db", str(path), "demo")
        finally:
            folder.chmod(0o700)
            path.chmod(0o644)
        what = f"the folder it is in ({folder})" if blocked == "folder" else f"the file ({path})"
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip() == (
            f"funnelcast: The database {path} cannot be changed: you are not allowed to write "
            f"to {what}. Nothing was opened or changed. Ask whoever manages that folder to let "
            "you write to it, or copy the database into a folder of your own and open the copy."
        )
        assert "damaged" not in result.stderr
        assert _fingerprint(path) == before
        assert sorted(p.name for p in folder.iterdir()) == ["team.sqlite"]


def test_a_database_from_a_newer_funnelcast_is_refused_untouched(tmp_path):
    path = tmp_path / "team.sqlite"
    _made_with_a_manager(path)
    newer = latest_version() + 1
    with sqlite3.connect(path) as other:
        other.execute("INSERT INTO schema_version VALUES (?, '2030-01-01')", (newer,))
        other.execute("CREATE TABLE from_the_future (x)")
    other.close()
    before = _fingerprint(path)

    for defer_check in (False, True):
        with pytest.raises(NewerDatabase) as caught:
            workspace.open_workspace(path, defer_check=defer_check)
        assert str(caught.value) == (
            f"The database {path} was written by a newer version of Funnelcast (its schema is "
            f"version {newer}; this version knows up to {latest_version()}). It was not opened "
            "and nothing in it was changed. Install the newer Funnelcast to open it.")
    assert _fingerprint(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.sqlite"]  # no backup, no log


def test_a_new_database_in_a_folder_the_user_cannot_write_is_refused():
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        folder.chmod(0o555)
        try:
            result = _run_as_another_user("--db", str(folder / "new.sqlite"), "demo")
        finally:
            folder.chmod(0o700)
        assert result.returncode == 2
        assert result.stderr.strip() == (
            f"funnelcast: Cannot create the database {folder / 'new.sqlite'}: you are not "
            f"allowed to write to the folder {folder}. Choose a folder of your own.")
        assert list(folder.iterdir()) == []


def damaged_past_what_opening_reads(path: Path) -> None:
    """A team's file whose pages past the ones opening reads are overwritten: it opens and
    its team can be read, but ``quick_check`` finds the damage."""
    _made_with_a_manager(path)
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE filler (x)")
        other.executemany("INSERT INTO filler VALUES (?)", [("x" * 1000,)] * 2000)
    other.close()
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 2 // 4096 * 4096)
        handle.write(b"\xff" * 4096 * 4)


def test_damage_found_in_the_background_refuses_every_write_and_is_told(tmp_path):
    """The GUI opens without waiting for the check: the team is read at once, but nothing is
    written to a damaged file, and the front end hears what was found."""
    path = tmp_path / "team.sqlite"
    damaged_past_what_opening_reads(path)
    opened = workspace.open_workspace(path, defer_check=True)
    try:
        assert not opened.integrity_checked
        assert workspace.start_state(None).actor.name == "Maria Manager"  # read at once
        told = []
        workspace.when_checked(told.append)
        with pytest.raises(DatabaseDamaged) as refused:
            workspace.start_empty("Someone Else")
        assert str(refused.value).startswith(f"The database {path} is damaged")
        assert len(told) == 1 and isinstance(told[0], DatabaseDamaged)
        with pytest.raises(DatabaseDamaged):
            workspace.check_integrity()
    finally:
        workspace.close_workspace()
    from app.users import list_reps

    workspace.open_workspace(path, defer_check=True)  # refused again, nothing was added
    try:
        assert [rep.name for rep in list_reps()] == ["Maria Manager"]
    finally:
        workspace.close_workspace()


def test_a_write_waits_for_the_background_check_then_goes_ahead(tmp_path, monkeypatch):
    """The check is held until the test lets it go: a write asked for meanwhile is held by
    it (the test hears it arrive there, or hears it written if nothing held it), and is
    written only after the check has passed."""
    import threading

    from app.users import set_current_user
    from db import backup

    path = tmp_path / "team.sqlite"
    _made_with_a_manager(path)
    release, arrived, events = threading.Event(), threading.Event(), []
    real_check, real_wait = backup.quick_check, workspace._BackgroundCheck.wait

    def held_check(file):
        release.wait(10)
        events.append("checked")
        return real_check(file)

    def waiting(check):
        events.append("held")
        arrived.set()
        real_wait(check)

    monkeypatch.setattr(backup, "quick_check", held_check)
    monkeypatch.setattr(workspace._BackgroundCheck, "wait", waiting)
    workspace.open_workspace(path, defer_check=True)

    def write():
        set_current_user("Maria Manager")
        events.append("written")
        arrived.set()

    writer = threading.Thread(target=write)
    try:
        writer.start()
        assert arrived.wait(10)
        assert events == ["held"]  # not ["written"]: the writer waits for the check
        release.set()
        writer.join(10)
        assert events == ["held", "checked", "written"]
    finally:
        release.set()
        writer.join(10)
        workspace.close_workspace()


@pytest.fixture
def held_checks(monkeypatch):
    """The background check of a file the test names is held until the test releases it
    (the checks of other files run at once)."""
    import threading

    from db import backup

    held: dict[Path, threading.Event] = {}
    real_check = backup.quick_check

    def quick_check(file):
        release = held.get(Path(file))
        if release is not None:
            release.wait(10)
        return real_check(file)

    monkeypatch.setattr(backup, "quick_check", quick_check)
    yield lambda path: held.setdefault(path, threading.Event())
    for release in held.values():
        release.set()


def test_opening_another_database_stops_the_check_of_the_one_before(tmp_path, held_checks):
    """File → Open recent while the first file is still being checked: the second file's
    writes go ahead at once, and its outcome is its own, not the first file's."""
    import threading

    from app.users import set_current_user

    first, second = tmp_path / "first.sqlite", tmp_path / "second.sqlite"
    _made_with_a_manager(first)
    _made_with_a_manager(second)
    held_checks(first)
    workspace.open_workspace(first, defer_check=True)
    try:
        workspace.open_workspace(second)  # checked before it opens
        told = []
        workspace.when_checked(told.append)
        assert told == [None]
        written = threading.Event()
        writer = threading.Thread(target=lambda: (set_current_user("Maria Manager"),
                                                  written.set()))
        writer.start()
        assert written.wait(10)  # the first file's check, still held, holds nothing here
    finally:
        workspace.close_workspace()


def test_a_failed_switch_brings_back_the_check_of_the_database_kept(tmp_path, held_checks):
    """Opening another database fails after it was bound: the first file, still being
    checked, is the database again, its writes held by its check and refused when that
    finds damage, and the window that listened hears of it."""
    import threading

    first, second = tmp_path / "first.sqlite", tmp_path / "second.sqlite"
    damaged_past_what_opening_reads(first)
    _made_with_a_manager(second)
    release = held_checks(first)
    workspace.open_workspace(first, defer_check=True)
    told, heard = [], threading.Event()
    workspace.when_checked(lambda problem: (told.append(problem), heard.set()))
    try:
        with pytest.raises(UsageError, match="no team"), workspace.switching_database():
            workspace.open_workspace(second)
            raise UsageError("second.sqlite has no team set up yet.")
        release.set()
        with pytest.raises(DatabaseDamaged):
            workspace.start_empty("Someone Else")
        assert heard.wait(10)
        assert len(told) == 1 and isinstance(told[0], DatabaseDamaged)
    finally:
        workspace.close_workspace()
