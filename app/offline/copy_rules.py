"""What a working copy refuses, and how to tell one: kept apart from
:mod:`app.offline.working_copy` so the services that ask (deals, imports, start-up) do not
import the workbook writer and reader with it.

A working copy (``app.offline.working_copy``) is a local database made from a rep's update
workbook; saving it writes the workbook back. What the workbook cannot carry would be
silently lost on the way back to the manager, so a working copy refuses it: adding or
deleting deals, editing a deal's fields other than the five the workbook carries (stage,
value, expected close, next step and its due date), and importing spreadsheets. Adding
reps, editing stages and activity kinds need a manager, and the rep is the only person in a
working copy, so those are refused as everywhere else.
"""

from __future__ import annotations

from app import settings
from app.errors import UsageError
from app.offline.book import EDITABLE_FIELDS

# The Setting whose presence makes a database a working copy (JSON: the workbook, its
# export's identity, the originals; see app.offline.working_copy).
SOURCE_KEY = "working_copy"
# The deal fields a workbook carries back besides the stage (which moves through the gate).
CARRIED_FIELDS = tuple(field for field in EDITABLE_FIELDS if field != "stage")


# Why the deal dialog shows a working copy's other fields read-only (one sentence).
READ_ONLY_DEAL_NOTE = ("In a working copy only the stage, value, expected close and next step "
                       "with its due date can change: its workbook carries nothing else back "
                       "to your manager.")


def is_working_copy() -> bool:
    """Whether the open database is a working copy (it has no manager, and needs none)."""
    return bool(settings.get(SOURCE_KEY))


def refuse_in_working_copy(action: str) -> None:
    """Raise UsageError when the open database is a working copy: ``action`` completes
    "A working copy cannot …" (e.g. "add deals")."""
    if is_working_copy():
        raise UsageError(f"A working copy cannot {action}: its workbook carries only your "
                         "deals' stage, value, expected close and next step, ticks and "
                         "hours. Do this in the team's Funnelcast, or ask your manager.")


def refuse_uncarried_fields(changes: dict) -> None:
    """In a working copy, refuse an edit of deal fields its workbook does not carry (the
    contact, notes, owner…): they would be lost on the way back to the manager."""
    lost = sorted(set(changes) - set(CARRIED_FIELDS))
    if lost and is_working_copy():
        names = ", ".join(name.removesuffix("_id").replace("_", " ") for name in lost)
        raise UsageError(f"A working copy cannot change a deal's {names}: its workbook "
                         "carries only the stage, value, expected close and next step with "
                         "its due date. Change the rest in the team's Funnelcast, or ask your "
                         "manager.")
