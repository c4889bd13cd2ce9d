"""File › Import… with a rep's update workbook: the wizard shows the merge plan instead of the
column mapping, the conflicts are settled in the conflict dialog, Merge writes on the worker,
and "Undo this import" takes it back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QWizard

import ui.importing.wizard as wizard_module
from app.offline import working_copy
from app.offline.export import export_update_workbook
from app.workspace import close_workspace, open_workspace
from db.models import Deal, StageChange
from ui.importing.wizard import ImportWizard
from ui.offline import merge_page
from ui.offline.conflict_dialog import ConflictDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def updated(manager, rep, stages, tmp_path, db_target):
    """Ravi's workbook after a day offline in his working copy: Acme moved through the gate
    with its items ticked, its value raised, an hour logged; meanwhile the manager changed
    Acme's value too (a conflict) and Globex was given to someone else."""
    from app.activities import ActivityDraft, log_activity
    from app.deals import DealDraft, create_deal, update_deal
    from app.pipeline import find_stage, missing_requirements, move_deal
    from app.users import create_rep, current_user

    acme = create_deal(DealDraft(title="Acme renewal", company="Acme", owner_id=rep.id,
                                 stage_id=stages["Qualified"].id, value=Decimal("12000")),
                       manager)
    globex = create_deal(DealDraft(title="Globex pilot", company="Globex", owner_id=rep.id,
                                   stage_id=stages["Proposal"].id, value=Decimal("5000")),
                         manager)
    workbook = tmp_path / "ravi.xlsx"
    export_update_workbook(workbook, "Ravi Rep")
    close_workspace()

    working_copy.open_working_copy(workbook, folder=tmp_path / "copies")
    ravi = current_user()
    deal = Deal.get(Deal.title == "Acme renewal")
    demo = find_stage("Solution fit & demo")
    move_deal(deal.id, demo.id, ravi,
              tick=[i.id for i in missing_requirements(deal.id, demo.id)])
    deal = Deal.get(Deal.title == "Acme renewal")
    update_deal(deal.id, {"value": Decimal("14000")}, deal.version, ravi)
    log_activity(ActivityDraft(ravi.id, "Demo", date.today(), Decimal("1")), ravi)
    working_copy.save_working_copy(workbook)
    close_workspace()

    open_workspace(db_target)
    update_deal(acme.id, {"value": Decimal("13000")}, acme.version, manager)
    olga = create_rep("Olga Other")
    update_deal(globex.id, {"owner_id": olga.id}, globex.version, manager)
    return workbook


@pytest.fixture
def wizard(qtbot, ui_context):
    widget = ImportWizard(ui_context)
    qtbot.add_widget(widget)
    widget.show()
    return widget


def _open(qtbot, wizard, path) -> None:
    wizard.file_page.set_path(str(path))
    qtbot.wait_until(wizard.file_page.isComplete, timeout=10_000)
    wizard.next()


def test_an_update_workbook_shows_the_merge_plan_and_merges_with_the_choices(
        qtbot, wizard, updated, ui_context, monkeypatch):
    _open(qtbot, wizard, updated)
    qtbot.wait_until(lambda: wizard.currentId() == merge_page.PAGE_MERGE, timeout=10_000)
    page = wizard.currentPage()
    assert page.title() == "Merge Ravi Rep’s update workbook"
    figures = {key: label.text() for key, label in page.figures.items()}
    # Acme's conflict holds it back until it has a choice: only the hours would merge.
    assert figures == {"moves": "0", "ticks": "0", "hours": "1", "changes": "0"}
    notes = page.notes.stringList()
    assert notes == ["“Globex pilot” now belongs to Olga Other; its row was skipped."]
    assert page.conflicts.isVisible()
    assert "1 field of 1 deal changed both" in page.conflicts.text()
    assert "held back" in page.conflicts.text()

    offered = []

    def choose(cls, parent, conflicts, rep_name, currency, chosen):
        offered.extend(conflicts)
        return {(c.deal_uuid, c.field): "theirs" for c in conflicts}

    monkeypatch.setattr(ConflictDialog, "ask", classmethod(choose))
    page.resolve.click()
    (conflict,) = offered
    assert (conflict.field, conflict.ours, conflict.theirs, conflict.changed_by) == (
        "value", Decimal("13000.00"), Decimal("14000.00"), "Maria Manager")
    assert "Each has your choice." in page.conflicts.text()
    assert page.figures["moves"].text() == "1" and int(page.figures["ticks"].text()) >= 1

    assert wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    wizard.next()
    qtbot.wait_until(lambda: wizard.currentId() == merge_page.PAGE_MERGED, timeout=20_000)
    assert "1 stage move" in wizard.currentPage().summary.text()
    acme = Deal.get(Deal.title == "Acme renewal")
    assert (acme.stage.name, acme.value) == ("Solution fit & demo", Decimal("14000.00"))
    last = StageChange.select().where(StageChange.deal == acme.id).order_by(
        StageChange.id.desc()).first()
    assert (last.origin, last.changed_by.name) == ("workbook", "Ravi Rep")

    # Undo this import: the move, the ticks, the hours and the value go back.
    asked = []
    monkeypatch.setattr(wizard_module, "confirm_undo",
                        lambda parent, what: asked.append(what) or True)
    page = wizard.currentPage()
    page.undo.click()
    qtbot.wait_until(lambda: page.title() == "Merge undone", timeout=20_000)
    assert asked == ["ravi.xlsx"] and page.undo.isHidden()
    acme = Deal.get(Deal.title == "Acme renewal")
    assert (acme.stage.name, acme.value) == ("Qualified", Decimal("13000.00"))


def test_a_workbook_from_another_database_is_refused_in_one_sentence(
        qtbot, wizard, updated, tmp_path, db_target):
    from app.workspace import start_empty

    close_workspace()
    open_workspace(tmp_path / "elsewhere.sqlite")
    start_empty("Other Manager")
    from app.users import create_rep

    create_rep("Ravi Rep")
    foreign = export_update_workbook(tmp_path / "foreign.xlsx", "Ravi Rep").path
    close_workspace()
    open_workspace(db_target)

    _open(qtbot, wizard, foreign)
    qtbot.wait_until(lambda: wizard.file_page.error.isVisible(), timeout=10_000)
    assert wizard.file_page.error.text() == (
        "foreign.xlsx was exported from another Funnelcast database, not this one; nothing "
        "was changed. Import it into the database it came from.")
    assert wizard.currentId() == wizard_module.PAGE_FILE


def test_a_spreadsheet_still_goes_to_the_column_mapping(qtbot, wizard, tmp_path):
    sheet = tmp_path / "deals.csv"
    sheet.write_text("Title,Value\nInitech,100\n")
    _open(qtbot, wizard, sheet)
    qtbot.wait_until(lambda: wizard.currentId() == wizard_module.PAGE_MAPPING,
                     timeout=10_000)
    assert wizard.merge_plan is None


def test_a_move_dated_before_the_deals_last_stage_change_is_noted_with_its_new_time(
        qtbot, wizard, manager, rep, stages, tmp_path):
    """The window says which of the rep's moves is recorded later than the workbook dates
    it (history stays in order), in the locale's format."""
    from datetime import UTC, datetime

    import openpyxl

    from app.deals import DealDraft, create_deal
    from ui.formatting import format_stamp

    create_deal(DealDraft(title="Acme renewal", company="Acme", owner_id=rep.id,
                          stage_id=stages["Qualified"].id, value=Decimal("12000")), manager)
    path = export_update_workbook(tmp_path / "ravi.xlsx", "Ravi Rep").path
    book = openpyxl.load_workbook(path)
    book["Deals"]["C2"] = "Sales-ready lead"
    book["Deals"]["I2"] = datetime(2026, 1, 2, 15, 30)
    book.save(path)
    entered = Deal.get(Deal.title == "Acme renewal").stage_entered_at
    _open(qtbot, wizard, path)
    qtbot.wait_until(lambda: wizard.currentId() == merge_page.PAGE_MERGE, timeout=10_000)
    early = datetime(2026, 1, 2, 15, 30).astimezone().astimezone(UTC).replace(tzinfo=None)
    assert wizard.currentPage().notes.stringList() == [
        f"“Acme renewal”, the move to Sales-ready lead: the workbook dates it "
        f"{format_stamp(early)}, before the deal's last stage change here, so it is recorded "
        f"at {format_stamp(entered)}."]
