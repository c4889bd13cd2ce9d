"""The manager edits the Deals sheet and imports the workbook back: deals are matched by
the hidden uuid column, and a workbook nobody edited changes nothing."""

from __future__ import annotations

from decimal import Decimal

import openpyxl

from app.deals import get_deal
from app.exporting.deals_sheet import COLUMNS
from app.importing import ImportOptions, run_import
from db.models import Deal


def test_an_unedited_workbook_imports_as_unchanged(exported, demo):
    report = run_import(exported.path, ImportOptions(sheet="Deals"), demo)
    assert not report.rejected, [str(e) for e in report.errors]
    assert report.header_row == 2
    assert report.mapping["Deal UUID"] == "Funnelcast deal id"
    assert (report.created, report.updated, report.skipped) == (0, 0, 0)
    assert report.unchanged == exported.result.deals


def test_an_edited_value_and_stage_update_that_deal_by_uuid(exported, demo, tmp_path):
    book = openpyxl.load_workbook(exported.path)
    sheet = book["Deals"]
    column = {cell.value: cell.column for cell in sheet[2]}
    uuid, text = next(iter(exported.injected.items()))
    row = next(r for r in sheet.iter_rows(min_row=3)
               if r[column["Deal UUID"] - 1].value == uuid)
    row[column["Value"] - 1].value = 9999.5
    row[column["Title"] - 1].value = "Renamed in Excel"
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    before = Deal.select().count()

    report = run_import(edited, ImportOptions(sheet="Deals"), demo)
    assert not report.rejected, [str(e) for e in report.errors]
    assert (report.created, report.updated) == (0, 1)
    deal = get_deal(Deal.get(Deal.uuid == uuid).id)
    assert deal.value == Decimal("9999.50") and deal.title == "Renamed in Excel"
    assert deal.company == text  # the injection text came back as the same text
    assert Deal.select().count() == before
    assert len(COLUMNS) == len(column)
