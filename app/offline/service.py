"""The merge use case as the command line runs it (and the window may): plan, decide the
conflicts by one rule (``--ours``, ``--theirs`` or hold the deal back), commit unless it
is a dry run, and report in words or in the importer's JSON shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.errors import FunnelcastError
from app.jobs import JobControl
from app.offline.merge import merge_book, plan_book
from app.offline.merge_types import (
    FIELD_LABELS,
    MergePlan,
    MergeResult,
    local_minute,
    shown,
)
from app.offline.reader import CellRefusal, read_update_book
from app.users import RepInfo


def _n(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def _when(stamp: datetime | None) -> str:
    return local_minute(stamp) if stamp else "an unknown time"


@dataclass(frozen=True)
class MergeReport:
    """A merge's plan and, unless a dry run, what was written."""

    plan: MergePlan
    result: MergeResult | None  # None for a dry run, or when rows could not be taken
    resolution: str | None  # "ours", "theirs" or None (conflicted deals held back)
    dry_run: bool = False

    @property
    def committed(self) -> bool:
        """Whether anything was written (a merge with nothing new writes nothing)."""
        return self.result is not None and bool(self.result.batch_uuid)

    def held(self) -> set[str]:
        """The deals (uuids) nothing is merged of: conflicted, with no rule to settle them."""
        return self.plan.held_back()

    def would(self, items: tuple) -> int:
        """How many of a dry run's ``items`` (changes, moves, ticks) would be written."""
        held = self.held()
        return sum(1 for item in items if item.deal_uuid not in held)

    def as_dict(self) -> dict:
        """The importer's JSON keys, then the merge's own."""
        plan, result = self.plan, self.result
        held = self.held()
        if result is not None:
            counts = (result.updated, result.unchanged, result.skipped)
        elif self.dry_run:  # what merging would do
            counts = (len(plan.deals_to_write() - held), plan.unchanged,
                      len(plan.skipped) + len(held))
        else:  # refused: nothing was merged
            counts = (0, 0, 0)
        return {
            "created": 0,
            "updated": counts[0],
            "unchanged": counts[1],
            "skipped": counts[2],
            "errors": [p.as_dict() for p in plan.problems],
            "conflicts": [{
                "deal": c.title, "deal_uuid": c.deal_uuid, "field": c.field,
                "original": c.original, "database": c.ours, "changed_by": c.changed_by,
                "changed_at": c.changed_at, "changed_is_last_deal_edit": c.deal_edit,
                "workbook": c.theirs,
                "applied": c.settled,
            } for c in plan.conflicts],
            "kind": "update_workbook",
            "rep": plan.book.rep_name,
            "exported_at": plan.book.exported_at,
            "dry_run": self.dry_run,
            "committed": self.committed,
            "fields": [{"deal": c.title, "field": c.field, "database": c.before,
                        "workbook": c.after} for c in plan.changes],
            "moves": [{"deal": m.title, "from": m.from_stage, "to": m.to_stage, "at": m.at,
                       "workbook_at": m.moved_up_from} for m in plan.moves],
            "moves_refused": [{"deal": r.title, "to": r.to_stage, "missing": list(r.missing)}
                              for r in plan.refused_moves],
            "ticks": len(plan.ticks),
            "hours": len(plan.hours),
            "hours_already_merged": plan.hours_known,
            "hours_changed_after_merge": [{"row": h.row, "differences": list(h.differences)}
                                          for h in plan.hours_changed],
            "skipped_deals": [{"deal": s.title, "reason": s.reason, "owner": s.owner}
                              for s in plan.skipped],
            "older_than_merged": plan.newer_export,
            "not_newer_than_merged_save": plan.merged_save,
            "stale": [{"deal": s.title, "field": s.field, "workbook": s.theirs,
                       "database": s.current} for s in plan.stale],
            "held_back": sorted({c.title for c in plan.conflicts if c.deal_uuid in held}),
            "backup": result.backup if result else None,
        }

    def describe(self) -> str:
        plan, result = self.plan, self.result
        lines = []
        if plan.problems:
            lines.append(f"Nothing was merged from {plan.file_name}: fix these rows first.")
            lines += [f"  {p.sentence()}" for p in plan.problems]
            return "\n".join(lines)
        who = plan.book.rep_name
        if result is None and self.dry_run:
            lines.append(f"{plan.file_name} is {who}'s update workbook. Merging it would "
                         f"change {_n(self.would(plan.changes), 'field', 'fields')}, make "
                         f"{_n(self.would(plan.moves), 'stage move', 'stage moves')}, tick "
                         f"{_n(self.would(plan.ticks), 'item', 'items')} and add "
                         f"{_n(len(plan.hours), 'hours entry', 'hours entries')}. Nothing was "
                         "written (dry run).")
        elif result is None or not result.batch_uuid:
            lines.append(f"Nothing to merge from {plan.file_name} ({who}): it changes "
                         "nothing that is not already here.")
        else:
            lines.append(f"Merged {who}'s update workbook {plan.file_name}: "
                         f"{_n(result.updated, 'deal', 'deals')} updated "
                         f"({_n(result.fields, 'field', 'fields')}, "
                         f"{_n(result.moves, 'stage move', 'stage moves')}, "
                         f"{_n(result.ticks, 'tick', 'ticks')}), "
                         f"{_n(result.hours, 'hours entry', 'hours entries')} added; "
                         f"{result.unchanged:,} unchanged.")
        if plan.hours_known:
            lines.append(f"{_n(plan.hours_known, 'hours row was', 'hours rows were')} merged "
                         "before and not added again.")
        lines += [f"  {h.sentence()}" for h in plan.hours_changed]
        if plan.conflicts:
            if self.resolution is None:
                lines.append("Conflicts — changed here and in the workbook since the export; "
                             "nothing of these deals was merged (import again with --ours "
                             "to keep this database's values or --theirs to take the "
                             "workbook's):")
            else:
                kept = "this database's" if self.resolution == "ours" else "the workbook's"
                lines.append(f"Conflicts, settled with {kept} values (--{self.resolution}):")
            for c in plan.conflicts:
                lines.append(f"  “{c.title}”, {FIELD_LABELS[c.field]}: here {shown(c.ours)} "
                             f"({c.changed_text(_when(c.changed_at))})"
                             f", in the workbook {shown(c.theirs)}.")
        lines += [f"  {m.sentence()}" for m in plan.moves if m.moved_up_from is not None]
        lines += [f"  {r.sentence()}" for r in plan.refused_moves]
        lines += [f"  {s.sentence()}" for s in plan.skipped]
        if plan.newer_export is not None:
            lines.append(f"This workbook is older than one of {who}'s already merged "
                         f"(exported {_when(plan.newer_export)}).")
        if plan.merged_save is not None:
            lines.append(f"A save of this workbook from {_when(plan.merged_save)} was merged "
                         "already and this file is not newer: what that merge wrote is kept.")
        if plan.stale:
            lines.append("Stale, not applied:")
            lines += [f"  “{s.title}”, {FIELD_LABELS[s.field]}: the older workbook has "
                      f"{shown(s.theirs)}, the newer one left {shown(s.current)}."
                      for s in plan.stale]
        if result is not None:
            lines += list(result.warnings)
            if result.backup:
                lines.append(f"A backup was written first: {result.backup}.")
        return "\n".join(lines)


def refusal_as_dict(path: str | Path, error: FunnelcastError, dry_run: bool) -> dict:
    """``import --json``'s report of a workbook refused before any plan (a cell, the hidden
    sheet, another database, an unknown rep): the importer's keys, nothing merged."""
    where = error.as_dict() if isinstance(error, CellRefusal) else {
        "sheet": None, "row": None, "column": None, "message": str(error)}
    return {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0, "errors": [where],
            "conflicts": [], "kind": "update_workbook", "file": Path(path).name,
            "dry_run": dry_run, "committed": False}


def run_merge(path: str | Path, actor: RepInfo | None, *, dry_run: bool = False,
              resolution: str | None = None,
              control: JobControl | None = None) -> MergeReport:
    """Merge the update workbook at ``path`` (unless ``dry_run``: then only plan it),
    settling every conflict by ``resolution`` ("ours", "theirs"; None holds the conflicted
    deals back whole). Planned once, inside the write transaction."""
    book = read_update_book(path)
    if dry_run:
        return MergeReport(plan_book(book, path, settle=resolution), None, resolution, True)
    result = merge_book(book, path, {}, actor, control, settle=resolution)
    if result.plan is None:
        raise RuntimeError("merge_book always returns the plan it wrote")
    return MergeReport(result.plan, None if result.plan.rejected else result, resolution)
