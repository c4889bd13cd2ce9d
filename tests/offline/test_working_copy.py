"""The working copy: a rep's update workbook opened as a local database, worked with the
normal services (gate, ticks, hours) and saved back to the same format."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.errors import UsageError
from app.offline import working_copy
from app.offline.copy_rules import is_working_copy
from app.offline.export import export_update_workbook
from app.offline.reader import read_update_book
from app.pipeline import GateBlocked
from app.workspace import close_workspace, open_workspace


@dataclass
class Sent:
    """What the manager sent: the workbook and the manager's ids of its deals and items."""

    workbook: Path
    copies: Path  # where the test keeps working copies
    deal_uuids: dict[str, str]  # title -> uuid hex
    item_ids: dict[str, int]  # checklist text -> the manager's item id


@pytest.fixture
def sent(manager, rep, stages, tmp_path, db_target) -> Sent:
    """Two deals of Ravi's exported to his update workbook; the manager's database is
    closed afterwards, as on the rep's laptop."""
    from app.deals import DealDraft, create_deal
    from app.pipeline import set_checked
    from db.models import ChecklistItem

    acme = create_deal(DealDraft(title="Acme renewal", company="Acme", owner_id=rep.id,
                                 stage_id=stages["Qualified"].id, value=Decimal("12000"),
                                 expected_close=date(2026, 6, 30), next_step="Call Anna"),
                       manager)
    create_deal(DealDraft(title="Globex pilot", company="Globex", owner_id=rep.id,
                          stage_id=stages["Proposal"].id, value=Decimal("5000.50")), manager)
    items = {item.text: item.id for item in ChecklistItem.select()}
    set_checked(acme.id, items["Proof from their industry sent"], True, manager)
    workbook = tmp_path / "ravi.xlsx"
    export_update_workbook(workbook, "Ravi Rep")
    deal_uuids = {deal.title: deal.uuid for deal in read_update_book(workbook).deals}
    close_workspace()
    return Sent(workbook, tmp_path / "copies", deal_uuids, items)


def _deal(title: str):
    from db.models import Deal

    return Deal.get(Deal.title == title)


def test_opening_makes_a_local_database_with_the_reps_deals(sent):
    from app.users import current_user
    from app.workspace import start_state
    from db.models import ChecklistCheck, ChecklistItem, Rep

    opened = working_copy.open_working_copy(sent.workbook, folder=sent.copies)
    assert opened.path.parent == sent.copies and opened.path.exists()
    assert not opened.reused and opened.set_aside is None
    assert is_working_copy()
    assert opened.info.rep_name == "Ravi Rep" and opened.info.workbook == sent.workbook
    # The rep alone, acting, as a rep (who cannot override the gate); no manager is asked for.
    assert [(r.name, r.role) for r in Rep.select()] == [("Ravi Rep", "rep")]
    assert current_user().name == "Ravi Rep"
    assert not start_state(None).needs_manager
    acme = _deal("Acme renewal")
    assert (acme.stage.name, acme.value, acme.expected_close, acme.next_step) == (
        "Qualified", Decimal("12000.00"), date(2026, 6, 30), "Call Anna")
    assert _deal("Globex pilot").stage.name == "Proposal"
    # The manager's item ids, so ticks go back to the right item; the tick made before
    # the export is there.
    assert {i.text: i.id for i in ChecklistItem.select()}.items() >= {
        "Solution fit shown": sent.item_ids["Solution fit shown"]}.items()
    assert [c.item_id for c in ChecklistCheck.select()] == [
        sent.item_ids["Proof from their industry sent"]]
    assert not working_copy.has_unsaved_changes()


def test_a_move_through_the_gate_ticks_and_hours_are_saved_with_their_times(sent):
    from app.activities import ActivityDraft, log_activity
    from app.pipeline import find_stage, missing_requirements, move_deal
    from app.users import current_user

    working_copy.open_working_copy(sent.workbook, folder=sent.copies)
    ravi = current_user()
    acme = _deal("Acme renewal")
    demo = find_stage("Solution fit & demo")
    with pytest.raises(GateBlocked):  # the gate holds in the working copy too
        move_deal(acme.id, demo.id, ravi)
    missing = [item.id for item in missing_requirements(acme.id, demo.id)]
    assert sent.item_ids["Solution fit shown"] in missing
    moved = move_deal(acme.id, demo.id, ravi, tick=missing)  # ticked in the gate dialog
    log_activity(ActivityDraft(ravi.id, "Meeting", date.today(), Decimal("1.5"),
                               acme.id, "Demo with Anna"), ravi)
    assert working_copy.has_unsaved_changes()

    saved = working_copy.save_working_copy(sent.workbook)
    assert (saved.moves, saved.ticks, saved.hours) == (1, len(missing), 1)
    assert not working_copy.has_unsaved_changes()

    book = read_update_book(sent.workbook)
    (move,) = book.moves
    assert (move.deal_uuid, move.from_stage, move.to_stage) == (
        sent.deal_uuids["Acme renewal"], "Qualified", "Solution fit & demo")
    from db.models import StageChange

    assert move.at == StageChange.get(StageChange.uuid == moved.stage_change_uuid).changed_at
    row = next(d for d in book.deals if d.title == "Acme renewal")
    assert row.stage == "Solution fit & demo" and row.original.stage == "Qualified"
    assert row.stage_changed_at == move.at
    ticked = {c.item_id: c for c in book.checks if c.deal_uuid == row.uuid and c.done}
    assert set(missing) < set(ticked)
    assert all(ticked[i].ticked_at is not None and not ticked[i].was_done for i in missing)
    assert ticked[sent.item_ids["Proof from their industry sent"]].was_done
    (hours,) = book.hours
    assert (hours.kind, hours.hours, hours.deal_uuid, hours.note) == (
        "Meeting", Decimal("1.50"), row.uuid, "Demo with Anna")
    assert hours.row_id  # the activity's own uuid: a second merge adds nothing


def test_reopening_reuses_the_copy_until_the_workbook_changes(sent, manager, db_target):
    from app.activities import ActivityDraft, log_activity
    from app.users import current_user
    from db.models import Activity

    first = working_copy.open_working_copy(sent.workbook, folder=sent.copies)
    ravi = current_user()
    log_activity(ActivityDraft(ravi.id, "Follow-up", date.today(), Decimal("0.5")), ravi)
    close_workspace()

    again = working_copy.open_working_copy(sent.workbook, folder=sent.copies)
    assert again.reused and again.path == first.path
    assert Activity.select().count() == 1  # the unsaved hours are still there
    working_copy.save_working_copy(sent.workbook)
    close_workspace()

    # A new export replaces the workbook: the copy is made afresh from it; nothing unsaved
    # was in the old one, so nothing is kept aside.
    open_workspace(db_target)
    export_update_workbook(sent.workbook, "Ravi Rep")
    close_workspace()
    os.utime(sent.workbook, ns=(1, 1))  # a different time, whatever the clock's resolution
    fresh = working_copy.open_working_copy(sent.workbook, folder=sent.copies)
    assert not fresh.reused and fresh.set_aside is None
    assert Activity.select().count() == 0

    # Unsaved work in a copy whose workbook changed is kept beside, never thrown away.
    log_activity(ActivityDraft(current_user().id, "Follow-up", date.today(), Decimal("2")),
                 current_user())
    close_workspace()
    os.utime(sent.workbook, ns=(2, 2))
    replaced = working_copy.open_working_copy(sent.workbook, folder=sent.copies)
    assert not replaced.reused and replaced.set_aside is not None
    close_workspace()
    open_workspace(replaced.set_aside, create=False)
    assert Activity.get().hours == Decimal("2.00")


def test_a_working_copy_refuses_what_its_workbook_cannot_carry(sent, tmp_path):
    from app.deal_removal import delete_deal
    from app.deals import DealDraft, create_deal, update_deal
    from app.importing import ImportOptions, run_import
    from app.users import current_user

    working_copy.open_working_copy(sent.workbook, folder=sent.copies)
    ravi = current_user()
    acme = _deal("Acme renewal")
    with pytest.raises(UsageError, match="cannot add deals"):
        create_deal(DealDraft(title="Initech"), ravi)
    with pytest.raises(UsageError, match="cannot delete deals"):  # it would vanish unmerged
        delete_deal(acme.id, acme.version, ravi)
    with pytest.raises(UsageError, match="cannot change a deal's contact name, notes"):
        update_deal(acme.id, {"notes": "x", "contact_name": "Anna", "value": 1}, acme.version,
                    ravi)
    updated = update_deal(acme.id, {"value": Decimal("13000"), "next_step": "Send quote"},
                          acme.version, ravi)
    assert updated.value == Decimal("13000.00")
    spreadsheet = tmp_path / "deals.csv"
    spreadsheet.write_text("Title,Value\nInitech,100\n")
    with pytest.raises(UsageError, match="cannot import spreadsheets"):
        run_import(spreadsheet, ImportOptions(), ravi)
    saved = next(d for d in working_copy.book_from_database().deals
                 if d.title == "Acme renewal")
    assert (saved.value, saved.next_step) == (Decimal("13000.00"), "Send quote")


def test_a_file_that_is_not_an_update_workbook_leaves_the_open_database_open(
        sent, tmp_path, db_target):
    from app.users import current_user

    open_workspace(db_target)
    other = tmp_path / "deals.xlsx"
    other.write_bytes(b"not a workbook")
    with pytest.raises(UsageError, match="not a Funnelcast update workbook"):
        working_copy.open_working_copy(other, folder=sent.copies)
    assert current_user().name == "Maria Manager"
    assert not is_working_copy()
    assert not sent.copies.exists() or not list(sent.copies.iterdir())


def test_the_saved_copy_merges_into_the_managers_database_as_the_reps_history(
        sent, db_target):
    """End to end: the rep moves a deal through the gate, ticks and logs hours offline and
    saves; the manager merges the workbook and the history carries the rep's times."""
    from app.activities import ActivityDraft, log_activity
    from app.offline.merge import commit_merge, plan_merge
    from app.pipeline import find_stage, missing_requirements, move_deal
    from app.users import current_user, find_rep
    from db.models import Activity, ChecklistCheck, StageChange

    working_copy.open_working_copy(sent.workbook, folder=sent.copies)
    ravi = current_user()
    acme = _deal("Acme renewal")
    demo = find_stage("Solution fit & demo")
    missing = [item.id for item in missing_requirements(acme.id, demo.id)]
    moved = move_deal(acme.id, demo.id, ravi, tick=missing)
    logged = log_activity(ActivityDraft(ravi.id, "Demo", date.today(), Decimal("2"), acme.id,
                                        "Demo at Acme"), ravi)
    moved_at = StageChange.get(StageChange.uuid == moved.stage_change_uuid).changed_at
    ticked_at = {c.item_id: c.checked_at for c in ChecklistCheck.select()}
    row_id = Activity.get_by_id(logged.activity.id).uuid
    working_copy.save_working_copy(sent.workbook)
    close_workspace()

    open_workspace(db_target)
    manager = current_user()
    plan = plan_merge(sent.workbook)
    assert not plan.conflicts and not plan.refused_moves
    commit_merge(plan, {}, manager)
    deal = _deal("Acme renewal")
    assert deal.stage.name == "Solution fit & demo"
    change = StageChange.select().where(StageChange.deal == deal.id).order_by(
        StageChange.changed_at.desc(), StageChange.id.desc()).first()
    assert (change.origin, change.changed_by.name, change.changed_at) == (
        "workbook", "Ravi Rep", moved_at)
    checks = {c.item_id: c for c in ChecklistCheck.select().where(
        ChecklistCheck.deal == deal.id)}
    for item_id in missing:
        assert checks[item_id].checked_at == ticked_at[item_id]
        assert checks[item_id].checked_by.name == "Ravi Rep"
    hours = Activity.get(Activity.uuid == row_id)
    assert (hours.rep.name, hours.hours, hours.note, hours.deal_id) == (
        "Ravi Rep", Decimal("2.00"), "Demo at Acme", deal.id)
    assert find_rep("Ravi Rep").role == "rep"
    assert plan_merge(sent.workbook).is_empty  # a second import changes nothing


def _board_facts(owner_id: int | None, now, today):
    """What the board shows of each card (days in stage, rotting, checklist progress) and
    its weighted total."""
    from app.board import BoardFilter, load_board

    board = load_board(BoardFilter(owner_id=owner_id), now=now, today=today)
    cards = {card.title: (card.days_in_stage, card.rotting, card.checks_done,
                          card.checks_total, card.unmet_required)
             for column in board.columns for card in column.cards}
    return cards, sum(column.weighted_value for column in board.columns)


@pytest.fixture
def eur_team(manager, rep, stages, tmp_path):
    """A database in EUR whose stages have their own win probabilities and rot days; Ravi
    has three deals (one idle for 40 days in a 21-day stage, with items of its own and an
    earlier stage ticked), Olga one; Ravi's workbook is exported and the manager's database
    stays open."""
    from datetime import datetime, timedelta

    from app import settings
    from app.clock import utcnow
    from app.deals import DealDraft, create_deal
    from app.pipeline import set_checked
    from app.users import create_rep
    from db.models import ChecklistItem, Deal, Stage

    settings.put("currency", "EUR")
    Stage.update(probability=30, rot_days=21).where(Stage.name == "Qualified").execute()
    Stage.update(probability=70, colour="#aa3366").where(Stage.name == "Proposal").execute()
    olga = create_rep("Olga Other", "olga@example.com", role="rep")
    now = utcnow()
    for title, stage, owner, value, idle in (
            ("Acme renewal", "Qualified", rep, "12000", 40),
            ("Birch pilot", "Qualified", rep, "8000.50", 3),
            ("Cedar renewal", "Proposal", rep, "30000", 9),
            ("Elm deal", "Proposal", olga, "5000", 1)):
        deal = create_deal(DealDraft(title=title, company=title.split()[0], owner_id=owner.id,
                                     stage_id=stages[stage].id, value=Decimal(value)),
                           manager)
        then: datetime = now - timedelta(days=idle, hours=2)
        if title == "Acme renewal":
            for stage_name in ("Sales-ready lead", "Qualified"):
                item = ChecklistItem.get(ChecklistItem.stage == stages[stage_name].id)
                set_checked(deal.id, item.id, True, manager)
        Deal.update(created_at=then - timedelta(days=30), stage_entered_at=then,
                    last_activity_at=then, updated_at=then).where(
            Deal.id == deal.id).execute()
    workbook = tmp_path / "ravi.xlsx"
    export_update_workbook(workbook, "Ravi Rep")
    return workbook


def test_a_working_copy_weighs_its_board_in_the_managers_currency_and_probabilities(
        eur_team, rep, tmp_path):
    from app import settings
    from app.clock import local_today, utcnow

    now, today = utcnow(), local_today()
    _cards, managers_weighted = _board_facts(rep.id, now, today)
    assert managers_weighted == Decimal("27000.15")  # 30 % of 20,000.50 + 70 % of 30,000
    close_workspace()

    working_copy.open_working_copy(eur_team, folder=tmp_path / "copies")
    _cards, weighted = _board_facts(None, now, today)
    assert weighted == managers_weighted
    assert settings.load().currency == "EUR"

    working_copy.save_working_copy(eur_team)
    import openpyxl

    deals = openpyxl.load_workbook(eur_team)["Deals"]
    value = [c.value for c in deals[1]].index("Value") + 1
    assert "€" in deals.cell(2, value).number_format
    assert read_update_book(eur_team).currency == "EUR"


def test_a_working_copy_counts_days_in_stage_rotting_and_ticks_as_the_managers_board(
        eur_team, rep, tmp_path):
    from app.clock import local_today, utcnow

    now, today = utcnow(), local_today()
    managers, _weighted = _board_facts(rep.id, now, today)
    # Idle 40 days in a 21-day stage; 2 of its 8 items ticked, 1 required one of its own
    # stage not.
    assert managers["Acme renewal"] == (40, True, 2, 8, 1)
    close_workspace()

    working_copy.open_working_copy(eur_team, folder=tmp_path / "copies")
    cards, _weighted = _board_facts(None, now, today)
    assert cards == managers
    acme = _deal("Acme renewal")
    assert acme.created_at < acme.stage_entered_at  # the manager's, not the copy's making


def test_a_lost_reason_given_in_the_working_copy_reaches_the_managers_history(
        sent, db_target):
    from app.offline.merge import commit_merge, plan_merge
    from app.pipeline import find_stage, move_deal
    from app.users import current_user
    from db.models import StageChange

    working_copy.open_working_copy(sent.workbook, folder=sent.copies)
    globex = _deal("Globex pilot")
    move_deal(globex.id, find_stage("Lost").id, current_user(),
              lost_reason="Chose a cheaper supplier")
    working_copy.save_working_copy(sent.workbook)
    (move,) = read_update_book(sent.workbook).moves
    assert (move.to_stage, move.lost_reason) == ("Lost", "Chose a cheaper supplier")
    close_workspace()

    # Opened afresh from the saved workbook (as after an edit in Excel), it keeps the reason.
    os.utime(sent.workbook, ns=(1, 1))
    working_copy.open_working_copy(sent.workbook, folder=sent.copies)
    assert _deal("Globex pilot").lost_reason == "Chose a cheaper supplier"
    close_workspace()

    open_workspace(db_target)
    commit_merge(plan_merge(sent.workbook), {}, current_user())
    deal = _deal("Globex pilot")
    assert (deal.stage.name, deal.lost_reason) == ("Lost", "Chose a cheaper supplier")
    change = StageChange.get(StageChange.deal == deal.id, StageChange.origin == "workbook")
    assert change.lost_reason == "Chose a cheaper supplier"


def test_hours_edited_in_the_copy_after_a_merge_are_reported_not_lost(sent, db_target):
    """The rep's hours were merged; the rep corrects them in the working copy and saves
    again: the manager's merge lists the row as changed after it was merged, adds nothing
    and does not drop it unseen."""
    from app.activities import ActivityDraft, log_activity, update_activity
    from app.offline.merge import commit_merge, plan_merge
    from app.users import current_user
    from db.models import Activity

    working_copy.open_working_copy(sent.workbook, folder=sent.copies)
    ravi = current_user()
    logged = log_activity(ActivityDraft(ravi.id, "Demo", date.today(), Decimal("2"), None,
                                        "Demo at Acme"), ravi)
    working_copy.save_working_copy(sent.workbook)
    close_workspace()
    open_workspace(db_target)
    commit_merge(plan_merge(sent.workbook), {}, current_user())
    close_workspace()

    working_copy.open_working_copy(sent.workbook, folder=sent.copies)
    update_activity(logged.activity.id, ActivityDraft(
        current_user().id, "Demo", date.today(), Decimal("2.5"), None, "Demo at Acme"),
        current_user())
    working_copy.save_working_copy(sent.workbook)
    close_workspace()
    open_workspace(db_target)

    plan = plan_merge(sent.workbook)
    assert [h.differences for h in plan.hours_changed] == [
        ("Hours: 2.00 here, 2.50 in the workbook",)]
    assert not plan.hours and plan.hours_known == 0
    assert [a.hours for a in Activity.select()] == [Decimal("2.00")]
