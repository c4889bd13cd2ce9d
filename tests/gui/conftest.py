"""Every GUI test runs with the rule the application runs with: a write transaction begun
from ``ui`` code on the GUI thread is refused, and the test fails even if the refusal was
swallowed. (Tests' own setup calls ``app`` directly and may write on their thread.)"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def no_write_on_the_gui_thread():
    from ui.operations import forbid_gui_thread_writes

    refusals = []
    forbid_gui_thread_writes(on_refusal=refusals.append)
    yield refusals
    forbid_gui_thread_writes(False)
    assert not refusals, f"the GUI thread began a write: {refusals[0]}"


@pytest.fixture
def gui_thread_sql(workspace):
    """The SQL run on the GUI thread's own connection (this thread's; SQLite), recorded for
    tests that check a screen interaction reads nothing there: clear it just before the
    interaction, look at it just after (the test's own setup runs here too)."""
    from db.connection import database

    statements: list[str] = []
    connection = database.connection()
    connection.set_trace_callback(statements.append)
    yield statements
    connection.set_trace_callback(None)
