"""The command line as a user runs it: real processes, real databases, exit codes 0/1/2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.commands import COMMANDS

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True, text=True, timeout=120, env=env, cwd=ROOT,
    )


def test_demo_fills_an_empty_database_once(db_target):
    db = db_target
    first = run("--db", db, "--json", "demo")
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["deals"] >= 300

    again = run("--db", db, "demo")
    assert again.returncode == 1
    assert "already holds deals" in again.stderr
    assert "Traceback" not in again.stderr


def test_an_unknown_acting_user_is_rejected_by_name(db_target):
    db = db_target
    assert run("--db", db, "demo").returncode == 0
    result = run("--db", db, "--as", "Nobody Known", "demo")
    assert result.returncode == 1
    assert "no rep called 'Nobody Known'" in result.stderr


def test_a_folder_given_as_database_is_a_usage_error(tmp_path):
    result = run("--db", str(tmp_path), "demo")
    assert result.returncode == 2
    assert "is a folder" in result.stderr and "Traceback" not in result.stderr


# The arguments each command needs to get as far as opening the database.
ARGUMENTS = {"export": ["pipeline.xlsx"], "quota": ["list"], "report": ["funnel"]}


def test_only_init_demo_and_import_create_a_database():
    from cli.commands import COMMANDS

    assert {m.NAME for m in COMMANDS if m.CREATES_DATABASE} == {"init", "demo", "import"}


@pytest.mark.parametrize("command", [m.NAME for m in COMMANDS if not m.CREATES_DATABASE])
def test_a_mistyped_database_path_is_refused_and_nothing_created(
        command, tmp_path, capsys, monkeypatch):
    # "quota list" given a typo made the folders and an empty database and answered
    # "No quota is set", as if the team had none.
    from cli.main import main

    monkeypatch.chdir(tmp_path)  # where export would write its workbook
    typo = tmp_path / "Funnelcats" / "team.sqlite"
    assert main(["--db", str(typo), command, *ARGUMENTS.get(command, [])]) == 2
    assert capsys.readouterr().err.strip() == (
        f"funnelcast: There is no database at {typo}. Check the path, or create one "
        "with init.")
    assert list(tmp_path.iterdir()) == []


def test_a_command_that_sets_a_database_up_still_creates_it(tmp_path):
    db = tmp_path / "new" / "team.sqlite"
    result = run("--db", str(db), "init")
    assert result.returncode == 0, result.stderr
    listed = run("--db", str(db), "quota", "list")
    assert listed.returncode == 0, listed.stderr


def test_an_unknown_command_is_a_usage_error(tmp_path):
    result = run("--db", str(tmp_path / "x.sqlite"), "frobnicate")
    assert result.returncode == 2


def test_without_a_display_the_window_explains_instead_of_crashing(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}
    result = run("--db", str(tmp_path / "x.sqlite"), env=env)
    assert result.returncode == 2
    assert "no display is available" in result.stderr
    assert "main.py --help" in result.stderr and "--db /tmp/demo.sqlite demo" in result.stderr
    assert not (tmp_path / "x.sqlite").exists()  # nothing was created


def test_opening_the_window_does_not_import_the_commands():
    """Start-up speed: the window path must not pay for the commands' modules."""
    probe = (
        "import sys, cli.main as m\n"
        "import ui.application as u\n"
        "u.run_gui = lambda db, who: 0\n"
        "m.main([])\n"
        "heavy = [n for n in sys.modules if n.startswith(('cli.commands', 'app.importing',"
        " 'app.demo', 'openpyxl', 'python_calamine'))]\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_help_answers_without_importing_the_database_or_the_importer():
    """``--help`` and a command's own help come from argparse alone (issue 13: it took 0.7 s
    when a command module imported the importer, and openpyxl with it, at its top)."""
    probe = (
        "import runpy, sys\n"
        "sys.argv = ['main.py', *sys.argv[1:]]\n"
        "try:\n"
        "    runpy.run_path('main.py', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted({n.split('.')[0] if n.split('.')[0] not in ('app', 'cli') else n\n"
        "                for n in sys.modules if n.startswith(('openpyxl', 'python_calamine',"
        " 'peewee', 'playhouse', 'sqlite3', 'PySide6', 'db', 'app', 'cli.context'))})\n"
        "print('heavy:', heavy, file=sys.stderr)\n"
    )
    for args in (["--help"], ["import", "--help"], ["quota", "set", "--help"]):
        result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True,
                                text=True, cwd=ROOT, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "usage: funnelcast" in result.stdout
        assert result.stderr.strip().splitlines()[-1] == "heavy: []", args


def test_a_reader_that_stops_early_does_not_turn_success_into_an_error(tmp_path):
    """`funnelcast --json demo | head -1`: the demo was made, so the exit code says so."""
    db = str(tmp_path / "demo.sqlite")
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", db, "--json", "demo"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    proc.stdout.close()  # the reader is gone before anything is printed
    assert proc.wait(timeout=120) == 0
    assert "unexpected" not in proc.stderr.read().decode()


def test_from_nothing_to_an_imported_pipeline_and_back(tmp_path):
    """The README's first commands on a file that does not exist yet: no init needed."""
    db = tmp_path / "new.sqlite"
    deals = tmp_path / "deals.csv"
    deals.write_text("Title,Company,Owner,Amount\nRoof,Acme,Ravi Rep,1200\n"
                     "Door,Beta,,300\n", encoding="utf-8")

    dry = run("--db", str(db), "import", str(deals), "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    assert json.loads(dry.stdout)["created"] == 2
    assert "will first set up the default pipeline" in " ".join(json.loads(dry.stdout)["warnings"])
    assert "Define the pipeline" not in dry.stderr
    again = run("--db", str(db), "--json", "init")  # the dry run set nothing up
    assert again.returncode == 0, again.stderr
    db.unlink()

    done = run("--db", str(db), "import", str(deals))
    assert done.returncode == 0, done.stderr
    assert "Created 2" in done.stdout and "default pipeline was set up first" in done.stdout
    assert not (tmp_path / "new-backups").exists()  # nothing to back up in a new file
    twice = run("--db", str(db), "import", str(deals), "--json")
    assert json.loads(twice.stdout)["unchanged"] == 2

    undone = run("--db", str(db), "undo-import", "--json")
    assert undone.returncode == 0, undone.stderr
    payload = json.loads(undone.stdout)
    assert (payload["deleted"], payload["restored"]) == (2, 0)
    assert payload["reps_removed"] == ["Ravi Rep"] and payload["kept"] == []
    assert Path(payload["backup"]).name.endswith("-before-undo-import.sqlite")
    assert Path(payload["backup"]).exists()
    nothing = run("--db", str(db), "undo-import")
    assert nothing.returncode == 1 and "There is no import to undo." in nothing.stderr


def test_undo_import_refuses_to_lose_work_done_since(tmp_path):
    db = tmp_path / "team.sqlite"
    deals = tmp_path / "deals.csv"
    deals.write_text("Title,Company,Amount\nRoof,Acme,1200\n", encoding="utf-8")
    assert run("--db", str(db), "init", "--manager", "Maria Manager").returncode == 0
    assert run("--db", str(db), "import", str(deals)).returncode == 0
    deals.write_text("Title,Company,Amount\nRoof,Acme,1500\n", encoding="utf-8")
    assert run("--db", str(db), "import", str(deals)).returncode == 0  # an edit since
    # The second import is undone first; the first then finds its deal as it left it.
    first = run("--db", str(db), "undo-import")
    assert first.returncode == 0 and "put back as before" in first.stdout
    assert "A backup was written first" in first.stdout
    deals.write_text("Title,Company,Amount\nRoof,Acme,1700\n", encoding="utf-8")
    assert run("--db", str(db), "import", str(deals)).returncode == 0
    import sqlite3

    with sqlite3.connect(db) as connection:  # someone edits the deal after the import
        connection.execute("UPDATE deal SET version = version + 1, value = 99")
    refused = run("--db", str(db), "undo-import", "--json")
    assert refused.returncode == 1 and "were changed since" in refused.stderr
    assert refused.stdout == ""


def test_init_sets_up_the_default_pipeline_once(tmp_path):
    db = str(tmp_path / "team.sqlite")
    first = run("--db", db, "--json", "init", "--manager", "Maria Manager")
    assert first.returncode == 0, first.stderr
    payload = json.loads(first.stdout)
    assert payload["manager"] == "Maria Manager"
    assert payload["stages"][0] == "Suspect" and payload["stages"][-1] == "Lost"

    again = run("--db", db, "init", "--manager", "Someone Else")
    assert again.returncode == 1
    assert "already has a pipeline (9 stages)" in again.stderr and "Traceback" not in again.stderr


def test_init_without_a_manager_can_name_one_later(tmp_path):
    db = str(tmp_path / "team.sqlite")
    first = run("--db", db, "init")
    assert first.returncode == 0 and "--manager NAME" in first.stdout
    assert run("--db", db, "init").returncode == 1
    named = run("--db", db, "--json", "init", "--manager", "Maria Manager")
    assert named.returncode == 0 and json.loads(named.stdout)["manager"] == "Maria Manager"


def test_a_database_an_import_made_gets_its_manager_from_init(tmp_path):
    """An import into a new file adds the file's owners as reps but no manager; init used
    to refuse it ("already has a pipeline"), so that database could never get one."""
    from app.users import current_user, list_reps
    from app.workspace import close_workspace, open_workspace

    db = str(tmp_path / "new.sqlite")
    deals = tmp_path / "deals.csv"
    deals.write_text("Title,Company,Owner\nRoof,Acme,Ravi Rep\nDoor,Beta,Tia Closer\n",
                     encoding="utf-8")
    imported = run("--db", db, "import", str(deals))
    assert imported.returncode == 0 and "no manager yet" in imported.stdout
    unnamed = run("--db", db, "init")
    assert unnamed.returncode == 1 and "run init again with --manager NAME" in unnamed.stderr

    named = run("--db", db, "--json", "init", "--manager", "ravi  rep")
    assert named.returncode == 0, named.stderr
    payload = json.loads(named.stdout)
    assert payload["manager"] == "Ravi Rep" and payload["pipeline_set_up"] is False
    again = run("--db", db, "init", "--manager", "Olga Owner")
    assert again.returncode == 1 and "and a manager (Ravi Rep)" in again.stderr

    open_workspace(db)
    try:
        assert current_user().name == "Ravi Rep" and current_user().is_manager
        assert [(r.name, r.role) for r in list_reps()] == [("Ravi Rep", "manager"),
                                                           ("Tia Closer", "rep")]
    finally:
        close_workspace()


def test_init_adds_a_manager_not_among_the_imported_reps(tmp_path):
    from app.users import current_user, find_rep
    from app.workspace import close_workspace, open_workspace

    db = str(tmp_path / "new.sqlite")
    deals = tmp_path / "deals.csv"
    deals.write_text("Title,Company,Owner\nRoof,Acme,Ravi Rep\n", encoding="utf-8")
    assert run("--db", db, "import", str(deals)).returncode == 0
    named = run("--db", db, "init", "--manager", "Olga Owner")
    assert named.returncode == 0, named.stderr
    assert "Olga Owner is now the manager of this database's pipeline" in named.stdout
    open_workspace(db)
    try:
        assert current_user().name == "Olga Owner" and current_user().is_manager
        assert not find_rep("Ravi Rep").is_manager
    finally:
        close_workspace()


def test_an_import_while_another_program_writes_is_told_to_try_again(
    short_busy_timeout, manager, db_path, lock_holder, tmp_path, capsys, monkeypatch
):
    """In-process (the busy timeout is shortened for the test), with a real second
    connection holding the write lock past it."""
    from cli.main import main
    from db.backup import list_backups
    from db.models import Deal

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    sheet = tmp_path / "deals.csv"
    sheet.write_text("Title,Company,Stage\nRoof,Acme,Qualified\n", encoding="utf-8")
    other = lock_holder(db_path)
    code = main(["--db", str(db_path), "import", str(sheet)])
    assert code == 2
    assert capsys.readouterr().err == (
        f"funnelcast: Another program is writing to the database {db_path} and did not finish "
        "in time. Nothing was changed; try again in a moment.\n")
    other.close()
    assert Deal.select().count() == 0 and list_backups(db_path) == []
    assert not (tmp_path / "state").exists()
