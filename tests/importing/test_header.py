"""The header row is found below title rows, blank rows and merged titles."""

from __future__ import annotations

import pytest

from app.errors import UsageError
from app.importing.header import find_header


def test_title_rows_and_a_lone_recognised_word_above_the_header_are_passed_over():
    rows = [
        (1, ["Pipeline tracker — Q1", "", ""]),
        (2, ["Stage", "", ""]),  # one recognised word is not a header
        (4, ["Deal", "Client", "Value ($)"]),
        (5, ["Roof", "Acme", "1200"]),
    ]
    assert find_header(rows) == 2


def test_a_header_below_the_first_30_rows_is_not_searched_for():
    rows = [(n, [f"note {n}"]) for n in range(1, 31)] + [(31, ["Title", "Company"])]
    with pytest.raises(UsageError, match="first 30 rows"):
        find_header(rows)


def test_an_empty_sheet_says_so():
    with pytest.raises(UsageError, match="'Leads' is empty"):
        find_header([], "Leads")
