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


def _plan_rows(path):
    """Each row's planned action, as the service builds the plan."""
    from app.importing.columns import map_columns
    from app.importing.header import find_header
    from app.importing.plan import build_plan
    from app.importing.read import read_sheet
    from app.importing.values import clean_text
    from app.pipeline import list_stages

    table = read_sheet(path)
    header = find_header(table.rows, table.sheet)
    mapping = map_columns([clean_text(v) for v in table.rows[header][1]])
    plan = build_plan(table, header, mapping, list_stages())
    return [(r.row, r.action, r.position, r.uuid) for r in plan.rows]


def test_a_first_import_of_distinct_rows_plans_as_one_beside_an_unrelated_deal(
    manager, stages, make_csv
):
    """A first import of distinct new deals skips the row-by-row matching; it must plan
    exactly what the matching finds once the database holds a deal (here one no row is)."""
    rows = [["Title", "Company", "Email"], ["Roof", "Acme", "a@acme.test"],
            ["Roof", "Beta", "b@beta.test"], ["Door", "", "c@c.test"],
            ["Door", "", "d@d.test"], ["Gate", "Acme", ""]]
    path = make_csv(rows)
    first = _plan_rows(path)
    assert [action for _, action, _, _ in first] == ["create"] * 5
    create_deal(DealDraft(title="Unrelated", company="Zeta"), manager)
    assert _plan_rows(path) == first
    # A repeated company and title is a conflict either way.
    repeated = make_csv([*rows, ["roof", "ACME", ""]], name="repeated.csv")
    assert [action for _, action, _, _ in _plan_rows(repeated)][-1] == "invalid"
    Deal.delete().where(Deal.title == "Unrelated").execute()
    assert [action for _, action, _, _ in _plan_rows(repeated)][-1] == "invalid"


def test_a_reimport_of_more_than_500_deals_finds_each_change(manager, stages, make_csv):
    """Matched deals are read 500 at a time: a change in the second batch is found, and
    the rest are unchanged."""
    header = ["Title", "Company", "Amount"]
    rows = [[f"Deal {n}", f"Company {n}", str(100 + n)] for n in range(1200)]
    assert run_import(make_csv([header, *rows]), ImportOptions(), manager).created == 1200
    rows[777][2] = "5000"
    report = run_import(make_csv([header, *rows], name="again.csv"), ImportOptions(), manager)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1199)
    assert Deal.get(Deal.title == "Deal 777").value == Decimal("5000.00")


def test_number_cells_out_of_range_are_named_by_row_in_a_column_of_numbers(manager, stages,
                                                                            make_xlsx):
    """A column of number cells only (the usual export) is checked in one pass; a negative
    or too large number in it is still reported on its own row, and the others imported."""
    path = make_xlsx([["Title", "Amount"], ["A", 1200.5], ["B", -40.0], ["C", 1e15],
                      ["D", 0.125]])
    report = run_import(path, ImportOptions(skip_invalid=True), manager)
    assert [(e.row, e.column) for e in report.errors] == [(3, "Amount"), (4, "Amount")]
    assert report.errors[0].message.startswith("-40.0 is negative")
    assert "too large" in report.errors[1].message
    assert {d.title: d.value for d in Deal.select()} == {
        "A": Decimal("1200.50"), "D": Decimal("0.12")}


def test_where_two_deals_share_a_key_the_row_updates_the_older_one(manager, stages, make_csv):
    older = create_deal(DealDraft(title="Roof", company="Acme",
                                  contact_email="ann@acme.example"), manager)
    newer = create_deal(DealDraft(title="Roof", company="ACME",
                                  contact_email="Ann@Acme.example"), manager)
    path = make_csv([["Title", "Company", "Email", "Amount"],
                     ["roof", "Acme", "ann@acme.example", "120"],
                     ["Gutters", "acme", "ANN@acme.example", "80"]])
    report = run_import(path, ImportOptions(skip_invalid=True), manager)
    # Both rows name the older deal (one by title, one by email): the first updates it and
    # the second is reported as describing the same deal; the newer deal is left alone.
    assert (report.created, report.updated) == (0, 1)
    assert [c.row for c in report.conflicts] == [3]
    assert get_deal(older.id).value == Decimal("120.00")
    assert get_deal(newer.id).version == newer.version
