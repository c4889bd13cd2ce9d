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
