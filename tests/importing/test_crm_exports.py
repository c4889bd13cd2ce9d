"""Exports shaped like those of HubSpot, Pipedrive, Salesforce and Odoo import without any
mapping by hand, and their record ids make a re-import update instead of duplicate."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from app.importing import ImportOptions, run_import
from db.models import Deal, Rep, StageChange


def deals_by_title():
    return {d.title: d for d in Deal.select()}


def test_hubspot_export(manager, stages, make_xlsx):
    path = make_xlsx([
        ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Deal owner",
         "Pipeline", "Associated Company"],
        ["9001", "Acme renewal", "closedwon", 12500.0, datetime(2026, 3, 21, 0, 0),
         "Maria Manager", "Sales Pipeline", "Acme"],
        ["9002", "Beta rollout", "Qualified", 4000.5, datetime(2026, 4, 2), "Hana Hub",
         "Sales Pipeline", "Beta"],
    ], name="hubspot-deals.xlsx")
    report = run_import(path, ImportOptions(), manager)
    assert (report.created, report.errors, report.unmapped) == (2, [], ["Pipeline"])
    deals = deals_by_title()
    assert deals["Acme renewal"].stage.outcome == "won"
    assert deals["Acme renewal"].external_id == "9001"
    assert deals["Acme renewal"].expected_close == date(2026, 3, 21)
    assert deals["Beta rollout"].value == Decimal("4000.50")
    assert deals["Beta rollout"].owner.name == "Hana Hub"
    assert report.new_owners == ["Hana Hub"]
    assert StageChange.select().where(StageChange.origin == "import").count() == 2


def test_pipedrive_export(manager, stages, make_csv):
    path = make_csv([
        ["Deal - ID", "Deal - Title", "Deal - Value", "Deal - Currency", "Deal - Stage",
         "Deal - Owner", "Deal - Expected close date", "Organization - Name", "Person - Name",
         "Person - Email"],
        ["17", "Website redesign", "8,000.00", "USD", "Proposal", "Maria Manager",
         "2026-05-31", "Gamma Ltd", "Gina Gamma", "gina@gamma.test"],
        ["18", "Hosting", "1,200.00", "USD", "Lost", "Maria Manager", "2026-06-30",
         "Delta", "Dan", "dan@delta.test"],
    ], name="pipedrive.csv")
    report = run_import(path, ImportOptions(), manager)
    assert report.created == 2 and not report.errors
    deal = deals_by_title()["Website redesign"]
    assert (deal.company, deal.contact_name, deal.contact_email) == (
        "Gamma Ltd", "Gina Gamma", "gina@gamma.test")
    assert deal.value == Decimal("8000.00") and deal.stage.name == "Proposal"
    assert deals_by_title()["Hosting"].stage.outcome == "lost"
    assert report.unmapped == ["Deal - Currency"]


def test_salesforce_export(manager, stages, make_xlsx):
    path = make_xlsx([
        ["Opportunity Owner", "Account Name", "Opportunity Name", "Stage", "Amount",
         "Close Date", "Lead Source", "Opportunity ID"],
        ["Maria Manager", "Epsilon", "Epsilon - 500 seats", "Negotiation", 50000.0,
         "3/21/2026", "Web", "0065g00000AbCdE"],
    ], name="salesforce.xlsx")
    report = run_import(path, ImportOptions(), manager)
    assert report.created == 1 and not report.errors
    deal = deals_by_title()["Epsilon - 500 seats"]
    assert deal.expected_close == date(2026, 3, 21)
    assert deal.source.name == "Web" and deal.external_id == "0065g00000AbCdE"


def test_odoo_export(manager, stages, make_xlsx):
    path = make_xlsx([
        ["Opportunity", "Company Name", "Contact Name", "Email", "Expected Revenue",
         "Expected Closing", "Salesperson", "Source", "Stage"],
        ["Zeta ERP", "Zeta", "Zoe", "zoe@zeta.test", 7300.0, date(2026, 7, 1),
         "Maria Manager", "Referral", "Won"],
    ], name="odoo.xlsx")
    report = run_import(path, ImportOptions(), manager)
    assert report.created == 1 and not report.errors
    deal = deals_by_title()["Zeta ERP"]
    assert deal.stage.outcome == "won" and deal.contact_email == "zoe@zeta.test"


def test_a_second_export_with_changes_updates_by_record_id(manager, stages, make_xlsx):
    header = ["Record ID", "Deal Name", "Deal Stage", "Amount"]
    first = make_xlsx([header, ["1", "Roof", "Qualified", 100.0], ["2", "Door", "Proposal", 5.0]],
                      name="first.xlsx")
    run_import(first, ImportOptions(), manager)
    second = make_xlsx([header, ["1", "Roof (renamed)", "Proposal", 100.0],
                        ["2", "Door", "Proposal", 5.0]], name="second.xlsx")
    report = run_import(second, ImportOptions(), manager)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    roof = Deal.get(Deal.external_id == "1")
    assert roof.title == "Roof (renamed)" and roof.stage.name == "Proposal"
    moves = StageChange.select().where(StageChange.deal == roof.id).order_by(StageChange.id)
    assert [(m.from_stage_id, m.to_stage.name, m.origin) for m in moves] == [
        (None, "Qualified", "import"), (stages["Qualified"].id, "Proposal", "import")]
    assert Rep.select().count() == 1
