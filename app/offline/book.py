"""The in-memory form of a rep's update workbook, shared by the writer, the reader, the merge and
the working copy.

Plain frozen dataclasses with Decimal money and UTC datetimes: nothing here touches the database or
the file, so every side can build one, compare two, and hand one across threads. The field names are
the contract between the core (export, file, merge) and the working copy; add fields, never rename.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

FORMAT_VERSION = 1
HIDDEN_SHEET = "_funnelcast"  # veryHidden and protected

# The editable fields of a deal, in the order the merge reports them.
EDITABLE_FIELDS = ("stage", "value", "expected_close", "next_step", "next_step_due")


@dataclass(frozen=True)
class StageSpec:
    """A stage as the workbook knows it: enough for the drop-down and the working copy's
    board (its weighted pipeline needs the probability, its rotting flags the rot days, its
    column the colour)."""

    name: str
    side: str  # "marketing" / "sales"
    outcome: str  # "open" / "won" / "lost"
    position: int
    probability: int  # 0-100, the manager's estimate
    rot_days: int | None  # None: never rots
    colour: str  # "#rrggbb" or "" for the theme's default


@dataclass(frozen=True)
class ItemSpec:
    """A checklist item (a criterion to enter ``stage``); ``id`` is ChecklistItem.id in the
    manager's database, so ticks come back to the right item."""

    id: int
    stage: str
    text: str
    required: bool
    weight: int
    position: int


@dataclass(frozen=True)
class DealFields:
    """The editable fields of a deal, the unit of the three-way merge."""

    stage: str
    value: Decimal
    expected_close: date | None
    next_step: str
    next_step_due: date | None


@dataclass(frozen=True)
class BookDeal:
    """One row of the Deals sheet (as it is now in the workbook) and its values at export."""

    uuid: str
    title: str
    company: str
    stage: str  # stage NAME now in the workbook (the rep may have changed it)
    value: Decimal
    expected_close: date | None
    next_step: str
    next_step_due: date | None
    version: int  # Deal.version at export
    original: DealFields  # the editable fields as exported (for the three-way merge)
    stage_changed_at: datetime | None  # UTC; the rep's time of the last stage move if known
    # How the deal stood in time (UTC), so a working copy counts days in stage and rotting
    # as the manager's database does: when it was created, entered its stage, and was last
    # touched (activity, move or edit: app.rotting.last_touched).
    created_at: datetime
    stage_entered_at: datetime
    touched_at: datetime

    def fields(self) -> DealFields:
        """The editable fields as they are now in the workbook."""
        return DealFields(
            stage=self.stage,
            value=self.value,
            expected_close=self.expected_close,
            next_step=self.next_step,
            next_step_due=self.next_step_due,
        )


@dataclass(frozen=True)
class BookCheck:
    """One row of the Checklist sheet."""

    deal_uuid: str
    item_id: int  # ChecklistItem.id in the manager's database
    stage: str  # the stage the item is a criterion to enter
    text: str
    required: bool
    done: bool  # "Yes" in the workbook
    was_done: bool  # already ticked at export (shown "Yes", locked)
    ticked_at: datetime | None  # UTC, filled by the working copy; None from Excel


@dataclass(frozen=True)
class BookMove:
    """A stage move made in the working copy, in order (the hidden sheet's log)."""

    deal_uuid: str
    from_stage: str
    to_stage: str
    at: datetime  # UTC
    override_reason: str = ""
    lost_reason: str = ""  # why, for a move into a lost stage (app.pipeline's rule)


@dataclass(frozen=True)
class BookHours:
    """One row of the Hours sheet."""

    row_id: str  # uuid; "" for a row typed in Excel (the reader derives a stable uuid5)
    day: date
    kind: str
    hours: Decimal
    deal_uuid: str | None
    note: str
    row: int = field(default=0, compare=False)  # the sheet row it was read from (0: not read)


@dataclass(frozen=True)
class UpdateBook:
    """A whole update workbook."""

    export_id: str  # uuid4 per export
    database_id: str  # Setting "database_id" (a uuid made once per database, lazily)
    rep_name: str
    exported_at: datetime  # UTC (naive, as the database stores it; so are all times here)
    saved_at: datetime | None  # UTC, the file's save time (docProps/core.xml), None if unknown
    stages: tuple[StageSpec, ...]
    items: tuple[ItemSpec, ...]
    kinds: tuple[str, ...]
    deals: tuple[BookDeal, ...]
    checks: tuple[BookCheck, ...]
    moves: tuple[BookMove, ...]
    hours: tuple[BookHours, ...]
    currency: str  # the manager's ISO code (Setting "currency"): the working copy shows
    # money in it and saves the workbook's formats in it
    # (deal uuid, item id): items of a deal's own and earlier stages ticked at export. They
    # have no Checklist row (not the rep's to change); the working copy ticks them so its
    # board counts checklist progress as the manager's does.
    earlier_ticks: tuple[tuple[str, int], ...]
