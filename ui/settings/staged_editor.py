"""The one editing model of the Settings tabs whose edits are staged and saved at once
(Stages, Activity kinds).

Why staged: an edit there often spans several steps (add a stage, move it, give it a
checklist; rename one kind and give its old name to another), and the rest of the app must
never see a half-made result. So a tab edits plain drafts loaded from ``app`` in memory;
every edit is a QUndoCommand on the tab's own undo stack (Ctrl+Z / Ctrl+Shift+Z while one of
its tables has focus, and the Undo / Redo buttons); Save hands the drafts to one ``app``
call that applies them in one transaction; Revert drops the edits and reloads.

A rep sees the tab read-only: a banner saying why (the actor's name and what only a manager
may do), the editing buttons disabled and the Save bar hidden. The tab follows "Switch
user" and reloads when another screen changes what it shows (unless edits are pending).

A subclass builds its widgets and calls :meth:`toolbar` for the bar, then :meth:`start`.
It provides :meth:`load_work` / :meth:`show_loaded` (read on the worker, shown on the GUI
thread), :meth:`plan` / :meth:`save_work` (the drafts to save, and the ``app`` call that
saves them), :meth:`set_editable` and :meth:`update_actions` (its own buttons), and may
override :meth:`before_save` (a question to ask first) and :meth:`saved_note`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QWidget,
)

from ui import theme
from ui.context import Topic, UiContext
from ui.operations import Query, Write


def tool_button(text: str, icon_name: str, tip: str, shortcut: str | None = None) -> QPushButton:
    """A Settings toolbar button; the shortcut, if any, is named in its tooltip."""
    button = QPushButton(theme.icon(icon_name), text)
    if shortcut:
        button.setShortcut(QKeySequence(shortcut))
        tip = f"{tip} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
    button.setToolTip(tip)
    return button


def draft_table(model, *, stretch: int) -> QTableView:
    """A table of drafts as the staged tabs show them: rows dragged to reorder, edited by
    double-click or F2, ``stretch`` the column that takes the spare width."""
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
    view.setDragDropOverwriteMode(False)
    view.setDropIndicatorShown(True)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(32)
    view.setIconSize(QSize(12, 12))
    view.setStyleSheet("QTableView::item { padding: 0 10px; }"
                       "QHeaderView::section { padding: 4px 10px; }")
    view.setEditTriggers(
        QAbstractItemView.EditTrigger.DoubleClicked
        | QAbstractItemView.EditTrigger.EditKeyPressed
        | QAbstractItemView.EditTrigger.SelectedClicked
    )
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for column in range(model.columnCount()):
        mode = (QHeaderView.ResizeMode.Stretch if column == stretch
                else QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(column, mode)
    return view


class StagedEditor(QWidget):
    """Drafts, their undo stack, Save / Revert, and the read-only state for reps.

    ``what`` finishes "Only a manager can …" (e.g. "change stages and checklists");
    ``topics``: what the Save announces, and the changes by others that make the tab reload.
    """

    def __init__(self, context: UiContext, *, what: str, save_tip: str,
                 topics: frozenset[Topic], parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.what = what
        self.topics = topics
        self.undo_stack = QUndoStack(self)
        self._saving = False
        self._saved_note = ""  # what the last save did, shown until the next edit
        self.loaded = False

        self.intro = QLabel()
        self.intro.setObjectName("Muted")
        self.intro.setWordWrap(True)
        self.read_only_note = theme.read_only_label()
        self.undo_button = tool_button("Undo", "ph.arrow-counter-clockwise",
                                       "Undo the last edit")
        self.redo_button = tool_button("Redo", "ph.arrow-clockwise", "Redo")
        self.dirty_label = QLabel("")
        self.dirty_label.setObjectName("Muted")
        self.revert_button = tool_button("Revert", "ph.x-circle", "Discard unsaved edits")
        self.save_button = tool_button("Save", "ph.floppy-disk", save_tip, "Ctrl+S")
        self.save_button.setDefault(True)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {theme.danger().name()};")
        self.error_label.hide()
        self.edit_buttons: tuple[QPushButton, ...] = ()

        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.revert_button.clicked.connect(self.revert)
        self.save_button.clicked.connect(self.save)
        self.undo_stack.cleanChanged.connect(self._update_state)
        self.undo_stack.indexChanged.connect(self._edited)
        context.bus.sig_user_changed.connect(lambda _rep: self._apply_role())
        context.bus.sig_changed.connect(self._on_changed)

    # ------------------------------------------------------------------ for subclasses
    def toolbar(self, *edit_buttons: QPushButton) -> QHBoxLayout:
        """The bar: the tab's editing buttons, Undo, Redo, then the save state, Revert and
        Save on the right."""
        self.edit_buttons = edit_buttons
        bar = QHBoxLayout()
        bar.setSpacing(6)
        for widget in (*edit_buttons, self.undo_button, self.redo_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (self.dirty_label, self.revert_button, self.save_button):
            bar.addWidget(widget)
        return bar

    def watch(self, *views: QAbstractItemView) -> None:
        """Give Ctrl+Z / Ctrl+Shift+Z in ``views`` to this tab's undo stack."""
        for view in views:
            view.installEventFilter(self)

    def start(self) -> None:
        """Apply the user's role and load the drafts (call once the widgets exist)."""
        self._apply_role()
        self.revert()

    def load_work(self) -> Any:
        """On the worker: read what the tab edits."""
        raise NotImplementedError

    def show_loaded(self, loaded: Any) -> None:
        """On the GUI thread: show ``loaded`` (from :meth:`load_work`) as fresh drafts."""
        raise NotImplementedError

    def plan(self) -> Any:
        """A copy of the drafts to save (the worker must not share the models' objects)."""
        raise NotImplementedError

    def save_work(self, plan: Any, actor, **options) -> Any:
        """On the worker: save ``plan`` in one ``app`` call; returns its report."""
        raise NotImplementedError

    def before_save(self, plan: Any, proceed: Callable[..., None],
                    cancel: Callable[[], None]) -> None:
        """Ask what the save needs to know, then call ``proceed(**options)`` (passed on to
        :meth:`save_work`) or ``cancel()``. By default: nothing to ask."""
        proceed()

    def saved_note(self, report: Any) -> str:
        return "Saved"

    def set_editable(self, editable: bool) -> None:
        """Let the tab's models accept edits, or not."""

    def update_actions(self, editable: bool) -> None:
        """Enable the tab's own buttons for the current selection."""

    def intro_text(self, manager: bool) -> str:
        return ""

    # ------------------------------------------------------------------ state
    @property
    def editable(self) -> bool:
        actor = self.context.actor
        return actor is not None and actor.is_manager and not self._saving

    @property
    def manager(self) -> bool:
        actor = self.context.actor
        return actor is not None and actor.is_manager

    def _apply_role(self) -> None:
        actor, manager = self.context.actor, self.manager
        self.set_editable(self.editable)
        if actor is not None and not manager:
            self.read_only_note.setText(
                f"Only a manager can {self.what}; {actor.name} is a rep, so this is read-only.")
        self.read_only_note.setVisible(not manager)
        self.intro.setText(self.intro_text(manager))
        for widget in (self.undo_button, self.redo_button, self.revert_button,
                       self.save_button, self.dirty_label):
            widget.setVisible(manager)
        self._update_state()

    def _update_state(self, *_args) -> None:
        editable = self.editable
        dirty = not self.undo_stack.isClean()
        if not self._saving:
            self.dirty_label.setText("Unsaved changes" if dirty
                                     else self._saved_note or "All changes saved")
        self.save_button.setEnabled(editable and dirty)
        self.revert_button.setEnabled(editable and dirty)
        self.undo_button.setEnabled(editable and self.undo_stack.canUndo())
        self.redo_button.setEnabled(editable and self.undo_stack.canRedo())
        for button in self.edit_buttons:
            button.setEnabled(editable)
        self.update_actions(editable)

    def _edited(self, *_args) -> None:
        if not self.undo_stack.isClean():
            self._saved_note = ""  # an edit after the save: the note is old news
        self._update_state()

    def _on_changed(self, topics: frozenset) -> None:
        """Show others' changes unless edits are pending here."""
        if topics & self.topics and self.undo_stack.isClean() and not self._saving:
            self.revert()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Ctrl+Z / Ctrl+Shift+Z in the tab's tables undo its unsaved edits rather than the
        application-wide undo (which holds saved actions)."""
        if event.type() in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            for key, step in ((QKeySequence.StandardKey.Undo, self.undo_stack.undo),
                              (QKeySequence.StandardKey.Redo, self.undo_stack.redo)):
                if event.matches(key):
                    if event.type() == QEvent.Type.KeyPress and self.editable:
                        step()
                    event.accept()
                    return True
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------------ load and save
    def revert(self) -> None:
        """Reload what is stored on the worker, dropping unsaved edits."""
        Query(self, self.context, lambda _control: self.load_work(), supersede="load",
              ).success(self._loaded).failure(self.show_error).run()

    def _loaded(self, loaded: Any) -> None:
        self.undo_stack.clear()
        self.error_label.hide()
        self.show_loaded(loaded)
        self.loaded = True
        self._update_state()

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def save(self) -> None:
        """Save every staged edit at once on the worker; a refusal shows above the tables
        and keeps the edits."""
        if not self.editable or self.undo_stack.isClean():
            return
        plan = self.plan()
        self._saving = True
        self._apply_role()
        self.dirty_label.setText("Saving…")
        self.error_label.hide()
        self.before_save(plan, lambda **options: self._write(plan, options),
                         self._save_finished)

    def _write(self, plan: Any, options: dict) -> None:
        actor = self.context.actor
        Write(self, self.context, lambda _control: self.save_work(plan, actor, **options),
              announce=self.topics).success(self._saved).failure(self._save_failed).finished(
            self._save_finished).run()

    def _saved(self, report: Any) -> None:
        self._saving = False
        self._saved_note = self.saved_note(report)
        self.revert()
        self._apply_role()

    def _save_failed(self, message: str) -> None:
        self.show_error(f"Not saved: {message}")

    def _save_finished(self) -> None:
        if self._saving:
            self._saving = False
            self._apply_role()
