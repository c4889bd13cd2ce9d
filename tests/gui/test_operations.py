"""The operation layer: writes run on the worker and announce their topics, refusals reach
the screen as a sentence, newer queries supersede older ones, a closed widget hears nothing,
and the GUI thread cannot begin a write."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QWidget

from app import users
from app.errors import ValidationError
from app.jobs import Cancelled
from app.users import create_rep, list_reps
from ui.context import Topic
from ui.operations import GuiThreadWrite, Query, Write

pytestmark = pytest.mark.gui


@pytest.fixture
def owner(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


def test_a_write_runs_on_the_worker_and_announces_after_its_success(qtbot, ui_context, owner):
    seen = []
    ui_context.bus.sig_changed.connect(lambda topics: seen.append(("announced", topics)))

    def work(_control):
        seen.append(("ran on the GUI thread", threading.current_thread() is
                     threading.main_thread()))
        return create_rep("Nina North", role="rep")

    with qtbot.waitSignal(ui_context.bus.sig_changed):
        Write(owner, ui_context, work, announce={Topic.REPS}).success(
            lambda rep: seen.append(("success", rep.name))).run()
    assert seen == [("ran on the GUI thread", False), ("success", "Nina North"),
                    ("announced", frozenset({Topic.REPS}))]


def test_a_refusal_reaches_the_screen_as_its_sentence_and_announces_nothing(
        qtbot, ui_context, owner):
    announced, said = [], []
    ui_context.bus.sig_changed.connect(announced.append)

    def refuse(_control):
        raise ValidationError("The rep needs a name.")

    Write(owner, ui_context, refuse, announce={Topic.REPS}).failure(said.append).run()
    qtbot.waitUntil(lambda: bool(said))
    assert said == ["The rep needs a name."] and announced == []


def test_a_refusal_nobody_handles_goes_to_the_bus(qtbot, ui_context, owner):
    def refuse(_control):
        raise ValidationError("Nothing to do.")

    with qtbot.waitSignal(ui_context.bus.sig_failed) as failed:
        Query(owner, ui_context, refuse).run()
    assert failed.args == ["Nothing to do."]


def test_a_newer_query_supersedes_an_older_one_of_the_same_kind(qtbot, ui_context, owner):
    ran, shown = [], []
    for text in ("a", "ac", "acme"):
        Query(owner, ui_context, lambda _control, text=text: ran.append(text) or text,
              supersede="search").success(shown.append).run()
    Query(owner, ui_context, lambda _control: "other kind", supersede="totals",
          ).success(shown.append).run()
    qtbot.waitUntil(lambda: len(shown) == 2)
    assert ran == ["acme"]  # the older two never ran
    assert shown == ["acme", "other kind"]


def test_an_answer_superseded_after_it_ran_is_dropped(qtbot, ui_context, owner):
    started, release, shown = threading.Event(), threading.Event(), []

    def slow(_control):
        started.set()
        release.wait(5)
        return "old"

    Query(owner, ui_context, slow, supersede="board").success(shown.append).run()
    qtbot.waitUntil(started.is_set)
    Query(owner, ui_context, lambda _control: "new", supersede="board",
          ).success(shown.append).run()
    release.set()
    qtbot.waitUntil(lambda: bool(shown))
    ui_context.runner.wait()
    qtbot.waitUntil(lambda: not ui_context.runner.busy)
    assert shown == ["new"]


def test_a_closed_widget_hears_nothing_but_the_write_still_announces(qtbot, ui_context):
    widget = QWidget()
    heard = []
    release = threading.Event()

    def work(_control):
        release.wait(5)
        return create_rep("Nina North", role="rep")

    Write(widget, ui_context, work, announce={Topic.REPS}).success(heard.append).run()
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _alive(widget))
    with qtbot.waitSignal(ui_context.bus.sig_changed) as announced:
        release.set()
    assert announced.args == [frozenset({Topic.REPS})] and heard == []
    assert "Nina North" in [rep.name for rep in list_reps()]


def _alive(widget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


def test_progress_and_cancel(qtbot, ui_context, owner):
    reported, cancelled, results = [], [], []
    gate = threading.Event()

    def long(control):
        control.report(0.5, "Halfway")
        gate.wait(5)
        control.report(1.0, "Done")  # raises Cancelled: the user asked to stop
        return "finished"

    operation = Query(owner, ui_context, long).progress(
        lambda fraction, message: reported.append((fraction, message))).cancelled(
        lambda: cancelled.append(True)).success(results.append).run()
    qtbot.waitUntil(lambda: bool(reported))
    operation.cancel()
    gate.set()
    qtbot.waitUntil(lambda: bool(cancelled))
    assert reported == [(0.5, "Halfway")] and results == []
    assert issubclass(Cancelled, Exception)


def test_a_write_begun_by_a_screen_on_the_gui_thread_is_refused(ui_context, manager,
                                                                no_write_on_the_gui_thread):
    """The rule every GUI test runs under (tests/gui/conftest.py): a screen that calls a
    writing app function directly is caught, even where it would not be visible."""
    namespace = {"__name__": "ui.a_screen", "users": users, "name": manager.name}
    exec("def switch():\n    return users.set_current_user(name)\n", namespace)
    with pytest.raises(GuiThreadWrite):
        namespace["switch"]()
    assert len(no_write_on_the_gui_thread) == 1
    no_write_on_the_gui_thread.clear()  # expected here; any other would fail the test
    users.set_current_user(manager.name)  # the test's own setup may write: not a screen


def test_topics_are_enum_members_never_strings(ui_context, owner):
    with pytest.raises(TypeError):
        ui_context.bus.changed("checklist")
    with pytest.raises(TypeError):
        Write(owner, ui_context, lambda _control: None, announce={"deals"})
