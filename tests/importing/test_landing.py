"""The preview's first rows as they will land: the file read as Funnelcast reads it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.deals import DealDraft, create_deal
from app.importing import ImportOptions, run_import
from app.importing.landing import LANDING_ROWS


def test_the_first_rows_land_with_their_stage_owner_amount_and_date(manager, stages,
                                                                      make_csv):
    create_deal(DealDraft(title="Roof", company="Acme", value=Decimal("100")), manager)
    path = make_csv([
        ["Deal", "Client", "Amount", "Close date", "Stage", "Rep"],
        ["Roof", "Acme", "$120.00", "2027-02-01", "", ""],  # an update: the amount changes
        ["Door", "Beta", "1,200.50", "21/03/2027", "", "Maria Manager"],  # a new deal
        ["", "Gamma", "300", "", "Closed won", "Sam New"],  # titled with its company
        ["Wall", "Delta", "lots", "", "Qualified", ""],  # skipped
    ])
    report = run_import(path, ImportOptions(dry_run=True, skip_invalid=True), manager)
    sample = report.landing
    assert sample.labels == ("Title", "Company", "Value", "Expected close", "Stage", "Owner")
    assert [(r.row, r.action, r.values, r.note) for r in sample.rows] == [
        (2, "update", ("Roof", "Acme", Decimal("120.00"), date(2027, 2, 1), None, None),
         "Changes Value, Expected close"),
        (3, "create", ("Door", "Beta", Decimal("1200.50"), date(2027, 3, 21), "Suspect",
                       "Maria Manager"), "New deal"),
        (4, "create", ("Gamma", "Gamma", Decimal("300.00"), None, "Won", "Sam New"),
         "New deal"),
        (5, "invalid", ("Wall", "Delta", None, None, "Qualified", None),
         "Skipped: 'lots' is not an amount."),
    ]
    assert sample.new_names == {"Sam New"}


def test_only_the_first_rows_are_sampled(manager, stages, make_csv):
    path = make_csv([["Title", "Company"],
                     *([f"Deal {n}", "Acme"] for n in range(LANDING_ROWS + 5))])
    sample = run_import(path, ImportOptions(dry_run=True), manager).landing
    assert [r.values for r in sample.rows] == [(f"Deal {n}", "Acme")
                                               for n in range(LANDING_ROWS)]
