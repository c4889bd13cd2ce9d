"""The import service's own guarantees beyond reading and committing: the problems workbook
never overwrites a file by default."""

from __future__ import annotations

from app.importing import ImportOptions, run_import


def test_the_default_problems_workbook_never_overwrites_a_file(manager, stages, make_xlsx):
    path = make_xlsx([["Title", "Amount"], ["Roof", "lots"]])
    earlier = path.with_name("deals-problems.xlsx")
    earlier.write_bytes(b"the user's own notes")
    first = run_import(path, ImportOptions(), manager)
    second = run_import(path, ImportOptions(), manager)
    assert first.rejected and earlier.read_bytes() == b"the user's own notes"
    assert [first.problems_workbook, second.problems_workbook] == [
        str(path.with_name("deals-problems-2.xlsx")), str(path.with_name("deals-problems-3.xlsx"))]
