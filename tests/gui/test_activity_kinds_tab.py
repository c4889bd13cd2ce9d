"""Settings → Activity kinds, driven through the real table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from app.activities import ActivityDraft, list_activities, log_activity
from app.activity_kinds import list_kinds
from ui.settings.activity_kinds_tab import ActivityKindsTab

pytestmark = pytest.mark.gui

DAY = date(2026, 3, 18)


@pytest.fixture
def tab(qtbot, ui_context):
    widget = ActivityKindsTab(ui_context)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.model.rowCount() == 12)
    return widget


def row_of(tab, name: str) -> int:
    """The row showing kind ``name``; -1 while it is not shown (so a wait can poll it)."""
    return next((r for r in range(tab.model.rowCount()) if tab.model.kind(r).name == name), -1)


def test_model_passes_the_model_tester(qtmodeltester, tab):
    qtmodeltester.check(tab.model)


def test_renaming_in_the_table_renames_logged_activities(qtbot, tab, manager):
    log_activity(ActivityDraft(manager.id, "Demo", DAY, Decimal("1")), manager, today=DAY)
    index = tab.model.index(row_of(tab, "Demo"), 0)
    assert tab.model.setData(index, "Product demo", Qt.ItemDataRole.EditRole)
    qtbot.waitUntil(lambda: any(k.name == "Product demo" for k in list_kinds()))
    assert list_activities(manager.id, DAY, DAY)[0].kind == "Product demo"
    qtbot.waitUntil(lambda: row_of(tab, "Product demo") >= 0
                    and tab.model.kind(row_of(tab, "Product demo")).uses == 1)


def test_a_duplicate_name_shows_the_message(qtbot, tab):
    index = tab.model.index(row_of(tab, "Demo"), 0)
    tab.model.setData(index, "meeting", Qt.ItemDataRole.EditRole)
    qtbot.waitUntil(lambda: tab.error.isVisibleTo(tab))
    assert "already a kind" in tab.error.text()


def test_removing_a_used_kind_switches_it_off_and_undo_brings_it_back(qtbot, tab, ui_context,
                                                                        manager):
    log_activity(ActivityDraft(manager.id, "Travel", DAY, Decimal("2")), manager, today=DAY)
    tab.reload()
    qtbot.waitUntil(lambda: tab.model.kind(row_of(tab, "Travel")).uses == 1)
    tab.view.selectRow(row_of(tab, "Travel"))
    tab.remove_button.click()
    qtbot.waitUntil(lambda: not tab.model.kind(row_of(tab, "Travel")).active)
    assert "Travel" not in [k.name for k in list_kinds()]
    ui_context.undo_stack.undo()
    qtbot.waitUntil(lambda: tab.model.kind(row_of(tab, "Travel")).active)


def test_a_rep_sees_the_kinds_read_only(qtbot, workspace, manager, rep, qsettings_isolated):
    from ui.context import UiContext

    context = UiContext(workspace, rep)
    widget = ActivityKindsTab(context)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.model.rowCount() == 12)
    assert not widget.model.flags(widget.model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert not widget.add_button.isEnabled()
    context.runner.wait()
