"""Planning an import: what a row does to the deal it matches."""

from __future__ import annotations

from decimal import Decimal

from app.deals import DealDraft, create_deal, get_deal
from app.importing import ImportOptions, run_import
from db.models import Deal


def test_a_sheet_without_titles_updates_a_deal_but_keeps_its_title(manager, stages,
                                                                    make_csv):
    deal = create_deal(DealDraft(title="Starter plan", company="Acme",
                                 contact_email="ann@acme.example", value=Decimal("100")),
                       manager)
    path = make_csv([["Company", "Email", "Amount"], ["Acme", "ann@acme.example", "120"],
                     ["Beta", "bo@beta.example", "50"]])
    report = run_import(path, ImportOptions(), manager)
    assert (report.created, report.updated) == (1, 1)
    after = get_deal(deal.id)
    assert after.title == "Starter plan" and after.value == Decimal("120.00")
    # A row that creates a deal is still titled with its company.
    assert Deal.get(Deal.company == "Beta").title == "Beta"


def test_a_blank_title_cell_never_renames_the_matched_deal(manager, stages, make_csv):
    deal = create_deal(DealDraft(title="Starter plan", company="Acme",
                                 contact_email="ann@acme.example"), manager)
    path = make_csv([["Title", "Company", "Email"], ["", "Acme", "ann@acme.example"]])
    report = run_import(path, ImportOptions(), manager)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    assert get_deal(deal.id).title == "Starter plan"
    assert get_deal(deal.id).version == deal.version


def test_an_ambiguous_amount_column_is_a_problem_of_the_column_not_of_row_1(manager, stages,
                                                                              make_xlsx):
    path = make_xlsx([["Title", "Amount", "Email"], ["A", "1,500", "a@x.example"],
                      ["B", "2,250", "nobody"]])
    report = run_import(path, ImportOptions(dry_run=True), manager)
    assert [(e.row, e.column) for e in report.errors] == [(None, "Amount"), (3, "Email")]
    assert report.as_dict()["errors"][0]["row"] is None
    text = report.describe()
    assert "  column Amount: Amounts such as '1,500', '2,250'" in text
    assert "row 1," not in text and "  row 3, Email: " in text
