"""The import service's own guarantees beyond reading and committing: the cyclic garbage
collector it pauses for speed is always switched back on, and the problems workbook never
overwrites a file by default."""

from __future__ import annotations

import gc

import pytest

from app.errors import UsageError
from app.importing import ImportOptions, run_import


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_garbage_collector_is_back_on_after_an_import(manager, stages, make_xlsx, collector_on):
    path = make_xlsx([["Deal Name", "Company", "Amount"], ["Roof", "Acme", 1200.0]])
    report = run_import(path, ImportOptions(), manager)
    assert report.created == 1
    assert gc.isenabled()


def test_garbage_collector_is_back_on_after_a_refused_file(manager, tmp_path, collector_on):
    path = tmp_path / "notes.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a zip")
    with pytest.raises(UsageError):
        run_import(path, ImportOptions(), manager)
    assert gc.isenabled()


def test_import_leaves_a_disabled_collector_disabled(manager, stages, make_xlsx):
    path = make_xlsx([["Deal Name", "Company"], ["Roof", "Acme"]])
    was = gc.isenabled()
    gc.disable()
    try:
        run_import(path, ImportOptions(dry_run=True), manager)
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_the_default_problems_workbook_never_overwrites_a_file(manager, stages, make_xlsx):
    path = make_xlsx([["Title", "Amount"], ["Roof", "lots"]])
    earlier = path.with_name("deals-problems.xlsx")
    earlier.write_bytes(b"the user's own notes")
    first = run_import(path, ImportOptions(), manager)
    second = run_import(path, ImportOptions(), manager)
    assert first.rejected and earlier.read_bytes() == b"the user's own notes"
    assert [first.problems_workbook, second.problems_workbook] == [
        str(path.with_name("deals-problems-2.xlsx")), str(path.with_name("deals-problems-3.xlsx"))]
