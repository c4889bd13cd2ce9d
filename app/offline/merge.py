"""Merging a rep's update workbook into the manager's database.

:func:`plan_merge` reads the workbook and works out, without writing, what merging it does
(the window's conflict dialog and ``import --dry-run`` show it); :func:`commit_merge` writes
it in one transaction, after a backup, as an import batch "Undo last import" takes back.

The rules (DESIGN.md, "Offline round trip"):

- Three-way per field: the workbook's value against the value at export says whether the
  rep changed it; the database's against the same, whether it changed here. Only the rep ->
  applied; both, to different values -> a :class:`FieldConflict` (who changed the
  database's and when, or, where that is not recorded for the field, who last edited the
  deal and when, said so), applied only as the manager chooses; the rest of the deal merges.
- Stage: the working copy's moves in order, then one more to the Deals sheet's stage if it
  differs, each a StageChange with origin ``workbook``, the rep as actor and the rep's time
  (else the workbook's save time). A move whose required items are not ticked here nor
  newly ticked in the workbook is refused (the gate rule of
  :func:`app.pipeline.required_for_move`); an item ticked at export and unticked here since
  counts as unticked.
- Ticks become ChecklistChecks by the rep; Hours rows become Activities whose uuid is the
  row's id, so a second import adds nothing; a row whose id is already an activity's but
  whose date, kind, hours, deal or note differ was changed after it was merged: listed,
  not applied (neither added a second time nor dropped unseen).
- A workbook from another database is refused; deals deleted since the export, or now
  owned by someone else, are listed and skipped.
- A workbook of an export already merged is told apart by its save time (recorded with
  each merge). Saved later than that merge (a working copy or an Excel file saved anew):
  its values are compared with what the earlier merge left (not with the export), so a
  field the rep has not changed again is not merged twice, one changed here since is left
  alone, and one the rep changed again merges, or conflicts, from that baseline. Saved no
  later (the same file again, or an older save such as the original export): what that
  merge wrote is kept, a different value for it listed as stale and not applied. The same
  rule holds for an older export of the rep merged after a newer one; the rest applies.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from peewee import JOIN, chunked

from app.activities import (
    check_day_total,
    clean_date,
    clean_hours,
    day_total,
    resolve_kind,
    touch_deal,
)
from app.clock import utcnow
from app.deals import check_fields
from app.errors import ConflictError, ValidationError
from app.exporting.figures import uuid_hex
from app.importing.commit import decode_before, encode_before
from app.importing.service import BackupBeforeImport
from app.jobs import JobControl
from app.matching import name_key
from app.offline.book import EDITABLE_FIELDS, BookDeal, BookHours, BookMove, UpdateBook
from app.offline.export import DATABASE_ID
from app.offline.merge_types import (
    FIELD_LABELS,
    ChangedHours,
    FieldChange,
    FieldConflict,
    HoursProblem,
    MergePlan,
    MergeResult,
    PlannedMove,
    PlannedTick,
    RefusedMove,
    SkippedDeal,
    StaleChange,
    shown,
)
from app.offline.reader import read_update_book
from app.pipeline import required_for_move, settled_lost_reason
from app.users import RepInfo, find_rep
from app.workspace import SERVER_BACKUPS
from db.connection import lock_for_writing, writing
from db.models import (
    Activity,
    ChecklistCheck,
    ChecklistItem,
    Deal,
    ImportBatch,
    ImportChange,
    LeadSource,
    Rep,
    Setting,
    Stage,
    StageChange,
)

CHUNK = 500  # values in one IN (...) or one INSERT
MOVE_NAMESPACE = uuid.UUID("0f1d6c38-51a4-4c1e-9d0a-3b7f1e2c9a64")
Choices = Mapping[tuple[str, str], str]  # (deal uuid, field) -> "ours" | "theirs"
# The key under which a merge's undo record also keeps the values it merged (undo restores
# only the fields it knows, so this one is left alone there).
MERGED = "_merged"


def lost_reason_for(rep_name: str) -> str:
    """The reason recorded when a rep marks a deal lost on the workbook's Deals sheet (it
    has no column for one; a lost deal always has a reason). A move made in a working copy
    carries the rep's own reason instead."""
    return f"Marked lost in {rep_name}'s update workbook"


def move_key(export_id: str, deal_uuid: str, what: str) -> str:
    """The StageChange uuid of a move from a workbook: the same move of the same workbook
    gets the same uuid, so importing it again finds it."""
    return uuid.uuid5(MOVE_NAMESPACE, f"{export_id}|{deal_uuid}|{what}").hex


@dataclass
class _Row:
    """A deal of the workbook as the database holds it now."""

    deal: Deal
    book: BookDeal
    stage_name: str
    sheet_row: int  # its row on the Deals sheet


@dataclass
class _Scope:
    """What planning reads from the database once, for every deal."""

    rep: RepInfo
    stages: dict[int, Stage]  # every stage, archived too (the history points at them)
    live: dict[str, Stage]  # live stages by name key
    rows: dict[str, _Row] = field(default_factory=dict)
    skipped: list[SkippedDeal] = field(default_factory=list)
    ticked: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    # The values earlier merges of this same workbook left, by deal id then field: the
    # baseline its values are compared with now (the rep may have changed one again since).
    own_values: dict[int, dict[str, object]] = field(
        default_factory=lambda: defaultdict(dict))
    # The fields, and the values, written by merges this workbook must not revert: of a
    # newer export of the rep, or of this same workbook saved as late as this one or later.
    newer_fields: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    later_save_fields: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    newer_values: dict[int, dict[str, object]] = field(
        default_factory=lambda: defaultdict(dict))
    newer_export: datetime | None = None
    merged_save: datetime | None = None
    known_moves: set[str] = field(default_factory=set)
    required: dict[tuple[int, int], list] = field(default_factory=dict)
    checks: dict[str, list] = field(default_factory=lambda: defaultdict(list))  # by deal
    log: dict[str, list[tuple[int, BookMove]]] = field(
        default_factory=lambda: defaultdict(list))  # the working copy's moves: (index, move)

    def required_items(self, from_stage: Stage, to_stage: Stage) -> list:
        key = (from_stage.id, to_stage.id)
        if key not in self.required:
            self.required[key] = required_for_move(from_stage, to_stage)
        return self.required[key]


def _refuse_foreign(book: UpdateBook, path: Path) -> None:
    row = Setting.get_or_none(Setting.key == DATABASE_ID)
    if row is None or row.value != book.database_id:
        raise ValidationError(
            f"{path.name} was exported from another Funnelcast database, not this one; "
            "nothing was changed. Import it into the database it came from.")


def _saved_before(merged: datetime | None, saved: datetime | None) -> bool:
    """Whether a save of a workbook merged at ``merged`` (its save time) is older than one
    saved at ``saved``: only when both are known and strictly earlier. The same save, or one
    whose time is unknown, counts as not older, so what its merge wrote is never reverted."""
    return merged is not None and saved is not None and merged < saved


def _same_value(name: str, one: object, other: object) -> bool:
    """Whether two values of field ``name`` are the same (stages by name, any case; text
    as a deal holds it once saved, so spacing the workbook cannot keep is no change)."""
    if name == "stage":
        return name_key(str(one)) == name_key(str(other))
    if isinstance(one, str) and isinstance(other, str):
        return check_fields({name: one}) == check_fields({name: other})
    return one == other


def _changed_fields(before: str) -> set[str]:
    keys = set(json.loads(before or "{}"))
    return {("stage" if k == "stage_id" else k) for k in keys} & set(EDITABLE_FIELDS)


def _read_scope(book: UpdateBook) -> _Scope:
    rep = find_rep(book.rep_name)
    stages = {s.id: s for s in Stage.select()}
    live = {name_key(s.name): s for s in stages.values() if not s.archived}
    scope = _Scope(rep, stages, live)
    wanted = {d.uuid: d for d in book.deals}
    found: dict[str, Deal] = {}
    for chunk in chunked([uuid.UUID(hex=u) for u in wanted], CHUNK):
        for deal in Deal.select().where(Deal.uuid.in_(chunk)):
            found[uuid_hex(deal.uuid)] = deal
    owners = dict(Rep.select(Rep.id, Rep.name).tuples())
    for sheet_row, (key, book_deal) in enumerate(wanted.items(), 2):
        deal = found.get(key)
        if deal is None:
            scope.skipped.append(SkippedDeal(key, book_deal.title, "deleted"))
        elif deal.owner_id != rep.id:
            scope.skipped.append(SkippedDeal(key, deal.title, "owner",
                                             owners.get(deal.owner_id, "")))
        else:
            scope.rows[key] = _Row(deal, book_deal, stages[deal.stage_id].name, sheet_row)
    ids = [r.deal.id for r in scope.rows.values()]
    for chunk in chunked(ids, CHUNK):
        for deal_id, item_id in (ChecklistCheck.select(ChecklistCheck.deal, ChecklistCheck.item)
                                 .where(ChecklistCheck.deal.in_(chunk)).tuples()):
            scope.ticked[deal_id].add(item_id)
    merges = (ImportBatch.select(ImportBatch.id, ImportBatch.export_id, ImportBatch.exported_at,
                                 ImportBatch.saved_at, ImportBatch.started_at)
              .where(ImportBatch.export_rep == rep.name, ImportBatch.undone_at.is_null(),
                     ImportBatch.export_id != "", ImportBatch.exported_at.is_null(False))
              .order_by(ImportBatch.id))
    own, later_saves, newer_exports = [], [], []
    for batch_id, export_id, exported_at, merged_save, merged_at in merges.tuples():
        if export_id == book.export_id:
            if _saved_before(merged_save, book.saved_at):
                own.append(batch_id)  # an earlier save of it: the baseline
            else:  # this save, or a later one, was merged: what it wrote is kept
                later_saves.append(batch_id)
                when = merged_save or merged_at
                scope.merged_save = max(scope.merged_save or when, when)
        elif exported_at > book.exported_at:
            newer_exports.append(batch_id)
            scope.newer_export = max(scope.newer_export or exported_at, exported_at)
    for batch_ids, into in ((newer_exports, scope.newer_values),
                            (later_saves, scope.newer_values), (own, scope.own_values)):
        for chunk in chunked(batch_ids, CHUNK):
            for deal_id, before in (ImportChange.select(ImportChange.deal, ImportChange.before)
                                    .where(ImportChange.batch.in_(chunk))
                                    .order_by(ImportChange.batch).tuples()):
                if into is scope.newer_values:
                    fields = (scope.newer_fields if batch_ids is newer_exports
                              else scope.later_save_fields)
                    fields[deal_id] |= _changed_fields(before)
                merged = json.loads(before or "{}").get(MERGED, {})
                into[deal_id].update({k: decode_before(k, v) for k, v in merged.items()})
    for check in book.checks:
        scope.checks[check.deal_uuid].append(check)
    for index, move in enumerate(book.moves):
        scope.log[move.deal_uuid].append((index, move))
    keys = [move_key(book.export_id, m.deal_uuid, f"move{i}") for i, m in enumerate(book.moves)]
    for chunk in chunked([uuid.UUID(hex=k) for k in keys], CHUNK):
        scope.known_moves.update(uuid_hex(u) for (u,) in StageChange.select(StageChange.uuid)
                                 .where(StageChange.uuid.in_(chunk)).tuples())
    return scope


def _who(deal: Deal, name: str, reps: dict[int, str]) -> tuple[str, datetime | None, bool]:
    """Who last changed ``name`` of ``deal`` in the database, and when; the flag is True
    when that is not known for the field, only for the deal's last edit (whoever made it).

    Known: the stage (its last StageChange), or a field the deal's last edit changed when
    that edit was an import or merge (its undo record, left at the deal's version, names
    the fields). A plain edit records no fields, so it is not claimed for one."""
    if name == "stage":
        last = (StageChange.select().where(StageChange.deal == deal.id)
                .order_by(StageChange.changed_at.desc(), StageChange.id.desc()).first())
        if last is not None:
            return reps.get(last.changed_by_id, ""), last.changed_at, False
    else:
        record = (ImportChange.select(ImportChange.before).join(ImportBatch)
                  .where(ImportChange.deal == deal.id,
                         ImportChange.version_after == deal.version,
                         ImportBatch.undone_at.is_null()).first())
        if record is not None and name in _changed_fields(record.before):
            return reps.get(deal.updated_by_id, ""), deal.updated_at, False
    return reps.get(deal.updated_by_id, ""), deal.updated_at, True


@dataclass
class _DealPlan:
    changes: list[FieldChange] = field(default_factory=list)
    conflicts: list[FieldConflict] = field(default_factory=list)
    moves: list[PlannedMove] = field(default_factory=list)
    refused: list[RefusedMove] = field(default_factory=list)
    ticks: list[PlannedTick] = field(default_factory=list)
    stale: list[StaleChange] = field(default_factory=list)
    problems: list[HoursProblem] = field(default_factory=list)


def _plan_moves(book: UpdateBook, row: _Row, scope: _Scope, start: str, final: str,
                log: list[tuple[int, BookMove]], plan: _DealPlan, fallback: datetime) -> None:
    """The moves taking the deal from ``start`` to ``final``: the log's (``log``: index,
    BookMove), then one more if needed; the chain stops at the first move the gate refuses."""
    # The items ticked once the merge is written: the database's ticks now and those the
    # merge writes. An item ticked at export (was_done) and unticked here since counts as
    # unticked: the merge writes no tick for it.
    workbook_ticks = {c.item_id for c in scope.checks[row.book.uuid]
                      if c.done and not c.was_done}
    ticked = scope.ticked[row.deal.id] | workbook_ticks
    steps = [(move_key(book.export_id, row.book.uuid, f"move{i}"), m.to_stage, m.at,
              m.override_reason, m.lost_reason) for i, m in log if m.to_stage != m.from_stage]
    last = steps[-1][1] if steps else start
    if name_key(last) != name_key(final):
        steps.append((move_key(book.export_id, row.book.uuid, f"sheet:{final}"), final,
                      row.book.stage_changed_at or fallback, "", ""))
    current = scope.live.get(name_key(start)) or scope.stages[row.deal.stage_id]
    floor = row.deal.stage_entered_at  # the deal's last stage change here: history stays
    for key, to_name, at, reason, lost_reason in steps:  # in order, later moves after it
        target = scope.live.get(name_key(to_name))
        if target is None:
            plan.refused.append(RefusedMove(row.book.uuid, row.deal.title, to_name,
                                            ("the stage no longer exists",)))
            return
        if target.id == current.id:
            continue
        missing = [i for i in scope.required_items(current, target) if i.id not in ticked]
        if missing:
            plan.refused.append(RefusedMove(row.book.uuid, row.deal.title, target.name,
                                            tuple(f"{i.text} ({i.stage_name})"
                                                  for i in missing)))
            return
        early = at if at < floor else None
        floor = max(at, floor)
        plan.moves.append(PlannedMove(row.book.uuid, row.deal.title, current.name,
                                      target.name, floor, key, reason, lost_reason, early))
        current = target


def _plan_deal(book: UpdateBook, row: _Row, scope: _Scope, choices: Choices,
               settle: str | None, reps: dict[int, str], fallback) -> _DealPlan:
    plan = _DealPlan()
    deal, mine = row.deal, row.book
    ours_all = {"stage": row.stage_name, "value": deal.value,
                "expected_close": deal.expected_close, "next_step": deal.next_step,
                "next_step_due": deal.next_step_due}
    theirs_all = vars(mine.fields())
    # What the rep's values are compared with: as exported, or as this same workbook's
    # earlier merge left them.
    original_all = {**vars(mine.original), **scope.own_values[deal.id]}
    log = [(i, m) for i, m in scope.log[mine.uuid]
           if move_key(book.export_id, mine.uuid, f"move{i}") not in scope.known_moves]
    for name in EDITABLE_FIELDS:
        ours, theirs, original = ours_all[name], theirs_all[name], original_all[name]
        changed = (name == "stage" and bool(log)) or not _same_value(name, theirs, original)
        same = _same_value(name, ours, theirs)
        ours_changed = not _same_value(name, ours, original)
        later_save = name in scope.later_save_fields[deal.id]
        if not (changed or later_save):
            continue  # the rep left it (or it is as this workbook's earlier merge left it)
        if later_save or name in scope.newer_fields[deal.id]:
            # A newer merge wrote this field: kept. Listed as stale unless this workbook
            # holds what that merge wrote (the same save again) or what is here now; for
            # a save of the same workbook, even when the rep had not changed it by then.
            written = scope.newer_values[deal.id].get(name, ours)
            if not same and not _same_value(name, theirs, written):
                plan.stale.append(StaleChange(mine.uuid, deal.title, name, theirs, ours))
            continue
        if same:
            continue
        if ours_changed:
            choice = choices.get((mine.uuid, name), settle)
            who, when, deal_edit = _who(deal, name, reps)
            plan.conflicts.append(FieldConflict(mine.uuid, deal.title, name, original, ours,
                                                theirs, who, when, choice, deal_edit))
            if choice != "theirs":
                continue
            if name == "stage":  # the rep's stage, from where the deal is now
                _plan_moves(book, row, scope, ours, theirs, [], plan, fallback)
                continue
        if name == "stage":
            _plan_moves(book, row, scope, original, theirs, log, plan, fallback)
        else:
            try:  # a value a deal cannot hold (too long, too large) stops the merge
                check_fields({name: theirs})
            except ValidationError as error:
                plan.problems.append(HoursProblem(row.sheet_row, FIELD_LABELS[name],
                                                  str(error), "Deals"))
                continue
            plan.changes.append(FieldChange(mine.uuid, deal.title, name, ours, theirs))
    for check in scope.checks[mine.uuid]:
        if (check.done and not check.was_done
                and check.item_id not in scope.ticked[deal.id]):
            plan.ticks.append(PlannedTick(mine.uuid, deal.title, check.item_id, check.text,
                                          check.ticked_at or fallback))
    return plan


def _differences(hours: BookHours, merged: tuple) -> tuple[str, ...]:
    """How an Hours row differs from the activity it was merged as (``merged``: date, kind,
    hours, deal uuid or None, note), one "Column: here, in the workbook" each."""
    day, kind, amount, deal_uuid, note = merged
    pairs = (("Date", day, hours.day, day == hours.day),
             ("Kind", kind, hours.kind, name_key(kind) == name_key(hours.kind)),
             ("Hours", amount, hours.hours, amount == hours.hours),
             ("Deal", deal_uuid, hours.deal_uuid, deal_uuid == (hours.deal_uuid or None)),
             ("Note", note, hours.note, note == hours.note[:500]))
    return tuple(f"{column}: {shown(here)} here, {shown(there)} in the workbook"
                 if column != "Deal" else "Deal: another deal in the workbook"
                 for column, here, there, same in pairs if not same)


def _plan_hours(book: UpdateBook, rep: RepInfo) -> tuple[list, int, list, list[HoursProblem]]:
    """The Hours rows not merged before, how many were (unchanged), those merged before and
    changed since (:class:`ChangedHours`, not applied), and the problems of the new rows
    that cannot be taken."""
    merged: dict[str, tuple] = {}
    for chunk in chunked([uuid.UUID(hex=h.row_id) for h in book.hours], CHUNK):
        for key, *facts, deal_uuid, note in (
                Activity.select(Activity.uuid, Activity.date, Activity.kind, Activity.hours,
                                Deal.uuid, Activity.note)
                .join(Deal, JOIN.LEFT_OUTER, on=(Activity.deal == Deal.id))
                .where(Activity.uuid.in_(chunk)).tuples()):
            merged[uuid_hex(key)] = (*facts, uuid_hex(deal_uuid) if deal_uuid else None, note)
    new = [h for h in book.hours if h.row_id not in merged]
    changed = [ChangedHours(h.row, found) for h in book.hours if h.row_id in merged
               for found in [_differences(h, merged[h.row_id])] if found]
    problems = []
    added: dict[date, Decimal] = defaultdict(Decimal)
    kinds: dict[str, ValidationError | None] = {}
    for kind in {h.kind for h in new}:
        try:
            resolve_kind(kind)
            kinds[kind] = None
        except ValidationError as error:
            kinds[kind] = error
    for hours in new:
        try:
            clean_hours(hours.hours)
            clean_date(hours.day)
            refused = kinds[hours.kind]
            if refused is not None:
                raise refused
        except ValidationError as error:
            column = {"hours": "Hours", "date": "Date", "kind": "Kind"}.get(error.field or "",
                                                                           "Hours")
            problems.append(HoursProblem(hours.row, column, str(error)))
            continue
        added[hours.day] += hours.hours
    rep_row = Rep.get_by_id(rep.id)
    for day, amount in sorted(added.items()):
        try:
            check_day_total(rep_row, day, amount, already=day_total(rep.id, day))
        except ValidationError as error:
            row = min(h.row for h in new if h.day == day)
            problems.append(HoursProblem(row, "Hours", str(error)))
    return new, len(book.hours) - len(new) - len(changed), changed, problems


def plan_book(book: UpdateBook, path: str | Path, choices: Choices | None = None,
              settle: str | None = None) -> MergePlan:
    """What merging ``book`` (read from ``path``) does now. A conflict takes its choice
    from ``choices``, else ``settle`` ("ours"/"theirs"), else waits (its deal is held back
    by a commit); every conflict is listed with how it was settled."""
    path = Path(path)
    _refuse_foreign(book, path)
    choices = choices or {}
    scope = _read_scope(book)
    reps = dict(Rep.select(Rep.id, Rep.name).tuples())
    fallback = book.saved_at or utcnow()
    whole = _DealPlan()
    unchanged = 0
    for row in scope.rows.values():
        deal_plan = _plan_deal(book, row, scope, choices, settle, reps, fallback)
        if not (deal_plan.changes or deal_plan.conflicts or deal_plan.moves
                or deal_plan.ticks or deal_plan.refused):
            unchanged += 1
        for name in ("changes", "conflicts", "moves", "refused", "ticks", "stale", "problems"):
            getattr(whole, name).extend(getattr(deal_plan, name))
    hours, known, changed, problems = _plan_hours(book, scope.rep)
    return MergePlan(
        path=str(path), book=book, changes=tuple(whole.changes),
        conflicts=tuple(whole.conflicts), moves=tuple(whole.moves),
        refused_moves=tuple(whole.refused), ticks=tuple(whole.ticks), hours=tuple(hours),
        hours_known=known, hours_changed=tuple(changed), problems=tuple(whole.problems + problems),
        skipped=tuple(scope.skipped), stale=tuple(whole.stale),
        newer_export=scope.newer_export, merged_save=scope.merged_save, unchanged=unchanged)


def plan_merge(path: str | Path, choices: Choices | None = None) -> MergePlan:
    """Read the update workbook at ``path`` and plan its merge (read-only: a dry run).
    Raises UsageError/ValidationError (one sentence) for a file that is not an update
    workbook, is broken, or comes from another database."""
    return plan_book(read_update_book(path), path, choices)


def _refusal(plan: MergePlan) -> ValidationError:
    first = plan.problems[0]
    more = len(plan.problems) - 1
    return ValidationError(f"{plan.file_name}, {first.sentence()} Nothing was merged"
                           + (f" ({more} more row(s) have problems)." if more else "."))


def _write_deals(plan: MergePlan, held: set[str], rep: RepInfo, batch_id: int,
                 now: datetime) -> tuple[int, dict[str, int]]:
    """Write every deal's changes, ticks and moves; each changed deal gets one update (one
    more version) and an undo record. Returns the deals changed and how many of each kind
    were written.

    The plan was made inside this transaction with every other writer held out, so the
    gate it applied to each move (:func:`app.pipeline.required_for_move`, with the ticks
    written here counted) and the versions it read still hold: the moves are written as
    records here rather than one :func:`app.pipeline.move_deal` call each (ten statements
    a move), the lost-reason rule kept by :func:`app.pipeline.settled_lost_reason`."""
    by_deal: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for kind, items in (("changes", plan.changes), ("moves", plan.moves),
                        ("ticks", plan.ticks)):
        for item in items:
            if item.deal_uuid not in held:
                by_deal[item.deal_uuid][kind].append(item)
    written = {"changes": 0, "moves": 0, "ticks": 0}
    if not by_deal:
        return 0, written
    deals: dict[str, Deal] = {}
    for chunk in chunked([uuid.UUID(hex=k) for k in by_deal], CHUNK):
        for deal in Deal.select().where(Deal.uuid.in_(chunk)):
            deals[uuid_hex(deal.uuid)] = deal
    stages = {s.name: s for s in Stage.select().where(Stage.archived == False)}
    outcomes = {s.id: s.outcome for s in Stage.select(Stage.id, Stage.outcome)}
    live_items = {i for (i,) in ChecklistItem.select(ChecklistItem.id).tuples()}
    ticks, moves, records = [], [], []
    for key in sorted(by_deal):
        deal, work = deals[key], by_deal[key]
        before = {"version": deal.version}
        values: dict = {}
        merged: dict = {}
        if work["changes"]:
            values = check_fields({c.field: c.after for c in work["changes"]})
            before.update({name: getattr(deal, name) for name in values})
            merged.update({c.field: encode_before(c.after) for c in work["changes"]})
        ticks += [{"deal": deal.id, "item": t.item_id, "checked_at": t.at,
                   "checked_by": rep.id, "import_batch": batch_id}
                  for t in work["ticks"] if t.item_id in live_items]
        last_key = None
        if work["moves"]:
            before.update(stage_id=deal.stage_id, stage_entered_at=deal.stage_entered_at,
                          lost_reason=deal.lost_reason)
            stage_id, reason = deal.stage_id, deal.lost_reason
            for move in work["moves"]:
                target = stages[move.to_stage]
                reason = settled_lost_reason(
                    target.outcome == "lost", move.lost_reason or lost_reason_for(rep.name),
                    reason, outcomes[stage_id] == "lost")
                moves.append({"uuid": uuid.UUID(hex=move.key), "deal": deal.id,
                              "from_stage": stage_id, "to_stage": target.id,
                              "changed_at": move.at, "changed_by": rep.id,
                              "override_reason": "", "origin": "workbook",
                              "lost_reason": reason, "import_batch": batch_id})
                stage_id, last_key = target.id, move.key
            values.update(stage=stage_id, stage_entered_at=work["moves"][-1].at,
                          lost_reason=reason)
            merged["stage"] = work["moves"][-1].to_stage
        if merged:
            before[MERGED] = merged
        written["changes"] += len(work["changes"])
        written["moves"] += len(work["moves"])
        written["ticks"] += len(work["ticks"])
        done = (Deal.update(**values, version=deal.version + 1, updated_at=now,
                            updated_by=rep.id)
                .where(Deal.id == deal.id, Deal.version == deal.version).execute())
        if done != 1:
            raise ConflictError(f"“{deal.title}” was changed while merging; import the "
                                "workbook again.")
        records.append((deal.id, before, deal.version + 1, last_key))
    for chunk in chunked(ticks, CHUNK):
        ChecklistCheck.insert_many(chunk).on_conflict_ignore().execute()
    for chunk in chunked(moves, CHUNK):
        StageChange.insert_many(chunk).execute()
    change_ids: dict[str, int] = {}
    keys = [uuid.UUID(hex=k) for *_, k in records if k]
    for chunk in chunked(keys, CHUNK):
        change_ids.update((uuid_hex(u), i) for u, i in StageChange.select(
            StageChange.uuid, StageChange.id).where(StageChange.uuid.in_(chunk)).tuples())
    for chunk in chunked(records, CHUNK):
        ImportChange.insert_many([{
            "batch": batch_id, "deal": deal_id, "kind": "updated",
            "before": json.dumps({k: v if k == MERGED else encode_before(v)
                                  for k, v in before.items()}),
            "version_after": version, "stage_change": change_ids.get(last_key or ""),
        } for deal_id, before, version, last_key in chunk]).execute()
    return len(records), written


def _add_hours(plan: MergePlan, rep: RepInfo, batch_id: int) -> int:
    if not plan.hours:
        return 0
    deals: dict[str, Deal] = {}
    wanted = list({uuid.UUID(hex=h.deal_uuid) for h in plan.hours if h.deal_uuid})
    for chunk in chunked(wanted, CHUNK):
        for deal in Deal.select(Deal.id, Deal.uuid).where(Deal.uuid.in_(chunk)):
            deals[uuid_hex(deal.uuid)] = deal
    rows = []
    latest: dict[str, date] = {}  # a deal's latest day worked, for its last activity
    kinds = {kind: resolve_kind(kind).name for kind in {h.kind for h in plan.hours}}
    for hours in plan.hours:
        deal = deals.get(hours.deal_uuid or "")
        rows.append({"uuid": uuid.UUID(hex=hours.row_id), "rep": rep.id,
                     "deal": deal.id if deal else None,
                     "kind": kinds[hours.kind], "date": hours.day,
                     "hours": clean_hours(hours.hours), "note": hours.note[:500],
                     "import_batch": batch_id})
        if deal is not None:
            key = uuid_hex(deal.uuid)
            latest[key] = max(latest.get(key, hours.day), hours.day)
    for chunk in chunked(rows, CHUNK):
        Activity.insert_many(chunk).execute()
    for key, day in latest.items():
        touch_deal(deals[key], day)
    return len(rows)


def merge_book(book: UpdateBook, path: str | Path, choices: Choices | None,
               actor: RepInfo | None, control: JobControl | None = None, *,
               settle: str | None = None) -> MergeResult:
    """Plan and write the merge of ``book`` inside one write transaction, recorded as an
    import batch ("Undo last import" takes it back), with a backup of a database file as it
    was before (the importer's: copied while the plan is made, kept only when something is
    written). A conflict takes its choice from ``choices``, else ``settle``; a deal with a
    conflict left without one is held back whole. When rows cannot be taken
    (``result.plan.problems``) nothing is written. ``actor`` is who merges (the batch's
    actor); the changes, moves, ticks and hours are the rep's."""
    control = control or JobControl()
    _refuse_foreign(book, Path(path))  # before any copy is made
    rep = find_rep(book.rep_name)
    backup = BackupBeforeImport()
    try:
        result = _merge_with_backup(book, path, choices, settle, rep, actor, control, backup)
        if not result.batch_uuid:
            return result
        try:
            backup.keep()
        except OSError as exc:
            return dataclasses.replace(result, backup=None, warnings=(
                f"The backup taken before the merge could not be kept ({exc.strerror or exc}); "
                "make one with File › Back up now.",))
        return result
    finally:
        backup.discard()  # unless kept


def _merge_with_backup(book: UpdateBook, path: str | Path, choices: Choices | None,
                       settle: str | None, rep: RepInfo, actor: RepInfo | None,
                       control: JobControl, backup: BackupBeforeImport) -> MergeResult:
    now = utcnow()
    backup.refresh()
    with writing():
        lock_for_writing(Deal, Rep, LeadSource, Stage, Activity, ChecklistCheck, StageChange)
        control.report(0.2, "Comparing with the database…")
        plan = plan_book(book, path, choices, settle)
        held = plan.held_back()
        titles = tuple(sorted({c.title for c in plan.conflicts if c.deal_uuid in held}))
        skipped = len(plan.skipped) + len(held)
        if plan.rejected or (not plan.deals_to_write() - held and not plan.hours):
            return MergeResult("", 0, plan.unchanged, skipped, 0, 0, 0, 0, titles,
                               plan=plan)
        batch = ImportBatch.create(
            uuid=uuid.uuid4(), file_name=plan.file_name, sheet="", started_at=now,
            finished_at=now, actor=actor.id if actor else None, export_id=book.export_id,
            export_rep=rep.name, exported_at=book.exported_at,
            saved_at=book.saved_at)
        control.report(0.4, "Merging deals…")
        updated, written = _write_deals(plan, held, rep, batch.id, now)
        control.report(0.8, "Adding hours…")
        hours = _add_hours(plan, rep, batch.id)
        control.report(0.9, "Finishing the backup…")
        kept = backup.settle()
        ImportBatch.update(updated_count=updated, unchanged_count=plan.unchanged,
                           skipped_count=skipped, finished_at=utcnow(),
                           backup_path=kept).where(ImportBatch.id == batch.id).execute()
    return MergeResult(
        str(batch.uuid), updated, plan.unchanged, skipped, written["changes"],
        written["moves"], written["ticks"], hours, titles, kept or None,
        () if kept else (SERVER_BACKUPS,), plan)


def commit_merge(plan: MergePlan, choices: Choices | None, actor: RepInfo | None,
                 control: JobControl | None = None) -> MergeResult:
    """Write the merge the manager saw as ``plan`` with their ``choices`` (see
    :func:`merge_book`: it is planned again inside the transaction, against the database
    as it then is). Raises ValidationError, writing nothing, when rows cannot be taken."""
    if plan.rejected:
        raise _refusal(plan)
    result = merge_book(plan.book, plan.path, choices, actor, control)
    if result.plan is not None and result.plan.rejected:
        raise _refusal(result.plan)
    return result
