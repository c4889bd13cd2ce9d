"""A hand-made tracker: title rows, a merged title, blank rows, currency strings, mixed date
cells and text dates, a formula column, and a column nobody asked for."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import openpyxl

from app.importing import ImportOptions, run_import
from app.importing.plan import AmbiguousAmounts
from db.models import Deal


def test_a_messy_tracker_imports_every_deal(manager, stages, make_xlsx):
    path = make_xlsx([
        ["ACME SALES TRACKER 2026"],
        ["Updated weekly by Maria"],
        [],
        ["Client", "Deal", "Deal Value ($)", "Expected Close Date", "Stage", "Owner ", "Mood"],
        [],
        ["  Acme  Corp ", "Roof", "$12,500.00", date(2026, 3, 21), "qualified", "maria manager",
         ":)"],
        ["Beta", "Door", "$1,200", "21/03/2026", "Proposal", "", ""],
        [],
        ["Gamma", "Window", 900, "March 30, 2026", "Won", "Maria Manager", "great"],
        ["Delta", "", "$300.50", "2026-04-01", "", "", ""],
    ], merge="A1:G1")
    report = run_import(path, ImportOptions(), manager)
    assert report.header_row == 4
    assert report.errors == [] and report.created == 4
    assert report.unmapped == ["Mood"]
    deals = {d.company: d for d in Deal.select()}
    assert deals["Acme Corp"].value == Decimal("12500.00")
    assert deals["Acme Corp"].owner_id == manager.id
    assert deals["Beta"].value == Decimal("1200.00")
    assert deals["Beta"].expected_close == date(2026, 3, 21)
    assert deals["Gamma"].expected_close == date(2026, 3, 30)
    assert deals["Gamma"].stage.outcome == "won"
    # No title: the company is the title; no stage: the first stage.
    assert deals["Delta"].title == "Delta" and deals["Delta"].stage.name == "Suspect"


def test_every_bad_cell_is_named_by_row_column_and_reason(manager, stages, make_xlsx):
    path = make_xlsx([
        ["My tracker"],
        ["Title", "Company", "Amount", "Close date", "Email"],
        ["Roof", "Acme", "lots", "31/02/2026", "not-an-email"],
        ["Door", "Beta", "(100)", "2026-03-01", "b@beta.test"],
    ])
    report = run_import(path, ImportOptions(), manager)
    assert report.rejected and Deal.select().count() == 0
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "Amount"), (3, "Close date"), (3, "Email"), (4, "Amount")]
    assert "'lots' is not an amount" in report.errors[0].message
    assert "not a real date" in report.errors[1].message
    assert "cannot be negative" in report.errors[3].message


def test_unknown_stages_stop_the_import_with_one_message_per_value(manager, stages, make_xlsx):
    path = make_xlsx([
        ["Title", "Stage"], ["A", "Demo booked"], ["B", "Qualified"], ["C", "demo booked"],
        ["D", "Parked"],
    ])
    report = run_import(path, ImportOptions(skip_invalid=True), manager)
    assert report.rejected and Deal.select().count() == 0
    messages = [e.message for e in report.errors]
    assert len(messages) == 2
    assert "'Demo booked' is not a stage" in messages[0] and "rows 2, 4" in messages[0]
    assert "Qualified" in messages[0]  # the stages are listed
    mapped = ImportOptions(stage_mapping={"Demo booked": "Qualified", "Parked": "Nurturing"})
    assert run_import(path, mapped, manager).created == 4
    assert Deal.get(Deal.title == "C").stage.name == "Qualified"


def test_an_ambiguous_amount_column_asks_instead_of_guessing(manager, stages, make_xlsx):
    path = make_xlsx([["Title", "Amount"], ["A", "1,500"], ["B", "2,250"]])
    report = run_import(path, ImportOptions(), manager)
    assert report.rejected and report.ambiguous_amounts == {
        "Amount": AmbiguousAmounts(["1,500", "2,250"], 2, 2)}
    assert "could be thousands or decimals" in report.errors[0].message
    answered = run_import(path, ImportOptions(decimal={"Amount": "."}), manager)
    assert answered.created == 2
    assert Deal.get(Deal.title == "A").value == Decimal("1500.00")


def test_undecidable_dates_fall_back_to_the_locale_and_say_so(manager, stages, make_xlsx):
    path = make_xlsx([["Title", "Close date"], ["A", "03/04/2026"]])
    report = run_import(path, ImportOptions(locale_day_first=True), manager)
    assert "read as day/month, the order of the system locale" in report.warnings[0]
    assert Deal.get().expected_close == date(2026, 4, 3)


def test_rows_are_named_as_the_sheet_numbers_them_when_it_starts_lower_down(
    manager, stages, make_xlsx
):
    """A tracker whose first rows and first column are empty (the table starts at B3): the
    header is row 3 and a bad cell on row 5 is reported as row 5, in the report and in the
    problems workbook."""
    path = make_xlsx([[], [], [None, "Title", "Company", "Amount"],
                      [None, "Roof", "Acme", 100.0], [None, "Door", "Beta", "twelve"]])
    report = run_import(path, ImportOptions(), manager)
    assert report.header_row == 3
    assert [(e.row, e.column) for e in report.errors] == [(5, "Amount")]
    problems = openpyxl.load_workbook(report.problems_workbook).active
    assert [c.value for c in problems[2]] == ["Door", "Beta", "twelve",
                                              "Amount: 'twelve' is not an amount.", 5]
