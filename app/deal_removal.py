"""Deleting a deal, and taking the deletion back.

Why a snapshot and not a "deleted" flag: every report, forecast and export reads ``Deal``
and ``StageChange`` directly, and a flag would have to be remembered in each of them. A
deletion instead removes the deal with its checklist ticks, stage history and import
records, and returns everything it removed as a :class:`DeletedDeal`; :func:`restore_deal`
puts those rows back under the same ids, so the history, the forecast's past and an undo
of the import that made the deal see it again exactly as it was. Activities logged on the
deal stay (they are the rep's hours) and are linked to it again on restore.

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
    activity_ids: tuple[int, ...]


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
            activity_ids=tuple(a.id for a in Activity.select(Activity.id).where(
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


def restore_deal(deleted: DeletedDeal, actor: RepInfo | None) -> DealInfo:
    """Put a deleted deal back as it was, one version on (a copy edited elsewhere in the
    meantime, e.g. an offline workbook, is then a conflict, not silently applied). What
    went away since is left out: a rep or lead source removed meanwhile is no longer named
    on it, a checklist item deleted is no longer ticked. Refused (nothing written) when the
    deal is back already, or a stage of its history was deleted since."""
    row = dict(deleted.deal)
    with writing():
        if Deal.select().where((Deal.id == row["id"]) | (Deal.uuid == row["uuid"])).exists():
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
        Deal.insert(row).execute()
        items = _existing(ChecklistItem, [c["item"] for c in deleted.checks])
        checks = [{**c, "checked_by": c["checked_by"] if c["checked_by"] in rep_ids else None}
                  for c in deleted.checks if c["item"] in items]
        changes = [{**c, "changed_by": c["changed_by"] if c["changed_by"] in rep_ids else None}
                   for c in deleted.stage_changes]
        for model, rows in ((ChecklistCheck, checks), (StageChange, changes)):
            if rows:
                model.insert_many(rows).execute()
        batches = _existing(ImportBatch, [c["batch"] for c in deleted.import_changes])
        import_changes = [c for c in deleted.import_changes if c["batch"] in batches]
        if import_changes:
            ImportChange.insert_many(import_changes).execute()
        if deleted.activity_ids:
            Activity.update(deal=row["id"]).where(
                Activity.id.in_(list(deleted.activity_ids)), Activity.deal.is_null()).execute()
    return get_deal(row["id"])
