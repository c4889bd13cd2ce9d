"""The import wizard's path for a rep's update workbook: the merge plan in place of the column
mapping, then what the merge did.

When the file chosen on the wizard's first page is an update workbook (its hidden sheet,
``app.offline.reader.is_update_workbook``), the wizard plans the merge on the worker
(``app.offline.merge.plan_merge``, a dry run; a workbook from another database is refused
there with one sentence) and shows :class:`MergePage`: what would be merged (moves, ticks,
hours, field changes), what will not be and why (moves the gate refused, deals deleted or
now someone else's, stale changes from an older workbook), and the fields changed on both
sides, settled in the :class:`~ui.offline.conflict_dialog.ConflictDialog`. Merge commits on
the worker with progress; :class:`MergedPage` says what was written and offers "Undo this
import" (the importer's undo, which takes a merge back too).

The wizard owns the pages; this module only adds them (:func:`add_merge_pages`), so the
wizard's own steps stay as they are.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QWizard,
)

from app.importing import UndoResult, undo_last_import
from app.jobs import JobControl
from app.offline.merge import commit_merge, plan_merge
from app.offline.merge_types import MergePlan, MergeResult
from app.offline.reader import is_update_workbook
from ui import theme
from ui.context import Topic
from ui.formatting import format_stamp
from ui.importing import wizard as import_wizard
from ui.importing.wizard import _Page
from ui.offline.conflict_dialog import Choices, ConflictDialog

PAGE_MERGE, PAGE_MERGED = 20, 21


def plan_if_update_workbook(path: str, _control: JobControl) -> MergePlan | None:
    """On the worker: the merge plan when ``path`` is an update workbook, else None (the
    wizard then reads it as a spreadsheet of deals)."""
    return plan_merge(path) if is_update_workbook(path) else None


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


class MergePage(_Page):
    """The plan of one merge and the manager's conflict choices (see the module docstring)."""

    def __init__(self):
        super().__init__("Merge an update workbook")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Merge")
        grid = QGridLayout()
        self.figures: dict[str, QLabel] = {}
        for column, (key, caption) in enumerate((("moves", "stage moves"),
                                                 ("ticks", "checklist ticks"),
                                                 ("hours", "hours rows"),
                                                 ("changes", "field changes"))):
            number, label = import_wizard.big_figure(caption)
            grid.addWidget(number, 0, column)
            grid.addWidget(label, 1, column)
            self.figures[key] = number
        self.body.addLayout(grid)
        self.body.addSpacing(8)

        self.conflicts = QLabel()
        self.conflicts.setWordWrap(True)
        self.resolve = QPushButton("&Choose what to keep…")
        self.resolve.setToolTip("See each field changed on both sides and choose a value")
        self.resolve.clicked.connect(self._resolve)
        row = QHBoxLayout()
        row.addWidget(self.conflicts, 1)
        row.addWidget(self.resolve)
        self.body.addLayout(row)

        self.notes_label = QLabel("Not merged, or not as the workbook has it:")
        self.notes = QStringListModel(self)
        self.notes_view = QListView()
        self.notes_view.setModel(self.notes)
        self.notes_view.setWordWrap(True)
        self.notes_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.notes_view.setAlternatingRowColors(True)
        self.body.addWidget(self.notes_label)
        self.body.addWidget(self.notes_view, 1)
        self.nothing = QLabel()
        self.nothing.setWordWrap(True)
        self.body.addWidget(self.nothing)
        self.body.addStretch(0)
        self.choices: Choices = {}

    def plan(self) -> MergePlan:
        return self.import_wizard().merge_plan

    def initializePage(self) -> None:
        plan = self.plan()
        book = plan.book
        self.choices = {}
        self.setTitle(f"Merge {book.rep_name}’s update workbook")
        self.setSubTitle(
            f"{plan.file_name}, exported {format_stamp(book.exported_at)}"
            + (f" and saved {format_stamp(book.saved_at)}" if book.saved_at else "")
            + ". Nothing is written until you press Merge; a backup is taken first.")
        self.notes.setStringList(self._not_merged(plan))
        has_notes = bool(self.notes.rowCount())
        self.notes_label.setVisible(has_notes)
        self.notes_view.setVisible(has_notes)
        self.resolve.setVisible(bool(plan.conflicts))
        self.conflicts.setVisible(bool(plan.conflicts))
        self._show_choices()
        if plan.rejected:
            self.nothing.setText("Nothing can be merged until the Hours rows above are fixed "
                                 "in the workbook.")
        elif plan.is_empty:
            self.nothing.setText("Nothing to merge: everything in this workbook is in your "
                                 "database already.")
        self.nothing.setVisible(plan.rejected or plan.is_empty)
        colour = theme.DANGER if plan.rejected else theme.muted_text()
        self.nothing.setStyleSheet(f"color: {colour.name()};")

    @staticmethod
    def _not_merged(plan: MergePlan) -> list[str]:
        """Every row of the workbook that will not be merged, or not as written (a move
        recorded later than the workbook dates it), in one sentence each."""
        lines = [f"Hours, row {p.row}, {p.column}: {p.message}" for p in plan.problems]
        lines += [refused.sentence() for refused in plan.refused_moves]
        lines += [skipped.sentence() for skipped in plan.skipped]
        lines += [move.sentence(format_stamp) for move in plan.moves
                  if move.moved_up_from is not None]
        if plan.newer_export is not None:
            lines.append(f"A newer workbook of {plan.book.rep_name} (exported "
                         f"{format_stamp(plan.newer_export)}) was merged already; what it "
                         "changed is kept:")
        if plan.merged_save is not None:
            lines.append(f"A save of this workbook from {format_stamp(plan.merged_save)} was "
                         "merged already and this file is not newer; what that merge changed "
                         "is kept:")
        lines += [f"“{s.title}”: {s.field.replace('_', ' ')} stays as the newer workbook "
                  "left it." for s in plan.stale]
        if plan.hours_known:
            lines.append(f"{_plural(plan.hours_known, 'hours row')} merged before "
                         "(not added again).")
        lines += [changed.sentence() for changed in plan.hours_changed]
        return lines

    def _held_back(self) -> set[str]:
        """The deals a conflict without a choice holds back, as things stand."""
        return {c.deal_uuid for c in self.plan().conflicts
                if (c.deal_uuid, c.field) not in self.choices}

    def _show_choices(self) -> None:
        """The figures (what would be written with the choices made so far) and the line
        about the conflicts."""
        plan, held = self.plan(), self._held_back()
        for key, items in (("moves", plan.moves), ("ticks", plan.ticks),
                           ("changes", plan.changes)):
            self.figures[key].setText(f"{sum(1 for i in items if i.deal_uuid not in held):,}")
        self.figures["hours"].setText(f"{len(plan.hours):,}")
        if not plan.conflicts:
            return
        fields, chosen = len(plan.conflicts), len(self.choices)
        deals = len({c.deal_uuid for c in plan.conflicts})
        text = (f"{_plural(fields, 'field')} of {_plural(deals, 'deal')} changed both in your "
                "database and in the workbook. ")
        if chosen == fields:
            text += "Each has your choice."
            colour = theme.SUCCESS
        else:
            text += (f"{_plural(fields - chosen, 'field has', 'fields have')} no choice yet: "
                     f"{_plural(len(held), 'deal is', 'deals are')} held back until they do.")
            colour = theme.WARNING
        self.conflicts.setText(text)
        self.conflicts.setStyleSheet(f"color: {colour.name()};")

    def _resolve(self) -> None:
        plan = self.plan()
        wizard = self.import_wizard()
        chosen = ConflictDialog.ask(self, plan.conflicts, plan.book.rep_name,
                                    wizard.context.settings.currency, self.choices)
        if chosen is not None:
            self.choices = chosen
            self._show_choices()

    def isComplete(self) -> bool:
        plan = self.plan()
        return (plan is not None and not self.is_busy() and not plan.rejected
                and not plan.is_empty)

    def validatePage(self) -> bool:
        wizard = self.import_wizard()
        plan, choices, actor = self.plan(), dict(self.choices), wizard.context.actor
        return self.run_then_advance(
            lambda control: commit_merge(plan, choices, actor, control), self._merged)

    def _merged(self, result: MergeResult) -> None:
        wizard = self.import_wizard()
        wizard.merge_result = result
        if result.batch_uuid:
            wizard.context.bus.changed(Topic.DEALS, Topic.ACTIVITIES)

    def nextId(self) -> int:
        return PAGE_MERGED


class MergedPage(_Page):
    """What the merge wrote, with "Undo this import"."""

    def __init__(self):
        super().__init__("Merged")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.addWidget(self.summary)
        self.undo = QPushButton(theme.icon("ph.arrow-counter-clockwise"), "&Undo this import")
        self.undo.setToolTip("Take back the moves, ticks, hours and values this merge wrote")
        self.undo.clicked.connect(self._undo)
        row = QHBoxLayout()
        row.addWidget(self.undo)
        row.addStretch(1)
        self.body.addLayout(row)
        self.body.addStretch(1)

    def initializePage(self) -> None:
        result: MergeResult = self.import_wizard().merge_result
        rep = self.import_wizard().merge_plan.book.rep_name
        if result.batch_uuid:
            self.setSubTitle(f"{rep}’s updates to {_plural(result.updated, 'deal')} were "
                             "written in one step.")
        else:
            self.setSubTitle("Nothing was written.")
        lines = [", ".join((_plural(result.moves, "stage move"),
                            _plural(result.ticks, "checklist tick"),
                            _plural(result.hours, "hours row"),
                            _plural(result.fields, "field change")))
                 + " merged."]
        if result.held_back:
            lines.append(f"Held back (a conflict without a choice): "
                         f"{', '.join(result.held_back)}. Import the workbook again to "
                         "merge them.")
        if result.backup:
            lines.append(f"A backup was taken first: {result.backup}")
        lines += list(result.warnings)
        self.summary.setText("\n\n".join(lines))
        self.undo.setVisible(bool(result.batch_uuid))

    def _undo(self) -> None:
        wizard = self.import_wizard()
        if not import_wizard.confirm_undo(self, wizard.merge_plan.file_name):
            return
        actor = wizard.context.actor
        self.undo.setEnabled(False)  # one undo per click: a second would take an older import
        wizard.run(self, lambda _control: undo_last_import(actor), self._undone,
                   lambda _error: self.undo.setEnabled(True))

    def _undone(self, result: UndoResult) -> None:
        """The page now tells what the undo did."""
        self.undo.setVisible(False)
        headline, *details = result.sentences()
        self.setTitle("Merge undone")
        self.setSubTitle(headline)
        self.summary.setText("\n\n".join(details))
        self.import_wizard().context.bus.changed(Topic.DEALS, Topic.ACTIVITIES, Topic.REPS)

    def nextId(self) -> int:
        return -1


def add_merge_pages(wizard) -> None:
    """Give the import wizard its update-workbook path (see the module docstring)."""
    wizard.merge_plan = None
    wizard.merge_result = None
    wizard.setPage(PAGE_MERGE, MergePage())
    wizard.setPage(PAGE_MERGED, MergedPage())
