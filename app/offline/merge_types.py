"""What merging an update workbook found and did: plain frozen dataclasses for the window's
conflict dialog and the command line (:mod:`app.offline.merge` makes them).

A plan is read-only (a dry run); ``commit_merge(plan, choices, actor)`` writes it, with
``choices`` mapping ``(deal_uuid, field)`` to ``"ours"`` (keep the database's value) or
``"theirs"`` (take the workbook's). A deal with a conflict that has no choice is held back
whole: nothing of it is applied (the command line without ``--ours``/``--theirs``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from app.clock import to_local
from app.offline.book import BookHours, UpdateBook

FieldValue = str | Decimal | date | None

# How a field is named to a user.
FIELD_LABELS = {"stage": "Stage", "value": "Value", "expected_close": "Expected close",
                "next_step": "Next step", "next_step_due": "Next step due"}


def shown(value: FieldValue) -> str:
    """A field's value as the reports show it."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class FieldConflict:
    """A field changed since the export both in the database (``ours``) and in the
    workbook (``theirs``), to different values; ``changed_by``/``changed_at`` say who
    changed the database's and when (UTC, naive) or, with ``deal_edit``, only who last
    edited the deal and when (the database does not record it for this field): reports
    then say "last edit of this deal" (:meth:`changed_text`), never claiming the field."""

    deal_uuid: str
    title: str
    field: str
    original: FieldValue
    ours: FieldValue
    theirs: FieldValue
    changed_by: str
    changed_at: datetime | None
    settled: str | None = None  # "ours" / "theirs" once chosen; None: waits for a choice
    deal_edit: bool = False  # changed_by/at are the deal's last edit, not this field's

    def changed_text(self, when: str) -> str:
        """Who changed the database's value and ``when`` (the time as the caller shows
        it), or the deal's last edit, labelled so."""
        who = self.changed_by or "someone"
        if self.deal_edit:
            return f"last edit of this deal: {who}, {when}"
        return f"changed by {who}, {when}"


@dataclass(frozen=True)
class FieldChange:
    """A field only the rep changed: the merge applies it (``before`` is the database's)."""

    deal_uuid: str
    title: str
    field: str
    before: FieldValue
    after: FieldValue


def local_minute(stamp: datetime) -> str:
    """A UTC time as the command line shows it: local, to the minute."""
    return to_local(stamp).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class PlannedMove:
    """A stage move the merge makes (StageChange origin ``workbook``, the rep as actor)."""

    deal_uuid: str
    title: str
    from_stage: str
    to_stage: str
    at: datetime  # UTC, naive: the rep's time, else the workbook's save time, else now
    key: str  # the StageChange uuid it gets (stable: a second import finds it)
    override_reason: str = ""
    lost_reason: str = ""  # the rep's, for a move into a lost stage made in a working copy
    # The rep's time when it was before the deal's last stage change here (so ``at`` is
    # that change's time instead: history stays in order); None when taken as it was.
    moved_up_from: datetime | None = None

    def sentence(self, when: Callable[[datetime], str] = local_minute) -> str:
        """Why ``at`` is not the rep's time (only for a move moved up); ``when`` shows a
        UTC time (the window passes the locale's format)."""
        early = self.moved_up_from or self.at
        return (f"“{self.title}”, the move to {self.to_stage}: the workbook dates it "
                f"{when(early)}, before the deal's last stage change here, so it is "
                f"recorded at {when(self.at)}.")


@dataclass(frozen=True)
class RefusedMove:
    """A move the gate refused: the required items ``missing`` are not ticked in the
    database nor newly ticked in the workbook."""

    deal_uuid: str
    title: str
    to_stage: str
    missing: tuple[str, ...]

    def sentence(self) -> str:
        return (f"“{self.title}” was not moved to {self.to_stage}: first tick "
                f"{'; '.join(self.missing)}.")


@dataclass(frozen=True)
class SkippedDeal:
    """A workbook row not merged: the deal was deleted since the export (``reason``
    "deleted"), or is now owned by someone else ("owner", ``owner`` naming them)."""

    deal_uuid: str
    title: str
    reason: str
    owner: str = ""

    def sentence(self) -> str:
        if self.reason == "deleted":
            return f"“{self.title}” was deleted since the export; its row was skipped."
        return (f"“{self.title}” now belongs to {self.owner or 'nobody'}; its row was "
                "skipped.")


@dataclass(frozen=True)
class StaleChange:
    """A change in an older workbook to a field a newer workbook of the same rep (or a
    later save of the same workbook) already merged: not applied."""

    deal_uuid: str
    title: str
    field: str
    theirs: FieldValue  # the older workbook's value
    current: FieldValue  # what the newer merge left


@dataclass(frozen=True)
class ChangedHours:
    """An Hours row merged before (its row id is an activity's here) that comes back with
    another date, kind, hours, deal or note: changed after it was merged, in the workbook
    or here. Not applied, so corrected hours are neither counted twice nor silently lost:
    the manager corrects the entry in Funnelcast. ``differences`` name each column that
    differs with both values, as a user reads them."""

    row: int  # the Hours sheet row
    differences: tuple[str, ...]

    def sentence(self) -> str:
        return (f"Hours row {self.row} was changed after it was merged "
                f"({'; '.join(self.differences)}); not applied: correct the hours entry in "
                "Funnelcast if the workbook is right.")


@dataclass(frozen=True)
class PlannedTick:
    deal_uuid: str
    title: str
    item_id: int
    text: str
    at: datetime  # UTC, naive


@dataclass(frozen=True)
class HoursProblem:
    """A row the merge cannot take: an Hours row, or a Deals row whose new value a deal
    cannot hold (``row`` as the sheet numbers it)."""

    row: int
    column: str
    message: str
    sheet: str = "Hours"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column,
                "message": self.message}

    def sentence(self) -> str:
        return f"sheet {self.sheet}, row {self.row}, column {self.column}: {self.message}"


@dataclass(frozen=True)
class MergePlan:
    """Everything a merge of ``book`` would do, worked out against the database as it was
    read. ``conflicts`` wait for the manager's choices; the rest applies as it stands."""

    path: str
    book: UpdateBook
    changes: tuple[FieldChange, ...]
    conflicts: tuple[FieldConflict, ...]
    moves: tuple[PlannedMove, ...]
    refused_moves: tuple[RefusedMove, ...]
    ticks: tuple[PlannedTick, ...]
    hours: tuple[BookHours, ...] = ()  # the BookHours rows to add (new row ids only)
    hours_known: int = 0  # rows merged before (same row id, same content): not added again
    hours_changed: tuple[ChangedHours, ...] = ()  # rows merged before, changed since: not applied
    problems: tuple[HoursProblem, ...] = ()
    skipped: tuple[SkippedDeal, ...] = ()
    stale: tuple[StaleChange, ...] = ()
    newer_export: datetime | None = None  # set when a newer workbook of the rep was merged
    # Set when this same workbook, saved no earlier than this file, was merged already (its
    # save time, else when it was merged): this file is not newer, so what that merge wrote
    # is kept (``stale``).
    merged_save: datetime | None = None
    unchanged: int = 0  # deals with nothing to merge

    @property
    def file_name(self) -> str:
        return Path(self.path).name

    @property
    def rejected(self) -> bool:
        """Rows that cannot be taken block the whole merge (nothing half-merged)."""
        return bool(self.problems)

    @property
    def is_empty(self) -> bool:
        return not (self.changes or self.conflicts or self.moves or self.ticks or self.hours)

    def deals_to_write(self) -> set[str]:
        """The deals (uuids) with a change, move or tick to write, held back or not."""
        return ({c.deal_uuid for c in self.changes} | {m.deal_uuid for m in self.moves}
                | {t.deal_uuid for t in self.ticks})

    def held_back(self) -> set[str]:
        """The deals (uuids) a commit leaves whole: a conflict of theirs has no choice."""
        return {c.deal_uuid for c in self.conflicts if c.settled is None}


@dataclass(frozen=True)
class MergeResult:
    """What ``commit_merge`` wrote; ``plan`` is the plan it wrote, made inside its
    transaction (None only before a write began)."""

    batch_uuid: str  # "" when nothing was written
    updated: int  # deals changed (fields, moves or ticks)
    unchanged: int
    skipped: int  # deals skipped (deleted, someone else's) or held back by a conflict
    fields: int
    moves: int
    ticks: int
    hours: int
    held_back: tuple[str, ...] = ()  # titles of deals held back by an unresolved conflict
    backup: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    plan: MergePlan | None = None
