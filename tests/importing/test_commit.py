"""Committing: idempotent re-imports, all or nothing, skipping invalid rows, the backup taken
first, cancel writing nothing, and "Undo last import"."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.deals import get_deal, update_deal
from app.errors import ConflictError, NotFound, UsageError
from app.importing import (
    ImportOptions,
    commit,
    describe_last_import,
    run_import,
    service,
    undo_last_import,
)
from app.jobs import Cancelled, JobControl
from app.pipeline import move_deal, undo_move
from app.workspace import backup_now
from db.backup import KEEP_BACKUPS, backup_folder, list_backups
from db.models import ChecklistItem, Deal, ImportBatch, StageChange

HEADER = ["Record ID", "Deal Name", "Company", "Deal Stage", "Amount", "Close Date"]


def sample(make_xlsx, rows=None, name="deals.xlsx"):
    return make_xlsx([HEADER, *(rows or [
        ["1", "Roof", "Acme", "Qualified", 1200.0, date(2026, 3, 21)],
        ["2", "Door", "Beta", "Proposal", 300.0, date(2026, 4, 1)],
        ["3", "Window", "Gamma", "Won", 99.5, None],
    ])], name=name)


def snapshot():
    return sorted((d.title, d.stage_id, d.value, d.version) for d in Deal.select())


def test_reimporting_the_same_file_changes_nothing(manager, stages, make_xlsx):
    path = sample(make_xlsx)
    assert run_import(path, ImportOptions(), manager).created == 3
    before = snapshot()
    again = run_import(path, ImportOptions(), manager)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert snapshot() == before
    assert ImportBatch.select().count() == 1  # nothing to undo from the no-op import


def test_rows_without_a_record_id_match_by_company_and_title(manager, stages, make_xlsx):
    path = make_xlsx([["Title", "Company", "Amount"], ["Roof", "Acme", 10.0]], name="a.xlsx")
    run_import(path, ImportOptions(), manager)
    changed = make_xlsx([["Title", "Company", "Amount"], [" roof ", "ACME", 20.0]], name="b.xlsx")
    report = run_import(changed, ImportOptions(), manager)
    assert (report.created, report.updated) == (0, 1)
    # Matched loosely, but the values follow the file (the title's case too).
    assert Deal.get().value == Decimal("20.00") and Deal.get().company == "ACME"


def test_a_funnelcast_deal_id_wins_over_every_other_key(manager, stages, make_xlsx):
    run_import(sample(make_xlsx), ImportOptions(), manager)
    roof = Deal.get(Deal.title == "Roof")
    path = make_xlsx([["deal_id", "Title", "Company"], [str(roof.uuid), "Roof v2", "Other"]],
                     name="own.xlsx")
    report = run_import(path, ImportOptions(), manager)
    assert report.updated == 1 and Deal.get_by_id(roof.id).title == "Roof v2"


def test_one_bad_row_means_nothing_is_written(manager, stages, make_xlsx):
    path = sample(make_xlsx, [["1", "Roof", "Acme", "Qualified", 1200.0, None],
                              ["2", "Door", "Beta", "Proposal", "twelve", None]])
    report = run_import(path, ImportOptions(), manager)
    assert report.rejected and not report.committed
    assert (report.created, report.updated) == (0, 0)
    assert Deal.select().count() == 0 and StageChange.select().count() == 0
    assert report.problems_workbook and not list_backups(path.parent / "funnelcast.sqlite")
    assert not backup_folder(path.parent / "funnelcast.sqlite").exists()  # no empty folder


def test_a_file_that_cannot_be_read_leaves_no_backup_folder(manager, db_path, tmp_path):
    path = tmp_path / "deals.xlsx"
    path.write_bytes(b"not a workbook at all" * 50)
    with pytest.raises(UsageError):
        run_import(path, ImportOptions(), manager)
    assert not backup_folder(db_path).exists()


def test_skip_invalid_writes_the_valid_rows_and_reports_the_rest(manager, stages, make_xlsx):
    path = sample(make_xlsx, [["1", "Roof", "Acme", "Qualified", 1200.0, None],
                              ["2", "Door", "Beta", "Proposal", "twelve", None]])
    report = run_import(path, ImportOptions(skip_invalid=True), manager)
    assert report.committed and (report.created, report.skipped) == (1, 1)
    assert [(e.row, e.column) for e in report.errors] == [(3, "Amount")]
    assert [d.title for d in Deal.select()] == ["Roof"]


def test_duplicate_rows_in_one_file_are_conflicts(manager, stages, make_xlsx):
    path = sample(make_xlsx, [["7", "Roof", "Acme", "Qualified", 1.0, None],
                              ["7", "Roof again", "Acme", "Qualified", 2.0, None]])
    report = run_import(path, ImportOptions(), manager)
    assert report.rejected and report.conflicts[0].row == 3
    assert "same deal as row 2" in report.conflicts[0].message


def test_a_backup_is_taken_before_writing(manager, stages, make_xlsx, db_path):
    report = run_import(sample(make_xlsx), ImportOptions(), manager)
    backups = list_backups(db_path)
    assert report.backup == str(backups[0]) and "before-import" in backups[0].name


def _titles_in(path) -> list[str]:
    with closing(sqlite3.connect(path)) as copy:
        return sorted(title for (title,) in copy.execute("SELECT title FROM deal"))


def _reps_in(path) -> list[str]:
    with closing(sqlite3.connect(path)) as copy:
        return sorted(name for (name,) in copy.execute("SELECT name FROM rep"))


class EditElsewhereMidImport(JobControl):
    """While the import checks its rows, another connection (the main window, say) renames
    the manager and commits."""

    def __init__(self, db_path):
        super().__init__()
        self.db_path, self.done = db_path, False

    def report(self, fraction, message=""):
        if fraction >= 0.25 and not self.done:
            self.done = True
            with closing(sqlite3.connect(self.db_path)) as other, other:
                other.execute("UPDATE rep SET name = 'Maria Renamed' WHERE name = ?",
                              ("Maria Manager",))
        super().report(fraction, message)


@pytest.mark.parametrize("edit_elsewhere", [False, True], ids=["quiet", "edited-meanwhile"])
def test_the_backup_holds_the_database_just_before_the_import(
    manager, stages, make_xlsx, db_path, edit_elsewhere, monkeypatch
):
    """The backup is copied while the file is read; an edit committed by another connection
    in the meantime is in it all the same (the copy is started again), and the import's own
    deals are not."""
    run_import(make_xlsx([["Title", "Company"], ["Earlier", "Acme"]], name="first.xlsx"),
               ImportOptions(), manager)
    started = []
    real_start = service.start_backup
    monkeypatch.setattr(service, "start_backup",
                        lambda reason: started.append(reason) or real_start(reason))
    control = EditElsewhereMidImport(db_path) if edit_elsewhere else None
    report = run_import(sample(make_xlsx), ImportOptions(), manager, control)
    assert len(started) == (2 if edit_elsewhere else 1)  # quiet: the copy made in advance
    assert report.committed and report.backup == str(list_backups(db_path)[0])
    assert _titles_in(report.backup) == ["Earlier"]
    assert ("Maria Renamed" in _reps_in(report.backup)) == edit_elsewhere
    assert not list(Path(report.backup).parent.glob("*.partial"))


class CancelAtTheLastMoment(JobControl):
    """Cancel once everything is written and the backup settled, just before the commit."""

    def report(self, fraction, message=""):
        if fraction >= 1.0:
            self.cancel()
        super().report(fraction, message)


@pytest.mark.parametrize("how", ["rejected", "cancelled", "cancelled-before-commit",
                                 "unreadable"])
def test_an_import_that_writes_nothing_keeps_no_backup_and_drops_none(
    manager, stages, make_xlsx, db_path, how
):
    """The backup copied in advance is thrown away, and the ten backups already kept stay
    (keeping it would have pushed the oldest out)."""
    kept = [backup_now(f"earlier {n}") for n in range(KEEP_BACKUPS)]
    if how == "rejected":
        path = sample(make_xlsx, [["1", "Roof", "Acme", "Qualified", "twelve", None]])
        assert run_import(path, ImportOptions(), manager).rejected
    elif how == "cancelled":
        control = JobControl()
        control.cancel()
        with pytest.raises(Cancelled):
            run_import(sample(make_xlsx), ImportOptions(), manager, control)
    elif how == "cancelled-before-commit":
        with pytest.raises(Cancelled):
            run_import(sample(make_xlsx), ImportOptions(), manager, CancelAtTheLastMoment())
        assert Deal.select().count() == 0
    else:
        broken = db_path.parent / "broken.xlsx"
        broken.write_bytes(b"PK\x03\x04 not really a workbook")
        with pytest.raises(UsageError):
            run_import(broken, ImportOptions(), manager)
    assert sorted(list_backups(db_path)) == sorted(kept)
    assert not list(kept[0].parent.glob("*.partial"))


def test_a_dry_run_writes_nothing(manager, stages, make_xlsx, db_path):
    report = run_import(sample(make_xlsx), ImportOptions(dry_run=True), manager)
    assert report.created == 3 and not report.committed
    assert Deal.select().count() == 0 and list_backups(db_path) == []


def test_cancel_during_the_write_leaves_nothing(manager, stages, make_xlsx):
    class CancelWhileWriting(JobControl):
        def report(self, fraction, message=""):
            if fraction >= 0.7:
                self.cancel()
            super().report(fraction, message)

    with pytest.raises(Cancelled):
        run_import(sample(make_xlsx), ImportOptions(), manager, CancelWhileWriting())
    assert Deal.select().count() == 0 and ImportBatch.select().count() == 0


def test_undo_last_import_removes_created_deals_and_restores_changed_values(
    manager, stages, make_xlsx
):
    run_import(sample(make_xlsx), ImportOptions(), manager)
    roof = Deal.get(Deal.title == "Roof")
    changed = sample(make_xlsx, [
        ["1", "Roof", "Acme", "Negotiation", 5000.0, date(2026, 5, 1)],
        ["9", "Chimney", "Zeta", "Suspect", 10.0, None],
    ], name="second.xlsx")
    assert run_import(changed, ImportOptions(), manager).updated == 1
    assert describe_last_import() == "second.xlsx: 1 created, 1 updated"

    result = undo_last_import(manager)
    assert (result.deleted, result.restored) == (1, 1)
    roof_now = Deal.get_by_id(roof.id)
    assert roof_now.stage.name == "Qualified" and roof_now.value == Decimal("1200.00")
    assert roof_now.expected_close == date(2026, 3, 21)
    assert not Deal.select().where(Deal.title == "Chimney").exists()
    assert [c.to_stage.name for c in StageChange.select().where(StageChange.deal == roof.id)
            ] == ["Qualified"]
    # The first import is next in line; after it, there is nothing left to undo.
    undo_last_import(manager)
    assert Deal.select().count() == 0
    with pytest.raises(NotFound, match="no import to undo"):
        undo_last_import(manager)


def test_undo_backs_up_a_database_file_first_and_works_on_a_server(
    manager, stages, make_xlsx, backend, db_target
):
    """Undo takes a backup first: of a file; a server database is backed up with its own
    tools, and the undo must not fail for want of a file."""
    run_import(sample(make_xlsx), ImportOptions(), manager)
    before = list_backups(Path(db_target)) if backend == "sqlite" else []
    undone = undo_last_import(manager)
    assert undone.deleted == 3 and Deal.select().count() == 0
    if backend == "sqlite":
        (taken,) = set(list_backups(Path(db_target))) - set(before)
        assert "before-undo-import" in taken.name and undone.backup == str(taken)
    else:
        assert undone.backup is None


def test_undo_refuses_to_lose_a_later_edit(manager, stages, make_xlsx):
    run_import(sample(make_xlsx), ImportOptions(), manager)
    roof = get_deal(Deal.get(Deal.title == "Roof").id)
    update_deal(roof.id, {"notes": "called them"}, roof.version, manager)
    with pytest.raises(ConflictError, match="changed since"):
        undo_last_import(manager)
    assert Deal.select().count() == 3


def test_bulk_created_rows_read_back_like_any_other(manager, stages, make_xlsx):
    import uuid

    run_import(sample(make_xlsx), ImportOptions(), manager)
    roof = Deal.get(Deal.title == "Roof")
    assert roof.value == Decimal("1200.00") and roof.expected_close == date(2026, 3, 21)
    assert roof.version == 1 and roof.updated_by_id == manager.id
    assert roof.created_at == roof.stage_entered_at
    ids = [Deal.get(Deal.title == t).uuid for t in ("Roof", "Door", "Window")]
    changes = list(StageChange.select().where(StageChange.origin == "import"))
    assert len({*ids, *(c.uuid for c in changes)}) == 6
    assert all(uuid.UUID(str(u)).version == 7 for u in [*ids, *(c.uuid for c in changes)])
    assert {c.deal_id: c.to_stage_id for c in changes}[roof.id] == stages["Qualified"].id


def test_reimport_compares_values_not_how_the_file_writes_them(manager, stages, make_xlsx):
    run_import(sample(make_xlsx), ImportOptions(), manager)
    respelled = sample(make_xlsx, [
        ["1", "Roof", "Acme", "qualified", "$1,200.00", "2026-03-21"],
        ["2", "Door", "Beta", "Proposal", "300", "1 Apr 2026"],
        ["3", "Window", "Gamma", "Won", 99.5, ""],  # an empty cell never clears a value
    ], name="respelled.xlsx")
    again = run_import(respelled, ImportOptions(), manager)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    moved = sample(make_xlsx, [["2", "Door", "Beta", "Proposal", 300.01, date(2026, 4, 1)]],
                   name="moved.xlsx")
    assert run_import(moved, ImportOptions(), manager).updated == 1
    assert Deal.get(Deal.title == "Door").value == Decimal("300.01")
    undo_last_import(manager)
    assert Deal.get(Deal.title == "Door").value == Decimal("300.00")


def test_undo_moves_the_version_forward_so_a_stale_editor_is_refused(manager, stages,
                                                                      make_xlsx):
    run_import(sample(make_xlsx), ImportOptions(), manager)
    door = get_deal(Deal.get(Deal.title == "Door").id)  # an editor opens it: version 1
    changed = sample(make_xlsx, [["2", "Door", "Beta", "Proposal", 450.0, date(2026, 4, 1)]],
                     name="changed.xlsx")
    assert run_import(changed, ImportOptions(), manager).updated == 1
    imported = get_deal(door.id).version
    undo_last_import(manager)
    after = get_deal(door.id)
    assert after.value == Decimal("300.00") and after.version == imported + 1
    with pytest.raises(ConflictError):
        update_deal(door.id, {"notes": "from the stale editor"}, door.version, manager)
    assert get_deal(door.id).notes == ""
    # The first import can still be undone: the deal again holds what it wrote.
    assert undo_last_import(manager).deleted == 3


def test_undo_refuses_when_activities_were_logged_against_a_created_deal(manager, stages,
                                                                         make_xlsx):
    from app.activities import ActivityDraft, log_activity

    run_import(sample(make_xlsx), ImportOptions(), manager)
    roof = Deal.get(Deal.title == "Roof")
    version = roof.version
    log_activity(ActivityDraft(manager.id, "Meeting", date.today(), Decimal("1"), roof.id),
                 manager)
    assert Deal.get_by_id(roof.id).version == version  # logging is not an edit of the deal
    with pytest.raises(ConflictError, match=r"“Roof” was created by the import of deals\.xlsx"):
        undo_last_import(manager)
    assert Deal.select().count() == 3 and describe_last_import() is not None


def test_undo_refuses_when_a_created_deal_was_ticked_or_moved(manager, stages, make_xlsx):
    from app.pipeline import move_deal, set_checked

    run_import(sample(make_xlsx), ImportOptions(), manager)
    roof = Deal.get(Deal.title == "Roof")
    set_checked(roof.id, ChecklistItem.select().first().id, True, manager)
    door = Deal.get(Deal.title == "Door")
    move_deal(door.id, stages["Negotiation"].id, manager, override_reason="test")
    with pytest.raises(ConflictError) as refused:
        undo_last_import(manager)
    assert "Roof" in str(refused.value) and "Door" in str(refused.value)
    assert Deal.select().count() == 3


# A deal's lost reason is non-empty only while it sits in a lost stage, and every move into
# a lost stage records the reason on its StageChange, so undoing a later move can put it back.
LOST_HEADER = [*HEADER, "Lost reason"]


def moves(deal_id):
    return [(c.to_stage.name, c.lost_reason, c.origin) for c in StageChange.select()
            .where(StageChange.deal == deal_id).order_by(StageChange.id)]


def undo_latest_move(deal_id, actor):
    undo_move(StageChange.select().where(StageChange.deal == deal_id)
              .order_by(StageChange.id.desc()).get().uuid, actor)


def test_a_deal_created_in_lost_records_its_reason_on_its_creation(manager, stages, make_xlsx):
    path = make_xlsx([LOST_HEADER,
                      ["1", "Roof", "Acme", "Lost", 100.0, None, "Budget cut"],
                      ["2", "Door", "Beta", "Lost", 200.0, None, None],
                      ["3", "Window", "Gamma", "Proposal", 300.0, None, "Stale reason"]])
    report = run_import(path, ImportOptions(), manager)
    assert report.created == 3
    assert ("1 deal goes into a lost stage with no lost reason in the file; it is recorded "
            "with the reason “Imported as lost”.") in report.warnings
    roof, door, window = (Deal.get(Deal.title == t) for t in ("Roof", "Door", "Window"))
    assert moves(roof.id) == [("Lost", "Budget cut", "import")]
    assert roof.lost_reason == "Budget cut"
    # Lost with no reason in the file: the import says so rather than leaving it blank.
    assert moves(door.id) == [("Lost", "Imported as lost", "import")]
    assert door.lost_reason == "Imported as lost"
    # An open deal keeps no reason, whatever the file's column still says.
    assert moves(window.id) == [("Proposal", "", "import")] and window.lost_reason == ""

    move_deal(roof.id, stages["Suspect"].id, manager, override_reason="won them back")
    assert Deal.get_by_id(roof.id).lost_reason == ""
    undo_latest_move(roof.id, manager)
    again = Deal.get_by_id(roof.id)
    assert again.stage.name == "Lost" and again.lost_reason == "Budget cut"


def test_an_import_moving_an_open_deal_into_lost_records_the_reason(manager, stages,
                                                                     make_xlsx):
    run_import(sample(make_xlsx), ImportOptions(), manager)
    roof, door = Deal.get(Deal.title == "Roof"), Deal.get(Deal.title == "Door")
    moved = make_xlsx([LOST_HEADER,
                       ["1", "Roof", "Acme", "Lost", 1200.0, date(2026, 3, 21), "Went dark"],
                       ["2", "Door", "Beta", "Lost", 300.0, date(2026, 4, 1), None]],
                      name="moved.xlsx")
    report = run_import(moved, ImportOptions(), manager)
    assert report.updated == 2
    assert any(w.startswith("1 deal goes into a lost stage") for w in report.warnings)
    assert moves(roof.id) == [("Qualified", "", "import"), ("Lost", "Went dark", "import")]
    assert Deal.get_by_id(roof.id).lost_reason == "Went dark"
    assert moves(door.id)[-1] == ("Lost", "Imported as lost", "import")
    assert Deal.get_by_id(door.id).lost_reason == "Imported as lost"

    move_deal(roof.id, stages["Suspect"].id, manager, override_reason="back in play")
    undo_latest_move(roof.id, manager)
    again = Deal.get_by_id(roof.id)
    assert again.stage.name == "Lost" and again.lost_reason == "Went dark"


def test_an_import_moving_a_lost_deal_to_an_open_stage_clears_its_reason(manager, stages,
                                                                        make_xlsx):
    run_import(make_xlsx([LOST_HEADER, ["1", "Roof", "Acme", "Lost", 10.0, None, "Budget cut"]],
                         name="lost.xlsx"), ImportOptions(), manager)
    roof = Deal.get()
    # The CRM's export still carries the old reason next to the new stage.
    reopened = make_xlsx([LOST_HEADER,
                          ["1", "Roof", "Acme", "Negotiation", 10.0, None, "Budget cut"]],
                         name="reopened.xlsx")
    assert run_import(reopened, ImportOptions(), manager).updated == 1
    assert Deal.get_by_id(roof.id).lost_reason == ""
    assert moves(roof.id)[-1] == ("Negotiation", "", "import")

    # A later move into Lost, undone, leaves the deal open with no reason again.
    move_deal(roof.id, stages["Lost"].id, manager, lost_reason="Price")
    undo_latest_move(roof.id, manager)
    again = Deal.get_by_id(roof.id)
    assert again.stage.name == "Negotiation" and again.lost_reason == ""


def test_undoing_an_import_that_reopened_a_lost_deal_restores_its_reason(manager, stages,
                                                                        make_xlsx):
    run_import(make_xlsx([LOST_HEADER, ["1", "Roof", "Acme", "Lost", 10.0, None, "Budget cut"]],
                         name="lost.xlsx"), ImportOptions(), manager)
    roof = Deal.get()
    run_import(make_xlsx([HEADER, ["1", "Roof", "Acme", "Negotiation", 10.0, None]],
                         name="reopened.xlsx"), ImportOptions(), manager)
    assert Deal.get_by_id(roof.id).lost_reason == ""
    undo_last_import(manager)
    again = Deal.get_by_id(roof.id)
    assert again.stage.name == "Lost" and again.lost_reason == "Budget cut"
    assert moves(roof.id) == [("Lost", "Budget cut", "import")]
    # Reopened in the app after the undo, then that move undone: the reason comes back.
    move_deal(roof.id, stages["Suspect"].id, manager, override_reason="back in play")
    undo_latest_move(roof.id, manager)
    assert Deal.get_by_id(roof.id).lost_reason == "Budget cut"


def test_a_reimport_of_lost_and_open_deals_changes_nothing(manager, stages, make_xlsx):
    path = make_xlsx([LOST_HEADER,
                      ["1", "Roof", "Acme", "Lost", 100.0, None, None],
                      ["2", "Door", "Beta", "Proposal", 200.0, None, "Stale reason"]])
    run_import(path, ImportOptions(), manager)
    again = run_import(path, ImportOptions(), manager)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert not any("lost reason" in w for w in again.warnings)  # nothing goes anywhere


def test_a_backup_that_cannot_be_filed_after_the_commit_is_a_warning(
    manager, stages, make_xlsx, monkeypatch, db_path
):
    """The deals are in (the commit is done), so a backup that cannot be renamed into place
    (the disk filled up, say) is reported, not raised, and not claimed."""
    from db.backup import PendingBackup

    def full_disk(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(PendingBackup, "keep", full_disk)
    report = run_import(sample(make_xlsx), ImportOptions(), manager)
    assert report.committed and Deal.select().count() == 3
    assert report.backup is None
    assert any("could not be kept (No space left on device)" in w for w in report.warnings)
    assert not list(backup_folder(db_path).glob("*.partial")) and not list_backups(db_path)


def test_undoing_an_import_that_changed_a_lost_reason_puts_it_back_on_the_record(
        manager, stages, make_xlsx):
    """An import that corrects a lost deal's reason (the deal stays lost) writes it where
    the move into Lost recorded it; undoing the import puts the old reason back there too,
    so reopening the deal and undoing that still restores the reason it held."""
    run_import(make_xlsx([LOST_HEADER, ["1", "Roof", "Acme", "Lost", 10.0, None, "Budget cut"]],
                         name="lost.xlsx"), ImportOptions(), manager)
    roof = Deal.get()
    corrected = make_xlsx([LOST_HEADER, ["1", "Roof", "Acme", "Lost", 10.0, None, "Price"]],
                          name="corrected.xlsx")
    assert run_import(corrected, ImportOptions(), manager).updated == 1
    assert moves(roof.id) == [("Lost", "Price", "import")]
    undo_last_import(manager)
    assert Deal.get_by_id(roof.id).lost_reason == "Budget cut"
    assert moves(roof.id) == [("Lost", "Budget cut", "import")]
    move_deal(roof.id, stages["Suspect"].id, manager, override_reason="back in play")
    undo_latest_move(roof.id, manager)
    assert Deal.get_by_id(roof.id).lost_reason == "Budget cut"


def test_undo_removes_the_reps_and_sources_the_import_created_unless_still_used(
        manager, make_csv):
    from app import settings
    from app.activities import ActivityDraft, log_activity
    from db.models import LeadSource, Rep

    reps_before = sorted(Rep.select(Rep.name).tuples())
    sources_before = LeadSource.select().count()
    path = make_csv([["Title", "Company", "Owner", "Source"],
                     ["Roof", "Acme", "Ravi Rep", "Trade fair"],
                     ["Door", "Beta", "Sam Seller", "Webinar"],
                     ["Gate", "Gamma", "Tia Closer", "Webinar"]])
    run_import(path, ImportOptions(), manager)
    assert Rep.select().count() == len(reps_before) + 3
    sam = Rep.get(Rep.name == "Sam Seller")
    log_activity(ActivityDraft(sam.id, "Meeting", date.today(), Decimal("1")), manager)
    settings.put("current_user", "Tia Closer")

    result = undo_last_import(manager)

    assert result.reps_removed == ["Ravi Rep"]
    assert result.sources_removed == ["Trade fair", "Webinar"]
    assert result.kept == ["rep “Sam Seller” (activities)",
                           "rep “Tia Closer” (being the current user)"]
    assert sorted(Rep.select(Rep.name).tuples()) == sorted(
        [*reps_before, ("Sam Seller",), ("Tia Closer",)])
    assert LeadSource.select().count() == sources_before
    assert "Removed what it had added: rep Ravi Rep, lead source Trade fair" in (
        result.describe())
    assert "Kept, because other records refer to them: rep “Sam Seller” (activities)" in (
        result.describe())


def test_an_edit_saved_after_undo_first_looks_is_seen_and_refuses_the_undo(
        manager, make_csv, monkeypatch):
    """The edit lands where the undo used to check and then delete outside one transaction:
    between its look at "edited since" and its write. It must not be deleted unseen."""
    import threading

    from app.jobs import release_thread_connection

    path = make_csv([["Title", "Company", "Amount"], ["Roof", "Acme", "1200"],
                     ["Door", "Beta", "300"]])
    run_import(path, ImportOptions(), manager)
    roof = Deal.get(Deal.title == "Roof")
    failures: list[Exception] = []

    def edit_from_another_connection() -> None:
        def edit() -> None:
            try:
                update_deal(roof.id, {"value": "5000"}, roof.version, manager)
            except Exception as error:
                failures.append(error)
            finally:
                release_thread_connection()

        thread = threading.Thread(target=edit)
        thread.start()
        thread.join(60)

    # The edit lands while the undo takes its backup, between its first look and its write.
    monkeypatch.setattr(commit, "backup_before_undo", edit_from_another_connection)
    with pytest.raises(ConflictError, match="were changed since"):
        undo_last_import(manager)
    assert failures == []
    assert Deal.select().count() == 2
    assert Deal.get_by_id(roof.id).value == Decimal("5000.00")
    assert describe_last_import() is not None


@pytest.mark.parametrize(("counts", "said"), [
    ((0, 0, 1), "the 1 hours entry it added was removed"),
    ((0, 0, 2), "the 2 hours entries it added were removed"),
    ((1, 1, 0), "the 1 stage move and 1 checklist tick it added were removed"),
    ((2, 1, 3), "the 2 stage moves, 1 checklist tick and 3 hours entries it added were "
                "removed"),
])
def test_undo_says_what_it_removed_in_agreement(counts, said):
    from app.importing.commit import UndoResult

    moves, ticks, hours = counts
    result = UndoResult("ravi.xlsx", 0, 0, moves_removed=moves, ticks_removed=ticks,
                        hours_removed=hours)
    assert f"The import of ravi.xlsx was undone: {said}." in result.describe()
