"""Dates: cells, serials, ISO and written forms, day/month order decided from the whole
column, the locale fallback that is reported, and impossible dates."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.importing.parse_dates import DATE_RANGE, parse_date_column, system_day_first

MARCH_21 = date(2026, 3, 21)


def test_every_accepted_form_of_the_same_day():
    cells = [MARCH_21, datetime(2026, 3, 21, 9, 30), 46102.0, "2026-03-21", "21/03/2026",
             "21.03.2026", "March 21, 2026", "21 Mar 2026", "Sat, 21 Mar 2026", "46102"]
    assert parse_date_column(cells).values == [MARCH_21] * len(cells)


def test_month_first_column_is_recognised_from_any_second_part_over_12():
    column = parse_date_column(["03/04/2026", "03/21/2026"], locale_day_first=True)
    assert not column.day_first and not column.from_locale
    assert column.values == [date(2026, 3, 4), MARCH_21]


def test_day_first_column_is_recognised_from_any_first_part_over_12():
    column = parse_date_column(["03/04/2026", "21/03/2026"], locale_day_first=False)
    assert column.day_first and column.values == [date(2026, 4, 3), MARCH_21]


def test_an_undecidable_column_uses_the_locale_and_says_so():
    column = parse_date_column(["03/04/2026", "05/06/2026"], locale_day_first=True)
    assert column.from_locale and column.values[0] == date(2026, 4, 3)
    column = parse_date_column(["03/04/2026"], locale_day_first=False)
    assert column.from_locale and column.values[0] == date(2026, 3, 4)


def test_impossible_dates_are_errors():
    result = parse_date_column(["31/02/2026", "2026-13-01", "soon", 3.0]).values
    assert "not a real date" in result[0] and "not a real date" in result[1]
    assert "not a date" in result[2] and "not a date" in result[3]


def test_a_column_mixing_both_orders_flags_the_minority():
    result = parse_date_column(["21/03/2026", "22/03/2026", "03/23/2026"]).values
    assert result[:2] == [MARCH_21, date(2026, 3, 22)]
    assert "other way round" in result[2]


def test_the_system_locale_decides_the_fallback(monkeypatch):
    monkeypatch.setenv("LC_ALL", "en_US.UTF-8")
    assert system_day_first() is False
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    assert system_day_first() is True


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)), st.booleans())
def test_numeric_dates_round_trip_in_a_column_that_proves_its_order(day, day_first):
    text = day.strftime("%d/%m/%Y" if day_first else "%m/%d/%Y")
    proof = "25/12/2026" if day_first else "12/25/2026"
    assert parse_date_column([text, proof], locale_day_first=not day_first).values[0] == day


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31)))
def test_iso_written_and_serial_forms_round_trip(day):
    serial = (day - date(1899, 12, 30)).days
    cells = [day.isoformat(), day.strftime("%B %d, %Y"), day.strftime("%d %b %Y"), serial]
    assert parse_date_column(cells).values == [day] * 4


@pytest.mark.parametrize("cell", ["9999-12-31", "31/12/9999", "December 31, 9999", "1949-12-31",
                                  date(9999, 12, 31), datetime(1900, 1, 1, 9, 30), "99999",
                                  110_000.0])
def test_dates_outside_one_range_are_refused_however_written(cell):
    # Typed dates had no bound at all while serials stopped at 1927 and 2201.
    (value,) = parse_date_column([cell], day_first=True).values
    assert isinstance(value, str)
    assert f"outside the dates Funnelcast accepts ({DATE_RANGE[0].year} to " \
           f"{DATE_RANGE[1].year})" in value


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)))
def test_typed_and_serial_dates_share_the_range(day):
    serial = (day - date(1899, 12, 30)).days
    values = parse_date_column([day, day.isoformat(), serial]).values
    inside = DATE_RANGE[0] <= day <= DATE_RANGE[1]
    assert [isinstance(v, date) for v in values] == [inside] * 3
