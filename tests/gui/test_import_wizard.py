"""The import wizard driven through its pages with real widgets: file, mapping (adjusted),
stage values, preview with errors, import, and undo; plus Cancel and the window's actions."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

import ui.importing.wizard as wizard_module
from db.models import Deal, Rep
from ui.formatting import format_money
from ui.importing.wizard import (
    PAGE_MAPPING,
    PAGE_PREVIEW,
    PAGE_SUMMARY,
    PAGE_VALUES,
    ImportWizard,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def tracker(tmp_path):
    """A hand-made tracker: a title row, an unknown stage, one bad row."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Pipeline"
    sheet.append(["Sales tracker 2026"])
    sheet.append([])
    sheet.append(["Client Name", "Deal", "Deal Value ($)", "Expected Close Date", "Stage",
                  "Sales Representative", "Call notes"])
    sheet.append(["Northwind", "Fleet", "$12,500.00", date(2026, 12, 21), "Qualified",
                  "Maria Manager", "call back"])
    sheet.append(["Contoso", "Pilot", "$1,200.00", "21/12/2026", "Demo booked", "Sam New", ""])
    sheet.append(["Fabrikam", "Expansion", "lots", "31/02/2026", "Proposal", "", ""])
    path = tmp_path / "tracker.xlsx"
    workbook.save(path)
    return path


@pytest.fixture
def wizard(qtbot, ui_context):
    widget = ImportWizard(ui_context)
    qtbot.add_widget(widget)
    widget.show()
    return widget


def go_next(qtbot, wizard, page_id):
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == page_id, timeout=10_000)


def next_enabled(wizard) -> bool:
    page = wizard.currentPage()
    button = (QWizard.WizardButton.CommitButton if page.isCommitPage()
              else QWizard.WizardButton.NextButton)
    return wizard.button(button).isEnabled()


def test_mapping_values_preview_import_and_undo(qtbot, qtmodeltester, wizard, tracker,
                                                ui_context, monkeypatch):
    wizard.file_page.set_path(str(tracker))
    qtbot.waitUntil(wizard.file_page.isComplete, timeout=10_000)
    assert wizard.file_page.sheet.currentText() == "Pipeline"

    go_next(qtbot, wizard, PAGE_MAPPING)
    mapping = wizard.mapping_page.model
    qtmodeltester.check(mapping)
    labels = [mapping.index(r, 2).data() for r in range(mapping.rowCount())]
    assert labels == ["Company", "Title", "Value", "Expected close", "Stage", "Owner",
                      "Don’t import"]
    assert "3 of “Pipeline”" in wizard.mapping_page.subTitle()
    # Adjust: the Call notes column imports as notes. Choosing Title twice is refused.
    assert mapping.setData(mapping.index(6, 2), "Title")
    assert not next_enabled(wizard) and "Title is chosen for more than one column" in (
        wizard.mapping_page.error.text())
    assert mapping.setData(mapping.index(6, 2), "Notes")
    assert next_enabled(wizard)

    go_next(qtbot, wizard, PAGE_VALUES)
    values = wizard.values_page.model
    qtmodeltester.check(values)
    assert values.index(0, 0).data() == "Demo booked" and values.index(0, 1).data() == "5"
    assert not next_enabled(wizard)  # every unknown stage needs an answer first
    assert values.setData(values.index(0, 2), "Qualified")
    assert next_enabled(wizard)

    go_next(qtbot, wizard, PAGE_PREVIEW)
    preview = wizard.preview_page
    assert [preview.figures[k].text() for k in ("created", "updated", "unchanged",
                                                "problems")] == ["2", "0", "0", "1"]
    qtmodeltester.check(preview.problems)
    rows = [(preview.problems.index(r, 0).data(), preview.problems.index(r, 1).data())
            for r in range(preview.problems.rowCount())]
    assert rows == [("6", "Deal Value ($)"), ("6", "Expected Close Date")]
    assert "New reps will be created: Sam New." in preview.notes.text()
    assert Deal.select().count() == 0  # the preview wrote nothing
    assert not next_enabled(wizard)
    preview.skip.setChecked(True)
    assert next_enabled(wizard)

    with qtbot.wait_signal(wizard.sig_imported, timeout=10_000):
        wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_SUMMARY, timeout=10_000)
    deals = {d.title: d for d in Deal.select()}
    assert set(deals) == {"Fleet", "Pilot"}
    assert deals["Fleet"].notes == "call back" and deals["Fleet"].value == Decimal("12500.00")
    assert deals["Pilot"].stage.name == "Qualified" and deals["Pilot"].owner.name == "Sam New"
    assert "2 new deals" in wizard.summary_page.subTitle()

    asked = []
    monkeypatch.setattr(wizard_module, "confirm_undo",
                        lambda parent, what: asked.append(what) or True)
    with qtbot.wait_signal(wizard.sig_undone, timeout=10_000):
        qtbot.mouseClick(wizard.summary_page.undo, Qt.MouseButton.LeftButton)
    assert asked == ["tracker.xlsx"]
    assert Deal.select().count() == 0
    assert not wizard.summary_page.undo.isVisible()
    assert "2 deals it created were removed" in wizard.summary_page.subTitle()
    summary = wizard.summary_page.summary.text()
    assert "New reps" not in summary  # what the import did is no longer the news
    assert "Removed what it had added: rep Sam New." in summary
    assert "A backup was written first:" in summary
    assert not Rep.select().where(Rep.name == "Sam New").exists()
    assert wizard.summary_page.title() == "Import undone"


def test_after_undo_the_summary_says_which_new_rep_stays_and_why(qtbot, wizard, ui_context,
                                                                  tmp_path, monkeypatch):
    from app.activities import ActivityDraft, log_activity

    path = tmp_path / "deals.csv"
    path.write_text("Title,Company,Owner,Source\nRoof,Acme,Sam New,Trade fair\n"
                    "Door,Beta,Tia Closer,\n", encoding="utf-8")
    wizard.file_page.set_path(str(path))
    qtbot.waitUntil(wizard.file_page.isComplete, timeout=10_000)
    go_next(qtbot, wizard, PAGE_MAPPING)
    go_next(qtbot, wizard, PAGE_PREVIEW)
    with qtbot.wait_signal(wizard.sig_imported, timeout=10_000):
        wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_SUMMARY, timeout=10_000)
    assert "New reps: Sam New, Tia Closer." in wizard.summary_page.summary.text()
    sam = Rep.get(Rep.name == "Sam New")
    log_activity(ActivityDraft(sam.id, "Meeting", date.today(), Decimal("1")), ui_context.actor)

    monkeypatch.setattr(wizard_module, "confirm_undo", lambda parent, what: True)
    with qtbot.wait_signal(wizard.sig_undone, timeout=10_000):
        qtbot.mouseClick(wizard.summary_page.undo, Qt.MouseButton.LeftButton)
        # A second click while it runs would undo the import before this one.
        assert not wizard.summary_page.undo.isEnabled()

    page = wizard.summary_page
    assert page.subTitle() == "The import of deals.csv was undone: 2 deals it created were removed."
    summary = page.summary.text()
    assert "New reps" not in summary
    assert "Removed what it had added: rep Tia Closer, lead source Trade fair." in summary
    assert "Kept, because other records refer to them: rep “Sam New” (activities)." in summary
    assert [r.name for r in Rep.select().order_by(Rep.name)] == ["Maria Manager", "Sam New"]


def test_an_ambiguous_amount_column_is_asked_about(qtbot, wizard, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Title", "Company", "Amount"])
    workbook.active.append(["Roof", "Acme", "1,500"])
    workbook.active.append(["Door", "Beta", "2,250"])
    path = tmp_path / "amounts.xlsx"
    workbook.save(path)
    wizard.file_page.set_path(str(path))
    qtbot.waitUntil(wizard.file_page.isComplete, timeout=10_000)
    go_next(qtbot, wizard, PAGE_MAPPING)
    go_next(qtbot, wizard, PAGE_VALUES)
    page = wizard.values_page
    assert not page.view.isVisibleTo(wizard)  # no stage question, only the amounts one
    box = page.decimal_boxes["Amount"]
    assert not next_enabled(wizard)
    assert "1,500 = 1.500" in box.itemText(2)
    box.setCurrentIndex(2)  # the comma separates the decimals
    go_next(qtbot, wizard, PAGE_PREVIEW)
    assert wizard.preview_page.figures["created"].text() == "2"
    with qtbot.wait_signal(wizard.sig_imported, timeout=10_000):
        wizard.next()
    assert Deal.get(Deal.title == "Roof").value == Decimal("1.50")


def test_an_unreadable_file_is_explained_on_the_page(qtbot, wizard, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    wizard.file_page.set_path(str(junk))
    qtbot.waitUntil(lambda: wizard.file_page.error.isVisible(), timeout=10_000)
    assert "damaged" in wizard.file_page.error.text()
    assert not wizard.file_page.isComplete()


def test_cancel_during_the_import_writes_nothing(qtbot, wizard, tracker, monkeypatch):
    real_run_import = wizard_module.run_import
    release = threading.Event()

    def held_run_import(path, options, actor, control=None, **how):
        if not options.dry_run:
            release.wait(10)  # hold the worker until the test has pressed Cancel
        return real_run_import(path, options, actor, control, **how)

    monkeypatch.setattr(wizard_module, "run_import", held_run_import)
    wizard.file_page.set_path(str(tracker))
    qtbot.waitUntil(wizard.file_page.isComplete, timeout=10_000)
    go_next(qtbot, wizard, PAGE_MAPPING)
    go_next(qtbot, wizard, PAGE_VALUES)
    wizard.values_page.model.setData(wizard.values_page.model.index(0, 2), "Qualified")
    go_next(qtbot, wizard, PAGE_PREVIEW)
    wizard.preview_page.skip.setChecked(True)
    wizard.next()
    busy = wizard.preview_page.busy
    assert busy.isVisible()
    qtbot.mouseClick(busy.cancel, Qt.MouseButton.LeftButton)
    release.set()
    qtbot.waitUntil(lambda: not busy.isVisible(), timeout=10_000)
    assert wizard.currentId() == PAGE_PREVIEW
    assert wizard.preview_page.error.text() == "Cancelled; nothing was changed."
    assert Deal.select().count() == 0 and Rep.select().count() == 1


def test_the_window_gets_import_and_undo_last_import(qtbot, ui_context, tracker, monkeypatch,
                                                     gui_thread_sql):
    from app.importing import ImportOptions, run_import
    from ui.context import Topic
    from ui.importing import install as install_module
    from ui.main_window import MainWindow

    window = MainWindow(ui_context)
    qtbot.add_widget(window)
    install_module.install(window)
    action = window.actions_by_name["import"]
    assert action.isEnabled() and action.shortcut().toString() == "Ctrl+I"
    opened = []
    monkeypatch.setattr(install_module, "open_wizard",
                        lambda parent, context: opened.append(context))
    action.trigger()
    assert opened == [ui_context]

    run_import(tracker, ImportOptions(skip_invalid=True,
                                      stage_mapping={"Demo booked": "Qualified"}),
               ui_context.actor)
    assert Deal.select().count() == 2
    undo = window.actions_by_name["undo_import"]
    file_menu = next(a.menu() for a in window.menuBar().actions()
                     if a.menu() is not None and action in a.menu().actions())
    assert undo in file_menu.actions()
    gui_thread_sql.clear()
    ui_context.bus.changed(Topic.DEALS)  # as the wizard announces its import
    qtbot.waitUntil(undo.isEnabled)
    file_menu.aboutToShow.emit()
    monkeypatch.setattr(wizard_module, "confirm_undo", lambda parent, what: True)
    told = []
    monkeypatch.setattr(install_module.QMessageBox, "information",
                        lambda parent, title, text: told.append(text))
    undo.trigger()
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    assert gui_thread_sql == []  # checked, confirmed and undone without a read here
    assert "were removed" in told[0] and Deal.select().count() == 0
    qtbot.waitUntil(lambda: not undo.isEnabled())  # nothing left to undo


@pytest.mark.both_backends
def test_the_window_undoes_an_import_on_a_file_and_on_a_server(
        qtbot, workspace, manager, tmp_path, monkeypatch):
    """File › Undo last import backs a database file up first; on a server database, which
    Funnelcast does not copy, it undoes all the same and says that the server's own backups
    apply (it used to fail there, asking for a backup a server cannot give)."""
    from app.importing import ImportOptions, run_import
    from db.backup import list_backups
    from ui.context import Topic, UiContext
    from ui.importing import install as install_module
    from ui.main_window import MainWindow

    context = UiContext(workspace, manager)
    window = MainWindow(context)
    qtbot.add_widget(window)
    install_module.install(window)
    path = tmp_path / "deals.csv"
    path.write_text("Title,Company,Owner\nRoof,Acme,Sam New\n", encoding="utf-8")
    assert run_import(path, ImportOptions(), manager).created == 1
    context.bus.changed(Topic.DEALS)  # as the wizard announces its import
    qtbot.waitUntil(window.actions_by_name["undo_import"].isEnabled)
    asked, told = [], []
    message_box = install_module.QMessageBox
    monkeypatch.setattr(message_box, "question", lambda parent, title, text: (
        asked.append(text) or message_box.StandardButton.Yes))
    for kind in ("information", "warning"):
        monkeypatch.setattr(message_box, kind, lambda parent, title, text: told.append(text))

    window.actions_by_name["undo_import"].trigger()
    qtbot.waitUntil(lambda: bool(told), timeout=10_000)
    context.runner.wait()

    assert "1 deal it created was removed" in told[0] and "rep Sam New" in told[0]
    assert Deal.select().count() == 0
    if workspace.is_file:
        assert "A backup is taken first." in asked[0]
        newest = list_backups(Path(workspace.location))[0]  # the import's own is older
        assert newest.name.endswith("-before-undo-import.sqlite")
        assert f"A backup was written first: {newest}." in told[0]
    else:
        assert "the server's own backups apply" in asked[0]
        assert "No backup was taken: a server database is backed up with the server's own " \
               "tools." in told[0]


def test_a_whole_column_problem_says_so_in_the_row_cell(qtmodeltester, manager, stages,
                                                        tmp_path):
    from app.importing import ImportOptions, run_import
    from ui.importing.models import ProblemsModel

    workbook = openpyxl.Workbook()
    workbook.active.append(["Title", "Amount", "Email"])
    workbook.active.append(["A", "1,500", "nobody"])
    path = tmp_path / "amounts.xlsx"
    workbook.save(path)
    report = run_import(path, ImportOptions(dry_run=True), manager)
    model = ProblemsModel()
    model.set_problems(report.errors)
    qtmodeltester.check(model)
    assert [(model.index(r, 0).data(), model.index(r, 1).data())
            for r in range(model.rowCount())] == [("whole column", "Amount"), ("2", "Email")]


def _count_reads(monkeypatch) -> list[str]:
    import app.importing.read as read_module

    reads: list[str] = []
    real = read_module.read_sheet

    def counted(path, sheet=None, control=None):
        reads.append(str(path))
        return real(path, sheet, control)

    monkeypatch.setattr(read_module, "read_sheet", counted)
    return reads


def _simple_workbook(path, rows: int) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Title", "Company", "Amount"])
    for n in range(rows):
        workbook.active.append([f"Deal {n}", f"Company {n}", 100.0 + n])
    workbook.save(path)


def test_the_file_is_read_once_from_mapping_to_import(qtbot, wizard, tmp_path, monkeypatch):
    path = tmp_path / "simple.xlsx"
    _simple_workbook(path, 3)
    reads = _count_reads(monkeypatch)
    wizard.file_page.set_path(str(path))
    qtbot.waitUntil(wizard.file_page.isComplete, timeout=10_000)
    go_next(qtbot, wizard, PAGE_MAPPING)
    go_next(qtbot, wizard, PAGE_PREVIEW)
    with qtbot.wait_signal(wizard.sig_imported, timeout=10_000):
        wizard.next()
    assert Deal.select().count() == 3
    assert reads == [str(path)]  # the mapping step's reading served the preview and import


def test_a_file_saved_again_between_steps_is_read_again(qtbot, wizard, tmp_path, monkeypatch):
    """The user fixes the file in Excel while the wizard is open: the preview and the
    import follow the file as saved, not the copy read for the mapping step."""
    path = tmp_path / "simple.xlsx"
    _simple_workbook(path, 3)
    reads = _count_reads(monkeypatch)
    wizard.file_page.set_path(str(path))
    qtbot.waitUntil(wizard.file_page.isComplete, timeout=10_000)
    go_next(qtbot, wizard, PAGE_MAPPING)
    _simple_workbook(path, 5)
    go_next(qtbot, wizard, PAGE_PREVIEW)
    assert wizard.preview_page.figures["created"].text() == "5"
    with qtbot.wait_signal(wizard.sig_imported, timeout=10_000):
        wizard.next()
    assert Deal.select().count() == 5 and len(reads) == 2


def test_a_typed_path_counts_as_it_is_typed(qtbot, wizard, tmp_path):
    """Next enables once the typed text names a readable file, with no Tab to leave the
    field (it used to wait for editingFinished)."""
    path = tmp_path / "deals.csv"
    path.write_text("Title,Company\nRoof,Acme\n", encoding="utf-8")
    field = wizard.file_page.path
    field.setFocus()
    typed = str(path)
    qtbot.keyClicks(field, typed[:-1])
    assert not next_enabled(wizard) and wizard.file_page.sheet.count() == 0
    qtbot.keyClicks(field, typed[-1])
    qtbot.waitUntil(lambda: next_enabled(wizard), timeout=10_000)
    assert field.hasFocus() and wizard.file_page.sheet.currentText() == "CSV"
    qtbot.keyClick(field, Qt.Key.Key_Backspace)  # no longer a file: Next goes again
    assert not next_enabled(wizard)
    field.editingFinished.emit()  # leaving the field with a path that names no file
    assert wizard.file_page.error.text().startswith(
        f"There is no file that can be read at {typed[:-1]}.")
    qtbot.keyClicks(field, typed[-1])
    qtbot.waitUntil(lambda: next_enabled(wizard), timeout=10_000)
    assert wizard.file_page.error.isHidden()
    go_next(qtbot, wizard, PAGE_MAPPING)


def test_browse_opens_in_the_last_folder_used_else_documents(qtbot, ui_context, tmp_path,
                                                             monkeypatch):
    from PySide6.QtCore import QStandardPaths

    folder = tmp_path / "exports"
    folder.mkdir()
    path = folder / "deals.csv"
    path.write_text("Title,Company\nRoof,Acme\n", encoding="utf-8")
    asked: list[str] = []
    monkeypatch.setattr(wizard_module, "choose_file",
                        lambda parent, start: asked.append(start) or str(path))

    first = ImportWizard(ui_context)
    qtbot.add_widget(first)
    first.show()
    qtbot.mouseClick(_browse_button(first), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(first.file_page.isComplete, timeout=10_000)
    assert asked == [QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation)]

    second = ImportWizard(ui_context)  # another day: the folder is remembered
    qtbot.add_widget(second)
    second.show()
    qtbot.mouseClick(_browse_button(second), Qt.MouseButton.LeftButton)
    assert asked[1] == str(folder)


def _browse_button(wizard):
    from PySide6.QtWidgets import QPushButton

    return next(b for b in wizard.file_page.findChildren(QPushButton)
                if b.text() == "Browse…")


def _stage_file(path, rows):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Client Name", "Deal", "Amount", "Stage", "Call notes"])
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)


def test_answers_are_offered_again_for_a_file_of_the_same_shape(qtbot, ui_context, tmp_path):
    """The stage mapping, the decimal separator and the column choices given for one export
    are filled in when the next export of the same shape is imported."""
    first_file = tmp_path / "week-1.xlsx"
    _stage_file(first_file, [["Acme", "Roof", "1,500", "Demo booked", "call"],
                             ["Beta", "Door", "2,250", "Qualified", ""]])
    first = ImportWizard(ui_context)
    qtbot.add_widget(first)
    first.show()
    first.file_page.set_path(str(first_file))
    qtbot.waitUntil(first.file_page.isComplete, timeout=10_000)
    go_next(qtbot, first, PAGE_MAPPING)
    mapping = first.mapping_page.model
    assert mapping.setData(mapping.index(4, 2), "Notes")
    go_next(qtbot, first, PAGE_VALUES)
    values = first.values_page
    assert values.model.setData(values.model.index(0, 2), "Solution fit & demo")
    values.decimal_boxes["Amount"].setCurrentIndex(1)  # the comma groups thousands
    go_next(qtbot, first, PAGE_PREVIEW)
    with qtbot.wait_signal(first.sig_imported, timeout=10_000):
        first.next()

    second_file = tmp_path / "week-2.xlsx"  # next week's export: other rows, same columns
    _stage_file(second_file, [["Gamma", "Wall", "3,750", "Demo booked", "met"],
                              ["Delta", "Gate", "4,125", "Trial", ""]])
    second = ImportWizard(ui_context)
    qtbot.add_widget(second)
    second.show()
    second.file_page.set_path(str(second_file))
    qtbot.waitUntil(second.file_page.isComplete, timeout=10_000)
    go_next(qtbot, second, PAGE_MAPPING)
    mapping = second.mapping_page.model
    assert mapping.index(4, 2).data() == "Notes"
    assert "filled in" in second.mapping_page.subTitle()
    go_next(qtbot, second, PAGE_VALUES)
    values = second.values_page
    assert [(values.model.index(r, 0).data(), values.model.index(r, 2).data())
            for r in range(values.model.rowCount())] == [
        ("Demo booked", "Solution fit & demo"), ("Trial", values.model.UNCHOSEN)]
    assert values.decimal_boxes["Amount"].currentIndex() == 1
    assert "filled in" in values.subTitle()
    assert not next_enabled(second)  # "Trial" is new: it still needs an answer
    assert values.model.setData(values.model.index(1, 2), "Proposal")
    go_next(qtbot, second, PAGE_PREVIEW)
    with qtbot.wait_signal(second.sig_imported, timeout=10_000):
        second.next()
    wall = Deal.get(Deal.title == "Wall")
    assert wall.stage.name == "Solution fit & demo" and wall.value == Decimal("3750.00")
    assert wall.notes == "met"


def test_the_preview_shows_the_first_rows_as_they_will_land(qtbot, qtmodeltester, wizard,
                                                            tracker):
    wizard.file_page.set_path(str(tracker))
    qtbot.waitUntil(wizard.file_page.isComplete, timeout=10_000)
    go_next(qtbot, wizard, PAGE_MAPPING)
    go_next(qtbot, wizard, PAGE_VALUES)
    wizard.values_page.model.setData(wizard.values_page.model.index(0, 2), "Qualified")
    go_next(qtbot, wizard, PAGE_PREVIEW)
    page = wizard.preview_page
    model = page.landing
    qtmodeltester.check(model)
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == ["Row", "What happens", "Company", "Title", "Value", "Expected close",
                       "Stage", "Owner"]
    rows = [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]
    # the amount as the user's locale writes money ("$12,500.00" in en_US)
    assert rows[0][:5] == ["4", "New deal", "Northwind", "Fleet",
                           format_money(Decimal("12500"), "USD", cents=True)]
    assert rows[1][6:] == ["Qualified", "Sam New (new)"]
    assert rows[2][:2] == ["6", "Skipped: 'lots' is not an amount."]
    assert page.tabs.tabText(1) == "Problems (2)" and page.tabs.currentIndex() == 1
    assert page.tabs.tabText(0) == "Rows as they will land"
