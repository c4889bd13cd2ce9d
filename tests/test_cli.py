"""The command line as a user runs it: real processes, real databases, exit codes 0/1/2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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


def test_a_reader_that_stops_early_does_not_turn_success_into_an_error(tmp_path):
    """`funnelcast --json demo | head -1`: the demo was made, so the exit code says so."""
    db = str(tmp_path / "demo.sqlite")
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "--db", db, "--json", "demo"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    proc.stdout.close()  # the reader is gone before anything is printed
    assert proc.wait(timeout=120) == 0
    assert "unexpected" not in proc.stderr.read().decode()
