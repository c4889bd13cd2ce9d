"""Background jobs: every outcome reaches the GUI thread, even from a job that ends at once."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtWidgets import QLabel

from app.errors import ValidationError
from ui.tasks import TaskRunner

pytestmark = pytest.mark.gui


@pytest.fixture
def runner(qtbot):
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


@pytest.fixture
def owner(qtbot):
    """The widget a job's callbacks touch (never shown; a test may delete it)."""
    return QLabel()


def held_job(started: threading.Event, release: threading.Event):
    """A job that runs until the test lets it finish."""
    def job(_control):
        started.set()
        release.wait(5)
        return "done"
    return job


def test_a_job_that_fails_at_once_is_still_heard(qtbot, runner, owner):
    for _ in range(20):  # the race this guards against showed about one time in four
        task = runner.submit(lambda _c: (_ for _ in ()).throw(ValidationError("bad row 3")),
                             owner=owner)
        with qtbot.wait_signal(task.sig_error, timeout=5000) as blocker:
            pass
        assert str(blocker.args[0]) == "bad row 3"


def test_results_and_progress_arrive_on_the_gui_thread(qtbot, runner, owner):
    seen: list[tuple[str, object]] = []

    def job(control):
        control.report(0.5, "half")
        return 42

    task = runner.submit(job, owner=owner,
                         on_progress=lambda f, m: seen.append(("progress", (f, m))),
                         on_result=lambda v: seen.append(("result", threading.current_thread())))
    with qtbot.wait_signal(task.sig_finished, timeout=5000):
        pass
    assert seen[0] == ("progress", (0.5, "half"))
    assert seen[1] == ("result", threading.main_thread())


def test_cancel_stops_a_job_at_its_next_report(qtbot, runner, owner):
    started = threading.Event()
    release = threading.Event()

    def job(control):
        started.set()
        release.wait(5)
        control.report(0.1)
        return "finished anyway"

    results = []
    task = runner.submit(job, owner=owner, on_result=results.append)
    qtbot.wait_until(started.is_set, timeout=5000)
    task.cancel()
    with qtbot.wait_signal(task.sig_cancelled, timeout=5000):
        release.set()
    assert results == []


def test_an_unexpected_bug_becomes_one_sentence_and_a_log(qtbot, runner, owner, tmp_path,
                                                          monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    task = runner.submit(lambda _c: 1 / 0, owner=owner)
    with qtbot.wait_signal(task.sig_error, timeout=5000) as blocker:
        pass
    message = str(blocker.args[0])
    assert "ZeroDivisionError" in message and "Traceback" not in message
    log = tmp_path / "Funnelcast" / "log" / "funnelcast.log"
    assert "Traceback" in log.read_text()


def test_shutdown_drops_jobs_that_have_not_started(qtbot, runner, owner):
    ran = []
    runner.submit(lambda _c: ran.append(1), owner=owner)
    runner.shutdown()
    qtbot.wait(50)
    assert ran == []


def test_a_write_another_program_keeps_locked_is_a_sentence_not_a_crash(
    qtbot, runner, owner, short_busy_timeout, manager, db_path, lock_holder, tmp_path,
    monkeypatch
):
    from app.users import create_rep, list_reps

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    other = lock_holder(db_path)  # BEGIN IMMEDIATE: another program in mid-write
    task = runner.submit(lambda _c: create_rep("Ravi Rep", "", role="rep"), owner=owner)
    with qtbot.wait_signal(task.sig_error, timeout=5000) as blocker:
        pass
    assert str(blocker.args[0]) == (
        f"Another program is writing to the database {db_path} and did not finish in time. "
        "Nothing was changed; try again in a moment.")
    assert not (tmp_path / "state").exists()  # not a bug: nothing logged
    other.close()
    assert [r.name for r in list_reps()] == ["Maria Manager"]


def test_a_job_that_ends_after_its_owner_is_gone_calls_nothing_back(qtbot, runner, owner):
    started, release = threading.Event(), threading.Event()
    heard = []
    task = runner.submit(held_job(started, release), owner=owner,
                         on_result=lambda value: owner.setText(value),
                         on_finished=lambda: heard.append(owner.text()))
    qtbot.wait_until(started.is_set, timeout=5000)
    shiboken6.delete(owner)  # the dialog closed while its job ran
    with qtbot.wait_signal(task.sig_finished, timeout=5000):
        release.set()
    qtbot.wait(0)  # let anything still queued for the owner arrive, were it to
    assert heard == []  # and no "Internal C++ object already deleted" either


def test_after_shutdown_no_callback_runs_even_for_a_live_owner(qtbot, runner, owner):
    started, release = threading.Event(), threading.Event()
    heard = []
    runner.submit(held_job(started, release), owner=owner, on_result=heard.append,
                  on_finished=lambda: heard.append("finished"))
    qtbot.wait_until(started.is_set, timeout=5000)
    release.set()
    runner.shutdown()  # waits for the job: its results are queued for the GUI thread
    runner.submit(lambda _c: "too late", owner=owner, on_result=heard.append)
    qtbot.wait(50)
    assert heard == []
