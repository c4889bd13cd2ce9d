"""Running an ``app`` call on the worker with its result, error and finish handlers connected
before the call can start.

Why: :meth:`ui.tasks.TaskRunner.submit` starts the call at once, so a call that fails fast
(a validation error) can emit its signals on the worker before the caller has connected to
them, and the result is lost (reproduced: ~1 in 4 back-to-back failing tasks). Here the call
waits on a gate that opens right after the connections are made — microseconds on the GUI
thread — so no outcome is ever missed. Once the runner defers its start, this reduces to
``submit`` plus the connections.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ui.context import UiContext
from ui.tasks import Task


def run_in_background(
    context: UiContext,
    work: Callable[[], Any],
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[Exception], None] | None = None,
    on_finished: Callable[[], None] | None = None,
) -> Task:
    """Queue ``work()`` on the context's worker; the handlers run on the GUI thread."""
    gate = threading.Event()

    def gated(_control):
        gate.wait()
        return work()

    task = context.runner.submit(gated)
    if on_result is not None:
        task.sig_result.connect(on_result)
    if on_error is not None:
        task.sig_error.connect(on_error)
    if on_finished is not None:
        task.sig_finished.connect(on_finished)
    gate.set()
    return task
