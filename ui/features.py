"""Features that hook into the main window once it is on screen.

Each installer takes the :class:`ui.main_window.MainWindow` and connects and enables the
toolbar actions it owns (``window.actions_by_name["new_deal"]`` and so on). They are imported
when :func:`install_all` runs, after the first paint, so start-up stays fast.
"""

from __future__ import annotations


def install_all(window) -> None:
    from ui.activities.quick_log import install as install_quick_log
    from ui.deal_actions import install_new_deal
    from ui.exporting.install import install as install_exporting
    from ui.importing.install import install as install_importing
    from ui.offline.install import install as install_offline

    for install in (install_quick_log, install_new_deal, install_importing, install_exporting,
                    install_offline):
        install(window)
