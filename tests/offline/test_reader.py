"""Reading an update workbook back: whatever the writer wrote comes back the same, and
what a rep could break is refused with one sentence naming the sheet, row and column."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import UsageError, ValidationError
from app.offline.book import (
    BookCheck,
    BookDeal,
    BookHours,
    BookMove,
    DealFields,
    ItemSpec,
    StageSpec,
    UpdateBook,
)
from app.offline.reader import read_update_book
from app.offline.writer import write_update_workbook

STAGES = (StageSpec("Lead", "marketing", "open", 0, 5, None, ""),
          StageSpec("Qualified", "sales", "open", 1, 20, 14, "#4a90d9"),
          StageSpec("=Proposal", "sales", "open", 2, 55, 3650, ""),
          StageSpec("Won", "sales", "won", 3, 100, None, "#2e7d32"),
          StageSpec("Lost", "sales", "lost", 4, 0, None, ""))
ITEMS = (ItemSpec(11, "Qualified", "Budget known", True, 2, 0),
         ItemSpec(12, "=Proposal", "+Proposal sent", False, 1, 0),
         ItemSpec(13, "Won", "Signed", True, 1, 0))
KINDS = ("Call", "Meeting", "@Admin")

# One-line text, as deals hold it: no control characters, no surrounding spaces.
text = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
               max_size=40).map(lambda s: " ".join(s.split()))
days = st.one_of(st.none(), st.dates(date(1951, 1, 1), date(2099, 12, 31)))
money = st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2)
times = st.datetimes(datetime(2000, 1, 1), datetime(2090, 1, 1))
# The rep's times: before the file was saved (later ones are refused).
stamps = st.one_of(st.none(), st.datetimes(datetime(2000, 1, 1), datetime(2026, 1, 1)).map(
    lambda d: d.replace(microsecond=0)))


@st.composite
def books(draw) -> UpdateBook:
    count = draw(st.integers(0, 6))
    deals, checks, hours = [], [], []
    for n in range(count):
        uid = f"{n:032x}"
        original = DealFields(draw(st.sampled_from(STAGES[:3])).name, draw(money), draw(days),
                              draw(text), draw(days))
        deals.append(BookDeal(
            uid, draw(text.filter(bool)), draw(text), draw(st.sampled_from(STAGES)).name,
            draw(money), draw(days), draw(text), draw(days), draw(st.integers(1, 999)),
            original, draw(stamps), *(draw(times) for _ in range(3))))
        for item in ITEMS:
            was = draw(st.booleans())
            checks.append(BookCheck(uid, item.id, item.stage, item.text, item.required,
                                    was or draw(st.booleans()), was, draw(stamps)))
    for n in range(draw(st.integers(0, 5))):
        hours.append(BookHours(
            f"{n + 100:032x}", draw(st.dates(date(1951, 1, 1), date(2099, 12, 31))),
            draw(st.sampled_from(KINDS)),
            draw(st.integers(1, 96)) * Decimal("0.25"),
            draw(st.sampled_from([None, *(d.uuid for d in deals)])), draw(text)))
    moves = tuple(BookMove(d.uuid, d.original.stage, d.stage, draw(stamps) or datetime(
        2026, 1, 1), draw(text), draw(text)) for d in deals[:2])
    return UpdateBook(
        "e" * 32, "d" * 32, draw(text.filter(bool)), datetime(2026, 11, 30, 9, 15), None,
        STAGES, ITEMS, KINDS, tuple(deals), tuple(checks), moves, tuple(hours),
        draw(st.sampled_from(("USD", "EUR", "GBP", "JPY", "SEK"))),
        tuple((d.uuid, item.id) for d in deals for item in ITEMS if draw(st.booleans())))


def _same(written: UpdateBook, read: UpdateBook) -> None:
    assert read.saved_at is not None  # openpyxl stamps docProps/core.xml
    assert {**vars(read), "saved_at": None} == {
        **vars(written), "hours": tuple(
            BookHours(h.row_id, h.day, h.kind, h.hours.quantize(Decimal("0.01")), h.deal_uuid,
                      h.note) for h in written.hours)}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(book=books())
def test_whatever_the_writer_writes_the_reader_reads_back(tmp_path, book):
    path = tmp_path / "updates.xlsx"
    write_update_workbook(book, path)
    _same(book, read_update_book(path))


def test_long_and_awkward_text_comes_back_as_written(tmp_path):
    """Beside the generated books: every text column at its longest, with the characters
    that trip spreadsheets (a leading =, +, @, quotes, accents, an emoji)."""
    long = ("=SUM(A1) “quoted” 'single' + @at café 🎯 " * 8)[:255].strip()
    book = _book()
    deal = book.deals[0]
    wordy = dataclasses.replace(deal, title=long, company=long, next_step=long,
                                stage_changed_at=datetime(2026, 12, 2, 8, 5, 9))
    book = dataclasses.replace(book, rep_name=long, deals=(wordy,), currency="GBP", hours=(
        BookHours("f" * 32, date(2026, 12, 1), "@Admin", Decimal("0.25"), deal.uuid, long),))
    path = tmp_path / "long.xlsx"
    write_update_workbook(book, path)
    _same(book, read_update_book(path))


def _book() -> UpdateBook:
    original = DealFields("Qualified", Decimal("1000.00"), date(2026, 12, 31), "Call", None)
    deal = BookDeal("a" * 32, "Acme roll-out", "Acme", "Qualified", Decimal("1000.00"),
                    date(2026, 12, 31), "Call", None, 3, original, None,
                    datetime(2026, 10, 1, 8), datetime(2026, 11, 2, 9, 30),
                    datetime(2026, 11, 20, 17))
    checks = tuple(BookCheck(deal.uuid, i.id, i.stage, i.text, i.required, False, False, None)
                   for i in ITEMS[1:])
    return UpdateBook("e" * 32, "d" * 32, "Ravi Rep", datetime(2026, 11, 30, 9), None, STAGES,
                      ITEMS, KINDS, (deal,), checks, (), (), "USD", ((deal.uuid, 11),))


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "updates.xlsx"
    write_update_workbook(_book(), path)
    return path


def _edit(path, sheet: str, cell: str, value) -> None:
    workbook = openpyxl.load_workbook(path)
    workbook[sheet][cell] = value
    workbook.save(path)


@pytest.mark.parametrize(("sheet", "cell", "value", "message"), [
    ("Deals", "C2", "Negotiation", r"sheet Deals, row 2, column Stage: 'Negotiation' is not"),
    ("Deals", "D2", "lots", r"sheet Deals, row 2, column Value: 'lots' is not a number"),
    ("Deals", "E2", "next week", r"sheet Deals, row 2, column Expected close: 'next week'"),
    ("Checklist", "F2", "Maybe", r"sheet Checklist, row 2, column Done: 'Maybe' is neither"),
    ("Hours", "C2", 2, r"sheet Hours, row 2, column Date: the date is empty"),
    ("Hours", "A3", date(2026, 12, 1), r"sheet Hours, row 3, column Kind: '' is not one"),
    ("_funnelcast", "B4", "Someone Else", r"sheet _funnelcast: the hidden sheet was changed"),
])
def test_a_broken_cell_is_refused_naming_sheet_row_and_column(saved, sheet, cell, value,
                                                              message):
    _edit(saved, sheet, cell, value)
    with pytest.raises(ValidationError, match=message):
        read_update_book(saved)


def test_hours_typed_in_excel_get_the_same_row_id_on_every_read(saved):
    workbook = openpyxl.load_workbook(saved)
    for row in (2, 3):  # the same entry twice: two rows, two ids
        for column, value in zip("ABCDE", (date(2026, 12, 1), "Call", 1.5,
                                           "Acme roll-out — Acme", "Demo prep"), strict=True):
            workbook["Hours"][f"{column}{row}"] = value
    workbook.save(saved)
    first, second = read_update_book(saved).hours, read_update_book(saved).hours
    assert [h.row_id for h in first] == [h.row_id for h in second]
    assert len({h.row_id for h in first}) == 2
    assert first[0].deal_uuid == "a" * 32 and first[0].hours == Decimal("1.50")


def test_a_workbook_without_the_hidden_sheet_is_not_an_update_workbook(saved):
    workbook = openpyxl.load_workbook(saved)
    del workbook["_funnelcast"]
    workbook.save(saved)
    with pytest.raises(UsageError, match="not a Funnelcast update workbook"):
        read_update_book(saved)


def test_a_newer_format_is_refused(tmp_path, monkeypatch):
    import app.offline.writer as writer

    monkeypatch.setattr(writer, "FORMAT_VERSION", 2)
    path = tmp_path / "newer.xlsx"
    write_update_workbook(_book(), path)
    with pytest.raises(ValidationError, match="written by a newer Funnelcast"):
        read_update_book(path)




@pytest.mark.parametrize(("drop", "message"), [
    (lambda r: r[0] == "currency", "it lacks currency"),
    (lambda r: r[0] == "times", "it lacks when its deals entered their stages"),
])
def test_a_hidden_sheet_without_the_boards_facts_is_refused(tmp_path, monkeypatch, drop,
                                                            message):
    """A workbook without the currency or the deals' times (an earlier build wrote none)
    would open as a working copy in dollars, every deal new in its stage: refused."""
    import app.offline.writer as writer

    records = writer.hidden_records
    monkeypatch.setattr(writer, "hidden_records",
                        lambda book: [r for r in records(book) if not drop(r)])
    path = tmp_path / "earlier.xlsx"
    write_update_workbook(_book(), path)
    with pytest.raises(ValidationError, match=message):
        read_update_book(path)


@pytest.mark.parametrize(("cells", "message"), [
    (5, "stage 'Lead' has no win probability from 0 to 100"),
    ({5: "101"}, "stage 'Lead' has no win probability from 0 to 100"),
    ({6: "0"}, "stage 'Lead' has rot days '0', not 1 to 3650"),
    ({7: "red"}, "stage 'Lead' has the colour 'red', not #rrggbb"),
])
def test_a_stage_without_its_probability_or_with_a_bad_rot_or_colour_is_refused(
        tmp_path, monkeypatch, cells, message):
    import app.offline.writer as writer

    records = writer.hidden_records

    def changed(book):
        out = []
        for record in records(book):
            if record[:2] == ["stage", "Lead"]:
                record = record[:cells] if isinstance(cells, int) else [
                    cells.get(i, v) for i, v in enumerate(record)]
            out.append(record)
        return out

    monkeypatch.setattr(writer, "hidden_records", changed)
    path = tmp_path / "earlier.xlsx"
    write_update_workbook(_book(), path)
    with pytest.raises(ValidationError, match=message):
        read_update_book(path)


def _label(deal: BookDeal) -> str:
    return f"{deal.title} — {deal.company}" if deal.company else deal.title


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(book=books(), data=st.data())
def test_deal_ids_swapped_between_rows_are_refused_naming_the_row(tmp_path, book, data):
    """A rep who unprotects the sheet and swaps or pastes Deal ids would merge each row's
    values into another deal: a row whose Deal and Company are not those exported with its
    id is refused (rows of deals named alike cannot be told apart, and merge as they are)."""
    path = tmp_path / "swapped.xlsx"
    write_update_workbook(book, path)
    order = data.draw(st.permutations(range(len(book.deals))))
    workbook = openpyxl.load_workbook(path)
    for row, source in enumerate(order, 2):
        workbook["Deals"][f"J{row}"] = book.deals[source].uuid
    workbook.save(path)
    wrong = [row for row, source in enumerate(order, 2)
             if _label(book.deals[source]) != _label(book.deals[row - 2])]
    if not wrong:
        read_update_book(path)
        return
    with pytest.raises(ValidationError, match=rf"sheet Deals, row {wrong[0]}, column Deal id: "
                                              r"this row's Deal id names “"):
        read_update_book(path)


def test_deals_named_alike_read_back_in_any_order_of_their_ids(tmp_path):
    """Two deals with the same title and company get labels "… (2)": their rows are still
    recognised, whichever id each carries; a third deal's id on one of them is refused."""
    book = _book()
    first = book.deals[0]
    twin = dataclasses.replace(first, uuid="b" * 32)
    other = dataclasses.replace(first, uuid="c" * 32, title="Birch pilot", company="Birch")
    book = dataclasses.replace(book, deals=(first, twin, other), checks=())
    path = tmp_path / "twins.xlsx"
    write_update_workbook(book, path)
    workbook = openpyxl.load_workbook(path)
    workbook["Deals"]["J2"], workbook["Deals"]["J3"] = "b" * 32, "a" * 32
    workbook.save(path)
    assert [d.uuid for d in read_update_book(path).deals] == ["b" * 32, "a" * 32, "c" * 32]
    workbook["Deals"]["J3"], workbook["Deals"]["J4"] = "c" * 32, "a" * 32
    workbook.save(path)
    with pytest.raises(ValidationError, match="row 3, column Deal id: this row's Deal id "
                                              "names “Birch pilot — Birch”, but the row says "
                                              "“Acme roll-out — Acme”"):
        read_update_book(path)


def _hours_row(path, row: int, hours, row_id=None) -> None:
    workbook = openpyxl.load_workbook(path)
    for column, value in zip("ABCDEF", (date(2025, 12, 1), "Call", hours, "", "", row_id),
                             strict=True):
        workbook["Hours"][f"{column}{row}"] = value
    workbook.save(path)


def _hidden_record(path, kind: str, column: int, value: str) -> None:
    """Change a record of the hidden sheet and make its checksum again, as a rep who read
    how Funnelcast computes it could."""
    from app.offline import layout

    workbook = openpyxl.load_workbook(path)
    sheet = workbook["_funnelcast"]
    records = []
    for row in sheet.iter_rows():
        if row[0].value == kind:
            row[column].value, kind = value, ""
        cells = ["" if c.value is None else str(c.value) for c in row]
        while cells and cells[-1] == "":
            cells.pop()
        if cells and cells[0] == layout.CHECKSUM:
            row[1].value = layout.checksum(records)
        elif cells:
            records.append(cells)
    workbook.save(path)


@pytest.mark.parametrize(("change", "message"), [
    (lambda p: _edit(p, "Deals", "D2", 1e30),
     r"sheet Deals, row 2, column Value: the value is too large for a deal \(at most "
     r"999,999,999,999.99\)"),
    (lambda p: _hours_row(p, 2, 1e30),
     r"sheet Hours, row 2, column Hours: hours must be more than 0 and at most 24"),
    (lambda p: _edit(p, "Deals", "I2", 1e9),
     r"sheet Deals, row 2, column Stage changed: 1000000000 is not a date in 1950–2100"),
    (lambda p: _edit(p, "Deals", "I2", datetime(9999, 12, 31)),
     r"sheet Deals, row 2, column Stage changed: 9999-12-31 00:00 is outside 1950–2100"),
    (lambda p: _edit(p, "Deals", "I2", datetime(2099, 1, 1, 9)),
     r"sheet Deals, row 2, column Stage changed: 2099-01-01 09:00 is after the workbook was "
     r"last saved"),
    (lambda p: _edit(p, "Checklist", "G2", "1900-01-01 10:00"),
     r"sheet Checklist, row 2, column Ticked at: 1900-01-01 10:00 is outside 1950–2100"),
    (lambda p: _edit(p, "Deals", "E2", 0),
     r"sheet Deals, row 2, column Expected close: 00:00 is a time of day, not a date"),
    (lambda p: _hours_row(p, 2, 1, "not-a-uuid"),
     r"sheet Hours, row 2, column Row id: 'not-a-uuid' is not a row id Funnelcast wrote"),
    (lambda p: (_hours_row(p, 2, 1, "f" * 32), _hours_row(p, 4, 2, "F" * 32)),
     r"sheet Hours, row 4, column Row id: row 2 has the same row id \(a copied row\?\)"),
    (lambda p: _hidden_record(p, "original", 2, "abc"),
     r"sheet _funnelcast: one of its records is unreadable"),
], ids=["huge value", "huge hours", "huge serial", "year 9999", "after the save", "year 1900",
        "serial 0", "row id", "same row id", "hidden version"])
def test_a_value_out_of_range_is_refused_naming_sheet_row_and_column(saved, change, message):
    change(saved)
    with pytest.raises(ValidationError, match=message):
        read_update_book(saved)


_HEADERS = {"C": "Stage", "D": "Value", "E": "Expected close", "F": "Next step",
            "G": "Next step due", "I": "Stage changed"}


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=st.sampled_from(sorted(_HEADERS)), value=st.one_of(
    st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**20, 10**20),
    st.datetimes(datetime(1900, 1, 1), datetime(9999, 12, 31)),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=30), st.booleans()))
def test_whatever_a_rep_types_into_a_deal_is_read_or_refused_naming_its_cell(
        saved, tmp_path_factory, column, value):
    """Never "something unexpected went wrong": each cell's value is read (a time within
    the years Funnelcast takes and before the save, an amount a deal holds) or refused
    with the sheet, row and column."""
    path = tmp_path_factory.mktemp("typed") / "updates.xlsx"
    path.write_bytes(saved.read_bytes())
    _edit(path, "Deals", f"{column}2", value)
    try:
        deal = read_update_book(path).deals[0]
    except ValidationError as refusal:
        assert f"sheet Deals, row 2, column {_HEADERS[column]}: " in str(refusal)
        return
    except UsageError as refusal:  # calamine cannot make it a date: the row is named
        assert "The sheet 'Deals' of updates.xlsx, row 2: a cell formatted as a date" in str(
            refusal)
        return
    assert Decimal(0) <= deal.value <= Decimal("999999999999.99")
    if deal.stage_changed_at is not None:
        assert datetime(1949, 12, 31) < deal.stage_changed_at <= datetime.now()


@pytest.mark.parametrize(("sheet", "cell", "message"), [
    ("Deals", "F2", "sheet Deals, row 2, column Next step: a formula without a value; type "
                    "the text instead."),
    ("Deals", "D2", "sheet Deals, row 2, column Value: a formula without a value; type the "
                    "number instead."),
    ("Hours", "C2", "sheet Hours, row 2, column Hours: a formula without a value; type the "
                    "number instead."),
])
def test_a_formula_without_a_stored_value_is_refused_not_read_as_empty(saved, sheet, cell,
                                                                       message):
    """openpyxl (and other tools that do not calculate) store a formula with no result:
    read as empty it would erase the deal's next step."""
    if sheet == "Hours":
        _hours_row(saved, 2, 1)
    _edit(saved, sheet, cell, '=HYPERLINK("https://example.com", "Call")')
    with pytest.raises(ValidationError, match=re.escape(message)):
        read_update_book(saved)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(columns=st.sets(st.sampled_from(sorted(_HEADERS))))
def test_whichever_cells_hold_formulas_one_of_them_is_named(saved, tmp_path_factory,
                                                            columns):
    path = tmp_path_factory.mktemp("formulas") / "updates.xlsx"
    path.write_bytes(saved.read_bytes())
    workbook = openpyxl.load_workbook(path)
    for column in columns:
        workbook["Deals"][f"{column}2"] = "=1+1"
    workbook.save(path)
    if not columns:
        assert read_update_book(path).deals[0].next_step == "Call"
        return
    with pytest.raises(ValidationError) as refusal:
        read_update_book(path)
    named = re.search(r"row 2, column (.+?): a formula without a value", str(refusal.value))
    assert named and named[1] in {_HEADERS[c] for c in columns}


def test_a_typed_hours_row_keeps_its_id_when_corrected(saved):
    """A typed row's id comes from its place on the sheet, not its content: correcting its
    hours keeps the id, so the merge sees a changed row, not a new one."""
    workbook = openpyxl.load_workbook(saved)
    for column, value in zip("ABCDE", (date(2026, 12, 1), "Call", 2, None, ""), strict=True):
        workbook["Hours"][f"{column}2"] = value
    workbook.save(saved)
    before = read_update_book(saved).hours[0]
    workbook["Hours"]["C2"] = 2.5
    workbook.save(saved)
    after = read_update_book(saved).hours[0]
    assert after.row_id == before.row_id and after.hours == Decimal("2.50")


def test_a_deal_row_deleted_from_the_deals_sheet_is_named_there(saved):
    """Deleting a deal's row on the Deals sheet is reported as that, naming the deal and
    what to do, not as a strange Checklist row."""
    workbook = openpyxl.load_workbook(saved)
    workbook["Deals"].delete_rows(2)
    workbook.save(saved)
    with pytest.raises(ValidationError) as refused:
        read_update_book(saved)
    message = str(refused.value)
    assert "sheet Deals: the row of “Acme roll-out — Acme” was deleted" in message
    assert "restore it" in message and "Checklist" not in message
