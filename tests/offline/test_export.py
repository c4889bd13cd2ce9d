"""The rep's update workbook as a rep opens it: the right sheets and rows, drop-downs,
locked and unlocked cells, and the hidden, protected sheet with the export's ids."""

from __future__ import annotations

import uuid

import openpyxl
import pytest

from app.offline.book import HIDDEN_SHEET
from db.models import Deal, Setting


@pytest.fixture
def opened(workbook):
    return openpyxl.load_workbook(workbook)


def _validation(sheet, cell: str):
    return next(v for v in sheet.data_validations.dataValidation if cell in v.sqref)


def test_the_sheets_hold_the_reps_open_deals_only(opened, team):
    assert opened.sheetnames == ["Deals", "Checklist", "Hours", "Instructions", HIDDEN_SHEET]
    deals = opened["Deals"]
    titles = [r[0] for r in deals.iter_rows(min_row=2, values_only=True)]
    assert sorted(titles) == ["Acme roll-out", "Birch pilot", "Cedar renewal", "Dune lead"]
    ids = {r[9] for r in deals.iter_rows(min_row=2, values_only=True)}
    assert ids == {uuid.UUID(team.deals[t].uuid).hex for t in titles}
    assert deals.column_dimensions["J"].hidden  # Deal id
    acme = next(r for r in deals.iter_rows(min_row=2) if r[0].value == "Acme roll-out")
    assert acme[3].number_format.startswith('"$"') and acme[4].number_format == "mm-dd-yy"
    assert "Budget" not in (acme[7].value or "")  # needs of Qualified, not of its own stage
    assert acme[7].value  # Qualified's required items are not ticked yet


def test_drop_downs_and_protection_keep_edits_inside_the_lines(opened):
    deals, checklist, hours = opened["Deals"], opened["Checklist"], opened["Hours"]
    assert _validation(deals, "C2").formula1 == "=StageNames"
    names = opened.defined_names["StageNames"].attr_text
    assert names.startswith(f"'{HIDDEN_SHEET}'!$B$")
    assert _validation(checklist, "F2").formula1 == '"Yes,No"'
    assert _validation(hours, "B2").formula1 == "=KindNames"
    assert _validation(hours, "D2").formula1 == "=DealLabels"
    assert _validation(hours, "C300").type == "decimal"  # the empty rows are ready too
    for sheet in (deals, checklist, hours):
        assert sheet.protection.sheet
    assert deals["A2"].protection.locked and not deals["C2"].protection.locked
    assert not deals["D2"].protection.locked and deals["H2"].protection.locked
    assert not hours["A250"].protection.locked
    assert opened.security.lockStructure


def test_the_hidden_sheet_is_very_hidden_protected_and_names_the_export(opened, team):
    hidden = opened[HIDDEN_SHEET]
    assert hidden.sheet_state == "veryHidden" and hidden.protection.sheet
    meta = {r[0]: r[1] for r in hidden.iter_rows(max_row=5, values_only=True)}
    assert meta["rep"] == "Ravi Rep" and meta["format_version"] == "1"
    assert meta["database_id"] == Setting.get(Setting.key == "database_id").value
    uuid.UUID(meta["export_id"])
    originals = {r[1]: r[2] for r in hidden.iter_rows(values_only=True) if r[0] == "original"}
    birch = Deal.get(Deal.uuid == uuid.UUID(team.deals["Birch pilot"].uuid))
    assert originals[uuid.UUID(team.deals["Birch pilot"].uuid).hex] == str(birch.version)


def test_checklist_rows_are_the_items_ahead_and_ticked_ones_are_locked(team, tmp_path):
    from app.offline.export import export_update_workbook
    from app.pipeline import list_stages, set_checked
    from db.models import ChecklistItem

    qualified = team.stages["Qualified"]
    item = ChecklistItem.select().where(ChecklistItem.stage == qualified.id).first()
    set_checked(team.deals["Acme roll-out"].id, item.id, True, team.manager)
    path = export_update_workbook(tmp_path / "x.xlsx", "Ravi Rep").path
    sheet = openpyxl.load_workbook(path)["Checklist"]
    acme = [r for r in sheet.iter_rows(min_row=2) if r[0].value == "Acme roll-out"]
    later = [s.name for s in list_stages() if s.position > team.stages["Sales-ready lead"]
             .position and s.outcome != "lost"]
    assert {r[2].value for r in acme} <= set(later) and "Qualified" in {r[2].value for r in acme}
    ticked = next(r for r in acme if r[8].value == item.id)
    assert ticked[5].value == "Yes" and ticked[5].protection.locked
    assert all(not r[5].protection.locked for r in acme if r is not ticked)


def test_user_text_that_looks_like_a_formula_stays_text(team, tmp_path):
    from app.deals import update_deal
    from app.offline.export import export_update_workbook
    from app.offline.reader import read_update_book

    birch = Deal.get(Deal.uuid == uuid.UUID(team.deals["Birch pilot"].uuid))
    update_deal(birch.id, {"next_step": '=HYPERLINK("http://x","y")'}, birch.version,
                team.manager)
    path = export_update_workbook(tmp_path / "x.xlsx", "Ravi Rep").path
    cell = next(r[5] for r in openpyxl.load_workbook(path)["Deals"].iter_rows(min_row=2)
                if r[0].value == "Birch pilot")
    assert cell.data_type == "s"
    assert {d.next_step for d in read_update_book(path).deals} >= {'=HYPERLINK("http://x","y")'}
