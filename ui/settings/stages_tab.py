"""Settings → Stages: the manager edits the pipeline's stages (left) and the selected stage's
entry checklist (right), then saves everything at once through
:func:`app.stage_admin.save_pipeline`, so the board never sees a half-made pipeline. The
staged editing (undo stack, Save / Revert, read-only for reps) is
:class:`ui.settings.staged_editor.StagedEditor`, shared with Activity kinds.
"""

from __future__ import annotations

import copy
import html

from PySide6.QtCore import QModelIndex, QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QColorDialog,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QSplitter,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from app.stage_admin import (
    ChecklistDraft,
    SaveReport,
    StageDraft,
    UnmetCriterion,
    can_delete,
    deal_counts,
    load_pipeline,
    save_pipeline,
    unmet_criteria,
)
from ui.context import Topic, UiContext
from ui.operations import Query
from ui.settings.staged_editor import StagedEditor, draft_table, tool_button
from ui.settings.stages_model import (
    OUTCOME_LABELS,
    SIDE_LABELS,
    ChecklistModel,
    InsertItemCommand,
    InsertStageCommand,
    RemoveItemCommand,
    RemoveStageCommand,
    StageListModel,
)


class ChoiceDelegate(QStyledItemDelegate):
    """A combo box editor for a value from a fixed set (``labels``: value -> shown text)."""

    def __init__(self, labels: dict[str, str], parent: QObject | None = None):
        super().__init__(parent)
        self.labels = labels

    def createEditor(self, parent, option, index):
        editor = QComboBox(parent)
        for value, label in self.labels.items():
            editor.addItem(label, value)
        editor.activated.connect(lambda _i: self.commitData.emit(editor))
        return editor

    def setEditorData(self, editor, index):
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor, model, index):
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class NumberDelegate(QStyledItemDelegate):
    """A spin box editor; ``special`` is shown for the minimum (e.g. "Never" for 0)."""

    def __init__(self, minimum: int, maximum: int, suffix: str = "", special: str = "",
                 parent: QObject | None = None):
        super().__init__(parent)
        self.minimum, self.maximum, self.suffix, self.special = minimum, maximum, suffix, special

    def createEditor(self, parent, option, index):
        editor = QSpinBox(parent)
        editor.setRange(self.minimum, self.maximum)
        editor.setSuffix(self.suffix)
        editor.setSpecialValueText(self.special)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight)
        return editor

    def setEditorData(self, editor, index):
        editor.setValue(int(index.data(Qt.ItemDataRole.EditRole) or 0))

    def setModelData(self, editor, model, index):
        editor.interpretText()
        model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)


class MoveDealsDialog(QDialog):
    """Asks where the deals of a stage being deleted should go."""

    def __init__(self, parent: QWidget | None, stage_name: str, count: int,
                 choices: list[str]):
        super().__init__(parent)
        self.setWindowTitle(f"Delete {stage_name}")
        column = QVBoxLayout(self)
        column.setSpacing(10)
        text = QLabel(
            f"“{stage_name}” holds {count:,} deal{'s' if count != 1 else ''}. Choose the stage "
            "to move them to; each move is recorded in the deal's history when you save."
        )
        text.setWordWrap(True)
        column.addWidget(text)
        self.target = QComboBox()
        self.target.addItems(choices)
        column.addWidget(self.target)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Delete and move deals")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)
        self.setMinimumWidth(420)

    @classmethod
    def ask(cls, parent: QWidget | None, stage_name: str, count: int,
            choices: list[str]) -> str | None:
        """The chosen stage name, or None when the user cancels."""
        dialog = cls(parent, stage_name, count, choices)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return dialog.target.currentText()
        finally:
            dialog.deleteLater()


class UnmetCriteriaDialog(QDialog):
    """Asked on Save when new required criteria are not met by deals already in their
    stage: leave those deals (the board flags them) or tick the criteria for them.

    Opened window-modally without blocking (:meth:`QDialog.open`); the answer arrives as a
    signal, so the save goes on from the event loop.

    Signals:
        sig_chosen(tick: bool) — the user chose; True: tick the criteria for those deals.
    """

    sig_chosen = Signal(bool)

    def __init__(self, parent: QWidget, unmet: list[UnmetCriterion], manager: str):
        super().__init__(parent)
        self.setWindowTitle("New required criteria")
        def deals(count: int) -> str:
            return f"{count:,} deal{'s' if count != 1 else ''}"

        if len(unmet) == 1:
            (one,) = unmet
            head = (f"<p>“{html.escape(one.text)}” is now required to enter "
                    f"{html.escape(one.stage)}, but {deals(one.deals)} already there "
                    f"{'has' if one.deals == 1 else 'have'} not met it.</p>")
        else:
            head = ("<p>These criteria are now required, but deals already in their stage "
                    "have not met them:</p><ul>" + "".join(
                        f"<li>“{html.escape(u.text)}” in {html.escape(u.stage)}: "
                        f"{deals(u.deals)}</li>" for u in unmet) + "</ul>")
        it = "it" if len(unmet) == 1 else "them"
        text = QLabel(
            head + "<p>Leave those deals where they are, flagged on the board as not meeting "
            f"their stage's checklist, or tick {it} for them now (recorded as ticked by "
            f"{html.escape(manager)}).</p>")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.leave_button = buttons.addButton("Leave them, flagged",
                                              QDialogButtonBox.ButtonRole.AcceptRole)
        self.tick_button = buttons.addButton("Tick for them",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.leave_button.setDefault(True)
        self.leave_button.clicked.connect(lambda: self._choose(False))
        self.tick_button.clicked.connect(lambda: self._choose(True))
        buttons.rejected.connect(self.reject)
        column = QVBoxLayout(self)
        column.setSpacing(10)
        column.addWidget(text)
        column.addWidget(buttons)
        self.setMinimumWidth(520)

    def _choose(self, tick: bool) -> None:
        self.sig_chosen.emit(tick)
        self.accept()


class ColourDialog:
    """The stage colour picker: Qt's colour dialog opened on the stage's own colour."""

    @staticmethod
    def ask(parent: QWidget, current: QColor, title: str) -> QColor | None:
        """The chosen colour, or None when the user cancels (tests patch this)."""
        chosen = QColorDialog.getColor(current, parent, title)
        return chosen if chosen.isValid() else None


class StagesTab(StagedEditor):
    """The stage list, the selected stage's checklist, and Save / Revert
    (:class:`ui.settings.staged_editor.StagedEditor`)."""

    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(context, what="change stages and checklists",
                         save_tip="Save the pipeline",
                         topics=frozenset({Topic.STAGES, Topic.DEALS}), parent=parent)
        self.stage_model = StageListModel(self.undo_stack, self)
        self.checklist_model = ChecklistModel(self.undo_stack, self._reveal, self)

        self.add_stage = tool_button("Add stage", "ph.plus", "Add a stage after the selected one",
                                 "Ctrl+Shift+N")
        self.delete_stage = tool_button("Delete stage", "ph.trash", "Delete the selected stage")
        self.colour_button = tool_button("Colour…", "ph.palette", "Set the stage's board colour")
        toolbar = self.toolbar(self.add_stage, self.delete_stage, self.colour_button)

        self.stage_view = draft_table(self.stage_model, stretch=0)
        self.stage_view.setItemDelegateForColumn(1, ChoiceDelegate(SIDE_LABELS, self))
        self.stage_view.setItemDelegateForColumn(2, ChoiceDelegate(OUTCOME_LABELS, self))
        self.stage_view.setItemDelegateForColumn(3, NumberDelegate(0, 100, " %", parent=self))
        self.stage_view.setItemDelegateForColumn(
            4, NumberDelegate(0, 3650, " days", "Never", self)
        )
        self.checklist_view = draft_table(self.checklist_model, stretch=0)
        self.checklist_view.setItemDelegateForColumn(2, NumberDelegate(1, 10, parent=self))

        self.checklist_title = QLabel()
        self.checklist_title.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.checklist_hint = QLabel()
        self.checklist_hint.setObjectName("Muted")
        self.checklist_hint.setWordWrap(True)
        self.add_item = tool_button("Add criterion", "ph.plus", "Add a checklist item")
        self.remove_item = tool_button("Remove", "ph.minus", "Remove the selected checklist item")
        self.checklist_empty = QLabel()
        self.checklist_empty.setObjectName("Muted")
        self.checklist_empty.setWordWrap(True)

        right = QFrame()
        right_column = QVBoxLayout(right)
        right_column.setContentsMargins(12, 0, 0, 0)
        right_column.addWidget(self.checklist_title)
        right_column.addWidget(self.checklist_hint)
        right_column.addWidget(self.checklist_view, 1)
        right_column.addWidget(self.checklist_empty)
        self.checklist_spacer = QWidget()
        right_column.addWidget(self.checklist_spacer, 1)
        item_buttons = QHBoxLayout()
        item_buttons.addWidget(self.add_item)
        item_buttons.addWidget(self.remove_item)
        item_buttons.addStretch(1)
        right_column.addLayout(item_buttons)

        left = QFrame()
        left_column = QVBoxLayout(left)
        left_column.setContentsMargins(0, 0, 12, 0)
        pipeline_title = QLabel("Pipeline stages")
        pipeline_title.setStyleSheet("font-size: 12pt; font-weight: 600;")
        left_column.addWidget(pipeline_title)
        left_column.addWidget(self.stage_view, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.intro)
        layout.addWidget(self.read_only_note)
        layout.addLayout(toolbar)
        layout.addWidget(self.error_label)
        layout.addWidget(splitter, 1)

        self.add_stage.clicked.connect(self.add_new_stage)
        self.delete_stage.clicked.connect(self.delete_selected_stage)
        self.colour_button.clicked.connect(self._pick_colour)
        self.add_item.clicked.connect(self.add_new_item)
        self.remove_item.clicked.connect(self.remove_selected_item)
        self.stage_view.selectionModel().currentRowChanged.connect(self._stage_selected)
        self.checklist_view.selectionModel().currentRowChanged.connect(self._update_state)
        self.checklist_model.modelReset.connect(self._update_state)
        self.checklist_model.rowsInserted.connect(self._update_state)
        self.checklist_model.rowsRemoved.connect(self._update_state)
        self.stage_model.rowsMoved.connect(self._keep_selection_visible)
        self.watch(self.stage_view, self.checklist_view)
        self.start()

    # ----------------------------------------------------------------------------- state

    def sizeHint(self) -> QSize:
        return QSize(1100, 620)

    def intro_text(self, manager: bool) -> str:
        return ("A deal enters a stage only when that stage's required criteria are ticked."
                + (" Drag rows to reorder; double-click a cell to edit. Nothing changes until "
                   "you save." if manager else ""))

    def set_editable(self, editable: bool) -> None:
        self.stage_model.editable = editable
        self.checklist_model.editable = editable

    def update_actions(self, editable: bool) -> None:
        stage = self.selected_stage()
        blocked = can_delete(stage) if stage is not None else "Select a stage first."
        self.delete_stage.setEnabled(editable and blocked is None)
        self.delete_stage.setToolTip(blocked or "Delete the selected stage")
        self.colour_button.setEnabled(editable and stage is not None)
        self.add_item.setEnabled(editable and stage is not None)
        self.remove_item.setEnabled(
            editable and self.checklist_view.selectionModel().currentIndex().isValid()
        )
        if stage is None:
            self.checklist_title.setText("Entry checklist")
            self.checklist_hint.setText("Select a stage to see what a deal needs to enter it.")
        else:
            self.checklist_title.setText(f"To enter “{stage.name}”")
            self.checklist_hint.setText(
                "Required items are the gate; every item's weight counts toward the lead "
                "score." + (" Drag to reorder." if editable else "")
            )
        self.checklist_empty.setText(
            "No entry criteria: any deal may enter this stage."
            + (" Add a criterion to define what must be true first." if editable else "")
        )
        empty = stage is not None and not stage.checklist
        self.checklist_empty.setVisible(empty)
        self.checklist_view.setVisible(not empty)
        self.checklist_spacer.setVisible(empty)

    def selected_stage(self) -> StageDraft | None:
        index = self.stage_view.selectionModel().currentIndex()
        if not index.isValid() or index.row() >= len(self.stage_model.stages):
            return None
        return self.stage_model.stages[index.row()]

    def select_stage_row(self, row: int) -> None:
        index = self.stage_model.index(row, 0)
        self.stage_view.setCurrentIndex(index)
        self.stage_view.scrollTo(index)

    def _stage_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        stage = self.stage_model.stages[current.row()] if current.isValid() else None
        self.checklist_model.show_stage(stage)
        self._update_state()

    def _reveal(self, stage: StageDraft) -> None:
        """Show ``stage``'s checklist (an undo or redo is about to change it)."""
        if self.checklist_model.stage is not stage and stage in self.stage_model.stages:
            self.select_stage_row(self.stage_model.stages.index(stage))

    def _keep_selection_visible(self, *_args) -> None:
        self.stage_view.scrollTo(self.stage_view.currentIndex())
        self._update_state()

    # ----------------------------------------------------------------------------- edits

    def add_new_stage(self) -> None:
        if not self.editable:
            return
        current = self.selected_stage()
        row = (self.stage_model.stages.index(current) + 1) if current else 0
        if current is not None and current.outcome != "open":
            row = next((i for i, s in enumerate(self.stage_model.stages)
                        if s.outcome != "open"), row)
        template = current if current is not None and current.outcome == "open" else None
        stage = StageDraft(
            self.stage_model.unique_name("New stage"),
            side=template.side if template else "sales",
            probability=template.probability if template else 10,
            rot_days=template.rot_days if template else 14,
        )
        self.undo_stack.push(InsertStageCommand(self.stage_model, row, stage))
        self.select_stage_row(row)
        self.stage_view.edit(self.stage_model.index(row, 0))

    def delete_selected_stage(self) -> None:
        stage = self.selected_stage()
        if stage is None or not self.editable or can_delete(stage) is not None:
            return
        row = self.stage_model.stages.index(stage)
        count = self.stage_model.deals_in(stage)
        target = None
        if count:
            choices = [s.name for s in self.stage_model.stages if s is not stage]
            target = MoveDealsDialog.ask(self, stage.name, count, choices)
            if target is None:
                return
        self.undo_stack.push(RemoveStageCommand(self.stage_model, row, target))
        if self.stage_model.stages:
            self.select_stage_row(min(row, len(self.stage_model.stages) - 1))

    def _pick_colour(self) -> None:
        stage = self.selected_stage()
        if stage is None or not self.editable:
            return
        row = self.stage_model.stages.index(stage)
        chosen = ColourDialog.ask(self, self.stage_model.colour_of(row),
                                  f"Colour of {stage.name}")
        if chosen is not None:
            self.stage_model.set_colour(row, chosen.name())

    def add_new_item(self) -> None:
        stage = self.selected_stage()
        if stage is None or not self.editable:
            return
        row = len(stage.checklist)
        item = ChecklistDraft("New criterion", required=True, weight=1)
        self.undo_stack.push(InsertItemCommand(self.checklist_model, stage, row, item))
        index = self.checklist_model.index(row, 0)
        self.checklist_view.setCurrentIndex(index)
        self.checklist_view.edit(index)

    def remove_selected_item(self) -> None:
        stage = self.selected_stage()
        index = self.checklist_view.selectionModel().currentIndex()
        if stage is None or not index.isValid() or not self.editable:
            return
        self.undo_stack.push(RemoveItemCommand(self.checklist_model, stage, index.row()))

    # ----------------------------------------------------------------------------- save

    def load_work(self) -> tuple[list[StageDraft], dict[int, int]]:
        return load_pipeline(), deal_counts()

    def show_loaded(self, loaded: tuple[list[StageDraft], dict[int, int]]) -> None:
        """Show the stored pipeline, keeping the selected stage selected."""
        selected = self.selected_stage()
        keep = selected.id if selected is not None else None
        self.checklist_model.show_stage(None)
        self.stage_model.load(*loaded)
        rows = [i for i, s in enumerate(self.stage_model.stages) if s.id == keep]
        if self.stage_model.stages:
            self.select_stage_row(rows[0] if rows else 0)

    def plan(self) -> tuple[list[StageDraft], dict[int, str]]:
        return copy.deepcopy(self.stage_model.stages), dict(self.stage_model.reassign)

    def before_save(self, plan, proceed, cancel) -> None:
        """Ask the worker which new required criteria deals already in their stage do not
        meet (``app.stage_admin.unmet_criteria``); if any, :class:`UnmetCriteriaDialog`
        asks whether to leave those deals (flagged on the board) or tick for them."""
        stages, _reassign = plan

        def confirm(unmet: list[UnmetCriterion]) -> None:
            if not unmet:
                proceed(tick_unmet=False)
                return
            dialog = UnmetCriteriaDialog(self, unmet, self.context.actor.name)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.sig_chosen.connect(lambda tick: proceed(tick_unmet=tick))
            dialog.rejected.connect(cancel)
            dialog.open()

        def refused(message: str) -> None:
            self._save_failed(message)
            cancel()

        Query(self, self.context, lambda _control: unmet_criteria(stages)).success(
            confirm).failure(refused).run()

    def save_work(self, plan, actor, **options) -> SaveReport:
        stages, reassign = plan
        return save_pipeline(stages, reassign, actor, **options)

    def saved_note(self, report: SaveReport) -> str:
        moved = f"; {report.deals_moved:,} deal(s) moved" if report.deals_moved else ""
        ticked = (f"; ticked for {report.checks_ticked:,} deal(s)"
                  if report.checks_ticked else "")
        return f"Saved{moved}{ticked}"


def make_stages_tab(context: UiContext) -> QWidget:
    return StagesTab(context)
