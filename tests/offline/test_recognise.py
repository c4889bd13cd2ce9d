"""Telling an update workbook from a spreadsheet of deals: the hidden sheet is found however
a tool rewrote the workbook's index, and a sheet of an update workbook that lost its hidden
sheet (copied into a new file) is refused by the ordinary importer rather than imported as
deals over the manager's changes."""

from __future__ import annotations

import os
import re
import uuid
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import UsageError
from app.offline.reader import is_update_workbook, read_update_book
from app.offline.writer import write_update_workbook
from db.models import Deal
from tests.offline.test_reader import _book
from tests.test_cli import run

_HIDDEN = re.compile(rb'<sheet [^>]*name="_funnelcast"[^>]*/>')


def _rezip(source: Path, target: Path, index: bytes) -> None:
    """``source`` with its xl/workbook.xml replaced by ``index``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info, index if info.filename == "xl/workbook.xml"
                         else old.read(info.filename))


def _index(path: Path) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read("xl/workbook.xml")


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("recognise") / "updates.xlsx"
    write_update_workbook(_book(), path)
    return path


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quote=st.sampled_from(["'", '"']), space=st.sampled_from(["", " ", "\n\t "]),
       prefix=st.sampled_from(["", "x:"]), escaped=st.sets(st.integers(0, 10)),
       padding=st.one_of(st.just(0), st.integers(1, 3 << 20)),
       name=st.sampled_from(["_funnelcast", "_funnelcast2", "_Funnelcast", "funnelcast"]))
def test_the_hidden_sheet_is_found_however_the_index_is_written(
        written, tmp_path, quote, space, prefix, escaped, padding, name):
    """Either quotes, any spacing, a namespace prefix, character references and a comment
    of up to 3 MB before the sheets (the index's limit is 16 MB): only the name counts."""
    spelled = "".join(f"&#{ord(c)};" if i in escaped else c for i, c in enumerate(name))
    element = (f'<{prefix}sheet{space} name{space}={space}{quote}{spelled}{quote} '
               f'sheetId="5" state="veryHidden" r:id="rId5"{space}/>').encode()
    index = _HIDDEN.sub(lambda _: element, _index(written))
    if prefix:
        index = index.replace(b"<workbook ", b'<workbook xmlns:x="http://schemas.openxml'
                              b'formats.org/spreadsheetml/2006/main" ', 1)
    index = index.replace(b"<sheets>", b"<!--" + b"x" * padding + b"--><sheets>", 1)
    target = tmp_path / f"variant-{uuid.uuid4().hex}.xlsx"
    _rezip(written, target, index)
    assert is_update_workbook(target) is (name == "_funnelcast")


def test_a_workbook_whose_index_grew_past_a_megabyte_is_read_as_an_update_workbook(
        written, tmp_path):
    target = tmp_path / "padded.xlsx"
    _rezip(written, target, _index(written).replace(
        b"<sheets>", b"<!--" + os.urandom(700_000).hex().encode() + b"--><sheets>", 1))
    assert read_update_book(target).deals == read_update_book(written).deals


def test_an_index_declaring_entities_is_not_taken_for_an_update_workbook(written, tmp_path):
    target = tmp_path / "entities.xlsx"
    _rezip(written, target, b'<?xml version="1.0"?><!DOCTYPE workbook [<!ENTITY n '
           b'"_funnelcast">]>' + _index(written).replace(b'"_funnelcast"', b'"&n;"'))
    assert not is_update_workbook(target)


def _copied(source: Path, sheet: str, target: Path) -> Path:
    """``sheet`` of the update workbook copied cell by cell into a new workbook, as a rep
    copying it into a file of their own would."""
    rows = openpyxl.load_workbook(source)[sheet].iter_rows(values_only=True)
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(list(row))
    book.save(target)
    return target


@pytest.mark.parametrize("sheet", ["Deals", "Checklist", "Hours"])
def test_a_sheet_copied_out_of_an_update_workbook_is_refused_by_the_importer(
        manager, written, tmp_path, sheet):
    from app.importing import ImportOptions, run_import
    from app.importing.service import inspect_file

    path = _copied(written, sheet, tmp_path / "copied.xlsx")
    assert not is_update_workbook(path)
    for attempt in (lambda: inspect_file(path), lambda: run_import(path, ImportOptions(), manager)):
        with pytest.raises(UsageError, match=f"The sheet '{sheet}' comes from a rep's update "
                                             "workbook but the workbook's hidden sheet is "
                                             "missing"):
            attempt()


def test_a_copied_deals_sheet_changes_nothing_on_the_command_line(team, workbook,
                                                                  db_target, tmp_path):
    from app.deals import update_deal

    book = openpyxl.load_workbook(workbook)
    book["Deals"]["D3"] = 4100
    book.save(workbook)
    birch = Deal.get(Deal.uuid == uuid.UUID(team.deals["Birch pilot"].uuid))
    update_deal(birch.id, {"value": Decimal("9000")}, birch.version, team.manager)
    path = _copied(workbook, "Deals", tmp_path / "copied.xlsx")
    before = sorted(Deal.select(Deal.uuid, Deal.value, Deal.version).tuples())
    result = run("--db", db_target, "import", str(path))
    assert result.returncode == 2
    assert "comes from a rep's update workbook" in result.stderr
    assert sorted(Deal.select(Deal.uuid, Deal.value, Deal.version).tuples()) == before


def test_a_crm_export_with_a_deal_id_column_still_imports(written, tmp_path):
    from app.importing.service import inspect_file

    path = tmp_path / "hubspot.csv"
    path.write_text("Deal ID,Deal Name,Amount,Deal Stage\n123,Acme,100,Qualified\n")
    assert inspect_file(path).header_row == 1
