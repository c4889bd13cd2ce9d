"""The weekly workbook read back with openpyxl: sheets, tables, validations, formats,
hidden columns, conditional formats, charts, totals with their cached results, and user
text that stays text."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from app.exporting.deals_sheet import COLUMNS

HEADERS = [c[0] for c in COLUMNS]


def _deals_header(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[2]}


def test_sheets_tables_and_names_are_what_excel_expects(exported):
    book = openpyxl.load_workbook(exported.path)
    assert book.sheetnames == ["Summary", "Deals", "Reps", "Sources", "Activities",
                               "Stage history",
                               "Stages"]
    names = []
    for sheet in book.worksheets:
        for table in sheet.tables.values():
            names.append(table.displayName)
            min_col, min_row, max_col, max_row = range_boundaries(table.ref)
            assert min_row == 2  # under the totals row, over the data
            headers = [sheet.cell(2, c).value for c in range(min_col, max_col + 1)]
            assert headers == [c.name for c in table.tableColumns]
            assert max_row == max(sheet.max_row, 3)  # exactly the data, no more, no less
            assert table.autoFilter.ref == table.ref
            assert sheet.freeze_panes == "A3"
    assert sorted(names) == ["ActivitiesTable", "DealsTable", "RepsTable", "SourcesTable",
                             "StageHistoryTable"]
    assert len(set(names)) == len(names)
    stage_names = book.defined_names["StageNames"]
    (sheet_title, ref), = stage_names.destinations
    stages = [c.value for c in book[sheet_title][ref.replace("$", "")] for c in c]
    assert stages[:2] == ["Suspect", "Nurturing"] and "Won" in stages and None not in stages


def test_deals_sheet_has_real_dates_money_a_stage_dropdown_and_hidden_ids(exported):
    book = openpyxl.load_workbook(exported.path)
    sheet = book["Deals"]
    column = _deals_header(sheet)
    assert list(column) == HEADERS
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == exported.result.deals > 50
    dated = next(r for r in sheet.iter_rows(min_row=3)
                 if r[column["Expected close"] - 1].value is not None)
    assert isinstance(dated[column["Expected close"] - 1].value, datetime)
    assert dated[column["Expected close"] - 1].is_date
    assert isinstance(dated[column["Created"] - 1].value, datetime)
    value_cell = dated[column["Value"] - 1]
    assert value_cell.number_format == '"$"#,##0.00;-"$"#,##0.00'
    for name in ("Deal UUID", "Version"):
        letter = openpyxl.utils.get_column_letter(column[name])
        assert sheet.column_dimensions[letter].hidden
    assert not sheet.column_dimensions["A"].hidden
    assert sheet.column_dimensions["A"].width > 20  # the titles fit
    uuids = {r[column["Deal UUID"] - 1] for r in rows}
    assert set(exported.injected) <= uuids
    assert all(isinstance(r[column["Version"] - 1], int) for r in rows)
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list" and validation.formula1 == "=StageNames"
    stage_letter = openpyxl.utils.get_column_letter(column["Stage"])
    assert str(validation.sqref) == f"{stage_letter}3:{stage_letter}{len(rows) + 2}"


def test_every_injection_string_comes_back_as_text(exported):
    book = openpyxl.load_workbook(exported.path)
    sheet = book["Deals"]
    column = _deals_header(sheet)
    seen = {}
    for row in sheet.iter_rows(min_row=3):
        uuid = row[column["Deal UUID"] - 1].value
        if uuid in exported.injected:
            for name in ("Company", "Phone", "Next step"):
                cell = row[column[name] - 1]
                assert cell.data_type == "s", (name, cell.value)
                assert cell.value == exported.injected[uuid]
            seen[uuid] = row[column["Title"] - 1].value
    assert len(seen) == len(exported.injected)
    with zipfile.ZipFile(exported.path) as archive:
        deals_xml = archive.read("xl/worksheets/sheet2.xml")  # the second sheet
    formulas = re.findall(rb'<c r="([A-Z]+)(\d+)"[^>]*><f>', deals_xml)
    assert formulas and all(row == b"1" for _, row in formulas)  # only the totals


def test_totals_are_subtotal_formulas_with_the_right_cached_results(exported):
    formulas = openpyxl.load_workbook(exported.path)
    cached = openpyxl.load_workbook(exported.path, data_only=True)
    deals, deals_cached = formulas["Deals"], cached["Deals"]
    column = _deals_header(deals)
    last = deals.max_row
    value = openpyxl.utils.get_column_letter(column["Value"])
    assert deals[f"{value}1"].value == f"=SUBTOTAL(109,{value}3:{value}{last})"
    values = [r[0] for r in deals.iter_rows(min_row=3, min_col=column["Value"],
                                            max_col=column["Value"], values_only=True)]
    assert Decimal(str(deals_cached[f"{value}1"].value)) == sum(
        (Decimal(str(v)) for v in values), Decimal(0))
    assert deals_cached["A1"].value == len(values)
    summary, summary_cached = formulas["Summary"], cached["Summary"]
    checked = 0
    for row in summary.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("=SUBTOTAL"):
                first, last_ = re.search(r"(\d+):[A-Z]+(\d+)", cell.value).groups()
                parts = [summary.cell(r, cell.column).value for r in range(int(first),
                                                                             int(last_) + 1)]
                expected = sum((Decimal(str(p)) for p in parts if p is not None), Decimal(0))
                got = summary_cached.cell(cell.row, cell.column).value
                assert Decimal(str(got)) == expected, cell.coordinate
                checked += 1
    assert checked == 6  # stage table: count, value, weighted; reps: quota, won, expected
    activities = cached["Activities"]
    hours = [r[4] for r in activities.iter_rows(min_row=3, values_only=True)]
    assert Decimal(str(activities["E1"].value)) == sum(Decimal(str(h)) for h in hours)


def test_summary_has_the_figures_two_charts_and_verdict_colours(exported):
    from app.forecast import compute_forecast, period_of

    book = openpyxl.load_workbook(exported.path)
    sheet = book["Summary"]
    labels = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=4, max_row=11)}
    forecast = compute_forecast(period_of(date.today()))
    assert Decimal(str(labels["Won to date"])) == forecast.team.won
    assert labels["Verdict"] == forecast.team.verdict and labels["Reason"]
    assert set(labels) >= {"Team", "Week", "Quota", "Expected", "Probability of quota"}
    assert len(sheet._charts) == 2
    titles = sorted("".join(r.t for p in c.title.tx.rich.p for r in p.r) for c in sheet._charts)
    assert titles == ["Open pipeline by stage (deals)", "Won against quota by rep"]
    rules = {rule.formula[0]: rule for cf in sheet.conditional_formatting for rule in cf.rules}
    colours = {f.split('"')[1]: r.dxf.fill.fgColor.rgb[-6:] for f, r in rules.items()
               if f.startswith("$F")}
    assert colours == {"on track": "C6EFCE", "needs more pipeline": "FFEB9C",
                       "capacity-bound": "FFEB9C", "out of reach": "FFC7CE"}


def test_reps_sheet_has_hours_and_revenue_per_selling_hour(exported):
    sheet = openpyxl.load_workbook(exported.path)["Reps"]
    header = [c.value for c in sheet[2]]
    assert header[:5] == ["Rep", "Quota", "Won", "Expected", "Probability"]
    assert {"Leads needed", "Hours needed", "Hours available", "Selling hours this week",
            "Revenue per selling hour (quarter)"} <= set(header)
    assert sheet.max_row - 2 >= 5  # the demo's reps


@pytest.mark.sqlite_only  # a 40,000-character company: PostgreSQL's varchar(255) refuses it
def test_text_over_the_cell_limit_is_cut_with_a_marker_and_reported(demo, tmp_path):
    from app.exporting import export_weekly_workbook
    from app.exporting.cells import CELL_LIMIT
    from db.models import Deal, Stage

    open_deal = (Deal.select(Deal.id).join(Stage).where(Stage.outcome == "open")
                 .order_by(Deal.id).first())
    Deal.update(company="x" * 40_000).where(Deal.id == open_deal.id).execute()
    result = export_weekly_workbook(tmp_path / "long.xlsx")
    # The company shows on the Deals sheet and beside the deal's activities and moves.
    assert any(re.fullmatch(r"Deals row \d+, Company", where) for where in result.cut)
    assert all(where.endswith(", Company") for where in result.cut)
    assert "were cut: Deals row" in result.describe()
    sheet = openpyxl.load_workbook(tmp_path / "long.xlsx")["Deals"]
    long = [r[1] for r in sheet.iter_rows(min_row=3, values_only=True)
            if r[1] and r[1].startswith("xxx")]
    assert len(long) == 1 and len(long[0]) == CELL_LIMIT
    assert long[0].endswith("… [cut: 40,000 characters]")


@pytest.mark.parametrize("week", ["2025-W53", "2026-13", "W49"])
def test_a_week_that_does_not_exist_is_refused(week):
    from app.errors import ValidationError
    from app.exporting import parse_week

    with pytest.raises(ValidationError, match="YYYY-Www"):
        parse_week(week)


def test_weeks_read_back_and_name_the_file():
    from app.exporting import parse_week, week_of

    week = parse_week("2026-w1")
    assert (week.label, week.start, week.end) == ("2026-W01", date(2025, 12, 29),
                                                    date(2026, 1, 4))
    assert week_of(date(2026, 12, 4)).file_name == "pipeline-2026-W49.xlsx"


def test_sources_sheet_is_the_reports_lead_economics_for_the_quarter_to_date(exported):
    from app.forecast import period_of
    from app.reports import ReportScope, source_report

    period = period_of(date.today())
    report = source_report(ReportScope(period.start, date.today(), "to date"))
    sheet = openpyxl.load_workbook(exported.path)["Sources"]
    cached = openpyxl.load_workbook(exported.path, data_only=True)["Sources"]
    header = [c.value for c in sheet[2]]
    assert header[:6] == ["Source", "Leads", "Sales-ready", "Wins", "Won value", "Spend"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == [s.name for s in report.sources]
    for row, figures in zip(rows, report.sources, strict=True):
        assert row[1:4] == (figures.leads, figures.sales_ready, figures.wins)
        assert Decimal(str(row[4])) == figures.won_value
    assert cached["B1"].value == sum(s.leads for s in report.sources)
    assert sheet["B1"].value == f"=SUBTOTAL(109,B3:B{len(rows) + 2})"
