"""Finding the header row: title rows, blank rows and merged title cells above it are passed
over; the header is the first row (of the first :data:`SEARCH_ROWS`) with at least two cells
that name a known field."""

from __future__ import annotations

from app.errors import UsageError
from app.importing.columns import FIELDS, field_for_header

SEARCH_ROWS = 30


def recognised_count(values: list) -> int:
    """How many distinct fields the cells of a row name."""
    found = {field_for_header(v) for v in values if isinstance(v, str) and v.strip()}
    found.discard(None)
    return len(found)


def find_header(rows: list[tuple[int, list]], sheet: str = "") -> int:
    """Index into ``rows`` (spreadsheet row number, values) of the header row.

    Raises UsageError naming what was looked for when no row qualifies.
    """
    if not rows:
        where = f"The sheet {sheet!r}" if sheet else "The sheet"
        raise UsageError(f"{where} is empty: there is nothing to import.")
    for index, (number, values) in enumerate(rows):
        if number > SEARCH_ROWS:
            break
        if recognised_count(values) >= 2:
            return index
    examples = ", ".join(list(FIELDS.values())[2:8])
    raise UsageError(
        f"No header row was found in the first {SEARCH_ROWS} rows: a header row needs at least "
        f"two recognised column names such as {examples}."
    )
