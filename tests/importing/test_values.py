"""Stage, owner and value matching."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from app.errors import UsageError
from app.importing.values import (
    NameIndex,
    StageMatcher,
    clean_company_size,
    clean_email,
    clean_text,
    clean_texts,
    parse_stage_mapping,
    plain_emails,
)
from app.matching import match_key, match_keys


def test_stage_names_match_loosely_and_crm_words_map_to_won_and_lost(stages):
    matcher = StageMatcher(list(stages.values()))
    assert matcher.find("  sales-READY lead ").name == "Sales-ready lead"
    for word in ("Closed won", "Won", "closedwon", "CLOSED_WON"):
        assert matcher.find(word).outcome == "won"
    for word in ("Closed lost", "Lost", "closedlost"):
        assert matcher.find(word).outcome == "lost"
    assert matcher.find("Demo booked") is None


def test_the_users_stage_mapping_is_applied_and_checked(stages):
    matcher = StageMatcher(list(stages.values()), {"Demo booked": "qualified"})
    assert matcher.find("demo  booked").name == "Qualified"
    with pytest.raises(UsageError, match="no such stage"):
        StageMatcher(list(stages.values()), {"Demo booked": "Dreaming"})
    assert parse_stage_mapping(["A b=Won"]) == {"A b": "Won"}
    with pytest.raises(UsageError, match="THEIR=OURS"):
        parse_stage_mapping(["Won"])


def test_owners_match_by_name_or_email():
    index = NameIndex([(1, "Jane Doe", "jane@x.test")])
    assert index.find("jane  doe").id == 1
    assert index.find("JANE@x.test").id == 1
    assert index.find("John") is None


def test_text_emails_and_sizes_are_cleaned():
    assert clean_text("  two   words ") == "two words"
    assert clean_text(1234.0) == "1234"
    assert clean_email(" mailto:a@b.co ") == "a@b.co"
    with pytest.raises(ValueError, match="not an email"):
        clean_email("a@b")
    assert clean_company_size("1,200 employees", 10**6) == 1200
    assert clean_company_size(50.0, 10**6) == 50
    with pytest.raises(ValueError):
        clean_company_size("many", 10**6)


ASCII_TEXT = st.text(alphabet=st.characters(max_codepoint=127))


@given(st.lists(st.one_of(st.none(), st.text(), ASCII_TEXT)))
def test_column_match_keys_equal_one_key_per_name(texts):
    assert match_keys(texts) == [match_key(t) if t else "" for t in texts]


def test_column_match_keys_ignore_case_spaces_and_punctuation():
    assert match_keys(["Acme, Inc.", None, "ACME inc", "Café Noir", "a\nb"]) == [
        "acmeinc", "", "acmeinc", "cafenoir", "ab"]


LATIN_NAME = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=12)
ACCENTS = st.sampled_from(["\u0300", "\u0301", "\u0302", "\u0303", "\u0308", "\u030a",
                           "\u0327"])
SEPARATORS = st.text(alphabet=" \t.,-_'&()/\u00a0", max_size=3)


@given(LATIN_NAME, st.data())
def test_names_differing_in_case_accents_spacing_and_punctuation_match(name, data):
    # "Zoë" became "zo" (the accented letter dropped), so "Zoë" was "Zo" and not "Zoe".
    variant = ""
    for char in name:
        char = char.upper() if data.draw(st.booleans()) else char
        if char.isalpha() and data.draw(st.booleans()):
            char = unicodedata.normalize("NFC", char + data.draw(ACCENTS))
        variant += char + data.draw(SEPARATORS)
    assert match_key(variant) == match_key(name) == name
    assert match_keys([variant, name]) == [name, name]


SCRIPTS = {
    "Han": (0x4E00, 0x9FFF), "Hiragana": (0x3041, 0x3096), "Katakana": (0x30A1, 0x30FA),
    "Hangul": (0xAC00, 0xD7A3), "Cyrillic": (0x0430, 0x044F), "Greek": (0x03B1, 0x03C9),
    "Arabic": (0x0627, 0x064A), "Hebrew": (0x05D0, 0x05EA), "Thai": (0x0E01, 0x0E2E),
}


def script_name(script: str):
    low, high = SCRIPTS[script]
    return st.text(alphabet=st.characters(min_codepoint=low, max_codepoint=high,
                                          categories=("Lo", "Ll")), min_size=1, max_size=6)


@given(st.data(), st.sampled_from(sorted(SCRIPTS)), st.sampled_from(sorted(SCRIPTS)))
def test_different_names_in_non_latin_scripts_never_share_a_key(data, one, other):
    # Every name without ASCII letters or digits keyed to "", so "田中" matched "山田".
    first, second = data.draw(script_name(one)), data.draw(script_name(other))
    assume(unicodedata.normalize("NFKC", first) != unicodedata.normalize("NFKC", second))
    assert match_key(first) and match_key(second)
    assert match_key(first) != match_key(second)
    assert match_keys([first, second]) == [match_key(first), match_key(second)]


def test_marks_that_make_a_different_name_in_their_script_are_kept():
    assert match_key("ガトウ") != match_key("カトウ")  # the voicing mark is part of the name
    assert match_key("किरण") != match_key("करण")  # so is a Devanagari vowel sign
    assert match_key("Ἀθῆναι") == match_key("αθηναι")  # Greek accents are accents


def test_a_name_with_no_letters_or_digits_matches_only_itself():
    index = NameIndex([(1, "???", ""), (2, "田中", "")])
    assert index.find("---") is None
    assert index.find(" ??? ").id == 1
    assert index.find("山田") is None
    assert index.find(" 田中 ").id == 2


CELL = st.one_of(st.none(), st.text(), ASCII_TEXT, st.text(alphabet=" |ab\t\u00a0"),
                 st.floats(), st.integers())


@given(st.lists(CELL))
def test_cleaning_a_column_equals_cleaning_each_cell(cells):
    assert clean_texts(cells) == [clean_text(c) or None for c in cells]


def _kept_as_is(text: str) -> bool:
    try:
        return clean_email(text) == text
    except ValueError:
        return False


ADDRESS_ISH = st.one_of(
    st.none(),
    st.from_regex(r"(mailto:|MAILTO:)?[a-z.@]{1,6}@[a-z.@é]{1,8}", fullmatch=True),
    st.text(alphabet="ab.@ \n\t é:", max_size=12),
)


@given(st.lists(ADDRESS_ISH))
def test_a_column_of_plain_addresses_is_what_checking_each_address_finds(cells):
    texts = clean_texts(cells)
    assert plain_emails(texts) == all(_kept_as_is(t) for t in texts if t is not None)


def test_a_bad_address_after_many_dotted_ones_is_found_at_once():
    """Regression: each dotted domain can be split several ways, and the column check used
    to try every combination before giving up (this column took hours)."""
    column = ["ann@mail.example.co.uk"] * 60 + ["ann at example"]
    assert not plain_emails(column)
    assert plain_emails(column[:-1])


def test_plain_addresses_are_recognised_and_anything_else_is_not():
    assert plain_emails(["ann@acme.test", None, "b.c@d.co.uk"])
    assert plain_emails([None, None]) and plain_emails([])
    assert not plain_emails(["ann@acme.test", "ann at acme"])
    assert not plain_emails(["Mailto:ann@acme.test"])  # kept, but without its prefix
    assert not plain_emails(["ann@acme"])


def test_a_clean_column_is_kept_and_a_messy_one_cleaned():
    assert clean_texts(["Acme", "", "Beta Ltd"]) == ["Acme", None, "Beta Ltd"]
    assert clean_texts([" Acme ", "Beta\tLtd", 12.0]) == ["Acme", "Beta Ltd", "12"]
