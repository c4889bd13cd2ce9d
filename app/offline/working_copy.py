"""A rep's update workbook opened in Funnelcast: the working copy.

The rep opens the workbook the manager sent them; Funnelcast makes a local SQLite database
from it (:func:`open_working_copy`) and the rep uses the normal board, deal dialog, gate and
quick log on it. :func:`save_working_copy` writes the same workbook format back: the deals'
fields as they are now, the originals untouched, every stage move with its time and override
reason, ticks with their times, hours with their row ids. The rep never needs the manager's
database; the manager merges the saved workbook (``app.offline.merge``).

Where the copy lives: in the user's data folder (``working-copies/``), one per workbook
(named after the workbook, keyed by its full path), never beside the workbook: the workbook
is the file the rep sends back, and a database beside it would be mailed with it, land in a
synced or read-only attachments folder, or be taken for the thing to send.

Reopening the same workbook reuses its copy, unless the workbook changed since the copy last
read or wrote it (its modification time or size differ: the manager sent a new export, or
the rep edited it in Excel): then the copy is made afresh from it. A copy with changes not
yet saved to the workbook is never thrown away: it is kept beside, renamed
``…-replaced-YYYYmmdd-HHMMSS.sqlite``, and :class:`OpenedCopy` says so.

What a working copy refuses is in :mod:`app.offline.copy_rules`.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from app import settings
from app.clock import utcnow
from app.errors import UsageError
from app.exporting.figures import uuid_hex
from app.jobs import JobControl
from app.offline.book import (
    BookCheck,
    BookDeal,
    BookHours,
    BookMove,
    DealFields,
    ItemSpec,
    StageSpec,
    UpdateBook,
)
from app.offline.copy_rules import SOURCE_KEY
from app.pipeline import settled_lost_reason
from app.rotting import last_touched
from app.workspace import (
    Workspace,
    close_workspace,
    default_database_path,
    open_workspace,
    switching_database,
)
from db.connection import writing
from db.models import (
    Activity,
    ActivityKind,
    ChecklistCheck,
    ChecklistItem,
    Deal,
    Rep,
    Stage,
    StageChange,
)

SAVED_KEY = "working_copy_saved"  # JSON: the workbook's stamp and the content last saved
FOLDER_NAME = "working-copies"


@dataclass(frozen=True)
class WorkingCopyInfo:
    """What the window needs to know about the open working copy."""

    workbook: Path  # the update workbook it was made from and saves to
    rep_name: str
    export_id: str
    exported_at: datetime  # UTC


@dataclass(frozen=True)
class OpenedCopy:
    """What :func:`open_working_copy` did. The copy is the open database afterwards."""

    path: Path  # the working copy's database file
    workspace: Workspace  # as open_workspace opened it
    info: WorkingCopyInfo
    reused: bool  # True: the copy made earlier was opened again as it was
    set_aside: Path | None = None  # an older copy with unsaved changes, kept here


@dataclass(frozen=True)
class SavedCopy:
    """What :func:`save_working_copy` wrote."""

    workbook: Path
    moves: int
    ticks: int  # ticked since the export
    hours: int  # rows on the Hours sheet

    def describe(self) -> str:
        return (f"Saved to {self.workbook.name}: {_count(self.moves, 'stage move')}, "
                f"{_count(self.ticks, 'new tick')}, {_count(self.hours, 'hours row')}.")


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


# ------------------------------------------------------------------ where copies live
def working_copies_folder() -> Path:
    """The folder of working copies, beside the default database in the user's data folder."""
    return default_database_path().parent / FOLDER_NAME


def working_copy_path(workbook_path: str | Path, folder: Path | None = None) -> Path:
    """The working copy of ``workbook_path``: one per workbook, named after it and keyed by
    its full path (two ``updates.xlsx`` in different folders get different copies)."""
    resolved = Path(workbook_path).expanduser().resolve()
    key = hashlib.sha256(str(resolved).encode("utf-8")).hexdigest()[:10]
    return (folder or working_copies_folder()) / f"{resolved.stem}-{key}.sqlite"


def _stamp(path: Path) -> list[int]:
    status = path.stat()
    return [status.st_mtime_ns, status.st_size]


# ------------------------------------------------------------------ opening
def open_working_copy(workbook_path: str | Path, control: JobControl | None = None, *,
                      folder: Path | None = None) -> OpenedCopy:
    """Open the working copy of the update workbook at ``workbook_path`` as the current
    database, making it from the workbook first when there is none yet or the workbook
    changed since (see the module docstring). ``folder`` overrides where copies live.

    The workbook is read before anything is opened or written: a file that is not an update
    workbook (or one a rep broke) raises the reader's sentence, and on any failure the
    database open before is the current one again. A copy being made is built under a
    temporary name and only then put in place, so a failure leaves no half-made copy to
    reopen later."""
    from app.offline.reader import read_update_book

    workbook = Path(workbook_path).expanduser().resolve()
    if not workbook.is_file():
        raise UsageError(f"There is no workbook at {workbook}. Check the path; if it was "
                         "moved, open it from where it is now.")
    if control is not None:
        control.report(0.1, f"Reading {workbook.name}…")
    book = read_update_book(workbook)
    with switching_database():
        return _open_copy(book, workbook, working_copy_path(workbook, folder), control)


def _open_copy(book: UpdateBook, workbook: Path, target: Path,
               control: JobControl | None) -> OpenedCopy:
    set_aside = None
    if target.exists():
        opened = open_workspace(target, create=False)
        saved = _saved_state()
        if saved is not None and saved.get("stamp") == _stamp(workbook):
            return OpenedCopy(target, opened, _require_info(), reused=True)
        unsaved = saved is None or has_unsaved_changes()
        close_workspace()
        if unsaved:
            set_aside = target.with_name(
                f"{target.stem}-replaced-{datetime.now():%Y%m%d-%H%M%S}.sqlite")
            _move_database(target, set_aside)
        else:
            _remove_database(target)
    building = target.with_name(f".{target.stem}.building.sqlite")
    _remove_database(building)
    building.parent.mkdir(parents=True, exist_ok=True)
    try:
        open_workspace(building)
        if control is not None:
            control.report(0.5, "Making the working copy…")
        _fill(book, workbook)
        close_workspace()
        _move_database(building, target)
    except BaseException:
        close_workspace()
        _remove_database(building)
        raise
    opened = open_workspace(target, create=False)
    return OpenedCopy(target, opened, _require_info(), reused=False, set_aside=set_aside)


def _database_files(path: Path) -> list[Path]:
    return [path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-shm"))]


def _remove_database(path: Path) -> None:
    for file in _database_files(path):
        file.unlink(missing_ok=True)


def _move_database(source: Path, target: Path) -> None:
    """Rename a closed SQLite database (and any log files left beside it)."""
    for old, new in zip(_database_files(source), _database_files(target), strict=True):
        if old.exists():
            os.replace(old, new)


def _fill(book: UpdateBook, workbook: Path) -> None:
    """Make the working copy's rows from ``book``, in one transaction: the book's pipeline
    (checklist items keep the manager's ids, so ticks go back to the right item; stages
    keep their win probability, rot days and colour) and currency, the rep as its only
    person and current user, the deals at their versions and times (so days in stage and
    rotting read as in the manager's database), the moves the book already carries (and
    one for a stage typed in Excel since) with their lost reasons, ticks, kinds and hours."""
    with writing():
        stages = {}
        for spec in sorted(book.stages, key=lambda s: s.position):
            stages[spec.name] = Stage.create(
                name=spec.name, position=spec.position, side=spec.side, outcome=spec.outcome,
                probability=spec.probability, rot_days=spec.rot_days, colour=spec.colour)
        for item in book.items:
            ChecklistItem.insert(id=item.id, stage=stages[item.stage], text=item.text,
                                 required=item.required, weight=item.weight,
                                 position=item.position).execute()
        rep = Rep.create(name=book.rep_name, role="rep")
        settings.put("current_user", rep.name)
        settings.put("currency", book.currency)
        _adopt_kinds(book.kinds)

        known_since = _utc(book.saved_at or book.exported_at)
        deals = {}
        for row in book.deals:
            touched = _utc(row.touched_at)
            deals[row.uuid] = Deal.create(
                uuid=row.uuid, title=row.title, company=row.company, owner=rep,
                stage=stages[row.stage], value=row.value, expected_close=row.expected_close,
                next_step=row.next_step, next_step_due=row.next_step_due, version=row.version,
                created_at=_utc(row.created_at), stage_entered_at=_utc(row.stage_entered_at),
                last_activity_at=touched, updated_at=touched, updated_by=rep)
        last_stage = {row.uuid: row.original.stage for row in book.deals}
        entered: dict[str, tuple[datetime, str]] = {}  # moved deals: (when, lost reason)
        for move in book.moves:
            if move.deal_uuid not in deals:
                continue
            entered[move.deal_uuid] = _record_move(
                deals[move.deal_uuid], stages[move.from_stage], stages[move.to_stage],
                _utc(move.at), rep, move.override_reason, move.lost_reason,
                entered.get(move.deal_uuid, (None, ""))[1])
            last_stage[move.deal_uuid] = move.to_stage
        for row in book.deals:  # a stage typed in Excel after the last logged move
            if row.stage != last_stage[row.uuid]:
                when = _utc(row.stage_changed_at) if row.stage_changed_at else known_since
                entered[row.uuid] = _record_move(
                    deals[row.uuid], stages[last_stage[row.uuid]], stages[row.stage], when,
                    rep, "", "", entered.get(row.uuid, (None, ""))[1])
        for key, (when, reason) in entered.items():
            Deal.update(stage_entered_at=when, lost_reason=reason).where(
                Deal.id == deals[key].id).execute()

        items = {item.id for item in book.items}
        for check in book.checks:
            if check.done and check.item_id in items and check.deal_uuid in deals:
                when = _utc(check.ticked_at) if check.ticked_at else known_since
                ChecklistCheck.insert(deal=deals[check.deal_uuid], item=check.item_id,
                                      checked_at=when, checked_by=rep
                                      ).on_conflict_ignore().execute()
        for deal_uuid, item_id in book.earlier_ticks:  # the manager's, before the export
            if deal_uuid not in deals:
                continue
            ChecklistCheck.insert(deal=deals[deal_uuid], item=item_id,
                                  checked_at=_utc(book.exported_at), checked_by=None
                                  ).on_conflict_ignore().execute()
        for hours in book.hours:
            deal = deals.get(hours.deal_uuid) if hours.deal_uuid else None
            Activity.create(uuid=hours.row_id, rep=rep, deal=deal, kind=hours.kind,
                            date=hours.day, hours=hours.hours, note=hours.note)

        settings.put(SOURCE_KEY, json.dumps(_source_record(book, workbook)))
        _remember_saved(workbook)


def _record_move(deal: Deal, from_stage: Stage, to_stage: Stage, when: datetime, rep: Rep,
                 override_reason: str, lost_reason: str,
                 current_reason: str) -> tuple[datetime, str]:
    """Record a move of the book's log; returns when the deal entered ``to_stage`` and the
    lost reason it holds there (the one rule: :func:`app.pipeline.settled_lost_reason`)."""
    reason = settled_lost_reason(to_stage.outcome == "lost", lost_reason, current_reason,
                                 from_stage.outcome == "lost")
    StageChange.create(deal=deal, from_stage=from_stage, to_stage=to_stage, changed_at=when,
                       changed_by=rep, override_reason=override_reason, lost_reason=reason)
    return when, reason


def _adopt_kinds(kinds: tuple[str, ...]) -> None:
    """The rep logs hours with the manager's kinds only (the merge knows no others): kinds
    the new database has but the book lacks are made inactive, the book's others added."""
    if not kinds:
        return
    have = {kind.name: kind for kind in ActivityKind.select()}
    for position, name in enumerate(kinds):
        if name in have:
            ActivityKind.update(position=position, active=True).where(
                ActivityKind.id == have[name].id).execute()
        else:
            ActivityKind.create(name=name, category="other", position=position)
    ActivityKind.update(active=False).where(ActivityKind.name.not_in(list(kinds))).execute()


def _utc(stamp: datetime) -> datetime:
    """A UTC time as the database holds it: naive, whole seconds."""
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(UTC).replace(tzinfo=None)
    return stamp.replace(microsecond=0)


# ------------------------------------------------------------------ what the copy remembers
def _fields_record(fields: DealFields) -> dict:
    return {"stage": fields.stage, "value": str(fields.value),
            "expected_close": _iso(fields.expected_close), "next_step": fields.next_step,
            "next_step_due": _iso(fields.next_step_due)}


def _fields_from(record: dict) -> DealFields:
    return DealFields(stage=record["stage"], value=Decimal(record["value"]),
                      expected_close=_day(record["expected_close"]),
                      next_step=record["next_step"],
                      next_step_due=_day(record["next_step_due"]))


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _source_record(book: UpdateBook, workbook: Path) -> dict:
    """The book's identity and originals, kept in the copy so a save writes them back as the
    manager exported them: the merge is three-way against these."""
    return {
        "workbook": str(workbook),
        "export_id": book.export_id,
        "database_id": book.database_id,
        "rep": book.rep_name,
        "exported_at": _utc(book.exported_at).isoformat(),
        "currency": book.currency,
        "originals": {
            row.uuid: {"version": row.version, "fields": _fields_record(row.original),
                       "stage_changed_at": _iso(row.stage_changed_at and _utc(
                           row.stage_changed_at))}
            for row in book.deals
        },
        # The Checklist sheet's rows per deal: (item id, ticked at export).
        "checklist": [[check.deal_uuid, check.item_id, check.was_done]
                      for check in book.checks],
        "earlier_ticks": [list(pair) for pair in book.earlier_ticks],
    }


def _source() -> dict | None:
    text = settings.get(SOURCE_KEY)
    return json.loads(text) if text else None


def _saved_state() -> dict | None:
    text = settings.get(SAVED_KEY)
    return json.loads(text) if text else None


def _remember_saved(workbook: Path) -> None:
    """The workbook's stamp and the content it now holds: the copy is saved."""
    settings.put(SAVED_KEY, json.dumps({"stamp": _stamp(workbook),
                                        "digest": _digest(book_from_database())}))


def _info_from(source: dict) -> WorkingCopyInfo:
    return WorkingCopyInfo(workbook=Path(source["workbook"]), rep_name=source["rep"],
                           export_id=source["export_id"],
                           exported_at=datetime.fromisoformat(source["exported_at"]))


def describe() -> WorkingCopyInfo | None:
    """The open database's working-copy facts, or None when it is not a working copy."""
    source = _source()
    return _info_from(source) if source is not None else None


def _require_info() -> WorkingCopyInfo:
    info = describe()
    if info is None:
        raise UsageError("The open database is not a working copy of an update workbook.")
    return info


# ------------------------------------------------------------------ saving
def book_from_database() -> UpdateBook:
    """The working copy as an update workbook: the deals as they are now with the originals
    they were exported with, every stage move made since the export in order, each deal's
    checklist rows (those exported, and any other item ticked since) with tick times, and
    every hours row with its row id. ``saved_at`` is now."""
    source = _source()
    if source is None:
        raise UsageError("The open database is not a working copy of an update workbook.")
    stages = {stage.id: stage for stage in Stage.select().order_by(Stage.position)}
    stage_names = {stage_id: stage.name for stage_id, stage in stages.items()}
    items = {item.id: item for item in ChecklistItem.select().order_by(ChecklistItem.position)}
    deals = list(Deal.select().order_by(Deal.id))
    uuid_of = {deal.id: uuid_hex(deal.uuid) for deal in deals}
    moves = [
        BookMove(deal_uuid=uuid_of[change.deal_id],
                 from_stage=stage_names[change.from_stage_id],
                 to_stage=stage_names[change.to_stage_id], at=change.changed_at,
                 override_reason=change.override_reason, lost_reason=change.lost_reason)
        for change in StageChange.select().where(StageChange.from_stage.is_null(False))
        .order_by(StageChange.changed_at, StageChange.id)
    ]
    last_move = {move.deal_uuid: move.at for move in moves}
    originals = source["originals"]
    book_deals = []
    for deal in deals:
        key = uuid_of[deal.id]
        original = originals[key]
        known = original["stage_changed_at"]
        book_deals.append(BookDeal(
            uuid=key, title=deal.title, company=deal.company,
            stage=stage_names[deal.stage_id], value=deal.value,
            expected_close=deal.expected_close, next_step=deal.next_step,
            next_step_due=deal.next_step_due, version=original["version"],
            original=_fields_from(original["fields"]),
            stage_changed_at=last_move.get(key) or (
                datetime.fromisoformat(known) if known else None),
            created_at=deal.created_at, stage_entered_at=deal.stage_entered_at,
            touched_at=last_touched(deal.last_activity_at, deal.stage_entered_at,
                                    deal.updated_at)))
    ticked = {(uuid_of[check.deal_id], check.item_id): check.checked_at
              for check in ChecklistCheck.select()}
    rows = {(deal_uuid, item_id): was_done
            for deal_uuid, item_id, was_done in source["checklist"]}
    earlier = tuple((deal_uuid, item_id) for deal_uuid, item_id in source["earlier_ticks"])
    for pair in ticked:
        if pair not in earlier:  # ticked since, on an item the workbook did not list
            rows.setdefault(pair, False)
    checks = []
    for (deal_uuid, item_id), was_done in rows.items():
        item = items.get(item_id)
        if item is None:
            continue
        when = ticked.get((deal_uuid, item_id))
        checks.append(BookCheck(
            deal_uuid=deal_uuid, item_id=item_id, stage=stage_names[item.stage_id],
            text=item.text, required=item.required, done=when is not None,
            was_done=was_done, ticked_at=when if when is not None and not was_done else None))
    hours = [
        BookHours(row_id=uuid_hex(activity.uuid), day=activity.date, kind=activity.kind,
                  hours=activity.hours, deal_uuid=uuid_of.get(activity.deal_id),
                  note=activity.note)
        for activity in Activity.select().order_by(Activity.date, Activity.id)
    ]
    return UpdateBook(
        export_id=source["export_id"], database_id=source["database_id"],
        rep_name=source["rep"], exported_at=datetime.fromisoformat(source["exported_at"]),
        saved_at=utcnow(),
        stages=tuple(StageSpec(s.name, s.side, s.outcome, s.position, s.probability,
                               s.rot_days, s.colour)
                     for s in stages.values() if not s.archived),
        items=tuple(ItemSpec(i.id, stage_names[i.stage_id], i.text, i.required, i.weight,
                             i.position) for i in items.values()),
        kinds=tuple(kind.name for kind in ActivityKind.select().where(
            ActivityKind.active == True).order_by(ActivityKind.position, ActivityKind.name)),
        deals=tuple(book_deals), checks=tuple(checks), moves=tuple(moves), hours=tuple(hours),
        currency=source["currency"], earlier_ticks=earlier,
    )


def _digest(book: UpdateBook) -> str:
    """What the rep changed, as one value: the deals, ticks, moves and hours (not the save
    time), to tell whether the copy holds anything the workbook does not."""
    content = repr((book.deals, book.checks, book.moves, book.hours))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def has_unsaved_changes() -> bool:
    """True when the working copy holds moves, ticks, hours or field changes not yet saved
    to its workbook (False on a database that is not a working copy)."""
    if _source() is None:
        return False
    saved = _saved_state()
    return saved is None or saved.get("digest") != _digest(book_from_database())


def save_working_copy(workbook_path: str | Path,
                      control: JobControl | None = None) -> SavedCopy:
    """Write the open working copy to ``workbook_path`` in the update workbook format (with
    the core's writer, atomically: the old file stays whole until the new one is complete),
    then remember it as saved. Normally ``workbook_path`` is the workbook the copy was made
    from (:func:`describe`); another path saves a copy there and remembers that one."""
    from app.offline.writer import write_update_workbook

    workbook = Path(workbook_path).expanduser().resolve()
    book = book_from_database()
    write_update_workbook(book, workbook, control)
    with writing():
        source = _source() or {}
        source["workbook"] = str(workbook)
        settings.put(SOURCE_KEY, json.dumps(source))
        _remember_saved(workbook)
    return SavedCopy(workbook, moves=len(book.moves),
                     ticks=sum(1 for check in book.checks if check.done and not check.was_done),
                     hours=len(book.hours))
