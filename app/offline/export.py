"""A rep's update workbook from the database: the rep's open deals and leads, the checklist
items still ahead of each, the pipeline's stages and items and the activity kinds.

:func:`build_book` makes the in-memory :class:`~app.offline.book.UpdateBook` (the working
copy's "Save updates" builds one its own way); :func:`export_update_workbook` writes it
atomically (:mod:`app.offline.writer`). The database's id (Setting ``database_id``) is made
the first time a workbook is exported, so a workbook from another database is recognised
when it comes back.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app import settings
from app.activity_kinds import list_kinds
from app.clock import local_today
from app.exporting.atomic import check_folder
from app.exporting.figures import uuid_hex
from app.jobs import JobControl
from app.offline.book import (
    BookCheck,
    BookDeal,
    DealFields,
    ItemSpec,
    StageSpec,
    UpdateBook,
)
from app.offline.writer import write_update_workbook
from app.pipeline import live_stages
from app.rotting import last_touched
from app.users import find_rep
from db.connection import database, writing
from db.models import ChecklistCheck, ChecklistItem, Deal, Setting, Stage

DATABASE_ID = "database_id"


def database_id() -> str:
    """This database's id (a uuid4, made and stored the first time it is asked for)."""
    row = Setting.get_or_none(Setting.key == DATABASE_ID)
    if row is not None and row.value:
        return row.value
    with writing():
        Setting.insert(key=DATABASE_ID, value=uuid.uuid4().hex).on_conflict_ignore().execute()
        return Setting.get(Setting.key == DATABASE_ID).value


@dataclass(frozen=True)
class UpdateExport:
    """What an export of a rep's update workbook wrote."""

    path: Path
    rep: str
    deals: int
    checklist_rows: int
    cut: tuple[str, ...] = ()

    def describe(self) -> str:
        text = (f"Wrote {self.path}: {self.rep}'s update workbook with {self.deals:,} "
                f"deal{'' if self.deals == 1 else 's'} and {self.checklist_rows:,} checklist "
                "rows. Send it to them; import it back with File › Import… (or "
                "`import FILE`).")
        if self.cut:
            text += (f" {len(self.cut)} cell(s) were longer than Excel's 32,767 characters "
                     f"and were cut: {', '.join(self.cut[:5])}.")
        return text


def default_file_name(rep_name: str) -> str:
    """``updates-<rep>-YYYY-MM-DD.xlsx``, the rep's name made safe for a file name."""
    safe = "".join(c if c.isalnum() else "-" for c in rep_name).strip("-")
    safe = "-".join(part for part in safe.split("-") if part) or "rep"
    return f"updates-{safe}-{local_today().isoformat()}.xlsx"


def _stage_specs(stages: list[Stage]) -> tuple[StageSpec, ...]:
    return tuple(StageSpec(s.name, s.side, s.outcome, s.position, s.probability, s.rot_days,
                           s.colour) for s in stages)


def _item_specs(stages: list[Stage]) -> tuple[ItemSpec, ...]:
    names = {s.id: s.name for s in stages}
    items = (ChecklistItem.select().where(ChecklistItem.stage.in_(list(names)))
             .order_by(ChecklistItem.stage, ChecklistItem.position, ChecklistItem.id))
    ordered = sorted(items, key=lambda i: ([s.id for s in stages].index(i.stage_id),
                                           i.position, i.id))
    return tuple(ItemSpec(i.id, names[i.stage_id], i.text, bool(i.required), i.weight,
                          i.position) for i in ordered)


def ahead_of(stage: StageSpec, stages: tuple[StageSpec, ...]) -> list[StageSpec]:
    """The stages whose checklists a deal in ``stage`` still has ahead of it: every open
    stage after it, and the won stage."""
    return [s for s in stages if (s.outcome == "open" and s.position > stage.position)
            or s.outcome == "won"]


def _now_precisely() -> datetime:
    """Now in UTC, naive, to the microsecond (not the second :func:`app.clock.utcnow`
    keeps): two exports for the same rep must be told apart by which is newer."""
    return datetime.now(UTC).replace(tzinfo=None)


def build_book(rep_name: str) -> UpdateBook:
    """The update workbook of the rep called ``rep_name`` (NotFound, naming the reps, for
    someone who is not one), read in one snapshot."""
    rep = find_rep(rep_name)
    db_id = database_id()
    with database.atomic():
        stages = list(live_stages())
        stage_specs = _stage_specs(stages)
        by_id = {s.id: spec for s, spec in zip(stages, stage_specs, strict=True)}
        items = _item_specs(stages)
        deals = list(Deal.select().join(Stage).where(
            Deal.owner == rep.id, Stage.outcome == "open", Stage.archived == False)
            .order_by(Stage.position, Deal.expected_close.is_null(), Deal.expected_close,
                      Deal.title, Deal.id))
        ticked: set[tuple[int, int]] = set()
        deal_ids = [d.id for d in deals]
        for start in range(0, len(deal_ids), 500):
            ticked.update(ChecklistCheck.select(ChecklistCheck.deal, ChecklistCheck.item)
                          .where(ChecklistCheck.deal.in_(deal_ids[start:start + 500]))
                          .tuples())
        kinds = tuple(k.name for k in list_kinds())
        currency = settings.load().currency
    book_deals = []
    checks = []
    earlier: list[tuple[str, int]] = []
    items_by_stage: dict[str, list[ItemSpec]] = {}
    for item in items:
        items_by_stage.setdefault(item.stage, []).append(item)
    for deal in deals:
        key = uuid_hex(deal.uuid)
        stage = by_id[deal.stage_id]
        fields = DealFields(stage.name, deal.value, deal.expected_close, deal.next_step,
                            deal.next_step_due)
        book_deals.append(BookDeal(
            uuid=key, title=deal.title, company=deal.company, stage=fields.stage,
            value=fields.value, expected_close=fields.expected_close,
            next_step=fields.next_step, next_step_due=fields.next_step_due,
            version=deal.version, original=fields, stage_changed_at=None,
            created_at=deal.created_at, stage_entered_at=deal.stage_entered_at,
            touched_at=last_touched(deal.last_activity_at, deal.stage_entered_at,
                                    deal.updated_at)))
        listed = set()
        for later in ahead_of(stage, stage_specs):
            for item in items_by_stage.get(later.name, ()):
                done = (deal.id, item.id) in ticked
                listed.add(item.id)
                checks.append(BookCheck(key, item.id, later.name, item.text, item.required,
                                        done, done, None))
        earlier += [(key, item.id) for item in items
                    if item.id not in listed and (deal.id, item.id) in ticked]
    return UpdateBook(
        export_id=uuid.uuid4().hex, database_id=db_id, rep_name=rep.name,
        exported_at=_now_precisely(), saved_at=None, stages=stage_specs, items=items,
        kinds=kinds, deals=tuple(book_deals), checks=tuple(checks), moves=(), hours=(),
        currency=currency, earlier_ticks=tuple(earlier))


def export_update_workbook(path: str | Path, rep_name: str,
                           control: JobControl | None = None) -> UpdateExport:
    """Write the update workbook of ``rep_name`` to ``path`` atomically (a folder: the
    workbook is ``updates-<rep>-YYYY-MM-DD.xlsx`` in it). Raises NotFound for an unknown
    rep and UsageError when the file cannot be written (``path`` then is as it was)."""
    target = Path(path)
    if target.is_dir():
        target = target / default_file_name(find_rep(rep_name).name)
    check_folder(target)
    if control is not None:
        control.report(0.0, "Reading the rep's deals")
    book = build_book(rep_name)
    if control is not None:
        control.report(0.4, "Writing the workbook")
    cut = write_update_workbook(book, target, control)
    return UpdateExport(target, book.rep_name, len(book.deals), len(book.checks), tuple(cut))

