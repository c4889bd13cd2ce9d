"""Rows written as XML and spliced into a sheet read back exactly: any text (as text, never
a formula), numbers, dates and times."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import python_calamine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from app.exporting.cached_values import finish_package
from app.exporting.cells import NOT_XML, TextCells
from app.exporting.row_xml import RowWriter, serial

texts = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60)


def _write(tmp_path, rows: list[tuple]) -> list[list]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Deals")
    sheet.append(["Text", "Number", "Day", "Moment"])
    rows_file = (tmp_path / "rows.xml").open("w+b")
    writer = RowWriter(rows_file, [("A", "text", None), ("B", "number", None),
                                   ("C", "date", None), ("D", "date", None)])
    cells = TextCells()
    for number, (text, amount, day, moment) in enumerate(rows, 2):
        writer.write(number, (cells.clean(text), amount, day, moment))
    book.save(tmp_path / "saved.xlsx")
    finish_package(tmp_path / "saved.xlsx", tmp_path / "done.xlsx", {},
                   {sheet.path.lstrip("/"): rows_file})
    rows_file.close()
    read = python_calamine.CalamineWorkbook.from_path(str(tmp_path / "done.xlsx"))
    return read.get_sheet_by_name("Deals").to_python()


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
def test_any_text_reads_back_as_the_same_text(tmp_path, text):
    rows = _write(tmp_path, [(text, Decimal("12.50"), date(2026, 12, 4),
                              datetime(2026, 12, 4, 9, 30))])
    expected = NOT_XML.sub("", text)
    assert rows[1][0] == (expected if expected else "")


def test_formulas_numbers_dates_and_times_keep_their_kind(tmp_path):
    rows = _write(tmp_path, [
        ('=HYPERLINK("http://x","y")', Decimal("1234.56"), date(2026, 2, 28),
         datetime(2026, 12, 4, 17, 45, 30)),
        ("  <b>&amp; spaced\r\n  ", Decimal("0.01"), None, datetime(1999, 1, 1)),
    ])
    assert rows[1][:2] == ['=HYPERLINK("http://x","y")', 1234.56]
    # Serial day numbers (the Deals sheet's date styles make them dates: test_workbook).
    assert rows[1][2] == 46081  # 28 Feb 2026 in Excel
    assert abs(rows[1][3] - (46360 + (17 * 3600 + 45 * 60 + 30) / 86400)) < 1e-9
    assert rows[2][0] == "  <b>&amp; spaced\r\n  " and rows[2][2] in ("", None)
    assert serial(date(1900, 3, 1)) == "61"  # Excel's serial (after its 29 Feb 1900)
