"""An update workbook edited and saved again by LibreOffice Calc merges exactly as the one
edited in Excel: LibreOffice keeps the very hidden sheet, its text, the ids and the dates.

LibreOffice re-saves the edited workbook headless (``--convert-to xlsx``), as a rep using
Calc would save it. CI installs LibreOffice; elsewhere the test is skipped when it is
missing.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from datetime import date, datetime

import pytest

from app.offline.merge import commit_merge, plan_merge

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: "
                       "install libreoffice-calc to check LibreOffice-saved workbooks"),
    pytest.mark.sqlite_only,  # about the file LibreOffice writes, not the database
]


def _resaved(path, tmp_path):
    out = tmp_path / "libreoffice"
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", "xlsx", "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return out / path.name


def _what(plan) -> tuple:
    return (plan.changes, plan.conflicts, plan.moves, plan.refused_moves, plan.ticks,
            plan.hours, plan.skipped, plan.unchanged)


def test_a_libreoffice_saved_copy_merges_the_same(team, edit, tmp_path):
    edit.tick("Acme roll-out", "Qualified", required_only=True)
    edit.set("Acme roll-out", "Stage", "Qualified")
    edit.set("Acme roll-out", "Stage changed", datetime(2026, 12, 2, 9, 45))
    edit.set("Birch pilot", "Value", 9250.5)
    edit.set("Cedar renewal", "Expected close", date(2027, 1, 15))
    edit.set("Cedar renewal", "Next step", "=SUM(1) is text")
    edit.book["Deals"].cell(edit.deal_row("Cedar renewal"), 6).data_type = "s"  # not a formula
    edit.hours((date(2026, 12, 1), "Meeting", 1.5, "Acme roll-out — Acme", "Kick-off"),
               (date(2026, 12, 1), "Admin", 0.25, None, ""))
    excel = edit.save()
    calc = _resaved(excel, tmp_path)

    from_excel, from_calc = plan_merge(excel), plan_merge(calc)

    assert _what(from_calc) == _what(from_excel)
    assert dataclasses.replace(from_calc.book, saved_at=None) == dataclasses.replace(
        from_excel.book, saved_at=None)
    result = commit_merge(from_calc, {}, team.manager)
    assert (result.fields, result.moves, result.hours) == (3, 1, 2)
    assert plan_merge(excel).is_empty  # and the Excel copy is then already merged
