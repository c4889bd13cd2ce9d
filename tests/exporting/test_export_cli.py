"""``export`` on the command line: --week names the file and the figures, --json prints
what a script reads, mistakes are sentences with the right exit code."""

from __future__ import annotations

import json

import openpyxl
import pytest

from tests.test_cli import run


@pytest.fixture
def demo_db(db_target):
    assert run("--db", db_target, "demo").returncode == 0
    return db_target


def test_a_folder_gets_the_weeks_workbook_and_json_says_what_was_written(demo_db, tmp_path):
    result = run("--db", demo_db, "export", str(tmp_path), "--week", "2026-W10", "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    path = tmp_path / "pipeline-2026-W10.xlsx"
    assert payload["file"] == str(path) and payload["week"] == "2026-W10"
    assert payload["sheets"] == ["Summary", "Deals", "Reps", "Sources", "Activities",
                               "Stage history",
                                 "Stages"]
    assert payload["deals"] > 0 and payload["cut"] == []
    summary = openpyxl.load_workbook(path)["Summary"]
    assert summary["A1"].value == "Weekly pipeline 2026-W10"
    # The week's own activities: every date on the sheet is inside 2026-W10.
    days = [r[0] for r in openpyxl.load_workbook(path)["Activities"].iter_rows(
        min_row=3, values_only=True) if r[0]]
    assert all(d.isocalendar()[:2] == (2026, 10) for d in days)
    assert len(days) == payload["activities"]


def test_text_output_names_the_file(demo_db, tmp_path):
    target = tmp_path / "mine.xlsx"
    result = run("--db", demo_db, "export", str(target))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Wrote {target} (")
    assert target.exists()


def test_a_bad_week_or_folder_is_a_sentence(demo_db, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    week = run("--db", demo_db, "export", str(out), "--week", "2026-53")
    assert week.returncode == 1 and "YYYY-Www" in week.stderr
    folder = run("--db", demo_db, "export", str(tmp_path / "nowhere" / "x.xlsx"))
    assert folder.returncode == 2 and "does not exist" in folder.stderr
    assert "Traceback" not in week.stderr + folder.stderr
    assert list(out.iterdir()) == []
