"""Reading files, including hostile and broken ones: each gets one clear sentence (a
UsageError), no traceback, no hang, no memory blow-up."""

from __future__ import annotations

import codecs
import os
import re
import threading
import zipfile
from datetime import date

import openpyxl
import pytest

from app.errors import UsageError
from app.importing import inspect_file, list_sheets
from app.importing.read import (
    CFB_MAGIC,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    SheetCache,
    read_sheet,
    sniff_delimiter,
)
from tests.importing.conftest import SHEET_HEAD


def test_an_xlsx_reads_with_real_row_numbers_and_skips_blank_rows(make_xlsx):
    path = make_xlsx([["Title", "Value"], [], ["Roof", 1200], [None, None], ["Door", 300]])
    table = read_sheet(path)
    assert [n for n, _ in table.rows] == [1, 3, 5]
    assert table.rows[1][1] == ["Roof", 1200.0]


def test_the_sheet_can_be_chosen_and_a_wrong_name_is_explained(make_xlsx):
    path = make_xlsx(sheets={"Notes": [["hello"]], "Leads": [["Title", "Company"], ["A", "B"]]})
    assert list_sheets(path) == ["Notes", "Leads"]
    assert read_sheet(path, "Leads").rows[1][1] == ["A", "B"]
    with pytest.raises(UsageError, match=r"no sheet called 'Deals'\. Sheets: Notes, Leads"):
        read_sheet(path, "Deals")


def test_a_formula_cell_imports_its_cached_value(make_raw_xlsx):
    path = make_raw_xlsx(SHEET_HEAD + '<sheetData>'
                         '<row r="1"><c r="A1" t="inlineStr"><is><t>Title</t></is></c>'
                         '<c r="B1" t="inlineStr"><is><t>Value</t></is></c></row>'
                         '<row r="2"><c r="A2" t="inlineStr"><is><t>Roof</t></is></c>'
                         '<c r="B2"><f>1000+200</f><v>1200</v></c></row>'
                         '</sheetData></worksheet>')
    assert read_sheet(path).rows[1][1] == ["Roof", 1200.0]


def test_a_date_cell_holding_a_number_no_date_has_is_refused_with_a_sentence(tmp_path):
    """calamine panics turning -1e15 formatted as a date into one (a BaseException that
    would pass every handler and end the program)."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["Title", "Expected close"])
    workbook.active.append(["Roof", -1e15])
    workbook.active["B2"].number_format = "yyyy-mm-dd"
    path = tmp_path / "dates.xlsx"
    workbook.save(path)
    with pytest.raises(UsageError, match=r"The sheet 'Sheet' of dates.xlsx, row 2: a cell "
                                         "formatted as a date holds a number no date has"):
        read_sheet(path)


def test_not_a_spreadsheet(tmp_path):
    path = tmp_path / "photo.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    with pytest.raises(UsageError, match="not a spreadsheet"):
        read_sheet(path)


def test_a_text_file_named_xlsx_is_not_a_spreadsheet(tmp_path):
    path = tmp_path / "deals.xlsx"
    path.write_text("Title,Company\nRoof,Acme\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"deals\.xlsx is not a spreadsheet.*rename it to \.csv"):
        read_sheet(path)


def test_a_csv_file_has_no_sheets_to_choose(make_csv):
    path = make_csv([["Title", "Company"], ["Roof", "Acme"]])
    with pytest.raises(UsageError, match="a CSV file has no sheets; leave out the sheet name"):
        read_sheet(path, "Nope")
    assert read_sheet(path, "CSV").rows[1][1] == ["Roof", "Acme"]  # the name it reports


def test_a_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(UsageError, match="zip archive, not a spreadsheet"):
        read_sheet(path)


def test_a_corrupt_zip(make_xlsx, tmp_path):
    good = make_xlsx([["Title", "Value"], ["Roof", 1]])
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(UsageError, match="damaged"):
        read_sheet(broken)


def test_a_password_protected_workbook(tmp_path):
    # An encrypted Office file is an OLE compound file holding an "EncryptedPackage" stream.
    path = tmp_path / "secret.xlsx"
    directory_entry = "EncryptedPackage".encode("utf-16-le").ljust(64, b"\x00")
    path.write_bytes(CFB_MAGIC + b"\x00" * 504 + directory_entry + b"\x00" * 2000)
    with pytest.raises(UsageError, match="protected with a password"):
        read_sheet(path)


def test_an_ole_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(CFB_MAGIC + b"\x00" * 4000)
    with pytest.raises(UsageError, match="could not be read as a spreadsheet"):
        read_sheet(path)


def test_an_empty_sheet(make_xlsx):
    with pytest.raises(UsageError, match="is empty"):
        inspect_file(make_xlsx([]))


def test_an_empty_file(tmp_path):
    path = tmp_path / "nothing.csv"
    path.write_bytes(b"")
    with pytest.raises(UsageError, match="is empty"):
        read_sheet(path)


def test_a_sheet_claiming_a_million_rows_is_refused_before_loading(make_raw_xlsx):
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 20))
    path = make_raw_xlsx(SHEET_HEAD + '<dimension ref="A1:B1000000"/><sheetData>' + rows
                         + '<row r="1000000"><c r="A1000000"><v>1</v></c></row>'
                         '</sheetData></worksheet>')
    with pytest.raises(UsageError, match=f"at most {MAX_ROWS:,} rows"):
        read_sheet(path)


def test_a_sheet_with_a_million_rows_and_no_dimension_is_refused(make_raw_xlsx):
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>' for n in range(1, 1_000_001))
    path = make_raw_xlsx(SHEET_HEAD + "<sheetData>" + rows + "</sheetData></worksheet>")
    with pytest.raises(UsageError, match=f"has more than {MAX_ROWS:,} rows"):
        read_sheet(path)


def test_a_csv_with_too_many_rows(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("Title,Value\n" + "x,1\n" * (MAX_ROWS + 100))
    with pytest.raises(UsageError, match="Split the file"):
        read_sheet(path)


def test_an_xml_entity_bomb_is_refused(make_raw_xlsx):
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{"&lol" + str(i - 1) + ";" if i else "&lol;"}' * 10
                      + '">' for i in range(1, 9))
            + ']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
              'count="1" uniqueCount="1"><si><t>&lol8;</t></si></sst>')
    path = make_raw_xlsx(SHEET_HEAD + '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
                         '</row></sheetData></worksheet>',
                         extra={"xl/sharedStrings.xml": bomb.encode()})
    with pytest.raises(UsageError, match="declares XML entities"):
        read_sheet(path)


def test_a_zip_bomb_is_refused_by_its_expansion_ratio(make_raw_xlsx):
    path = make_raw_xlsx(SHEET_HEAD + "<sheetData/></worksheet>",
                         extra={"xl/media/padding.bin": b"\x00" * (50 * 1024 * 1024)})
    with pytest.raises(UsageError, match="zip bomb"):
        read_sheet(path)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_csv_encodings_are_sniffed(tmp_path, encoding):
    path = tmp_path / "deals.csv"
    path.write_bytes("Title,Company\nCafé crème,Müller & Söhne\n".encode(encoding))
    assert read_sheet(path).rows[1][1] == ["Café crème", "Müller & Söhne"]


def test_utf16_without_bom_is_sniffed(tmp_path):
    path = tmp_path / "deals.csv"
    path.write_bytes("Title\tCompany\nRoof\tAcme\n".encode("utf-16-le"))
    assert codecs.BOM_UTF16_LE not in path.read_bytes()[:2]
    assert read_sheet(path).rows[1][1] == ["Roof", "Acme"]


def test_delimiters_are_sniffed():
    assert sniff_delimiter(["a;b;c", "1;2,5;3"]) == ";"
    assert sniff_delimiter(["a\tb", "1\t2"]) == "\t"
    assert sniff_delimiter(["a,b", "1,2"]) == ","


def test_date_cells_come_back_as_dates(make_xlsx):
    path = make_xlsx([["Title", "Close date"], ["Roof", date(2026, 3, 21)]])
    assert read_sheet(path).rows[1][1][1] == date(2026, 3, 21)


ODS_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">
<office:body><office:spreadsheet><table:table table:name="Deals">
<table:table-row>
 <table:table-cell office:value-type="string"><text:p>Title</text:p></table:table-cell>
 <table:table-cell office:value-type="string"><text:p>Amount</text:p></table:table-cell>
 <table:table-cell office:value-type="string"><text:p>Close date</text:p></table:table-cell>
</table:table-row>
<table:table-row>
 <table:table-cell office:value-type="string"><text:p>Roof</text:p></table:table-cell>
 <table:table-cell office:value-type="float" office:value="1200.5"><text:p>1200,5</text:p>
 </table:table-cell>
 <table:table-cell office:value-type="date" office:date-value="2026-03-21">
  <text:p>21/03/2026</text:p></table:table-cell>
</table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"""
ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
 manifest:version="1.2">
<manifest:file-entry manifest:full-path="/"
 manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def test_a_libreoffice_ods_file_is_read(tmp_path):
    path = tmp_path / "deals.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        archive.writestr("content.xml", re.sub(r">\s+<", "><", ODS_CONTENT))
    table = read_sheet(path)  # (LibreOffice writes no whitespace between cells, nor do we)
    assert table.sheet_names == ["Deals"]
    assert table.rows[1] == (2, ["Roof", 1200.5, date(2026, 3, 21)])


def test_the_sheet_cache_answers_for_the_same_sheet_of_an_unchanged_file(make_xlsx):
    path = make_xlsx(sheets={"Deals": [["Title"], ["Roof"]], "Old": [["Title"], ["Door"]]})
    cache = SheetCache()
    first = cache.read(path)  # the first visible sheet
    assert first.sheet == "Deals"
    assert cache.read(path, "Deals") is first and cache.read(path) is first
    other = cache.read(path, "Old")
    assert other is not first and [v for _, v in other.rows] == [["Title"], ["Door"]]
    assert cache.read(path, None) is not other  # the default sheet is "Deals" again
    cache.clear()
    assert cache.read(path, "Deals") is not first


def test_a_sheet_read_while_the_cache_is_cleared_is_not_kept(make_xlsx, monkeypatch):
    """The wizard closes while its worker is still reading: that reading must not fill the
    emptied cache again (the sheet would stay in memory with nothing to use it)."""
    import app.importing.read as read_module

    path = make_xlsx([["Title"], ["Roof"]])
    cache = SheetCache()
    real = read_module.read_sheet

    def read_while_closing(*args):
        cache.clear()  # the window, meanwhile
        return real(*args)

    monkeypatch.setattr(read_module, "read_sheet", read_while_closing)
    table = cache.read(path)
    assert [v for _, v in table.rows] == [["Title"], ["Roof"]]
    monkeypatch.setattr(read_module, "read_sheet", real)
    assert cache.read(path) is not table  # nothing was kept: read afresh


def test_rows_of_uneven_length_are_numbered_and_blank_ones_dropped():
    """calamine pads every row to the sheet's width; should a row come shorter, a blank one
    is still dropped and the others keep their sheet row numbers."""
    from app.importing.read import _numbered_rows

    rows = [["Title", "Value"], [""], ["Roof", 1.0], ["", ""], ["Door"]]
    assert _numbered_rows(rows, 3, 2) == [(3, ["Title", "Value"]), (5, ["Roof", 1.0]),
                                           (7, ["Door"])]
    assert _numbered_rows(rows[2:4], 1, 2) == [(1, ["Roof", 1.0])]


# --- Hostile files within the size limit: refused from their XML, before calamine's grid --


def _two_cells(far: str) -> str:
    """A sheet of a header in A1 and one number at ``far``, with no <dimension> tag."""
    row = re.sub(r"[A-Z]+", "", far)
    return (SHEET_HEAD + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Title</t></is>'
            f'</c></row><row r="{row}"><c r="{far}"><v>1</v></c></row></sheetData></worksheet>')


def test_a_tiny_sheet_reaching_the_last_cell_of_excel_is_refused(make_raw_xlsx):
    # 2 KB on disk; calamine's grid for it would be 512 GiB (the process used to abort).
    path = make_raw_xlsx(_two_cells("XFD1048576"), name="corner.xlsx")
    assert path.stat().st_size < 4096
    with pytest.raises(UsageError, match=rf"'Deals' of corner\.xlsx has more than "
                                         rf"{MAX_ROWS:,} rows"):
        read_sheet(path)


def test_a_tiny_sheet_spanning_too_many_cells_is_refused(make_raw_xlsx):
    # Inside the row and column limits, but 100 million cells apart (it used to take 4 GB).
    path = make_raw_xlsx(_two_cells("SF200040"), name="spread.xlsx")
    with pytest.raises(UsageError, match=rf"'Deals' of spread\.xlsx spans 200,040 rows × 500 "
                                         rf"columns; .* at most {MAX_CELLS:,} cells"):
        read_sheet(path)


def test_a_sheet_wider_than_the_column_limit_is_refused(make_raw_xlsx):
    path = make_raw_xlsx(_two_cells("SG2"), name="wide.xlsx")
    with pytest.raises(UsageError, match=rf"wide\.xlsx has more than 500 columns; Funnelcast reads "
                                         rf"at most {MAX_COLUMNS} \(A to SF\)"):
        read_sheet(path)


def test_cells_without_references_count_towards_the_width(make_raw_xlsx):
    # Calamine places cells that have no r="…" one after another along the row.
    cells = '<c t="inlineStr"><is><t>x</t></is></c>' * (MAX_COLUMNS + 1)
    path = make_raw_xlsx(SHEET_HEAD + f'<sheetData><row r="1">{cells}</row></sheetData>'
                         '</worksheet>', name="loose.xlsx")
    with pytest.raises(UsageError, match=rf"loose\.xlsx has more than {MAX_COLUMNS} columns"):
        read_sheet(path)


def test_a_sheet_within_the_limits_still_reads(make_raw_xlsx):
    path = make_raw_xlsx(_two_cells("C5000"))
    table = read_sheet(path)
    assert [n for n, _ in table.rows] == [1, 5000]
    assert table.rows[1][1] == ["", "", 1.0]


def test_a_csv_with_too_many_columns_is_refused(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("Title,Company," + ",".join(f"c{i}" for i in range(MAX_COLUMNS)) + "\n")
    with pytest.raises(UsageError, match=rf"wide\.csv has {MAX_COLUMNS + 2} columns; "
                                         rf"Funnelcast reads at most {MAX_COLUMNS}"):
        read_sheet(path)


def test_a_csv_line_of_millions_of_fields_is_refused_before_it_is_split(tmp_path):
    path = tmp_path / "fields.csv"
    path.write_text("Title,Company\n" + "," * 2_000_000 + "\n")
    with pytest.raises(UsageError, match=r"fields\.csv has more than 10,000 columns"):
        read_sheet(path)


def test_a_csv_with_too_many_cells_is_refused(tmp_path):
    path = tmp_path / "cells.csv"
    width = MAX_CELLS // MAX_ROWS + 1
    line = ",".join("x" * width) + "\n"
    path.write_text(line * (MAX_CELLS // width + 2))
    with pytest.raises(UsageError, match=rf"cells\.csv holds more than {MAX_CELLS:,} cells "
                                         r"\(rows × columns: row [0-9,]+ passes the limit"):
        read_sheet(path)


def test_a_named_pipe_is_refused_without_being_opened(tmp_path):
    pipe = tmp_path / "deals.csv"
    os.mkfifo(pipe)
    # A writer that would feed the pipe if the reader opened it (it did, and waited).
    writer = threading.Thread(target=pipe.write_text, args=("Title,Company\nRoof,Acme\n",))
    writer.start()
    try:
        with pytest.raises(UsageError, match=r"deals\.csv is not a file but a named pipe"):
            read_sheet(pipe)
    finally:  # let the writer's open() return: open the other end ourselves, then drain it
        reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
        writer.join()
        os.close(reader)


def test_a_png_named_xlsx_is_called_an_image(tmp_path):
    path = tmp_path / "chart.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"IDAT data " * 500)
    with pytest.raises(UsageError, match=r"chart\.xlsx is a PNG image, not a spreadsheet: "
                                         r"choose an \.xlsx") as refused:
        read_sheet(path)
    assert "plain text" not in str(refused.value)


def test_a_utf16_sheet_is_named_as_such_not_called_empty(make_raw_xlsx):
    sheet = _two_cells("B2").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    path = make_raw_xlsx(codecs.BOM_UTF16_LE + sheet.encode("utf-16-le"), name="wide16.xlsx")
    with pytest.raises(UsageError, match=r"wide16\.xlsx stores its XML .* as UTF-16.*save it "
                                         r"again as \.xlsx"):
        inspect_file(path)


def test_entities_declared_far_into_a_part_are_refused_as_entities(make_raw_xlsx):
    padded = ('<?xml version="1.0"?>\n<!--' + "padding " * 1000 + '-->\n'
              '<!DOCTYPE sst [<!ENTITY name "Roof">]>\n'
              '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
              'count="1" uniqueCount="1"><si><t>&name;</t></si></sst>')
    path = make_raw_xlsx(SHEET_HEAD + '<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
                         '</row></sheetData></worksheet>',
                         extra={"xl/sharedStrings.xml": padded.encode()})
    with pytest.raises(UsageError, match="declares XML entities"):
        read_sheet(path)


@pytest.mark.parametrize("far", ['<row r="1"><c r="A1048576"><v>1</v></c></row>',
                                 '<row r="1"><c\tr="XFD1"><v>1</v></c></row>',
                                 '<row r="1"><x:c r="XFD1"><v>1</v></x:c></row>'])
def test_a_far_cell_is_found_however_its_row_or_tag_is_written(make_raw_xlsx, far):
    # Calamine places a cell by its own reference, whatever row tag holds it.
    path = make_raw_xlsx(SHEET_HEAD.replace("<worksheet ", '<worksheet xmlns:x="urn:x" ')
                         + '<sheetData><row r="2"><c r="A2"><v>1</v></c></row>' + far
                         + "</sheetData></worksheet>", name="far.xlsx")
    with pytest.raises(UsageError, match=r"far\.xlsx has more than"):
        read_sheet(path)


def _shared_strings_workbook(make_raw_xlsx, uses: list[int], name: str):
    """A workbook whose shared strings are "Title" and one of 32,767 characters (Excel's
    longest), and whose column A uses string ``uses[i]`` on row ``i + 1``."""
    strings = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats'
               '.org/spreadsheetml/2006/main"><si><t>Title</t></si><si><t>' + "x" * 32767
               + "</t></si></sst>")
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>{index}</v></c></row>'
                   for n, index in enumerate(uses, start=1))
    return make_raw_xlsx(SHEET_HEAD + f"<sheetData>{rows}</sheetData></worksheet>", name=name,
                         extra={"xl/sharedStrings.xml": strings.encode()})


def test_a_long_shared_string_repeated_in_many_cells_is_refused(make_raw_xlsx):
    # 110 KB on disk; calamine copies the string into each of 20,000 cells (1.3 GB).
    path = _shared_strings_workbook(make_raw_xlsx, [0] + [1] * 20_000, "repeat.xlsx")
    with pytest.raises(UsageError, match=r"'Deals' of repeat\.xlsx holds more than 400 MB of "
                                         r"text"):
        read_sheet(path)


def test_a_long_shared_string_used_once_is_read(make_raw_xlsx):
    path = _shared_strings_workbook(make_raw_xlsx, [0] * 20_000 + [1], "once.xlsx")
    table = read_sheet(path)
    assert len(table.rows) == 20_001 and table.rows[-1][1] == ["x" * 32767]


def test_an_ods_whose_repeat_counts_reach_far_is_refused_before_it_is_opened(tmp_path):
    # 1 KB: one value at row 199,003, column 499, placed there by repeat counts.
    # Calamine builds every table as it opens the file: 3 GB, then the process aborted.
    content = ODS_CONTENT.replace(
        "</table:table>",
        '<table:table-row table:number-rows-repeated="199000"><table:table-cell '
        'table:number-columns-repeated="498"/></table:table-row><table:table-row>'
        '<table:table-cell table:number-columns-repeated="498"/><table:table-cell '
        'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
        "</table:table-row></table:table>")
    path = tmp_path / "far.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
    with pytest.raises(UsageError, match=rf"'Deals' of far\.ods spans 199,003 rows × 499 "
                                         rf"columns; .* at most {MAX_CELLS:,} cells"):
        list_sheets(path)


def test_libreoffice_trailing_empty_repeats_count_for_nothing(tmp_path):
    # LibreOffice repeats an empty cell to column 1024 and an empty row to the sheet's end.
    def cell(text: str) -> str:
        return (f'<table:table-cell office:value-type="string"><text:p>{text}</text:p>'
                "</table:table-cell>")

    empties = '<table:table-cell table:number-columns-repeated="1022"/>'
    table = ('<table:table table:name="Deals">'
             f"<table:table-row>{cell('Title')}{cell('Company')}{empties}</table:table-row>"
             f"<table:table-row>{cell('Roof')}{cell('Acme')}{empties}</table:table-row>"
             '<table:table-row table:number-rows-repeated="1048574"><table:table-cell '
             'table:number-columns-repeated="1024"/></table:table-row></table:table>')
    start = ODS_CONTENT.index('<table:table table:name="Deals">')
    end = ODS_CONTENT.index("</table:table>") + len("</table:table>")
    path = tmp_path / "libre.ods"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", ODS_CONTENT[:start] + table + ODS_CONTENT[end:])
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
    assert read_sheet(path).rows[1][1][:2] == ["Roof", "Acme"]


def test_a_reference_of_thousands_of_digits_is_refused_in_words(make_raw_xlsx):
    huge = "9" * 5000
    path = make_raw_xlsx(SHEET_HEAD + f'<sheetData><row r="{huge}"><c r="A{huge}" t="s">'
                         f"<v>{huge}</v></c></row></sheetData></worksheet>", name="digits.xlsx")
    with pytest.raises(UsageError, match=rf"digits\.xlsx has more than {MAX_ROWS:,} rows"):
        read_sheet(path)
