"""Writing an import plan in one transaction, and taking the last import back.

All or nothing: the plan is written inside one write transaction; any failure or a cancel
(``JobControl.report`` raising ``Cancelled``) rolls every row back, and it commits only once
the caller's backup of the database as it was before the import is written. New deals go in
through :mod:`db.bulk` (50,000 rows in well under a second); updates go through
:func:`app.deals.update_deal` one deal at a time (optimistic version check).

Stage changes from an import are recorded as StageChange rows with ``origin="import"`` and
are *not* held back by the qualification checklist: a CRM export reflects where deals already
are, so refusing it would only make the two systems disagree. (``app.pipeline.move_deal``
enforces the gate for moves made in Funnelcast itself.)

Lost reasons follow the rule ``move_deal`` keeps: a deal has one exactly while it is in a lost
stage, and every StageChange into a lost stage records it. A deal the import puts into a
lost stage takes the row's lost reason, else the one it already had there, else
:data:`~app.importing.plan.IMPORTED_AS_LOST`; a deal it puts anywhere else has none (a CRM
export's stale reason on a reopened deal is dropped). Undo restores the reason with the stage.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter

from peewee import JOIN, Value, fn

from app import settings
from app.clock import utcnow
from app.deals import EMAIL, update_deal
from app.errors import ConflictError, NotFound
from app.importing.plan import DEAL_FIELDS, ImportPlan, PlannedRow, imported_lost_reason
from app.jobs import JobControl
from app.pipeline import record_lost_reason
from app.users import RepInfo, create_rep
from app.workspace import SERVER_BACKUPS, backup_if_file
from db.bulk import (
    copy_rows,
    indexes_rebuilt,
    insert_rows,
    keep_other_writers_out,
    max_id,
    new_uuid_hexes,
    new_uuid_sql,
)
from db.connection import lock_for_writing, writing
from db.models import (
    Activity,
    ChecklistCheck,
    Deal,
    ImportBatch,
    ImportChange,
    LeadSource,
    Rep,
    Stage,
    StageChange,
)
from db.references import referring_models

# Undo puts these back as they were. The version is not among them: undo is one more edit
# (version + 1), so an editor still holding the deal as it was before the import or after it
# is refused rather than accepted against values it never saw.
RESTORABLE = (*DEAL_FIELDS, "stage_entered_at")


@dataclass(frozen=True)
class CommitResult:
    batch_uuid: str
    created: int
    updated: int
    unchanged: int
    skipped: int
    backup_path: str = ""


@dataclass(frozen=True)
class UndoResult:
    """What "Undo last import" did."""

    file_name: str
    deleted: int
    restored: int
    reps_removed: list[str] = field(default_factory=list)
    sources_removed: list[str] = field(default_factory=list)
    # Reps and sources the import created that stay, each with what still refers to it.
    kept: list[str] = field(default_factory=list)
    backup: str | None = None  # the backup written first; None on a server database
    # What a merged update workbook (app.offline) had added besides deal values.
    moves_removed: int = 0
    ticks_removed: int = 0
    hours_removed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    def sentences(self) -> list[str]:
        """What the undo did, in order: the deals (the headline), the reps and sources it
        removed, those it kept and why, and the backup."""
        def deals(count: int) -> str:
            return f"{count:,} deal{'' if count == 1 else 's'}"

        parts = []
        if self.deleted:
            parts.append(f"{deals(self.deleted)} it created "
                         f"{'was' if self.deleted == 1 else 'were'} removed")
        if self.restored:
            parts.append(f"{deals(self.restored)} it changed "
                         f"{'was' if self.restored == 1 else 'were'} put back as before")
        counted = [(count, one, many) for count, one, many in (
            (self.moves_removed, "stage move", "stage moves"),
            (self.ticks_removed, "checklist tick", "checklist ticks"),
            (self.hours_removed, "hours entry", "hours entries")) if count]
        if counted:
            named = [f"{count:,} {one if count == 1 else many}"
                     for count, one, many in counted]
            added = " and ".join([", ".join(named[:-1]), named[-1]] if named[:-1] else named)
            single = [count for count, *_ in counted] == [1]
            parts.append(f"the {added} it added {'was' if single else 'were'} removed")
        what = " and ".join(parts) or "there was nothing to take back"
        lines = [f"The import of {self.file_name} was undone: {what}."]
        removed = [*(f"rep {n}" for n in self.reps_removed),
                   *(f"lead source {n}" for n in self.sources_removed)]
        if removed:
            lines.append(f"Removed what it had added: {', '.join(removed)}.")
        if self.kept:
            lines.append("Kept, because other records refer to them: "
                         f"{'; '.join(self.kept)}.")
        lines.append(f"A backup was written first: {self.backup}." if self.backup
                     else SERVER_BACKUPS)
        return lines

    def describe(self) -> str:
        return " ".join(self.sentences())


def encode_before(value):
    """A field's value as an undo record's JSON holds it (Decimals and dates as text)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def decode_before(key: str, value):
    """A field's value read back from an undo record's JSON (see :func:`encode_before`)."""
    if value is None:
        return None
    if key == "value":
        return Decimal(value)
    if key in ("expected_close", "next_step_due"):
        return date.fromisoformat(value)
    if key == "stage_entered_at":
        return datetime.fromisoformat(value)
    return value


def _resolve(values: dict, reps: dict[str, int], sources: dict[str, int]) -> dict:
    """Replace a new owner's or source's name with the id just created for it."""
    out = dict(values)
    if isinstance(out.get("owner_id"), str):
        out["owner_id"] = reps[out["owner_id"]]
    if isinstance(out.get("source_id"), str):
        out["source_id"] = sources[out["source_id"]]
    return out


def commit_plan(
    plan: ImportPlan,
    actor: RepInfo | None,
    *,
    file_name: str,
    sheet: str,
    backup: Callable[[], str],
    control: JobControl | None = None,
    recheck: Callable[[], ImportPlan] | None = None,
) -> CommitResult:
    """Write the plan's creates and updates (invalid rows are skipped: the caller decided
    that skipping is allowed). One transaction; raises and writes nothing on any failure.

    ``recheck`` is called first inside the transaction, once no other writer can touch
    deals, reps, sources or stages until the commit; it returns the plan to write: ``plan``
    itself when the database has not changed since it was made, else a plan made again
    against the database as it now is (the same file imported twice at once then finds the
    first import's deals and reps), or raises to abandon the import.

    ``backup`` is called inside the transaction once everything is written, just before the
    commit: it returns the path of a backup of the database as it was before the import (""
    for none; the caller files it once the commit is done) and raises to abandon the
    import. Called that late, a backup the caller started on another thread has had the
    whole import's time to finish."""
    control = control or JobControl()
    actor_id = actor.id if actor else None
    now = utcnow()
    with writing():
        # From here until the commit nobody else writes deals, reps, sources or stages.
        lock_for_writing(Deal, Rep, LeadSource, Stage)
        if recheck is not None:
            plan = recheck()
        creates = [r for r in plan.rows if r.action == "create"]
        updates = [r for r in plan.rows if r.action == "update"]
        if not creates and not updates:  # nothing to write, nothing for "Undo" to take back
            return CommitResult("", 0, 0, plan.count("unchanged"), plan.count("invalid"))
        reps: dict[str, int] = {}
        for name in plan.new_owners:
            reps[name] = create_rep(name, name if EMAIL.match(name) else "").id
        sources = {name: LeadSource.create(name=name).id for name in plan.new_sources}
        batch = ImportBatch.create(
            uuid=uuid.uuid4(), file_name=file_name, sheet=sheet, started_at=now,
            finished_at=now, actor=actor_id,
            created_reps=_id_list(reps.values()), created_sources=_id_list(sources.values()),
        )
        control.report(0.65, "Writing new deals…")
        _create_deals(plan, creates, reps, sources, actor_id, batch.id, now, control)
        control.report(0.85, "Updating deals…")
        for position, item in enumerate(updates):
            if position % 200 == 0:
                control.report(0.85 + 0.1 * position / max(1, len(updates)), "Updating deals…")
            _update_deal(item, reps, sources, actor, batch.id, now)
        skipped = plan.count("invalid")
        batch.created_count = len(creates)
        batch.updated_count = len(updates)
        batch.unchanged_count = plan.count("unchanged")
        batch.skipped_count = skipped
        batch.finished_at = utcnow()
        control.report(0.97, "Finishing the backup…")
        batch.backup_path = backup()
        batch.save()
        control.report(1.0, "Finishing…")
    return CommitResult(str(batch.uuid), len(creates), len(updates), batch.unchanged_count,
                        skipped, batch.backup_path)


# What a new deal holds for a field no column filled, in stored form.
_EMPTY = {
    "title": "", "company": "", "contact_name": "", "contact_email": "", "contact_phone": "",
    "industry": "", "company_size": None, "region": "", "source_id": None, "owner_id": None,
    "value": 0, "expected_close": None, "next_step": "", "next_step_due": None,
    "lost_reason": "", "notes": "", "external_id": "",
}


def _stored_column(key: str, values: Sequence, reps: dict[str, int],
                   sources: dict[str, int], first_stage_id: int) -> Sequence:
    """A column of plan values in the form the deal table stores them (cents, ISO dates,
    ids for new owners and sources). A column already in that form is returned as it is,
    the plan's own object: read it, never change it."""
    if key == "value":
        return [int(v.scaleb(2)) if v is not None else 0 for v in values]
    if key in ("expected_close", "next_step_due"):  # few distinct dates: each written once
        iso = {day: day.isoformat() for day in set(values) if day is not None}
        return list(map(iso.get, values))
    if key in ("owner_id", "source_id"):
        names = reps if key == "owner_id" else sources
        return [names[v] if isinstance(v, str) else v for v in values]
    empty = first_stage_id if key == "stage_id" else _EMPTY.get(key)
    if empty is None or None not in values:  # (a scan in C: most columns are full)
        return values
    return [v if v is not None else empty for v in values]


def _settle_lost_reasons(used: list[str], stored: list[Sequence], constants: dict,
                         lost_stages: frozenset[int]) -> None:
    """Give the new deals their lost reasons (:func:`~app.importing.plan.imported_lost_reason`:
    the row's in a lost stage, :data:`IMPORTED_AS_LOST` when it has none, none elsewhere). Edits
    ``used``/``stored``/``constants`` in place; a file with no reason column and no deal in a
    lost stage is left as it is (no column bound per row for nothing)."""
    stages = stored[used.index("stage_id")]
    if "lost_reason" in used:
        at = used.index("lost_reason")
        stored[at] = [imported_lost_reason(stage in lost_stages, reason)
                      for stage, reason in zip(stages, stored[at], strict=True)]
    elif not lost_stages.isdisjoint(stages):
        used.append("lost_reason")
        stored.append([imported_lost_reason(stage in lost_stages, None) for stage in stages])
        del constants["lost_reason"]


def _create_deals(plan: ImportPlan, creates: list[PlannedRow], reps, sources, actor_id,
                  batch_id, now, control: JobControl) -> None:
    """Insert the new deals, marked with their import (what undo deletes), and each one's
    creation StageChange (as ``create_deal`` records it, origin "import"): two statements."""
    if not creates:
        return
    used = [k for k in DEAL_FIELDS if k in plan.columns or k == "stage_id"]
    constants = {k: _EMPTY[k] for k in DEAL_FIELDS if k not in used}
    stamp = str(now)  # stored form: else the driver converts the datetime for every row
    constants.update(created_at=stamp, stage_entered_at=stamp, last_activity_at=stamp,
                     updated_at=stamp, updated_by_id=actor_id, version=1,
                     import_batch_id=batch_id)
    blank = [None] * len(plan.rows)
    if len(creates) == len(plan.rows):  # every row is new: the plan's columns as they are
        def values_of(key: str) -> Sequence:
            return plan.columns.get(key, blank)
    else:
        pick = itemgetter(*(item.position for item in creates), 0)  # a tuple even for one

        def values_of(key: str) -> Sequence:
            return pick(plan.columns.get(key, blank))[:-1]

    stored = [_stored_column(k, values_of(k), reps, sources, plan.first_stage_id)
              for k in used]
    _settle_lost_reasons(used, stored, constants, plan.lost_stage_ids)
    fresh = iter(new_uuid_hexes(sum(1 for item in creates if not item.uuid)))
    used.insert(0, "uuid")
    stored.insert(0, [item.uuid or next(fresh) for item in creates])  # the file's, or new
    keep_other_writers_out(Deal)
    before = max_id(Deal)
    with indexes_rebuilt(len(creates), Deal, StageChange):
        insert_rows(Deal, dict(zip(used, stored, strict=True)), constants)
        added = Deal.select().where(Deal.id > before).count()
        if added != len(creates):
            raise ConflictError("Another change was written while importing; import again.")
        control.report(0.8, "Recording stages…")
        # A new deal's reason is already settled (none outside a lost stage), so its creation
        # records the deal's own.
        copy_rows(StageChange, {
            "uuid": new_uuid_sql(), "deal_id": "id", "from_stage_id": "NULL",
            "to_stage_id": "stage_id", "changed_at": "created_at",
            "changed_by_id": "updated_by_id", "lost_reason": "lost_reason",
        }, Deal, before, constants={"override_reason": "", "origin": "import"})


def _update_deal(item: PlannedRow, reps, sources, actor: RepInfo | None, batch_id: int,
                 now: datetime) -> None:
    changes = _resolve(item.changes, reps, sources)
    before = {**item.before, "version": item.version}
    stage_id = changes.pop("stage_id", None)
    info = None
    if changes:
        info = update_deal(item.deal_id, changes, item.version, actor)
    version = info.version if info is not None else item.version
    change_id = None
    if stage_id is not None:
        deal = Deal.get_by_id(item.deal_id)
        if deal.version != version:
            raise ConflictError(f"“{deal.title}” was changed while importing; import again.")
        before["stage_entered_at"] = deal.stage_entered_at
        # The plan settled the reason with the stage (see _settle_lost_reason), so the deal
        # holds one exactly when it is moving into a lost stage: that move records it.
        change_id = StageChange.create(
            deal=item.deal_id, from_stage=deal.stage_id, to_stage=stage_id, changed_at=now,
            changed_by=actor.id if actor else None, origin="import",
            lost_reason=deal.lost_reason,
        ).id
        version += 1
        Deal.update(
            stage=stage_id, stage_entered_at=now, updated_at=now, version=version,
            updated_by=actor.id if actor else None,
        ).where(Deal.id == item.deal_id).execute()
    ImportChange.create(
        batch=batch_id, deal=item.deal_id, kind="updated",
        before=json.dumps({k: encode_before(v) for k, v in before.items()}),
        version_after=version, stage_change=change_id,
    )


def last_import() -> ImportBatch | None:
    return (ImportBatch.select().where(ImportBatch.undone_at.is_null())
            .order_by(ImportBatch.id.desc()).first())


def describe_last_import() -> str | None:
    """One line about the import "Undo last import" would take back, or None."""
    batch = last_import()
    if batch is None:
        return None
    return (f"{batch.file_name}: {batch.created_count} created, {batch.updated_count} updated")


def _named(titles: list[str], limit: int = 3) -> str:
    """Up to ``limit`` deal titles in quotes, then how many more."""
    shown = ", ".join(f"“{t}”" for t in titles[:limit])
    return shown + (f" and {len(titles) - limit:,} more" if len(titles) > limit else "")


def _worked_on(batch_id: int) -> list[str]:
    """Titles of the deals the batch created that have work recorded since: an activity
    logged against them, a checklist tick, or a stage move after their creation. Logging an
    activity leaves the deal's version alone, so the version check cannot see it; deleting
    the deal would drop that work (or, for activities, the deal it was logged against)."""
    activity = Activity.select(Activity.id).where(Activity.deal == Deal.id)
    tick = ChecklistCheck.select(ChecklistCheck.id).where(ChecklistCheck.deal == Deal.id)
    moved = StageChange.select(StageChange.id).where(  # the creation's own has no from_stage
        StageChange.deal == Deal.id, StageChange.from_stage.is_null(False))
    query = (Deal.select(Deal.title)
             .where((Deal.import_batch == batch_id)
                    & (fn.EXISTS(activity) | fn.EXISTS(tick) | fn.EXISTS(moved)))
             .order_by(Deal.id))
    return [title for (title,) in query.tuples()]


def _created_edited_since(batch_id: int) -> list[str]:
    """Titles of the deals the batch created that are no longer at the version it left them
    at: 1, or what a "created" record says (undoing a later import moved it on)."""
    record = ImportChange.alias()
    expected = fn.COALESCE(record.version_after, 1)
    query = (Deal.select(Deal.title)
             .join(record, JOIN.LEFT_OUTER, on=((record.deal == Deal.id)
                                                 & (record.batch == batch_id)
                                                 & (record.kind == "created")))
             .where((Deal.import_batch == batch_id) & (Deal.version != expected))
             .order_by(Deal.id))
    return [title for (title,) in query.tuples()]


def _record_created_versions(deal_ids: list[int], earlier) -> None:
    """Give each deal in ``deal_ids`` (put back at the values the import that created it
    left, now at a new version) a "created" record of that version, unless it has one: its
    import can then still be undone. ``earlier`` selects the imports not undone. One
    statement per 500 deals, not four per deal."""
    has_record = ImportChange.select(ImportChange.id).where(
        ImportChange.batch == Deal.import_batch, ImportChange.deal == Deal.id,
        ImportChange.kind == "created")
    for start in range(0, len(deal_ids), 500):
        query = Deal.select(Deal.import_batch, Deal.id, Value("created"), Value(""),
                            Deal.version).where(
            Deal.id.in_(deal_ids[start:start + 500]), Deal.import_batch.in_(earlier),
            ~fn.EXISTS(has_record))
        ImportChange.insert_from(query, [
            ImportChange.batch, ImportChange.deal, ImportChange.kind, ImportChange.before,
            ImportChange.version_after]).execute()


# What a row of each table that can refer to a rep or a lead source is called, for the
# undo's report of what it kept.
_REFERRERS = {
    "Deal": "deals", "Activity": "activities", "Quota": "quotas",
    "StageChange": "stage moves", "ChecklistCheck": "checklist ticks",
    "ImportBatch": "imports", "SourceSpend": "spending records",
}


def _id_list(ids) -> str:
    """Ids as stored on an import batch: a JSON list, "" for none."""
    ids = list(ids)
    return json.dumps(ids) if ids else ""


def _remove_created(model, stored: str, what: str) -> tuple[list[str], list[str]]:
    """Delete the rows of ``model`` (reps or lead sources) an import created, listed in
    ``stored``, that nothing refers to any more; the acting user is kept too. Returns the
    names removed, and a phrase for each kept naming what still refers to it."""
    ids = json.loads(stored) if stored else []
    names = dict(model.select(model.id, model.name).where(model.id.in_(ids)).tuples())
    held = referring_models(model, list(names))
    if model is Rep:
        current = settings.get("current_user")
        for rep_id, name in names.items():
            if name == current:
                held.setdefault(rep_id, set()).add(None)
    kept = []
    for rep_id in held:
        why = sorted(_REFERRERS.get(m.__name__, m._meta.table_name) if m is not None
                     else "being the current user" for m in held[rep_id])
        kept.append(f"{what} “{names[rep_id]}” ({', '.join(why)})")
    gone = [i for i in names if i not in held]
    if gone:
        model.delete().where(model.id.in_(gone)).execute()
    return sorted((names[i] for i in gone), key=str.casefold), sorted(kept, key=str.casefold)


def _refuse_if_worked_on(batch: ImportBatch, changes: list) -> None:
    """Refuse (raise ConflictError) when undoing ``batch`` would silently lose work done
    since: any of its deals edited after it (its version moved on), or a deal it created
    with activities, checklist ticks or stage moves recorded since."""
    edited = _created_edited_since(batch.id)
    edited += [c.title for c in changes if c.version != c.version_after]
    if edited:
        raise ConflictError(
            f"{len(edited)} deal(s) from the import of {batch.file_name} were changed since "
            f"(e.g. {_named(edited)}); undoing would lose those changes, so nothing was undone."
        )
    worked = _worked_on(batch.id)
    if worked:
        raise ConflictError(
            f"Nothing was undone: {_named(worked)} "
            f"{'was' if len(worked) == 1 else 'were'} created by the import of "
            f"{batch.file_name} and {'has' if len(worked) == 1 else 'have'} activities, "
            "checklist ticks or stage moves recorded since, which undoing would delete."
        )


def _updated_records(batch: ImportBatch) -> list:
    return list(
        ImportChange.select(ImportChange, Deal.version, Deal.title)
        .join(Deal).where(ImportChange.batch == batch.id, ImportChange.kind == "updated")
        .objects()
    )


def _newest_import() -> ImportBatch:
    batch = last_import()
    if batch is None:
        raise NotFound("There is no import to undo.")
    return batch


def backup_before_undo() -> str | None:
    """The backup rule of "Undo last import", for the window and the command line alike: a
    copy of a database file, written before the undo writes (its path); on a server database
    none (None): the server's own backups apply. Confirmations say so with
    :func:`app.workspace.backup_note`."""
    taken = backup_if_file("before-undo-import")
    return str(taken) if taken is not None else None


def undo_last_import(actor: RepInfo | None) -> UndoResult:
    """Delete the deals the newest import created, restore the values it changed, and
    remove the reps and lead sources it created that nothing else refers to by now.

    Refuses (changing nothing) when undoing would silently lose work done since the import
    (see :func:`_refuse_if_worked_on`). A restored deal's version goes up by one like any
    edit. Once a first look found nothing to refuse, and before writing, a database file is
    backed up (:func:`backup_before_undo`); the result names the copy.

    The check that decides is made again inside the write transaction, with every other
    writer of deals, reps, sources, activities, ticks and stage moves held out until the
    commit: an edit saved after the first look is either seen there (and refused) or waits
    for the undo and then finds its deal gone; it is never deleted unseen.
    """
    first = _newest_import()
    _refuse_if_worked_on(first, _updated_records(first))
    backup = backup_before_undo()
    now = utcnow()
    back_at_creation: list[int] = []
    with writing():
        lock_for_writing(Deal, Rep, LeadSource, Stage, Activity, ChecklistCheck, StageChange)
        batch = _newest_import()
        changes = _updated_records(batch)
        _refuse_if_worked_on(batch, changes)
        earlier = ImportBatch.select(ImportBatch.id).where(
            ImportBatch.undone_at.is_null(), ImportBatch.id != batch.id)
        deleted = Deal.delete().where(Deal.import_batch == batch.id).execute()
        # A merged update workbook's moves, ticks and hours (before the deals' values are
        # put back: a move's record would otherwise outlive the stage it recorded).
        removed = [model.delete().where(model.import_batch == batch.id).execute()
                   for model in (StageChange, ChecklistCheck, Activity)]
        for change in changes:
            before = {k: decode_before(k, v) for k, v in json.loads(change.before or "{}").items()}
            if change.stage_change_id is not None:
                StageChange.delete().where(StageChange.id == change.stage_change_id).execute()
            updates = {("stage" if k == "stage_id" else k): v for k, v in before.items()
                       if k in RESTORABLE}
            version = change.version_after + 1
            Deal.update(
                **updates, version=version, updated_at=now,
                updated_by=actor.id if actor else None,
            ).where(Deal.id == change.deal_id).execute()
            if "lost_reason" in updates:  # the record of the move into a lost stage follows
                stage_id = updates.get("stage") or Deal.get_by_id(change.deal_id).stage_id
                record_lost_reason(change.deal_id, stage_id, updates["lost_reason"])
            # The deal again holds what the import before this one left: that import's
            # record follows the new version, so it can still be undone next (a deal it
            # created at version 1 has no record yet: see below).
            followed = ImportChange.update(version_after=version).where(
                ImportChange.deal == change.deal_id,
                ImportChange.version_after == before.get("version"),
                ImportChange.batch.in_(earlier),
            ).execute()
            if not followed and before.get("version") == 1:
                back_at_creation.append(change.deal_id)
        _record_created_versions(back_at_creation, earlier)
        batch.undone_at = now
        batch.save()
        reps, kept_reps = _remove_created(Rep, batch.created_reps, "rep")
        sources, kept_sources = _remove_created(LeadSource, batch.created_sources,
                                                "lead source")
    return UndoResult(batch.file_name, deleted, len(changes), reps, sources,
                      kept_reps + kept_sources, backup, *removed)
