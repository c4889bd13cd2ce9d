"""Two imports of the same file at once (two processes, or the window and the command line)
create its deals once: the second finds the first's deals and reps.

Each test holds the first import inside its write transaction (its progress report just
before the commit waits for the test) while the second reads and checks the file, then lets
the first commit: the second's plan is then certainly stale when it writes. Runs on SQLite,
and on PostgreSQL when ``FUNNELCAST_TEST_POSTGRES`` names a server database to wipe.
"""

from __future__ import annotations

import threading

import pytest

from app.errors import ConflictError
from app.importing import ImportOptions, run_import
from app.jobs import JobControl, release_thread_connection
from db.models import Deal, ImportBatch, Rep

WAIT = 60  # seconds: only a hung test ever waits this long


class _Pause(JobControl):
    """Progress that signals ``reached`` when the job reports ``message`` and, if given
    ``go``, waits there for it."""

    def __init__(self, message: str, go: threading.Event | None = None) -> None:
        super().__init__()
        self.message, self.go = message, go
        self.reached = threading.Event()

    def report(self, fraction: float, message: str = "") -> None:
        super().report(fraction, message)
        if message == self.message:
            self.reached.set()
            if self.go is not None:
                assert self.go.wait(WAIT)


def _in_thread(path, actor, control, results: dict, name: str) -> threading.Thread:
    def work() -> None:
        try:
            results[name] = run_import(path, ImportOptions(), actor, control)
        except Exception as error:  # handed to the test, which fails on it
            results[name] = error
        finally:
            release_thread_connection()

    thread = threading.Thread(target=work, name=name)
    thread.start()
    return thread


@pytest.mark.parametrize("owners", [False, True], ids=["known-owners", "new-owners"])
def test_the_same_file_imported_twice_at_once_creates_its_deals_once(manager, make_csv, owners):
    header = ["Title", "Company", "Amount", "Owner"]
    rows = [["Roof", "Acme", "1200", "Ravi Rep" if owners else "Maria Manager"],
            ["Door", "Beta", "300", "Sam Seller" if owners else ""]]
    path = make_csv([header, *rows])
    reps_before = Rep.select().count()
    results: dict = {}
    release = threading.Event()
    first_control = _Pause("Finishing…", release)  # inside its write transaction
    second_control = _Pause("Waiting to write…")  # planned, about to write
    first = _in_thread(path, manager, first_control, results, "first")
    assert first_control.reached.wait(WAIT)
    second = _in_thread(path, manager, second_control, results, "second")
    try:
        assert second_control.reached.wait(WAIT)  # its plan saw none of the first's deals
    finally:
        release.set()
        first.join(WAIT)
        second.join(WAIT)

    one, two = results["first"], results["second"]
    assert not isinstance(one, Exception), one
    assert not isinstance(two, Exception), two
    assert (one.created, one.updated, one.unchanged) == (2, 0, 0)
    assert two.committed and (two.created, two.updated, two.unchanged) == (0, 0, 2)
    assert two.new_owners == []
    assert Deal.select().count() == 2
    assert Rep.select().count() == reps_before + (2 if owners else 0)
    assert ImportBatch.select().count() == 1  # the second wrote nothing for undo to find


def test_a_file_that_no_longer_imports_as_checked_is_abandoned(manager, make_csv):
    """The second file's two rows are two new deals when it is checked, but once the first
    import's deal exists they both match it (by title, and by company and email): written as
    planned they would be two deals, so nothing is written and the user is told to retry."""
    first_path = make_csv([["Title", "Company", "Email"], ["Roof", "Acme", "ann@acme.test"]],
                          name="first.csv")
    second_path = make_csv([["Title", "Company", "Email"], ["Roof", "Acme", ""],
                            ["Roof repair", "Acme", "ann@acme.test"]], name="second.csv")
    results: dict = {}
    release = threading.Event()
    first_control = _Pause("Finishing…", release)
    second_control = _Pause("Waiting to write…")
    first = _in_thread(first_path, manager, first_control, results, "first")
    assert first_control.reached.wait(WAIT)
    second = _in_thread(second_path, manager, second_control, results, "second")
    try:
        assert second_control.reached.wait(WAIT)
    finally:
        release.set()
        first.join(WAIT)
        second.join(WAIT)

    assert results["first"].created == 1
    refused = results["second"]
    assert isinstance(refused, ConflictError), refused
    assert "no longer imports as checked; import it again" in str(refused)
    assert [title for (title,) in Deal.select(Deal.title).tuples()] == ["Roof"]
    assert ImportBatch.select().count() == 1
    again = run_import(second_path, ImportOptions(skip_invalid=True), manager)
    assert again.conflicts and (again.created, again.unchanged) == (0, 1)
