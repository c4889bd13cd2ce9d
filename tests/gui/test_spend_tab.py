"""Settings → Lead spend through real widgets: an amount typed for a source and month is
saved and undone; the gross margin is saved; a rep cannot edit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from app import settings
from app.clock import local_today
from db.models import SourceSpend
from ui.settings.spend_tab import SpendPanel

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot, ui_context):
    widget = SpendPanel(ui_context)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.grid is not None, timeout=10_000)
    return widget


def spend_now() -> dict:
    return {(s.source_id, s.month): s.amount for s in SourceSpend.select()}


def test_typing_a_months_spend_saves_it_and_ctrl_z_takes_it_back(qtbot, panel, ui_context):
    grid = panel.model.grid
    assert grid.months[-1] == local_today().replace(day=1)  # the months up to this one
    source_id, _name = grid.sources[0]
    index = panel.model.index(0, len(grid.months))
    panel.table.setCurrentIndex(index)
    panel.table.edit(index)
    editor = panel.table.findChild(QLineEdit)
    qtbot.keyClicks(editor, "2500")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: spend_now() == {(source_id, grid.months[-1]): Decimal("2500.00")},
                    timeout=10_000)
    qtbot.waitUntil(lambda: panel.model.data(panel.model.index(0, len(grid.months))) != "",
                    timeout=10_000)
    assert "Ctrl+Z" in panel.note.text()
    ui_context.undo_stack.undo()
    qtbot.waitUntil(lambda: spend_now() == {}, timeout=10_000)


def test_the_gross_margin_is_saved(qtbot, panel):
    panel.margin.setValue(55)
    panel.margin.editingFinished.emit()
    qtbot.waitUntil(lambda: settings.load().gross_margin == Decimal("0.55"), timeout=10_000)


def test_a_rep_sees_the_grid_read_only(qtbot, ui_context, rep):
    ui_context.set_actor(rep)
    widget = SpendPanel(ui_context)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.model.grid is not None, timeout=10_000)
    index = widget.model.index(0, 1)
    assert not widget.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert not widget.margin.isEnabled()
