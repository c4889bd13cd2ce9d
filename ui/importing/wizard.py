"""The import wizard: file and sheet → column mapping → stage values (when needed) →
preview (a dry run: counts and every problem) → import → summary with "Undo last import".

Every step calls :mod:`app.importing` on ``context.runner`` (the worker) with a progress bar
and a Cancel button; the same :func:`app.importing.run_import` serves the command line.
Nothing is written before the Import button, and a cancelled import writes nothing.

Signals:
    sig_imported(report: ImportReport) — an import was committed.
    sig_undone(result: UndoResult) — the summary's "Undo last import" finished.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLocale, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.errors import ValidationError
from app.importing import (
    MAX_ROWS,
    FileOverview,
    ImportOptions,
    ImportReport,
    SheetCache,
    UndoResult,
    inspect_file,
    list_sheets,
    run_import,
    undo_last_import,
)
from app.workspace import backup_note
from ui import theme
from ui.context import Topic, UiContext
from ui.importing.models import (
    CHOICES_ROLE,
    ColumnMappingModel,
    LandingModel,
    ProblemsModel,
    StageValuesModel,
)
from ui.importing.remembered import Answers, recall, remember
from ui.last_folder import last_folder, remember_folder
from ui.operations import Write

PAGE_FILE, PAGE_MAPPING, PAGE_VALUES, PAGE_PREVIEW, PAGE_SUMMARY = range(5)
FILE_FILTER = "Spreadsheets (*.xlsx *.xlsm *.xls *.ods *.csv *.txt);;All files (*)"


LAST_FOLDER_KEY = "import/last_folder"


def choose_file(parent: QWidget | None, folder: str) -> str:
    """Ask for a spreadsheet, starting in ``folder`` (tests replace this; a dialog is never
    shown in a test)."""
    path, _ = QFileDialog.getOpenFileName(parent, "Import deals from", folder, FILE_FILTER)
    return path


def readable_file(text: str) -> bool:
    """Whether ``text`` names a file that can be opened for reading (a stat and an access
    check, quick enough for every keystroke)."""
    path = Path(text)
    return path.is_file() and os.access(path, os.R_OK)


def confirm_undo(parent: QWidget | None, what: str) -> bool:
    """Ask before undoing an import (tests replace this)."""
    answer = QMessageBox.question(
        parent, "Undo last import",
        f"Undo the import of {what}? The deals it created are deleted and the values it "
        f"changed are put back. {backup_note()}",
    )
    return answer == QMessageBox.StandardButton.Yes


def locale_day_first() -> bool:
    """Whether the system locale (as Qt sees it) writes the day before the month."""
    pattern = QLocale().dateFormat(QLocale.FormatType.ShortFormat)
    day, month = pattern.find("d"), pattern.find("M")
    return 0 <= day < month


class ChoiceDelegate(QStyledItemDelegate):
    """Edits a cell with a combo box of the labels the model offers under CHOICES_ROLE. The
    views keep these editors open, so every choice is visibly a drop-down."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: QModelIndex) -> QWidget:
        combo = QComboBox(parent)
        combo.addItems(index.data(CHOICES_ROLE) or [])
        combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        combo.activated.connect(lambda _=0, c=combo: self.commitData.emit(c))
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex) -> None:
        found = editor.findText(str(index.data(Qt.ItemDataRole.EditRole)))
        if found < 0:  # nothing chosen yet: an empty combo showing the model's prompt
            editor.setCurrentIndex(-1)
            editor.setPlaceholderText(str(index.data(Qt.ItemDataRole.EditRole)))
        else:
            editor.setCurrentIndex(found)

    def setModelData(self, editor: QWidget, model, index: QModelIndex) -> None:
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)


class BusyBar(QWidget):
    """Progress of the running step, with Cancel. Hidden when nothing runs."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        self.message = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop this step; nothing is written (Esc)")
        layout.addWidget(self.message)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel)
        self.hide()

    def show_progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(int(fraction * 1000))
        if message:
            self.message.setText(message)


def _table(model, editable_column: int | None = None) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.setWordWrap(False)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    if editable_column is not None:
        view.setItemDelegateForColumn(editable_column, ChoiceDelegate(view))
        view.verticalHeader().setDefaultSectionSize(view.verticalHeader().defaultSectionSize()
                                                    + 6)
        for row in range(model.rowCount()):
            view.openPersistentEditor(model.index(row, editable_column))
    return view


class _Page(QWizardPage):
    """A page with an inline error line and a busy bar at the bottom."""

    def __init__(self, title: str, subtitle: str = ""):
        super().__init__()
        self.setTitle(title)
        if subtitle:
            self.setSubTitle(subtitle)
        self.body = QVBoxLayout()
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.danger().name()};")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.busy = BusyBar()
        outer = QVBoxLayout(self)
        outer.addLayout(self.body, 1)
        outer.addWidget(self.error)
        outer.addWidget(self.busy)
        self._advance = False

    def import_wizard(self) -> ImportWizard:
        return self.wizard()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _show_choices(self, model) -> QTableView:
        """Put a table of ``model`` (file values, detail, the user's choice in its
        EDIT_COLUMN) in place of ``self.view``, with a drop-down open in every choice cell."""
        table = _table(model, model.EDIT_COLUMN)
        self.body.replaceWidget(self.view, table)
        self.view.deleteLater()
        self.view = table
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(2, 220)
        return table

    def is_busy(self) -> bool:
        # isHidden, not isVisible: QWizard briefly hides the page while it updates buttons.
        return not self.busy.isHidden()

    def run_then_advance(self, fn: Callable, store: Callable[[object], None]) -> bool:
        """For validatePage: run ``fn`` on the worker; when it returns, ``store`` the result
        and move on. Returns whether to move on now (only after the result came in)."""
        if self._advance:
            self._advance = False
            return True

        def done(result) -> None:
            store(result)
            self._advance = True
            self.wizard().next()

        self.import_wizard().run(self, fn, done)
        return False


class FilePage(_Page):
    def __init__(self):
        super().__init__(
            "Choose a spreadsheet",
            "Excel (.xlsx, .xls), LibreOffice (.ods) or CSV. Nothing is changed until you "
            "press Import at the end.",
        )
        self.path = QLineEdit()
        self.path.setPlaceholderText("Path of the file to import")
        self.path.setClearButtonEnabled(True)
        browse = QPushButton(theme.icon("ph.folder-open"), "Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.sheet = QComboBox()
        self.sheet.setEnabled(False)
        self.sheet.setMinimumContentsLength(24)
        form = QFormLayout()
        form.addRow("File", row)
        form.addRow("Sheet", self.sheet)
        self.body.addLayout(form)
        hint = QLabel(
            "The header row is found by itself (title rows above it are fine), and each "
            "column is matched by its name, including the exports of HubSpot, Pipedrive, "
            f"Salesforce and Odoo. Up to {MAX_ROWS:,} rows at a time."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {theme.muted_text().name()};")
        self.body.addWidget(hint)
        self.body.addStretch(1)
        # A typed path counts as it is typed: once it names a readable file its sheets are
        # read (and Next enables); leaving the field says what is wrong with any other.
        self.path.textChanged.connect(self._path_typed)
        self.path.editingFinished.connect(self._path_left)
        self._loaded_for = ""

    def _browse(self) -> None:
        chosen = choose_file(self, last_folder(LAST_FOLDER_KEY))
        if chosen:
            self.path.setText(chosen)
            self._load_sheets()

    def _path_typed(self, text: str) -> None:
        if readable_file(text.strip()):
            self._load_sheets()
        elif self.sheet.count() or self._loaded_for:
            self._loaded_for = ""
            self.sheet.clear()
            self.sheet.setEnabled(False)
            self.completeChanged.emit()

    def _path_left(self) -> None:
        text = self.path.text().strip()
        if text and not readable_file(text):
            self.show_error(f"There is no file that can be read at {text}. Check the path, "
                            "or choose the file with Browse.")

    def _load_sheets(self) -> None:
        path = self.path.text().strip()
        if not path or path == self._loaded_for:
            return
        self._loaded_for = path
        self.sheet.clear()
        self.sheet.setEnabled(False)
        self.show_error("")
        self.import_wizard().run(self, lambda control: list_sheets(path),
                                 lambda names: self._sheets_loaded(path, names),
                                 on_error=lambda _: self._sheets_refused(path))

    def _sheets_loaded(self, path: str, names: list[str]) -> None:
        if path != self._loaded_for:
            return  # the user has typed on since: this answer is for another file
        self.sheet.addItems(names)
        self.sheet.setEnabled(len(names) > 1)
        remember_folder(LAST_FOLDER_KEY, str(Path(path).absolute()))
        self.completeChanged.emit()

    def _sheets_refused(self, path: str) -> None:
        if path == self._loaded_for:
            self._loaded_for = ""  # the same path may be tried again once fixed

    def set_path(self, path: str) -> None:
        """Fill in the file (the window passes a dropped file; tests use it too)."""
        self.path.setText(path)
        self._load_sheets()

    def isComplete(self) -> bool:
        return bool(self.sheet.count()) and not self.is_busy()

    def validatePage(self) -> bool:
        path, sheet = self.path.text().strip(), self.sheet.currentText() or None
        wizard = self.import_wizard()
        return self.run_then_advance(
            # A rep's update workbook is merged, not mapped (ui.offline.merge_page).
            lambda control: wizard.merge.plan_if_update_workbook(path, control) or inspect_file(
                path, sheet, control, reader=wizard.sheets.read),
            wizard.file_read,
        )


class MappingPage(_Page):
    def __init__(self):
        super().__init__("Check the columns", "")
        self.view = QTableView()
        self.body.addWidget(self.view)
        self.model: ColumnMappingModel | None = None

    def initializePage(self) -> None:
        overview: FileOverview = self.import_wizard().overview
        self.setSubTitle(
            f"Header found on row {overview.header_row} of “{overview.sheet}”, with "
            f"{overview.rows:,} rows below it. Change “Imports as” where a column was read wrong; "
            "columns set to “Don’t import” are left out."
        )
        self.model = ColumnMappingModel(overview.columns, self)
        wizard = self.import_wizard()
        wizard.remembered = recall(overview.shape)
        if self.model.choose(wizard.remembered.columns):
            self.setSubTitle(f"{self.subTitle()} Your choices from the last import of a file "
                             "with these columns are filled in.")
        self.model.dataChanged.connect(self._check)
        self._show_choices(self.model)
        self._check()

    def _check(self, *_args) -> None:
        problems = []
        if self.model is not None:
            if self.model.duplicates():
                problems.append(f"{', '.join(self.model.duplicates())} is chosen for more than "
                                "one column; pick one.")
            if not self.model.mapped_fields() & {"title", "company"}:
                problems.append("Choose the column with each deal’s title (or its company).")
        self.show_error(" ".join(problems))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.model is not None and self.error.isHidden() and not self.is_busy()

    def validatePage(self) -> bool:
        wizard = self.import_wizard()
        wizard.stage_answers = {}
        wizard.decimal_answers = {}
        return self.run_then_advance(wizard.dry_run_fn(), wizard.set_preview)


class ValuesPage(_Page):
    """Stage values missing from the pipeline, and amount columns that need an answer."""

    DECIMAL_CHOICES = ("Choose…", "groups thousands", "separates the decimals")

    def __init__(self):
        super().__init__("Match the values", "")
        self.stages_label = QLabel()
        self.stages_label.setWordWrap(True)
        self.view = QTableView()
        self.amounts_label = QLabel()
        self.amounts_label.setWordWrap(True)
        self.amounts = QFormLayout()
        self.body.addWidget(self.stages_label)
        self.body.addWidget(self.view)
        self.body.addSpacing(12)
        self.body.addWidget(self.amounts_label)
        self.body.addLayout(self.amounts)
        self.body.addStretch(1)
        self.model: StageValuesModel | None = None
        self.decimal_boxes: dict[str, QComboBox] = {}
        self.separators: dict[str, str] = {}  # amount column -> the separator in question

    def initializePage(self) -> None:
        report: ImportReport = self.import_wizard().preview
        self.setSubTitle("Some values in the file need your answer before anything can be "
                         "imported.")
        remembered = self.import_wizard().remembered
        self.model = StageValuesModel(report.unknown_stages, report.stage_names, self)
        recalled = [self.model.setData(self.model.index(row, self.model.EDIT_COLUMN),
                                       remembered.stages[value])
                    for row, value in enumerate(report.unknown_stages)
                    if value in remembered.stages]
        self.model.dataChanged.connect(lambda *_: self.completeChanged.emit())
        table = self._show_choices(self.model)
        has_stages = bool(report.unknown_stages)
        rows_height = sum(table.rowHeight(r) for r in range(self.model.rowCount()))
        table.setMaximumHeight(min(360, rows_height + table.horizontalHeader().height()
                                   + 2 * table.frameWidth() + 2))
        table.setVisible(has_stages)
        self.stages_label.setVisible(has_stages)
        self.stages_label.setText(
            "These stages are not in your pipeline. Choose the stage each one means "
            "(“Closed won” and “Closed lost” are matched for you)."
        )
        while self.amounts.rowCount():
            self.amounts.removeRow(0)
        self.amounts_label.setText(
            "These amounts have three digits after a single comma (or dot), and nothing in "
            "their column shows whether that is thousands or decimals. Say which:")
        self.amounts_label.setVisible(bool(report.ambiguous_amounts))
        self.decimal_boxes = {}
        self.separators = {}
        for header_text, undecided in report.ambiguous_amounts.items():
            box = QComboBox()
            examples = undecided.examples
            sample = examples[0]
            self.separators[header_text] = undecided.separator
            separator = "comma" if undecided.separator == "," else "dot"
            box.addItems([self.DECIMAL_CHOICES[0],
                          f"The {separator} {self.DECIMAL_CHOICES[1]} ({sample} = "
                          f"{sample.replace(',', '').replace('.', '')})",
                          f"The {separator} {self.DECIMAL_CHOICES[2]} ({sample} = "
                          f"{sample.replace(',', '.')})"])
            if header_text in remembered.decimal:
                box.setCurrentIndex(2 if remembered.decimal[header_text] == undecided.separator
                                    else 1)
                recalled.append(True)
            box.currentIndexChanged.connect(lambda *_: self.completeChanged.emit())
            self.decimal_boxes[header_text] = box
            self.amounts.addRow(f"In “{header_text}”, {undecided.extent()}, e.g. "
                                f"{', '.join(examples[:3])}:", box)
        if any(recalled):
            self.setSubTitle("Some values in the file need your answer before anything can be "
                             "imported. Your answers from the last import of a file with these "
                             "columns are filled in: check them.")

    def answers(self) -> tuple[dict[str, str], dict[str, str]]:
        decimal = {}
        for header_text, box in self.decimal_boxes.items():
            separator = self.separators[header_text]
            other = "." if separator == "," else ","
            if box.currentIndex() == 1:
                decimal[header_text] = other
            elif box.currentIndex() == 2:
                decimal[header_text] = separator
        return (self.model.mapping() if self.model else {}), decimal

    def isComplete(self) -> bool:
        if self.model is None or self.is_busy() or self.model.missing():
            return False
        return all(box.currentIndex() > 0 for box in self.decimal_boxes.values())

    def validatePage(self) -> bool:
        wizard = self.import_wizard()
        wizard.stage_answers, wizard.decimal_answers = self.answers()
        return self.run_then_advance(wizard.dry_run_fn(), wizard.set_preview)


def big_figure(caption: str) -> tuple[QLabel, QLabel]:
    """A large count ("0" until set) over its muted caption: the plan's figures, on this
    wizard's preview and on the update workbook's merge page."""
    number = QLabel("0")
    number.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    font = number.font()
    font.setPointSizeF(font.pointSizeF() * 1.8)
    font.setBold(True)
    number.setFont(font)
    label = QLabel(caption)
    label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
    label.setStyleSheet(f"color: {theme.muted_text().name()};")
    return number, label


class PreviewPage(_Page):
    def __init__(self):
        super().__init__("Preview", "Nothing has been written yet. Import writes every row in "
                                    "one step, after a backup of the database.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Import")
        grid = QGridLayout()
        self.figures: dict[str, QLabel] = {}
        for column, (key, caption) in enumerate((("created", "new deals"),
                                                 ("updated", "updated"),
                                                 ("unchanged", "unchanged"),
                                                 ("problems", "rows with problems"))):
            number, label = big_figure(caption)
            grid.addWidget(number, 0, column)
            grid.addWidget(label, 1, column)
            self.figures[key] = number
        self.body.addLayout(grid)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.body.addWidget(self.notes)
        self.problems = ProblemsModel(self)
        self.table = _table(self.problems)
        self.table.setWordWrap(True)  # a whole-column problem explains itself at length
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel("No problems: every row can be imported.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet(f"color: {theme.SUCCESS.name()};")
        problems_tab = QWidget()
        problems_column = QVBoxLayout(problems_tab)
        problems_column.setContentsMargins(0, 0, 0, 0)
        problems_column.addWidget(self.table, 1)
        problems_column.addWidget(self.empty, 1)
        # The first rows as they will land, beside the problems: the file read as it is read.
        self.landing = LandingModel(self)
        self.rows_view = _table(self.landing)
        self.rows_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.rows_view, "")
        self.tabs.addTab(problems_tab, "")
        self.body.addWidget(self.tabs, 1)
        self.skip = QCheckBox("&Skip the rows with problems and import the others")
        self.skip.toggled.connect(lambda *_: self.completeChanged.emit())
        self.body.addWidget(self.skip)

    def initializePage(self) -> None:
        report: ImportReport = self.import_wizard().preview
        problems = [*report.errors, *report.conflicts]
        self.figures["created"].setText(f"{report.created:,}")
        self.figures["updated"].setText(f"{report.updated:,}")
        self.figures["unchanged"].setText(f"{report.unchanged:,}")
        self.figures["problems"].setText(f"{report.skipped:,}")
        colour = theme.danger() if report.skipped else theme.muted_text()
        self.figures["problems"].setStyleSheet(f"color: {colour.name()};")
        notes = list(report.warnings)
        if report.new_owners:
            notes.append(f"New reps will be created: {', '.join(report.new_owners)}.")
        if report.new_sources:
            notes.append(f"New lead sources will be created: {', '.join(report.new_sources)}.")
        if report.unmapped:
            notes.append(f"Columns left out: {', '.join(report.unmapped)}.")
        if problems:  # the preview is a dry run: it writes no problems workbook
            notes.append("Skipping them writes those rows, with a “Problem” column, to a "
                         "workbook (the summary says where) to fix and import again.")
        self.notes.setText("\n".join(notes))
        self.notes.setVisible(bool(notes))
        self.problems.set_problems(problems)
        self.table.setVisible(bool(problems))
        self.empty.setVisible(not problems)
        self.landing.set_sample(report.landing, self.import_wizard().context.settings.currency)
        shown = self.landing.rowCount()
        total = report.created + report.updated + report.unchanged + report.skipped
        self.tabs.setTabText(0, f"First {shown:,} rows as they will land" if shown < total
                             else "Rows as they will land")
        self.tabs.setTabText(1, f"Problems ({len(problems):,})" if problems else "Problems")
        self.tabs.setCurrentIndex(1 if problems else 0)
        self.skip.setVisible(bool(problems))
        self.skip.setChecked(False)
        self.table.resizeRowsToContents()

    def isComplete(self) -> bool:
        report = self.import_wizard().preview
        if report is None or self.is_busy():
            return False
        return not (report.errors or report.conflicts) or self.skip.isChecked()

    def validatePage(self) -> bool:
        wizard = self.import_wizard()
        return self.run_then_advance(wizard.commit_fn(self.skip.isChecked()), wizard.set_result)


class SummaryPage(_Page):
    def __init__(self):
        super().__init__("Imported", "")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.summary)
        self.undo = QPushButton(theme.icon("ph.arrow-counter-clockwise"), "&Undo this import")
        self.undo.setToolTip("Delete the deals this import created and put back the values it "
                             "changed")
        self.undo.clicked.connect(self._undo)
        row = QHBoxLayout()
        row.addWidget(self.undo)
        row.addStretch(1)
        self.body.addLayout(row)
        self.body.addStretch(1)

    def initializePage(self) -> None:
        report: ImportReport = self.import_wizard().result
        self.setTitle("Imported")
        done = [f"{report.created:,} new deal{'s' if report.created != 1 else ''}"
                if report.created else "",
                f"{report.updated:,} updated" if report.updated else ""]
        if any(done):
            self.setSubTitle(f"{' and '.join(d for d in done if d)}, written in one step.")
        else:
            self.setSubTitle("Nothing needed to change: every deal in the file is already "
                             "up to date.")
        lines = []
        if report.unchanged:
            lines.append(f"{report.unchanged:,} rows were already up to date.")
        if report.skipped:
            lines.append(f"{report.skipped:,} rows with problems were skipped"
                         + (f"; they are in {report.problems_workbook}." if
                            report.problems_workbook else "."))
        if report.new_owners:
            lines.append(f"New reps: {', '.join(report.new_owners)}.")
        if report.backup:
            lines.append(f"A backup was taken first: {report.backup}")
        self.summary.setText("\n\n".join(lines))
        self.undo.setVisible(bool(report.created or report.updated))
        self.undo.setEnabled(True)

    def _undo(self) -> None:
        wizard = self.import_wizard()
        if not confirm_undo(self, Path(wizard.result.file).name):
            return
        actor = wizard.context.actor
        self.undo.setEnabled(False)  # one undo per click: a second would take an older import
        wizard.run(self, lambda control: undo_last_import(actor), self._undone,
                   lambda _error: self.undo.setEnabled(True))

    def _undone(self, result: UndoResult) -> None:
        """The page now tells what the undo did, in place of what the import did (its new
        reps and sources are gone, or stay for a reason the undo names)."""
        self.undo.setVisible(False)  # done: nothing is left to take back
        headline, *details = result.sentences()
        self.setTitle("Import undone")
        self.setSubTitle(headline)
        self.summary.setText("\n\n".join(details))
        wizard = self.import_wizard()
        wizard.context.bus.changed(Topic.DEALS, Topic.REPS)
        wizard.sig_undone.emit(result)


class ImportWizard(QWizard):
    """See the module docstring."""

    sig_imported = Signal(object)
    sig_undone = Signal(object)

    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Import deals")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.resize(860, 600)
        self.overview: FileOverview | None = None
        self.preview: ImportReport | None = None
        self.result: ImportReport | None = None
        self.stage_answers: dict[str, str] = {}
        self.decimal_answers: dict[str, str] = {}
        self.remembered = Answers()  # what was answered last time for a file of this shape
        self.task: Write | None = None  # the job running now, for Cancel
        # The sheet as read for the mapping step, reused by the preview and the import
        # (read again if the file changes meanwhile); read on the worker, dropped here.
        self.sheets = SheetCache()
        self.file_page = FilePage()
        self.mapping_page = MappingPage()
        self.values_page = ValuesPage()
        self.preview_page = PreviewPage()
        self.summary_page = SummaryPage()
        for page_id, page in ((PAGE_FILE, self.file_page), (PAGE_MAPPING, self.mapping_page),
                              (PAGE_VALUES, self.values_page),
                              (PAGE_PREVIEW, self.preview_page),
                              (PAGE_SUMMARY, self.summary_page)):
            self.setPage(page_id, page)
        from ui.offline import merge_page  # imports this module's pages

        self.merge = merge_page
        merge_page.add_merge_pages(self)

    # -- steps ------------------------------------------------------------------------------
    def options(self, *, dry_run: bool, skip_invalid: bool = False) -> ImportOptions:
        mapping = self.mapping_page.model.mapping() if self.mapping_page.model else {}
        return ImportOptions(
            sheet=self.overview.sheet if self.overview else None,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            columns=dict(mapping),
            stage_mapping=dict(self.stage_answers),
            decimal=dict(self.decimal_answers),
            locale_day_first=locale_day_first(),
        )

    def dry_run_fn(self) -> Callable:
        path, options, actor = self.overview.file, self.options(dry_run=True), self.context.actor
        return lambda control: run_import(path, options, actor, control,
                                          reader=self.sheets.read)

    def commit_fn(self, skip_invalid: bool) -> Callable:
        """The import itself. A file saved again since the preview may now be rejected
        (nothing written): that is refused on the preview page, never shown as a summary."""
        path, actor = self.overview.file, self.context.actor
        options = self.options(dry_run=False, skip_invalid=skip_invalid)

        def commit(control) -> ImportReport:
            report = run_import(path, options, actor, control, reader=self.sheets.read)
            if report.rejected:
                raise ValidationError("The file was saved again since this preview and now "
                                      "has other problems; nothing was imported. Press Back, "
                                      "then Next, to see them.")
            return report
        return commit

    def file_read(self, read) -> None:
        """The first page's result: a merge plan (an update workbook) or the file's overview."""
        if isinstance(read, FileOverview):
            self.overview, self.merge_plan = read, None
        else:
            self.merge_plan = read

    def set_preview(self, report: ImportReport) -> None:
        self.preview = report

    def set_result(self, report: ImportReport) -> None:
        self.result = report
        self.sheets.clear()  # the summary needs the report, not the cells
        if report.committed:
            if self.overview is not None and self.mapping_page.model is not None:
                remember(self.overview.shape, Answers(self.mapping_page.model.mapping(),
                                                      self.stage_answers, self.decimal_answers))
            self.context.bus.changed(Topic.DEALS, Topic.REPS)
            self.sig_imported.emit(report)

    def nextId(self) -> int:
        current = self.currentId()
        if current == PAGE_FILE and self.merge_plan is not None:
            return self.merge.PAGE_MERGE
        if current == PAGE_SUMMARY:
            return -1  # the merge's pages come after it in number, not in order
        if current == PAGE_MAPPING:
            asks = self.preview is not None and (
                self.preview.unknown_stages or self.preview.ambiguous_amounts)
            return PAGE_VALUES if asks else PAGE_PREVIEW
        return super().nextId()

    # -- running on the worker ---------------------------------------------------------------
    def run(self, page: _Page, fn: Callable, on_result: Callable[[object], None],
            on_error: Callable[[object], None] | None = None) -> Write:
        """Run ``fn(control)`` on the worker with ``page``'s progress bar and Cancel; errors
        are shown on the page in the app's own words. Reading the sheets, the preview and
        the import itself all come here: a Write that announces nothing of itself, since
        whether anything changed is in the report (:meth:`set_result` and the summary's
        undo announce it)."""
        page.show_error("")
        page.busy.show_progress(0.0, "Working…")
        page.busy.show()
        page.completeChanged.emit()
        self.button(QWizard.WizardButton.BackButton).setEnabled(False)

        def failed(error) -> None:
            page.show_error(str(error))
            if on_error is not None:
                on_error(error)

        def finished() -> None:
            page.busy.cancel.clicked.disconnect(operation.cancel)
            page.busy.hide()
            if self.task is operation:
                self.task = None
            self.button(QWizard.WizardButton.BackButton).setEnabled(True)
            page.completeChanged.emit()

        # The page is the owner: it goes with the wizard, and its handlers touch both.
        operation = Write(page, self.context, fn, announce=()).progress(
            page.busy.show_progress).success(on_result).refusal(failed).finished(
            finished).cancelled(lambda: page.show_error("Cancelled; nothing was changed."))
        self.task = operation
        page.busy.cancel.clicked.connect(operation.cancel)
        return operation.run()

    def reject(self) -> None:
        if self.task is not None:
            self.task.cancel()  # the service rolls back; nothing is written
        super().reject()

    def done(self, result: int) -> None:
        self.sheets.clear()  # a running job keeps its own reference to the cells
        super().done(result)
