"""Periods as a manager types them: quarters follow the fiscal year start, labels read back."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import ValidationError
from app.periods import parse_period, period_of


def test_a_calendar_quarter_and_month():
    q4 = parse_period("2026-Q4")
    assert (q4.start, q4.end, q4.label) == (date(2026, 10, 1), date(2026, 12, 31), "2026-Q4")
    nov = parse_period("2026-11")
    assert (nov.start, nov.end, nov.label) == (date(2026, 11, 1), date(2026, 11, 30), "2026-11")


def test_a_fiscal_year_starting_in_april_names_quarters_by_the_year_it_starts():
    q1 = parse_period("2026-Q1", fiscal_start_month=4)
    assert (q1.start, q1.end) == (date(2026, 4, 1), date(2026, 6, 30))
    q4 = parse_period("2026-Q4", fiscal_start_month=4)
    assert (q4.start, q4.end, q4.label) == (date(2027, 1, 1), date(2027, 3, 31), "2026-Q4")
    assert period_of(date(2027, 2, 14), "quarter", 4).label == "2026-Q4"


def test_shifting_crosses_years():
    assert parse_period("2026-Q1").shifted(-1).label == "2025-Q4"
    assert parse_period("2026-12").shifted(1).label == "2027-01"


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "Q4", "next quarter", ""])
def test_anything_else_is_refused_with_the_accepted_forms(text):
    with pytest.raises(ValidationError, match="2026-Q4"):
        parse_period(text)


@given(st.dates(date(1951, 1, 1), date(2099, 12, 31)), st.integers(1, 12),
       st.sampled_from(["quarter", "month"]))
def test_a_label_reads_back_as_the_same_period(day, fiscal_start, unit):
    period = period_of(day, unit, fiscal_start)
    assert period.contains(day)
    assert parse_period(period.label, fiscal_start) == period


@pytest.mark.parametrize("text", ["9999-Q4", "9999-12", "0000-Q1", "0001-01", "2101-01"])
def test_a_year_outside_what_funnelcast_works_with_is_refused_in_words(text):
    """A year such as 9999 used to crash every command that takes a period (date overflow)."""
    with pytest.raises(ValidationError, match="outside the years Funnelcast works with"):
        parse_period(text)
