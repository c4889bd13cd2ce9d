"""Every note and problem a preview shows is true of the file in front of the user: the
day/month note only for dates that read two ways, the amount question counting what is in
question, new reps only for rows that are imported, and a missing title named by row and
column."""

from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.importing import ImportOptions, run_import
from app.importing.parse_dates import parse_date_column
from app.importing.parse_money import parse_money_column
from db.models import Deal, Rep

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))


@given(st.lists(st.one_of(DAYS.map(date.isoformat), DAYS, st.none(),
                          DAYS.map(lambda d: f"{d.day:02d}/{d.day:02d}/{d.year}")),
                min_size=1, max_size=30), st.booleans())
def test_dates_that_read_the_same_both_ways_never_ask_about_the_order(cells, day_first):
    """ISO text (2027-02-01), date cells and 05/05/2027 need no day/month order."""
    column = parse_date_column(cells, locale_day_first=day_first)
    assert not column.from_locale and column.undecided == 0


@given(st.lists(DAYS.map(date.isoformat), max_size=10),
       st.lists(st.tuples(st.integers(1, 12), st.integers(1, 12), st.integers(2000, 2099))
                .filter(lambda t: t[0] != t[1]), min_size=1, max_size=10), st.randoms())
def test_the_order_note_counts_and_quotes_the_dates_that_read_two_ways(iso, pairs, random):
    undecided = [f"{a:02d}/{b:02d}/{y}" for a, b, y in pairs]
    cells: list = [*iso, *undecided]
    random.shuffle(cells)
    column = parse_date_column(cells, locale_day_first=True)
    assert column.from_locale and column.undecided == len(undecided)
    assert column.example == next(c for c in cells if c in undecided)


def test_a_column_of_iso_dates_gets_no_order_note(manager, stages, make_csv):
    path = make_csv([["Title", "Expected close"], ["Roof", "2027-02-01"],
                     ["Door", "2027-03-05"]])
    report = run_import(path, ImportOptions(dry_run=True, locale_day_first=True), manager)
    assert report.warnings == []


def test_the_order_note_names_the_files_own_date(manager, stages, make_csv):
    path = make_csv([["Title", "Expected close"], ["Roof", "2027-02-01"],
                     ["Door", "05/06/2027"]])
    report = run_import(path, ImportOptions(dry_run=True, locale_day_first=True), manager)
    assert report.warnings == ["Expected close: the date 05/06/2027 could be read either way; "
                               "it was read as day/month, the order of the system locale."]


@given(st.lists(st.integers(1, 999), min_size=0, max_size=6),
       st.lists(st.tuples(st.integers(1, 999), st.integers(0, 999)), min_size=1, max_size=6),
       st.randoms())
def test_the_amount_question_counts_the_amounts_in_question(plain, grouped, random):
    undecided = [f"{a},{b:03d}" for a, b in grouped]
    cells: list = [*map(str, plain), *undecided, None]
    random.shuffle(cells)
    column = parse_money_column(cells)
    assert column.decimal is None
    assert (column.undecided, column.amounts) == (len(undecided), len(plain) + len(undecided))


def test_the_amount_question_says_how_many_amounts_are_in_question(manager, stages, make_csv):
    path = make_csv([["Title", "Amount"], ["Roof", "1,500"], ["Door", "1200"], ["Wall", "300"]])
    report = run_import(path, ImportOptions(dry_run=True), manager)
    (problem,) = report.errors
    assert problem.row is None and problem.column == "Amount"
    assert "1 of the 3 amounts in this column has three digits after a single comma" in (
        problem.message)
    assert "every amount" not in problem.message
    every = make_csv([["Title", "Amount"], ["Roof", "1,500"], ["Door", "2,250"]], "every.csv")
    (problem,) = run_import(every, ImportOptions(dry_run=True), manager).errors
    assert "every amount (2) in this column have three digits" in problem.message


def test_a_new_rep_on_a_skipped_row_is_neither_announced_nor_created(manager, stages,
                                                                      make_csv):
    path = make_csv([["Title", "Amount", "Owner"], ["Roof", "100", "Sam New"],
                     ["Door", "lots", "Tia Skipped"]])
    preview = run_import(path, ImportOptions(dry_run=True), manager)
    assert preview.new_owners == ["Sam New"]
    report = run_import(path, ImportOptions(skip_invalid=True), manager)
    assert report.new_owners == ["Sam New"] and report.skipped == 1
    assert not Rep.select().where(Rep.name == "Tia Skipped").exists()
    assert Rep.select().where(Rep.name == "Sam New").exists()


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.booleans(), min_size=1, max_size=8))
def test_a_missing_title_is_named_by_row_and_column(manager, stages, make_csv, blanks):
    rows = [["" if blank else f"Deal {n}", f"Company {n}"] for n, blank in enumerate(blanks)]
    path = make_csv([["Deal name", "Client"], *rows])
    report = run_import(path, ImportOptions(dry_run=True), manager)
    missing = [str(n + 2) for n, blank in enumerate(blanks) if blank]
    notes = [w for w in report.warnings if "no title" in w]
    if not missing:
        assert notes == []
    elif len(missing) == 1:
        assert notes == [f"Deal name: row {missing[0]} has no title; its new deal is titled "
                         f"with its Client."]
    else:
        assert notes == [f"Deal name: {len(missing)} rows {', '.join(missing)} have no title; "
                         f"their new deals are titled with their Client."]
    assert Deal.select().count() == 0

