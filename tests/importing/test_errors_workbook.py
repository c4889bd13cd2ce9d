"""The problems workbook: original rows plus a "Problem" column; user text stays text."""

from __future__ import annotations

import zipfile

import python_calamine

from app.importing import ImportOptions, run_import


def test_rejected_rows_are_written_with_their_problem_and_formulas_stay_text(
    manager, stages, make_csv, tmp_path
):
    path = make_csv([
        ["Title", "Amount", "Email"],
        ["Roof", "1200", "ok@acme.test"],
        ['=HYPERLINK("http://evil.test")', "lots", "@nope"],
        ["+1-555-0100", "-5", ""],
    ])
    target = tmp_path / "problems.xlsx"
    report = run_import(path, ImportOptions(problems_path=target), manager)
    assert report.problems_workbook == str(target)
    sheet = python_calamine.CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0)
    values = sheet.to_python()
    assert values[0] == ["Title", "Amount", "Email", "Problem", "Row"]
    assert len(values) == 3  # only the rejected rows
    assert values[1][:3] == ['=HYPERLINK("http://evil.test")', "lots", "@nope"]
    assert "Amount: 'lots' is not an amount." in values[1][3]
    assert "Email: '@nope' is not an email address." in values[1][3]
    assert values[1][4] == 3
    assert values[2][:2] == ["+1-555-0100", "-5"] and "negative" in values[2][3]
    written = zipfile.ZipFile(target).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in written  # nothing from the user became a formula


def test_a_failed_save_leaves_no_workbook_and_no_scraps(tmp_path, monkeypatch):
    import pytest
    from openpyxl import Workbook

    from app.errors import UsageError
    from app.importing.errors_workbook import write_problems_workbook
    from app.importing.plan import RowProblem

    def half_then_fail(self, filename):
        with open(filename, "wb") as handle:
            handle.write(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "save", half_then_fail)
    target = tmp_path / "deals-problems.xlsx"
    with pytest.raises(UsageError, match="No space left"):
        write_problems_workbook(target, ["Company"], {2: ["Acme"]},
                                [RowProblem(2, "Company", "bad")])
    assert list(tmp_path.iterdir()) == []


def test_a_control_character_in_a_rejected_cell_does_not_stop_the_problems_workbook(tmp_path):
    """A cell read from a file may hold characters XML cannot (openpyxl refused the whole
    workbook); they are dropped and the rest of the text is kept as text."""
    from app.importing.errors_workbook import write_problems_workbook
    from app.importing.plan import RowProblem

    path = write_problems_workbook(
        tmp_path / "problems.xlsx", ["Title", "Value"], {2: ["Acme\x01 deal", "=1+1"]},
        [RowProblem(2, "Value", "not an amount")])
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[1][:3] == ["Acme deal", "=1+1", "Value: not an amount"]
