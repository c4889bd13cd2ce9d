"""Merging a rep's update workbook back: Excel-style edits become history with the rep as
actor, conflicts are never silently overwritten, refusals change nothing, a second import
changes nothing, and "Undo last import" takes a merge back."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.errors import ValidationError
from app.offline.merge import commit_merge, plan_merge
from db.models import Activity, ChecklistCheck, Deal, Setting, StageChange


def _deal(team, title: str) -> Deal:
    return Deal.get(Deal.uuid == uuid.UUID(team.deals[title].uuid))


def _merge(path, team, choices=None):
    return commit_merge(plan_merge(path), choices or {}, team.manager)


def _counts() -> tuple[int, int, int]:
    return (StageChange.select().count(), ChecklistCheck.select().count(),
            Activity.select().count())


def _entered_long_ago() -> None:
    """The deals entered their stages before the rep's times in these tests (a rep's move
    dated before that is moved up to it: see the test below)."""
    Deal.update(stage_entered_at=datetime(2026, 11, 1)).execute()


def test_an_excel_edit_merges_back_as_the_reps_history(team, edit):
    _entered_long_ago()
    moved_at = datetime(2026, 12, 2, 15, 30)  # the rep's local time, typed in Excel
    edit.tick("Acme roll-out", "Qualified", required_only=True)
    edit.set("Acme roll-out", "Stage", "Qualified")
    edit.set("Acme roll-out", "Stage changed", moved_at)
    edit.set("Birch pilot", "Value", 9250.5)
    edit.set("Cedar renewal", "Next step", "Send the contract")
    edit.hours((date(2026, 12, 1), "Meeting", 1.5, "Acme roll-out — Acme", "Kick-off"),
               (date(2026, 12, 1), "Admin", 0.75, None, "Expenses"))
    path = edit.save()

    result = _merge(path, team)

    assert (result.updated, result.fields, result.moves, result.hours) == (3, 2, 1, 2)
    acme = _deal(team, "Acme roll-out")
    assert acme.stage_id == team.stages["Qualified"].id
    move = StageChange.select().where(StageChange.deal == acme.id).order_by(
        StageChange.id.desc()).get()
    assert (move.origin, move.changed_by_id) == ("workbook", team.rep.id)
    assert move.changed_at == moved_at.astimezone().astimezone(UTC).replace(tzinfo=None)
    ticks = ChecklistCheck.select().where(ChecklistCheck.deal == acme.id)
    assert ticks.count() >= 1 and {t.checked_by_id for t in ticks} == {team.rep.id}
    birch = _deal(team, "Birch pilot")
    assert birch.value == Decimal("9250.50") and birch.updated_by_id == team.rep.id
    assert _deal(team, "Cedar renewal").next_step == "Send the contract"
    logged = sorted(Activity.select().where(Activity.rep == team.rep.id),
                    key=lambda a: a.hours)
    assert [(a.kind, a.hours, a.deal_id) for a in logged] == [
        ("Admin", Decimal("0.75"), None), ("Meeting", Decimal("1.50"), acme.id)]


def test_a_move_the_gate_would_refuse_is_reported_and_not_applied(team, edit):
    edit.set("Acme roll-out", "Stage", "Qualified")  # nothing ticked for Qualified
    edit.set("Acme roll-out", "Next step", "Meet the CFO")
    plan = plan_merge(edit.save())
    assert [r.to_stage for r in plan.refused_moves] == ["Qualified"]
    assert "first tick" in plan.refused_moves[0].sentence()
    commit_merge(plan, {}, team.manager)
    acme = _deal(team, "Acme roll-out")
    assert acme.stage_id == team.stages["Sales-ready lead"].id
    assert acme.next_step == "Meet the CFO"  # the rest of the deal still merges


def test_a_field_changed_on_both_sides_is_a_conflict_with_who_and_when(team, edit):
    from app.deals import update_deal

    edit.set("Birch pilot", "Value", 9000)
    edit.set("Birch pilot", "Next step", "Demo")
    path = edit.save()
    birch = _deal(team, "Birch pilot")
    update_deal(birch.id, {"value": Decimal("7000")}, birch.version, team.manager)

    plan = plan_merge(path)
    (conflict,) = plan.conflicts
    assert (conflict.field, conflict.original, conflict.ours, conflict.theirs) == (
        "value", Decimal("8000.00"), Decimal("7000.00"), Decimal("9000.00"))
    assert conflict.changed_by == "Maria Manager" and conflict.changed_at is not None
    assert conflict.deal_edit  # a dialog edit records no fields: only the deal's last edit

    held = commit_merge(plan, {}, team.manager)  # no choice: the deal is held back whole
    assert held.held_back == ("Birch pilot",)
    assert (_deal(team, "Birch pilot").value, _deal(team, "Birch pilot").next_step) == (
        Decimal("7000.00"), "Call")

    commit_merge(plan_merge(path), {(conflict.deal_uuid, "value"): "ours"}, team.manager)
    birch = _deal(team, "Birch pilot")
    assert (birch.value, birch.next_step) == (Decimal("7000.00"), "Demo")


def test_theirs_takes_the_workbooks_value(team, edit):
    from app.deals import update_deal

    edit.set("Birch pilot", "Value", 9000)
    path = edit.save()
    birch = _deal(team, "Birch pilot")
    update_deal(birch.id, {"value": Decimal("7000")}, birch.version, team.manager)
    plan = plan_merge(path)
    commit_merge(plan, {(c.deal_uuid, c.field): "theirs" for c in plan.conflicts},
                 team.manager)
    assert _deal(team, "Birch pilot").value == Decimal("9000.00")


def test_a_workbook_from_another_database_is_refused_and_changes_nothing(team, edit):
    edit.set("Birch pilot", "Value", 9000)
    path = edit.save()
    Setting.update(value=uuid.uuid4().hex).where(Setting.key == "database_id").execute()
    with pytest.raises(ValidationError, match="exported from another Funnelcast database"):
        plan_merge(path)
    assert _deal(team, "Birch pilot").value == Decimal("8000.00")


def test_deleted_and_reassigned_deals_are_listed_and_skipped_the_rest_merges(team, edit):
    from app.deals import update_deal

    edit.set("Birch pilot", "Value", 9000)
    edit.set("Cedar renewal", "Value", 31000)
    edit.set("Acme roll-out", "Next step", "Lunch")
    path = edit.save()
    _deal(team, "Birch pilot").delete_instance()
    cedar = _deal(team, "Cedar renewal")
    update_deal(cedar.id, {"owner_id": team.other.id}, cedar.version, team.manager)

    plan = plan_merge(path)
    assert sorted((s.title, s.reason, s.owner) for s in plan.skipped) == [
        ("Birch pilot", "deleted", ""), ("Cedar renewal", "owner", "Olga Other")]
    assert "now belongs to Olga Other" in next(
        s for s in plan.skipped if s.reason == "owner").sentence()
    commit_merge(plan, {}, team.manager)
    assert _deal(team, "Cedar renewal").value == Decimal("30000.00")
    assert _deal(team, "Acme roll-out").next_step == "Lunch"


def test_the_same_workbook_imported_twice_changes_nothing_the_second_time(team, edit):
    edit.tick("Acme roll-out", "Qualified", required_only=True)
    edit.set("Acme roll-out", "Stage", "Qualified")
    edit.set("Birch pilot", "Value", 9000)
    edit.hours((date(2026, 12, 1), "Meeting", 2, None, "Team call"))
    path = edit.save()
    first = _merge(path, team)
    assert first.batch_uuid
    counts, versions = _counts(), {d.id: d.version for d in Deal.select()}

    again = plan_merge(path)
    assert again.is_empty and again.hours_known == 1 and not again.conflicts
    second = commit_merge(again, {}, team.manager)
    assert second.batch_uuid == ""
    assert _counts() == counts
    assert {d.id: d.version for d in Deal.select()} == versions


def test_an_edit_here_after_a_merge_is_not_a_conflict_when_the_workbook_comes_again(team,
                                                                                  edit):
    from app.deals import update_deal

    edit.set("Birch pilot", "Value", 9000)
    path = edit.save()
    _merge(path, team)
    birch = _deal(team, "Birch pilot")
    update_deal(birch.id, {"value": Decimal("9100")}, birch.version, team.manager)
    plan = plan_merge(path)
    assert plan.is_empty and not plan.conflicts


def test_an_older_workbook_after_a_newer_one_applies_only_what_is_not_stale(team, tmp_path):
    from app.offline.export import export_update_workbook
    from tests.offline.conftest import Edit

    older = Edit(export_update_workbook(tmp_path / "older.xlsx", "Ravi Rep").path)
    newer = Edit(export_update_workbook(tmp_path / "newer.xlsx", "Ravi Rep").path)
    newer.set("Birch pilot", "Value", 9500)
    older.set("Birch pilot", "Value", 8500)
    older.set("Birch pilot", "Next step", "Send a case study")
    _merge(newer.save(), team)

    plan = plan_merge(older.save())
    assert plan.newer_export is not None
    assert [(s.title, s.field, s.theirs, s.current) for s in plan.stale] == [
        ("Birch pilot", "value", Decimal("8500.00"), Decimal("9500.00"))]
    assert not plan.conflicts
    commit_merge(plan, {}, team.manager)
    birch = _deal(team, "Birch pilot")
    assert (birch.value, birch.next_step) == (Decimal("9500.00"), "Send a case study")


def test_hours_that_cannot_be_logged_refuse_the_whole_merge(team, edit):
    edit.set("Birch pilot", "Value", 9000)
    edit.hours((date(2026, 12, 1), "Meeting", 1.3, None, ""))  # not a quarter hour
    plan = plan_merge(edit.save())
    assert plan.rejected and plan.problems[0].row == 2
    with pytest.raises(ValidationError, match=r"sheet Hours, row 2, column Hours: .*quarter"):
        commit_merge(plan, {}, team.manager)
    assert _deal(team, "Birch pilot").value == Decimal("8000.00")


def test_undo_last_import_takes_a_merge_back(team, edit):
    from app.importing import undo_last_import

    before = _counts()
    edit.tick("Acme roll-out", "Qualified", required_only=True)
    edit.set("Acme roll-out", "Stage", "Qualified")
    edit.set("Birch pilot", "Value", 9000)
    edit.hours((date(2026, 12, 1), "Meeting", 2, None, "Team call"))
    _merge(edit.save(), team)

    undone = undo_last_import(team.manager)

    assert _counts() == before
    assert undone.moves_removed == 1 and undone.hours_removed == 1 and undone.ticks_removed
    assert "stage move" in undone.describe()
    acme = _deal(team, "Acme roll-out")
    assert acme.stage_id == team.stages["Sales-ready lead"].id
    assert _deal(team, "Birch pilot").value == Decimal("8000.00")
    # And the workbook can be merged again afterwards, the same as the first time.
    assert len(plan_merge(edit.path).moves) == 1


def test_a_working_copys_moves_merge_in_order_with_the_reps_times(team, tmp_path):
    """The working copy writes its moves to the hidden log: each becomes a StageChange at
    the rep's time, in order, and a second import finds them all."""
    import dataclasses

    from app.offline.book import BookMove
    from app.offline.export import build_book
    from app.offline.writer import write_update_workbook

    _entered_long_ago()
    book = build_book("Ravi Rep")
    acme = next(d for d in book.deals if d.title == "Acme roll-out")
    first, second = datetime(2026, 12, 1, 9, 0), datetime(2026, 12, 3, 16, 30)
    checks = tuple(dataclasses.replace(c, done=True, ticked_at=first) if (
        c.deal_uuid == acme.uuid and c.stage in ("Qualified", "Solution fit & demo")
        and c.required) else c for c in book.checks)
    moves = (BookMove(acme.uuid, "Sales-ready lead", "Qualified", first),
             BookMove(acme.uuid, "Qualified", "Solution fit & demo", second))
    saved = dataclasses.replace(
        book, checks=checks, moves=moves,
        deals=tuple(dataclasses.replace(d, stage="Solution fit & demo", stage_changed_at=second)
                    if d.uuid == acme.uuid else d for d in book.deals))
    path = tmp_path / "working-copy.xlsx"
    write_update_workbook(saved, path)

    result = _merge(path, team)

    assert result.moves == 2
    deal = _deal(team, "Acme roll-out")
    history = list(StageChange.select().where(StageChange.deal == deal.id,
                                              StageChange.origin == "workbook")
                   .order_by(StageChange.changed_at))
    assert [(h.to_stage_id, h.changed_at, h.changed_by_id) for h in history] == [
        (team.stages["Qualified"].id, first, team.rep.id),
        (team.stages["Solution fit & demo"].id, second, team.rep.id)]
    assert deal.stage_id == team.stages["Solution fit & demo"].id
    assert deal.stage_entered_at == second
    ticks = ChecklistCheck.select().where(ChecklistCheck.deal == deal.id)
    assert {t.checked_at for t in ticks} == {first}
    assert plan_merge(path).is_empty


def test_a_move_typed_without_a_time_takes_the_workbooks_save_time(team, edit):
    from app.offline.reader import read_update_book

    edit.tick("Acme roll-out", "Qualified", required_only=True)
    edit.set("Acme roll-out", "Stage", "Qualified")
    path = edit.save()
    _merge(path, team)
    move = StageChange.select().where(StageChange.deal == _deal(team, "Acme roll-out").id,
                                      StageChange.origin == "workbook").get()
    assert move.changed_at == read_update_book(path).saved_at


def test_a_move_dated_before_the_deals_last_stage_change_is_moved_up_and_reported(team,
                                                                                  edit):
    """History stays in order: a rep's time before the deal entered its stage here (the
    manager moved it since, or the rep typed a wrong day) is recorded at that entry, and
    the report says so."""
    from app.offline.service import run_merge

    entered = _deal(team, "Acme roll-out").stage_entered_at
    edit.tick("Acme roll-out", "Qualified", required_only=True)
    edit.set("Acme roll-out", "Stage", "Qualified")
    edit.set("Acme roll-out", "Stage changed", datetime(2026, 1, 2, 15, 30))
    report = run_merge(edit.save(), team.manager)
    move = StageChange.select().where(StageChange.deal == _deal(team, "Acme roll-out").id,
                                      StageChange.origin == "workbook").get()
    assert move.changed_at == entered
    early = datetime(2026, 1, 2, 15, 30).astimezone().astimezone(UTC).replace(tzinfo=None)
    here = entered.replace(tzinfo=UTC).astimezone()
    assert ("“Acme roll-out”, the move to Qualified: the workbook dates it 2026-01-02 15:30, "
            "before the deal's last stage change here, so it is recorded at "
            f"{here:%Y-%m-%d %H:%M}.") in report.describe()
    assert report.as_dict()["moves"][0]["workbook_at"] == early


def test_a_backup_is_kept_only_for_a_merge_that_writes(team, edit, db_path):
    from db.backup import list_backups

    edit.set("Birch pilot", "Value", 9000)
    path = edit.save()
    first = _merge(path, team)
    assert first.backup is not None and [str(p) for p in list_backups(db_path)] == [
        first.backup]
    second = _merge(path, team)  # nothing left to merge: no second copy
    assert second.backup is None and len(list_backups(db_path)) == 1
    Setting.update(value=uuid.uuid4().hex).where(Setting.key == "database_id").execute()
    with pytest.raises(ValidationError):
        _merge(path, team)
    assert len(list_backups(db_path)) == 1


def test_a_field_the_rep_changed_again_after_a_merge_merges_from_what_was_merged(team, edit):
    """A working copy saved again keeps its export: a field the rep changed once more since
    the first merge is a change from what that merge left, not an old value."""
    from app.deals import update_deal
    from tests.offline.conftest import Edit

    edit.set("Birch pilot", "Value", 9000)
    edit.set("Cedar renewal", "Value", 31000)
    path = edit.save()
    _merge(path, team)
    again = Edit(path)
    again.set("Birch pilot", "Value", 9500)
    again.set("Cedar renewal", "Value", 32000)
    again.save()
    cedar = _deal(team, "Cedar renewal")
    update_deal(cedar.id, {"value": Decimal("30500")}, cedar.version, team.manager)

    plan = plan_merge(path)
    assert [(c.field, c.original, c.ours, c.theirs) for c in plan.conflicts] == [
        ("value", Decimal("31000.00"), Decimal("30500.00"), Decimal("32000.00"))]
    commit_merge(plan, {}, team.manager)
    assert _deal(team, "Birch pilot").value == Decimal("9500.00")
    assert _deal(team, "Cedar renewal").value == Decimal("30500.00")  # held back


def test_the_original_export_imported_after_its_edited_copy_reverts_nothing(team, workbook,
                                                                             tmp_path):
    """The rep edits a copy of the export; the manager merges the copy, then (by mistake)
    the original file: it is an older save of the same workbook, so what the copy's merge
    wrote is kept and listed as stale, never reverted."""
    import shutil

    from app.deals import update_deal
    from app.offline.service import run_merge
    from tests.offline.conftest import Edit

    copy = Edit(Path(shutil.copy(workbook, tmp_path / "edited.xlsx")))
    copy.set("Birch pilot", "Value", 9250)
    copy.set("Birch pilot", "Next step", "Send the contract")
    copy.set("Cedar renewal", "Value", 31000)
    birch = _deal(team, "Birch pilot")
    update_deal(birch.id, {"value": Decimal("8800")}, birch.version, team.manager)
    run_merge(copy.save(), team.manager, resolution="theirs")
    versions = {d.id: d.version for d in Deal.select()}

    report = run_merge(workbook, team.manager, dry_run=True)
    plan = report.plan
    assert plan.is_empty and not plan.conflicts and plan.merged_save is not None
    assert sorted((s.title, s.field, s.theirs) for s in plan.stale) == [
        ("Birch pilot", "next_step", "Call"), ("Birch pilot", "value", Decimal("8000.00")),
        ("Cedar renewal", "value", Decimal("30000.00"))]
    assert "would change 0 fields" in report.describe()
    assert "Stale, not applied" in report.describe()
    assert run_merge(workbook, team.manager, resolution="theirs").result.batch_uuid == ""
    birch, cedar = _deal(team, "Birch pilot"), _deal(team, "Cedar renewal")
    assert (birch.value, birch.next_step) == (Decimal("9250.00"), "Send the contract")
    assert cedar.value == Decimal("31000.00")
    assert {d.id: d.version for d in Deal.select()} == versions


def test_an_older_save_of_a_merged_workbook_keeps_what_the_later_save_merged(team, edit,
                                                                             tmp_path):
    """Two saves of one workbook, the later merged first: the earlier one's different
    value is stale; a value both saves hold is already merged (not stale, not a conflict,
    even though the manager changed it since)."""
    from app.deals import update_deal
    from tests.offline.conftest import Edit

    edit.set("Birch pilot", "Value", 9000)
    edit.set("Acme roll-out", "Next step", "Demo")
    older = edit.save(tmp_path / "monday.xlsx")
    later = Edit(older)
    later.set("Birch pilot", "Value", 9600)
    _merge(later.save(tmp_path / "tuesday.xlsx"), team)
    acme = _deal(team, "Acme roll-out")
    update_deal(acme.id, {"next_step": "Call back"}, acme.version, team.manager)

    plan = plan_merge(older)
    assert [(s.title, s.field, s.theirs, s.current) for s in plan.stale] == [
        ("Birch pilot", "value", Decimal("9000.00"), Decimal("9600.00"))]
    assert plan.is_empty and not plan.conflicts


def test_hours_corrected_after_a_merge_are_reported_not_added_twice(team, edit):
    """The rep corrects 2 h to 2.5 h on a row already merged and sends the workbook again:
    the row is listed as changed after it was merged and not applied (no second activity);
    a row added below it merges."""
    from app.offline.service import run_merge
    from tests.offline.conftest import Edit

    edit.hours((date(2026, 12, 1), "Meeting", 2, None, "Team call"))
    path = edit.save()
    _merge(path, team)
    again = Edit(path)
    again.book["Hours"]["C2"] = 2.5
    again.hours((date(2026, 12, 2), "Admin", 1, None, "Expenses"))
    again.save()

    report = run_merge(path, team.manager)
    logged = Activity.select().where(Activity.rep == team.rep.id).order_by(Activity.date)
    assert [(a.kind, a.hours) for a in logged] == [("Meeting", Decimal("2.00")),
                                                   ("Admin", Decimal("1.00"))]
    plan = report.plan
    assert [(h.row, h.differences) for h in plan.hours_changed] == [
        (2, ("Hours: 2.00 here, 2.50 in the workbook",))]
    assert plan.hours_known == 0 and [h.row for h in plan.hours] == [3]
    assert "Hours row 2 was changed after it was merged" in report.describe()
    assert report.as_dict()["hours_changed_after_merge"][0]["row"] == 2


def test_an_item_unticked_here_since_the_export_still_gates_the_reps_move(team, tmp_path):
    """An item ticked at export and unticked by the manager since is not ticked: the rep's
    move through its gate is refused and reported, not let through on the export's tick."""
    from app.offline.export import export_update_workbook
    from app.pipeline import missing_requirements, set_checked
    from tests.offline.conftest import Edit

    acme = _deal(team, "Acme roll-out")
    required = missing_requirements(acme.id, team.stages["Qualified"].id)
    assert required
    for item in required:
        set_checked(acme.id, item.id, True, team.manager)
    edit = Edit(export_update_workbook(tmp_path / "ravi.xlsx", "Ravi Rep").path)
    set_checked(acme.id, required[0].id, False, team.manager)
    edit.set("Acme roll-out", "Stage", "Qualified")

    plan = plan_merge(edit.save())
    assert [(r.to_stage, r.missing) for r in plan.refused_moves] == [
        ("Qualified", (f"{required[0].text} ({required[0].stage_name})",))]
    assert not plan.moves
    commit_merge(plan, {}, team.manager)
    assert _deal(team, "Acme roll-out").stage_id == team.stages["Sales-ready lead"].id


def test_a_conflict_with_a_merged_change_names_who_changed_that_field(team, tmp_path):
    """The database's value came from an earlier merge (which records its fields): the
    conflict names that change itself, not just the deal's last edit."""
    from app.offline.export import export_update_workbook
    from tests.offline.conftest import Edit

    older = Edit(export_update_workbook(tmp_path / "older.xlsx", "Ravi Rep").path)
    newer = Edit(export_update_workbook(tmp_path / "newer.xlsx", "Ravi Rep").path)
    older.set("Birch pilot", "Value", 8500)
    _merge(older.save(), team)
    newer.set("Birch pilot", "Value", 9500)

    (conflict,) = plan_merge(newer.save()).conflicts
    assert (conflict.ours, conflict.theirs) == (Decimal("8500.00"), Decimal("9500.00"))
    assert (conflict.changed_by, conflict.deal_edit) == ("Ravi Rep", False)
    assert conflict.changed_text("today") == "changed by Ravi Rep, today"


def test_spacing_in_the_databases_next_step_is_not_a_change_or_a_conflict(team, tmp_path):
    """A next step stored with a line break or double spaces (from an old import) comes
    back from the workbook on one line: an untouched workbook changes nothing, and the
    rep's own change is a change, not a conflict."""
    from app.offline.export import export_update_workbook
    from tests.offline.conftest import Edit

    Deal.update(next_step="Call  the\nCFO").where(
        Deal.id == _deal(team, "Birch pilot").id).execute()
    path = export_update_workbook(tmp_path / "ravi.xlsx", "Ravi Rep").path
    plan = plan_merge(path)
    assert plan.is_empty and not plan.conflicts

    edit = Edit(path)
    edit.set("Cedar renewal", "Next step", "Send the contract")
    edit.set("Birch pilot", "Next step", "Book the demo")
    plan = plan_merge(edit.save())
    assert not plan.conflicts
    assert sorted((c.title, c.after) for c in plan.changes) == [
        ("Birch pilot", "Book the demo"), ("Cedar renewal", "Send the contract")]
