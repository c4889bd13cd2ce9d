"""Deleting a deal, and taking the deletion back.

Why a snapshot and not a "deleted" flag: every report, forecast and export reads ``Deal``
and ``StageChange`` directly, and a flag would have to be remembered in each of them. A
deletion instead removes the deal with its checklist ticks, stage history and import
records, and returns everything it removed as a :class:`DeletedDeal`; :func:`restore_deal`
puts those rows back, so the history, the forecast's past and an undo of the import that
made the deal see it again exactly as it was. The rows keep their ids where these are still
free; on SQLite (an ``INTEGER PRIMARY KEY`` without AUTOINCREMENT) a deal or stage change
made since may have been given the highest id again, and then the deleted row comes back
under a fresh id, its child rows following it (the deal is known by its uuid). Activities
logged on the deal stay (they are the rep's hours) and are linked to it again on restore.

Who may delete: a manager any deal, a rep the deals they own and unowned leads.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.deals import DealInfo, get_deal
from app.errors import ConflictError, NotFound, PermissionDenied
from app.offline.copy_rules import refuse_in_working_copy
from app.users import RepInfo
from db.connection import writing
from db.models import (
    Activity,
    ChecklistCheck,
    ChecklistItem,
    Deal,
    ImportBatch,
    ImportChange,
    LeadSource,
    Rep,
    Stage,
    StageChange,
)


@dataclass(frozen=True)
class DeletedDeal:
    """Everything :func:`delete_deal` removed, as plain rows (field name -> value)."""

    title: str
    deal: dict
    checks: tuple[dict, ...]
    stage_changes: tuple[dict, ...]
    import_changes: tuple[dict, ...]
    # By uuid: an activity deleted meanwhile may have left its id to a new one.
    activity_uuids: tuple[str, ...]


def _rows(model, *where) -> tuple[dict, ...]:
    return tuple(model.select().where(*where).order_by(model.id).dicts())


def delete_deal(deal_id: int, expected_version: int | None,
                actor: RepInfo | None) -> DeletedDeal:
    """Delete the deal if it is still at ``expected_version`` (None: whatever it is now);
    returns what :func:`restore_deal` needs to put it back. Raises :class:`ConflictError`
    when someone changed it since, :class:`PermissionDenied` when a rep deletes another
    rep's deal, UsageError in a working copy (its workbook cannot carry a deletion back)."""
    refuse_in_working_copy("delete deals")
    with writing():
        deal = Deal.get_or_none(Deal.id == deal_id)
        if deal is None:
            raise NotFound("That deal was already deleted.")
        if expected_version is not None and deal.version != expected_version:
            raise ConflictError(f"“{deal.title}” was changed by someone else meanwhile; it is "
                                "shown as it is now. Delete it again if you still want to.")
        if actor is None:
            raise PermissionDenied(f"Choose who you are before deleting “{deal.title}”.")
        if not (actor.is_manager or deal.owner_id in (None, actor.id)):
            raise PermissionDenied(f"Only a manager or the deal's owner can delete "
                                   f"“{deal.title}”; {actor.name} is neither.")
        snapshot = DeletedDeal(
            title=deal.title,
            deal=Deal.select().where(Deal.id == deal_id).dicts().get(),
            checks=_rows(ChecklistCheck, ChecklistCheck.deal == deal_id),
            stage_changes=_rows(StageChange, StageChange.deal == deal_id),
            import_changes=_rows(ImportChange, ImportChange.deal == deal_id),
            activity_uuids=tuple(a.uuid for a in Activity.select(Activity.uuid).where(
                Activity.deal == deal_id)),
        )
        Activity.update(deal=None).where(Activity.deal == deal_id).execute()
        for model in (ImportChange, ChecklistCheck, StageChange):
            model.delete().where(model.deal == deal_id).execute()
        Deal.delete().where(Deal.id == deal_id).execute()
    return snapshot


def _existing(model, ids) -> set:
    wanted = {i for i in ids if i is not None}
    return {row.id for row in model.select(model.id).where(model.id.in_(wanted))} if wanted \
        else set()


def _insert_keeping_ids(model, rows: list[dict]) -> dict[int, int]:
    """Insert ``rows`` (one deal's, each with its old ``id``, in id order) under their old
    ids if all of these are free, else all under fresh ones in the same order (a row made
    since holds one; their order still breaks ties between equal times); returns old id ->
    id now."""
    if not _existing(model, [r["id"] for r in rows]):
        if rows:
            model.insert_many(rows).execute()
        return {r["id"]: r["id"] for r in rows}
    return {r["id"]: model.insert({k: v for k, v in r.items() if k != "id"}).execute()
            for r in rows}


def restore_deal(deleted: DeletedDeal, actor: RepInfo | None) -> DealInfo:
    """Put a deleted deal back as it was, one version on (a copy edited elsewhere in the
    meantime, e.g. an offline workbook, is then a conflict, not silently applied), under
    its old id if that is free, else a fresh one (the returned deal says which). What
    went away since is left out: a rep or lead source removed meanwhile is no longer named
    on it, a checklist item deleted is no longer ticked. Refused (nothing written) when the
    deal is back already, or a stage of its history was deleted since."""
    row = dict(deleted.deal)
    with writing():
        if Deal.select().where(Deal.uuid == row["uuid"]).exists():
            raise ConflictError(f"“{deleted.title}” is back already.")
        stage_ids = {row["stage"]} | {c["to_stage"] for c in deleted.stage_changes} | {
            c["from_stage"] for c in deleted.stage_changes if c["from_stage"] is not None}
        if len(_existing(Stage, stage_ids)) != len(stage_ids):
            raise ConflictError(f"A stage in the history of “{deleted.title}” was deleted "
                                "since, so the deal cannot be brought back.")
        rep_ids = _existing(Rep, [row["owner"], row["updated_by"],
                                  *(c["checked_by"] for c in deleted.checks),
                                  *(c["changed_by"] for c in deleted.stage_changes)])
        if row["owner"] not in rep_ids:
            row["owner"] = None
        if row["source"] not in _existing(LeadSource, [row["source"]]):
            row["source"] = None
        if row["import_batch"] not in _existing(ImportBatch, [row["import_batch"]]):
            row["import_batch"] = None
        row["updated_by"] = actor.id if actor else None
        row["version"] += 1
        deal_id = _insert_keeping_ids(Deal, [row])[row["id"]]
        items = _existing(ChecklistItem, [c["item"] for c in deleted.checks])
        checks = [{**c, "deal": deal_id,
                   "checked_by": c["checked_by"] if c["checked_by"] in rep_ids else None}
                  for c in deleted.checks if c["item"] in items]
        changes = [{**c, "deal": deal_id,
                    "changed_by": c["changed_by"] if c["changed_by"] in rep_ids else None}
                   for c in deleted.stage_changes]
        _insert_keeping_ids(ChecklistCheck, checks)
        change_ids = _insert_keeping_ids(StageChange, changes)
        batches = _existing(ImportBatch, [c["batch"] for c in deleted.import_changes])
        _insert_keeping_ids(ImportChange, [
            {**c, "deal": deal_id, "stage_change": change_ids.get(c["stage_change"])}
            for c in deleted.import_changes if c["batch"] in batches])
        if deleted.activity_uuids:
            Activity.update(deal=deal_id).where(
                Activity.uuid.in_(list(deleted.activity_uuids)), Activity.deal.is_null()
            ).execute()
    return get_deal(deal_id)
