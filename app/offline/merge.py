"""Merging a rep's update workbook into the manager's database.

:func:`plan_merge` reads the workbook and works out, without writing, what merging it does
(the window's conflict dialog and ``import --dry-run`` show it); :func:`commit_merge` writes
it in one transaction, after a backup, as an import batch "Undo last import" takes back.

The rules (DESIGN.md, "Offline round trip"):

- Three-way per field: the workbook's value against the value at export says whether the
  rep changed it; the database's against the same, whether it changed here. Only the rep ->
  applied; both, to different values -> a :class:`FieldConflict` (who changed the
  database's and when), applied only as the manager chooses; the rest of the deal merges.
- Stage: the working copy's moves in order, then one more to the Deals sheet's stage if it
  differs, each a StageChange with origin ``workbook``, the rep as actor and the rep's time
  (else the workbook's save time). A move whose required items are ticked neither in the
  workbook nor here is refused (the gate rule of :func:`app.pipeline.required_for_move`).
- Ticks become ChecklistChecks by the rep; Hours rows become Activities whose uuid is the
  row's id, so a second import adds nothing.
- A workbook from another database is refused; deals deleted since the export, or now
  owned by someone else, are listed and skipped.
- Importing the same workbook again changes nothing: what it merged before is not merged
  twice, and a later change in the database to such a field is left alone. An older
  workbook of the rep merged after a newer one: the fields the newer merge changed are
  stale and not applied (listed); the rest applies.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from app.activities import (
    check_day_total,
    clean_date,
    clean_hours,
    day_total,
    resolve_kind,
    touch_deal,
)
from app.clock import utcnow
from app.deals import update_deal
from app.errors import ValidationError
from app.exporting.figures import uuid_hex
from app.importing.commit import encode_before
from app.jobs import JobControl
from app.matching import name_key
from app.offline.book import EDITABLE_FIELDS, BookDeal, UpdateBook
from app.offline.export import DATABASE_ID
from app.offline.merge_types import (
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
)
from app.offline.reader import read_update_book
from app.pipeline import move_deal, required_for_move
from app.users import RepInfo, find_rep
from app.workspace import SERVER_BACKUPS, backup_if_file
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

MOVE_NAMESPACE = uuid.UUID("0f1d6c38-51a4-4c1e-9d0a-3b7f1e2c9a64")
Choices = Mapping[tuple[str, str], str]  # (deal uuid, field) -> "ours" | "theirs"


def lost_reason_for(rep_name: str) -> str:
    """The reason recorded when a rep marks a deal lost in the workbook (it has no column
    for one; a lost deal always has a reason)."""
    return f"Marked lost in {rep_name}'s update workbook"


def move_key(export_id: str, deal_uuid: str, what: str) -> str:
    """The StageChange uuid of a move from a workbook: the same move of the same workbook
    gets the same uuid, so importing it again finds it."""
    return uuid.uuid5(MOVE_NAMESPACE, f"{export_id}|{deal_uuid}|{what}").hex


def _chunks(values: list, size: int = 500) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


@dataclass
class _Row:
    """A deal of the workbook as the database holds it now."""

    deal: Deal
    book: BookDeal
    stage_name: str


@dataclass
class _Scope:
    """What planning reads from the database once, for every deal."""

    rep: RepInfo
    stages: dict[int, Stage]  # every stage, archived too (the history points at them)
    live: dict[str, Stage]  # live stages by name key
    rows: dict[str, _Row] = field(default_factory=dict)
    skipped: list[SkippedDeal] = field(default_factory=list)
    ticked: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    own_fields: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    newer_fields: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))
    newer_export: object = None
    known_moves: set[str] = field(default_factory=set)
    required: dict[tuple[int, int], list] = field(default_factory=dict)

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
    for chunk in _chunks([uuid.UUID(hex=u) for u in wanted]):
        for deal in Deal.select().where(Deal.uuid.in_(chunk)):
            found[uuid_hex(deal.uuid)] = deal
    owners = dict(Rep.select(Rep.id, Rep.name).tuples())
    for key, book_deal in wanted.items():
        deal = found.get(key)
        if deal is None:
            scope.skipped.append(SkippedDeal(key, book_deal.title, "deleted"))
        elif deal.owner_id != rep.id:
            scope.skipped.append(SkippedDeal(key, deal.title, "owner",
                                             owners.get(deal.owner_id, "")))
        else:
            scope.rows[key] = _Row(deal, book_deal, stages[deal.stage_id].name)
    ids = [r.deal.id for r in scope.rows.values()]
    for chunk in _chunks(ids):
        for deal_id, item_id in (ChecklistCheck.select(ChecklistCheck.deal, ChecklistCheck.item)
                                 .where(ChecklistCheck.deal.in_(chunk)).tuples()):
            scope.ticked[deal_id].add(item_id)
    merges = (ImportBatch.select(ImportBatch.id, ImportBatch.export_id, ImportBatch.exported_at)
              .where(ImportBatch.export_rep == rep.name, ImportBatch.undone_at.is_null(),
                     ImportBatch.export_id != "", ImportBatch.exported_at.is_null(False)))
    own, newer = [], []
    for batch_id, export_id, exported_at in merges.tuples():
        if export_id == book.export_id:
            own.append(batch_id)
        elif exported_at > book.exported_at:
            newer.append(batch_id)
            scope.newer_export = max(scope.newer_export or exported_at, exported_at)
    for batches, target in ((own, scope.own_fields), (newer, scope.newer_fields)):
        if batches:
            for deal_id, before in (ImportChange.select(ImportChange.deal, ImportChange.before)
                                    .where(ImportChange.batch.in_(batches)).tuples()):
                target[deal_id] |= _changed_fields(before)
    keys = [move_key(book.export_id, m.deal_uuid, f"move{i}") for i, m in enumerate(book.moves)]
    for chunk in _chunks([uuid.UUID(hex=k) for k in keys]):
        scope.known_moves.update(uuid_hex(u) for (u,) in StageChange.select(StageChange.uuid)
                                 .where(StageChange.uuid.in_(chunk)).tuples())
    return scope


def _who(deal: Deal, name: str, reps: dict[int, str]) -> tuple[str, object]:
    """Who last changed ``name`` of ``deal`` in the database, and when."""
    if name == "stage":
        last = (StageChange.select().where(StageChange.deal == deal.id)
                .order_by(StageChange.changed_at.desc(), StageChange.id.desc()).first())
        if last is not None:
            return reps.get(last.changed_by_id, ""), last.changed_at
    return reps.get(deal.updated_by_id, ""), deal.updated_at


@dataclass
class _DealPlan:
    changes: list[FieldChange] = field(default_factory=list)
    conflicts: list[FieldConflict] = field(default_factory=list)
    moves: list[PlannedMove] = field(default_factory=list)
    refused: list[RefusedMove] = field(default_factory=list)
    ticks: list[PlannedTick] = field(default_factory=list)
    stale: list[StaleChange] = field(default_factory=list)


def _plan_moves(book: UpdateBook, row: _Row, scope: _Scope, start: str, final: str,
                log: list[tuple[int, object]], plan: _DealPlan, fallback) -> None:
    """The moves taking the deal from ``start`` to ``final``: the log's (``log``: index,
    BookMove), then one more if needed; the chain stops at the first move the gate refuses."""
    workbook_ticks = {c.item_id for c in book.checks
                      if c.deal_uuid == row.book.uuid and c.done}
    ticked = scope.ticked[row.deal.id] | workbook_ticks
    steps = [(move_key(book.export_id, row.book.uuid, f"move{i}"), m.to_stage, m.at,
              m.override_reason) for i, m in log if m.to_stage != m.from_stage]
    last = steps[-1][1] if steps else start
    if name_key(last) != name_key(final):
        steps.append((move_key(book.export_id, row.book.uuid, f"sheet:{final}"), final,
                      row.book.stage_changed_at or fallback, ""))
    current = scope.live.get(name_key(start)) or scope.stages[row.deal.stage_id]
    for key, to_name, at, reason in steps:
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
        plan.moves.append(PlannedMove(row.book.uuid, row.deal.title, current.name,
                                      target.name, at, key, reason))
        current = target


def _plan_deal(book: UpdateBook, row: _Row, scope: _Scope, choices: Choices,
               reps: dict[int, str], fallback) -> _DealPlan:
    plan = _DealPlan()
    deal, mine = row.deal, row.book
    ours_all = {"stage": row.stage_name, "value": deal.value,
                "expected_close": deal.expected_close, "next_step": deal.next_step,
                "next_step_due": deal.next_step_due}
    theirs_all = vars(mine.fields())
    original_all = vars(mine.original)
    log = [(i, m) for i, m in enumerate(book.moves)
           if m.deal_uuid == mine.uuid and move_key(book.export_id, mine.uuid, f"move{i}")
           not in scope.known_moves]
    for name in EDITABLE_FIELDS:
        ours, theirs, original = ours_all[name], theirs_all[name], original_all[name]
        if name == "stage":
            changed = bool(log) or name_key(theirs) != name_key(original)
            same = name_key(ours) == name_key(theirs)
            ours_changed = name_key(ours) != name_key(original)
        else:
            changed, same, ours_changed = theirs != original, ours == theirs, ours != original
        if not changed or name in scope.own_fields[deal.id]:
            continue  # the rep left it, or this workbook's earlier merge already took it
        if name in scope.newer_fields[deal.id]:
            if not same:
                plan.stale.append(StaleChange(mine.uuid, deal.title, name, theirs, ours))
            continue
        if same:
            continue
        if ours_changed:
            choice = choices.get((mine.uuid, name))
            if choice is None:
                who, when = _who(deal, name, reps)
                plan.conflicts.append(FieldConflict(mine.uuid, deal.title, name, original,
                                                    ours, theirs, who, when))
                continue
            if choice != "theirs":
                continue
            if name == "stage":  # the rep's stage, from where the deal is now
                _plan_moves(book, row, scope, ours, theirs, [], plan, fallback)
                continue
        if name == "stage":
            _plan_moves(book, row, scope, original, theirs, log, plan, fallback)
        else:
            plan.changes.append(FieldChange(mine.uuid, deal.title, name, ours, theirs))
    for check in book.checks:
        if (check.deal_uuid == mine.uuid and check.done and not check.was_done
                and check.item_id not in scope.ticked[deal.id]):
            plan.ticks.append(PlannedTick(mine.uuid, deal.title, check.item_id, check.text,
                                          check.ticked_at or fallback))
    return plan


def _plan_hours(book: UpdateBook, rep: RepInfo) -> tuple[list, int, list[HoursProblem]]:
    """The Hours rows not merged before, and the problems of those that cannot be taken."""
    ids = [h.row_id for h in book.hours]
    known: set[str] = set()
    for chunk in _chunks([uuid.UUID(hex=i) for i in ids]):
        known.update(uuid_hex(u) for (u,) in Activity.select(Activity.uuid)
                     .where(Activity.uuid.in_(chunk)).tuples())
    new = [h for h in book.hours if h.row_id not in known]
    problems = []
    added: dict[date, object] = defaultdict(int)
    for hours in new:
        try:
            clean_hours(hours.hours)
            clean_date(hours.day)
            resolve_kind(hours.kind)
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
    return new, len(book.hours) - len(new), problems


def plan_book(book: UpdateBook, path: str | Path, choices: Choices | None = None) -> MergePlan:
    """What merging ``book`` (read from ``path``) does now, with ``choices`` for conflicts
    already made (a conflict chosen is no longer listed: it becomes a change, or nothing)."""
    path = Path(path)
    _refuse_foreign(book, path)
    choices = choices or {}
    scope = _read_scope(book)
    reps = dict(Rep.select(Rep.id, Rep.name).tuples())
    fallback = book.saved_at or utcnow()
    whole = _DealPlan()
    unchanged = 0
    for row in scope.rows.values():
        deal_plan = _plan_deal(book, row, scope, choices, reps, fallback)
        if not (deal_plan.changes or deal_plan.conflicts or deal_plan.moves
                or deal_plan.ticks or deal_plan.refused):
            unchanged += 1
        for name in ("changes", "conflicts", "moves", "refused", "ticks", "stale"):
            getattr(whole, name).extend(getattr(deal_plan, name))
    hours, known, problems = _plan_hours(book, scope.rep)
    return MergePlan(
        path=str(path), book=book, changes=tuple(whole.changes),
        conflicts=tuple(whole.conflicts), moves=tuple(whole.moves),
        refused_moves=tuple(whole.refused), ticks=tuple(whole.ticks), hours=tuple(hours),
        hours_known=known, problems=tuple(problems), skipped=tuple(scope.skipped),
        stale=tuple(whole.stale), newer_export=scope.newer_export, unchanged=unchanged)


def plan_merge(path: str | Path, choices: Choices | None = None) -> MergePlan:
    """Read the update workbook at ``path`` and plan its merge (read-only: a dry run).
    Raises UsageError/ValidationError (one sentence) for a file that is not an update
    workbook, is broken, or comes from another database."""
    return plan_book(read_update_book(path), path, choices)


def _held_back(plan: MergePlan) -> set[str]:
    return {c.deal_uuid for c in plan.conflicts}


def _before(deal: Deal) -> dict:
    return {"value": deal.value, "expected_close": deal.expected_close,
            "next_step": deal.next_step, "next_step_due": deal.next_step_due,
            "stage_id": deal.stage_id, "stage_entered_at": deal.stage_entered_at,
            "lost_reason": deal.lost_reason, "version": deal.version}


def _write_deal(key: str, plan: MergePlan, by_deal: dict, rep: RepInfo, batch: ImportBatch,
                now) -> bool:
    """Write one deal's changes, then its ticks, then its moves, and record what undo
    needs. Whether it changed."""
    changes, moves, ticks = (by_deal[kind].get(key, []) for kind in ("changes", "moves",
                                                                     "ticks"))
    if not (changes or moves or ticks):
        return False
    deal = Deal.get(Deal.uuid == uuid.UUID(hex=key))
    previous = _before(deal)
    before = {"version": deal.version}
    version = deal.version
    if changes:
        values = {c.field: c.after for c in changes}
        before.update({name: previous[name] for name in values})
        version = update_deal(deal.id, values, version, rep).version
    if ticks:  # first: the moves after them go through the gate
        live = {i for (i,) in ChecklistItem.select(ChecklistItem.id).where(
            ChecklistItem.id.in_([t.item_id for t in ticks])).tuples()}
        rows = [{"deal": deal.id, "item": t.item_id, "checked_at": t.at, "checked_by": rep.id,
                 "import_batch": batch.id} for t in ticks if t.item_id in live]
        if rows:
            ChecklistCheck.insert_many(rows).on_conflict_ignore().execute()
        version += 1  # a tick is a change of the deal: an editor holding it sees so
        Deal.update(version=version, updated_at=now, updated_by=rep.id).where(
            Deal.id == deal.id).execute()
    last_change = None
    if moves:
        before.update({k: previous[k] for k in ("stage_id", "stage_entered_at",
                                                 "lost_reason")})
        for move in moves:
            target = Stage.get(Stage.name == move.to_stage)
            result = move_deal(deal.id, target.id, rep, origin="workbook", when=move.at,
                               expected_version=version,
                               lost_reason=(lost_reason_for(rep.name)
                                            if target.outcome == "lost" else ""))
            version += 1
            StageChange.update(uuid=uuid.UUID(hex=move.key), import_batch=batch.id).where(
                StageChange.uuid == uuid.UUID(result.stage_change_uuid)).execute()
            last_change = StageChange.get(StageChange.uuid == uuid.UUID(hex=move.key)).id
    ImportChange.create(batch=batch.id, deal=deal.id, kind="updated",
                        before=json.dumps({k: encode_before(v) for k, v in before.items()}),
                        version_after=version, stage_change=last_change)
    return True


def _add_hours(plan: MergePlan, rep: RepInfo, batch: ImportBatch) -> int:
    if not plan.hours:
        return 0
    deals: dict[str, Deal] = {}
    wanted = list({uuid.UUID(hex=h.deal_uuid) for h in plan.hours if h.deal_uuid})
    for chunk in _chunks(wanted):
        for deal in Deal.select(Deal.id, Deal.uuid).where(Deal.uuid.in_(chunk)):
            deals[uuid_hex(deal.uuid)] = deal
    rows = []
    latest: dict[str, date] = {}  # a deal's latest day worked, for its last activity
    for hours in plan.hours:
        deal = deals.get(hours.deal_uuid or "")
        rows.append({"uuid": uuid.UUID(hex=hours.row_id), "rep": rep.id,
                     "deal": deal.id if deal else None,
                     "kind": resolve_kind(hours.kind).name, "date": hours.day,
                     "hours": clean_hours(hours.hours), "note": hours.note[:500],
                     "import_batch": batch.id})
        if deal is not None:
            key = uuid_hex(deal.uuid)
            latest[key] = max(latest.get(key, hours.day), hours.day)
    for chunk in _chunks(rows):
        Activity.insert_many(chunk).execute()
    for key, day in latest.items():
        touch_deal(deals[key], day)
    return len(rows)


def commit_merge(plan: MergePlan, choices: Choices | None, actor: RepInfo | None,
                 control: JobControl | None = None) -> MergeResult:
    """Write the merge: one transaction, a backup of a database file first, recorded as an
    import batch ("Undo last import" takes it back). The plan is made again inside the
    transaction against the database as it then is, with ``choices`` applied; a deal whose
    conflicts have no choice is held back whole (nothing of it is written). Raises
    ValidationError, writing nothing, when Hours rows cannot be taken (``plan.problems``).
    """
    control = control or JobControl()
    if plan.rejected:
        first = plan.problems[0]
        raise ValidationError(f"{plan.file_name}, sheet Hours, row {first.row}, column "
                              f"{first.column}: {first.message} Nothing was merged.")
    control.report(0.1, "Backing up the database…")
    backup = backup_if_file("before-merge") if not plan.is_empty else None
    rep = find_rep(plan.book.rep_name)
    now = utcnow()
    with writing():
        lock_for_writing(Deal, Rep, LeadSource, Stage, Activity, ChecklistCheck, StageChange)
        fresh = plan_book(plan.book, plan.path, choices)
        if fresh.rejected:
            raise ValidationError("Hours were logged here while merging, and the workbook's "
                                  "no longer fit; import it again.")
        held = _held_back(fresh)
        by_deal: dict[str, dict[str, list]] = {"changes": defaultdict(list),
                                                "moves": defaultdict(list),
                                                "ticks": defaultdict(list)}
        for kind, items in (("changes", fresh.changes), ("moves", fresh.moves),
                            ("ticks", fresh.ticks)):
            for item in items:
                if item.deal_uuid not in held:
                    by_deal[kind][item.deal_uuid].append(item)
        keys = {k for kind in by_deal.values() for k in kind}
        if not keys and not fresh.hours:
            return MergeResult("", 0, fresh.unchanged, len(fresh.skipped) + len(held), 0, 0,
                               0, 0, _titles(fresh, held))
        book = plan.book
        batch = ImportBatch.create(
            uuid=uuid.uuid4(), file_name=fresh.file_name, sheet="", started_at=now,
            finished_at=now, actor=actor.id if actor else None, export_id=book.export_id,
            export_rep=rep.name, exported_at=book.exported_at)
        control.report(0.3, "Merging deals…")
        updated = sum(_write_deal(key, fresh, by_deal, rep, batch, now) for key in sorted(keys))
        control.report(0.8, "Adding hours…")
        hours = _add_hours(fresh, rep, batch)
        batch.updated_count = updated
        batch.unchanged_count = fresh.unchanged
        batch.skipped_count = len(fresh.skipped) + len(held)
        batch.finished_at = utcnow()
        batch.backup_path = str(backup or "")
        batch.save()
    count = {kind: sum(map(len, lists.values())) for kind, lists in by_deal.items()}
    return MergeResult(
        str(batch.uuid), updated, fresh.unchanged, len(fresh.skipped) + len(held),
        count["changes"], count["moves"], count["ticks"], hours, _titles(fresh, held),
        str(backup) if backup else None, () if backup else (SERVER_BACKUPS,))


def _titles(plan: MergePlan, held: set[str]) -> tuple[str, ...]:
    return tuple(sorted({c.title for c in plan.conflicts if c.deal_uuid in held}))

