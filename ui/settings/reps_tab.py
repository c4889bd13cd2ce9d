"""Settings → Reps: the team, with each member's role, weekly capacity and whether active.

Edits save at once (one small row each) and go on the application's undo stack, so Ctrl+Z
takes back an edit, an addition or a removal. Removing a rep who owns deals or logged hours
deactivates them instead (their history stays); the tab says which happened. Manager only: a
rep sees the team read-only with a note.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.rep_admin import (
    Removal,
    add_rep,
    list_rep_rows,
    remove_rep,
    restore_rep,
    update_rep,
)
from app.users import RepInfo
from ui import theme
from ui.context import Topic, UiContext
from ui.operations import Query, UndoableWrite, Write
from ui.settings.reps_model import ROLE_LABELS, RepsModel
from ui.settings.stages_tab import ChoiceDelegate


class HoursDelegate(QStyledItemDelegate):
    """Weekly capacity in hours, 0–100 with quarter-hour steps."""

    def createEditor(self, parent, option, index):
        editor = QDoubleSpinBox(parent)
        editor.setRange(0, 100)
        editor.setDecimals(2)
        editor.setSingleStep(0.5)
        editor.setSuffix(" h")
        editor.setAlignment(Qt.AlignmentFlag.AlignRight)
        return editor

    def setEditorData(self, editor, index):
        editor.setValue(float(index.data(Qt.ItemDataRole.EditRole) or 0))

    def setModelData(self, editor, model, index):
        editor.interpretText()
        model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)


class _RepCommand(UndoableWrite):
    """A rep change already made; ``redo_work`` and ``undo_work`` are given as callables
    that call the app (on the worker). Refusals show in the tab."""

    def __init__(self, text: str, tab: RepsTab, do, undo):
        super().__init__(tab.context, tab, text, announce={Topic.REPS},
                         on_failure=tab.show_error)
        self.redo_work, self.undo_work = do, undo


class RepsTab(QWidget):
    def __init__(self, context: UiContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.model = RepsModel(self._commit, self)

        intro = QLabel(
            "Everyone who owns deals or logs hours. Weekly capacity is the time a person has "
            "for the job; the forecast treats selling hours as limited. Double-click to edit."
        )
        intro.setObjectName("Muted")
        intro.setWordWrap(True)
        self.read_only_note = theme.read_only_label()

        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Name")
        self.email_edit = QLineEdit()
        self.email_edit.setPlaceholderText("Email (optional)")
        self.role_combo = QComboBox()
        for value, label in ROLE_LABELS.items():
            self.role_combo.addItem(label, value)
        self.role_combo.setCurrentIndex(self.role_combo.findData("rep"))
        self.hours_spin = QDoubleSpinBox()
        self.hours_spin.setRange(0, 100)
        self.hours_spin.setDecimals(1)
        self.hours_spin.setValue(40)
        self.hours_spin.setSuffix(" h/week")
        self.add_button = QPushButton(theme.icon("ph.user-plus"), "Add rep")
        self.add_button.setDefault(True)
        self.name_edit.returnPressed.connect(self.add_from_form)
        self.add_button.clicked.connect(self.add_from_form)
        form = QHBoxLayout()
        form.setSpacing(6)
        form.addWidget(self.name_edit, 2)
        form.addWidget(self.email_edit, 3)
        form.addWidget(self.role_combo)
        form.addWidget(self.hours_spin)
        form.addWidget(self.add_button)
        self.form = QWidget()
        self.form.setLayout(form)
        form.setContentsMargins(0, 0, 0, 0)

        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(32)
        self.view.setStyleSheet("QTableView::item { padding: 0 10px; }"
                                "QHeaderView::section { padding: 4px 10px; }")
        self.view.setItemDelegateForColumn(2, ChoiceDelegate(ROLE_LABELS, self))
        self.view.setItemDelegateForColumn(3, HoursDelegate(self))
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column in range(self.model.columnCount()):
            header.setSectionResizeMode(
                column, QHeaderView.ResizeMode.Stretch if column == 1
                else QHeaderView.ResizeMode.ResizeToContents,
            )

        self.remove_button = QPushButton(theme.icon("ph.user-minus"), "Remove…")
        self.remove_button.setToolTip(
            "Delete the selected rep, or deactivate them if they own deals or logged hours"
        )
        self.remove_button.clicked.connect(self.remove_selected)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("Muted")
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.status, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(intro)
        layout.addWidget(self.read_only_note)
        layout.addWidget(self.form)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_state())
        context.bus.sig_user_changed.connect(lambda _rep: self._apply_role())
        context.bus.sig_changed.connect(self._on_changed)
        self._select_after: int | None = None
        self.reload()
        self._apply_role()

    def sizeHint(self) -> QSize:
        return QSize(1000, 560)

    @property
    def is_manager(self) -> bool:
        return self.context.actor is not None and self.context.actor.is_manager

    def _apply_role(self) -> None:
        manager = self.is_manager
        self.model.editable = manager
        self.form.setVisible(manager)
        self.remove_button.setVisible(manager)
        actor = self.context.actor
        self.read_only_note.setVisible(not manager)
        if actor is not None and not manager:
            self.read_only_note.setText(
                f"Only a manager can change the team; {actor.name} is a rep, so this is "
                "read-only."
            )
        self._update_state()

    def _update_state(self) -> None:
        self.remove_button.setEnabled(self.is_manager and self.selected() is not None)

    def reload(self) -> None:
        Query(self, self.context, lambda _control: list_rep_rows(), supersede="reps",
              ).success(self._loaded).failure(self.show_error).run()

    def _loaded(self, rows) -> None:
        self.model.load(rows)
        if self._select_after is not None:
            row = self.model.row_of(self._select_after)
            self._select_after = None
            if row is not None:
                self.view.selectRow(row)
        self._update_state()

    def _on_changed(self, topics: frozenset) -> None:
        if Topic.REPS in topics:
            self.reload()

    def selected(self) -> RepInfo | None:
        index = self.view.selectionModel().currentIndex()
        return self.model.rows[index.row()].rep if index.isValid() else None

    def show_error(self, message: str) -> None:
        self.status.setStyleSheet(f"color: {theme.danger().name()};")
        self.status.setText(message)

    def show_note(self, text: str) -> None:
        self.status.setStyleSheet("")
        self.status.setText(text)

    # ----------------------------------------------------------------------------- actions

    def _commit(self, rep_id: int, changes: dict) -> bool:
        """The model's edit callback: save on the worker (the cell shows the stored value
        once it is written; a refusal leaves it and says why), and record the edit for
        undo."""
        before = self.model.rows[self.model.row_of(rep_id)].rep
        old = {field: getattr(before, field) for field in changes}
        actor = self.context.actor

        def saved(rep: RepInfo) -> None:
            row = self.model.row_of(rep_id)
            if row is not None:
                self.model.replace(replace(self.model.rows[row], rep=rep))
            self.show_note(f"Saved {rep.name}.")
            self.context.undo_stack.push(_RepCommand(
                f"Edit {before.name}", self,
                lambda: update_rep(rep_id, changes, actor),
                lambda: update_rep(rep_id, old, actor),
            ))

        Write(self, self.context, lambda _control: update_rep(rep_id, changes, actor),
              announce={Topic.REPS}).success(saved).failure(self.show_error).run()
        return True

    def add_from_form(self) -> None:
        actor = self.context.actor
        name, email = self.name_edit.text(), self.email_edit.text()
        role, hours = self.role_combo.currentData(), self.hours_spin.value()

        def added(rep: RepInfo) -> None:
            state = {"rep": rep}

            def again() -> None:
                state["rep"] = add_rep(rep.name, rep.email, rep.role,
                                       rep.weekly_capacity_hours, actor)

            self.context.undo_stack.push(_RepCommand(
                f"Add {rep.name}", self, again, lambda: remove_rep(state["rep"].id, actor),
            ))
            self.name_edit.clear()
            self.email_edit.clear()
            self.show_note(f"Added {rep.name}.")
            self._select_after = rep.id

        Write(self, self.context, lambda _control: add_rep(name, email, role, hours, actor),
              announce={Topic.REPS}).success(added).failure(self.show_error).run()

    def remove_selected(self) -> None:
        rep = self.selected()
        if rep is None:
            return
        actor = self.context.actor

        def removed(removal: Removal) -> None:
            state = {"removal": removal}

            def again() -> None:
                state["removal"] = remove_rep(state["removal"].rep.id, actor)

            def back() -> None:
                restored = restore_rep(state["removal"], actor)
                state["removal"] = Removal(state["removal"].action, restored)

            self.context.undo_stack.push(_RepCommand(f"Remove {rep.name}", self, again, back))
            self.show_note(removal.message + " Undo with Ctrl+Z.")

        Write(self, self.context, lambda _control: remove_rep(rep.id, actor),
              announce={Topic.REPS}).success(removed).failure(self.show_error).run()


def make_reps_tab(context: UiContext) -> QWidget:
    return RepsTab(context)
