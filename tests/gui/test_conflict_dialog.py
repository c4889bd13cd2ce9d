"""The merge's conflict dialog: each field changed on both sides with both values, who
changed the database's and when, and the manager's choice per field, per deal, or for all."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from PySide6.QtCore import QModelIndex, Qt

from app.offline.merge_types import FieldConflict
from ui.formatting import format_money
from ui.offline.conflict_dialog import (
    COL_OURS,
    COL_THEIRS,
    COL_WHAT,
    COL_WHO,
    ConflictDialog,
    ConflictModel,
)

pytestmark = pytest.mark.gui

ACME, GLOBEX = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"
CONFLICTS = (
    FieldConflict(ACME, "Acme renewal", "value", Decimal("1000.00"), Decimal("1500.00"),
                  Decimal("1800.00"), "Maria Manager", datetime(2026, 3, 2, 14, 5)),
    FieldConflict(ACME, "Acme renewal", "next_step", "Call", "Send contract", "Visit",
                  "Maria Manager", datetime(2026, 3, 2, 14, 5)),
    FieldConflict(GLOBEX, "Globex pilot", "expected_close", date(2026, 4, 30),
                  date(2026, 5, 31), None, "Sam Lead", datetime(2026, 3, 3, 9, 0),
                  deal_edit=True),
)

CHECK = Qt.ItemDataRole.CheckStateRole


@pytest.fixture
def dialog(qtbot):
    shown = ConflictDialog(CONFLICTS, "Ravi Rep", "USD")
    qtbot.add_widget(shown)
    return shown


def _field(model: ConflictModel, deal_row: int, field_row: int, column: int) -> QModelIndex:
    return model.index(field_row, column, model.index(deal_row, 0))


def _click_check(qtbot, view, index: QModelIndex) -> None:
    """Click the check box of a cell as a user would."""
    view.scrollTo(index)
    rect = view.visualRect(index)
    # The check box sits at the cell's left edge, after the margin Fusion draws.
    point = rect.topLeft() + type(rect.topLeft())(10, rect.height() // 2)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_the_model_passes_qt_model_checks(qtmodeltester):
    model = ConflictModel(CONFLICTS, "Ravi Rep", "USD")
    qtmodeltester.check(model)
    model.choose_all("theirs")
    qtmodeltester.check(model)


def test_each_conflict_shows_both_values_and_who_changed_the_database(dialog):
    model = dialog.model
    assert model.rowCount() == 2  # two deals, grouped
    assert [model.index(r, COL_WHAT).data() for r in range(2)] == ["Acme renewal",
                                                                    "Globex pilot"]
    assert model.rowCount(model.index(0, 0)) == 2
    value = [_field(model, 0, 0, c).data() for c in range(5)]
    assert value[COL_WHAT] == "Value"
    # In the locale's way with the currency, cents kept (no locale is forced on other tests).
    assert value[1:4] == [format_money(Decimal(v), "USD", cents=True)
                          for v in ("1000", "1500", "1800")]
    assert "1,800.00" in value[3] or "1800.00" in value[3] or "1.800,00" in value[3]
    assert value[COL_WHO].startswith("Changed by Maria Manager, ")
    # Where only the deal's last edit is known, the cell says so rather than claim the field.
    assert _field(model, 1, 0, COL_WHO).data().startswith("Last edit of this deal: Sam Lead, ")
    assert "last edit of the deal" in model.headerData(COL_WHO, Qt.Orientation.Horizontal,
                                                       Qt.ItemDataRole.ToolTipRole)
    assert _field(model, 1, 0, COL_THEIRS).data() == "(empty)"  # the rep cleared the date
    assert model.headerData(COL_THEIRS, Qt.Orientation.Horizontal) == "Ravi Rep’s workbook"


def test_a_field_is_chosen_by_ticking_its_value(qtbot, dialog):
    dialog.show()
    model, view = dialog.model, dialog.view
    _click_check(qtbot, view, _field(model, 0, 1, COL_THEIRS))
    assert dialog.choices() == {(ACME, "next_step"): "theirs"}
    # The deal row shows a partial choice; ticking "mine" on the same field switches it.
    assert model.index(0, COL_THEIRS).data(CHECK) == Qt.CheckState.PartiallyChecked
    _click_check(qtbot, view, _field(model, 0, 1, COL_OURS))
    assert dialog.choices() == {(ACME, "next_step"): "ours"}
    assert _field(model, 0, 1, COL_THEIRS).data(CHECK) == Qt.CheckState.Unchecked
    assert "not be merged" in dialog.status.text()
    assert "Acme renewal" in dialog.status.text() and "Globex pilot" in dialog.status.text()


def test_ticking_a_deal_chooses_every_field_of_it(qtbot, dialog):
    dialog.show()
    model = dialog.model
    _click_check(qtbot, dialog.view, model.index(0, COL_THEIRS))
    assert dialog.choices() == {(ACME, "value"): "theirs", (ACME, "next_step"): "theirs"}
    assert model.index(0, COL_THEIRS).data(CHECK) == Qt.CheckState.Checked
    assert model.held_back() == ["Globex pilot"]
    _click_check(qtbot, dialog.view, model.index(0, COL_THEIRS))  # untick: cleared again
    assert dialog.choices() == {}


def test_all_theirs_and_all_mine_choose_every_field(qtbot, dialog):
    qtbot.mouseClick(dialog.all_theirs, Qt.MouseButton.LeftButton)
    assert dialog.choices() == {(ACME, "value"): "theirs", (ACME, "next_step"): "theirs",
                                (GLOBEX, "expected_close"): "theirs"}
    assert dialog.status.text() == "Every conflict has a choice."
    qtbot.mouseClick(dialog.all_mine, Qt.MouseButton.LeftButton)
    assert set(dialog.choices().values()) == {"ours"}
    assert dialog.model.index(1, COL_OURS).data(CHECK) == Qt.CheckState.Checked


def test_choices_made_before_are_shown_again(qtbot):
    again = ConflictDialog(CONFLICTS, "Ravi Rep", "USD", {(GLOBEX, "expected_close"): "ours"})
    qtbot.add_widget(again)
    assert again.model.index(1, COL_OURS).data(CHECK) == Qt.CheckState.Checked
    assert again.model.unresolved() == 2
