"""Where everything sits in a rep's update workbook: the sheets, their headers and the hidden
sheet's rows. The writer lays the file out by these and the reader finds its way by them.

The hidden sheet (:data:`~app.offline.book.HIDDEN_SHEET`) holds text only, one record a
row, its kind in column A: first the key/value rows (:data:`META_KEYS`), then ``stage``,
``item``, ``kind``, ``label`` (an Hours row's deal, as the drop-down offers it), ``original``
(a deal as exported), ``times`` (a deal's created, stage-entered and last-touched times, for
the working copy's days in stage and rotting), ``done`` (an item ticked at export),
``ticked`` (an item of the deal's own or an earlier stage ticked at export) and
``move`` (the working copy's log, with each move's override and lost reasons). ``checksum``
is a SHA-256 of every other record, so a hand-edited hidden sheet is refused rather than
merged on trust.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

DEALS = "Deals"
CHECKLIST = "Checklist"
HOURS = "Hours"
INSTRUCTIONS = "Instructions"

DEAL_HEADERS = ("Deal", "Company", "Stage", "Value", "Expected close", "Next step",
                "Next step due", "Needs before the next stage", "Stage changed", "Deal id")
CHECK_HEADERS = ("Deal", "Company", "For stage", "Criterion", "Required", "Done",
                 "Ticked at", "Deal id", "Item id")
HOURS_HEADERS = ("Date", "Kind", "Hours", "Deal", "Note", "Row id")
# Headers that together mark a sheet as one of an update workbook's (Deals, Checklist,
# Hours): the importer refuses such a sheet outside its workbook (app.importing.header).
OWN_HEADERS = (("Deal id", "Stage changed"), ("Deal id", "Item id"), ("Kind", "Hours", "Row id"))

META_KEYS = ("format_version", "export_id", "database_id", "rep", "exported_at", "currency")
CHECKSUM = "checksum"
STAGE, ITEM, KIND, LABEL, ORIGINAL, TIMES, DONE, TICKED, MOVE = (
    "stage", "item", "kind", "label", "original", "times", "done", "ticked", "move")

# The defined names the drop-downs read their lists from (ranges of the hidden sheet).
STAGE_NAMES, KIND_NAMES, DEAL_LABELS = "StageNames", "KindNames", "DealLabels"

YES, NO = "Yes", "No"
EMPTY_HOURS_ROWS = 300  # pre-formatted rows under the Hours sheet's own, for the rep to fill


def checksum(records: Iterable[Sequence[str]]) -> str:
    """The hidden sheet's fingerprint: a SHA-256 over its records (every cell as text)."""
    digest = hashlib.sha256()
    for record in records:
        digest.update("\x1f".join(record).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()
