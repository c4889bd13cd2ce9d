"""Amounts: every format of the issue, the per-column decimal decision, and the ambiguous
column that must be asked about."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from app.importing.parse_money import COMMA, POINT, parse_money_column


def values(cells, decimal=None):
    return parse_money_column(cells, decimal).values


def test_the_formats_people_type_become_exact_decimals():
    assert values(["$12,500.00", "(1,200)", "EUR 3,100", "99.5"]) == [
        Decimal("12500.00"), Decimal("-1200"), Decimal("3100"), Decimal("99.5")]
    assert values(["12.500,00 €", "12 500,00", "3,5"]) == [
        Decimal("12500.00"), Decimal("12500.00"), Decimal("3.5")]


def test_number_cells_keep_the_digits_they_show():
    assert values([0.1, 12500.0, 7]) == [Decimal("0.1"), Decimal("12500.0"), Decimal(7)]


def test_a_column_of_single_commas_with_three_digits_is_ambiguous_and_asks():
    column = parse_money_column(["1,500", "12,250", "", 300.0])
    assert column.decimal is None
    assert column.ambiguous == ["1,500", "12,250"]
    assert column.values == [None, None, None, None]


def test_the_users_answer_settles_an_ambiguous_column():
    assert values(["1,500", "12,250"], COMMA) == [Decimal("1.500"), Decimal("12.250")]
    assert values(["1,500", "12,250"], POINT) == [Decimal(1500), Decimal(12250)]


def test_one_decisive_value_decides_the_whole_column():
    # "2,300.50" proves the comma groups thousands, so "1,500" is fifteen hundred.
    assert values(["1,500", "2,300.50"]) == [Decimal(1500), Decimal("2300.50")]
    # "12,5" proves a decimal comma, so "1.500" is fifteen hundred.
    assert values(["1.500", "12,5"]) == [Decimal(1500), Decimal("12.5")]


def test_a_value_contradicting_its_column_is_an_error_not_a_guess():
    result = values(["1.234,50", "2.000,00", "3,100.25"])
    assert result[:2] == [Decimal("1234.50"), Decimal("2000.00")]
    assert "differently from the rest" in result[2]


def test_non_amounts_say_what_is_wrong():
    result = values(["twelve", "1,2,3", True]) + values(["12.5.6,7"])
    assert all(isinstance(r, str) and "not an amount" in r for r in result)
    assert "uneven" in result[1]


@st.composite
def formatted(draw):
    """A random amount written in one of the styles found in the wild."""
    cents = draw(st.integers(min_value=-10**11, max_value=10**11))
    amount = Decimal(cents).scaleb(-2)
    style = draw(st.sampled_from(["us", "eu", "space", "plain"]))
    whole, frac = f"{abs(amount):.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    sep, dec = {"us": (",", "."), "eu": (".", ","), "space": (" ", ","), "plain": ("", ".")}[style]
    text = sep.join(groups) + dec + frac
    text = draw(st.sampled_from([text, f"${text}", f"{text} €", f"EUR {text}"]))
    if amount < 0:
        text = draw(st.sampled_from([f"-{text}", f"({text})"]))
    return amount, text, style


@given(formatted())
def test_every_formatted_amount_reads_back_exactly(case):
    amount, text, style = case
    decimal = POINT if style in ("us", "plain") else COMMA
    assert values([text], decimal) == [amount]


@given(st.lists(formatted(), min_size=1, max_size=20), st.sampled_from(["us", "eu"]))
def test_a_column_with_cents_decides_its_own_separator(cases, style):
    # Every value written with two decimals proves the separator; no answer is needed.
    texts, expected = [], []
    for amount, _, _ in cases:
        whole, frac = f"{abs(amount):.2f}".split(".")
        text = (f"{int(whole):,}" if style == "us" else f"{int(whole):,}".replace(",", "."))
        text += ("." if style == "us" else ",") + frac
        texts.append(f"-{text}" if amount < 0 else text)
        expected.append(amount)
    assert values(texts) == expected


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1))
def test_a_column_of_number_cells_reads_as_each_cell_does_beside_other_cells(numbers):
    """A column of number cells alone is read in one pass; with a blank cell among them it
    takes the cell-by-cell path: both give each number the digits it shows."""
    alone = values(numbers)
    assert alone == values([*numbers, ""])[:-1]
    assert alone == [Decimal(repr(n)) for n in numbers]
