"""Finding the header row: title rows, blank rows and merged title cells above it are passed
over; the header is the first row (of the first :data:`SEARCH_ROWS`) with at least two cells
that name a known field. A header row of a rep's update workbook is refused: such a sheet
is merged (:mod:`app.offline`), never imported as a spreadsheet of deals."""

from __future__ import annotations

from app.errors import UsageError
from app.importing.columns import FIELDS, field_for_header, normalise_header
from app.offline.layout import OWN_HEADERS

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
            _refuse_update_sheet(values, sheet)
            return index
    examples = ", ".join(list(FIELDS.values())[2:8])
    raise UsageError(
        f"No header row was found in the first {SEARCH_ROWS} rows: a header row needs at least "
        f"two recognised column names such as {examples}."
    )


_OWN_HEADERS = tuple({normalise_header(h) for h in headers} for headers in OWN_HEADERS)


def _refuse_update_sheet(values: list, sheet: str) -> None:
    """Refuse a header row of an update workbook's sheet (copied into another file, or its
    workbook's hidden sheet lost): imported as deals it would overwrite the manager's
    changes with no conflict shown and move deals past the checklist gate."""
    found = {normalise_header(v) for v in values if isinstance(v, str)}
    if any(own <= found for own in _OWN_HEADERS):
        where = f"The sheet {sheet!r}" if sheet else "This sheet"
        raise UsageError(
            f"{where} comes from a rep's update workbook but the workbook's hidden sheet is "
            "missing (was it copied into another file?), so it cannot be merged safely; "
            "import the workbook the rep was sent, or export a new one for the rep.")
