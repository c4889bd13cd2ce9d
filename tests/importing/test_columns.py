"""Headers of CRM exports and templates map to fields; the rest are listed, never dropped."""

from __future__ import annotations

import pytest

from app.errors import UsageError
from app.importing.columns import field_for_header, map_columns, normalise_header


@pytest.mark.parametrize(("header", "field"), [
    # HubSpot
    ("Deal Name", "title"), ("Deal Stage", "stage"), ("Amount", "value"),
    ("Close Date", "expected_close"), ("Deal owner", "owner"), ("Record ID", "external_id"),
    # Pipedrive
    ("Deal - Title", "title"), ("Deal - Value", "value"), ("Deal - Stage", "stage"),
    ("Deal - Owner", "owner"), ("Deal - Expected close date", "expected_close"),
    ("Organization - Name", "company"), ("Person - Name", "contact_name"),
    ("Person - Email", "contact_email"), ("Deal - ID", "external_id"),
    # Salesforce
    ("Opportunity Name", "title"), ("Account Name", "company"), ("Stage", "stage"),
    ("Opportunity Owner", "owner"), ("Lead Source", "source"),
    # Odoo
    ("Opportunity", "title"), ("Company Name", "company"), ("Contact Name", "contact_name"),
    ("Email", "contact_email"), ("Expected Revenue", "value"),
    ("Expected Closing", "expected_close"), ("Salesperson", "owner"), ("Source", "source"),
    # Templates and hand-made trackers
    ("Client Name", "company"), ("Deal Value ($)", "value"),
    ("Expected Close Date", "expected_close"), ("Sales Representative", "owner"),
    ("Organisation", "company"), ("  E-mail * ", "contact_email"), ("deal_id", "deal_id"),
])
def test_known_headers_map_to_their_field(header, field):
    assert field_for_header(header) == field


def test_normalising_drops_case_punctuation_units_and_uk_spelling():
    assert normalise_header("Deal - Value (EUR) *") == "deal value"
    assert normalise_header("ORGANISATION  name") == "organization name"


def test_unmapped_and_second_columns_for_a_field_are_listed():
    mapping = map_columns(["Title", "Favourite colour", "Amount", "Value", ""])
    assert mapping.fields == {0: "title", 2: "value"}
    assert mapping.unmapped == ["Favourite colour", "Value"]


def test_the_users_choice_overrides_the_synonyms():
    mapping = map_columns(["Title", "Notes", "Amount"], {1: None, "Amount": "notes"})
    assert mapping.fields == {0: "title", 2: "notes"}
    assert mapping.unmapped == ["Notes"]
    with pytest.raises(UsageError, match="Unknown field"):
        map_columns(["Title"], {0: "colour"})


def test_a_file_shape_is_its_headers_however_they_are_written():
    from app.importing.columns import file_shape

    shape = file_shape(["Deal Name", "Stage", "Amount ($)"])
    assert file_shape(["deal name ", "STAGE", "Amount", "", ""]) == shape
    assert file_shape(["Deal Name", "Amount ($)", "Stage"]) != shape  # moved
    assert file_shape(["Deal Name", "Stage", "Amount ($)", "Owner"]) != shape  # added
    assert file_shape(["Deal Name", "Stage"]) != shape
