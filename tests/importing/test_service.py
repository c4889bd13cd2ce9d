"""The import service's own guarantees beyond reading and committing: the garbage collector
stays on during an import and has its usual thresholds back after it, and the problems
workbook never overwrites a file by default."""

from __future__ import annotations

import gc
import threading

import pytest

from app.errors import UsageError
from app.importing import ImportOptions, run_import
from app.jobs import JobControl


def test_the_collector_stays_on_during_an_import_and_its_thresholds_come_back(
        manager, stages, make_xlsx):
    path = make_xlsx([["Deal Name", "Company", "Amount"], ["Roof", "Acme", 1200.0]])
    usual = gc.get_threshold()
    during: list[tuple[bool, tuple[int, int, int]]] = []

    class Watch(JobControl):
        def report(self, fraction, message=""):
            during.append((gc.isenabled(), gc.get_threshold()))
            super().report(fraction, message)

    assert run_import(path, ImportOptions(), manager, Watch()).created == 1
    assert during and all(enabled for enabled, _ in during)  # the window's thread collects too
    assert gc.get_threshold() == usual


def test_the_collector_thresholds_come_back_after_a_refused_file(manager, tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a zip")
    usual = gc.get_threshold()
    with pytest.raises(UsageError):
        run_import(path, ImportOptions(), manager)
    assert gc.get_threshold() == usual


def test_imports_at_once_put_the_thresholds_back_when_the_last_ends(
        manager, stages, make_xlsx):
    """Two imports overlapping (the window's and a wizard's dry run): the first to end must
    not put the usual thresholds back under the other."""
    path = make_xlsx([["Deal Name", "Company"], ["Roof", "Acme"]])
    usual = gc.get_threshold()
    inside, release = threading.Event(), threading.Event()

    class Hold(JobControl):
        def report(self, fraction, message=""):
            inside.set()
            release.wait(30)
            super().report(fraction, message)

    worker = threading.Thread(target=run_import,
                              args=(path, ImportOptions(dry_run=True), manager, Hold()))
    worker.start()
    try:
        assert inside.wait(30)
        run_import(path, ImportOptions(dry_run=True), manager)
        assert gc.get_threshold() != usual  # the held import is still running
    finally:
        release.set()
        worker.join(30)
    assert gc.get_threshold() == usual


def test_the_default_problems_workbook_never_overwrites_a_file(manager, stages, make_xlsx):
    path = make_xlsx([["Title", "Amount"], ["Roof", "lots"]])
    earlier = path.with_name("deals-problems.xlsx")
    earlier.write_bytes(b"the user's own notes")
    first = run_import(path, ImportOptions(), manager)
    second = run_import(path, ImportOptions(), manager)
    assert first.rejected and earlier.read_bytes() == b"the user's own notes"
    assert [first.problems_workbook, second.problems_workbook] == [
        str(path.with_name("deals-problems-2.xlsx")), str(path.with_name("deals-problems-3.xlsx"))]
