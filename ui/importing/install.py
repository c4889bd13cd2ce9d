"""Wires the Import action (Ctrl+I) and adds "Undo last import…" to the File menu."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from ui.context import Topic, UiContext
from ui.operations import Query, Write
from ui.theme import icon


def open_wizard(parent: QWidget, context: UiContext):
    """Show the import wizard (non-modal, so the window stays usable) and return it."""
    from ui.importing.wizard import ImportWizard

    wizard = ImportWizard(context, parent)
    wizard.setModal(False)
    wizard.show()
    return wizard


def undo_from_menu(parent: QWidget, context: UiContext) -> None:
    """"Undo last import…": read what the last import did (on the worker), confirm, then
    undo on the worker and say what happened. A second click while the first read is on
    its way replaces it (one confirmation, never two)."""
    Query(parent, context, lambda _control: _last_import(), supersede="undo import",
          ).success(lambda what: _confirm_and_undo(parent, context, what)).run()


def _last_import() -> str | None:
    """What the newest import not yet undone did, or None (on the worker). The importer
    (and openpyxl with it, ~0.4 s) is imported on the first call, not while the window
    opens."""
    from app.importing import describe_last_import

    return describe_last_import()


def _confirm_and_undo(parent: QWidget, context: UiContext, what: str | None) -> None:
    from app.importing import undo_last_import
    from ui.importing.wizard import confirm_undo

    if what is None:
        QMessageBox.information(parent, "Undo last import", "There is no import to undo.")
        return
    if not confirm_undo(parent, what):
        return
    actor = context.actor

    Write(parent, context, lambda _control: undo_last_import(actor),
          announce={Topic.DEALS, Topic.REPS},
          ).success(lambda result: QMessageBox.information(parent, "Undo last import",
                                                            result.describe()),
          ).failure(lambda message: QMessageBox.warning(parent, "Undo last import", message),
                    ).run()


class UndoImportAction(QAction):
    """File › "Undo last import…", enabled while there is an import to take back. Whether
    there is one is read on the worker when the action is made and after every change to
    deals, so opening the menu reads nothing."""

    def __init__(self, window):
        super().__init__(icon("ph.arrow-counter-clockwise"), "Undo last import…", window)
        self.context: UiContext = window.context
        self.setToolTip("Delete the deals the last import created and restore what it changed")
        self.setEnabled(False)  # until the first check answers
        self.triggered.connect(lambda: undo_from_menu(window, self.context))
        self.context.bus.sig_changed.connect(self._on_changed)
        self.check()

    def check(self) -> None:
        Query(self, self.context, lambda _control: _last_import() is not None,
              supersede="undoable").success(self.setEnabled).run()

    def _on_changed(self, topics: frozenset) -> None:
        if Topic.DEALS in topics:
            self.check()


def install(window) -> None:
    """The ``ui.features`` installer: Import… opens the wizard; the File menu gains
    "Undo last import…", enabled whenever there is an import to take back
    (:class:`UndoImportAction`)."""
    context: UiContext = window.context
    action = window.actions_by_name["import"]
    action.triggered.connect(lambda: open_wizard(window, context))
    action.setEnabled(True)
    undo = UndoImportAction(window)
    window.actions_by_name["undo_import"] = undo
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if menu is not None and action in menu.actions():
            actions = menu.actions()
            after = actions.index(action) + 1
            if after < len(actions):
                menu.insertAction(actions[after], undo)
            else:
                menu.addAction(undo)
            break
