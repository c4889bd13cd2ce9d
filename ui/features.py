"""Features that hook into the main window once it is on screen.

Each entry is ``"module:function"``; the function takes the :class:`ui.main_window.MainWindow`
and connects and enables the toolbar actions it owns (``window.actions_by_name["new_deal"]``
and so on). Imports are deferred until after the first paint, so start-up stays fast.
"""

from __future__ import annotations

import importlib

INSTALLERS: tuple[str, ...] = (
    "ui.activities.quick_log:install",
    "ui.deal_actions:install_new_deal",
    "ui.importing.install:install",
    "ui.exporting.install:install",
)


def install_all(window) -> None:
    for spec in INSTALLERS:
        module_name, _, function = spec.partition(":")
        getattr(importlib.import_module(module_name), function)(window)
